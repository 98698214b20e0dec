import Foundation
import Testing
@testable import MailScopeKit

@Suite struct InvestigationFilterTests {
    /// A database with a few URL clicks, one of them by a person whose address has a quote.
    func clicks() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/q.db")
        try db.run("INSERT INTO input_file (id, path, sha256, bytes, compression, format, status) VALUES (1, 'ttp_url.json', 'aa', 0, 'none', 'ttp_url', 'loaded')")
        let rows: [(String, String, String, String)] = [
            ("lisa.campbell@acme-corp.example", "https://login.acme-c0rp-secure.com/owa/auth.php?session=1", "login.acme-c0rp-secure.com", "acme-c0rp-secure.com"),
            ("o'brien@acme-corp.example", "https://news.example/a", "news.example", "news.example"),
            ("priya.raman@acme-corp.example", "https://xacme-c0rp-secure.com/", "xacme-c0rp-secure.com", "xacme-c0rp-secure.com"),
        ]
        for (i, row) in rows.enumerated() {
            try db.run("""
                INSERT INTO url_click (file_id, line_no, dedup, ts, source, is_click, user, user_domain, sender, sender_domain,
                                       url, url_unwrapped, url_host, url_domain, action, scan_result)
                VALUES (1, ?, ?, ?, 'ttp_url', 1, ?, 'acme-corp.example', 'it-support@mail.acme-c0rp.example', 'mail.acme-c0rp.example',
                        ?, ?, ?, ?, 'allow', 'clean')
                """, [.integer(Int64(i + 1)), .text("d\(i)"), .integer(1_793_577_600_000 + Int64(i) * 3_600_000),
                      .text(row.0), .text(row.1), .text(row.1), .text(row.2), .text(row.3)])
        }
        return db
    }

    func users(_ db: Database, _ filter: InvestigationFilter) throws -> [String] {
        try InvestigationQuery.urlClicks().run(db, filter: filter, limit: 0).values("user")?.compactMap(\.stringValue) ?? []
    }

    @Test func valuesAreNormalizedTheWayIngestStoresThem() throws {
        let f = try InvestigationFilter(user: "\"Helen Ashby\" <Helen.Ashby@ACME-corp.example>", domain: " @ACME-c0rp.Example. ",
                                        url: " Login.ACME-c0rp-secure.com/OWA ",
                                        sha256: "CA9DC54AEA090F1984FE86550934C0B3961ADDF0819196F1356B59719077AF83",
                                        messageID: "<cf83fc60d3bb7bbc74864185$a81f8535@mail.halvorsen-billing.example>")
        #expect(f.user == "helen.ashby@acme-corp.example")
        #expect(f.domain == "acme-c0rp.example")
        #expect(f.url == "login.acme-c0rp-secure.com/owa")
        #expect(f.sha256 == "ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83")
        #expect(f.messageID == "cf83fc60d3bb7bbc74864185$a81f8535@mail.halvorsen-billing.example")
        #expect(f.fields == [.user, .domain, .url, .sha256, .messageID])
    }

    @Test(arguments: [
        ("--user", "helen.ashby"),
        ("--sender", "@acme-corp.example"),
        ("--domain", "https://acme-c0rp.example/"),
        ("--sha256", "ca9dc54aea090f19"),
        ("--message-id", "<>"),
        ("--since", "yesterday"),
        ("--until", "2026-13-02"),
    ])
    func aValueThatCannotBeWhatTheOptionAsksForNamesTheOption(option: String, value: String) {
        do {
            switch option {
            case "--user": _ = try InvestigationFilter(user: value)
            case "--sender": _ = try InvestigationFilter(sender: value)
            case "--domain": _ = try InvestigationFilter(domain: value)
            case "--sha256": _ = try InvestigationFilter(sha256: value)
            case "--message-id": _ = try InvestigationFilter(messageID: value)
            case "--since": _ = try InvestigationFilter(since: value)
            default: _ = try InvestigationFilter(until: value)
            }
            Issue.record("\(option) \(value) was accepted")
        } catch {
            #expect("\(error)".hasPrefix("\(option) \(value):"), "\(error)")
        }
    }

    @Test func aPeriodEndingOnABareDateIncludesThatWholeDay() throws {
        let day = try InvestigationFilter(since: "2026-11-02", until: "2026-11-02")
        #expect(day.since == TimeParser.parse("2026-11-02T00:00:00Z"))
        #expect(day.until == TimeParser.parse("2026-11-03T00:00:00Z"))
        let instant = try InvestigationFilter(until: "2026-11-02T10:00:00+01:00")
        #expect(instant.until == TimeParser.parse("2026-11-02T09:00:00.001Z"))
        #expect(throws: InvestigationError.emptyPeriod) { try InvestigationFilter(since: "2026-11-03", until: "2026-11-02") }
    }

    @Test func theClauseIsConstantFragmentsAndTheValuesAreBound() throws {
        let hostile = "x') OR 1=1; DROP TABLE url_click; --"
        let f = try InvestigationFilter(user: "o'brien@acme-corp.example", url: hostile, since: "2026-11-02")
        let clause = try f.clause(for: InvestigationQuery.urlClicks().columns)
        #expect(clause.sql == " AND (u.user = :user) AND (instr(lower(u.url_unwrapped), :url) > 0 OR instr(lower(u.url), :url) > 0) AND (u.ts >= :since)")
        #expect(!clause.sql.contains("DROP") && !clause.sql.contains("o'brien"))
        #expect(clause.parameters["user"] == .text("o'brien@acme-corp.example"))
        #expect(clause.parameters["url"] == .text(hostile.lowercased()))
        #expect(clause.parameters["since"] == .integer(1_793_577_600_000))
    }

    @Test func hostileValuesMatchNothingAndChangeNothing() throws {
        let db = try clicks()
        #expect(try users(db, InvestigationFilter(url: "') OR 1=1; DROP TABLE url_click; --")) == [])
        #expect(try users(db, InvestigationFilter(user: "x' OR '1'='1@acme-corp.example")) == [])
        #expect(try users(db, InvestigationFilter(domain: "%")) == [])
        #expect(try users(db, InvestigationFilter(user: "o'brien@acme-corp.example")) == ["o'brien@acme-corp.example"])
        #expect(try db.scalar("SELECT COUNT(*) FROM url_click")?.intValue == 3)
    }

    @Test func aDomainMatchesItsSubdomainsButNotALookalike() throws {
        let db = try clicks()
        #expect(try users(db, InvestigationFilter(domain: "acme-c0rp-secure.com")) == ["lisa.campbell@acme-corp.example"])
        #expect(try users(db, InvestigationFilter(domain: "_cme-c0rp-secure.com")) == [])
        // the sender's domain mail.acme-c0rp.example is a subdomain of acme-c0rp.example
        #expect(try users(db, InvestigationFilter(domain: "acme-c0rp.example")).count == 3)
        #expect(try users(db, InvestigationFilter(domain: "c0rp.example")) == [])
    }

    @Test func aPeriodKeepsOnlyItsRows() throws {
        let db = try clicks()
        // rows at 00:00, 01:00 and 02:00 on 2026-11-02
        #expect(try users(db, InvestigationFilter(since: "2026-11-02T01:00:00Z", until: "2026-11-02T01:00:00Z")) == ["o'brien@acme-corp.example"])
        #expect(try users(db, InvestigationFilter(until: "2026-11-01")) == [])
        #expect(try users(db, InvestigationFilter(since: "2026-11-02", until: "2026-11-02")).count == 3)
    }

    @Test func aFilterTheQueryCannotApplyIsRefusedNotIgnored() throws {
        let f = try InvestigationFilter(sha256: String(repeating: "a", count: 64))
        #expect(throws: InvestigationError.filterNotApplicable(option: "--sha256", query: "query url")) {
            try f.clause(for: InvestigationQuery.urlClicks().columns)
        }
        #expect(throws: InvestigationError.filterNotApplicable(option: "--sender", query: "query threat-activity")) {
            try InvestigationFilter(sender: "a@b.example").clause(for: ThreatActivity.columns)
        }
        let db = try clicks()
        #expect(throws: InvestigationError.filterNotApplicable(option: "--domain", query: "query user")) {
            try UserProfile.run(db, user: "lisa.campbell@acme-corp.example", period: InvestigationFilter(domain: "x.example"), top: 10, limit: 0)
        }
    }
}
