import Foundation
import Testing

/// fixtures/scenario/ground-truth.json: what the scenario's generator planted and what a correct
/// mailscope concludes from it. The field names are the file's own, so a test's
/// `truth.expected_incidents` can be found in the file as written. Only the parts some test
/// checks are decoded.
struct GroundTruth: Decodable, Sendable {
    /// Exports planted twice; ingest must skip exactly this many records.
    var expected_duplicates: Int
    var files: [File]
    /// The planted mail attacks.
    var attacks: [Attack]
    /// Rule id → the distinct users a correct catalog names; no other rule may fire.
    var expected_findings: [String: [String]]
    var expected_incidents: [Incident]
    var edr: EDR

    /// One export of the scenario, with what it holds.
    struct File: Decodable, Sendable {
        var path: String
        var records: Int?
        var lines: Int?
    }

    struct Attack: Decodable, Sendable {
        var id: String
        var sender: Sender
        var subject: String
        var message_ids: [String]
        var aggregate_ids: [String]
        var recipients: [String]
        var delivered_recipients: [String]
        var held_recipients: [String]
        var attachment: Attachment?
        var url: Link?
        var clickers: [Clicker]?
        var entry_scans: Int?
        var impersonation: Impersonation?
    }
    struct Sender: Decodable, Sendable { var address: String; var domain: String }
    struct Attachment: Decodable, Sendable { var name: String; var sha256: String }
    struct Link: Decodable, Sendable { var host: String; var registrable_domain: String }
    struct Clicker: Decodable, Sendable {
        var user: String
        var time: String
        var action: String
        var scanResult: String
        var userAwarenessAction: String
        var message_id: String
    }
    struct Impersonation: Decodable, Sendable { var identifiers: [String]; var tagged_malicious: Bool }

    /// An incident a correct run builds, with each person's and host's stage.
    struct Incident: Decodable, Sendable {
        var key: String
        var severity: String
        var stage: String
        var recipients: [String]
        var delivered: [String]
        var interacted: [String]
        var stages: [String: String]
        var hosts: [String: String]
    }

    /// The endpoint side: every user's computer, the attacks' traces, the benign look-alikes.
    struct EDR: Decodable, Sendable {
        var users: [User]
        var attacks: [EDRAttack]
        /// Rows that look like an attack's and are not: no incident may hold them.
        var negatives: [Row]
    }
    struct User: Decodable, Sendable {
        var email: String
        var host: String
        /// How the user's computer is found: `upn`, `directory`, … or `ambiguous` (never guessed).
        var resolution: String
    }
    struct EDRAttack: Decodable, Sendable {
        var id: String
        var recipients: [Person]?
        var clickers: [Person]?
    }
    struct Person: Decodable, Sendable {
        var user: String
        var host: String
        var evidence: [Row]
    }
    /// A row of an EDR export, by file (relative to fixtures/scenario) and line.
    struct Row: Decodable, Sendable {
        var file: String
        var line: Int
        var event_type: String?
    }

    func attack(_ id: String) throws -> Attack { try #require(attacks.first { $0.id == id }, "no attack \(id) in the ground truth") }

    /// The scenario's ground truth, read once per test process.
    static func scenario() throws -> GroundTruth { try loaded.get() }

    private static let loaded: Result<GroundTruth, DecodingFailure> = {
        let path = CLI.root.appendingPathComponent("fixtures/scenario/ground-truth.json")
        do {
            return .success(try JSONDecoder().decode(GroundTruth.self, from: Data(contentsOf: path)))
        } catch {
            return .failure(DecodingFailure(description: "\(path.path) does not read as the tests expect: \(error)"))
        }
    }()

    struct DecodingFailure: Error, CustomStringConvertible { var description: String }
}
