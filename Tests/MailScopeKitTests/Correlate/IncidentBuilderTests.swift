import Foundation
import Testing
@testable import MailScopeKit

@Suite struct IncidentBuilderTests {
    @Test(arguments: [
        ("RE: FW:  Invoice   overdue", "invoice overdue"),
        ("Fwd: re: Invoice overdue", "invoice overdue"),
        ("AW: WG: Rechnung", "rechnung"),
        ("  ", nil),
        ("RE:", nil),
    ] as [(String, String?)])
    func subjectsAreNormalizedForGrouping(raw: String, expected: String?) {
        #expect(IncidentBuilder.normalizedSubject(raw) == expected)
    }

    func finding(_ id: Int64, message: String? = nil, sender: String? = nil, subject: String? = nil,
                 table: String = "mail_message", rowid: Int64 = 0, indicator: String? = nil, rule: String = "MS-X-001") -> IncidentBuilder.Finding {
        IncidentBuilder.Finding(id: id, ruleID: rule, kind: .detection, severity: .medium, stage: .delivery, ts: id, user: "u@x.example",
                                sender: sender, messageID: message, subject: subject, indicator: indicator, table: table, rowid: rowid,
                                host: nil, matchKey: nil)
    }

    @Test func findingsSharingAnyKeyChainIntoOneCampaign() throws {
        let db = try Database(path: TestPaths.scratch() + "/t.db")
        try Schema.migrate(db)
        let groups = try IncidentBuilder.group([
            finding(1, message: "a@x", sender: "s@evil.example", subject: "Invoice"),
            finding(2, message: "b@x", sender: "s@evil.example", subject: "RE: invoice"),   // same sender + subject as 1
            finding(3, message: "b@x"),                                                     // same message as 2
            finding(4, message: "c@x", sender: "other@x.example", subject: "Hello"),        // unrelated
            finding(5, table: "edr_event", rowid: 77, indicator: "198.51.100.7", rule: "MS-TI-002"),
            finding(6, message: "d@x", table: "edr_event", rowid: 77),                      // the same endpoint row as 5
        ], db: db)
        #expect(groups.map { $0.findings.map(\.id) } == [[1, 2, 3], [4], [5, 6]])
        #expect(IncidentBuilder.Scope.key(groups[0].keys) == "message:a@x")
        #expect(IncidentBuilder.Scope.key(groups[2].keys) == "indicator:198.51.100.7")
    }

    @Test func severityStepsUpOneLevelAndStopsAtCritical() {
        #expect(Rule.Severity.low.next == .medium)
        #expect(Rule.Severity.critical.next == .critical)
    }
}
