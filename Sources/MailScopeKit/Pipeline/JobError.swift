import Foundation

/// Why a job (run, ingest, detect, report, prune) stopped or how it ended, when that is not one
/// of the errors of the stage that found it.
public enum JobError: ExitCoded, Equatable, Sendable {
    /// A setting neither the command line nor the config file gives (`what`: "database").
    case missingSetting(what: String, flag: String, key: String, config: String?)
    /// Inputs of a run that do not exist (an export mount missing).
    case missingInputs([String])
    /// `--enable` or the config's `enable:` names rules the catalog does not have.
    case unknownRules([String], origin: String?)
    /// `--param` or `params:` names parameters no rule declares.
    case undeclaredParameters([String], declared: [String], origin: String?)
    /// An alert destination (`--alert-syslog`, `--alert-webhook` or their config keys) is given
    /// without `--fail-on`, which decides what alerts: nothing would ever be delivered.
    case alertWithoutThreshold(origin: String?)
    /// The reports could not be written (disk full, permissions).
    case reportsNotWritten(folder: String, reason: String)
    /// Nothing at all could be read: the ingest summary has said why.
    case nothingRead
    /// Checks (`rules validate`, `rules test`) found problems, printed one by one.
    case checksFailed
    /// `--fail-on` matched this many incidents; the reports are written.
    case alert(incidents: Int, threshold: Rule.Severity)

    public var exitCode: Int32 {
        switch self {
        case .missingSetting, .unknownRules, .undeclaredParameters, .alertWithoutThreshold, .checksFailed: return ExitStatus.usage
        case .missingInputs, .reportsNotWritten, .nothingRead: return ExitStatus.input
        case .alert: return ExitStatus.alert
        }
    }

    public var isError: Bool {
        switch self {
        case .nothingRead, .checksFailed, .alert: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case .missingSetting(let what, let flag, let key, let config):
            return "no \(what): give \(flag)" + (config.map { " or set \(key): in \($0)" } ?? "")
        case .missingInputs(let paths):
            return paths.map { "\($0): no such file or folder (an input of this run; is the export folder mounted?)" }.joined(separator: "\n")
        case .unknownRules(let ids, let origin):
            return (origin.map { "\($0): key \"enable\": " } ?? "--enable: ") + "no rule named \(ids.joined(separator: ", ")); `mailscope rules list` shows the ids"
        case .undeclaredParameters(let names, let declared, let origin):
            return (origin.map { "\($0): key \"params\": " } ?? "") + "no rule takes the parameter \(names.joined(separator: ", ")) (rules take: \(declared.joined(separator: ", ")))"
        case .alertWithoutThreshold(let origin):
            return (origin.map { "\($0): " } ?? "") + "an alert destination needs --fail-on SEVERITY (or fail_on: in the config), which decides what alerts"
        case .reportsNotWritten(let folder, let reason):
            return "\(folder): the reports could not be written (\(reason)) — free space or give --out another folder, then run `mailscope report` again"
        case .nothingRead, .checksFailed:
            return ""
        case .alert(let n, let threshold):
            return "\(n) incident\(n == 1 ? "" : "s") at or above \(threshold.rawValue) gained findings since the last completed run (--fail-on): exit 3"
        }
    }
}
