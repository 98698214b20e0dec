import Foundation
import Yams

/// `mailscope.yml`: everything `mailscope run` needs for an unattended nightly job, so the
/// crontab line stays `mailscope run --config /etc/mailscope.yml`. Every key is optional here;
/// a value given on the command line wins over the file. Relative paths are relative to the
/// folder holding the config file, not to wherever cron happens to start.
///
/// ```yaml
/// db: /var/lib/mailscope/acme.db
/// out: /var/lib/mailscope/reports
/// inputs: [/srv/exports/mimecast, /srv/exports/edr]
/// identities: [/srv/exports/identities.csv]
/// ti: {abusech: /srv/feeds/abusech.csv}
/// watch_lists: {vip: vip.txt}
/// suppress: suppress.yml
/// enable: [MS-URL-060]
/// params: {window_ms: 86400000}
/// lookback: 7d
/// fail_on: high
/// dated_reports: true
/// display_tz: Europe/Berlin
/// alert_syslog: udp://siem.example.com:514
/// alert_webhook: https://soar.example.com/hooks/mailscope
/// tlp: amber
/// ```
public struct RunConfig: Sendable, Equatable {
    public var db: String?
    public var out: String?
    public var inputs: [String]?
    public var identities: [String]?
    public var edrMap: String?
    /// An IANA zone or a fixed offset, as `--edr-tz` takes it.
    public var edrTz: String?
    /// `mdy` or `dmy`, as `--edr-date-order` takes it.
    public var edrDateOrder: String?
    /// `NAME=FILE` or `FILE`, as `--ti` takes them.
    public var ti: [String]?
    public var rules: String?
    public var enable: [String]?
    /// `NAME=FILE`, as `--watch-list` takes them.
    public var watchLists: [String]?
    /// The suppression list of known-good senders, domains and hashes, as `--suppress` takes it.
    public var suppress: String?
    /// Rule parameter overrides (`window_ms`, `new_days`, …), as `--param` takes them.
    public var params: [String: SQLValue]?
    public var lookback: TimeSpan?
    public var failOn: Rule.Severity?
    public var datedReports: Bool?
    public var formats: [String]?
    public var templates: String?
    /// The zone report times are shown in, as `--display-tz` takes it.
    public var displayTz: String?
    /// Where a `fail_on` match is sent as RFC 5424 syslog with a CEF payload.
    public var alertSyslog: SyslogTarget?
    /// Where a `fail_on` match is POSTed as JSON.
    public var alertWebhook: WebhookTarget?
    /// How long each alert connect, send or HTTP try may take.
    public var alertTimeout: TimeSpan?
    /// The TLP of the exported indicators (iocs.stix.json, iocs.misp.json), as `--tlp` takes it.
    public var tlp: TLP?
    /// Where each key was set, "file:line", for errors found later (an `enable:` id that names
    /// no rule is only known once the catalog is loaded).
    public var origins: [String: String] = [:]

    public init() {}

    /// A config file that cannot be used: which file, line and key, and what is allowed.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public var source: String
        public var line: Int?
        public var problem: String
        public var description: String { "\(source)\(line.map { ":\($0)" } ?? ""): \(problem)" }
    }

    /// Each key with what it takes, in the order the help and errors list them.
    public static let keys: [(name: String, takes: String)] = [
        ("db", "a path or a postgresql:// URL"), ("out", "a path"), ("inputs", "a list of paths"), ("identities", "a list of paths"),
        ("edr_map", "a path"), ("edr_tz", "an IANA zone like Europe/Berlin or an offset like +02:00"), ("edr_date_order", "mdy or dmy"), ("ti", "a list of [NAME=]paths or a NAME: path mapping"),
        ("rules", "a folder"), ("enable", "a list of rule ids"), ("watch_lists", "a NAME: path mapping"), ("suppress", "a path"),
        ("params", "a mapping of rule parameter: value"), ("lookback", TimeSpan.allowed), ("fail_on", Rule.Severity.allCases.map(\.rawValue).joined(separator: ", ")),
        ("dated_reports", "true or false"), ("formats", "a list of " + ReportWriter.Format.allCases.map(\.rawValue).joined(separator: ", ")), ("templates", "a folder"),
        ("display_tz", "an IANA zone like Europe/Berlin or an offset like +02:00"),
        ("alert_syslog", SyslogTarget.allowed), ("alert_webhook", "an http:// or https:// URL"),
        ("alert_timeout", "a number of seconds followed by s, e.g. 10s (1s to 300s)"),
        ("tlp", "a TLP 2.0 label: " + TLP.allowed),
    ]

    /// Reads and checks a config file.
    public static func load(path: String) throws(Error) -> RunConfig {
        let text: String
        guard FileManager.default.fileExists(atPath: path) else {
            throw Error(source: path, line: nil, problem: "no such config file")
        }
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Error(source: path, line: nil, problem: "cannot read the config file (unreadable, or not UTF-8 text)")
        }
        let base = (URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path)
        return try parse(text, source: path, baseDirectory: base)
    }

    /// Parses config text; relative paths are resolved against `baseDirectory`.
    public static func parse(_ text: String, source: String, baseDirectory: String) throws(Error) -> RunConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            switch error {
            case .duplicatedKeysInMapping(let duplicates, let context):
                let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                // Yams marks the mapping; the line worth showing is the repeat.
                let repeatLine = duplicates.sorted().first.flatMap { key in
                    text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                        .filter { $0.element.hasPrefix(key + ":") }.dropFirst().first.map { $0.offset + 1 }
                }
                throw Error(source: source, line: repeatLine ?? context.mark.line, problem: "key \(keys): given twice")
            case .parser(let context, let problem, let mark, _), .scanner(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
                let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                throw Error(source: source, line: mark.line, problem: "not valid YAML (column \(mark.column)): \(what)")
            default:
                throw Error(source: source, line: nil, problem: "not valid YAML: \(error)")
            }
        } catch {
            throw Error(source: source, line: nil, problem: "not valid YAML: \(error)")
        }
        guard let root else { return RunConfig() }
        guard let mapping = root.mapping else {
            throw Error(source: source, line: root.mark?.line, problem: "expected key: value lines at the top level (keys: \(keys.map(\.name).joined(separator: ", ")))")
        }
        var config = RunConfig()
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let line = keyNode.mark?.line
            func fail(_ problem: String) -> Error { Error(source: source, line: line, problem: "key \"\(key)\": \(problem)") }
            guard let spec = keys.first(where: { $0.name == key }) else {
                let hint = keys.map(\.name).min { editDistance($0, key) < editDistance($1, key) }.flatMap { editDistance($0, key) <= 2 ? " (did you mean \"\($0)\"?)" : nil } ?? ""
                throw Error(source: source, line: line, problem: "unknown key \"\(key)\"\(hint); allowed: \(keys.map(\.name).joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else { throw fail("given twice") }
            config.origins[key] = "\(source):\(line ?? 0)"
            func scalar() throws(Error) -> String {
                guard let s = value.scalar?.string, !s.isEmpty else { throw fail("expected \(spec.takes)") }
                return s
            }
            func list() throws(Error) -> [String] {
                if let s = value.scalar?.string, !s.isEmpty { return [s] }
                guard let items = value.sequence else { throw fail("expected \(spec.takes)") }
                var out: [String] = []
                for item in items {
                    guard let s = item.scalar?.string, !s.isEmpty else { throw fail("expected \(spec.takes); an item is not a plain value") }
                    out.append(s)
                }
                return out
            }
            func pairs() throws(Error) -> [(String, String)] {
                guard let map = value.mapping else { throw fail("expected \(spec.takes)") }
                var out: [(String, String)] = []
                for (k, v) in map {
                    guard let name = k.string, !name.isEmpty, let s = v.scalar?.string, !s.isEmpty else {
                        throw fail("expected \(spec.takes); \"\(k.string ?? "?")\" has no plain value")
                    }
                    out.append((name, s))
                }
                return out
            }
            func path(_ p: String) -> String { resolve(p, against: baseDirectory) }
            switch key {
            case "db":
                // A file is relative to the config's folder; a PostgreSQL URL is taken as written.
                let value = try scalar()
                config.db = DatabaseLocation.isPostgresURL(value) ? value : path(value)
            case "out": config.out = path(try scalar())
            case "inputs": config.inputs = try list().map(path)
            case "identities": config.identities = try list().map(path)
            case "edr_map": config.edrMap = path(try scalar())
            case "edr_tz", "display_tz":
                let tz = try scalar()
                do { _ = try TimeZoneOffsets(parsing: tz) } catch { throw fail(error.description) }
                if key == "edr_tz" { config.edrTz = tz } else { config.displayTz = tz }
            case "edr_date_order":
                let order = try scalar()
                guard TimeParser.SlashDateOrder(rawValue: order) != nil else { throw fail("\"\(order)\" is not \(spec.takes)") }
                config.edrDateOrder = order
            case "ti":
                if value.mapping != nil {
                    config.ti = try pairs().map { "\($0.0)=\(path($0.1))" }
                } else {
                    config.ti = try list().map { entry in
                        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                        return parts.count == 2 && !parts[0].contains("/") ? "\(parts[0])=\(path(parts[1]))" : path(entry)
                    }
                }
            case "rules": config.rules = path(try scalar())
            case "enable": config.enable = try list()
            case "watch_lists": config.watchLists = try pairs().map { "\($0.0)=\(path($0.1))" }
            case "suppress": config.suppress = path(try scalar())
            case "params":
                config.params = Dictionary(try pairs().map { ($0.0, SQLValue.parameter($0.1)) }, uniquingKeysWith: { a, _ in a })
            case "lookback":
                let s = try scalar()
                guard let span = TimeSpan(s) else { throw fail("\"\(s)\" is not \(spec.takes)") }
                config.lookback = span
            case "fail_on":
                let s = try scalar()
                guard let sev = Rule.Severity(rawValue: s.lowercased()) else { throw fail("\"\(s)\" is not one of \(spec.takes)") }
                config.failOn = sev
            case "dated_reports":
                guard let b = value.scalar.flatMap({ Bool.construct(from: $0) }) else { throw fail("expected \(spec.takes)") }
                config.datedReports = b
            case "formats":
                let items = try list().flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                let known = ReportWriter.Format.allCases.map(\.rawValue)
                for f in items where !known.contains(f) { throw fail("\"\(f)\" is not one of \(known.joined(separator: ", "))") }
                config.formats = items
            case "templates": config.templates = path(try scalar())
            case "alert_syslog":
                let text = try scalar()
                do { config.alertSyslog = try SyslogTarget(parsing: text, resolve: path) } catch { throw fail(error.description) }
            case "alert_webhook":
                let text = try scalar()
                do { config.alertWebhook = try WebhookTarget(parsing: text) } catch { throw fail(error.description) }
            case "alert_timeout":
                let text = try scalar()
                guard let span = AlertSettings.timeout(text) else { throw fail("\"\(text)\" is not \(spec.takes)") }
                config.alertTimeout = span
            case "tlp":
                let s = try scalar()
                guard let tlp = TLP(label: s) else { throw fail(TLP.refusal(s)) }
                config.tlp = tlp
            default: break
            }
        }
        return config
    }

    /// `~/x` and relative paths made absolute; absolute paths unchanged.
    static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
        return URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        LookalikeDomains.editDistance(Array(a.utf8), Array(b.utf8))
    }
}
