import Foundation
import Testing
@testable import MailScopeKit

/// The real audit, DLP, archive and awareness exports in ../shared/samples/mimecast/more, read
/// in place: every file loads with zero rejects and its fields land where they belong.
@Suite(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples/mimecast is absent: real-sample tests skipped"))
struct AdministrationExportSamplesTests {
    static let files = [
        "audit_events_elastic_test.ndjson", "audit_events_xsoar_response.json", "dlp_logs_elastic_test.ndjson",
        "sentinel_dlp_cl.csv", "archive_search_logs_elastic_test.ndjson", "archive_get_search_logs_xsoar.json",
        "archive_view_logs_xsoar.json", "sentinel_awareness_safescore.csv", "sentinel_awareness_watchlist.csv",
    ]
    static let expected: [String: (table: String, rows: Int)] = [
        "audit_events_elastic_test": ("audit_event", 10), "audit_events_xsoar_response": ("audit_event", 1),
        "dlp_logs_elastic_test": ("dlp_event", 6), "sentinel_dlp_cl": ("dlp_event", 3),
        "archive_search_logs_elastic_test": ("archive_access", 8), "archive_get_search_logs_xsoar": ("archive_access", 1),
        "archive_view_logs_xsoar": ("archive_access", 2), "sentinel_awareness_safescore": ("user_risk", 2),
        "sentinel_awareness_watchlist": ("user_risk", 2),
    ]

    private func load(_ name: String) throws -> LoadedDatabase { try LoadedDatabase([TestPaths.shared("more/" + name)]) }

    @Test(arguments: files.flatMap { [$0, $0 + ".gz"] })
    func everySampleLoadsWithZeroRejectsIntoItsTable(file: String) throws {
        let db = try load(file)
        let result = try #require(db.summary.files.first)
        #expect(result.status == .loaded)
        #expect(result.rejected == 0, "\(file): \(result.rejectsByReason)")
        let stem = file.replacingOccurrences(of: ".gz", with: "").components(separatedBy: ".").first ?? ""
        let expected = try #require(Self.expected[stem])
        #expect(result.rows == expected.rows, "\(file)")
        #expect(try db.count(expected.table) == expected.rows)
        #expect(try db.count(expected.table, "file_id IS NULL OR line_no < 1 OR ts < 631152000000") == 0)
    }

    @Test func auditTimeIsEventTimeNotTheLocalTimeInTheText() throws {
        let db = try load("audit_events_elastic_test.ndjson")
        let r = try #require(try db.rows("SELECT * FROM audit_event WHERE audit_type = 'User Logged On' AND user = 'johndoe@example.com'").first)
        #expect(r.int("ts") == TimeParser.parse("2021-10-11T17:17:30Z"))   // the text says 18:17:30 BST
        #expect(r.text("local_time") == "2021-10-11 18:17:30 BST")
        #expect(r.text("two_factor") == "TOTP")
        #expect(r.text("method") == "Two Step Auth")
        #expect(r.text("application") == "Administration Console")
    }

    @Test func displayNamesWithCommasAreParsedWhole() throws {
        let db = try load("audit_events_elastic_test.ndjson")
        let failed = try #require(try db.rows("SELECT * FROM audit_event WHERE user = 'john.doe@contoso.com'").first)
        #expect(failed.text("summary") == "Failed authentication for john.doe@contoso.com <Doe, John>")
        #expect(failed.text("reason") == "Account disabled")
        #expect(failed.text("method") == "SP-initiated SAML")
        #expect(failed.text("source_ip") == "67.43.156.3")
        let escaped = try #require(try db.rows("SELECT * FROM audit_event WHERE user = 'john.smith@example.com'").first)
        #expect(escaped.text("summary") == "Successful authentication for john.smith@example.com <Smith, John>")
        #expect(try db.count("audit_event", "machine = 1") == 1)   // the threat-intel feed download
    }

    @Test func dlpRowsPerActionAndThePlus0700Time() throws {
        let db = try load("dlp_logs_elastic_test.ndjson")
        #expect(try db.rows("SELECT ts FROM dlp_event WHERE line_no = 3").first?.int("ts") == TimeParser.parse("2022-12-29T03:45:45Z"))
        #expect(try db.rows("SELECT action FROM dlp_event WHERE message_id = 'ae9f2f0678ed116f-152138@hapi.b41.one' ORDER BY action").map { $0.text("action") } == ["block", "hold"])
        #expect(try db.count("dlp_event", "sender = '<>' AND sender_domain IS NULL") == 3)
        let sentinel = try load("sentinel_dlp_cl.csv")
        let r = try #require(try sentinel.rows("SELECT * FROM dlp_event WHERE action = 'secure_messaging'").first)
        #expect(r.int("ts") == TimeParser.parse("2024-07-29T21:56:24Z"))
        #expect(r.text("policy") == "Secure Message PII")
        #expect(r.int("line_no") == 4)
    }

    @Test func archiveSearchAndViewRows() throws {
        let search = try load("archive_get_search_logs_xsoar.json")
        let s = try #require(try search.rows("SELECT * FROM archive_access").first)
        #expect(s.text("kind") == "search")
        #expect(s.int("is_admin") == 1)   // the string "true"
        #expect(s.text("search_path") == "/INBOX/")
        #expect(s.text("description") == "Archive Mailbox")
        #expect(s.int("line_no") == 13)
        let ndjson = try load("archive_search_logs_elastic_test.ndjson")
        #expect(try ndjson.rows("SELECT user FROM archive_access WHERE line_no = 8").first?.text("user") == "<>")
        #expect(try ndjson.rows("SELECT message_id FROM archive_access WHERE line_no = 3").first?.text("message_id") == "75117693bccaae9e-67627@hapi.b41.one")
        let view = try load("archive_view_logs_xsoar.json")
        let v = try view.rows("SELECT * FROM archive_access ORDER BY ts")
        #expect(v.map { $0.text("kind") } == ["view", "view"])
        #expect(v[0].text("sender") == "example@test.coma")
        #expect(v[1].int("ts") == TimeParser.parse("2022-09-01T08:13:39Z"))
        #expect(v[1].int("message_date") == TimeParser.parse("2022-07-18T13:25:21Z"))
        #expect(v.allSatisfy { $0.int("content_viewed") == 0 && $0.text("archive_source") == "Message Tracking" })
    }

    @Test func awarenessSnapshotsGiveRiskAndWatchlistCounts() throws {
        let score = try load("sentinel_awareness_safescore.csv")
        let p = try #require(try score.rows("SELECT * FROM user_risk WHERE user = 'parimal@crest.mime-api.com'").first)
        #expect(p.text("kind") == "safescore")
        #expect(p.text("risk") == "F" && p.text("human_error") == "A" && p.text("sentiment") == nil)
        #expect(p.int("ts") == TimeParser.parse("2025-10-28T09:35:29.137Z"))
        let watch = try load("sentinel_awareness_watchlist.csv")
        #expect(try watch.rows("SELECT watchlist_count FROM user_risk WHERE user = 'dgopani@crest.mime-api.com'").first?.int("watchlist_count") == 12)
        #expect(try watch.count("user_risk", "kind = 'watchlist' AND user_id LIKE 'eNoV%'") == 2)
    }

    @Test func coverageNamesEachFamilyPresent() throws {
        let db = try LoadedDatabase(Self.files.map { TestPaths.shared("more/" + $0) })
        let logs = Set(try db.rows("SELECT DISTINCT log FROM log_coverage").compactMap { $0.text("log") })
        #expect(logs == ["audit", "dlp", "archive_search", "archive_view", "awareness"])
    }
}
