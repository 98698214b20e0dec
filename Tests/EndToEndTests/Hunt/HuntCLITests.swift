import Foundation
import MailScopeKit
import Testing

/// `mailscope hunt`, saved and ad hoc, on a copy of the scenario's standard run.
@Suite struct HuntCLITests {
    static func loadedDB() throws -> String { try ScenarioRun.copy().db }

    @Test func savedHuntAnswersWithItsParameter() throws {
        let db = try Self.loadedDB()
        let list = try CLI.run(["hunt", "--db", db])
        #expect(list.stdout.contains("clicks-on-domain"))
        let clicks = try CLI.run(["hunt", "clicks-on-domain", "--param", "domain=acme-c0rp-secure.com", "--db", db, "--format", "json"])
        #expect(clicks.status == 0, "\(clicks.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(clicks.stdout.utf8)) as? [[String: Any]]
        let users = Set((rows ?? []).compactMap { $0["user"] as? String })
        #expect(users == ["lisa.campbell@acme-corp.example", "nadia.petrova@acme-corp.example", "priya.raman@acme-corp.example", "stephanie.sanchez@acme-corp.example"])
        let unknown = try CLI.run(["hunt", "clicks-on-domain", "--param", "colour=red", "--param", "domain=x.example", "--db", db])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no parameter colour"))
        // What to look for must be said: the default is only an example.
        let bare = try CLI.run(["hunt", "clicks-on-domain", "--db", db])
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("hunt clicks-on-domain needs --param domain=…, e.g. --param domain=acme-c0rp-secure.com"), "\(bare.stderr)")
        // Limits have real defaults; a Message-ID may keep its angle brackets.
        #expect(try CLI.run(["hunt", "top-blocked-senders", "--db", db]).status == 0)
        let message = try CLI.run(["hunt", "message", "--param", "message_id=<pw-1@acme-c0rp.example>", "--db", db, "--format", "csv"])
        #expect(message.status == 0, "\(message.stderr)")
    }

    @Test func adHocSQLIsReadOnlyAndCSVIsFormulaSafe() throws {
        let db = try Self.loadedDB()
        let write = try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "DELETE FROM url_click")
        #expect(write.status == 1)
        #expect(write.stderr.contains("hunts only read"))
        let formula = try CLI.run(["hunt", "--sql", "-", "--db", db, "--format", "csv"], stdin: "SELECT '=HYPERLINK(\"http://x\")' AS cell, 'a,b' AS two")
        #expect(formula.status == 0)
        #expect(formula.stdout == "cell,two\r\n\"'=HYPERLINK(\"\"http://x\"\")\",\"a,b\"\r\n")
        let bad = try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "SELECT nope FROM nowhere")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("no such table: nowhere"))
        // A mistake is pointed at: line and column in the SQL, the line itself and a caret.
        let typo = try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "SELECT user,\n       COUNT(*)\nFROM url_click\nGROUP BY usr")
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("<stdin>:4:10: the SQL does not run: no such column: usr"), "\(typo.stderr)")
        #expect(typo.stderr.contains("  GROUP BY usr\n           ^"), "\(typo.stderr)")
        // A second statement is refused, not silently dropped; empty input is said to be empty.
        let two = try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "SELECT 1; DELETE FROM finding")
        #expect(two.status == 1)
        #expect(two.stderr.contains("hunts run one statement; remove what follows the first one: DELETE FROM finding"), "\(two.stderr)")
        #expect(try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "SELECT 1; -- a comment\n").status == 0)
        let empty = try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "  \n")
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("no SQL given"))
        // Even a statement SQLite would run is refused on the read-only connection.
        let attach = try CLI.run(["hunt", "--sql", "-", "--db", db], stdin: "PRAGMA user_version = 99")
        #expect(attach.status == 1)
        #expect(try Database(path: db, mode: .readOnly).userVersion == Schema.currentVersion)
    }

    @Test func savedHuntsAndAdHocSQLTakeATimeWindow() throws {
        let db = try Self.loadedDB()
        func users(_ extra: [String]) throws -> Int {
            let r = try CLI.run(["hunt", "clicks-on-domain", "--param", "domain=acme-c0rp-secure.com", "--db", db, "--format", "json"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.count ?? -1
        }
        let all = try users([])
        #expect(all > 0)
        #expect(try users(["--since", "2026-11-03"]) == 0)
        #expect(try users(["--until", "2026-11-01"]) == 0)
        #expect(try users(["--since", "2026-11-02", "--until", "2026-11-02T23:59:59Z"]) == all)
        let sql = try CLI.run(["hunt", "--sql", "-", "--db", db, "--since", "2026-11-03", "--format", "csv"], stdin: "SELECT COUNT(*) AS n FROM url_click WHERE ts >= :since")
        #expect(sql.stdout == "n\r\n0\r\n")
        let badTime = try CLI.run(["hunt", "--db", db, "--since", "yesterday"])
        #expect(badTime.status == 1)
    }
}
