import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope db info --db FILE`: what is in a database.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Inspect the database.",
        discussion: "Example:\n  mailscope db info --db case.db",
        subcommands: [Info.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show schema version, size, inputs, rows and time range per table, rejects, findings, incidents and the last run.",
            discussion: "Example:\n  mailscope db info --db case.db"
        )

        @Option(name: .long, help: "The SQLite database.")
        var db: String

        func run() throws {
            // An older or newer schema is worth describing too: it says which version it is.
            let database = try ReadOnlyDatabase.open(db, requireCurrentSchema: false)
            let text: String
            do { text = try DatabaseInfo.describe(database) } catch {
                let found = (try? database.userVersion) ?? 0
                guard found != Schema.currentVersion else { throw error }
                Terminal.error(DatabaseReadError.schemaMismatch(path: db, found: found, expected: Schema.currentVersion).description)
                throw ExitCode(2)
            }
            print(TerminalText.safe(text, keepNewlines: true), terminator: "")
        }
    }
}
