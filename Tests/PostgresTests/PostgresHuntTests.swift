import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// `mailscope hunt --db postgresql://…`: every saved hunt returns the rows it returns on the
/// SQLite file; a user's own SQL is read as MailScope's SQL; a hunt cannot write, run two
/// statements or run past its timeout, and hostile text stays data.
@Suite(.serialized) struct PostgresHuntTests {
    @Test func everySavedHuntReturnsTheSameRowsOnBothStores() throws {
        let path = try ScenarioDatabase.path.get()
        let sqlite = try Database.openForReading(path: path)
        let hunts = try RuleCatalog.load(userDirectory: nil).rules.filter { $0.kind == .hunt }
        #expect(hunts.count >= 5)
        try PostgresTestServer.with { server in
            try PostgresCopier.copy(from: sqlite, to: try server.connect())
            let pg = try PostgresReader.connect(server.conninfo, application: "test")
            var nonEmpty = 0
            for hunt in hunts {
                // A hunt's text parameters are examples to be given; the scenario's own values make rows.
                var given = hunt.params.filter { $0.value.stringValue != nil }
                if given["domain"] != nil { given["domain"] = .text("acme-c0rp-secure.com") }
                let expected = try Hunt.run(hunt, named: hunt.id, on: sqlite, parameters: given, since: nil, until: nil)
                let actual = try PostgresHunt.run(hunt, named: hunt.id, parameters: given, since: nil, until: nil, on: pg)
                #expect(actual.columns == expected.columns, "\(hunt.id)")
                #expect(actual.rows.map(\.description).sorted() == expected.rows.map(\.description).sorted(), "\(hunt.id): the rows differ")
                if !expected.rows.isEmpty { nonEmpty += 1 }
            }
            #expect(nonEmpty >= 3, "too few hunts found anything in the scenario for the comparison to mean much")
        }
    }

    @Test func ownSQLIsReadOnlyOneStatementAndTimed() throws {
        let path = try ScenarioDatabase.path.get()
        try PostgresTestServer.with { server in
            try PostgresCopier.copy(from: try Database.openForReading(path: path), to: try server.connect())
            let pg = try PostgresReader.connect(server.conninfo, application: "test")
            func run(_ sql: String, _ parameters: [String: SQLValue] = [:], timeout: Int = 30) throws -> Hunt.Result {
                try PostgresHunt.run(mailScopeSQL: sql, source: "hunt.sql", parameters: parameters, on: pg, timeoutSeconds: timeout)
            }
            // MailScope's SQL: `user` is the column, LIKE ignores case, :name parameters bound.
            let sql = "SELECT user, COUNT(*) AS n FROM url_click WHERE user LIKE :pattern GROUP BY user ORDER BY n DESC, user"
            let rows = try run(sql, ["pattern": .text("%ACME-CORP%")])
            #expect(rows.columns == ["user", "n"])
            #expect(!rows.rows.isEmpty)
            let sqliteRows = try Hunt.run(sql: sql, source: "hunt.sql", on: try Database.openForReading(path: path), parameters: ["pattern": .text("%ACME-CORP%")])
            #expect(rows == sqliteRows)
            // Hostile text is a value, never SQL.
            #expect(try run("SELECT COUNT(*) AS n FROM url_click WHERE user = :user", ["user": .text("x'; DROP TABLE url_click; --")]).rows == [[.integer(0)]])
            #expect(throws: Hunt.Error.writes) { try run("DELETE FROM url_click") }
            #expect(throws: Hunt.Error.writes) { try run("WITH gone AS (DELETE FROM finding RETURNING id) SELECT COUNT(*) FROM gone") }
            #expect { try run("SELECT 1; SELECT 2") } throws: { error in
                if case .moreThanOneStatement = error as? Hunt.Error { return true } else { return false }
            }
            #expect { try run("SELECT pg_sleep(5)", timeout: 1) } throws: { error in
                "\(error)".contains("stopped after 1 s")
            }
            #expect { try run("SELECT julianday(ts) FROM url_click") } throws: { error in
                if case .doesNotPrepare(_, let message, 1, 8, _) = error as? Hunt.Error { return message.contains("julianday") } else { return false }
            }
            #expect(throws: Hunt.Error.noSQL) { try run(" ;\n") }
            // Nothing was changed, and the connection is usable after each refusal.
            let counts = try pg.rows("SELECT (SELECT COUNT(*) FROM url_click) AS clicks, (SELECT COUNT(*) FROM finding) AS findings").first
            #expect((counts?.int("clicks") ?? 0) > 0 && (counts?.int("findings") ?? 0) > 0)
        }
    }
}
