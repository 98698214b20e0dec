import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// `mailscope detect --db postgresql://…`: the rules, the look-alike and threat-intel tables and
/// the incidents run on PostgreSQL through the same library code (`Database(engine:)`) and give
/// what they give on SQLite: the same findings, incidents and report, byte for byte.
@Suite(.serialized) struct PostgresDetectTests {
    /// `table`'s rows as sorted canonical strings, `columns` only.
    static func rows(_ db: Database, _ table: String, _ columns: [String]) throws -> [String] {
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        return try db.rows("SELECT \(list) FROM \(table)").map { row in columns.map { row[$0].description }.joined(separator: "|") }.sorted()
    }

    @Test func detectionOnPostgreSQLFindsWhatItFindsOnSQLite() throws {
        let loaded = try ScenarioDatabase.loaded.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgdetect-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlitePath = folder.appendingPathComponent("case.db").path
        try FileManager.default.copyItem(atPath: loaded, toPath: sqlitePath)
        var settings = DetectionSettings()
        settings.watchLists = ["vip=" + ScenarioDatabase.root.appendingPathComponent("fixtures/scenario/watch-vip.txt").path]
        try PostgresTestServer.with { server in
            try PostgresCopier.copy(from: try Database.openForReading(path: loaded), to: try server.connect())
            let onSQLite = try Job(command: "mailscope detect").detect(database: sqlitePath, settings: settings, since: nil, until: nil)
            let store = try PostgresStore.openForWriting(server.conninfo, application: "mailscope detect (test)")
            let job = Job(command: "mailscope detect")
            job.openDatabase = store.database
            let onPostgres = try job.detect(database: server.conninfo, settings: settings, since: nil, until: nil)
            #expect(onPostgres.outcomes.map { "\($0.ruleID) \($0.found) \($0.new)" } == onSQLite.outcomes.map { "\($0.ruleID) \($0.found) \($0.new)" })
            #expect(onSQLite.found > 100)
            #expect(onPostgres.incidents.description == onSQLite.incidents.description)

            let sqlite = try Database.openForReading(path: sqlitePath)
            let pg = Database(engine: PostgresEngine(try server.connect()))
            let findingColumns = ["id", "rule_id", "rule_version", "kind", "severity", "stage", "ts", "user", "sender", "message_id", "subject",
                                  "indicator", "summary", "evidence_table", "evidence_rowid", "host", "related_table", "related_rowid", "match_key", "match_strength"]
            #expect(try Self.rows(pg, "finding", findingColumns) == Self.rows(sqlite, "finding", findingColumns))
            for table in ["incident", "incident_finding", "incident_user", "incident_host", "incident_message", "incident_indicator",
                          "incident_technique", "incident_note", "incident_key", "incident_delivery", "domain_lookalike", "own_domain", "watch_list"] {
                let columns = try sqlite.rows("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)]).compactMap { $0.text("name") }
                    .filter { !["created_at", "updated_at", "built_at", "detected_at", "loaded_at"].contains($0) }
                #expect(try Self.rows(pg, table, columns) == Self.rows(sqlite, table, columns), "\(table) differs")
            }

            // The report of each detection, every format but the PDF, is the same bytes.
            setenv("SOURCE_DATE_EPOCH", "1793664000", 1)
            var report = ReportSettings()
            report.formats = ReportWriter.Format.allCases.filter { $0 != .pdf }
            let a = folder.appendingPathComponent("sqlite").path, b = folder.appendingPathComponent("postgres").path
            let written = try Job.report(database: sqlitePath, out: a, ruleFolder: nil, settings: report)
            _ = try Job.report(out: b, ruleFolder: nil, settings: report) { try PostgresReader.open(server.conninfo, application: "test") }
            for file in written {
                let name = (file as NSString).lastPathComponent
                #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(contentsOf: URL(fileURLWithPath: b + "/" + name)), "\(name) differs")
            }
            withExtendedLifetime(store) {}
        }
    }

    @Test func aSecondWriterIsRefusedNamingTheFirst() throws {
        let loaded = try ScenarioDatabase.loaded.get()
        try PostgresTestServer.with { server in
            try PostgresCopier.copy(from: try Database.openForReading(path: loaded), to: try server.connect())
            let first = try PostgresStore.openForWriting(server.conninfo, application: "mailscope detect (first)")
            #expect { try PostgresStore.openForWriting(server.conninfo, application: "mailscope detect (second)") } throws: { error in
                (error as? PostgresError)?.kind == .locked && (error as? PostgresError)?.exitCode == 4 && "\(error)".contains("mailscope detect (first)")
            }
            withExtendedLifetime(first) {}
        }
    }
}
