import Foundation
import Testing
@testable import MailScopeKit

/// The busiest rules keep finding their rows through the secondary indexes (issue 20: EXPLAIN
/// QUERY PLAN checks on the busiest rules). The planner is given the statistics that
/// `Schema.ensureIndexes` left on the one-day, 1,000-mailbox scale set (docs/scaling.md, "Which
/// statements use which index"), so each plan is the one a real run gets, not an empty table's.
/// A rule rewritten so that it walks a table instead, or an index dropped or narrowed that a
/// rule still needs, fails here by name.
@Suite struct RuleIndexPlanTests {
    /// sqlite_stat1 of the event tables' indexes on that set, as (table, index, stat).
    static let scaleSetStatistics: [(table: String, index: String, stat: String)] = [
        ("attachment_scan", "attachment_scan_agg", "67551 3"),
        ("attachment_scan", "attachment_scan_dedup", "44395 1"),
        ("attachment_scan", "attachment_scan_malicious", "17 9"),
        ("attachment_scan", "attachment_scan_msgid", "144130 4"),
        ("attachment_scan", "attachment_scan_rcpt", "65880 33 1 noskipscan"),
        ("attachment_scan", "attachment_scan_sha256", "28896 3"),
        ("edr_event", "edr_event_dedup", "261099 1"),
        ("edr_event", "edr_event_domain_host", "267835 267 1 1 noskipscan"),
        ("edr_event", "edr_event_file_name", "423124 2"),
        ("edr_event", "edr_event_host", "249340 201 1 noskipscan"),
        ("edr_event", "edr_event_remote_ip", "548685 401"),
        ("edr_event", "edr_event_sha256", "605930 21"),
        ("impersonation", "impersonation_dedup", "60 1"),
        ("impersonation", "impersonation_msgid", "60 2"),
        ("impersonation", "impersonation_rcpt", "60 2 1 noskipscan"),
        ("mail_event", "mail_event_dedup", "13222 1"),
        ("mail_event", "mail_event_msgid", "34986 3"),
        ("mail_event", "mail_event_sha256", "12348 217"),
        ("mail_event", "mail_event_type", "13626 201 1 noskipscan"),
        ("mail_message", "mail_message_agg", "208820 4"),
        ("mail_message", "mail_message_dedup", "223600 1"),
        ("mail_message", "mail_message_delivered", "52470 2 1"),
        ("mail_message", "mail_message_held", "388 1 1 1"),
        ("mail_message", "mail_message_inbound_rcpt_domain", "55981 401"),
        ("mail_message", "mail_message_msgid", "1067913 7"),
        ("mail_message", "mail_message_outbound", "5771 2"),
        ("mail_message", "mail_message_rcpt", "366234 161 1 noskipscan"),
        ("mail_message", "mail_message_receipt_domain_sender", "67890 201 17 1 1 1 noskipscan"),
        ("mail_message", "mail_message_sender_domain", "192266 201 1 noskipscan"),
        ("url_click", "url_click_dedup", "512 1"),
        ("url_click", "url_click_domain", "872 6 1 noskipscan"),
        ("url_click", "url_click_malicious", "6 2 2"),
        ("url_click", "url_click_msgid", "810 1"),
        ("url_click", "url_click_resource", "882 1 1 noskipscan"),
        ("url_click", "url_click_user", "716 2 1 noskipscan"),
    ]

    /// Rule → the indexes its plan must use (measured with `scripts/index-usage`): the rules
    /// that dominate detection time at 7 days and those that look up every flagged message.
    static let expected: [String: [String]] = [
        "MS-ATT-001": ["attachment_scan_malicious", "mail_message_delivered"],
        "MS-ATT-050": ["mail_message_agg", "mail_message_rcpt"],
        "MS-COR-001": ["attachment_scan_msgid", "edr_event_host", "mail_message_delivered"],
        "MS-COR-004": ["edr_event_host", "edr_event_remote_ip"],
        "MS-COR-009": ["attachment_scan_sha256", "edr_event_domain_host", "edr_event_sha256", "mail_message_msgid", "url_click_domain"],
        "MS-MSG-010": ["mail_message_receipt_domain_sender", "mail_message_sender_domain"],
        "MS-MSG-040": ["mail_message_agg", "mail_message_held"],
        "MS-MSG-050": ["mail_message_msgid", "mail_message_outbound"],
        "MS-URL-011": ["url_click_malicious", "url_click_resource"],
    ]

    private func database() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/plans.db")
        try Schema.ensureIndexes(db)
        try db.execute("DELETE FROM sqlite_stat1")
        for s in Self.scaleSetStatistics {
            try db.run("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", [.text(s.table), .text(s.index), .text(s.stat)])
        }
        try db.execute("ANALYZE sqlite_schema")
        return db
    }

    /// The indexes named in the plan of `sql` bound with `values`.
    private func indexes(ofSQL sql: String, _ values: [String: SQLValue], in db: Database) throws -> Set<String> {
        let statement = try db.prepare("EXPLAIN QUERY PLAN " + sql)
        try statement.bind(named: values)
        let detail = try #require(statement.columnNames.firstIndex(of: "detail"))
        var used: Set<String> = []
        while try statement.step() {
            let words = (statement.value(at: detail).stringValue ?? "").split(separator: " ")
            for (i, word) in words.enumerated() where word == "INDEX" && i + 1 < words.count { used.insert(String(words[i + 1])) }
        }
        return used
    }

    /// `query message` finds the rows without a Message-ID of the message's aggregateIds
    /// through the aggregateId indexes, not by reading every row whose message_id IS NULL
    /// through the Message-ID index (three quarters of SIEM attachment rows on the scale set).
    @Test func theMessageTraceFindsRowsWithoutAMessageIDThroughTheirAggregateID() throws {
        let db = try database()
        let used = try indexes(ofSQL: MessageTrace.sql, [":message_id": .text("m1@example.com")], in: db)
        #expect(used.isSuperset(of: ["attachment_scan_agg", "mail_message_agg", "attachment_scan_msgid", "mail_message_msgid"]),
                "\(used.sorted())")
    }

    /// The indexes named in the plan of `rule` as the runner runs it (its SQL in finding order,
    /// its default parameters and an open window bound).
    private func indexes(of rule: Rule, in db: Database) throws -> Set<String> {
        try indexes(ofSQL: RuleRunner.ordered(rule), RuleRunner(db: db).bindings(for: rule), in: db)
    }

    @Test func theBusiestRulesFindTheirRowsThroughTheirIndexes() throws {
        let db = try database()
        let rules = try RuleCatalog.bundled().rules
        for (id, needed) in Self.expected.sorted(by: { $0.key < $1.key }) {
            let rule = try #require(rules.first { $0.id == id }, "no bundled rule \(id)")
            let used = try indexes(of: rule, in: db)
            let missing = Set(needed).subtracting(used)
            #expect(missing.isEmpty, "\(id) no longer uses \(missing.sorted().joined(separator: ", ")); its plan uses \(used.sorted().joined(separator: ", "))")
        }
    }
}
