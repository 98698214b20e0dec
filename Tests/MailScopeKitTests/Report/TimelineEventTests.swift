import Foundation
import Testing
@testable import MailScopeKit

/// timeline.jsonl's raw events around an incident: a held copy released for one of its people
/// is an event with who released it (admin or the recipient) and when.
@Suite struct TimelineEventTests {
    static func incident(people: [String], from: Int64, to: Int64) -> ReportModel.Incident {
        ReportModel.Incident(
            id: 1, key: "sender:payroll@hr-portal.example", title: "Payroll lure", severity: .high, stage: .delivery, attack: [],
            subjects: ["Payroll update required"], firstSeen: Timestamp(from), lastSeen: Timestamp(to), reasons: [], actions: [],
            recipients: people, deliveredTo: people, interactedUsers: [], hosts: [],
            people: people.map { ReportModel.Person(user: $0, received: true, delivered: true, interacted: false, stage: .delivery, stageEvidence: nil) },
            hostDetails: [], indicators: .init(), indicatorDetails: [], messages: ["held-a@hr-portal.example"], findings: [])
    }

    @Test func aReleaseFromHoldIsAnEventWithItsOperator() throws {
        let db = try LoadedDatabase([TestPaths.fixture("mimecast/release_join")])
        let t: Int64 = 1_793_700_000_000
        let events = try TimelineEvent.read(db.db, incidents: [Self.incident(people: ["ana.lima@acme-corp.example"], from: t, to: t + 2 * 86_400_000)])
        let releases = events.filter { $0.table == "message_release" }
        // The admin's release of the held payroll lure and the rejection of another message to her.
        #expect(releases.map(\.description) == ["held message rejected", "held message released"])
        let released = try #require(releases.last)
        #expect(released.ts == Timestamp(t + 2 * 86_400_000))
        #expect(released.message == "ana.lima@acme-corp.example: released from hold by it.admin@acme-corp.example (admin): Payroll update required")
        #expect(released.attributes["operator_role"] == "admin" && released.attributes["message_id"] == "held-a@hr-portal.example")
        #expect(released.evidence.hasSuffix("release_join/held_release_logs.json:1#1"))
        // Someone else's releases are not this incident's.
        #expect(!events.contains { $0.attributes["user"] == "bo.chen@acme-corp.example" })
    }
}
