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
            let text = try DatabaseInfo.describe(path: db)
            print(TerminalText.safe(text, keepNewlines: true), terminator: "")
        }
    }
}
