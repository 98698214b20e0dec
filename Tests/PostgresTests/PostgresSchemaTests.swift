import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// The PostgreSQL schema derived from the SQLite one: created on a real server, event tables
/// partitioned by month, values landing in their month, dedup keys unique with their time.
@Suite(.serialized) struct PostgresSchemaTests {
    /// A MailScope SQLite database at the current schema, in a temporary folder.
    func sqliteSchema() throws -> (Database, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgschema-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (try Database(path: folder.appendingPathComponent("s.db").path), folder)
    }

    @Test(arguments: [
        ("CREATE UNIQUE INDEX mail_message_dedup ON mail_message(dedup)", true,
         #"CREATE UNIQUE INDEX "mail_message_dedup" ON "mail_message" ("dedup", "ts") NULLS NOT DISTINCT"#),
        ("CREATE INDEX IF NOT EXISTS mail_message_delivered ON mail_message(message_id, recipient) WHERE event = 'delivery' AND delivered = 1", true,
         #"CREATE INDEX "mail_message_delivered" ON "mail_message" ("message_id", "recipient") WHERE event = 'delivery' AND delivered = 1"#),
        ("CREATE INDEX IF NOT EXISTS edr_event_file_name ON edr_event(file_name COLLATE NOCASE)", true,
         #"CREATE INDEX "edr_event_file_name" ON "edr_event" ("file_name" COLLATE nocase)"#),
        ("CREATE UNIQUE INDEX ioc_dedup ON ioc(dedup)", false, #"CREATE UNIQUE INDEX "ioc_dedup" ON "ioc" ("dedup")"#),
        ("CREATE INDEX finding_user ON finding(user, ts)", false, #"CREATE INDEX "finding_user" ON "finding" ("user", "ts")"#),
    ])
    func indexesTranslate(_ sqlite: String, _ partitioned: Bool, _ expected: String) throws {
        #expect(try PostgresSchema.pgIndex(sqlite, partitioned: partitioned) == expected)
    }

    @Test func monthsAreUTCMonthsInMilliseconds() throws {
        let tables = [PostgresSchema.Table(name: "mail_message", partitioned: true, tableStatements: [], indexStatements: []),
                      PostgresSchema.Table(name: "ioc", partitioned: false, tableStatements: [], indexStatements: [])]
        #expect(try PostgresSchema.monthPartitions("2026-12", tables: tables) == [
            #"CREATE TABLE IF NOT EXISTS "mail_message_2026_12" PARTITION OF "mail_message" FOR VALUES FROM (1796083200000) TO (1798761600000)"#])
        #expect(throws: PostgresError.self) { try PostgresSchema.monthPartitions("2026-13", tables: tables) }
        #expect(throws: PostgresError.self) { try PostgresSchema.monthPartitions("november", tables: tables) }
    }

    @Test func theWholeSchemaIsCreatedAndRowsLandInTheirMonth() throws {
        let (sqlite, folder) = try sqliteSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tables = try PostgresSchema.tables(from: sqlite)
        try PostgresTestServer.with { server in
            let db = try server.connect()
            for statement in PostgresSchema.preamble { try db.execute(statement) }
            for table in tables {
                for statement in table.statements { try db.execute(statement) }
            }
            for statement in try PostgresSchema.monthPartitions("2026-11", tables: tables) { try db.execute(statement) }
            // Every event table with a time is partitioned; the reference tables are not.
            let partitioned = Set(try db.rows("SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid")
                .compactMap { $0.text("relname") })
            let expected = Set(EventTable.allCases.map(\.rawValue)).subtracting(["ioc", "directory_entry"])
            #expect(partitioned == expected)
            #expect(Set(tables.filter(\.partitioned).map(\.name)) == expected)
            // Every SQLite index exists in PostgreSQL.
            let sqliteIndexes = Set(try sqlite.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").compactMap { $0.text("name") })
            let pgIndexes = Set(try db.rows("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'").compactMap { $0.text("indexname") })
            #expect(sqliteIndexes.subtracting(pgIndexes).isEmpty, "missing: \(sqliteIndexes.subtracting(pgIndexes).sorted())")
            let types = try db.rows("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_name = 'mail_message' AND column_name IN ('ts', 'dedup', 'extra', 'subject')
                """)
            #expect(Dictionary(uniqueKeysWithValues: types.map { ($0.text("column_name")!, $0.text("data_type")!) })
                    == ["ts": "bigint", "dedup": "bytea", "extra": "text", "subject": "text"])
            // A November row goes to November, an August one to the default partition; the same
            // dedup key at the same time is refused, at another time it is another row.
            let columns = ["file_id", "line_no", "dedup", "ts", "source", "event", "subject", "extra"]
            let november: Int64 = 1_793_664_000_000
            try db.copy(into: "mail_message", columns: columns, rows: [
                [.integer(1), .integer(1), .text("\\x00ff10"), .integer(november), .text("siem_v2"), .text("receipt"),
                 .text("Invoice\t<b>\\x00</b>"), .text(#"{"_offset":1,"tags":["a"]}"#)],
                [.integer(1), .integer(2), .text("\\x00ff11"), .integer(1_785_000_000_000), .text("siem_v2"), .text("receipt"), .null, .null],
            ])
            let placed = try db.rows("SELECT tableoid::regclass::text AS part, subject, extra::jsonb->>'_offset' AS offset_value FROM mail_message ORDER BY line_no")
            #expect(placed.map { $0.text("part") } == ["mail_message_2026_11", "mail_message_default"])
            #expect(placed.first?.text("subject") == "Invoice\t<b>\\x00</b>")
            #expect(placed.first?.text("offset_value") == "1")
            // COLLATE NOCASE compares as SQLite's does, and ids are numbered as SQLite numbers them.
            try db.execute("INSERT INTO edr_event (file_id, line_no, dedup, ts, product, action, file_name) VALUES (1, 3, '\\x01'::bytea, $1, 'mde', 'file_created', 'Invoice.XLSM')",
                           [.integer(november)])
            #expect(try db.rows("SELECT id FROM edr_event WHERE file_name COLLATE NOCASE = $1", [.text("invoice.xlsm")]).first?.int("id") == 1)
            #expect(try db.rows("SELECT current_setting('mailscope.last_insert_id') AS id").first?.text("id") == "1")
            let insert = "INSERT INTO mail_message (file_id, line_no, dedup, ts, source, event) VALUES (2, 9, '\\x00ff10'::bytea, $1, 'siem_v2', 'receipt') ON CONFLICT DO NOTHING"
            #expect(try db.execute(insert, [.integer(november)]) == 0)
            #expect(try db.execute(insert, [.integer(november + 1)]) == 1)
        }
    }
}
