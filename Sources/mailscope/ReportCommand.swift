import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope report --db FILE --out DIR`: write the reports from the database.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the incident reports (HTML, Markdown, JSON, IOC CSV, timeline) from the database.",
        discussion: """
        Reads the incidents, findings and inputs already in the database (see mailscope run and \
        mailscope detect) and writes report.html (one self-contained file), report.md, \
        report.json (docs/report-schema.json), iocs.csv and timeline.jsonl (Timesketch). The \
        same database gives the same bytes; the report time is SOURCE_DATE_EPOCH when set.

        Examples:
          mailscope report --db case.db --out reports/
          mailscope report --db case.db --out reports/ --format html,json
          SOURCE_DATE_EPOCH=1793664000 mailscope report --db case.db --out reports/ --templates my-templates/
        """
    )

    @Option(name: .long, help: "The SQLite database.")
    var db: String

    @Option(name: .long, help: "Folder for the reports (created if missing).")
    var out: String

    @OptionGroup var output: ReportOptions

    @OptionGroup var ruleFolder: RuleFolderOption

    func validate() throws { try output.validate() }

    func run() throws {
        let catalog = try RulesCommand.loadCatalog(ruleFolder.rules)
        let database = try ReadOnlyDatabase.open(db)
        do { try ReportFolder.checkWritable(out) } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        let paths = try output.write(database: database, rules: catalog.rules, to: out)
        for p in paths { print(TerminalText.safe(p)) }
    }
}

/// `--format` and `--templates`, shared by `report` and `run`.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Which files to write, comma-separated: html, md, json, csv (iocs.csv), timeline (timeline.jsonl). Default: all.", valueName: "list"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("A folder of report.html.mustache / report.md.mustache that replace the bundled templates.", valueName: "dir"))
    var templates: String?

    static let allFormats = "html,md,json,csv,timeline"

    var formats: [ReportWriter.Format] {
        (format ?? Self.allFormats).split(separator: ",").compactMap { ReportWriter.Format(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        for f in (format ?? Self.allFormats).split(separator: ",") where ReportWriter.Format(rawValue: f.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("--format: \(f) is not one of \(ReportWriter.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// These options with the config file's values where the command line gave none.
    func merged(with config: RunConfig) -> ReportOptions {
        var copy = self
        if copy.format == nil, let f = config.formats { copy.format = f.joined(separator: ",") }
        if copy.templates == nil { copy.templates = config.templates }
        return copy
    }

    func write(database: Database, rules: [Rule], to folder: String) throws -> [String] {
        // The detection the reports describe: the last finished run or detect (not a prune).
        let last = try database.query("""
            SELECT command, options FROM run
            WHERE status = 'finished' AND COALESCE(json_extract(options, '$.kind'), 'run') IN ('run', 'detect')
            ORDER BY id DESC LIMIT 1
            """).first
        let options = (last?[1].stringValue).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let enabled = Set(options["enabled"] as? [String] ?? [])
        let parameters = (options["params"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let model = try ReportModel.build(database, options: .init(generatedAt: ReportModel.Options.reportTime(), command: last?[0].stringValue,
                                                                   rules: rules, enabled: enabled, parameters: parameters))
        do {
            return try ReportWriter.write(model, to: folder, formats: formats, templates: templates)
        } catch let error as ReportWriter.TemplateError {
            Terminal.error(error.description)
            throw ExitCode(1)
        } catch {
            Terminal.error("\(folder): the reports could not be written (\(ReportFolder.reason(error))) — free space or give --out another folder, then run `mailscope report` again")
            throw ExitCode(2)
        }
    }
}

/// The `run` table: what was run, by which version, and whether it finished.
enum RunRecord {
    /// The command line as typed, quoted where a shell would need it.
    static var commandLine: String {
        (["mailscope"] + CommandLine.arguments.dropFirst()).map { arg in
            arg.isEmpty || arg.contains(where: { " \"'$`\\|&;<>(){}*?!#~".contains($0) }) ? "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'" : arg
        }.joined(separator: " ")
    }

    /// Records a run starting. The caller holds the run lock, so a run still marked running
    /// was killed: it is marked interrupted.
    /// `kind` is run, detect or prune; `options` holds what an auditor needs to repeat it (the
    /// window, enabled opt-in rules, parameter overrides), as JSON.
    static func start(_ db: Database, kind: String, options: [String: Any] = [:]) throws -> Int64 {
        try db.run("UPDATE run SET status = 'interrupted' WHERE status = 'running'")
        var all = options
        all["kind"] = kind
        let json = String(decoding: try JSONSerialization.data(withJSONObject: all, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        try db.run("INSERT INTO run (started_at, command, version, options, status) VALUES (?, ?, ?, ?, 'running')",
                   [.integer(Int64(Date().timeIntervalSince1970 * 1000)), .text(commandLine), .text(MailScopeVersion.string), .text(json)])
        return db.lastInsertRowID
    }

    static func finish(_ db: Database, _ id: Int64) throws {
        try db.run("UPDATE run SET finished_at = ?, status = 'finished' WHERE id = ?", [.integer(Int64(Date().timeIntervalSince1970 * 1000)), .integer(id)])
    }
}

/// Taking the one-writer lock for a command that changes the database.
enum RunLockOption {
    /// Exit code when another process holds the lock.
    static let busyExitCode: Int32 = 4

    static func take(_ db: String) throws -> RunLock {
        // A file that is not a MailScope database is refused before the lock file is made.
        do { try Database.checkForWriting(path: db) } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        do {
            let lock = try RunLock(databasePath: db, command: RunRecord.commandLine)
            if let stale = lock.staleHolder {
                Terminal.write(TerminalText.safe("note: taking over a stale lock on \(db): the run that held it (\(stale)) ended without releasing it") + "\n")
            }
            return lock
        } catch {
            Terminal.error(error.description)
            switch error {
            case .busy: throw ExitCode(busyExitCode)
            case .unusable: throw ExitCode(2)
            }
        }
    }
}
