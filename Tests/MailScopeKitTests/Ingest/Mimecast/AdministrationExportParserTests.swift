import Foundation
import Testing
@testable import MailScopeKit

/// The audit, DLP and archive parsers on the project's own lines (fixtures/mimecast/admin_exports.ndjson
/// and dlp_logs_page.json): repeated audit ids, +0700 times, record locators, an empty API page.
@Suite struct AdministrationExportParserTests {
    static func load() throws -> LoadedDatabase {
        try LoadedDatabase(["admin_exports.ndjson", "dlp_logs_page.json"].map { TestPaths.fixture("mimecast/" + $0) })
    }

    @Test func theFixturesLoadWithoutRejectsAndTheEmptyPageIsSkipped() throws {
        let db = try Self.load()
        #expect(db.summary.rejected == 0)
        #expect(try db.count("reject") == 0)
        // Six lines, the last an empty {"meta","data":[],"fail":[]} page: five records, five rows.
        let lines = try #require(db.summary.files.first { $0.path.hasSuffix("admin_exports.ndjson") })
        #expect(lines.records == 5)
        #expect(lines.rows == 5)
        #expect(try db.count("audit_event") == 3)
        #expect(try db.count("archive_access") == 1)
        #expect(try db.count("dlp_event") == 3)
    }

    @Test func auditEventsSharingAnIDAreKeptApartAndTimedByEventTime() throws {
        let db = try Self.load()
        let rows = try db.rows("SELECT * FROM audit_event WHERE user = 'helen.price@acme-corp.example' ORDER BY ts")
        #expect(rows.count == 2)
        #expect(Set(rows.compactMap { $0.text("event_id") }).count == 1)
        // 09:15 UTC from eventTime, not the 10:15 CET written in the text.
        #expect(rows[0].int("ts") == TimeParser.parse("2026-11-02T09:15:00Z"))
        #expect(rows[0].text("local_time") == "2026-11-02 10:15:00 CET")
        #expect(rows[0].text("summary") == "Failed authentication for helen.price@acme-corp.example <Price, Helen>")
        #expect(rows[0].text("source_ip") == "203.0.113.7")
        #expect(rows[0].text("reason") == "Incorrect password")
        #expect(rows[1].text("audit_type") == "User Logged On")
        #expect(rows[1].text("two_factor") == "TOTP")
        #expect(rows.allSatisfy { $0.int("machine") == 0 })
    }

    @Test func anAPIAccountIsMarkedAsAMachineAndItsTextKeptRaw() throws {
        let db = try Self.load()
        let r = try #require(try db.rows("SELECT * FROM audit_event WHERE audit_type = 'White URL Created'").first)
        #expect(r.int("machine") == 1)
        #expect(r.text("event_info")?.contains("\u{1B}[31m") == true)   // stored as logged; escaped only when shown
        #expect(r.text("application") == "API")
    }

    @Test func aPlus0700DLPTimeIsConvertedAndAnAPIPageGivesRecordLocators() throws {
        let db = try Self.load()
        let utc = TimeParser.parse("2026-11-03T08:30:00Z")
        let line = try #require(try db.rows("SELECT * FROM dlp_event WHERE line_no = 5 AND record_no IS NULL").first)
        #expect(line.int("ts") == utc)   // 15:30 at +0700
        #expect(line.text("action") == "hold")
        #expect(line.text("message_id") == "q4-payroll-1@acme-corp.example")
        let page = try db.rows("SELECT record_no, action, ts FROM dlp_event WHERE record_no IS NOT NULL ORDER BY record_no")
        #expect(page.map { $0.int("record_no") } == [1, 2])
        #expect(page.map { $0.text("action") } == ["hold", "notification"])   // one row per action
        #expect(page.allSatisfy { $0.int("ts") == utc })
    }

    @Test func anArchiveSearchForAMessageIDNamesIt() throws {
        let db = try Self.load()
        let r = try #require(try db.rows("SELECT * FROM archive_access").first)
        #expect(r.text("kind") == "search")
        #expect(r.text("message_id") == "campaign-1@evil.example")
        #expect(r.text("search_text") == "<campaign-1@evil.example>")
        #expect(r.text("search_reason") == nil)
    }

    @Test func theNewLogTypesAreInTheCoverage() throws {
        let db = try Self.load()
        let logs = Set(try db.rows("SELECT DISTINCT log FROM log_coverage").compactMap { $0.text("log") })
        #expect(logs == ["audit", "dlp", "archive_search"])
    }

    @Test func aFileThatStartsWithAnEmptyPageIsStillReadLineByLine() throws {
        let path = TestPaths.scratch() + "/empty-first.ndjson"
        let lines = try String(contentsOfFile: TestPaths.fixture("mimecast/admin_exports.ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        try Data((lines.suffix(1) + lines.prefix(5)).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        let db = try LoadedDatabase([path])
        #expect(db.summary.rejected == 0)
        #expect(db.summary.rows == 5)
        #expect(try db.count("audit_event", "line_no = 2") == 1)
    }

    @Test func aFailedAPIPageIsRejectedNotSkipped() throws {
        let dir = TestPaths.scratch()
        let path = dir + "/fail.ndjson"
        // A collected file: a record, then a page whose request failed (HTTP 200 with errors).
        let lines = try String(contentsOfFile: TestPaths.fixture("mimecast/admin_exports.ndjson"), encoding: .utf8)
            .split(separator: "\n").prefix(1).joined() + "\n"
            + #"{"meta":{"status":200},"data":[],"fail":[{"errors":[{"code":"err_xdk_auth","message":"unauthorised"}]}]}"# + "\n"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: path))
        let db = try LoadedDatabase([path])
        #expect(db.summary.rejected == 1)
        #expect(try db.count("reject", "reason = 'unrecognized_record' AND line_no = 2 AND detail LIKE '%API error page%'") == 1)
    }
}
