import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope triage N --status … --note …` and `mailscope triage list`: an analyst's decisions
/// on incidents, kept in the database across runs, rebuilds and prune.
struct TriageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Record a triage decision on an incident (open, confirmed, false-positive, benign), or list them.",
        discussion: """
        N is the incident's number as the latest report of the database shows it (3 or #3) or \
        its key (domain:acme-c0rp-secure.com). The decision is kept against the key, so it \
        follows the incident when a rebuild renumbers it, and the reports show the status, note, \
        who and when. --fail-on does not alert on an incident triaged false-positive or benign \
        unless it reaches a higher stage than when it was decided (then it alerts, and the \
        reports say new evidence re-opened it); confirmed and open incidents alert as before. A \
        new decision on the same incident replaces the one in force; every decision is kept \
        (`mailscope triage list --history`).

        Exit codes: 0 recorded; 1 bad options or no such incident; 2 no database; 4 a run holds the database.

        Examples:
          mailscope triage 3 --status false-positive --note "vendor newsletter, checked with IT" --db case.db
          mailscope triage domain:acme-c0rp-secure.com --status confirmed --note "credential phish, passwords reset" --by jb --db case.db
          mailscope triage list --db case.db
          mailscope triage 3 --status confirmed --note "reset" --db postgresql://analyst@db.example/acme
        """,
        subcommands: [Decide.self, List.self],
        defaultSubcommand: Decide.self
    )

    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Record a decision (the default: `mailscope triage N …`).",
            discussion: """
            Examples:
              mailscope triage 3 --status benign --note "phishing simulation by the awareness team" --db case.db
              mailscope triage set '#3' --status open --note "re-opened: user reported a second click" --db case.db
            """
        )

        @Argument(help: ArgumentHelp("The incident: its number as the reports show it (3 or #3) or its key.", valueName: "n"))
        var incident: String

        @Option(help: ArgumentHelp("open, confirmed, false-positive or benign.", valueName: "status"))
        var status: Triage.Status

        @Option(help: ArgumentHelp("Why: kept with the decision and shown in the reports.", valueName: "text"))
        var note: String

        @Option(help: ArgumentHelp("Who decided (default: the login name).", valueName: "name"))
        var by: String?

        @Option(help: "The SQLite database, or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME).")
        var db: String

        func validate() throws {
            if note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError(Triage.Error.emptyNote.description) }
            if let by, by.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by is empty: give a name or leave it out for the login name") }
        }

        func run() throws {
            let job = Job(command: RunRecord.commandLine(CommandLine.arguments))
            job.onEvent = { event in JobPrinter.show(event, progress: Progress()) }
            let (d, incident) = try WritableStore.with(db, job: job, application: "mailscope triage") {
                try job.triage(database: db, reference: self.incident, status: status, note: note, by: by ?? Triage.defaultDecider())
            }
            print(TerminalText.safe("Incident #\(incident.id) \(incident.key) (\(incident.severity.rawValue), \(incident.stage.rawValue)): \(incident.title)"))
            print(TerminalText.safe("Recorded \(d.summary): \(d.note)"))
            if d.status.silencesAlerts {
                print("--fail-on will not alert on it unless it reaches a stage above \(d.stage.rawValue).")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the decisions in force: incident, key, status, note, who, when, stage then and now.",
            discussion: """
            One row per incident with a decision, newest first; a decision whose incident is gone \
            (its findings suppressed, a rule removed) is listed without a number. --all adds the \
            incidents nobody has triaged; --history lists every decision ever recorded instead. \
            The database is opened read-only.

            Examples:
              mailscope triage list --db case.db
              mailscope triage list --all --format csv --db case.db
              mailscope triage list --history --format json --db case.db
            """
        )

        @Option(help: "The SQLite database (opened read-only), or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME).")
        var db: String

        @Option(help: "table, csv or json.")
        var format: OutputFormat = .table

        @Flag(help: "Also list the incidents without a decision.")
        var all = false

        @Flag(help: "Every decision ever recorded, newest first, instead of those in force.")
        var history = false

        func run() throws {
            let database = try ReadableStore.open(db, application: "mailscope triage")
            let table = try Triage.list(database, all: all, history: history)
            let shown = format == .table ? QueryOptions.terminalColumns(table) : (columns: table.columns, rows: table.rows)
            QueryOptions.write(ResultPrinter.render(columns: shown.columns, rows: shown.rows, format: format))
        }
    }
}

extension Triage.Status: ExpressibleByArgument {}
