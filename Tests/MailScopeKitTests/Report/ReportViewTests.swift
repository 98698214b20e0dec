import Foundation
import Testing
@testable import MailScopeKit

/// How the HTML and Markdown reports show times: in the display zone (`--display-tz`) with the
/// offset in force at each moment, saying which zone; report.json keeps UTC.
@Suite struct ReportViewTests {
    static let winter: Int64 = 1_793_610_843_120   // 2026-11-02T09:14:03.120Z
    static let summer: Int64 = 1_784_110_443_120   // 2026-07-15T10:14:03.120Z

    @Test(arguments: [
        ("Europe/Berlin", winter, "2026-11-02T10:14:03.120+01:00"),
        ("Europe/Berlin", summer, "2026-07-15T12:14:03.120+02:00"),
        ("America/New_York", winter, "2026-11-02T04:14:03.120-05:00"),
        ("America/New_York", summer, "2026-07-15T06:14:03.120-04:00"),
        ("UTC", winter, "2026-11-02T09:14:03.120Z"),
        ("UTC", summer, "2026-07-15T10:14:03.120Z"),
    ])
    func timesShowTheDisplayZoneWithTheOffsetInForce(zone: String, ms: Int64, text: String) throws {
        let z = try TimeZoneOffsets(parsing: zone)
        #expect(ReportView.time(Timestamp(ms), z) == text)
        #expect(ReportView.time(nil as Timestamp?, z) == "—")
    }

    /// A model with no incidents but times in its header and inputs.
    static func model() throws -> ReportModel {
        try JSONDecoder().decode(ReportModel.self, from: Data(#"""
            {"schema_version":1,"tool":{"name":"mailscope","version":"1"},"generated_at":"2026-11-03T00:00:00.000Z","command":"mailscope run",
             "data_window":{"first_seen":"2026-07-15T10:14:03.120Z","last_seen":"2026-11-02T09:14:03.120Z"},
             "summary":{"incidents":0,"by_severity":{},"findings":0,"duet_questions":0,"recipients":0,"interacted_users":0,"hosts":0,"act_now":[]},
             "incidents":[],"duet":[],"indicators":[],
             "inputs":[{"path":"edr.csv","sha256":"ab","format":"edr_mde","bytes":1,"records":1,"rows":1,"duplicates":0,"rejected":0,
                        "first_seen":"2026-07-15T10:14:03.120Z","last_seen":"2026-11-02T09:14:03.120Z"}],
             "rules":[],"feeds":[],"watch_lists":[],
             "statistics":{"rows_by_table":{},"findings_by_rule":{},"identities":0,"identity_issues":{}},"rejects":{"total":0,"by_reason":{}},"coverage":[]}
            """#.utf8))
    }

    @Test func theReportSaysWhichZoneItsTimesAreShownIn() throws {
        var model = try Self.model()
        model.displayTimeZone = try TimeZoneOffsets(parsing: "Europe/Berlin")
        model.edrTimeZone = "Europe/Berlin"
        let values = ReportView.dictionary(model, format: .markdown)
        #expect(values["generated_at"] as? String == "2026-11-03T01:00:00.000+01:00")
        #expect(values["window_first"] as? String == "2026-07-15T12:14:03.120+02:00")
        #expect(values["window_last"] as? String == "2026-11-02T10:14:03.120+01:00")
        #expect((values["inputs"] as? [[String: Any]])?.first?["first"] as? String == "2026-07-15T12:14:03.120+02:00")
        let dir = TestPaths.scratch()
        try ReportWriter.write(model, to: dir, formats: [.md, .html])
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        // Markdown escapes every + (as it does every character with a meaning somewhere in Markdown).
        #expect(md.contains(#"Data from 2026-07-15T12:14:03.120\+02:00 to 2026-11-02T10:14:03.120\+01:00. Times in Europe/Berlin, each with its UTC offset."#))
        #expect(md.contains("Times are shown in Europe/Berlin with the UTC offset in force at each; report.json, iocs.csv and timeline.jsonl keep UTC."))
        #expect(md.contains("EDR times exported without a zone were read in Europe/Berlin (--edr-tz)"))
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(html.contains(" · times in Europe/Berlin, each with its UTC offset</div>"))
        #expect(!html.contains(".120Z"))
    }

    /// The display zone is the reader's: report.json (and so its SHA-256) is the same bytes
    /// whatever zone the HTML and Markdown show; UTC shows no zone line at all.
    @Test func reportJSONStaysUTCWhateverTheDisplayZone() throws {
        let utc = try Self.model()
        var berlin = utc
        berlin.displayTimeZone = try TimeZoneOffsets(parsing: "Europe/Berlin")
        #expect(try ReportWriter.json(berlin) == ReportWriter.json(utc))
        #expect(try ReportWriter.json(berlin).contains(#""generated_at" : "2026-11-03T00:00:00.000Z""#))
        #expect(!(try ReportWriter.json(berlin).contains("edr_tz")))
        let values = ReportView.dictionary(utc, format: .html)
        #expect(values["has_display_tz"] as? Bool == false)
        #expect(values["has_edr_tz"] as? Bool == false)
        #expect(values["generated_at"] as? String == "2026-11-03T00:00:00.000Z")
        var edr = utc
        edr.edrTimeZone = "-05:00"
        #expect(try ReportWriter.json(edr).contains(#""edr_tz" : "-05:00""#))
    }
}
