import Foundation
import MailScopeKit
import Testing

/// `--display-tz` on `report` and `run`, `display_tz:` in a config, and `--edr-tz` names in the
/// methodology: the HTML and Markdown show local times with their offset, the machine-read
/// files stay UTC, byte for byte.
@Suite struct DisplayTimeZoneCLITests {
    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func reportShowsBerlinTimesAndKeepsTheJSONInUTC() throws {
        let scenario = try ScenarioRun.copy()
        let out = scenario.folder + "/berlin"
        let r = try CLI.run(["report", "--db", scenario.db, "--out", out, "--display-tz", "Europe/Berlin"], environment: ScenarioRun.environment)
        #expect(r.status == 0, "\(r.stderr)")
        for file in ["report.json", "iocs.csv", "timeline.jsonl", "iocs.stix.json", "iocs.misp.json", "findings.ocsf.jsonl"] {
            #expect(try read(out + "/" + file) == read(scenario.out + "/" + file), "\(file) changed with --display-tz")
        }
        let md = try read(out + "/report.md")
        #expect(md.contains(#"Generated 2026-11-03T01:00:00.000\+01:00"#))
        #expect(md.contains("Times in Europe/Berlin, each with its UTC offset."))
        #expect(md.contains("Times are shown in Europe/Berlin with the UTC offset in force at each"))
        let html = try read(out + "/report.html")
        #expect(html.contains("times in Europe/Berlin, each with its UTC offset"))
        // Every time the UTC report shows is in the Berlin one at +01:00 (the scenario is in November).
        let utcHTML = try read(scenario.out + "/report.html")
        let utcTimes = Set(utcHTML.matches(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/).map { String($0.output) })
        #expect(utcTimes.count > 10)
        let berlin = try TimeZoneOffsets(parsing: "Europe/Berlin")
        for t in utcTimes {
            let ms = try #require(TimeParser.parse(t))
            #expect(html.contains(berlin.iso8601(ms)), "\(t) is not shown in Berlin time")
            #expect(berlin.iso8601(ms).hasSuffix("+01:00"))
        }
        #expect(html.matches(of: /T\d\d:\d\d:\d\d\.\d{3}Z/).isEmpty, "a time is still shown in UTC")
    }

    @Test func runTakesBothZonesFromItsConfigAndRecordsTheEDRZone() throws {
        let dir = CLI.scratch()
        let config = dir + "/mailscope.yml"
        try Data("""
            edr_tz: America/New_York
            display_tz: America/New_York
            dated_reports: false
            """.utf8).write(to: URL(fileURLWithPath: config))
        let r = try CLI.run(["run", "--config", config] + ScenarioRun.arguments + ["--db", dir + "/case.db", "--out", dir + "/out"],
                            environment: ScenarioRun.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try read(dir + "/out/report.md")
        #expect(md.contains("Generated 2026-11-02T19:00:00.000-05:00"))
        #expect(md.contains("EDR times exported without a zone were read in America/New\\_York (--edr-tz)"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/report.json"))) as? [String: Any]
        #expect(json?["edr_tz"] as? String == "America/New_York")
        #expect(json?["generated_at"] as? String == "2026-11-03T00:00:00.000Z")
        try ReportCLITests.validateAgainstSchema(dir + "/out/report.json")
    }

    @Test(arguments: [
        (["report", "--display-tz", "Europe/Berln"], "--display-tz: \"Europe/Berln\" is not a time zone (did you mean Europe/Berlin?)"),
        (["report", "--display-tz", "CET"], "--display-tz: \"CET\" is an abbreviation, not a zone"),
        (["run", "--input", "fixtures/scenario/ttp", "--display-tz", "Mars/Olympus"], "--display-tz: \"Mars/Olympus\" is not a time zone"),
        (["run", "--input", "fixtures/scenario/ttp", "--edr-tz", "EST"], "--edr-tz: \"EST\" is an abbreviation, not a zone"),
    ])
    func aNameThatIsNoZoneIsRefusedWithAnExample(arguments: [String], message: String) throws {
        let dir = CLI.scratch()
        let r = try CLI.run(arguments + ["--db", dir + "/case.db", "--out", dir + "/out"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.contains("IANA zone"), "the message says what would do")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/report.html"))
    }
}
