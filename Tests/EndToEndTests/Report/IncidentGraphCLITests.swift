import Foundation
import Testing
@testable import MailScopeKit

/// The graph of each planted campaign, as report.json gives it, matches the scenario's ground
/// truth: every recipient drawn or counted, the people who went further drawn at their stage
/// with what became of their copy, their computers at the stage the truth gives, and every
/// endpoint step the generator planted on the graph as a process, file or destination linked
/// from that computer. Every incident has its graph in every format.
@Suite struct IncidentGraphCLITests {
    static func model(_ scenario: ScenarioRun) throws -> ReportModel {
        try JSONDecoder().decode(ReportModel.self, from: Data(contentsOf: URL(fileURLWithPath: scenario.out + "/report.json")))
    }

    @Test func eachIncidentsPeopleAndHostsMatchTheGroundTruth() throws {
        let scenario = try ScenarioRun.copy()
        let model = try Self.model(scenario)
        let truth = try GroundTruth.scenario()
        for expected in truth.expected_incidents {
            let incident = try #require(model.incidents.first { $0.key == expected.key }, "no incident \(expected.key)")
            let g = incident.graph
            let drawn = Set(g.nodes.filter { $0.kind == .recipient }.map { $0.label.lowercased() })
            let counted = g.nodes.filter { $0.kind == .recipients }.reduce(0) { $0 + ($1.count ?? 0) }
            #expect(drawn.count + counted == expected.recipients.count, "\(expected.key): \(drawn.count) drawn + \(counted) counted")
            #expect(drawn.isSubset(of: Set(expected.recipients)), "\(expected.key): \(drawn.subtracting(expected.recipients))")
            for user in expected.interacted {
                #expect(drawn.contains(user), "\(expected.key): \(user) went further and must be drawn")
                #expect(g.node("recipient:\(user)")?.stage?.rawValue == expected.stages[user], "\(expected.key): \(user)'s stage")
            }
            for user in drawn {
                let into = g.edges.filter { $0.to == "recipient:\(user)" && $0.from.hasPrefix("message:") }
                #expect(!into.isEmpty, "\(expected.key): \(user) is not linked to a message")
                #expect(into.allSatisfy { ($0.relation == .delivered) == expected.delivered.contains(user) }, "\(expected.key): \(user): \(into.map(\.relation))")
            }
            #expect(Set(g.nodes.filter { $0.kind == .host }.map(\.label)) == Set(expected.hosts.keys.map { $0.lowercased() }), "\(expected.key)")
            for (host, stage) in expected.hosts {
                let id = "host:\(host.lowercased())"
                #expect(g.node(id)?.stage?.rawValue == stage, "\(expected.key): \(host)'s stage")
                let owner = try #require(truth.edr.users.first { $0.host.lowercased() == host.lowercased() }).email
                #expect(g.edges.contains { $0.from == "recipient:\(owner)" && $0.to == id && $0.relation == .uses }, "\(expected.key): \(owner) → \(host)")
            }
        }
    }

    /// Every endpoint row the generator planted for a campaign is on that campaign's graph.
    @Test func everyPlantedEndpointStepIsOnTheGraph() throws {
        let scenario = try ScenarioRun.copy()
        let model = try Self.model(scenario)
        let truth = try GroundTruth.scenario()
        var checked = 0
        for attack in truth.edr.attacks {
            let sender = try truth.attack(attack.id).sender.address
            let incident = try #require(model.incidents.first { $0.graph.node("sender:\(sender)") != nil }, "no graph names \(sender)")
            let g = incident.graph
            for person in (attack.recipients ?? []) + (attack.clickers ?? []) {
                let host = person.host.lowercased()
                let events = incident.hostActivity.first { $0.host == host }?.events ?? []
                func linkedFromHost(_ id: String) -> Bool {
                    g.edges.contains { $0.to == id && ($0.from == "host:\(host)" || $0.from.hasPrefix("process:\(host)/")) }
                }
                for row in person.evidence {
                    let locator = "fixtures/scenario/\(row.file):\(row.line)"
                    let e = try #require(events.first { $0.evidence == locator }, "\(attack.id): \(locator) is not in \(host)'s story")
                    let id: String
                    switch e.action {
                    case "process_start":
                        let image = e.process.map { String($0.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? "").lowercased() }
                        id = "process:\(host)/\(e.processID ?? image ?? "?")"
                    case "file_created", "file_modified", "download":
                        id = "file:" + (e.sha256?.lowercased() ?? String(e.file?.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? "").lowercased())
                    default:
                        id = "destination:\(e.destination?.lowercased() ?? "?")"
                    }
                    #expect(g.node(id) != nil, "\(attack.id): \(row.event_type ?? e.action) at \(locator) has no node \(id)")
                    #expect(linkedFromHost(id), "\(attack.id): \(id) is not linked from \(host)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 15, "the scenario plants \(checked) endpoint steps")
    }

    @Test func everyIncidentHasItsGraphInEveryFormat() throws {
        let scenario = try ScenarioRun.copy()
        let model = try Self.model(scenario)
        #expect(model.incidents.allSatisfy { !$0.graph.nodes.isEmpty && !$0.graph.edges.isEmpty })
        let html = try String(contentsOfFile: scenario.out + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "class=\"graph\" width=").count - 1 == model.incidents.count)
        let md = try String(contentsOfFile: scenario.out + "/report.md", encoding: .utf8)
        #expect(md.components(separatedBy: "How it moved (").count - 1 == model.incidents.count)
        // One incident's report carries its graph alone.
        let id = try #require(model.incidents.first).id
        let one = try CLI.run(["report", "--db", scenario.db, "--out", scenario.folder + "/one", "--incident", "\(id)", "--format", "html,json"],
                              environment: ScenarioRun.environment)
        #expect(one.status == 0, "\(one.stderr)")
        let single = try String(contentsOfFile: scenario.folder + "/one/report.html", encoding: .utf8)
        #expect(single.components(separatedBy: "class=\"graph\" width=").count - 1 == 1)
        #expect(single.contains("aria-label=\"graph of incident \(id)\""))
        // The same database draws the same bytes.
        let again = try CLI.run(["report", "--db", scenario.db, "--out", scenario.folder + "/again", "--format", "html"], environment: ScenarioRun.environment)
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: scenario.folder + "/again/report.html", encoding: .utf8) == html)
    }

    static let samples = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/samples").path
    static let samplesPresent = FileManager.default.fileExists(atPath: samples + "/mimecast")

    /// On the public sample exports (data the catalog was not written for, read in place):
    /// every incident's graph joins each of its people to the mail that reached them, from the
    /// mail logs or, where those are missing, from the click and scan rows its findings cite.
    @Test(.enabled(if: samplesPresent, "needs ../shared/samples beside the project"))
    func onThePublicSamplesEveryPersonIsJoinedToTheirMail() throws {
        let work = CLI.scratch()
        let result = try CLI.run(["run", "--input", Self.samples + "/mimecast", "--input", Self.samples + "/edr",
                                  "--db", work + "/case.db", "--out", work + "/out"], environment: ScenarioRun.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let model = try JSONDecoder().decode(ReportModel.self, from: Data(contentsOf: URL(fileURLWithPath: work + "/out/report.json")))
        #expect(model.incidents.count >= 5)
        for incident in model.incidents {
            let g = incident.graph
            #expect(!g.nodes.isEmpty, "incident \(incident.id) (\(incident.key)) has no graph")
            // The administration logs (audit, DLP) are not mail: their incidents draw the account
            // that acted, where it signed in from or the DLP policy it triggered, and no sender.
            let administration = incident.findings.allSatisfy { $0.evidence.allSatisfy { IncidentGraphBuilder.administrationTables.contains($0.table) } }
            if administration {
                #expect(g.nodes.contains { $0.kind == .account }, "incident \(incident.id) (\(incident.key)) draws no account")
                continue
            }
            for person in g.nodes where person.kind == .recipient {
                #expect(g.edges.contains { $0.to == person.id && $0.from.hasPrefix("message:") },
                        "incident \(incident.id) (\(incident.key)): \(person.label) is not joined to a message")
            }
            #expect(g.nodes.contains { $0.kind == .sender }, "incident \(incident.id) (\(incident.key)) names no sender")
        }
    }
}
