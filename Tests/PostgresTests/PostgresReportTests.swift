import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// `mailscope report --db postgresql://…`: the report code reads a PostgreSQL copy of the
/// scenario through `PostgresReader.open` (the engine, in a READ ONLY snapshot) and writes the same bytes as from the SQLite file, every
/// format; a database without MailScope data, or of another schema version, is refused.
@Suite(.serialized) struct PostgresReportTests {
    @Test func theReportFromPostgreSQLIsTheReportFromSQLite() throws {
        let path = try ScenarioDatabase.path.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgreport-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = ReportSettings()
        settings.formats = ReportWriter.Format.allCases.filter { $0 != .pdf }
        let fromSQLite = folder.appendingPathComponent("sqlite").path, fromPostgres = folder.appendingPathComponent("postgres").path
        setenv("SOURCE_DATE_EPOCH", "1793664000", 1)
        let written = try Job.report(database: path, out: fromSQLite, ruleFolder: nil, settings: settings)
        try PostgresTestServer.with { server in
            try PostgresCopier.copy(from: try Database.openForReading(path: path), to: try server.connect())
            let same = try Job.report(out: fromPostgres, ruleFolder: nil, settings: settings) {
                try PostgresReader.open(server.conninfo, application: "mailscope report (test)")
            }
            #expect(same.map { ($0 as NSString).lastPathComponent } == written.map { ($0 as NSString).lastPathComponent })
            #expect(written.count >= 6)
            for file in written {
                let name = (file as NSString).lastPathComponent
                let a = try Data(contentsOf: URL(fileURLWithPath: file))
                let b = try Data(contentsOf: URL(fileURLWithPath: fromPostgres + "/" + name))
                #expect(a == b, "\(name) differs between the SQLite and the PostgreSQL report")
            }
            // The report has something to compare: incidents with their findings.
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fromPostgres + "/report.json"))) as? [String: Any]
            #expect(((json?["incidents"] as? [Any])?.count ?? 0) > 3)
        }
    }

    @Test func aDatabaseWithoutMailScopeDataIsRefused() throws {
        try PostgresTestServer.with { server in
            #expect { try PostgresReader.open(server.conninfo, application: "test") } throws: { error in
                (error as? PostgresError)?.kind == .refused && "\(error)".contains("mailscope db copy")
            }
            let db = try server.connect()
            try db.execute("CREATE TABLE mailscope_schema (version integer NOT NULL, copied_from text, created_at bigint NOT NULL)")
            try db.execute("INSERT INTO mailscope_schema VALUES (1, 'old.db', 0)")
            #expect { try PostgresReader.open(server.conninfo, application: "test") } throws: { error in
                "\(error)".contains("schema version 1, this mailscope reads \(Schema.currentVersion)")
            }
        }
    }
}
