import Foundation

/// An error that decides how the `mailscope` process ends: the command-line tool prints its
/// description on stderr and exits with `exitCode`, in one place (`MailScope.main`), so every
/// command's help can promise the same codes.
///
/// The codes: 1 bad options, config, rules or SQL (the user's to fix); 2 an input or output
/// stopped the command (a missing or unreadable file, a full disk, an unwritable folder);
/// 3 `--fail-on` matched; 4 another process holds the database.
public protocol ExitCoded: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
    /// False for outcomes that are not failures of the command (`--fail-on` matched, nothing
    /// could be read after the summary said why): the description is printed as a plain line,
    /// or not at all when empty.
    var isError: Bool { get }
}

extension ExitCoded {
    public var isError: Bool { true }
}

/// The exit codes, by what they mean.
public enum ExitStatus {
    public static let usage: Int32 = 1
    public static let input: Int32 = 2
    public static let alert: Int32 = 3
    public static let busy: Int32 = 4
}

extension IngestError: ExitCoded { public var exitCode: Int32 { ExitStatus.input } }
extension DatabaseReadError: ExitCoded { public var exitCode: Int32 { ExitStatus.input } }
extension ReportFolder.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.input } }
extension RunConfig.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension Rule.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension WatchList.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension ThreatIntelFeed.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension GenericMapping.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension ReportWriter.TemplateError: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension PDFRenderer.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.input } }
extension InvestigationError: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension SuppressionList.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }
extension Triage.Error: ExitCoded { public var exitCode: Int32 { ExitStatus.usage } }

extension RunLock.Error: ExitCoded {
    public var exitCode: Int32 {
        switch self {
        case .busy: return ExitStatus.busy
        case .unusable: return ExitStatus.input
        }
    }
}
