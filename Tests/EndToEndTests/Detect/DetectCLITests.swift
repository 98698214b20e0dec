import Foundation
import MailScopeKit
import Testing

/// `mailscope detect` and `mailscope rules` on the scenario, against its ground truth.
@Suite struct DetectCLITests {
    /// The whole catalog on the scenario finds exactly the planted attacks (and the vendor
    /// verdicts on the benign day that the ground truth lists), and nothing on benign mail.
    @Test func catalogFindsExactlyTheGroundTruthAndRerunsAddNothing() throws {
        let truth = try GroundTruth.scenario()
        let scenario = try ScenarioRun.copy()
        let db = scenario.db
        #expect(scenario.result.stderr.contains("watch list vip: 10 people"))
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
