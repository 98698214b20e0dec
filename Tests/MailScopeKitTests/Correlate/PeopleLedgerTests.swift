import Foundation
import Testing
@testable import MailScopeKit

/// Each evidence reader of an incident's people on its own: which rows put a person at which
/// stage, with which row as proof, and what they add to the campaign (delivered copies,
/// senders, hashes, clicked pages).
@Suite struct PeopleLedgerTests {
    static func database() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/p.db")
        try db.run("INSERT INTO input_file (id, path, sha256, bytes, compression, format, status) VALUES (1, 'x', 'x', 1, 'none', 'siem_v2', 'loaded')")
        return db
    }

    static func insert(_ db: Database, _ table: String, _ columns: [String: SQLValue]) throws {
        let names = ["file_id", "line_no", "dedup", "source"] + columns.keys.sorted()
        let values: [SQLValue] = [.integer(1), .integer(1)] + columns.keys.sorted().map { columns[$0]! }
        let marks = ["?", "?", "randomblob(8)", "'test'"] + Array(repeating: "?", count: columns.count)
        try db.run("INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(marks.joined(separator: ", ")))", values)
    }

    @Test func mailRowsMakeRecipientsAndDeliveriesWithTheirProof() throws {
        let db = try Self.database()
        try Self.insert(db, "mail_message", ["id": .integer(10), "ts": .integer(100), "event": .text("receipt"), "message_id": .text("m1"),
                                             "recipient": .text("ana@acme.example"), "sender": .text("x@evil.example")])
        try Self.insert(db, "mail_message", ["id": .integer(11), "ts": .integer(200), "event": .text("delivery"), "message_id": .text("m1"),
                                             "recipient": .text("ana@acme.example"), "delivered": .integer(1), "sender": .text("<>")])
        try Self.insert(db, "mail_message", ["id": .integer(12), "ts": .integer(150), "event": .text("receipt"), "message_id": .text("m1"),
                                             "recipient": .text("bo@acme.example"), "sender": .text("x@evil.example")])
        var ledger = IncidentBuilder.PeopleLedger()
        try ledger.readMail(db, message: "m1")
        #expect(ledger.people["ana@acme.example"]?.stage == .delivery)
        #expect(ledger.people["ana@acme.example"]?.evidence == EvidenceRow(table: "mail_message", rowid: 11))
        #expect(ledger.people["ana@acme.example"]?.firstTS == 100)
        #expect(ledger.people["bo@acme.example"]?.stage == .targeted && ledger.people["bo@acme.example"]?.delivered == false)
        #expect(ledger.deliveredCopies == ["m1": ["ana@acme.example"]])
        #expect(ledger.senders == ["x@evil.example"], "the null sender is no one to block")
    }

    @Test(arguments: [
        ("Hold", true, false, Rule.Stage.targeted),
        ("Release", false, true, .interaction),
        ("", false, false, .targeted),
    ] as [(String, Bool, Bool, Rule.Stage)])
    func attachmentScansSayHeldOrReleased(action: String, stopped: Bool, delivered: Bool, stage: Rule.Stage) throws {
        let db = try Self.database()
        try Self.insert(db, "attachment_scan", ["id": .integer(5), "ts": .integer(100), "message_id": .text("m1"), "recipient": .text("ana@acme.example"),
                                                "action_triggered": .text(action), "sha256": .text("aa"), "result": .text("malicious")])
        var ledger = IncidentBuilder.PeopleLedger()
        try ledger.readAttachmentScans(db, message: "m1")
        let p = try #require(ledger.people["ana@acme.example"])
        #expect(p.stopped == stopped && p.delivered == delivered && p.stage == stage)
        #expect(ledger.hashes == ["aa"])
    }

    @Test func impersonationHitsTargetTheRecipient() throws {
        let db = try Self.database()
        try Self.insert(db, "impersonation", ["id": .integer(3), "ts": .integer(100), "message_id": .text("m1"), "recipient": .text("ana@acme.example")])
        var ledger = IncidentBuilder.PeopleLedger()
        try ledger.readImpersonations(db, message: "m1")
        #expect(ledger.people["ana@acme.example"]?.stage == .targeted)
        #expect(ledger.people["ana@acme.example"]?.evidence == EvidenceRow(table: "impersonation", rowid: 3))
    }

    @Test func clicksThroughReachThePageAndEntryScansOnlyTarget() throws {
        let db = try Self.database()
        try Self.insert(db, "url_click", ["id": .integer(1), "ts": .integer(100), "message_id": .text("m1"), "user": .text("scan@acme.example"),
                                          "is_click": .integer(0), "url_resource": .text("https://p.example/a")])
        try Self.insert(db, "url_click", ["id": .integer(2), "ts": .integer(200), "message_id": .text("m1"), "user": .text("ana@acme.example"),
                                          "is_click": .integer(1), "action": .text("allow"), "category": .text("Phishing & Fraud"),
                                          "url_resource": .text("https://p.example/a"), "url_domain": .text("p.example"), "scan_result": .text("malicious")])
        try Self.insert(db, "url_click", ["id": .integer(3), "ts": .integer(300), "user": .text("bo@acme.example"), "is_click": .integer(1),
                                          "action": .text("block"), "url_resource": .text("https://p.example/a")])
        var ledger = IncidentBuilder.PeopleLedger()
        try ledger.readClicks(db, messages: ["m1"], resources: ["https://p.example/a"])
        #expect(ledger.people["scan@acme.example"]?.stage == .targeted)
        #expect(ledger.people["ana@acme.example"]?.stage == .interaction && ledger.people["ana@acme.example"]?.clickedThrough == true)
        #expect(ledger.people["bo@acme.example"]?.stage == .interaction && ledger.people["bo@acme.example"]?.reached == false,
                "a blocked click was made, but did not reach the page")
        #expect(ledger.credentialPage)
        #expect(ledger.domains == ["p.example"])
        #expect(ledger.deliveredCopies["m1"] == ["ana@acme.example"])
    }

    @Test func anEndpointRowIsTheBetterProofAtTheSameStage() {
        var p = IncidentBuilder.Person()
        p.raise(.execution, EvidenceRow(table: "url_click", rowid: 1), ts: 10)
        p.raise(.execution, EvidenceRow(table: "edr_event", rowid: 7), ts: 20)
        p.raise(.execution, EvidenceRow(table: "url_click", rowid: 2), ts: 5)
        #expect(p.evidence == EvidenceRow(table: "edr_event", rowid: 7))
        #expect(p.firstTS == 5)
        p.raise(.delivery, EvidenceRow(table: "mail_message", rowid: 3), ts: nil)
        #expect(p.stage == .execution, "a stage is never lowered")
    }

    @Test func correlationsOntoAnotherComputerListThePersonWithoutMakingThemARecipient() {
        var ledger = IncidentBuilder.PeopleLedger()
        let f = IncidentBuilder.Finding(id: 1, ruleID: "MS-COR-003", kind: .correlation, severity: .critical, stage: .execution, ts: 50,
                                        user: "cy@acme.example", sender: nil, messageID: "m1", subject: nil, indicator: nil,
                                        table: "edr_event", rowid: 9, host: "WS-9", matchKey: nil)
        ledger.apply([f])
        #expect(ledger.people["cy@acme.example"]?.received == false)
        #expect(ledger.people["cy@acme.example"]?.stage == .execution)
        #expect(ledger.deliveredCopies.isEmpty)
    }
}
