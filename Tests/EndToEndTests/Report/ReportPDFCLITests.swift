import Foundation
import MailScopeKit
import Testing

/// `mailscope report --format pdf`: the printed report is the whole record. Its text (as
/// pdftotext reads it) holds every finding id and every evidence locator of report.json, no
/// word of a table is broken across lines, and every page names the report and its inputs.
@Suite struct ReportPDFCLITests {
    /// The first executable `name` on PATH.
    static func onPath(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let toolsPresent = (try? PDFRenderer.locate()) != nil && onPath("pdftotext") != nil

    /// The text of `pdf` as `pdftotext -layout` lays it out (a table row stays on one line).
    static func text(of pdf: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: onPath("pdftotext") ?? "/usr/bin/pdftotext")
        process.arguments = ["-layout", "-enc", "UTF-8", pdf, "-"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Every `{"file", "line", "record"?}` object anywhere in report.json, as its locator.
    static func locators(in value: Any) -> Set<String> {
        if let object = value as? [String: Any] {
            var found = Set(object.values.flatMap { locators(in: $0) })
            if let file = object["file"] as? String, let line = object["line"] as? Int {
                found.insert(EvidenceLocator.text(file: file, line: Int64(line), record: (object["record"] as? Int).map(Int64.init)))
            }
            return found
        }
        if let array = value as? [Any] { return Set(array.flatMap { locators(in: $0) }) }
        return []
    }

    /// The text of every table cell and header the stylesheet keeps on one line (no class, or
    /// `mono`/`num`; `.text`, `.val` and `.ev` cells may wrap), read from report.html.
    static func unbreakableCells(in html: String) throws -> Set<String> {
        let cell = try NSRegularExpression(pattern: #"<(td|th)(?: class="(?:mono|num)")?>([^<]+)</(?:td|th)>"#)
        let range = NSRange(html.startIndex..., in: html)
        var texts = Set<String>()
        for match in cell.matches(in: html, range: range) {
            guard let r = Range(match.range(at: 2), in: html) else { continue }
            let text = String(html[r]).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .trimmingCharacters(in: .whitespaces)
            if !text.isEmpty { texts.insert(text) }
        }
        return texts
    }

    @Test(.enabled(if: toolsPresent, "needs Chromium and pdftotext: apt-get install chromium poppler-utils (scripts/install-deps does)"))
    func thePDFHoldsEveryFindingAndEvidenceLocatorAndBreaksNoWord() throws {
        let scenario = try ScenarioRun.copy()
        let out = scenario.folder + "/pdf"
        let result = try CLI.run(["report", "--db", scenario.db, "--out", out, "--format", "json,html,pdf"], environment: ScenarioRun.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("report.pdf\n"), "report.pdf is written last: \(result.stdout)")
        let jsonText = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        let json = try JSONSerialization.jsonObject(with: Data(jsonText.utf8))
        let text = try Self.text(of: out + "/report.pdf")
        let lines = Set(text.split(separator: "\n").map(String.init))
        func onOneLine(_ s: String) -> Bool { text.contains(s) }

        // Every finding (its id as shown, F<n>, and its rule id@version) and every evidence locator.
        let incidents = (json as? [String: Any])?["incidents"] as? [[String: Any]] ?? []
        let findings = incidents.flatMap { $0["findings"] as? [[String: Any]] ?? [] }
        #expect(findings.count > 100)
        for f in findings {
            let id = "F\(f["id"] as? Int ?? -1)", rule = "\(f["rule_id"] as? String ?? "?")@\(f["rule_version"] as? Int ?? -1)"
            #expect(onOneLine(id), "finding \(id) is not in the PDF")
            #expect(onOneLine(rule), "rule \(rule) is not in the PDF whole")
        }
        let locators = Self.locators(in: json)
        #expect(locators.count > 100)
        for locator in locators.sorted() { #expect(onOneLine(locator), "evidence \(locator) is not on one line of the PDF") }

        // No word of a table is broken: every cell that holds an id, time, stage, severity,
        // rule, number or name, and every column header, is whole on one line.
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        let cells = try Self.unbreakableCells(in: html)
        for stage in ["delivery", "interaction", "execution", "command-and-control", "Stage", "First seen"] { #expect(cells.contains(stage)) }
        for cell in cells.sorted() { #expect(onOneLine(cell), "table cell \"\(cell)\" is broken across lines in the PDF") }
        #expect(!lines.contains { $0.hasSuffix("Stag") || $0.hasSuffix("MS-") }, "a split like \"Stag e\" or \"MS- URL\"")

        // Every incident's graph is printed, its labels as text.
        #expect(text.components(separatedBy: "How it moved:").count - 1 == incidents.count)
        #expect(text.contains("The mail: who sent what to whom"))

        // Every page names the report, its inputs and its number.
        let identity = ReportIdentity(model: try JSONDecoder().decode(ReportModel.self, from: Data(jsonText.utf8)), json: jsonText)
        let pages = text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(pages.count > 10)
        for (n, page) in pages.enumerated() {
            #expect(page.contains("MailScope report \(identity.reportID)"), "page \(n + 1) lacks the report id")
            #expect(page.contains("input manifest SHA-256 \(identity.inputManifestSHA256)"), "page \(n + 1) lacks the input manifest hash")
            #expect(page.contains("page \(n + 1) / \(pages.count)"), "page \(n + 1) lacks its number")
        }

        // The same report prints to the same bytes (the PDF carries the report's time, not the printing time).
        let again = try CLI.run(["report", "--db", scenario.db, "--out", scenario.folder + "/again", "--format", "pdf"], environment: ScenarioRun.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.pdf")) == Data(contentsOf: URL(fileURLWithPath: scenario.folder + "/again/report.pdf")))
    }

    /// reports/example/report.pdf is a printout of reports/example/report.json: its pages carry
    /// that JSON's report id (a PDF left behind when the example was regenerated does not).
    @Test(.enabled(if: onPath("pdftotext") != nil, "needs pdftotext: apt-get install poppler-utils (scripts/install-deps --pdf does)"))
    func theCommittedExamplePDFIsThePrintOfTheCommittedReport() throws {
        let example = CLI.root.appendingPathComponent("reports/example")
        let id = ReportIdentity.reportID(json: try String(contentsOf: example.appendingPathComponent("report.json"), encoding: .utf8))
        let text = try Self.text(of: example.appendingPathComponent("report.pdf").path)
        #expect(text.contains("MailScope report \(id)"), "reports/example/report.pdf is stale: run scripts/example (with Chromium installed)")
    }

    /// Without a browser the other files are written and the message names the package.
    @Test func withoutChromiumTheMessageNamesThePackageAndTheOtherFilesAreWritten() throws {
        let scenario = try ScenarioRun.copy()
        let out = scenario.folder + "/nobrowser"
        let result = try CLI.run(["report", "--db", scenario.db, "--out", out, "--format", "html,pdf"],
                                 environment: ["PATH": "/nonexistent", PDFRenderer.browserVariable: ""])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no Chromium found"), "\(result.stderr)")
        #expect(result.stderr.contains("apt-get install chromium"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
        #expect(!FileManager.default.fileExists(atPath: out + "/report.pdf"))
    }
}
