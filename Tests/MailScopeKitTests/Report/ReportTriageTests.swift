import Foundation
import Testing
@testable import MailScopeKit

/// The analyst's side of the report: the decision in force on each incident, and the
/// suppression entries with the findings they set aside (which the rest of the report leaves out).
@Suite struct ReportTriageTests {
    /// The readers' database (one phishing incident, #1, at interaction) with its key kept.
    static func database() throws -> Database {
        let db = try ReportReadersTests.database()
        try db.run("INSERT INTO incident_key (key, incident_id) VALUES ('message:m1', 1)")
        return db
    }

    static func incidents(_ db: Database) throws -> [ReportModel.Incident] {
        let findings = try ReportFindings.read(db, rules: [:], evidence: EvidenceLookup(db))
        return try ReportIncidents.read(db, findings: findings.byIncident, evidence: EvidenceLookup(db)).incidents
    }

    @Test func anIncidentCarriesTheDecisionInForceAndWhetherNewEvidenceReopenedIt() throws {
        let db = try Self.database()
        #expect(try Self.incidents(db).first?.triage == nil)
        try Triage.record(db, reference: "#1", status: .falsePositive, note: "awareness-team simulation", by: "jb", at: 1_793_700_000_000)
        let decided = try #require(try Self.incidents(db).first?.triage)
        #expect(decided == ReportModel.IncidentTriage(status: .falsePositive, note: "awareness-team simulation", by: "jb",
                                                      at: Timestamp(1_793_700_000_000), stageWhenDecided: .interaction, key: "message:m1",
                                                      reopened: false))
        #expect(decided.setAside)

        // The next rebuild finds a process on the user's host: a higher stage re-opens it.
        try db.run("UPDATE incident SET stage = 'execution' WHERE id = 1")
        let reopened = try #require(try Self.incidents(db).first?.triage)
        #expect(reopened.reopened && !reopened.setAside)
    }

    @Test(arguments: [
        (Triage.Status?.none, false, ["#1 high: T1 — review"]),
        (.confirmed, false, ["#1 high: T1 — review"]),
        (.falsePositive, false, []),
        (.benign, false, []),
        (.falsePositive, true, ["#1 high: T1 — review"]),
    ] as [(Triage.Status?, Bool, [String])])
    func needsActionNowLeavesOutWhatTheAnalystSetAside(status: Triage.Status?, reopened: Bool, actNow: [String]) {
        var incident = ReportReadersTests.incident(1, .high, people: ["a@x.example"])
        incident.triage = status.map { ReportModel.IncidentTriage(status: $0, note: "n", by: "jb", at: Timestamp(0), stageWhenDecided: .delivery,
                                                                   key: "k1", reopened: reopened) }
        #expect(ReportModel.Summary(incidents: [incident], findings: 1, duetQuestions: 0).actNow == actNow)
    }

    @Test func suppressedFindingsAreListedUnderTheirEntryAndNowhereElse() throws {
        let db = try Self.database()
        try db.run("UPDATE url_click SET url_host = 'links.vendor.example', url_domain = 'vendor.example' WHERE id = 2")
        try SuppressionList(path: "/etc/mailscope/suppress.yml", sha256: "f00", entries: [
            .init(kind: .domain, value: "vendor.example", reason: "vendor newsletter", line: 2),
            .init(kind: .sender, value: "nobody@nowhere.example", line: 4),
        ]).store(in: db)
        #expect(try SuppressionList.apply(db) == 1)
        let entries = try ReportTriage.suppressions(db, evidence: EvidenceLookup(db))
        #expect(entries.map { "\($0.kind.rawValue) \($0.value) \($0.file):\($0.line) \($0.findings.map(\.id))" }
            == ["domain vendor.example /etc/mailscope/suppress.yml:2 [1]", "sender nobody@nowhere.example /etc/mailscope/suppress.yml:4 []"])
        #expect(entries.first?.reason == "vendor newsletter")
        #expect(entries.first?.findings.first?.evidence.first?.line == 6, "each set-aside finding keeps its evidence")
        let findings = try ReportFindings.read(db, rules: [:], evidence: EvidenceLookup(db))
        #expect(findings.total == 1 && findings.byRule == ["MS-DUET-001": 1], "the report's findings leave it out")
        let methodology = try ReportMethodology.read(db, options: .init(generatedAt: Date(), rules: []), findingsByRule: [:])
        #expect(methodology.suppressions?.count == 2)
        try SuppressionList(path: "empty.yml", sha256: "e3", entries: []).store(in: db)
        #expect(try ReportMethodology.read(db, options: .init(generatedAt: Date(), rules: []), findingsByRule: [:]).suppressions == nil,
                "no list: no suppressions key in report.json")
    }
}
