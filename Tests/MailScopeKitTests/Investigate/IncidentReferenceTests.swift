import Foundation
import Testing
@testable import MailScopeKit

/// Incidents named as users name them: `3`, `#3` or the stable key.
@Suite struct IncidentReferenceTests {
    @Test func numbersAndKeysResolveAndOtherTextIsRefusedWithTheRange() throws {
        let db = try Database(path: TestPaths.scratch() + "/i.db")
        try db.run("""
            INSERT INTO incident (id, key, title, severity, stage, first_ts, last_ts, recipients, delivered, interacted, hosts, findings)
            VALUES (1, 'hash:aa', 'A', 'high', 'delivery', 0, 0, 1, 1, 0, 0, 1), (2, 'domain:b.example', 'B', 'low', 'targeted', 0, 0, 1, 0, 0, 0, 1)
            """)
        #expect(try IncidentReference.resolve("2", in: db) == .init(id: 2, key: "domain:b.example"))
        #expect(try IncidentReference.resolve(" #1 ", in: db) == .init(id: 1, key: "hash:aa"))
        #expect(try IncidentReference.resolve("domain:b.example", in: db).id == 2)
        // A key the incident held before new evidence gave it another (its campaign keys).
        try db.run("INSERT INTO incident_key (key, incident_id) VALUES ('domain:b.example', 2), ('message:m1', 2)")
        #expect(try IncidentReference.resolve("message:m1", in: db) == .init(id: 2, key: "domain:b.example"))
        #expect(throws: InvestigationError.noSuchIncident("7", incidents: 2)) { try IncidentReference.resolve("7", in: db) }
        #expect(InvestigationError.noSuchIncident("7", incidents: 2).description.contains("#1…#2"))
        let empty = try Database(path: TestPaths.scratch() + "/e.db")
        #expect(throws: InvestigationError.noSuchIncident("1", incidents: 0)) { try IncidentReference.resolve("1", in: empty) }
    }

    @Test func oneIncidentsModelKeepsItsOwnPartsAndTheWholeMethodology() {
        func incident(_ id: Int, _ severity: Rule.Severity) -> ReportModel.Incident {
            ReportReadersTests.incident(id, severity, people: ["u\(id)@x.example"])
        }
        let model = ReportModel(
            tool: .init(name: "mailscope", version: "t"), generatedAt: Timestamp(0), command: nil, dataWindow: .init(firstSeen: nil, lastSeen: nil),
            summary: ReportModel.Summary(incidents: [incident(1, .critical), incident(2, .low)], findings: 0, duetQuestions: 0),
            incidents: [incident(1, .critical), incident(2, .low)],
            duet: [ReportModel.DuetItem(ruleId: "D", ruleVersion: 1, incident: 2, ts: Timestamp(0), user: nil, sender: nil, question: "q", summary: "s", evidence: [])],
            indicators: [ReportModel.IndicatorRow(type: "domain", value: "a.example", incident: 1, recipients: 1, hosts: 0),
                         ReportModel.IndicatorRow(type: "domain", value: "b.example", incident: 2, recipients: 1, hosts: 0)],
            inputs: [ReportModel.Input(path: "x", sha256: "s", format: "f", bytes: 1, records: 1, rows: 1, duplicates: 0, rejected: 0)],
            rules: [], feeds: [], watchLists: [],
            statistics: .init(rowsByTable: [:], findingsByRule: [:], identities: 0, identityIssues: [:]), rejects: .init(total: 0, byReason: [:]))
        let one = model.only(incident: 2)
        #expect(one.incidents.map(\.id) == [2])
        #expect(one.duet.count == 1 && one.indicators.map(\.value) == ["b.example"])
        #expect(one.summary.incidents == 1 && one.summary.highestSeverity == .low && one.summary.actNow.isEmpty)
        #expect(one.inputs.count == 1, "the methodology stays whole")
    }
}
