import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope prune --older-than 90d --db FILE`: keep a nightly database to a bounded size.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove old events, keeping findings, incidents, their evidence rows and the evidence manifest.",
        discussion: """
        Deletes events (mail, clicks, attachment scans, impersonation hits, other Mimecast \
        events, EDR events) older than the cut-off. Kept whatever their age: findings and \
        incidents, every row they point at (evidence, correlated rows, stage proofs, all rows \
        of an incident's messages), the input manifest with each file's SHA-256 (so pruned \
        exports are never loaded again), rejects, identities, threat intel, watch lists, the \
        suppression list and triage decisions. \
        Works in batches: a kill leaves a consistent database and running again finishes. \
        Indicator prevalence of incidents older than the cut-off counts only the kept rows \
        after the next rebuild. SQLite reuses the freed pages; --vacuum also shrinks the file \
        (it needs as much free disk as the database and takes the longest).

        Examples:
          mailscope prune --older-than 90d --db case.db --dry-run
          mailscope prune --older-than 90d --db case.db
          mailscope prune --before 2026-08-01 --db case.db --vacuum
          mailscope prune --older-than 90d --db postgresql://mailscope@db.example/acme
        """
    )

    @Option(name: .long, help: "The SQLite database, or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME).")
    var db: String

    @Option(name: .customLong("older-than"), help: ArgumentHelp("Remove events older than this, counted back from now (e.g. 90d).", valueName: "span"))
    var olderThan: TimeSpan?

    @Option(name: .long, help: ArgumentHelp("Remove events before this time instead.", valueName: "time"))
    var before: TimeArgument?

    @Flag(name: .customLong("dry-run"), help: "Only count what would be removed.")
    var dryRun = false

    @Flag(name: .long, help: "Rebuild the file afterwards so it shrinks on disk.")
    var vacuum = false

    func validate() throws {
        if (olderThan == nil) == (before == nil) { throw ValidationError("give either --older-than SPAN or --before TIME") }
        if let olderThan, olderThan.milliseconds == 0 { throw ValidationError("--older-than 0 would remove everything; give a span like 90d") }
    }

    func run() throws {
        let cutoff = before?.start ?? Int64(Date().timeIntervalSince1970 * 1000) - olderThan!.milliseconds
        let job = Job(command: RunRecord.commandLine(CommandLine.arguments))
        job.onEvent = { event in JobPrinter.show(event, progress: Progress()) }
        let outcomes = try WritableStore.with(db, job: job, application: "mailscope prune") {
            try job.prune(database: db, before: cutoff, dryRun: dryRun, vacuum: vacuum)
        }
        print("\(dryRun ? "Would remove" : "Removed") events before \(TimeParser.iso8601(cutoff)):")
        for o in outcomes {
            let n = dryRun ? o.older - o.kept : o.deleted
            print("  \(o.table.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(n).leftPadded(10)) removed  \(String(o.kept).leftPadded(8)) kept as evidence")
        }
        if vacuum && !dryRun { print("Vacuumed.") }
    }
}
