import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope run`: the whole job. For now: ingest, then the chain-of-custody summary report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job: load the inputs, detect, correlate, scope incidents and write the reports.",
        discussion: """
        Loads every input not yet loaded (by SHA-256), runs the detection and correlation \
        rules (findings go to the database; see mailscope detect), groups them into incidents, \
        then writes into --out report.html, report.md, report.json, iocs.csv and \
        timeline.jsonl (see mailscope report) and the ingest summary (ingest-summary.md and \
        .json: each input's path, SHA-256, format, counts and rejects by reason).

        Examples:
          mailscope run --input fixtures/scenario/siem_v2 --input fixtures/scenario/ttp --db case.db --out reports/
          mailscope run --input exports/ --input edr/ --identities identities.csv --watch-list vip=vip.txt --ti feed.csv --db case.db --out reports/
        """
    )

    @Option(name: .long, help: "An input file or folder (repeatable).")
    var input: [String]

    @Option(name: .long, help: "The SQLite database (created if missing).")
    var db: String

    @Option(name: .long, help: "Folder for the reports.")
    var out: String

    @OptionGroup var edr: EDROptions

    @OptionGroup var detection: DetectionOptions

    @OptionGroup var output: ReportOptions

    func validate() throws {
        if input.isEmpty { throw ValidationError("give at least one --input file or folder") }
        try edr.validate()
        try output.validate()
    }

    func run() throws {
        let prepared = try detection.prepare()
        var options = IngestOptions()
        try edr.apply(to: &options)
        let summary = try IngestRunner.run(paths: input + edr.identities, db: db, options: options)
        Terminal.write(TerminalText.safe(SummaryPrinter.text(summary), keepNewlines: true))
        let database = try Database(path: db)
        let runID = try RunRecord.start(database)
        let (outcomes, incidents) = try detection.run(prepared, on: database)
        let found = outcomes.reduce(0) { $0 + $1.found }, new = outcomes.reduce(0) { $0 + $1.new }
        Terminal.write("Detection: \(outcomes.count) rules, \(found) findings (\(new) new); \(DetectionOptions.describe(incidents))\n")
        try IngestReport.write(database: database, to: out)
        try RunRecord.finish(database, runID)
        _ = try output.write(database: database, rules: prepared.catalog, to: out)
        print("Reports written to \(TerminalText.safe(out))")
        if summary.nothingRead { throw ExitCode(2) }
    }
}
