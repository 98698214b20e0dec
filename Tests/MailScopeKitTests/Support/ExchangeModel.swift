import Foundation
@testable import MailScopeKit

/// A one-incident report model for the exchange formats (STIX, MISP, OCSF), whose campaign
/// text is as hostile as attacker text gets: quotes, backslashes, `]`, newlines, markup, bidi
/// overrides.
enum ExchangeModel {
    static let hostile = "o'brien\"\\x] \n<script>alert(1)</script>\u{202E}"
    static let hostileURL = "evil.example/a'b\\c]d\n<script>"
    static let hostileFile = "inv\"o'ice\\]\n.xlsm"

    static func make(triage: ReportModel.IncidentTriage? = nil) -> ReportModel {
        func row(_ type: String, _ value: String, shared: Bool = false, feeds: String? = nil) -> ReportModel.IndicatorRow {
            ReportModel.IndicatorRow(type: type, value: value, incident: 1, recipients: 3, hosts: 1, firstSeen: Timestamp(1_793_577_600_000),
                                     lastSeen: Timestamp(1_793_581_200_000), feeds: feeds, senderDomains: shared ? 9 : 1, shared: shared)
        }
        let indicators = [
            row("domain", "evil.example", feeds: "abusech"), row("file_name", hostileFile), row("ip", "2001:db8::1"), row("sender_domain", "evil.example"),
            row("sender", "x\(hostile)@evil.example"), row("sender_ip", "192.0.2.9", shared: true),
            row("sha256", String(repeating: "ab", count: 32)), row("url", hostileURL),
        ]
        let evidence = ReportModel.Evidence(table: "url_click", row: 7, file: "in/ttp \(hostile).json", sha256: String(repeating: "c", count: 64),
                                            line: 12, record: 3)
        let click = ReportModel.Finding(id: 1, ruleId: "MS-URL-003", ruleVersion: 2, kind: .detection, severity: .high, stage: .interaction,
                                        ts: Timestamp(1_793_578_000_000), user: "ann@acme-corp.example", host: nil, sender: "x\(hostile)@evil.example",
                                        subject: hostile, indicator: hostileURL, summary: "clicked \(hostile)", matchKey: nil, matchStrength: nil,
                                        evidence: [evidence])
        let exec = ReportModel.Finding(id: 2, ruleId: "MS-COR-001", ruleVersion: 1, kind: .correlation, severity: .critical, stage: .execution,
                                       ts: Timestamp(1_793_579_000_000), user: "ann@acme-corp.example", host: "ws-\(hostile)", sender: nil,
                                       subject: nil, indicator: String(repeating: "ab", count: 32), summary: "ran \(hostileFile)", matchKey: "hash",
                                       matchStrength: "strong", evidence: [evidence])
        let incident = ReportModel.Incident(
            id: 1, key: "url:evil.example", title: "Malicious link \(hostile)", severity: .critical, stage: .execution,
            attack: ["T1204.002", "T1566.002"], subjects: [hostile], firstSeen: Timestamp(1_793_577_600_000), lastSeen: Timestamp(1_793_581_200_000),
            reasons: ["reason \(hostile)"], actions: ["purge"], recipients: ["ann@acme-corp.example"], deliveredTo: ["ann@acme-corp.example"],
            interactedUsers: ["ann@acme-corp.example"], hosts: ["ws-1"], people: [], hostDetails: [], indicators: .init(),
            indicatorDetails: indicators, messages: ["m1"], findings: [click, exec], triage: triage)
        let rules = [
            ReportModel.RuleRef(id: "MS-URL-003", version: 2, kind: .detection, severity: .high, sha256: "", title: "Click \(hostile)",
                                attack: ["T1204.001"], params: [:], findings: 1),
            ReportModel.RuleRef(id: "MS-COR-001", version: 1, kind: .correlation, severity: .critical, sha256: "", title: "Delivered file ran",
                                attack: ["T1204.002"], params: [:], findings: 1),
        ]
        return ReportModel(
            tool: .init(name: "mailscope", version: "test"), generatedAt: Timestamp(1_793_664_000_000), command: nil,
            dataWindow: .init(firstSeen: nil, lastSeen: nil),
            summary: .init(incidents: 1, bySeverity: ["critical": 1], highestSeverity: .critical, findings: 2, duetQuestions: 0,
                           recipients: 1, interactedUsers: 1, hosts: 1, actNow: []),
            incidents: [incident], duet: [], indicators: indicators, inputs: [], rules: rules, feeds: [], watchLists: [],
            statistics: .init(rowsByTable: [:], findingsByRule: [:], identities: 0, identityIssues: [:]), rejects: .init(total: 0, byReason: [:]))
    }

    /// The value of a STIX pattern's string literal, read back by the pattern grammar's rules
    /// (`\'` and `\\` are the only escapes); nil when the literal is not closed exactly once.
    static func patternLiteral(_ pattern: String) -> String? {
        guard let open = pattern.range(of: " = '"), pattern.hasSuffix("']") else { return nil }
        var value = ""
        var i = open.upperBound
        let end = pattern.index(pattern.endIndex, offsetBy: -2)
        while i < end {
            let c = pattern[i]
            if c == "\\" {
                i = pattern.index(after: i)
                guard i < end, pattern[i] == "\\" || pattern[i] == "'" else { return nil }
                value.append(pattern[i])
            } else if c == "'" {
                return nil
            } else {
                value.append(c)
            }
            i = pattern.index(after: i)
        }
        return i == end && pattern[end] == "'" ? value : nil
    }
}
