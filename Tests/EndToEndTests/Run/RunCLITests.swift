import Foundation
import MailScopeKit
import Testing

/// `mailscope run`: the ingest report, its chain of custody and its reproducibility.
@Suite struct RunCLITests {
    @Test func runWritesAChainOfCustodyReportThatIsByteReproducible() throws {
        let out1 = CLI.scratch() + "/out", out2 = CLI.scratch() + "/out"
        let db1 = CLI.scratch() + "/a.db", db2 = CLI.scratch() + "/b.db"
        let inputs = ScenarioRun.mailExports.flatMap { ["--input", $0] }
        let first = try CLI.run(["run"] + inputs + ["--db", db1, "--out", out1])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLI.run(["run"] + inputs + ["--db", db2, "--out", out2])
        #expect(second.status == 0)
        for name in ["ingest-summary.md", "ingest-summary.json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: out1 + "/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: out2 + "/" + name))
            #expect(a == b, "\(name) differs between two runs on the same input")
        }
        let md = try String(contentsOfFile: out1 + "/ingest-summary.md", encoding: .utf8)
        let database = try Database(path: db1, mode: .readOnly)
        for row in try database.query("SELECT path, sha256 FROM input_file") {
            #expect(md.contains(row[1].stringValue ?? "?"), "report misses the SHA-256 of \(row[0])")
        }
        #expect(md.contains("None: every line was loaded."))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out1 + "/ingest-summary.json"))) as? [String: Any]
        #expect((json?["inputs"] as? [Any])?.count == 26)
        #expect(((json?["rejects"] as? [String: Any])?["total"] as? Int) == 0)
        // Secondary indexes exist after `run`.
        #expect(try database.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'mail_message_msgid'")?.intValue == 1)
    }

    @Test func theCommittedExampleReportIsWhatTheCodeProduces() throws {
        // The standard run is exactly what scripts/example runs (it pins the report time the same way).
        let out = try ScenarioRun.copy().out
        // The command line names this run's own database and folder, and so changes report.json
        // and the report id (its SHA-256) printed in the HTML and Markdown; everything else is equal.
        func comparable(_ name: String, _ data: Data, folder: URL) throws -> String {
            let id = ReportIdentity.reportID(json: try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: id, with: "<report id>")
            return text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("mailscope run --input") }.joined(separator: "\n")
        }
        let example = CLI.root.appendingPathComponent("reports/example")
        for name in ["ingest-summary.md", "ingest-summary.json", "report.md", "report.json", "report.html", "iocs.csv", "timeline.jsonl",
                     "iocs.stix.json", "iocs.misp.json", "findings.ocsf.jsonl"] {
            let fresh = try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))
            let committed = try Data(contentsOf: example.appendingPathComponent(name))
            #expect(try comparable(name, fresh, folder: URL(fileURLWithPath: out)) == comparable(name, committed, folder: example),
                    "reports/example/\(name) is stale: run scripts/example")
        }
    }

    @Test func hostileInputPathsAreEscapedInMarkdown() throws {
        let dir = CLI.scratch()
        let evil = dir + "/a|b <script>alert(1)<\\script> [x](javascript:y).ndjson"
        let good = try String(contentsOf: CLI.root.appendingPathComponent("fixtures/mimecast/siem_v2_events.ndjson"), encoding: .utf8)
        try Data(good.utf8).write(to: URL(fileURLWithPath: evil))
        let out = dir + "/out"
        let result = try CLI.run(["run", "--input", dir, "--db", dir + "/x.db", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let md = try String(contentsOfFile: out + "/ingest-summary.md", encoding: .utf8)
        #expect(!md.contains("<script>"))
        #expect(!md.contains("](javascript:"))
        #expect(md.contains("a\\|b \\<script\\>"))
    }
}
