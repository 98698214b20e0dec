import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope ingest PATH… --db FILE`: load exports into the database.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load Mimecast exports (files or folders, gzip or plain) into the database.",
        discussion: """
        Files are recognised by their content, not their names. A file whose SHA-256 is already \
        in the database is skipped; an interrupted load resumes where it stopped. Lines that \
        cannot be loaded are kept in the `reject` table with the reason and counted below.

        Exit codes: 0 loaded (rejects are reported, not fatal); 2 nothing at all could be read.

        Examples:
          mailscope ingest siem/2026-11-02/ --db case.db
          mailscope ingest ttp_url_logs.json.gz receipt_20261101.log --db case.db --json
        """
    )

    @Argument(help: "Files or folders to load (folders are read recursively).")
    var paths: [String]

    @Option(name: .long, help: "The SQLite database (created if missing).")
    var db: String

    @Flag(name: .long, help: "Print the summary as JSON on stdout.")
    var json = false

    @Option(name: .long, help: "Longest line or record to load, in bytes; longer ones are rejected.")
    var maxLineBytes: Int = 4 << 20

    @Option(name: .long, help: ArgumentHelp("Rows per committed transaction.", visibility: .hidden))
    var commitRows: Int = 50_000

    @Option(name: .long, help: ArgumentHelp("Lines per parsed batch.", visibility: .hidden))
    var batchLines: Int = 2048

    func validate() throws {
        if maxLineBytes < 1024 { throw ValidationError("--max-line-bytes must be at least 1024") }
        if commitRows < 1 || batchLines < 1 { throw ValidationError("--commit-rows and --batch-lines must be positive") }
    }

    func run() throws {
        var options = IngestOptions()
        options.maxLineBytes = maxLineBytes
        options.commitRows = commitRows
        options.batchUnits = batchLines
        let summary = try IngestRunner.run(paths: paths, db: db, options: options)
        if json {
            print(try SummaryPrinter.json(summary))
        } else {
            print(SummaryPrinter.text(summary), terminator: "")
        }
        if summary.nothingRead { throw ExitCode(2) }
    }
}

/// Runs an ingest with progress on stderr, shared by `ingest` and `run`.
enum IngestRunner {
    static func run(paths: [String], db: String, options: IngestOptions) throws -> IngestSummary {
        let ingester = Ingester(databasePath: db, options: options)
        let progress = Progress()
        ingester.onMessage = { message in progress.message(message) }
        ingester.onProgress = { index, count, path, bytes, size in progress.update(index: index, count: count, path: path, bytes: bytes, size: size) }
        do {
            let summary = try ingester.ingest(paths: paths)
            progress.finish()
            return summary
        } catch let error as IngestError {
            progress.finish()
            Terminal.error(error.description)
            throw ExitCode(2)
        }
    }
}
