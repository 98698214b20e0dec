import Foundation
import Testing
@testable import MailScopeKit

/// The report id and the input manifest hash are what `sha256sum` says they are, so anyone can
/// check a printed page against report.json and against the evidence files.
@Suite struct ReportIdentityTests {
    /// `printf '%s\n' aaaa…bb 1111…22 | sort | sha256sum`
    @Test func inputManifestHashIsTheSHA256OfTheSortedDigestsOnePerLine() {
        let a = "aaaa0000000000000000000000000000000000000000000000000000000000bb"
        let b = "1111000000000000000000000000000000000000000000000000000000000022"
        let expected = "2d65a2c8fbf179028f5ed90b1d2092c355b9012a59bfc1e3b311354bf3cbebac"
        #expect(ReportIdentity.manifestHash([a, b]) == expected)
        #expect(ReportIdentity.manifestHash([b, a.uppercased()]) == expected, "order and case of the inputs do not matter")
        #expect(ReportIdentity.manifestHash([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// The HTML and Markdown carry the first 12 hex digits of report.json's SHA-256.
    @Test func reportIDIsTheStartOfReportJSONsSHA256() throws {
        let inputs = ["aaaa0000000000000000000000000000000000000000000000000000000000bb", "1111000000000000000000000000000000000000000000000000000000000022"]
            .enumerated().map { n, sha in
                ReportModel.Input(path: "day\(n).json.gz", sha256: sha, format: "mimecast_siem_v2", bytes: 10, records: 1, rows: 1, duplicates: 0,
                                  rejected: 0, firstSeen: nil, lastSeen: nil)
            }
        let model = ReportModel(
            tool: .init(name: "mailscope", version: "test"), generatedAt: Timestamp(1_793_664_000_000), command: nil,
            dataWindow: .init(firstSeen: nil, lastSeen: nil),
            summary: .init(incidents: 0, bySeverity: [:], highestSeverity: nil, findings: 0, duetQuestions: 0, recipients: 0, interactedUsers: 0,
                           hosts: 0, actNow: []),
            incidents: [], duet: [], indicators: [], inputs: inputs, rules: [], feeds: [], watchLists: [],
            statistics: .init(rowsByTable: [:], findingsByRule: [:], identities: 0, identityIssues: [:]), rejects: .init(total: 0, byReason: [:]))
        let json = try ReportWriter.json(model)
        #expect(ReportIdentity(model: model, json: "{}\n").reportID == "ca3d163bab05")
        let identity = ReportIdentity(model: model, json: json)
        #expect(identity.inputManifestSHA256 == "2d65a2c8fbf179028f5ed90b1d2092c355b9012a59bfc1e3b311354bf3cbebac")
        let dir = TestPaths.scratch()
        try ReportWriter.write(model, to: dir, formats: [.json, .html, .md])
        #expect(try String(contentsOfFile: dir + "/report.json", encoding: .utf8) == json)
        for name in ["report.html", "report.md"] {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            #expect(text.contains("Report \(name == "report.html" ? "<code>\(identity.reportID)</code>" : identity.reportID)"), "\(name)")
            #expect(text.contains(identity.inputManifestSHA256), "\(name)")
        }
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(html.contains("@top-left { content: \"MailScope report \(identity.reportID)\""))
        #expect(html.contains("@bottom-left { content: \"input manifest SHA-256 \(identity.inputManifestSHA256)\""))
    }
}
