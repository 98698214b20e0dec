import Foundation
import Testing
@testable import MailScopeKit

@Suite struct LookalikeDomainsTests {
    @Test(arguments: [
        ("acme-c0rp.example", "homoglyph"),          // 0 for o
        ("acrne-corp.example", "homoglyph"),         // rn for m
        ("acme-corp.co", "other-suffix"),
        ("acme-crop.example", "edit-distance"),      // a swap of neighbours
        ("acmee-corp.example", "edit-distance"),
        ("acme-c0rp-secure.com", "contains"),        // folded, then the own name as a part
        ("login-acmecorp.net", "contains"),          // the own name without its hyphen
    ])
    func imitationsAreFound(candidate: String, method: String) {
        #expect(LookalikeDomains.compare(candidate, "acme-corp.example")?.method == method)
    }

    @Test(arguments: ["acme-corp.example", "acme-catering.example", "example.com", "macmecorpx.example", "acme.example"])
    func otherDomainsAreNot(candidate: String) {
        #expect(LookalikeDomains.compare(candidate, "acme-corp.example") == nil)
    }

    @Test func shortNamesNeedAnExactFold() {
        // One edit from a four-letter name is too common to mean anything…
        #expect(LookalikeDomains.compare("acmo.com", "acme.com") == nil)
        // …but the same name in homoglyphs is still an imitation.
        #expect(LookalikeDomains.compare("acm3.com", "acme.com")?.method == "homoglyph")
    }

    @Test func editDistanceCountsSwapsAsOne() {
        #expect(LookalikeDomains.editDistance(Array("abcd".utf8), Array("abdc".utf8)) == 1)
        #expect(LookalikeDomains.editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(LookalikeDomains.editDistance(Array("".utf8), Array("abc".utf8)) == 3)
    }

    @Test func rebuildKeepsTheDataDomainsThatImitateTheRecipientsDomain() throws {
        let dir = TestPaths.scratch()
        let lines = [
            #"{"_offset":1,"_partition":1,"accountId":"C1","action":"Acc","aggregateId":"A1_1","direction":"Inbound","messageId":"<a@x>","processingId":"P1","recipients":"ana.lima@acme-corp.example","senderEnvelope":"it@mail.acme-c0rp.example","senderIp":"203.0.113.1","subject":"s","subtype":"Acc","timestamp":1793615400000,"type":"receipt"}"#,
            #"{"_offset":2,"_partition":1,"accountId":"C1","action":"Acc","aggregateId":"A2_1","direction":"Inbound","messageId":"<b@x>","processingId":"P2","recipients":"ana.lima@acme-corp.example","senderEnvelope":"news@partner.example","senderIp":"203.0.113.2","subject":"s","subtype":"Acc","timestamp":1793615400000,"type":"receipt"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/siem.ndjson"))
        _ = try Ingester(databasePath: dir + "/t.db").ingest(paths: [dir + "/siem.ndjson"])
        let db = try Database(path: dir + "/t.db")
        #expect(try LookalikeDomains.rebuild(db) == 1)
        let row = try db.query("SELECT domain, registrable, resembles, method FROM domain_lookalike")
        #expect(row.map { $0.map { $0.stringValue ?? "" } } == [["mail.acme-c0rp.example", "acme-c0rp.example", "acme-corp.example", "homoglyph"]])
    }
}
