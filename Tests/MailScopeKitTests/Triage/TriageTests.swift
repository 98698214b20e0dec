import Foundation
import Testing
@testable import MailScopeKit

/// Triage decisions: what `--fail-on` does under each, how a decision finds its incident after
/// rebuilds renumber it or give it another key, and what is kept.
@Suite struct TriageTests {
    /// Two incidents as a rebuild leaves them, with their campaign keys.
    static func database() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/t.db")
        try db.run("""
            INSERT INTO incident (id, key, title, severity, stage, first_ts, last_ts, recipients, delivered, interacted, hosts, findings)
            VALUES (1, 'message:m1', 'Newsletter link', 'high', 'interaction', 1000, 5000, 3, 3, 1, 0, 2),
                   (2, 'hash:aa', 'Invoice.xlsm', 'critical', 'execution', 2000, 6000, 2, 1, 1, 1, 4)
            """)
        try db.run("INSERT INTO incident_key (key, incident_id) VALUES ('message:m1', 1), ('sender-subject:n@vendor.example|news', 1), ('hash:aa', 2), ('message:m2', 2)")
        return db
    }

    /// The next rebuild as new evidence shapes it: the newsletter incident gained a clicked
    /// domain (now its key) and comes second; the invoice incident is renumbered #1.
    static func rebuild(_ db: Database, newsletterStage: Rule.Stage) throws {
        try db.run("DELETE FROM incident_key")
        try db.run("DELETE FROM incident")
        try db.run("""
            INSERT INTO incident (id, key, title, severity, stage, first_ts, last_ts, recipients, delivered, interacted, hosts, findings)
            VALUES (1, 'hash:aa', 'Invoice.xlsm', 'critical', 'execution', 500, 6000, 2, 1, 1, 1, 4),
                   (2, 'domain:vendor-links.example', 'Newsletter link', 'high', ?, 1000, 9000, 3, 3, 2, 0, 3)
            """, [.text(newsletterStage.rawValue)])
        try db.run("""
            INSERT INTO incident_key (key, incident_id) VALUES ('hash:aa', 1), ('message:m2', 1),
                ('domain:vendor-links.example', 2), ('message:m1', 2), ('sender-subject:n@vendor.example|news', 2)
            """)
    }

    static func decision(_ status: Triage.Status?, at stage: Rule.Stage) -> Triage.Decision? {
        status.map { Triage.Decision(key: "message:m1", status: $0, note: "n", by: "jb", at: 0, stage: stage, severity: .high) }
    }

    @Test(arguments: [
        // (status, stage when decided, stage now, verdict)
        (nil, Rule.Stage.interaction, Rule.Stage.execution, "alert"),
        (.open, .interaction, .interaction, "alert"),
        (.open, .interaction, .execution, "alert"),
        (.confirmed, .interaction, .interaction, "alert"),
        (.confirmed, .interaction, .commandAndControl, "alert"),
        (.falsePositive, .interaction, .interaction, "silenced"),
        (.falsePositive, .interaction, .delivery, "silenced"),
        (.falsePositive, .interaction, .download, "reopened"),
        (.falsePositive, .targeted, .delivery, "reopened"),
        (.benign, .execution, .execution, "silenced"),
        (.benign, .execution, .commandAndControl, "reopened"),
    ] as [(Triage.Status?, Rule.Stage, Rule.Stage, String)])
    func failOnAlertsUnlessTriagedFalsePositiveOrBenignWithoutAHigherStage(status: Triage.Status?, decided: Rule.Stage, now: Rule.Stage, expected: String) {
        let d = Self.decision(status, at: decided)
        let verdict: String
        switch Triage.verdict(d, stageNow: now) {
        case .alert: verdict = "alert"
        case .silenced(let kept): verdict = kept == d ? "silenced" : "wrong decision"
        case .reopened(let kept): verdict = kept == d ? "reopened" : "wrong decision"
        }
        #expect(verdict == expected)
        #expect(Triage.reopened(d, stageNow: now) == (expected == "reopened"))
    }

    @Test func anIncidentIsNamedByItsNumberWithOrWithoutHashOrByAnyOfItsKeys() throws {
        let db = try Self.database()
        for reference in ["2", "#2", " #2 ", "hash:aa", "message:m2"] {
            #expect(try Triage.incident(db, reference: reference).key == "hash:aa", "\(reference)")
        }
        #expect(try Triage.incident(db, reference: "1") == .init(id: 1, key: "message:m1", title: "Newsletter link", severity: .high, stage: .interaction))
        #expect(throws: InvestigationError.noSuchIncident("domain:nowhere.example", incidents: 2)) {
            try Triage.incident(db, reference: "domain:nowhere.example")
        }
        #expect(throws: InvestigationError.noSuchIncident("#7", incidents: 2)) {
            try Triage.record(db, reference: "#7", status: .benign, note: "x", by: "jb")
        }
        #expect(try Triage.history(db).isEmpty, "nothing is recorded")
    }

    @Test func aDecisionIsKeptAgainstTheKeyWithTheStageItWasMadeAt() throws {
        let db = try Self.database()
        let (d, incident) = try Triage.record(db, reference: "1", status: .falsePositive, note: "  vendor newsletter  ", by: "jb", at: 1_793_700_000_000)
        #expect(incident.id == 1)
        #expect(d.key == "message:m1")
        #expect(d.stage == .interaction)
        #expect(d.note == "vendor newsletter")
        #expect(d.summary == "false-positive by jb on 2026-11-03T10:00:00.000Z at stage interaction")
        #expect(try Triage.current(db)[1] == d)
        #expect(try Triage.current(db)[2] == nil)
        #expect(throws: Triage.Error.emptyNote) { try Triage.record(db, reference: "1", status: .benign, note: " \n", by: "jb") }
    }

    @Test func aDecisionFollowsItsIncidentWhenARebuildRenumbersItAndNewEvidenceGivesItAnotherKey() throws {
        let db = try Self.database()
        try Triage.record(db, reference: "#1", status: .falsePositive, note: "vendor newsletter", by: "jb")
        try Self.rebuild(db, newsletterStage: .interaction)
        let current = try Triage.current(db)
        #expect(current[2]?.key == "message:m1", "the newsletter is #2 now, keyed by its clicked domain")
        #expect(current[1] == nil)
        #expect(Triage.verdict(current[2], stageNow: .interaction) == .silenced(current[2]!))

        // A run on a host later: the same decision, now re-opened.
        try Self.rebuild(db, newsletterStage: .execution)
        let after = try Triage.current(db)
        #expect(Triage.verdict(after[2], stageNow: .execution) == .reopened(after[2]!))
        let listed = try Triage.list(db)
        #expect(listed.rows.count == 1)
        #expect(listed.values("incident") == [.text("#2")])
        #expect(listed.values("key") == [.text("domain:vendor-links.example")])
        #expect(listed.values("stage_when_decided") == [.text("interaction")])
        #expect(listed.values("stage_now") == [.text("execution")])
        #expect(listed.values("reopened") == [.text("yes")])
    }

    @Test func theLatestDecisionIsInForceAndEveryDecisionIsKept() throws {
        let db = try Self.database()
        try Triage.record(db, reference: "1", status: .falsePositive, note: "looked like a newsletter", by: "jb", at: 1000)
        try Triage.record(db, reference: "message:m1", status: .confirmed, note: "the link harvests passwords", by: "ak", at: 2000)
        #expect(try Triage.current(db)[1]?.status == .confirmed)
        #expect(try Triage.history(db).map(\.status) == [.falsePositive, .confirmed])
        let inForce = try Triage.list(db)
        #expect(inForce.values("status") == [.text("confirmed")])
        #expect(inForce.values("by") == [.text("ak")])
        let history = try Triage.list(db, history: true)
        #expect(history.values("status") == [.text("confirmed"), .text("false-positive")], "newest first")
        let all = try Triage.list(db, all: true)
        #expect(all.values("incident") == [.text("#1"), .text("#2")])
        #expect(all.values("status") == [.text("confirmed"), .text("untriaged")])
    }

    @Test func decisionsOutliveTheirIncidentAndSurvivePruneAndRebuilds() throws {
        let db = try Self.database()
        try Triage.record(db, reference: "2", status: .benign, note: "red-team exercise", by: "jb")
        _ = try Pruner(db: db).prune(before: Int64.max)
        try IncidentBuilder.rebuild(db, rules: [])
        #expect(try db.scalar("SELECT COUNT(*) FROM incident")?.intValue == 0)
        #expect(try Triage.history(db).count == 1)
        let listed = try Triage.list(db)
        #expect(listed.values("incident") == [.null], "its incident is gone: no number")
        #expect(listed.values("key") == [.text("hash:aa")])
        #expect(listed.values("status") == [.text("benign")])
    }

    @Test func theDeciderIsTheLoginNameOrThePersonBehindSudo() {
        #expect(Triage.defaultDecider(environment: ["USER": "root", "SUDO_USER": "jb"]) == "jb")
        #expect(Triage.defaultDecider(environment: ["USER": "ak"]) == "ak")
        #expect(!Triage.defaultDecider(environment: [:]).isEmpty)
    }
}
