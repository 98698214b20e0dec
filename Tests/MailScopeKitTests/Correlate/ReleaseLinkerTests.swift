import Foundation
import Testing
@testable import MailScopeKit

/// Linking a held-message release to its message without a Message-ID: by sender, recipient,
/// subject and time within Mimecast's longest hold (30 days), ambiguous matches left unlinked
/// and counted, never guessed.
@Suite struct ReleaseLinkerTests {
    typealias C = ReleaseLinker.Candidate

    @Test func oneCandidateIsLinked() {
        let d = ReleaseLinker.decide([C(messageID: "m1", held: false), C(messageID: "m1", held: true)])
        #expect(d.state == .linked && d.messageID == "m1" && d.method == ReleaseLinker.method)
    }

    @Test func severalCandidatesAreAmbiguousUnlessExactlyOneWasHeld() {
        #expect(ReleaseLinker.decide([C(messageID: "m1", held: false), C(messageID: "m2", held: false)]).state == .ambiguous)
        #expect(ReleaseLinker.decide([C(messageID: "m1", held: true), C(messageID: "m2", held: true)]).state == .ambiguous)
        let d = ReleaseLinker.decide([C(messageID: "m1", held: false), C(messageID: "m2", held: true)])
        #expect(d.state == .linked && d.messageID == "m2" && d.method == ReleaseLinker.methodHeld)
        #expect(ReleaseLinker.decide([]).state == .noCandidate)
    }

    @Test func theWindowIsTheLongestHoldBeforeAndTheClockSkewAfter() {
        #expect(ReleaseLinker.holdWindow == 30 * 86_400_000)
        #expect(ReleaseLinker.clockSkew == 300_000)
    }

    /// The fixture plants one release in the window (A, with an older copy 40 days earlier
    /// outside it), an ambiguous one (two unheld newsletters), one settled by the hold (D1 held,
    /// D2 not) and a rejection whose message is not loaded.
    static func joined() throws -> LoadedDatabase {
        try LoadedDatabase([TestPaths.fixture("mimecast/release_join")])
    }

    @Test func fixtureReleasesAreLinkedCountedOrLeftAlone() throws {
        let db = try Self.joined()
        #expect(db.summary.releases == ReleaseLinker.Summary(linked: 2, ambiguous: 1, noCandidate: 1, noTime: 0, noAddress: 0))
        #expect(db.messages.contains("releases: 2 linked to their message, 1 ambiguous (several messages matched; left unlinked), 1 with no matching message loaded"))
        let rows = try db.rows("SELECT held_id, message_id_linked, link_state, link_candidates FROM message_release ORDER BY held_id")
        #expect(rows.map { $0.text("message_id_linked") } == ["held-a@hr-portal.example", nil, "quote-d1@supplier.example", nil])
        #expect(rows.map { $0.text("link_state") } == ["linked", "ambiguous", "linked", "no-candidate"])
        // A's copy from 40 days before the release is outside the window: one candidate, not two.
        #expect(rows.map { $0.int("link_candidates") } == [1, 2, 2, 0])
    }

    @Test func relinkingIsIdempotentAndFollowsNewMail() throws {
        let db = try Self.joined()
        let again = try ReleaseLinker.relink(db.db)
        #expect(again == db.summary.releases)
        // A second copy of A's message loaded later makes A's release ambiguous: never guessed.
        try db.db.run("""
            INSERT INTO mail_message (file_id, line_no, dedup, ts, source, event, message_id, sender, recipient, subject)
            SELECT file_id, 99, randomblob(16), ts + 3600000, source, event, 'held-a2@hr-portal.example', sender, recipient, subject
            FROM mail_message WHERE message_id = 'held-a@hr-portal.example' AND event = 'receipt'
            """)
        try db.db.run("""
            INSERT INTO mail_message (file_id, line_no, dedup, ts, source, event, action, hold_reason, message_id)
            SELECT file_id, 100, randomblob(16), ts + 3600000, source, 'process', 'Hld', 'Spm', 'held-a2@hr-portal.example'
            FROM mail_message WHERE message_id = 'held-a@hr-portal.example' AND event = 'receipt'
            """)
        let after = try #require(try ReleaseLinker.relink(db.db))
        #expect(after.linked == 1 && after.ambiguous == 2)
        #expect(try db.count("message_release", "held_id = 'eNoHeld01...' AND message_id_linked IS NULL AND link_state = 'ambiguous'") == 1)
    }

    @Test func queryMessageShowsTheReleaseWithItsOperator() throws {
        let db = try Self.joined()
        let trace = try MessageTrace.run(db.db, messageID: "<held-a@hr-portal.example>", limit: 0)
        let sources = trace.rows.compactMap { $0[trace.columns.firstIndex(of: "source")!].stringValue }
        #expect(sources == ["mail_message/receipt", "mail_message/process", "message_release/released"])
        let release = try #require(trace.rows.last)
        let detail = release[trace.columns.firstIndex(of: "detail")!].stringValue ?? ""
        #expect(detail.hasPrefix("released from hold by it.admin@acme-corp.example (admin)"))
        #expect(detail.contains("held: High-Confidence Impersonation Protection"))
        #expect(release[trace.columns.firstIndex(of: "linked_by")!].stringValue == "sender+recipient+subject+time")
        #expect(release[trace.columns.firstIndex(of: "evidence")!].stringValue?.hasSuffix("release_join/held_release_logs.json:1#1") == true)
        // The ambiguous newsletter release is in neither newsletter's trace.
        for id in ["news-c1@list.example", "news-c2@list.example"] {
            let t = try MessageTrace.run(db.db, messageID: id, limit: 0)
            #expect(!t.rows.contains { $0[t.columns.firstIndex(of: "source")!].stringValue?.hasPrefix("message_release") == true })
        }
    }

    @Test func aLinkedReleaseDeliversTheHeldCopyWithTheReleaseAsProof() throws {
        let db = try Self.joined()
        var ledger = IncidentBuilder.PeopleLedger()
        try ledger.readMail(db.db, message: "held-a@hr-portal.example")
        #expect(ledger.people["ana.lima@acme-corp.example"]?.delivered == false, "no delivery row: nothing said yet")
        try ledger.readReleases(db.db, message: "held-a@hr-portal.example")
        let ana = try #require(ledger.people["ana.lima@acme-corp.example"])
        let releaseID = try #require(try db.db.scalar("SELECT id FROM message_release WHERE held_id = 'eNoHeld01...'")?.intValue)
        #expect(ana.delivered && ana.reached && !ana.stopped)
        #expect(ana.stage == .delivery, "an admin's release delivers; it is not the recipient's own act")
        #expect(ana.evidence == EvidenceRow(table: "message_release", rowid: releaseID))
        #expect(ledger.deliveredCopies["held-a@hr-portal.example"] == ["ana.lima@acme-corp.example"])
        // The recipient's own release is their interaction.
        var bo = IncidentBuilder.PeopleLedger()
        try bo.readReleases(db.db, message: "quote-d1@supplier.example")
        #expect(bo.people["bo.chen@acme-corp.example"]?.stage == .interaction)
        // No release row for a message is no conclusion at all.
        var none = IncidentBuilder.PeopleLedger()
        try none.readReleases(db.db, message: "news-c1@list.example")
        #expect(none.people.isEmpty)
    }
}
