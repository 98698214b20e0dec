import Foundation
import Testing
@testable import MailScopeKit

/// The bundled rules on the administration, DLP, archive and release logs (MS-ADM-*, MS-DLP-*,
/// MS-ARC-001, MS-REL-*) on the committed fixtures and their own example lines, beyond what the
/// catalog's example test shows: which message and person a finding names, what a threshold or
/// an exclusion does, which incident a finding joins, and where the report says the evidence is.
@Suite struct AdministrationRulesTests {
    static func rules(_ ids: Set<String>) throws -> [Rule] {
        try RuleCatalog.bundled().rules.filter { ids.contains($0.id) }
    }

    static func rule(_ id: String) throws -> Rule {
        try #require(try rules([id]).first)
    }

    /// Loads `lines` (example lines in export formats) one file each, as the catalog's example
    /// test does, with the watch lists given.
    static func load(_ lines: [String], watchLists: [String: [String]] = [:], label: String = #function) throws -> LoadedDatabase {
        let dir = TestPaths.scratch(label)
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        for (i, line) in lines.enumerated() {
            try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/in/line-\(String(format: "%03d", i)).ndjson"))
        }
        let loaded = try LoadedDatabase([dir + "/in"])
        for (name, entries) in watchLists {
            try Data((entries.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/\(name).txt"))
            try WatchList.load(name: name, path: dir + "/\(name).txt").store(in: loaded.db)
        }
        return loaded
    }

    /// Runs the catalog's default rules and `extra` (rules that read findings need the others).
    static func detect(_ loaded: LoadedDatabase, enabling extra: Set<String> = []) throws {
        _ = try RuleRunner(db: loaded.db).run(try RuleCatalog.bundled().enabled(extra))
    }

    // MARK: MS-ADM-004

    @Test func failedLogonsWithoutSuccessAreOneQuestionPerAddressAndBurst() throws {
        let rule = try Self.rule("MS-ADM-004")
        // Four failures over three accounts in three minutes, a logon from the address an hour
        // later (outside the window), and the same four failures again two hours later.
        let later = rule.positiveExamples.filter { $0.contains("Logon Authentication Failed") }
            .map { $0.replacingOccurrences(of: "T09:0", with: "T11:0").replacingOccurrences(of: "Time: 09:0", with: "Time: 11:0") }
        let loaded = try Self.load(rule.positiveExamples + later)
        #expect(try RuleRunner(db: loaded.db).run([rule]).first?.found == 2, "one question per burst, not per failure")
        let found = try loaded.rows("""
            SELECT f.user, f.indicator, f.summary, f.evidence_table, a.ts FROM finding f JOIN audit_event a ON a.id = f.evidence_rowid ORDER BY a.ts
            """)
        #expect(found.map { $0["indicator"]?.stringValue } == ["203.0.113.7", "203.0.113.7"])
        #expect(found.map { $0["user"]?.stringValue } == ["helen.price@acme-corp.example", "helen.price@acme-corp.example"])
        #expect(found.allSatisfy { $0["evidence_table"]?.stringValue == "audit_event" })
        // The evidence is each burst's first failure.
        #expect(found.map { $0["ts"]?.intValue } == [1_793_610_000_000, 1_793_617_200_000])
        let summary = found.first?["summary"]?.stringValue ?? ""
        #expect(summary.contains("4 failed logons to Mimecast from 203.0.113.7 (3 account(s)"), "\(summary)")
        #expect(summary.contains("no successful logon"), "\(summary)")
    }

    @Test func aLogonSoonAfterTheFailuresOrAHigherThresholdLeavesNoQuestion() throws {
        let rule = try Self.rule("MS-ADM-004")
        let failures = rule.positiveExamples.filter { $0.contains("Logon Authentication Failed") }
        let loaded = try Self.load(failures)
        #expect(try RuleRunner(db: loaded.db).run([rule]).first?.found == 1)
        try loaded.db.execute("DELETE FROM finding")
        var strict = RuleRunner(db: loaded.db)
        strict.parameters = ["failures": .integer(4)]
        #expect(try strict.run([rule]).first?.found == 0, "four failures are not more than four")
        // A logon from the address 20 minutes after the last failure: MS-ADM-001's case, not this one.
        let logon = try #require(rule.positiveExamples.first { $0.contains("User Logged On") })
            .replacingOccurrences(of: "T10:00:00", with: "T09:23:00")
        let succeeded = try Self.load(failures + [logon])
        #expect(try RuleRunner(db: succeeded.db).run([rule]).first?.found == 0)
    }

    // MARK: MS-DLP-002

    @Test func dlpAndInternalEmailProtectOnOneSenderJoinTheFlaggedMessagesIncident() throws {
        let rule = try Self.rule("MS-DLP-002")
        let loaded = try Self.load(rule.positiveExamples)
        try Self.detect(loaded)
        let found = try loaded.rows("""
            SELECT f.user, f.sender, f.message_id, f.indicator, f.summary, f.evidence_table, f.related_table, f.host,
                   d.action, e.event_type
            FROM finding f JOIN dlp_event d ON d.id = f.evidence_rowid JOIN mail_event e ON e.id = f.related_rowid
            WHERE f.rule_id = 'MS-DLP-002'
            """)
        // Two DLP rows (a hold and its notification) and one flagged message: one finding.
        #expect(found.count == 1)
        let f = try #require(found.first)
        #expect(f["user"]?.stringValue == "ops@acme-corp.example" && f["sender"]?.stringValue == "ops@acme-corp.example")
        #expect(f["message_id"]?.stringValue == "ops-12@acme-corp.example", "the IEP-flagged message, not the DLP one")
        #expect(f["indicator"]?.stringValue == "Secure Message PII")
        #expect(f["evidence_table"]?.stringValue == "dlp_event" && f["action"]?.stringValue == "hold")
        #expect(f["related_table"]?.stringValue == "mail_event" && f["event_type"]?.stringValue == "iep")
        #expect(f["host"] == .null)
        let summary = f["summary"]?.stringValue ?? ""
        #expect(summary.contains("29 min after") && summary.contains("(2 DLP action(s) from this sender within 24 h)"), "\(summary)")
        // It joins the IEP finding's incident, and the sender is not counted among its recipients.
        try IncidentBuilder.rebuild(loaded.db, rules: try RuleCatalog.bundled().rules)
        let incidents = try loaded.rows("""
            SELECT DISTINCT i.incident_id FROM incident_finding i JOIN finding f ON f.id = i.finding_id
            WHERE f.rule_id IN ('MS-IEP-001', 'MS-DLP-002')
            """)
        #expect(incidents.count == 1)
        #expect(try loaded.count("incident_user", "user = 'ops@acme-corp.example'") == 0)
    }

    @Test func dlpOfTheSenderADayAwayOrOutsideOurDomainsIsNoCompromise() throws {
        let rule = try Self.rule("MS-DLP-002")
        let loaded = try Self.load(rule.negativeExamples)
        try Self.detect(loaded)
        // The same lines hold both IEP findings and DLP holds of both senders, so the rule had
        // something to join; only the window and the own-domain test keep it quiet.
        #expect(try loaded.count("finding", "rule_id = 'MS-IEP-001'") == 2)
        #expect(try loaded.count("finding", "rule_id = 'MS-DLP-002'") == 0)
        var wide = RuleRunner(db: loaded.db)
        wide.parameters = ["window_ms": .integer(3 * 86_400_000)]
        #expect(try wide.run([rule]).first?.found == 1, "within three days the hold two days later counts")
    }

    // MARK: MS-ARC-001

    @Test func archiveAccessToAFlaggedRecipientsMailboxNamesTheSearcherAndTheMessage() throws {
        let rule = try Self.rule("MS-ARC-001")
        #expect(rule.kind == .optIn && rule.readsFindings)
        let loaded = try Self.load(rule.positiveExamples, watchLists: rule.exampleWatchLists)
        try Self.detect(loaded, enabling: ["MS-ARC-001"])
        let found = try loaded.rows("""
            SELECT f.user, f.message_id, f.indicator, f.summary, f.evidence_table, a.kind FROM finding f
            JOIN archive_access a ON a.id = f.evidence_rowid WHERE f.rule_id = 'MS-ARC-001' ORDER BY a.kind
            """)
        #expect(found.map { $0["kind"]?.stringValue } == ["search", "view"])
        for f in found {
            #expect(f["user"]?.stringValue == "helen.price@acme-corp.example")
            #expect(f["message_id"]?.stringValue == "inv-1@halvorsen-billing.example")
            #expect(f["indicator"]?.stringValue == "ana.lima@acme-corp.example")
            #expect(f["evidence_table"]?.stringValue == "archive_access")
        }
        #expect(found.first?["summary"]?.stringValue?.hasPrefix("helen.price@acme-corp.example searched the archive of ana.lima@acme-corp.example (Archive Mailbox), 60 h after") == true,
                "\(found.first?["summary"]?.stringValue ?? "")")
        #expect(found.last?["summary"]?.stringValue?.contains("opened from the archive a message to ana.lima@acme-corp.example (content viewed)") == true)
        // Both join the flagged message's incident.
        try IncidentBuilder.rebuild(loaded.db, rules: try RuleCatalog.bundled().rules)
        let incidents = try loaded.rows("""
            SELECT DISTINCT i.incident_id FROM incident_finding i JOIN finding f ON f.id = i.finding_id
            WHERE f.message_id = 'inv-1@halvorsen-billing.example'
            """)
        #expect(incidents.count == 1)
    }

    @Test func theAnalystsListIsWhatKeepsTheInvestigatorsSearchesOut() throws {
        let rule = try Self.rule("MS-ARC-001")
        // Without the analysts list the analyst's mailbox search and Message-ID search are found;
        // the owner's own search, the API account, the search before arrival, the one 38 days
        // later, hana.lima and the view of li.wei's mail are not.
        let open = try Self.load(rule.negativeExamples)
        try Self.detect(open, enabling: ["MS-ARC-001"])
        let found = try open.rows("""
            SELECT f.user, f.summary FROM finding f JOIN archive_access a ON a.id = f.evidence_rowid
            WHERE f.rule_id = 'MS-ARC-001' ORDER BY a.ts
            """)
        #expect(found.map { $0["user"]?.stringValue } == ["soc.analyst@acme-corp.example", "soc.analyst@acme-corp.example"])
        #expect(found.last?["summary"]?.stringValue?.contains("searched the archive for the flagged message itself") == true)
        let listed = try Self.load(rule.negativeExamples, watchLists: rule.exampleWatchLists)
        try Self.detect(listed, enabling: ["MS-ARC-001"])
        #expect(try listed.count("finding", "rule_id = 'MS-ARC-001'") == 0)
        // A 60-day window reaches the search 38 days later.
        var wide = RuleRunner(db: listed.db)
        wide.parameters = ["window_ms": .integer(60 * 86_400_000)]
        #expect(try wide.run([rule]).first?.found == 1)
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
