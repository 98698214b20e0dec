import Foundation
import Testing
@testable import MailScopeKit

/// Schema migrations on databases written by earlier versions.
@Suite struct SchemaTests {
    /// The rows as the schema before "values stored once" wrote them: the logged Message-ID
    /// always stored, the suffixed aggregateId in extra, no aggregate_id_suffix column.
    private func olderDatabase(rows: [(raw: String?, id: String?, aggregate: String?, extra: String?)]) throws -> String {
        let path = TestPaths.scratch() + "/older.db"
        do {
            let db = try Database(path: path)
            try db.run("INSERT INTO input_file (id, path, sha256, bytes, compression, format, status) VALUES (1, 'a.json', 'x', 1, 'none', 'siem_v2', 'loaded')")
            for (n, row) in rows.enumerated() {
                try db.run("""
                    INSERT INTO mail_message (file_id, line_no, dedup, ts, source, event, message_id_raw, message_id, aggregate_id, extra)
                    VALUES (1, ?, ?, 0, 'siem_v2', 'receipt', ?, ?, ?, ?)
                    """, [.integer(Int64(n + 1)), .text("row\(n)"), row.raw.map { .text($0) } ?? .null,
                          row.id.map { .text($0) } ?? .null, row.aggregate.map { .text($0) } ?? .null, row.extra.map { .text($0) } ?? .null])
            }
            for table in ["mail_message", "url_click", "attachment_scan", "impersonation"] {
                try db.execute("ALTER TABLE \(table) DROP COLUMN aggregate_id_suffix")
            }
        }
        return path
    }

    /// Applies the migration (by its SQL, so the test holds whatever its number becomes).
    private func upgradedRows(_ path: String) throws -> [Row] {
        let db = try Database(path: path)
        #expect(Schema.migrations.contains { $0.sql == Schema.valuesStoredOnceSchema })
        try db.transaction { try db.execute(Schema.valuesStoredOnceSchema) }
        return try db.rows("SELECT message_id_raw, aggregate_id_suffix, extra FROM mail_message ORDER BY line_no")
    }

    @Test func upgradeDropsTheLoggedMessageIDOnlyWhereItIsTheKeyInBrackets() throws {
        let path = try olderDatabase(rows: [
            ("<a.1@x.example>", "a.1@x.example", nil, nil),
            ("b.1@x.example", "b.1@x.example", nil, nil),                       // logged without <>
            (#"\u003cc.1@x.example\u003e"#, "c.1@x.example", nil, nil),        // escaped brackets
            ("< d.1@x.example>", "d.1@x.example", nil, nil),                    // a blank inside
            ("<>", nil, nil, nil),                                              // no key at all
        ])
        let rows = try upgradedRows(path)
        #expect(rows.map { $0.text("message_id_raw") } == [nil, "b.1@x.example", #"\u003cc.1@x.example\u003e"#, "< d.1@x.example>", "<>"])
    }

    @Test func upgradeMovesTheAggregateIDSuffixOutOfExtra() throws {
        let path = try olderDatabase(rows: [
            (nil, nil, "Agg1", #"{"_offset":1,"aggregateId":"Agg1_1793615400","tlsUsed":"Yes"}"#),   // in the middle
            (nil, nil, "Agg2", #"{"aggregateId":"Agg2_1793615400"}"#),                                 // alone
            (nil, nil, "Agg3", #"{"x":{"a": 1},"aggregateId":"Agg3_1793615400"}"#),                    // last, spaces elsewhere kept
            (nil, nil, "Agg4", #"{"aggregateId":"Agg4_0793615400"}"#),                                 // leading zero: kept
            (nil, nil, "Agg5", #"{"aggregateId":"Other_1793615400"}"#),                                // not this row's id: kept
            (nil, nil, "Agg6", #"{"aggregateId":"Agg6_17936"}"#),                                      // not a suffix: kept
        ])
        let rows = try upgradedRows(path)
        #expect(rows.map { $0.int("aggregate_id_suffix") } == [1_793_615_400, 1_793_615_400, 1_793_615_400, nil, nil, nil])
        #expect(rows.map { $0.text("extra") } == [
            #"{"_offset":1,"tlsUsed":"Yes"}"#, nil, #"{"x":{"a": 1}}"#,
            #"{"aggregateId":"Agg4_0793615400"}"#, #"{"aggregateId":"Other_1793615400"}"#, #"{"aggregateId":"Agg6_17936"}"#,
        ])
    }

    @Test func aFreshLoadStoresWhatTheUpgradeLeaves() throws {
        // The writer's side of the same rule, on the fixture line the upgrade test mirrors.
        let loaded = try LoadedDatabase([TestPaths.fixture("mimecast/siem_v2_events.ndjson")])
        let rows = try loaded.rows("""
            SELECT COUNT(*) AS n FROM mail_message
            WHERE message_id_raw = '<' || message_id || '>' OR extra LIKE '%"aggregateId":"%\\_1_________"%' ESCAPE '\\'
            """)
        #expect(rows.first?.int("n") == 0)
        #expect(try loaded.count("mail_message", "aggregate_id_suffix IS NOT NULL") > 0)
    }
}
