import Foundation

/// One alerting incident as a CEF event, the payload of its syslog message:
/// `CEF:0|MailScope|mailscope|<version>|<rule id>|<title>|<0–10>|<extensions>`.
///
/// Extension keys come from CEF's standard dictionary, so a SIEM maps them without a custom
/// parser: `rt` (last activity), `start`/`end` (first/last activity, ms since the epoch), `cat`
/// (the furthest stage), `msg` (the title), `suser` (the sender), `src` (the sender's IP),
/// `duser` and `dhost` (the person and host that got furthest), `fname` and `fileHash` (the
/// attachment), `request` (the URL), `cnt` (findings), `cs1` incident key, `cn1` incident
/// number, `cn2` recipients, `cn3` people who interacted, `cs2` the report (each custom field
/// with its `…Label`). Keys without a value are left out.
public struct CEFEvent: Sendable, Equatable {
    public var incident: AlertIncident
    /// Where the run's report shows the incident (a path, with `#incident-N` for HTML).
    public var report: String?
    public var version: String = MailScopeVersion.string

    public init(incident: AlertIncident, report: String?, version: String = MailScopeVersion.string) {
        self.incident = incident
        self.report = report
        self.version = version
    }

    /// The extensions as (key, raw value) pairs, in the order they are written.
    public var extensions: [(key: String, value: String)] {
        let i = incident
        var out: [(String, String?)] = [
            ("rt", String(i.lastSeen)), ("start", String(i.firstSeen)), ("end", String(i.lastSeen)),
            ("cat", i.stage.rawValue), ("msg", i.title),
            ("suser", i.sender), ("src", i.senderIP), ("duser", i.user), ("dhost", i.host),
            ("fname", i.fileName), ("fileHash", i.sha256), ("request", i.url),
            ("cnt", String(i.findings)),
            ("cs1Label", "Incident key"), ("cs1", i.key),
            ("cn1Label", "Incident number"), ("cn1", String(i.number)),
            ("cn2Label", "Recipients"), ("cn2", String(i.recipients)),
            ("cn3Label", "Interacted"), ("cn3", String(i.interacted)),
        ]
        if let report { out += [("cs2Label", "Report"), ("cs2", report)] }
        return out.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : (key, $0) } }
    }

    /// The CEF line, every field escaped (`CEFText`).
    public var line: String {
        let header = ["MailScope", "mailscope", version, incident.ruleID.isEmpty ? "incident" : incident.ruleID, incident.title]
            .map(CEFText.header).joined(separator: "|")
        let ext = extensions.map { "\($0.key)=\(CEFText.value($0.value))" }.joined(separator: " ")
        return "CEF:0|\(header)|\(AlertSeverity.cef(incident.severity))|\(ext)"
    }
}
