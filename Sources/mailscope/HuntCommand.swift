import ArgumentParser
import Foundation
import MailScopeKit
import MailScopePostgres

/// `mailscope hunt NAME | --sql FILE`: saved and ad-hoc hunting queries, read-only.
struct HuntCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hunt",
        abstract: "Run a saved hunt (a rule of kind hunt) or your own read-only SQL.",
        discussion: """
        The database is opened read-only: a hunt cannot change evidence. Parameters are bound, \
        never spliced into the SQL.

        On PostgreSQL (--db postgresql://USER@HOST/DBNAME), \
        a hunt runs in a READ ONLY transaction and is stopped after --timeout seconds. Your own SQL \
        is written as for SQLite (the rules' SQL, :name parameters) and put in PostgreSQL's form, \
        so one hunt file runs on both; LIKE ignores case there too.

        Examples:
          mailscope hunt --db case.db                       # list the saved hunts
          mailscope hunt recipients-of-domain --param domain=acme-c0rp.example --db case.db
          mailscope hunt clicks-on-domain --param domain=acme-c0rp-secure.com --since 2026-11-02 --format csv --db case.db
          echo "SELECT user, COUNT(*) FROM url_click GROUP BY user" | mailscope hunt --sql - --db case.db
          mailscope hunt clicks-on-domain --param domain=acme-c0rp-secure.com --db postgresql://analyst@db.example/mailscope
        """
    )

    @Argument(help: "The hunt's name (its id, or the id's last part in lower case, e.g. recipients-of-domain).")
    var name: String?

    @Option(name: .long, help: "The SQLite database, or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME).")
    var db: String

    @Option(name: .long, help: ArgumentHelp("A file of SQL to run read-only, or - for standard input.", valueName: "file"))
    var sql: String?

    @Option(name: .long, help: ArgumentHelp("A parameter, name=value (repeatable).", valueName: "name=value"))
    var param: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only rows at or after this time (saved hunts; bound as :since in --sql).", valueName: "time"))
    var since: TimeArgument?

    @Option(name: .long, help: ArgumentHelp("Only rows at or before this time (saved hunts; bound as :until in --sql).", valueName: "time"))
    var until: TimeArgument?

    @Option(name: .long, help: "table, csv or json.")
    var format: OutputFormat = .table

    @Option(name: .long, help: ArgumentHelp("PostgreSQL: stop a hunt that runs longer than this many seconds.", valueName: "seconds"))
    var timeout: Int = PostgresHunt.defaultTimeoutSeconds

    @OptionGroup var ruleFolder: RuleFolderOption

    func validate() throws {
        for p in param where !p.contains("=") { throw ValidationError("--param \(p): write it as name=value") }
        if name != nil && sql != nil { throw ValidationError("give a hunt name or --sql, not both") }
        if timeout < 1 { throw ValidationError("--timeout \(timeout): give a number of seconds, 1 or more") }
    }

    func run() throws {
        let store: HuntStore = DatabaseLocation.isPostgresURL(db)
            ? .postgres(try PostgresReader.connect(db, application: "mailscope hunt"))
            : .sqlite(try Database.openForReading(path: db))
        var values: [String: SQLValue] = [:]
        for p in param {
            let (name, value) = SQLValue.parameter(assignment: p)
            values[name] = value
        }
        if let sql {
            values["since"] = .integer(since?.start ?? Int64.min)
            values["until"] = .integer(until?.endInclusive ?? Int64.max)
            let text = sql == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                                  : try String(contentsOfFile: sql, encoding: .utf8)
            let source = sql == "-" ? "<stdin>" : sql
            let result = switch store {
            case .sqlite(let database): try Hunt.run(sql: text, source: source, on: database, parameters: values)
            case .postgres(let connection):
                try PostgresHunt.run(mailScopeSQL: text, source: source, parameters: values, on: connection, timeoutSeconds: timeout)
            }
            print(ResultPrinter.render(columns: result.columns, rows: result.rows, format: format), terminator: "")
            return
        }
        let hunts = try RuleCatalog.load(userDirectory: ruleFolder.rules).rules.filter { $0.kind == .hunt }
        guard let name else {
            for hunt in hunts {
                let params = hunt.params.keys.sorted().map { "--param \($0)=…" }.joined(separator: " ")
                print("\(Hunt.shortName(hunt.id).padding(toLength: 28, withPad: " ", startingAt: 0)) \(hunt.title)  \(params)")
            }
            return
        }
        let hunt = try Hunt.find(name, in: hunts)
        let result = switch store {
        case .sqlite(let database):
            try Hunt.run(hunt, named: name, on: database, parameters: values, since: since?.start, until: until?.endInclusive)
        case .postgres(let connection):
            try PostgresHunt.run(hunt, named: name, parameters: values, since: since?.start, until: until?.endInclusive,
                                 on: connection, timeoutSeconds: timeout)
        }
        print(ResultPrinter.render(columns: result.columns, rows: result.rows, format: format), terminator: "")
    }
}

/// Where a hunt runs.
enum HuntStore {
    case sqlite(Database)
    case postgres(PostgresConnection)
}

/// Output formats for query and hunt results.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Renders result rows: an aligned table (control characters escaped), CSV (formula
/// injection neutralised; control characters escaped when written to a terminal) or JSON
/// (control and bidi characters always written as `\uXXXX`: exact, and inert on a terminal).
enum ResultPrinter {
    /// The widest table cell, in characters: a SHA-256 still fits whole.
    static let cellLimit = 64

    static func render(columns: [String], rows: [[SQLValue]], format: OutputFormat, terminal: Bool = Terminal.stdoutIsTTY) -> String {
        switch format {
        case .json:
            let objects: [[String: Any]] = rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(columns, row).map { ($0, json($1)) })
            }
            let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
            return JSONText.safe(String(decoding: data, as: UTF8.self)) + "\n"
        case .csv:
            return ([columns] + rows.map { $0.map(\.description).map { $0 == "NULL" ? "" : $0 } })
                .map { $0.map { CSVText.cell($0, forTerminal: terminal) }.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        case .table:
            let cells = rows.map { $0.map { value -> String in
                let s = value.isNull ? "" : TerminalText.safe(value.description)
                return s.count > cellLimit ? String(s.prefix(cellLimit - 1)) + "…" : s
            } }
            var widths = columns.map(\.count)
            for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
            func line(_ values: [String]) -> String {
                values.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            }
            var out = line(columns.map { TerminalText.safe($0) }) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
            for row in cells { out += line(row) + "\n" }
            return out + "(\(rows.count) row\(rows.count == 1 ? "" : "s"))\n"
        }
    }

    static func json(_ v: SQLValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .integer(let i): return i
        case .real(let d): return d
        case .text(let s): return s
        }
    }
}
