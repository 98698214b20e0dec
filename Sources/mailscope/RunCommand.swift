import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope run`: the whole job, by hand or nightly from cron with `--config`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job: load the inputs, detect, correlate, scope incidents and write the reports.",
        discussion: """
        Loads every input not yet loaded (by SHA-256, so a folder of exports can be given every \
        night), runs the detection and correlation rules over the new data plus a look-back \
        window (--lookback, default 7d; --full for the whole database), groups the findings \
        into incidents, and writes report.html, report.md, report.json, iocs.csv, \
        timeline.jsonl and the ingest summary into --out. With --dated-reports (the default \
        with --config) they go to OUT/YYYY-MM-DD/ (the UTC day the data ends) and OUT/latest \
        points at the newest.

        Every option can come from a YAML file (--config); a value on the command line wins. \
        Keys: db, out, inputs, identities, edr_map, edr_tz, edr_date_order, ti, rules, enable, watch_lists, \
        params, lookback, fail_on, dated_reports, formats, templates (see the README). \
        Relative paths in the file are relative to the file's folder.

        One run at a time per database: a second run exits 4 at once; a lock left by a killed \
        run is taken over with a note.

        Exit codes: 0 done; 1 bad options or config; 2 an input is missing, nothing could be \
        read, or the reports cannot be written; 3 --fail-on matched (an incident at or above \
        that severity gained findings since the last completed run; the reports are written \
        first); 4 another run holds the database.

        Examples:
          mailscope run --input fixtures/scenario/siem_v2 --input fixtures/scenario/ttp --db case.db --out reports/
          mailscope run --input exports/ --input edr/ --identities identities.csv --watch-list vip=vip.txt --ti feed.csv --db case.db --out reports/
          mailscope run --config /etc/mailscope/mailscope.yml --fail-on high      # nightly, from cron
        """
    )

    @Option(name: .long, help: ArgumentHelp("A YAML config file with any of the options below.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "An input file or folder (repeatable; replaces the config's inputs).")
    var input: [String] = []

    @Option(name: .long, help: "The SQLite database (created if missing).")
    var db: String?

    @Option(name: .long, help: "Folder for the reports.")
    var out: String?

    @Option(name: .long, help: ArgumentHelp("How far before the new data the rules look again (default 7d).", valueName: "span"))
    var lookback: TimeSpan?

    @Option(name: .long, help: ArgumentHelp("Check evidence from this time on, instead of the new data and look-back.", valueName: "time"))
    var since: TimeArgument?

    @Flag(name: .long, help: "Run the rules over the whole database (e.g. after adding a threat-intel feed or a rule).")
    var full = false

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when an incident at or above this severity gained findings since the last completed run.", valueName: "severity"))
    var failOn: Rule.Severity?

    @Flag(name: .customLong("dated-reports"), inversion: .prefixedNo, help: "Write the reports to OUT/YYYY-MM-DD/ and point OUT/latest at them (default with --config; otherwise straight into OUT).")
    var datedReports: Bool?

    @OptionGroup var edr: EDROptions

    @OptionGroup var detection: DetectionOptions

    @OptionGroup var output: ReportOptions

    func validate() throws {
        try edr.validate()
        try detection.validate()
        try output.validate()
        if full && since != nil { throw ValidationError("give --full or --since, not both") }
    }

    /// The options after the config file has filled in what the command line left out.
    struct Settings {
        var inputs: [String]
        var db: String
        var out: String
        var lookback: TimeSpan?
        var failOn: Rule.Severity?
        var dated: Bool
        var edr: EDROptions
        var detection: DetectionOptions
        var output: ReportOptions
    }

    func settings() throws -> Settings {
        var file = RunConfig()
        if let config {
            do { file = try RunConfig.load(path: config) } catch {
                Terminal.error(error.description)
                throw ExitCode(1)
            }
        }
        func missing(_ flag: String, _ key: String, _ what: String) -> ExitCode {
            Terminal.error("no \(what): give \(flag)" + (config.map { " or set \(key): in \($0)" } ?? ""))
            return ExitCode(1)
        }
        guard let db = db ?? file.db else { throw missing("--db FILE", "db", "database") }
        guard let out = out ?? file.out else { throw missing("--out DIR", "out", "report folder") }
        let inputs = input.isEmpty ? file.inputs ?? [] : input
        if inputs.isEmpty { throw missing("at least one --input file or folder", "inputs", "inputs") }
        let merged = Settings(inputs: inputs, db: db, out: out, lookback: lookback ?? file.lookback, failOn: failOn ?? file.failOn,
                              dated: datedReports ?? file.datedReports ?? (config != nil), edr: edr.merged(with: file),
                              detection: detection.merged(with: file), output: output.merged(with: file))
        try merged.edr.validate()
        try merged.output.validate()
        return merged
    }

    func run() throws {
        let s = try settings()
        // An unattended run must not go quiet when an export mount is missing, nor load for an
        // hour and then fail to write its reports.
        let missing = s.inputs.filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty {
            for path in missing { Terminal.error("\(path): no such file or folder (an input of this run; is the export folder mounted?)") }
            throw ExitCode(2)
        }
        try IngestRunner.checkInputs(s.inputs + s.edr.identities, db: s.db)
        do { try Database.checkForWriting(path: s.db) } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        do { try ReportFolder.checkWritable(s.out) } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        let prepared = try s.detection.prepare()
        let lock = try RunLockOption.take(s.db)
        defer { lock.release() }
        var options = IngestOptions()
        try s.edr.apply(to: &options)
        let summary = try IngestRunner.run(paths: s.inputs + s.edr.identities, db: s.db, options: options)
        Terminal.write(TerminalText.safe(SummaryPrinter.text(summary), keepNewlines: true))
        let database = try Database(path: s.db)
        let window = try DetectionWindow.decide(database, lookback: s.lookback, since: since?.start, full: full)
        Terminal.write(TerminalText.safe("Detection window: \(window.explanation)") + "\n")
        var recorded = s.detection.recorded
        recorded["config"] = config.map { $0 as Any } ?? NSNull()
        recorded["since"] = window.since.map { $0 as Any } ?? NSNull()
        recorded["lookback"] = (s.lookback ?? DetectionWindow.defaultLookback).text
        recorded["full"] = full
        let runID = try RunRecord.start(database, kind: "run", options: recorded)
        let mark = try IncidentAlert.findingMark(database)
        let (outcomes, incidents, preparedMilliseconds) = try s.detection.run(prepared, on: database, since: window.since)
        try window.markChecked(database)
        let found = outcomes.reduce(0) { $0 + $1.found }, new = outcomes.reduce(0) { $0 + $1.new }
        Terminal.write("Detection: \(outcomes.count) rules run, \(new) new findings (\(found) rows matched); \(DetectionOptions.describe(incidents))\n")
        Terminal.write("Detection " + DetectionOptions.timing(preparedMilliseconds: preparedMilliseconds, outcomes: outcomes, incidents: incidents).lowercased() + "\n")
        let folder = s.dated ? try ReportFolder.dated(out: s.out, day: window.day ?? "undated") : s.out
        try IngestReport.write(database: database, to: folder)
        try RunRecord.finish(database, runID)
        _ = try s.output.write(database: database, rules: prepared.catalog, to: folder)
        if s.dated {
            do {
                let day = window.day ?? "undated"
                let latest = try ReportFolder.pointLatest(out: s.out, day: day)
                if latest != day { Terminal.write("note: \(TerminalText.safe(s.out))/latest stays at \(latest), newer than this run's data (\(day))\n") }
            } catch {
                Terminal.error(error.description)
                throw ExitCode(2)
            }
        }
        print("Reports written to \(TerminalText.safe(folder))")
        let matches = try s.failOn.map { try IncidentAlert.matches(database, atLeast: $0, findingsAfter: mark) } ?? []
        for m in matches {
            Terminal.write(TerminalText.safe("ALERT \(m.severity.rawValue) incident #\(m.id) \(m.key) (\(m.stage)): \(m.title)") + "\n")
        }
        try IncidentAlert.markChecked(database)
        if summary.nothingRead { throw ExitCode(2) }
        if let threshold = s.failOn, !matches.isEmpty {
            Terminal.write("\(matches.count) incident\(matches.count == 1 ? "" : "s") at or above \(threshold.rawValue) gained findings since the last completed run (--fail-on): exit 3\n")
            throw ExitCode(3)
        }
    }
}
