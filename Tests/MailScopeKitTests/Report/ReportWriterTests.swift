import Foundation
import Testing
@testable import MailScopeKit

/// The report files ReportWriter renders: every row of every table, user templates escaped like the bundled ones.
@Suite struct ReportWriterTests {
    /// A campaign that reached 40 people: all 40 rows are in the HTML and the Markdown (an
    /// auditor's record leaves nothing out); on screen the long table is collapsed, and the
    /// print stylesheet opens it.
    @Test func largeIncidentsListEveryRowCollapsedOnScreenAndOpenOnPaper() throws {
        let people = (0..<40).map { ReportModel.Person(user: "user\($0)@acme-corp.example", received: true, delivered: true, interacted: false, stage: .delivery, stageEvidence: nil) }
        let incident = ReportModel.Incident(
            id: 1, key: "message:x", title: "Burst", severity: .medium, stage: .delivery, attack: ["T1566"], subjects: ["Hi"],
            firstSeen: Timestamp(1_793_577_600_000), lastSeen: Timestamp(1_793_581_200_000), reasons: ["r"], actions: ["a"],
            recipients: people.map(\.user), deliveredTo: people.map(\.user), interactedUsers: [], hosts: [], people: people,
            hostDetails: [], indicators: .init(), indicatorDetails: [], messages: ["x"], findings: [])
        let model = ReportModel(
            tool: .init(name: "mailscope", version: "test"), generatedAt: Timestamp(1_793_664_000_000), command: nil,
            dataWindow: .init(firstSeen: nil, lastSeen: nil),
            summary: .init(incidents: 1, bySeverity: ["medium": 1], highestSeverity: .medium, findings: 0, duetQuestions: 0,
                           recipients: 40, interactedUsers: 0, hosts: 0, actNow: []),
            incidents: [incident], duet: [], indicators: [], inputs: [], rules: [], feeds: [], watchLists: [],
            statistics: .init(rowsByTable: [:], findingsByRule: [:], identities: 0, identityIssues: [:]), rejects: .init(total: 0, byReason: [:]))
        let dir = TestPaths.scratch()
        try ReportWriter.write(model, to: dir, formats: [.md, .html, .json])
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(md.components(separatedBy: "| delivery | yes | no |").count - 1 == 40)
        #expect(!md.contains("more (all in"))
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        for n in 0..<40 { #expect(html.contains("<span class=\"ev-item\">user\(n)@acme-corp.example</span></td><td>delivery</td>"), "row \(n) missing") }
        #expect(!html.contains("more (all in"))
        let collapsed = try #require(html.range(of: "<details><summary>People (40)</summary>"))
        #expect(html[collapsed.upperBound...].contains("user39@acme-corp.example</span>"), "the rows are inside the collapsed list")
        let print = try #require(html.range(of: "@media print {"))
        #expect(html[print.upperBound...].contains("details::details-content { content-visibility: visible; }"))
        let json = try String(contentsOfFile: dir + "/report.json", encoding: .utf8)
        #expect(json.contains("user39@acme-corp.example"), "the JSON keeps the full list")
    }

    @Test func userTemplatesReplaceTheBundledOnesAndStillEscape() throws {
        let dir = TestPaths.scratch()
        try FileManager.default.createDirectory(atPath: dir + "/t", withIntermediateDirectories: true)
        try Data("{{% CONTENT_TYPE: MARKDOWN }}Incidents: {{incident_count}} by {{tool}} <{{command}}>\n".utf8)
            .write(to: URL(fileURLWithPath: dir + "/t/report.md.mustache"))
        var model = try JSONDecoder().decode(ReportModel.self, from: Data(#"{"schema_version":1,"tool":{"name":"mailscope","version":"1"},"generated_at":"2026-11-03T00:00:00.000Z","command":"[a](javascript:b)","data_window":{},"summary":{"incidents":0,"by_severity":{},"findings":0,"duet_questions":0,"recipients":0,"interacted_users":0,"hosts":0,"act_now":[]},"incidents":[],"duet":[],"indicators":[],"inputs":[],"rules":[],"feeds":[],"watch_lists":[],"statistics":{"rows_by_table":{},"findings_by_rule":{},"identities":0,"identity_issues":{}},"rejects":{"total":0,"by_reason":{}},"coverage":[]}"#.utf8))
        model.summary.incidents = 3
        try ReportWriter.write(model, to: dir + "/out", formats: [.md], templates: dir + "/t")
        #expect(try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8) == "Incidents: 3 by mailscope 1 <\\[a\\]\\(javascript:b\\)>\n")
        try Data("{{#broken}}".utf8).write(to: URL(fileURLWithPath: dir + "/t/report.md.mustache"))
        #expect(throws: ReportWriter.TemplateError.self) { try ReportWriter.write(model, to: dir + "/out2", formats: [.md], templates: dir + "/t") }
    }
}
