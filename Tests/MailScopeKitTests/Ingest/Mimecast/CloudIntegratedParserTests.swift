import Foundation
import Testing
@testable import MailScopeKit

/// Cloud Integrated batch events from ../shared/samples/mimecast/more (read in place): entities
/// become receipts with their verdict tags, mailflow its SPF/DKIM/DMARC results; recognised
/// from content although they carry `type` and `aggregateId` like the API 2.0 SIEM stream.
@Suite(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples/mimecast is absent: real-sample tests skipped"))
struct CloudIntegratedParserTests {
    static let sample = "more/cloud_integrated_logs_elastic_test.ndjson"

    @Test(arguments: [sample, sample + ".gz"])
    func everyLineLoadsWithNoRejects(file: String) throws {
        let db = try LoadedDatabase([TestPaths.shared(file)])
        let result = try #require(db.summary.files.first)
        #expect(result.rejected == 0, "\(result.rejectsByReason)")
        #expect(result.format == MimecastRecordParser.Format.cloudIntegrated.rawValue)
        #expect(result.records == 6)
        // Four entities (one with four recipients) and two mailflow events; the blocked and the
        // delivered entity are also a delivery row each.
        #expect(try db.count("mail_message", "event = 'receipt' AND source = 'cloud_integrated'") == 7)
        #expect(try db.count("mail_message", "event = 'delivery' AND source = 'cloud_integrated'") == 2)
        #expect(try db.count("mail_event", "event_type = 'ci_mailflow' AND known_type = 1") == 2)
        #expect(try db.count("mail_event", "event_type LIKE 'unknown:%'") == 0, "not mistaken for an unknown SIEM v2 type")
    }

    @Test func entitiesKeepTheirVerdictTags() throws {
        let db = try LoadedDatabase([TestPaths.shared(Self.sample)])
        let blocked = try #require(try db.rows("SELECT * FROM mail_message WHERE line_no = 2").first)
        #expect(blocked.int("ts") == 1_731_943_475_250)
        #expect(blocked.text("threat_state") == "blocked" && blocked.text("threat_type") == "malware")
        #expect(blocked.text("tags") == #"["MALWARE"]"#)
        #expect(blocked.text("policies_applied") == #"[{"action":"BLOCK","mode":"ACTIVE","name":"Default O365 Mail policy"}]"#)
        #expect(blocked.text("message_id") == "0bb5c112-9013-584b-eb87-e5376f49c9ac@demovation-ci.b41.one")
        #expect(blocked.text("sender") == "announcements@demovation-ci.b41.one" && blocked.text("sender_header") == nil)
        #expect(blocked.text("recipient") == "steve.january@demovation-ci.b41.one")
        #expect(blocked.text("attachment_names") == #"["Sandbox Test.xlsx"]"# && blocked.int("attachment_count") == 1)
        #expect(blocked.text("aggregate_id") == "4XsWdG63WDzFy33-kckoq8rx19ibc7iccjsjx6hsxd")
        #expect(blocked.text("direction") == "inbound")
        #expect(blocked.text("extra")?.contains(#""source":"OFFICE_365_MAIL""#) == true)
        #expect(blocked.text("extra")?.contains(#""historicalMail":false"#) == true)
        let fanned = try db.rows("SELECT recipient FROM mail_message WHERE line_no = 3 ORDER BY id").compactMap { $0.text("recipient") }
        #expect(fanned == ["darrell.schoolcraft@demovation-ci.b41.one", "susan.scott@demovation-ci.b41.one",
                           "michelle.lokay@demovation-ci.b41.one", "lee.huber@demovation-ci.b41.one"])
        // "Inbound" in another case, null policy actions, two tags.
        let last = try #require(try db.rows("SELECT * FROM mail_message WHERE line_no = 6").first)
        #expect(last.text("direction") == "inbound" && last.text("threat_state") == "delivered" && last.text("tags") == #"["UNTRUSTWORTHY","SPAM"]"#)
    }

    @Test func aFinalThreatStateIsTheCopysDelivery() throws {
        let db = try LoadedDatabase([TestPaths.shared(Self.sample)])
        let deliveries = try db.rows("""
            SELECT line_no, recipient, delivered, threat_state, message_id, ts FROM mail_message
            WHERE event = 'delivery' ORDER BY line_no
            """)
        // DELIVERED: in the mailbox; BLOCKED: kept out; DELIVERY_IN_PROGRESS (lines 1 and 3): no delivery yet.
        #expect(deliveries.map { $0["line_no"]?.intValue } == [2, 6])
        #expect(deliveries.map { $0["delivered"]?.intValue } == [0, 1])
        #expect(deliveries.map { $0["threat_state"]?.stringValue } == ["blocked", "delivered"])
        #expect(deliveries.last?["recipient"]?.stringValue == "auser@testdomain.com")
        #expect(deliveries.first?["message_id"]?.stringValue == "0bb5c112-9013-584b-eb87-e5376f49c9ac@demovation-ci.b41.one")
        #expect(deliveries.first?["ts"]?.intValue == 1_731_943_475_250)
        // What the rules and the incidents count as a delivered copy.
        #expect(try db.count("mail_message", "event = 'delivery' AND delivered = 1 AND recipient = 'auser@testdomain.com'") == 1)
        #expect(try db.count("mail_message", "event = 'delivery' AND delivered = 1 AND recipient = 'steve.january@demovation-ci.b41.one'") == 0)
        #expect(CloudIntegratedParser.delivered(threatState: "QUARANTINED") == false)
        #expect(CloudIntegratedParser.delivered(threatState: "DELIVERY_IN_PROGRESS") == nil)
        // Loading the file again adds nothing.
        let again = try LoadedDatabase([TestPaths.shared(Self.sample), TestPaths.shared(Self.sample + ".gz")])
        #expect(try again.count("mail_message", "event = 'delivery'") == 2)
    }

    @Test func mailflowCarriesAuthenticationResults() throws {
        let db = try LoadedDatabase([TestPaths.shared(Self.sample)])
        let rows = try db.rows("SELECT * FROM mail_event ORDER BY line_no")
        #expect(rows.map { $0.text("dmarc") } == ["pass", "fail"])
        #expect(rows.allSatisfy { $0.text("spf") == "pass" && $0.text("dkim") == "pass" })
        #expect(rows[1].text("message_id") == "774faf78-0457-4ac1-9987-fad251c0f445@LV3PR18MB6327.namprd18.prod.outlook.com")
        #expect(rows[0].text("raw")?.contains(#""aligned":true"#) == true, "the whole record stays in raw")
    }

    @Test func coverageNamesTheFamily() throws {
        let db = try LoadedDatabase([TestPaths.shared(Self.sample)])
        let coverage = try LogCoverage.load(db.db)
        #expect(coverage.covers(LogCoverage.cloudIntegrated, at: 1_731_943_475_250))
        #expect(!coverage.covers("receipt", at: 1_731_943_475_250), "CI is not the gateway's receipt log")
        #expect(coverage.covers("mail_event:ci_mailflow", at: 1_732_660_000_405))
    }
}
