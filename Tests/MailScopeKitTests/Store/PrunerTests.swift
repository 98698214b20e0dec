import Foundation
import Testing
@testable import MailScopeKit

/// `Pruner` on the held-message release log: releases are pruned by their time like other
/// events, except those a finding points at and those linked to an incident's message.
@Suite struct PrunerTests {
    /// The release fixture after detection and incidents: release 1 (an admin's release, linked
    /// to held-a) and 3 (bo.chen's own, linked to quote-d1) are in incidents, 2 (ambiguous) is a
    /// DUET question's evidence, 4 (a rejection, linked to nothing) is in nothing.
    static func database() throws -> LoadedDatabase {
        let loaded = try LoadedDatabase([TestPaths.fixture("mimecast/release_join")])
        let catalog = try RuleCatalog.bundled()
        _ = try RuleRunner(db: loaded.db).run(catalog.enabled([]))
        try IncidentBuilder.rebuild(loaded.db, rules: catalog.rules)
        return loaded
    }

    static func releases(_ loaded: LoadedDatabase) throws -> [Int64] {
        try loaded.rows("SELECT id FROM message_release ORDER BY id").compactMap { $0["id"]?.intValue }
    }

    @Test func releasesInNothingArePrunedAndEvidenceIsKept() throws {
        let loaded = try Self.database()
        #expect(try Self.releases(loaded) == [1, 2, 3, 4])
        let outcomes = try Pruner(db: loaded.db).prune(before: Int64.max)
        let release = try #require(outcomes.first { $0.table == "message_release" })
        #expect(release == Pruner.Outcome(table: "message_release", older: 4, kept: 3, deleted: 1))
        #expect(try Self.releases(loaded) == [1, 2, 3])
    }

    @Test func aReleaseLinkedToAnIncidentsMessageIsKeptWithoutAFindingOnIt() throws {
        let loaded = try Self.database()
        // The incidents stay, but no finding points at releases 1 and 3 any more (as after a
        // detection run without the release rules): their link to the incident's message keeps them.
        try loaded.db.execute("""
            DELETE FROM incident_finding WHERE finding_id IN (SELECT id FROM finding WHERE evidence_table = 'message_release' AND evidence_rowid IN (1, 3));
            DELETE FROM finding WHERE evidence_table = 'message_release' AND evidence_rowid IN (1, 3);
            """)
        #expect(try loaded.count("incident_message", "message_id IN ('held-a@hr-portal.example', 'quote-d1@supplier.example')") == 2)
        _ = try Pruner(db: loaded.db).prune(before: Int64.max)
        #expect(try Self.releases(loaded) == [1, 2, 3])
    }

    @Test func aDryRunOrAnEarlierCutoffDeletesNoRelease() throws {
        let loaded = try Self.database()
        let dry = try Pruner(db: loaded.db).prune(before: Int64.max, dryRun: true)
        #expect(dry.first { $0.table == "message_release" } == Pruner.Outcome(table: "message_release", older: 4, kept: 3, deleted: 0))
        let early = try Pruner(db: loaded.db).prune(before: 0)
        #expect(early.first { $0.table == "message_release" }?.older == 0)
        #expect(try Self.releases(loaded) == [1, 2, 3, 4])
    }
}
