import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// `mailscope run --db postgresql://…` into an empty database: the whole job (ingest, identity
/// map, detection, incidents, reports) through the same library code as on SQLite, and the same
/// findings, incidents and report bytes. A second night over the same exports adds nothing.
@Suite(.serialized) struct PostgresRunTests {
    static let fixtures = ScenarioDatabase.root.appendingPathComponent("fixtures/scenario").path

    static func settings(database: String, out: String) -> Job.RunSettings {
        var s = Job.RunSettings(inputs: ["siem_v2", "siem_v1", "ttp", "edr"].map { fixtures + "/" + $0 }, database: database, out: out)
        s.identities = [fixtures + "/identities.csv"]
        s.detection.watchLists = ["vip=" + fixtures + "/watch-vip.txt"]
        s.report.formats = ReportWriter.Format.allCases.filter { $0 != .pdf }
        return s
    }

    @Test func theWholeRunOnPostgreSQLWritesTheReportsOfTheSQLiteRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgrun-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        setenv("SOURCE_DATE_EPOCH", "1793664000", 1)
        let sqlitePath = folder.appendingPathComponent("case.db").path
        let onSQLite = try Job(command: "mailscope run").run(Self.settings(database: sqlitePath, out: folder.appendingPathComponent("sqlite").path))
        try PostgresTestServer.with { server in
            let out = folder.appendingPathComponent("postgres").path
            let store = try PostgresStore.openForWriting(server.conninfo, application: "mailscope run (test)", create: true)
            let job = Job(command: "mailscope run")
            job.openDatabase = store.database
            let onPostgres = try job.run(Self.settings(database: server.conninfo, out: out))
            #expect(onPostgres.ingest.files.map(\.rows) == onSQLite.ingest.files.map(\.rows))
            #expect(onPostgres.ingest.files.map(\.duplicates) == onSQLite.ingest.files.map(\.duplicates))
            #expect(onPostgres.detection.found == onSQLite.detection.found && onSQLite.detection.found > 100)
            #expect(onPostgres.detection.incidents.description == onSQLite.detection.incidents.description)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("sqlite").path).sorted()
            #expect(names.contains("report.json") && names.contains("ingest-summary.json"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == names)
            for name in names {
                let a = try Data(contentsOf: folder.appendingPathComponent("sqlite/" + name))
                let b = try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))
                #expect(a == b, "\(name) differs between the SQLite and the PostgreSQL run")
            }
            // Every event in its month's partition, none left in a default partition.
            let pg = try server.connect()
            let stray = try pg.rows("""
                SELECT COALESCE(SUM(n), 0) AS n FROM (SELECT COUNT(*) AS n FROM mail_message_default UNION ALL SELECT COUNT(*) FROM edr_event_default
                UNION ALL SELECT COUNT(*) FROM url_click_default) AS parts
                """).first?.int("n")
            #expect(stray == 0)

            // A second night over the same exports: every file already loaded, no new finding, no new row.
            let counts = "SELECT (SELECT COUNT(*) FROM mail_message) AS messages, (SELECT COUNT(*) FROM finding) AS findings, (SELECT COUNT(*) FROM incident) AS incidents"
            let before = try pg.rows(counts).first.map { [$0.int("messages"), $0.int("findings"), $0.int("incidents")] }
            let again = try job.run(Self.settings(database: server.conninfo, out: folder.appendingPathComponent("again").path))
            #expect(again.ingest.files.allSatisfy { $0.status == .alreadyLoaded || $0.rows == 0 })
            #expect(again.detection.new == 0)
            #expect(try pg.rows(counts).first.map { [$0.int("messages"), $0.int("findings"), $0.int("incidents")] } == before)
            withExtendedLifetime(store) {}
        }
    }

    @Test func badAndHostileInputsAreRejectedAsOnSQLite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgbad-\(UUID().uuidString.prefix(8))")
        let bad = folder.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A JSON \u0000 escape, markup, a line that is not JSON, and binary bytes.
        try Data(#"{"aggregateId":"x","processingId":"p1","timestamp":"2026-11-02T10:00:00Z","subject":"hi \u0000 '; DROP TABLE finding; -- <script>","type":"receipt"}"#.utf8
                 + Data("\nnot json at all\n".utf8) + Data([0, 1, 0x62, 0x69, 0x6e, 0x0a]))
            .write(to: bad.appendingPathComponent("siem_bad.json"))
        let inputs = [bad.path, ScenarioDatabase.root.appendingPathComponent("fixtures/mimecast").path,
                      ScenarioDatabase.root.appendingPathComponent("fixtures/edr").path]
        let onSQLite = try Job(command: "mailscope ingest").ingest(inputs, database: folder.appendingPathComponent("case.db").path, options: IngestOptions())
        try PostgresTestServer.with { server in
            let store = try PostgresStore.openForWriting(server.conninfo, application: "mailscope ingest (test)", create: true)
            let job = Job(command: "mailscope ingest")
            job.openDatabase = store.database
            let onPostgres = try job.ingest(inputs, database: server.conninfo, options: IngestOptions())
            #expect(onPostgres.files.map(\.status) == onSQLite.files.map(\.status))
            #expect(onPostgres.files.map(\.rows) == onSQLite.files.map(\.rows))
            #expect(onPostgres.files.map(\.rejectsByReason) == onSQLite.files.map(\.rejectsByReason))
            #expect(onSQLite.files.reduce(0) { $0 + $1.rejected } >= 5)
            let pg = try server.connect()
            let subject = try pg.rows("SELECT subject FROM mail_message WHERE subject LIKE 'hi %'").first?.text("subject")
            #expect(subject == "hi \u{FFFD} '; DROP TABLE finding; -- <script>")
            #expect(try pg.rows("SELECT to_regclass('finding') IS NOT NULL AS present").first?.bool("present") == true)
            withExtendedLifetime(store) {}
        }
    }
}
