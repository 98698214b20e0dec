import Foundation
import Testing
@testable import MailScopeKit

/// The four readers `ReportModel.build` is made of, each on a database written row by row, and
/// the summary's decisions on hand-made incidents.
@Suite struct ReportReadersTests {
    /// One input file, two clicks, a detection and a DUET finding on them, one incident holding both.
    static func database() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/r.db")
        try db.run("""
            INSERT INTO input_file (id, path, sha256, bytes, compression, format, status, records, rows, first_ts, last_ts)
            VALUES (1, 'exports/ttp_url.json.gz', 'abc123', 10, 'gzip', 'ttp_url', 'loaded', 2, 2, 1000, 5000)
            """)
        for (id, ts) in [(1, 1000), (2, 5000)] {
            try db.run("""
                INSERT INTO url_click (id, file_id, line_no, dedup, ts, source, is_click, user) VALUES (?, 1, ?, randomblob(8), ?, 'ttp_url', 1, 'ana@acme.example')
                """, [.integer(Int64(id)), .integer(Int64(id + 4)), .integer(Int64(ts))])
        }
        try db.run("""
            INSERT INTO finding (id, rule_id, rule_version, rule_sha256, kind, severity, stage, ts, user, sender, summary, evidence_table, evidence_rowid, detected_at)
            VALUES (1, 'MS-URL-001', 2, 'h1', 'detection', 'high', 'interaction', 5000, 'ana@acme.example', 'x@evil.example', 'clicked', 'url_click', 2, 0),
                   (2, 'MS-DUET-001', 1, 'h2', 'duet', 'low', NULL, 1000, 'ana@acme.example', 'x@evil.example', 'first mail', 'url_click', 1, 0),
                   (3, 'MS-HUNT-X', 1, 'h3', 'hunt', 'info', NULL, 900, NULL, NULL, 'a hunt row', 'url_click', 1, 0)
            """)
        try db.run("""
            INSERT INTO incident (id, key, title, severity, stage, first_ts, last_ts, recipients, delivered, interacted, hosts, findings)
            VALUES (1, 'message:m1', 'Phish', 'high', 'interaction', 1000, 5000, 1, 1, 1, 0, 2)
            """)
        try db.run("INSERT INTO incident_finding (incident_id, finding_id) VALUES (1, 1), (1, 2)")
        try db.run("""
            INSERT INTO incident_user (incident_id, user, received, delivered, interacted, stage, stage_evidence_table, stage_evidence_rowid, first_ts)
            VALUES (1, 'ana@acme.example', 1, 1, 1, 'interaction', 'url_click', 2, 1000)
            """)
        try db.run("INSERT INTO incident_note (incident_id, kind, seq, text) VALUES (1, 'action', 1, 'purge it'), (1, 'reason', 1, 'clicked')")
        try db.run("""
            INSERT INTO incident_indicator (incident_id, type, value, recipients, hosts, first_ts, last_ts, sender_domains, shared)
            VALUES (1, 'ip', '203.0.113.9', 1, 0, 1000, 5000, 1, 0), (1, 'sender_ip', '203.0.113.9', 1, 0, 1000, 1000, 1, 0)
            """)
        return db
    }

    @Test func findingsLeaveOutHuntsAndTurnDuetFindingsIntoQuestions() throws {
        let db = try Self.database()
        let rule = try Rule(yaml: """
            id: MS-DUET-001
            title: First mail
            version: 1
            kind: duet
            severity: low
            stage: delivery
            attack: [T1566]
            question: Did {user} expect mail from {sender}?
            description: d
            triage: Ask the user.
            sql: SELECT 1
            """, source: "t.yml")
        let read = try ReportFindings.read(db, rules: [rule.id: rule], evidence: EvidenceLookup(db))
        #expect(read.total == 2)
        #expect(read.byRule == ["MS-URL-001": 1, "MS-DUET-001": 1])
        #expect(read.byIncident[1]?.map(\.id) == [2, 1], "oldest first")
        #expect(read.duet.map(\.question) == ["Did ana@acme.example expect mail from x@evil.example?"])
        let f = try #require(read.byIncident[1]?.last)
        #expect(f.kind == .detection && f.severity == .high && f.stage == .interaction && f.ts == Timestamp(5000))
        #expect(f.evidence.first?.file == "exports/ttp_url.json.gz" && f.evidence.first?.line == 6 && f.evidence.first?.sha256 == "abc123")
    }

    @Test func incidentsCarryPeopleWithTheRowThatProvesTheirStage() throws {
        let db = try Self.database()
        let findings = try ReportFindings.read(db, rules: [:], evidence: EvidenceLookup(db))
        let read = try ReportIncidents.read(db, findings: findings.byIncident, evidence: EvidenceLookup(db))
        let incident = try #require(read.incidents.first)
        #expect(incident.severity == .high && incident.stage == .interaction)
        #expect(incident.actions == ["purge it"] && incident.reasons == ["clicked"])
        #expect(incident.people.first?.stageEvidence?.table == "url_click" && incident.people.first?.stageEvidence?.line == 6)
        #expect(incident.indicators.ips == ["203.0.113.9"], "an address seen as ip and sender_ip is listed once")
        #expect(read.indicators.count == 2)
    }

    @Test func methodologyListsInputsAndRulesThatNoLongerExist() throws {
        let db = try Self.database()
        let read = try ReportMethodology.read(db, options: .init(generatedAt: Date(), rules: []), findingsByRule: ["MS-URL-001": 1])
        #expect(read.inputs.map(\.sha256) == ["abc123"])
        #expect(read.inputs.first?.firstSeen == Timestamp(1000))
        #expect(read.rules.map(\.id) == ["MS-DUET-001", "MS-HUNT-X", "MS-URL-001"])
        #expect(read.rules.allSatisfy { $0.title == "(not in the current catalog)" })
    }

    @Test func statisticsCountRowsAndTheDataWindow() throws {
        let db = try Self.database()
        let read = try ReportStatistics.read(db, findingsByRule: [:])
        #expect(read.statistics.rowsByTable["url_click"] == 2)
        #expect(read.window.firstSeen == Timestamp(1000) && read.window.lastSeen == Timestamp(5000))
        #expect(read.rejects.total == 0)
        #expect(read.coverage.map(\.log).prefix(6) == ["receipt", "process", "delivery", "url_click", "attachment_scan", "impersonation"],
                "every mail log type is listed, present or not")
    }

    static func incident(_ id: Int, _ severity: Rule.Severity, people: [String], actions: [String] = []) -> ReportModel.Incident {
        ReportModel.Incident(id: id, key: "k\(id)", title: "T\(id)", severity: severity, stage: .delivery, attack: [], subjects: [],
                             firstSeen: Timestamp(0), lastSeen: Timestamp(0), reasons: [], actions: actions, recipients: people,
                             deliveredTo: people, interactedUsers: Array(people.prefix(1)), hosts: [], people: [], hostDetails: [],
                             indicators: .init(), indicatorDetails: [], messages: [], findings: [])
    }

    @Test(arguments: [
        ([Rule.Severity](), nil, [String]()),
        ([.low, .medium], Rule.Severity.medium, []),
        ([.critical, .high, .low], .critical, ["#1 critical: T1 — review", "#2 high: T2 — review"]),
    ] as [([Rule.Severity], Rule.Severity?, [String])])
    func summaryNamesTheHighestSeverityAndWhatToActOnNow(severities: [Rule.Severity], highest: Rule.Severity?, actNow: [String]) {
        let incidents = severities.enumerated().map { Self.incident($0 + 1, $1, people: ["a@x.example", "b@x.example"]) }
        let summary = ReportModel.Summary(incidents: incidents, findings: 7, duetQuestions: 1)
        #expect(summary.highestSeverity == highest)
        #expect(summary.actNow == actNow)
        #expect(summary.incidents == severities.count)
        #expect(summary.recipients == (severities.isEmpty ? 0 : 2), "people are counted once across incidents")
    }
}
