import Foundation
import Testing
@testable import MailScopeKit

/// The suppression list: reading the file (and saying where it is wrong), what an entry matches,
/// and which findings are set aside before incidents are built.
@Suite struct SuppressionListTests {
    @Test func entriesAreReadWithTheirReasonsAndLinesAndKeptNormalized() throws {
        let entries = try SuppressionList.parse("""
            # known-good, reviewed monthly
            - sender: Newsletter@Vendor.Example
              reason: weekly vendor newsletter
            - domain: "*.Payroll-Partner.example"
            - sha256: 0F343B0931126A20F133D67C2B018A3B5FD0F8AB0B6E2C1E2C09E6D5C0A1B2C3
              reason: IT's signed installer
            """, path: "s.yml")
        #expect(entries == [
            .init(kind: .sender, value: "newsletter@vendor.example", reason: "weekly vendor newsletter", line: 2),
            .init(kind: .domain, value: "payroll-partner.example", reason: nil, line: 4),
            .init(kind: .sha256, value: "0f343b0931126a20f133d67c2b018a3b5fd0f8ab0b6e2c1e2c09e6d5c0a1b2c3", reason: "IT's signed installer", line: 5),
        ])
        #expect(try SuppressionList.parse("", path: "s.yml").isEmpty, "an empty file clears the list")
        #expect(try SuppressionList.parse("[]\n", path: "s.yml").isEmpty)
    }

    @Test(arguments: [
        ("sender: a@b.example\n", 1, "expected a list of entries, each starting with \"- \""),
        ("- just text\n", 1, "expected sender:, domain: or sha256:"),
        ("- reason: nothing named\n", 1, "the entry names no sender, domain or sha256"),
        ("- sender: not-an-address\n", 1, "\"not-an-address\" is not an email address"),
        ("- domain: https://x.example/a\n", 1, "is not a domain name like vendor.example"),
        ("- sha256: abc\n", 1, "\"abc\" is not a SHA-256 (64 hexadecimal digits)"),
        ("- host: x.example\n", 1, "unknown key \"host\"; an entry takes one of sender, domain, sha256, and reason"),
        ("- sender: a@b.example\n  domain: b.example\n", 2, "one entry names both sender and domain"),
        ("- domain: x.example\n- domain: X.example\n", 2, "domain x.example is listed twice (first on line 1)"),
        ("- sender:\n", 1, "sender: expected a value"),
        ("- [a\n", 2, "not valid YAML"),
    ])
    func aBadEntryNamesTheFileAndLine(text: String, line: Int, message: String) {
        let error = #expect(throws: SuppressionList.Error.self) { try SuppressionList.parse(text, path: "suppress.yml") }
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("suppress.yml:\(line): ") == true, "\(String(describing: error))")
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (SuppressionList.Kind.sender, "news@vendor.example", SuppressionList.Facts(sender: "news@vendor.example"), true),
        (.sender, "news@vendor.example", .init(sender: "ceo@vendor.example", domains: ["vendor.example"]), false),
        (.domain, "vendor.example", .init(sender: "news@vendor.example", domains: ["vendor.example"]), true),
        (.domain, "vendor.example", .init(domains: ["links.mail.vendor.example"]), true),
        (.domain, "vendor.example", .init(domains: ["badvendor.example", "vendor.example.evil.example"]), false),
        (.sha256, "aa", .init(hashes: ["aa", "bb"]), true),
        (.sha256, "aa", .init(sender: "aa", domains: ["aa"]), false),
    ] as [(SuppressionList.Kind, String, SuppressionList.Facts, Bool)])
    func anEntryMatchesItsSenderItsDomainAndSubdomainsOrItsHash(kind: SuppressionList.Kind, value: String, facts: SuppressionList.Facts, matches: Bool) {
        #expect(SuppressionList.Entry(kind: kind, value: value).matches(facts) == matches)
    }

    /// A newsletter click, an attachment scan and an endpoint row, a finding on each, and one on
    /// a message from someone else.
    static func database() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/s.db")
        try db.run("""
            INSERT INTO input_file (id, path, sha256, bytes, compression, format, status, records, rows, first_ts, last_ts)
            VALUES (1, 'exports/x.json.gz', 'abc', 10, 'gzip', 'siem_v2', 'loaded', 3, 3, 1000, 5000)
            """)
        try db.run("""
            INSERT INTO url_click (id, file_id, line_no, dedup, ts, source, is_click, user, url_host, url_domain)
            VALUES (1, 1, 1, randomblob(8), 1000, 'siem_v2', 1, 'ana@acme.example', 'links.vendor.example', 'vendor.example')
            """)
        try db.run("""
            INSERT INTO attachment_scan (id, file_id, line_no, dedup, ts, source, recipient, sha256)
            VALUES (1, 1, 2, randomblob(8), 2000, 'siem_v2', 'ana@acme.example', 'aa')
            """)
        try db.run("""
            INSERT INTO edr_event (id, file_id, line_no, dedup, ts, product, host, action, sha256)
            VALUES (1, 1, 3, randomblob(8), 3000, 'mde', 'ws-1', 'process_start', 'aa')
            """)
        try db.run("""
            INSERT INTO finding (id, rule_id, rule_version, rule_sha256, kind, severity, stage, ts, user, sender, summary, evidence_table, evidence_rowid, detected_at)
            VALUES (1, 'MS-URL-001', 1, 'h', 'detection', 'high', 'interaction', 1000, 'ana@acme.example', 'news@other.example', 'click', 'url_click', 1, 0),
                   (2, 'MS-ATT-001', 1, 'h', 'vendor', 'high', 'delivery', 2000, 'ana@acme.example', 'billing@evil.example', 'scan', 'attachment_scan', 1, 0),
                   (3, 'MS-COR-001', 1, 'h', 'correlation', 'critical', 'execution', 3000, 'ana@acme.example', NULL, 'ran', 'edr_event', 1, 0),
                   (4, 'MS-IMP-001', 1, 'h', 'vendor', 'medium', 'delivery', 4000, 'bo@acme.example', 'ceo@freemail.example', 'imp', 'url_click', 1, 0),
                   (5, 'MS-HUNT-1', 1, 'h', 'hunt', 'info', NULL, 5000, NULL, 'news@vendor.example', 'hunt', 'url_click', 1, 0)
            """)
        return db
    }

    @Test func findingsAreSetAsideByTheEntriesTheyMatchBeforeIncidentsAreBuilt() throws {
        let db = try Self.database()
        let list = SuppressionList(path: "/etc/mailscope/suppress.yml", sha256: "f00", entries: [
            .init(kind: .domain, value: "vendor.example", reason: "newsletter links", line: 1),
            .init(kind: .sha256, value: "aa", reason: "IT installer", line: 3),
            .init(kind: .sender, value: "nobody@nowhere.example", line: 5),
        ])
        try list.store(in: db)
        #expect(try SuppressionList.apply(db) == 4, "findings 1 and 4 (the clicked domain), 2 and 3 (the hash); the hunt is no finding of a run")
        let pairs = try db.rows("""
            SELECT f.finding_id, s.kind FROM finding_suppressed f JOIN suppression s ON s.id = f.suppression_id ORDER BY 1
            """).map { "\($0.int("finding_id") ?? 0):\($0.text("kind") ?? "")" }
        #expect(pairs == ["1:domain", "2:sha256", "3:sha256", "4:domain"])
        #expect(try IncidentBuilder.loadFindings(db).isEmpty, "incidents are built from what is left")
        #expect(try db.scalar("SELECT COUNT(*) FROM finding")?.intValue == 5, "nothing is deleted")

        // A new list replaces the old one whole; the next rebuild applies it.
        try SuppressionList(path: "s2.yml", sha256: "b4", entries: [.init(kind: .sender, value: "billing@evil.example", line: 1)]).store(in: db)
        #expect(try db.scalar("SELECT COUNT(*) FROM suppression")?.intValue == 1)
        #expect(try SuppressionList.apply(db) == 1)
        #expect(try IncidentBuilder.loadFindings(db).map(\.id) == [1, 3, 4])
        try SuppressionList(path: "empty.yml", sha256: "e3", entries: []).store(in: db)
        #expect(try SuppressionList.apply(db) == 0)
        #expect(try IncidentBuilder.loadFindings(db).count == 4)
    }

    @Test func aFileThatCannotBeReadSaysSo() throws {
        #expect(throws: SuppressionList.Error.self) { try SuppressionList.load(path: "/nonexistent/suppress.yml") }
        let path = TestPaths.scratch() + "/s.yml"
        try "- sender: a@b.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        let list = try SuppressionList.load(path: path)
        #expect(list.entries.count == 1)
        #expect(list.sha256.count == 64)
    }
}
