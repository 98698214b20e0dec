import Foundation
import MailScopeKit
import Testing

/// Correlation and incident scoping on the scenario, against its ground truth.
@Suite struct IncidentCLITests {
    @Test func incidentsEqualTheGroundTruth() throws {
        let truth = try GroundTruth.scenario()
        let db = try Database(path: try ScenarioRun.copy().db, mode: .readOnly)
        let keys = try db.query("SELECT key FROM incident ORDER BY key").compactMap { $0.first?.stringValue }
        #expect(keys == truth.expected_incidents.map(\.key))
        for expected in truth.expected_incidents {
            let row = try #require(try db.query("SELECT id, severity, stage FROM incident WHERE key = ?", [.text(expected.key)]).first, "\(expected.key)")
            let id = row[0]
            #expect(row[1].stringValue == expected.severity, "\(expected.key) severity")
            #expect(row[2].stringValue == expected.stage, "\(expected.key) stage")
            func users(_ condition: String) throws -> [String] {
                try db.query("SELECT user FROM incident_user WHERE incident_id = ? AND \(condition) ORDER BY user", [id]).compactMap { $0.first?.stringValue }
            }
            #expect(try users("received = 1") == expected.recipients, "\(expected.key) recipients")
            #expect(try users("delivered = 1") == expected.delivered, "\(expected.key) delivered")
            #expect(try users("interacted = 1") == expected.interacted, "\(expected.key) interacted")
            var stages: [String: String] = [:]
            for r in try db.query("SELECT user, stage FROM incident_user WHERE incident_id = ?", [id]) { stages[r[0].stringValue ?? ""] = r[1].stringValue }
            #expect(stages == expected.stages, "\(expected.key) stage per user")
            var hosts: [String: String] = [:]
            for r in try db.query("SELECT host, stage FROM incident_host WHERE incident_id = ?", [id]) { hosts[r[0].stringValue ?? ""] = r[1].stringValue }
            #expect(hosts == expected.hosts, "\(expected.key) hosts")
        }
    }

    /// Every endpoint row the ground truth names as evidence of an attack is among the
    /// findings of that user's incident; the benign look-alikes are in none.
    @Test func everyEvidenceRowIsFoundAndNoNegativeIs() throws {
        let truth = try GroundTruth.scenario()
        let db = try Database(path: try ScenarioRun.copy().db, mode: .readOnly)
        func evidence(of user: String) throws -> Set<String> {
            Set(try db.query("""
                SELECT f.path, e.line_no FROM finding x JOIN edr_event e ON e.id = x.evidence_rowid JOIN input_file f ON f.id = e.file_id
                JOIN incident_finding i ON i.finding_id = x.id
                WHERE x.evidence_table = 'edr_event' AND x.user = ?
                """, [.text(user)]).map { "\(($0[0].stringValue ?? "").components(separatedBy: "fixtures/scenario/").last ?? ""):\($0[1].intValue ?? 0)" })
        }
        var checked = 0
        for attack in truth.edr.attacks {
            for person in (attack.recipients ?? []) + (attack.clickers ?? []) {
                let found = try evidence(of: person.user)
                for row in person.evidence {
                    #expect(found.contains("\(row.file):\(row.line)"), "\(attack.id) \(person.user): \(row.file):\(row.line) not in the incident")
                    checked += 1
                }
            }
        }
        #expect(checked == 17)   // every evidence row of the ground truth (helen.ashby's export holds no row of Excel's own start)
        let all = Set(try db.query("""
            SELECT f.path, e.line_no FROM finding x JOIN edr_event e ON e.id = x.evidence_rowid JOIN input_file f ON f.id = e.file_id
            WHERE x.evidence_table = 'edr_event'
            """).map { "\(($0[0].stringValue ?? "").components(separatedBy: "fixtures/scenario/").last ?? ""):\($0[1].intValue ?? 0)" })
        for negative in truth.edr.negatives {
            #expect(!all.contains("\(negative.file):\(negative.line)"), "benign row \(negative.file):\(negative.line) was correlated")
        }
    }

    /// Each claim leads to a row: the stage evidence of every person and every finding exist.
    @Test func everyClaimTracesToAStoredRow() throws {
        let db = try Database(path: try ScenarioRun.copy().db, mode: .readOnly)
        for r in try db.rows("SELECT stage_evidence_table, stage_evidence_rowid FROM incident_user WHERE stage_evidence_table IS NOT NULL") {
            let table = r.text("stage_evidence_table") ?? "", rowid = r.int("stage_evidence_rowid") ?? -1
            #expect(["mail_message", "url_click", "attachment_scan", "impersonation", "edr_event", "mail_event"].contains(table))
            #expect(try db.scalar("SELECT COUNT(*) FROM \(table) WHERE id = ?", [.integer(rowid)])?.intValue == 1, "\(table):\(rowid)")
        }
        #expect(try db.scalar("SELECT COUNT(*) FROM finding f WHERE f.kind <> 'hunt' AND NOT EXISTS (SELECT 1 FROM incident_finding i WHERE i.finding_id = f.id)")?.intValue == 0)
        #expect(try db.scalar("SELECT COUNT(*) FROM finding WHERE kind = 'correlation' AND (host IS NULL OR related_table IS NULL OR match_key IS NULL)")?.intValue == 0)
        // The reasons name the facts.
        let reasons = try db.query("SELECT n.text FROM incident_note n JOIN incident i ON i.id = n.incident_id WHERE i.key LIKE 'hash:%' AND n.kind = 'reason'").compactMap { $0.first?.stringValue }
        #expect(reasons.contains("executed on 1 host (ws-0221)"))
        let actions = try db.query("SELECT n.text FROM incident_note n JOIN incident i ON i.id = n.incident_id WHERE i.key = 'domain:acme-c0rp-secure.com' AND n.kind = 'action'").compactMap { $0.first?.stringValue }
        #expect(actions.contains { $0.hasPrefix("Reset the passwords and revoke the sessions of lisa.campbell@acme-corp.example, nadia.petrova@acme-corp.example, priya.raman@acme-corp.example") })
        #expect(actions.contains("Isolate and investigate the host where it ran: ws-0068 (lisa.campbell@acme-corp.example)"))
    }

    /// A feed naming the payload host turns the connection after execution into
    /// command-and-control, and the feed is on record with its SHA-256.
    @Test func threatIntelFeedRaisesTheStageAndIsTraceable() throws {
        let dir = CLI.scratch()
        let feed = dir + "/intel.csv"
        try Data("""
            uuid,event_id,category,type,value,comment,to_ids,date
            1,7,Network activity,domain,halvorsen-billing.example,payload host,1,20261102
            2,7,Other,text,hello,,0,20261102

            """.utf8).write(to: URL(fileURLWithPath: feed))
        let r = try CLI.run(["run"] + ScenarioRun.arguments + ["--ti", "partner-misp=\(feed)", "--db", dir + "/case.db", "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(feed):3: unsupported_value"))
        #expect(r.stderr.contains("threat-intel feed partner-misp (misp): 1 indicators, 1 new, 1 lines rejected"))
        let db = try Database(path: dir + "/case.db", mode: .readOnly)
        let incident = try #require(try db.query("SELECT id, stage, severity FROM incident WHERE key LIKE 'hash:%'").first)
        #expect(incident[1].stringValue == "command-and-control")
        #expect(incident[2].stringValue == "critical")
        let reasons = try db.query("SELECT text FROM incident_note WHERE incident_id = ? AND kind = 'reason'", [incident[0]]).compactMap { $0.first?.stringValue }
        #expect(reasons.contains("command-and-control from 1 host (ws-0221)"))
        #expect(reasons.contains { $0.hasPrefix("threat-intel match: halvorsen-billing.example (partner-misp)") })
        let c2 = try db.query("SELECT user, host FROM finding WHERE rule_id = 'MS-COR-010'").map { "\($0[0].stringValue ?? "") \($0[1].stringValue ?? "")" }
        #expect(Set(c2) == ["helen.ashby@acme-corp.example ws-0221"])
        // The indicator leads back to the feed file by SHA-256.
        let provenance = try db.query("SELECT f.format, f.sha256, i.line_no FROM ioc i JOIN input_file f ON f.id = i.file_id WHERE i.feed = 'partner-misp'")
        #expect(provenance.first?[0].stringValue == "ti_feed_misp")
        #expect(provenance.first?[1].stringValue?.count == 64)
        #expect(provenance.first?[2].intValue == 2)
    }

    /// Indicator prevalence and campaign copies measured by one table scan per question (what
    /// large rebuilds use) equal the indexed lookups per value (what small ones use), row for row.
    @Test func scanningForAllIncidentsAtOnceEqualsLookingUpEachValue() throws {
        let path = try ScenarioRun.copy().db
        let copy = CLI.scratch("prevalence") + "/copy.db"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let db = try Database(path: copy)
        let rules = try RuleCatalog.load(userDirectory: nil).rules
        func indicators() throws -> [String] {
            try db.query("SELECT i.key, n.type, n.value, n.recipients, n.hosts, n.first_ts, n.last_ts, COALESCE(n.feeds, '') FROM incident_indicator n JOIN incident i ON i.id = n.incident_id ORDER BY 1, 2, 3")
                .map { $0.map(\.description).joined(separator: "|") }
        }
        try IncidentBuilder.rebuild(db, rules: rules, scanThreshold: Int.max)
        let lookedUp = try indicators(), incidentsLookedUp = try NightlyRunCLITests.incidents(copy)
        try IncidentBuilder.rebuild(db, rules: rules, scanThreshold: 1)
        let scanned = try indicators(), incidentsScanned = try NightlyRunCLITests.incidents(copy)
        #expect(lookedUp.count > 20)
        #expect(scanned == lookedUp)
        // The campaign's copies found by scanning all senders' mail at once are the same too.
        #expect(incidentsScanned == incidentsLookedUp)
        #expect(incidentsScanned == (try NightlyRunCLITests.incidents(path)))
        #expect(lookedUp.contains { $0.hasPrefix("domain:acme-c0rp-secure.com|domain|acme-c0rp-secure.com|") && !$0.contains("|0|0|") })
        // A file name counts who received an attachment of that name and which computers saw it
        // (12 recipients, the 3 hosts of the ground truth's attachment traces).
        #expect(lookedUp.contains { $0.contains("|file_name|INV-88341.xlsm|12|3|") }, "\(lookedUp.filter { $0.contains("file_name") })")
    }
}
