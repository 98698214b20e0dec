import Foundation
import MailScopeKit
import Testing

/// `mailscope detect` and `mailscope rules` on the scenario, against its ground truth.
@Suite struct DetectCLITests {
    struct Truth: Decodable {
        var attacks: [Attack]
        struct Attack: Decodable {
            var id: String
            var delivered_recipients: [String]
        }
    }

    @Test func vendorRulesFindThePlantedAttacksRecipientsAndRerunsAddNothing() throws {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: CLI.root.appendingPathComponent("fixtures/scenario/ground-truth.json")))
        let db = CLI.scratch() + "/case.db"
        let ingest = try CLI.run(["ingest"] + IngestCLITests.scenarioInputs + ["--db", db])
        #expect(ingest.status == 0)
        let detect = try CLI.run(["detect", "--db", db])
        #expect(detect.status == 0, "\(detect.stderr)")
        #expect(detect.stdout.contains("MS-ATT-001"))
        let database = try Database(path: db, mode: .readOnly)
        func users(_ rule: String) throws -> [String] {
            try database.query("SELECT DISTINCT user FROM finding WHERE rule_id = ? ORDER BY user", [.text(rule)]).compactMap { $0.first?.stringValue }
        }
        let attachment = try #require(truth.attacks.first { $0.id == "malicious-attachment" })
        #expect(try users("MS-ATT-001") == attachment.delivered_recipients.sorted())
        let bec = try #require(truth.attacks.first { $0.id == "bec-impersonation" })
        #expect(try users("MS-IMP-001") == bec.delivered_recipients.sorted())
        // Every finding leads back to a stored row, and so to a file and line.
        for table in try database.query("SELECT DISTINCT evidence_table FROM finding").compactMap({ $0.first?.stringValue }) {
            #expect(["url_click", "attachment_scan", "impersonation", "mail_event", "mail_message", "edr_event"].contains(table))
            let orphans = try database.scalar("SELECT COUNT(*) FROM finding f WHERE f.evidence_table = ? AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.id = f.evidence_rowid)", [.text(table)])
            #expect(orphans?.intValue == 0, "findings pointing at missing \(table) rows")
        }
        let again = try CLI.run(["detect", "--db", db])
        #expect(again.stdout.contains(" 0 new\n") || again.stdout.hasSuffix(" 0 new\n"))
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
        let unknown = try CLI.run(["hunt", "clicks-on-domain", "--param", "colour=red", "--db", db])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no parameter colour"))
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
    }
}
