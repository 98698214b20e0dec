import Foundation
import Testing
@testable import MailScopeKit

/// The rule format, its validation, the bundled catalog's own examples, and the runner.
@Suite struct RuleTests {
    static let minimal = """
    id: XX-TEST-001
    title: test rule
    version: 1
    kind: detection
    severity: low
    attack: [T1566.002]
    stage: interaction
    description: d
    triage: t
    sql: |
      SELECT ts, user, 'clicked' AS summary, 'url_click' AS evidence_table, id AS evidence_rowid FROM url_click WHERE ts BETWEEN :since AND :until
    """

    /// Every bundled rule finds something in its positive examples and nothing in its negative ones.
    @Test(arguments: (try? RuleCatalog.bundled().rules) ?? [])
    func bundledRulePassesItsOwnExamples(_ rule: Rule) {
        let result = RuleExamples.test(rule, catalog: (try? RuleCatalog.bundled().rules) ?? [])
        #expect(result.passed, "\(result.problem ?? "")")
        #expect(result.positiveFindings > 0)
        #expect(result.negativeFindings == 0)
    }

    @Test func bundledCatalogValidates() throws {
        let catalog = try RuleCatalog.bundled()
        #expect(catalog.rules.count >= 4)
        let db = try Database(path: TestPaths.scratch() + "/v.db")
        #expect(catalog.validate(in: db).map(\.description) == [])
        // The compiled-in copy is exactly the files in Resources/rules.
        for file in BundledRules.files {
            let onDisk = try String(contentsOfFile: TestPaths.root.appendingPathComponent("Sources/MailScopeKit/Resources/rules/" + file.name).path, encoding: .utf8)
            #expect(onDisk == file.text, "\(file.name): run scripts/bundle-rules")
        }
    }

    @Test func unknownFieldsAreRejected() {
        do {
            _ = try Rule(yaml: Self.minimal + "\ncolour: red\n", source: "x.yml")
            Issue.record("accepted an unknown field")
        } catch {
            #expect(error.description.contains("x.yml: unknown field \"colour\""))
        }
    }

    @Test(arguments: [
        ("id: XX-TEST-001", "id: lowercase-id", "id: must look like"),
        ("kind: detection", "kind: magic", "kind: one of"),
        ("severity: low", "severity: dire", "severity: one of"),
        ("attack: [T1566.002]", "attack: [T1566.009]", "T1566.009 is not a valid ATT&CK technique id"),
        ("attack: [T1566.002]", "attack: []", "attack: at least one"),
        ("stage: interaction", "stage: everywhere", "stage: one of"),
        ("version: 1", "version: one", "version: a whole number"),
        ("kind: detection", "kind: duet", "question: required"),
    ])
    func badFieldsNameTheProblem(from: String, to: String, message: String) {
        do {
            _ = try Rule(yaml: Self.minimal.replacingOccurrences(of: from, with: to), source: "bad.yml")
            Issue.record("accepted \(to)")
        } catch {
            #expect(error.description.hasPrefix("bad.yml: "))
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test(arguments: [
        ("SELECT ts, user, 'x' AS summary, 'url_click' AS evidence_table, id AS evidence_rowid FROM nowhere", "does not prepare"),
        ("SELECT ts, user, 'x' AS summary, 'url_click' AS evidence_table FROM url_click", "must return a column named evidence_rowid"),
        ("SELECT ts, user, 'x' AS summary, 'url_click' AS evidence_table, id AS evidence_rowid, 1 AS bonus FROM url_click", "unknown column bonus"),
        ("SELECT ts, user, 'x' AS summary, 'url_click' AS evidence_table, id AS evidence_rowid FROM url_click WHERE ts > :window_ms", "params has no default"),
        ("SELECT ts, user, 'x' AS summary, 'url_click' AS evidence_table, id AS evidence_rowid FROM url_click WHERE ts > ?", "must be named"),
        ("DELETE FROM url_click", "must only read"),
    ])
    func badSQLIsALoudError(sql: String, message: String) throws {
        let yaml = Self.minimal.components(separatedBy: "sql: |")[0] + "sql: |\n  " + sql + "\n"
        let rule = try Rule(yaml: yaml, source: "bad.yml")
        let db = try Database(path: TestPaths.scratch() + "/v.db")
        do {
            try rule.checkSQL(in: db)
            Issue.record("accepted \(sql)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func userRulesJoinTheCatalogAndIdsMustBeUnique() throws {
        let dir = TestPaths.scratch()
        try Array(Self.minimal.utf8).write(to: dir + "/mine.yml")
        let catalog = try RuleCatalog.load(userDirectory: dir)
        #expect(catalog.rules.contains { $0.id == "XX-TEST-001" && $0.source.hasSuffix("mine.yml") })
        try Array(Self.minimal.utf8).write(to: dir + "/copy.yaml")
        #expect(throws: Rule.Error.self) { try RuleCatalog.load(userDirectory: dir) }
        #expect(throws: Rule.Error.self) { try RuleCatalog.load(userDirectory: dir + "/missing") }
    }

    @Test func optInRulesRunOnlyWhenEnabled() throws {
        let optIn = try Rule(yaml: Self.minimal.replacingOccurrences(of: "kind: detection", with: "kind: opt-in"), source: "o.yml")
        let catalog = try RuleCatalog(files: [("o.yml", Self.minimal.replacingOccurrences(of: "kind: detection", with: "kind: opt-in"))])
        #expect(!optIn.enabledByDefault)
        #expect(catalog.enabled([]).isEmpty)
        #expect(catalog.enabled(["XX-TEST-001"]).map(\.id) == ["XX-TEST-001"])
    }

    @Test func rerunningDetectionAddsNoDuplicateFindingsAndHonoursTheWindow() throws {
        let loaded = try LoadedDatabase([TestPaths.fixture("mimecast/ttp_url_logs.json")])
        let rule = try Rule(yaml: Self.minimal, source: "t.yml")
        let first = try RuleRunner(db: loaded.db).run([rule])
        #expect(first.first?.found == 3)
        #expect(first.first?.new == 3)
        let again = try RuleRunner(db: loaded.db).run([rule])
        #expect(again.first?.new == 0)
        #expect(try loaded.count("finding") == 3)
        var windowed = RuleRunner(db: loaded.db)
        windowed.since = 1_793_610_000_000
        windowed.until = 1_793_612_000_000
        #expect(try windowed.run([rule]).first?.found == 2)
        let finding = try #require(try loaded.rows("SELECT * FROM finding ORDER BY ts").first)
        #expect(finding.text("rule_id") == "XX-TEST-001")
        #expect(finding.int("rule_version") == 1)
        #expect(finding.text("rule_sha256")?.count == 64)
        #expect(finding.text("evidence_table") == "url_click")
    }

    /// Findings are written in evidence order and keep the lowest-numbered of several related
    /// rows, whatever order the rule's query returns them in (it follows the plan SQLite picks).
    @Test func findingsFollowEvidenceOrderNotThePlan() throws {
        let loaded = try LoadedDatabase([TestPaths.fixture("mimecast/ttp_url_logs.json")])
        let ids = try loaded.rows("SELECT id FROM url_click ORDER BY id").compactMap { $0.int("id") }
        #expect(ids.count == 3)
        // Every click with every click as its related row, newest evidence and highest related row first.
        let reversed = Self.minimal.replacingOccurrences(of: "kind: detection", with: "kind: correlation").replacingOccurrences(
            of: "SELECT ts, user, 'clicked' AS summary, 'url_click' AS evidence_table, id AS evidence_rowid FROM url_click WHERE ts BETWEEN :since AND :until",
            with: "SELECT c.ts, c.user, 'clicked' AS summary, 'url_click' AS evidence_table, c.id AS evidence_rowid, 'ws-1' AS host, 'url_click' AS related_table, r.id AS related_rowid, 'url' AS match_key, 'strong' AS match_strength FROM url_click c CROSS JOIN url_click r WHERE c.ts BETWEEN :since AND :until ORDER BY c.id DESC, r.id DESC")
        #expect(reversed != Self.minimal)
        let rule = try Rule(yaml: reversed, source: "r.yml")
        #expect(try RuleRunner(db: loaded.db).run([rule]).first?.found == 9)
        let findings = try loaded.rows("SELECT evidence_rowid, related_rowid FROM finding ORDER BY id")
        #expect(findings.compactMap { $0.int("evidence_rowid") } == ids)
        #expect(findings.compactMap { $0.int("related_rowid") } == Array(repeating: ids[0], count: 3))
    }
}

extension Rule: CustomTestStringConvertible {
    public var testDescription: String { id }
}
