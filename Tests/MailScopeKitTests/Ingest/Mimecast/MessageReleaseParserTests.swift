import Foundation
import Testing
@testable import MailScopeKit

/// Held-message release logs: the real samples in ../shared/samples/mimecast/more (read in
/// place) with their drift — operator as a string or an object, `spamVerdict` or `verdict`,
/// `+00:00` or `+0000`, a row without `released`, no Message-ID — and the project's fixture
/// (an API page, one record per line, an empty page).
@Suite struct MessageReleaseParserTests {
    static let elasticTest = "more/message_release_logs_elastic_test.ndjson"
    static let mockResponse = "more/message_release_logs_elastic_mock_response.json"

    @Test(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples/mimecast is absent: real-sample tests skipped"),
          arguments: [elasticTest, elasticTest + ".gz", mockResponse, mockResponse + ".gz"])
    func everySampleLoadsWithNoRejects(file: String) throws {
        let db = try LoadedDatabase([TestPaths.shared(file)])
        let result = try #require(db.summary.files.first)
        #expect(result.status == .loaded)
        #expect(result.rejected == 0, "\(result.rejectsByReason)")
        #expect(result.format == MimecastRecordParser.Format.messageRelease.rawValue)
        #expect(result.rows == 2)
        #expect(try db.count("message_release", "file_id IS NULL OR line_no < 1") == 0)
    }

    @Test(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples/mimecast is absent: real-sample tests skipped"))
    func olderShapeOperatorAsStringSpamVerdictAndAMissingTime() throws {
        let db = try LoadedDatabase([TestPaths.shared(Self.elasticTest)])
        // Lines 1 and 2 are one release (same id and time); line 2 only lacks the display name.
        #expect(db.summary.duplicates == 1)
        let rows = try db.rows("SELECT * FROM message_release ORDER BY line_no")
        #expect(rows.map { $0.int("line_no") } == [1, 3])
        let first = rows[0]
        #expect(first.int("ts") == 1_448_462_958_000)   // 2015-11-25T14:49:18+00:00
        #expect(first.text("held_id") == "eNpVj21LhEAUhf_LfN2VnRl1RpclCN...")
        #expect(first.text("status") == "released")
        #expect(first.text("operator") == "admin@domain.tld")
        #expect(first.text("operator_role") == "admin")
        #expect(first.text("sender") == "from_user@from_domain.tld" && first.text("sender_name") == "FromName LastName")
        #expect(first.text("recipient") == "to_user@to_domain.tld" && first.text("recipient_name") == "ToName LastName")
        #expect(first.text("held_reason") == "High-Confidence Impersonation Protection")
        #expect(first.text("held_group") == "IT Staff Global")
        #expect(first.text("message_info") == "Expired in queue - rejected by housekeeping")
        #expect(first.text("verdict") == "spam" && first.text("verdict_risk") == "low")
        #expect(first.text("spf") == "allow" && first.text("dkim") == "allow" && first.text("dmarc") == "allow")
        #expect(first.int("size_bytes") == 5043 && first.int("spam_score") == 12 && first.int("has_attachments") == 1)
        #expect(first.text("route") == "inbound" && first.text("spam_detection_level") == "moderate")
        #expect(first.text("spam_processing_detail")?.contains("\"permittedSender\"") == true)
        // The row without `released` is kept, with no time, and cannot be linked by time.
        #expect(rows[1].int("ts") == nil && rows[1].text("route") == "outbound")
        #expect(rows[1].text("link_state") == ReleaseLinker.LinkState.noTime.rawValue)
        #expect(try db.count("message_release", "message_id_linked IS NOT NULL") == 0)
    }

    @Test(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples/mimecast is absent: real-sample tests skipped"))
    func newerShapeOperatorAsObjectVerdictKeyInAnAPIPage() throws {
        let db = try LoadedDatabase([TestPaths.shared(Self.mockResponse)])
        let rows = try db.rows("SELECT * FROM message_release ORDER BY record_no")
        #expect(rows.map { $0.int("record_no") } == [1, 2])
        #expect(rows.map { $0.text("status") } == ["rejected", "released"])
        #expect(rows[0].int("ts") == 1_730_125_123_000)   // 2024-10-28T14:18:43+0000
        #expect(rows[0].text("operator") == "vkamins@demo-int.elastic.mime-api.com")
        #expect(rows[0].text("operator_role") == "recipient", "the recipient acted on their own copy")
        #expect(rows[0].text("reject_reason") == "Message goes against email policies")
        #expect(rows[0].text("verdict") == "spam" && rows[0].text("verdict_risk") == "medium")
        #expect(rows[0].text("verdict_categories")?.contains("graymail") == true)
        #expect(rows[0].text("dkim") == "unknown", "allow:true with info unknown is not a pass")
        // The object form of the operator stays in extra as logged.
        #expect(rows[0].text("extra")?.contains(#""operator":{"emailAddress":"vkamins@demo-int.elastic.mime-api.com"}"#) == true)
        #expect(rows[1].text("operator") == "craig.dean@demo-int.elastic.mime-api.com")
        #expect(rows[1].text("subject") == "Thank you for registering with Cheap Tickets")
    }

    @Test func fixtureLoadsEveryShapeAndSkipsTheEmptyPage() throws {
        let db = try LoadedDatabase([TestPaths.fixture("mimecast/release_join/held_release_logs.json"),
                                     TestPaths.fixture("mimecast/release_join/held_release_logs.ndjson")])
        #expect(db.summary.rejected == 0, "\(db.summary.rejectsByReason)")
        #expect(db.summary.rows == 4)
        #expect(db.summary.records == 4, "the empty page is no record")
        let rows = try db.rows("SELECT operator, operator_role, verdict, ts FROM message_release ORDER BY id")
        #expect(rows.map { $0.text("operator_role") } == ["admin", "recipient", "recipient", "admin"])
        #expect(rows[3].text("operator") == "it.admin@acme-corp.example", "{\"email\":…} is the third operator form")
        #expect(rows.map { $0.text("verdict") } == ["phishing", "spam", "phishing", "phishing"])
        #expect(rows.allSatisfy { $0.int("ts") != nil })
        #expect(try db.count("log_coverage", "log = 'message_release'") > 0)
    }

    @Test func theOperatorIsTheRecipientOrAnAdmin() {
        #expect(MessageReleaseParser.role(operator: nil, recipient: "a@b.example") == nil)
        #expect(MessageReleaseParser.role(operator: "a@b.example", recipient: "a@b.example") == .recipient)
        #expect(MessageReleaseParser.role(operator: "admin@b.example", recipient: "a@b.example") == .admin)
        #expect(MessageReleaseParser.role(operator: "housekeeping", recipient: "a@b.example") == nil, "no person acted")
    }

    /// The fixture's one-per-line record, changed by `edit`, as a file of its own with a good
    /// line after it.
    static func edited(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let text = try String(contentsOfFile: TestPaths.fixture("mimecast/release_join/held_release_logs.ndjson"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first.map(String.init))
        var record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        edit(&record)
        let bad = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
        let path = TestPaths.scratch() + "/release.ndjson"
        try (bad + "\n" + line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Release records that cannot be loaded, and why.
    enum BadRelease: String, CaseIterable, Sendable {
        case unreadableTime = "an unreadable release time"
        case nobodyNamed = "no id, sender or recipient"

        var reason: RejectReason { self == .unreadableTime ? .badTimestamp : .missingField }

        func edit(_ r: inout [String: Any]) {
            switch self {
            case .unreadableTime: r["released"] = "28/10/2024 14:18"
            case .nobodyNamed:
                r["id"] = nil
                r["fromEnv"] = ["displayableName": "x"]
                r["to"] = [] as [Any]
            }
        }
    }

    @Test(arguments: BadRelease.allCases)
    func badRecordsAreRejectedWithTheirReasonAndTheNextLineLoads(_ bad: BadRelease) throws {
        let reason = bad.reason, name = bad.rawValue
        let db = try LoadedDatabase([try Self.edited(bad.edit)])
        #expect(db.summary.rejectsByReason == [reason.rawValue: 1], "\(name)")
        #expect(db.summary.rows == 1)
        #expect(db.messages.contains { $0.contains("release.ndjson:1: \(reason.rawValue)") }, "\(db.messages)")
        #expect(try db.count("reject", "line_no = 1 AND reason = ?", [.text(reason.rawValue)]) == 1)
    }

    @Test func dedupKeyIgnoresDisplayNamesButNotTheRecipient() {
        let seed: (UInt64, UInt64) = (1, 2)
        let a = MessageReleaseParser.dedupKey(heldID: "x", status: "released", released: 1, recipient: "a@b.example", seed: seed)
        let b = MessageReleaseParser.dedupKey(heldID: "x", status: "released", released: 1, recipient: "a@b.example", seed: seed)
        let c = MessageReleaseParser.dedupKey(heldID: "x", status: "released", released: 1, recipient: "c@b.example", seed: seed)
        let d = MessageReleaseParser.dedupKey(heldID: "x", status: "rejected", released: 1, recipient: "a@b.example", seed: seed)
        #expect(a == b && a != c && a != d)
    }
}
