import Foundation
import MailScopeKit
import Testing

/// The scenario's EDR exports and directory through the CLI, checked against the ground truth:
/// every row loads, every user's computer resolves the way the ground truth says, the planted
/// evidence rows are where it says.
@Suite struct EDRScenarioTests {
    struct Truth: Decodable {
        var edr: EDR
        struct EDR: Decodable {
            var users: [User]
            var attacks: [Attack]
        }
        struct User: Decodable {
            var email: String
            var host: String
            var resolution: String
        }
        struct Attack: Decodable {
            var id: String
            var recipients: [Target]?
            var clickers: [Target]?
        }
        struct Target: Decodable {
            var user: String
            var evidence: [Evidence]?
        }
        struct Evidence: Decodable {
            var file: String
            var line: Int
            var event_type: String?
        }
    }

    static let inputs = ["fixtures/scenario/siem_v2", "fixtures/scenario/siem_v1", "fixtures/scenario/ttp", "fixtures/scenario/edr"]

    @Test func identitiesResolveAsTheGroundTruthSays() throws {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: CLI.root.appendingPathComponent("fixtures/scenario/ground-truth.json")))
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest"] + Self.inputs + ["--identities", "fixtures/scenario/identities.csv", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("0 rejected"))
        #expect(result.stdout.contains("EDR rows by product:"))
        #expect(result.stdout.contains("2 ambiguous"))
        let database = try Database(path: db, mode: .readOnly)
        var checked = 0
        for user in truth.edr.users {
            let hosts = try IdentityMap.hosts(of: user.email, in: database)
            if user.resolution == "ambiguous" {
                #expect(hosts.isEmpty, "\(user.email) must not be guessed: \(hosts)")
                let issue = try database.scalar("SELECT COUNT(*) FROM identity_issue WHERE kind = 'ambiguous' AND host = ?", [.text(user.host.lowercased())])
                #expect(issue?.intValue == 1, "\(user.email): no ambiguity reported for \(user.host)")
            } else {
                #expect(hosts == [user.host.lowercased()], "\(user.email) (\(user.resolution)): \(hosts)")
            }
            checked += 1
        }
        #expect(checked >= 200)
    }

    @Test func plantedEvidenceRowsAreLoadedAtTheirLines() throws {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: CLI.root.appendingPathComponent("fixtures/scenario/ground-truth.json")))
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest", "fixtures/scenario/edr", "--db", db])
        #expect(result.status == 0)
        let database = try Database(path: db, mode: .readOnly)
        var checked = 0
        for attack in truth.edr.attacks {
            for target in (attack.recipients ?? []) + (attack.clickers ?? []) {
                for evidence in target.evidence ?? [] {
                    let rows = try database.query("""
                        SELECT e.event_type FROM edr_event e JOIN input_file f ON f.id = e.file_id
                        WHERE f.path LIKE '%' || ? AND e.line_no = ?
                        """, [.text(evidence.file), .integer(Int64(evidence.line))])
                    #expect(rows.count == 1, "\(attack.id) \(target.user): no row at \(evidence.file):\(evidence.line)")
                    if let type = evidence.event_type {
                        #expect(rows.first?.first?.stringValue == type, "\(evidence.file):\(evidence.line)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked >= 10)
    }
}
