import ArgumentParser
import Foundation
import MailScopeKit
import MailScopePostgres

/// `mailscope db info --db FILE`: what is in a database.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Inspect the database, or copy it into PostgreSQL.",
        discussion: "Examples:\n  mailscope db info --db case.db\n  mailscope db copy --db case.db --to postgresql://analyst@db.example/mailscope",
        subcommands: [Info.self, Copy.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show schema version, size, inputs, rows and time range per table, rejects, findings, incidents and the last run.",
            discussion: "Example:\n  mailscope db info --db case.db"
        )

        @Option(name: .long, help: "The SQLite database, or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME).")
        var db: String

        func run() throws {
            // An older or newer schema is worth describing too: it says which version it is.
            let text = DatabaseLocation.isPostgresURL(db)
                ? try DatabaseInfo.describe(try ReadableStore.open(db, application: "mailscope db info"))
                : try DatabaseInfo.describe(path: db)
            print(TerminalText.safe(text, keepNewlines: true), terminator: "")
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy an SQLite database, every table and row, into an empty PostgreSQL database.",
            discussion: """
                For a tenant whose history has outgrown one SQLite file (docs/scaling.md). The SQLite file is \
                only read. The copy runs in one transaction under the database's writer lock: if it fails or \
                is stopped, the PostgreSQL database is left as empty as it was, and running it again starts \
                over. A database that already holds MailScope tables is refused.

                Rows keep their ids, events go to their month's partition, dedup keys become bytea, and \
                `extra` stays text holding its JSON, as in the file. PostgreSQL text cannot hold a NUL \
                character: a value with one is stored with U+FFFD in its place, and the copy says how many.

                Give the database as a postgresql:// URL or libpq's key=value form, without a password: \
                libpq reads it from ~/.pgpass or PGPASSWORD, and the other PG* variables (PGHOST, PGUSER, \
                PGSSLMODE…) fill in what the URL leaves out.

                Exit status: 0 copied; 2 the SQLite file or the server stopped the copy (or the target \
                already holds MailScope tables); 4 another mailscope is writing to the target.

                Example:
                  createdb mailscope
                  mailscope db copy --db case.db --to postgresql://analyst@db.example:5432/mailscope
                """
        )

        @Option(name: .long, help: "The SQLite database to copy.")
        var db: String

        @Option(name: .long, help: "The PostgreSQL database to copy into (postgresql://USER@HOST:PORT/DBNAME), empty.")
        var to: String

        func run() throws {
            var tables = 0, rows = 0
            try PostgresCopier.copy(sqlite: db, to: to) { table in
                tables += 1
                rows += table.rows
                var line = "  \(table.table): \(table.rows) \(table.rows == 1 ? "row" : "rows")"
                for (column, count) in table.nulReplaced.sorted(by: { $0.key < $1.key }) {
                    line += "; \(count) values of \(column) held a NUL, stored as U+FFFD"
                }
                print(TerminalText.safe(line))
            }
            let target = try PostgresTarget(to)
            print(TerminalText.safe("copied \(tables) tables, \(rows) rows, from \(db) to \(target.display)"))
        }
    }
}
