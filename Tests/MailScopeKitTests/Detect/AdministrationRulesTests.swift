import Foundation
import Testing
@testable import MailScopeKit

/// The bundled rules on the administration and release logs (MS-ADM-*, MS-DLP-001, MS-REL-*)
/// on the committed fixtures, beyond what their own examples show: which message a release
/// finding points at, what a threshold change does, and where the report says the evidence is.
@Suite struct AdministrationRulesTests {
    static func rules(_ ids: Set<String>) throws -> [Rule] {
        try RuleCatalog.bundled().rules.filter { ids.contains($0.id) }
    }

    @Test func releaseFindingsCarryTheLinkedMessageAndIgnoreRejections() throws {
        let loaded = try LoadedDatabase([TestPaths.fixture("mimecast/release_join")])
        _ = try RuleRunner(db: loaded.db).run(try Self.rules(["MS-REL-001", "MS-REL-002", "MS-REL-003"]))
        let found = try loaded.rows("""
            SELECT f.rule_id, f.user, f.message_id, r.status, r.operator_role FROM finding f
            JOIN message_release r ON r.id = f.evidence_rowid AND f.evidence_table = 'message_release' ORDER BY f.rule_id
            """)
        // The admin's release of the impersonation hold and bo.chen's own release of the phishing
        // quote point at the messages they were linked to; the spam release is a question.
        #expect(found.map { $0.text("rule_id") ?? "" } == ["MS-REL-001", "MS-REL-002", "MS-REL-003"])
        #expect(found.first { $0.text("rule_id") == "MS-REL-001" }?.text("message_id") == "quote-d1@supplier.example")
        #expect(found.first { $0.text("rule_id") == "MS-REL-003" }?.text("message_id") == "held-a@hr-portal.example")
        #expect(found.first { $0.text("rule_id") == "MS-REL-003" }?.text("user") == "ana.lima@acme-corp.example")
        // An ambiguous link leaves the message unknown rather than guessed.
        #expect(found.first { $0.text("rule_id") == "MS-REL-002" }?.text("message_id") == nil)
        #expect(!found.contains { $0.text("status") == "rejected" })
    }

    @Test func bruteForceNeedsMoreFailuresThanTheThresholdBeforeTheLogon() throws {
        let rule = try #require(try Self.rules(["MS-ADM-001"]).first)
        let dir = TestPaths.scratch()
        try Data((rule.positiveExamples.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/audit.ndjson"))
        let loaded = try LoadedDatabase([dir + "/audit.ndjson"])
        // Four failures then a logon: more than 3 is a finding, the summary counts them.
        #expect(try RuleRunner(db: loaded.db).run([rule]).first?.found == 1)
        let summary = try #require(try loaded.rows("SELECT summary FROM finding").first?.text("summary"))
        #expect(summary.contains("after 4 failed logons from that address"), "\(summary)")
        // With the threshold at 4 the same four failures are not enough.
        var strict = RuleRunner(db: loaded.db)
        strict.parameters = ["failures": .integer(4)]
        try loaded.db.execute("DELETE FROM finding")
        #expect(try strict.run([rule]).first?.found == 0)
    }

    @Test func adminExportEvidenceNamesItsFileAndLine() throws {
        let path = TestPaths.fixture("mimecast/admin_exports.ndjson")
        let loaded = try LoadedDatabase([path])
        let lookup = try EvidenceLookup(loaded.db)
        for table in ["audit_event", "dlp_event", "archive_access"] {
            let row = try #require(try loaded.rows("SELECT id, line_no FROM \(table) ORDER BY id LIMIT 1").first, "\(table) is empty")
            let evidence = try lookup.lookup(table, try #require(row.int("id")))
            #expect(evidence.file == path, "\(table)")
            #expect(evidence.line == row.int("line_no"), "\(table)")
        }
    }
}
