import ArgumentParser
import MailScopeKit

/// The `mailscope` command: an offline forensic analyzer for email-borne attacks.
@main
struct MailScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailscope",
        abstract: "Offline forensic analysis of Mimecast log exports and EDR data.",
        discussion: """
        Load gzipped Mimecast exports (API 2.0 SIEM batches, legacy SIEM logs, TTP URL / \
        Attachment / Impersonation logs, threat-intel feeds) and EDR exports (Defender for \
        Endpoint, CrowdStrike, SentinelOne, or a mapped CSV) into one SQLite database; detect, \
        follow each flagged message onto the recipients' computers, scope incidents, and write \
        HTML, Markdown and JSON reports.

        Examples:
          mailscope ingest exports/ --db case.db
          mailscope run --input exports/ --db case.db --out reports/
          mailscope report --db case.db --out reports/
          mailscope db info --db case.db
        """,
        version: MailScopeVersion.string,
        subcommands: [IngestCommand.self, RunCommand.self, DetectCommand.self, ReportCommand.self, RulesCommand.self, HuntCommand.self, DBCommand.self]
    )
}
