import Foundation
import MailScopeKit

/// `mailscope hunt --db postgresql://…`: one statement in a READ ONLY transaction with a
/// statement timeout, its parameters bound. Readers never take the writer lock, so a hunt runs
/// while a `mailscope run` loads; the transaction sees the database as of its start.
public enum PostgresHunt {
    /// How long a hunt may run before the server stops it, unless told otherwise.
    public static let defaultTimeoutSeconds = 300

    /// Runs a user's own hunt `sql`, written in MailScope's SQL (the rules' dialect, `:name`
    /// parameters; `PostgresDialect` puts it in PostgreSQL's form), with `parameters` by name.
    public static func run(mailScopeSQL sql: String, source: String, parameters: [String: SQLValue], on connection: PostgresConnection,
                           timeoutSeconds: Int = defaultTimeoutSeconds) throws -> Hunt.Result {
        let translated: PostgresDialect.Translated
        do {
            translated = try PostgresDialect.translate(sql, integerParameters: [])
        } catch {
            throw Hunt.Error.doesNotPrepare(source: source, message: "\(error.problemDescription)", line: error.line, column: error.column,
                                            text: line(error.line, of: sql))
        }
        return try run(sql: translated.sql, source: source, arguments: translated.arguments(parameters), on: connection, timeoutSeconds: timeoutSeconds)
    }

    /// Runs saved hunt `hunt` (called `name` on the command line) with `given` parameters over
    /// evidence in [since, until], checked as on SQLite (`Hunt.bindings`).
    public static func run(_ hunt: Rule, named name: String, parameters given: [String: SQLValue], since: Int64?, until: Int64?,
                           on connection: PostgresConnection, timeoutSeconds: Int = defaultTimeoutSeconds) throws -> Hunt.Result {
        let bindings = try Hunt.bindings(hunt, named: name, parameters: given, since: since, until: until)
        let translated = try PostgresDialect.translate(hunt)
        return try run(sql: translated.sql, source: hunt.source, arguments: translated.arguments(bindings), on: connection, timeoutSeconds: timeoutSeconds)
    }

    static func line(_ number: Int, of sql: String) -> String? {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
        return number >= 1 && number <= lines.count ? String(lines[number - 1]) : nil
    }

    /// Runs `sql` (PostgreSQL SQL with `$n` parameters, `arguments` in that order) read-only,
    /// stopped after `timeoutSeconds`. Errors are `Hunt.Error`s, as for an SQLite database:
    /// a statement that writes, more than one statement, SQL that does not run, a timeout.
    public static func run(sql: String, source: String, arguments: [SQLValue], on connection: PostgresConnection,
                           timeoutSeconds: Int = defaultTimeoutSeconds) throws -> Hunt.Result {
        if sql.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";"))).isEmpty { throw Hunt.Error.noSQL }
        try connection.execute("BEGIN TRANSACTION READ ONLY")
        // Whatever happens, nothing the statement did is kept (a read-only transaction can still
        // take advisory locks or call a function with side effects outside the database).
        defer { _ = try? connection.execute("ROLLBACK") }
        try connection.execute("SELECT set_config('statement_timeout', $1, true)", [.text("\(max(1, timeoutSeconds))s")])
        do {
            let result = try connection.table(sql, arguments, typed: true)
            return Hunt.Result(columns: result.columns, rows: result.rows)
        } catch let error as PostgresError {
            throw huntError(error, source: source, timeoutSeconds: timeoutSeconds)
        }
    }

    /// The `Hunt.Error` for what the server said, by its SQLSTATE.
    static func huntError(_ error: PostgresError, source: String, timeoutSeconds: Int) -> Hunt.Error {
        switch error.sqlState {
        case "25006":       // read_only_sql_transaction
            return .writes
        case "42601" where error.message.contains("multiple commands"):
            return .moreThanOneStatement(rest: "(PostgreSQL runs one statement per hunt)")
        case "57014":       // query_canceled: the statement timeout
            return .failed(message: "stopped after \(timeoutSeconds) s (--timeout); narrow it with --since/--until or a LIMIT, or allow longer")
        case let state? where state.hasPrefix("42"):   // syntax error or access rule violation
            return .doesNotPrepare(source: source, message: error.message, line: nil, column: nil, text: nil)
        default:
            return .failed(message: error.message)
        }
    }
}
