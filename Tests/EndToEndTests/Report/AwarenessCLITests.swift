import Foundation
import Testing
@testable import MailScopeKit

/// Awareness Training exports (SafeScore, watch lists) name a person's risk beside them in each
/// incident: the latest score and list count, in report.json, HTML and Markdown; a person no
/// export names has none (which says nothing about their risk).
@Suite struct AwarenessCLITests {
    @Test func thePersonsLatestSafeScoreAndWatchListsStandBesideThemInTheIncident() throws {
        let scenario = try ScenarioRun.copy()
        let out = scenario.folder + "/aware"
        let result = try CLI.run(["run", "--input", CLI.root.appendingPathComponent("fixtures/mimecast/awareness").path,
                                  "--db", scenario.db, "--out", out], environment: ScenarioRun.environment)
        #expect(result.status == 0, "\(result.stderr)")
        try ReportCLITests.validateAgainstSchema(out + "/report.json")
        let model = try JSONDecoder().decode(ReportModel.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        let helen = try #require(model.incidents.flatMap(\.people).first { $0.user == "helen.ashby@acme-corp.example" })
        let profile = try #require(helen.awareness)
        #expect(profile.risk == "D", "the latest of two SafeScore snapshots")
        #expect(profile.watchlists == 3)
        #expect(profile.text == "SafeScore D (human error C, sentiment B, engagement F, knowledge D); on 3 watch lists")
        #expect(model.incidents.flatMap(\.people).filter { $0.user != "helen.ashby@acme-corp.example" }.allSatisfy { $0.awareness == nil })
        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(md.contains("| helen.ashby@acme-corp.example (Awareness Training: SafeScore D \\(human error C, sentiment B, engagement F, knowledge D\\); on 3 watch lists) |"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("Awareness Training: SafeScore D (human error C, sentiment B, engagement F, knowledge D); on 3 watch lists"))
    }
}
