import Foundation
import MailScopeKit
import Testing

/// `mailscope detect` and `mailscope rules` on the scenario, against its ground truth.
@Suite struct DetectCLITests {
    struct Truth: Decodable {
        /// Rule id → the distinct users a correct catalog names; no other rule may fire.
        var expected_findings: [String: [String]]
    }

    static let scenarioRunInputs = ["--input", "fixtures/scenario/siem_v2", "--input", "fixtures/scenario/siem_v1",
                                    "--input", "fixtures/scenario/ttp", "--input", "fixtures/scenario/edr",
                                    "--identities", "fixtures/scenario/identities.csv",
                                    "--watch-list", "vip=fixtures/scenario/watch-vip.txt"]

    /// The whole catalog on the scenario finds exactly the planted attacks (and the vendor
    /// verdicts on the benign day that the ground truth lists), and nothing on benign mail.
    @Test func catalogFindsExactlyTheGroundTruthAndRerunsAddNothing() throws {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: CLI.root.appendingPathComponent("fixtures/scenario/ground-truth.json")))
        let dir = CLI.scratch()
        let db = dir + "/case.db"
        let run = try CLI.run(["run"] + Self.scenarioRunInputs + ["--db", db, "--out", dir + "/out"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("watch list vip: 10 people"))
        let database = try Database(path: db, mode: .readOnly)
        var found: [String: [String]] = [:]
        for row in try database.query("SELECT rule_id, user FROM finding GROUP BY rule_id, user ORDER BY rule_id, user") {
            found[row[0].stringValue ?? "", default: []].append(row[1].stringValue ?? "(no user)")
        }
        for rule in Set(found.keys).union(truth.expected_findings.keys).sorted() {
            let expected = truth.expected_findings[rule] ?? []
            let actual = found[rule] ?? []
            #expect(actual == expected, "\(rule): missing \(Set(expected).subtracting(actual).sorted()), unexpected \(Set(actual).subtracting(expected).sorted())")
        }
        // Every finding leads back to a stored row, and so to a file and line.
        for table in try database.query("SELECT DISTINCT evidence_table FROM finding").compactMap({ $0.first?.stringValue }) {
            #expect(["url_click", "attachment_scan", "impersonation", "mail_event", "mail_message", "edr_event"].contains(table))
            let orphans = try database.scalar("SELECT COUNT(*) FROM finding f WHERE f.evidence_table = ? AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.id = f.evidence_rowid)", [.text(table)])
            #expect(orphans?.intValue == 0, "findings pointing at missing \(table) rows")
        }
        let before = try database.scalar("SELECT COUNT(*) FROM finding")?.intValue
        let again = try CLI.run(["detect", "--db", db, "--watch-list", "vip=fixtures/scenario/watch-vip.txt"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains(" findings, 0 new\n"))
        #expect(try database.scalar("SELECT COUNT(*) FROM finding")?.intValue == before)
    }

    @Test func aBadWatchListStopsTheRunBeforeItLoadsAnything() throws {
        let dir = CLI.scratch()
        try Data("email\ndana.whitfield@acme-corp.example\nnot-an-address\n".utf8).write(to: URL(fileURLWithPath: dir + "/vip.txt"))
        let r = try CLI.run(["run", "--input", "fixtures/scenario/ttp", "--db", dir + "/case.db", "--out", dir + "/out", "--watch-list", "vip=\(dir)/vip.txt"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir)/vip.txt:3: \"not-an-address\" is not an email address"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/case.db"))
        let noName = try CLI.run(["detect", "--db", dir + "/case.db", "--watch-list", "vip.txt"])
        #expect(noName.status == 1)
        #expect(noName.stderr.contains("expected NAME=FILE"))
    }

    @Test func rulesValidateAndTestPassAndABadUserRuleFailsLoudly() throws {
        let validate = try CLI.run(["rules", "validate"])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("0 problems"))
        let test = try CLI.run(["rules", "test"])
        #expect(test.status == 0, "\(test.stdout)")
        #expect(test.stdout.contains("0 failed"))
        let dir = CLI.scratch()
        try Data("id: XX-BAD-001\ntitle: t\nversion: 1\nkind: detection\nseverity: low\nattack: [T1566]\nstage: delivery\ndescription: d\ntriage: t\nsql: SELECT 1 AS ts\n".utf8)
            .write(to: URL(fileURLWithPath: dir + "/bad.yml"))
        let bad = try CLI.run(["rules", "validate", "--rules", dir])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains(dir + "/bad.yml: sql must return a column named user"))
    }
}

@Suite struct HuntCLITests {
    static func loadedDB() throws -> String {
        let db = CLI.scratch() + "/case.db"
        let r = try CLI.run(["ingest"] + IngestCLITests.scenarioInputs + ["--db", db])
        #expect(r.status == 0)
        return db
    }

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
