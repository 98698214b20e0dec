import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// A SQLite database copied into PostgreSQL: every row and value arrives, in its month, with
/// its id; a copy is all or nothing, refuses a database that already holds MailScope tables,
/// and waits for no one: a second writer is refused naming the first.
@Suite(.serialized) struct PostgresCopierTests {
    /// Every value of `table`, one canonical string per row, sorted: bytea and BLOB as hex,
    /// `extra` as JSON with sorted keys, numbers as numbers.
    static func canonicalRows(_ rows: [Row], columns: [String]) -> [String] {
        rows.map { row in
            columns.map { column -> String in
                switch row[column] {
                case .null: return "∅"
                case .integer(let v): return String(v)
                case .real(let v): return "r" + String(v)
                case .text(let s):
                    if column == "extra", let data = s.data(using: .utf8),
                       let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                       let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) {
                        return String(decoding: sorted, as: UTF8.self)
                    }
                    if let d = Double(s), column != "extra", s.contains(".") || s.contains("e") { return "r" + String(d) }
                    return s
                }
            }.joined(separator: "\u{1F}")
        }.sorted()
    }

    @Test func theScenarioArrivesWholeRowByRow() throws {
        let path = try ScenarioDatabase.path.get()
        let sqlite = try Database.openForReading(path: path)
        try PostgresTestServer.with { server in
            let pg = try server.connect()
            var reported: [String] = []
            let copied = try PostgresCopier.copy(from: sqlite, to: pg) { reported.append($0.table) }
            #expect(reported == copied.map(\.table))
            #expect(copied.contains { $0.table == "mail_message" && $0.rows > 100 })
            #expect(copied.contains { $0.table == "finding" && $0.rows > 10 })
            #expect(copied.contains { $0.table == "incident" && $0.rows > 0 })
            for table in copied {
                let columns = try sqlite.rows("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", [.text(table.table)])
                let names = columns.compactMap { $0.text("name") }
                let blobs = Set(columns.filter { $0.text("type")?.uppercased() == "BLOB" }.compactMap { $0.text("name") })
                let sqliteList = names.map { blobs.contains($0) ? "lower(hex(\"\($0)\")) AS \"\($0)\"" : "\"\($0)\"" }.joined(separator: ", ")
                let pgList = names.map { blobs.contains($0) ? "encode(\"\($0)\", 'hex') AS \"\($0)\"" : "\"\($0)\"" }.joined(separator: ", ")
                let fromSQLite = Self.canonicalRows(try sqlite.rows("SELECT \(sqliteList) FROM \"\(table.table)\""), columns: names)
                let fromPostgres = Self.canonicalRows(try pg.rows("SELECT \(pgList) FROM \"\(table.table)\""), columns: names)
                #expect(fromSQLite.count == table.rows, "\(table.table)")
                #expect(fromSQLite == fromPostgres, "\(table.table): the rows differ")
            }
            // Events sit in their month's partition; the schema version is recorded.
            let outside = try pg.rows("SELECT COUNT(*) AS n FROM mail_message_default WHERE ts IS NOT NULL")
            #expect(outside.first?.int("n") == 0)
            #expect(try pg.rows("SELECT version FROM mailscope_schema").first?.int("version") == Int64(Schema.currentVersion))
            // A new finding takes the next id after the copied ones.
            let maxID = try pg.rows("SELECT MAX(id) AS id FROM finding").first?.int("id") ?? 0
            let inserted = try pg.rows("""
                INSERT INTO finding (rule_id, rule_version, rule_sha256, kind, severity, ts, summary, evidence_table, evidence_rowid, detected_at)
                VALUES ('MS-TEST', 1, '00', 'detection', 'low', 0, 'test', 'mail_message', 1, 0) RETURNING id
                """)
            #expect(inserted.first?.int("id") == maxID + 1)

            // A second copy into the same database is refused, and nothing is copied twice.
            #expect { try PostgresCopier.copy(from: sqlite, to: pg) } throws: { error in
                (error as? PostgresError)?.kind == .refused && "\(error)".contains("already holds MailScope tables")
            }
            let messages = try pg.rows("SELECT COUNT(*) AS n FROM mail_message").first?.int("n")
            #expect(messages == Int64(copied.first { $0.table == "mail_message" }?.rows ?? -1))
        }
    }

    @Test(arguments: [
        ("plain", nil), ("a\u{0}b", "a\u{FFFD}b"), ("\u{0}", "\u{FFFD}"), (#"{"k":"a\u0000b"}"#, nil), ("é\u{0}", "é\u{FFFD}"),
    ] as [(String, String?)])
    func nulCharactersBecomeReplacementCharacters(_ text: String, _ expected: String?) {
        #expect(PostgresCopier.withoutNUL(text) == expected)
    }

    @Test func aFailedCopyLeavesNothingAndASecondWriterIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgcopy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try Database(path: folder.appendingPathComponent("s.db").path)
        try sqlite.run("INSERT INTO input_file (path, sha256, bytes, compression, format, status) VALUES ('a.log', 'ab', 1, 'none', 'siem_v2', 'loaded')")
        // A NUL (a JSON line's \u0000 decodes to one) cannot be stored in PostgreSQL text: it
        // arrives as U+FFFD, and the copy says how many values it changed.
        try sqlite.run(#"""
            INSERT INTO mail_message (file_id, line_no, dedup, ts, source, event, subject, extra)
            VALUES (1, 1, x'01', 1793664000000, 'siem_v2', 'receipt', 'before' || char(0) || 'after', '{"note":"x\u0000y"}')
            """#)
        // A value PostgreSQL refuses (a time that is not a number) fails the copy, which leaves nothing behind.
        try sqlite.run("INSERT INTO mail_message (file_id, line_no, dedup, ts, source, event) VALUES (1, 2, x'02', 'yesterday', 'siem_v2', 'receipt')")
        try PostgresTestServer.with { server in
            let pg = try server.connect()
            #expect { try PostgresCopier.copy(from: sqlite, to: pg) } throws: { error in
                (error as? PostgresError)?.kind == .copy && "\(error)".contains("bigint")
            }
            let tables = try pg.rows("SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = 'public'").first?.int("n")
            #expect(tables == 0)

            try sqlite.run("DELETE FROM mail_message WHERE line_no = 2")
            let other = try server.connect(applicationName: "other-writer")
            try PostgresWriterLock.acquire(other)
            #expect { try PostgresCopier.copy(from: sqlite, to: pg) } throws: { error in
                (error as? PostgresError)?.kind == .locked && "\(error)".contains("other-writer")
            }
            try PostgresWriterLock.release(other)
            let copied = try PostgresCopier.copy(from: sqlite, to: pg)
            let messages = copied.first { $0.table == "mail_message" }
            #expect(messages?.rows == 1)
            #expect(messages?.nulReplaced == ["subject": 1])
            let row = try pg.rows("SELECT encode(dedup, 'hex') AS key, subject, extra FROM mail_message").first
            #expect(row?.text("key") == "01")
            #expect(row?.text("subject") == "before\u{FFFD}after")
            // A JSON escape is text, kept as written.
            #expect(row?.text("extra") == #"{"note":"x\u0000y"}"#)
        }
    }
}
