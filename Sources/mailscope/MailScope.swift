import ArgumentParser
import Foundation
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
          mailscope run --config mailscope.yml --fail-on high
          mailscope query user nadia.petrova@acme-corp.example --db case.db
          mailscope hunt --db case.db
          mailscope triage 3 --status false-positive --note "vendor newsletter" --db case.db
          mailscope prune --older-than 90d --db case.db
          mailscope db info --db case.db

        Shell completions: mailscope --generate-completion-script bash|zsh|fish
        """,
        version: versionText,
        subcommands: [IngestCommand.self, RunCommand.self, DetectCommand.self, ReportCommand.self, RulesCommand.self, HuntCommand.self, QueryCommand.self, TriageCommand.self, PruneCommand.self, DBCommand.self]
    )

    /// What `--version` prints: the version, the commit it was built from, and the SQLite library
    /// it runs with (the server's, which may differ from the one it was built against).
    static var versionText: String {
        "mailscope \(MailScopeVersion.string) (\(BuildCommit.value))\nSQLite \(MailScopeVersion.sqliteLibrary)"
    }

    /// Runs the command. Library errors carry their exit code (`ExitCoded`) and are printed
    /// here, once; usage errors exit 1 (as the exit codes in every command's help say), not
    /// argument-parser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any ExitCoded {
            report(error)
            Foundation.exit(error.exitCode)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }

    /// An error's description on stderr: each line as an error, except indented lines, which
    /// continue the one before (an SQL line and a caret under the problem). Outcomes that are
    /// not errors (`--fail-on` matched) print as plain lines.
    static func report(_ error: any ExitCoded) {
        for line in error.description.split(separator: "\n").map(String.init) {
            if !error.isError || line.hasPrefix(" ") {
                Terminal.write(TerminalText.safe(line) + "\n")
            } else {
                Terminal.error(line)
            }
        }
    }
}
