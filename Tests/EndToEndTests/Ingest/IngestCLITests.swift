import Foundation
import MailScopeKit
import Testing

/// The built CLI on the scenario fixtures, checked against their ground truth.
@Suite struct IngestCLITests {
    @Test func ingestLoadsTheScenarioAndSkipsItsPlantedDuplicates() throws {
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest"] + ScenarioRun.mailExports + ["--db", db, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONDecoder().decode(IngestSummary.self, from: Data(result.stdout.utf8))
        let truth = try GroundTruth.scenario()
        #expect(summary.files.count == truth.files.count)
        #expect(summary.duplicates == truth.expected_duplicates)
        #expect(summary.rejected == 0)
        #expect(summary.files.allSatisfy { $0.status == .loaded })
        let expectedEvents = truth.files.reduce(0) { $0 + ($1.records ?? $1.lines ?? 0) }
        #expect(summary.records == expectedEvents)
        #expect(summary.rows + summary.duplicates == expectedEvents)
        // Every row points back to its file and line.
        let database = try Database(path: db, mode: .readOnly)
        for table in ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event"] {
            let orphans = try database.scalar("SELECT COUNT(*) FROM \(table) t LEFT JOIN input_file f ON f.id = t.file_id WHERE f.id IS NULL OR t.line_no < 1")
            #expect(orphans?.intValue == 0)
        }
    }

    @Test func textSummaryNamesTablesAndSpeed() throws {
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest", "fixtures/scenario/ttp", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Files: 4 (4 loaded)"))
        #expect(result.stdout.contains("url_click"))
        #expect(result.stdout.contains("attachment_scan"))
        #expect(result.stdout.contains("events/s"))
        // Not a terminal: plain progress lines, no escape codes.
        #expect(result.stderr.contains("[1/4]"))
        #expect(!result.stderr.contains("\u{1B}"))
    }

    @Test func secondRunLoadsNothingNew() throws {
        let db = CLI.scratch() + "/case.db"
        _ = try CLI.run(["ingest", "fixtures/scenario/ttp", "--db", db])
        let again = try CLI.run(["ingest", "fixtures/scenario/ttp", "--db", db, "--json"])
        #expect(again.status == 0)
        let summary = try JSONDecoder().decode(IngestSummary.self, from: Data(again.stdout.utf8))
        #expect(summary.rows == 0)
        #expect(summary.files.allSatisfy { $0.status == .alreadyLoaded })
        // Counted in the summary, not one line per file.
        #expect(!again.stderr.contains("already loaded"))
        let text = try CLI.run(["ingest", "fixtures/scenario/ttp", "--db", db])
        #expect(text.stdout.contains("already loaded)"), "\(text.stdout)")
    }

    @Test func nothingReadableExitsTwo() throws {
        let dir = CLI.scratch()
        try Data().write(to: URL(fileURLWithPath: dir + "/empty.json.gz"))
        let result = try CLI.run(["ingest", dir, "--db", dir + "/x.db"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("empty file"))
        let missing = try CLI.run(["ingest", dir + "/nope", "--db", dir + "/y.db"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file or folder"))
    }

    @Test func badLinesAreReportedWithFileAndLineButDoNotFailTheRun() throws {
        let dir = CLI.scratch()
        let good = try String(contentsOf: CLI.root.appendingPathComponent("fixtures/mimecast/siem_v2_events.ndjson"), encoding: .utf8)
            .split(separator: "\n").prefix(3).joined(separator: "\n")
        try Data((good + "\n{\"type\":\"receipt\" oops\n").utf8).write(to: URL(fileURLWithPath: dir + "/day.ndjson"))
        let result = try CLI.run(["ingest", dir + "/day.ndjson", "--db", dir + "/x.db"])
        #expect(result.status == 0)
        #expect(result.stderr.contains(dir + "/day.ndjson:4: malformed_json"))
        #expect(result.stdout.contains("malformed_json"))
        #expect(result.stdout.contains("1 rejected"))
    }

    @Test func hostileFileNamesCannotDriveTheTerminal() throws {
        let dir = CLI.scratch()
        let evil = dir + "/evil\u{1B}[2J\u{202E}gpj.ndjson"
        try Data("{\"not\":\"mimecast\"}\n".utf8).write(to: URL(fileURLWithPath: evil))
        let result = try CLI.run(["ingest", dir, "--db", dir + "/x.db"])
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(!result.stderr.contains("\u{202E}"))
        #expect(result.stderr.contains("\\u{1B}[2J\\u{202E}gpj.ndjson"))
    }

    @Test func helpShowsExamples() throws {
        let result = try CLI.run(["ingest", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("--db"))
    }
}
