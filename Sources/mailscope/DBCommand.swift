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
            guard FileManager.default.fileExists(atPath: db) else {
                Terminal.error("\(db): no such database")
                throw ExitCode(1)
            }
            let database = try Database(path: db, mode: .readOnly)
            print(TerminalText.safe(try DatabaseInfo.describe(database), keepNewlines: true), terminator: "")
        }
    }
}
