import Foundation
import MailScopeKit

/// A MailScope database in PostgreSQL, read through the same code that reads an SQLite file
/// (`SQLReader`): each statement is put in PostgreSQL's form by ``PostgresDialect`` (once per
/// statement text) and its arguments are sent typed, as SQLite binds them.
///
/// ``open(_:application:)`` reads inside one REPEATABLE READ, READ ONLY transaction: every
/// statement of a report sees the database as it was when the report started, while a writer
/// goes on (readers never take the writer lock), and nothing can be changed through it.
public final class PostgresReader: SQLReader {
    public let connection: PostgresConnection
    private var translations: [String: PostgresDialect.Translated] = [:]

    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    public var location: String { connection.target.display }

    public func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [Row] {
        let translated: PostgresDialect.Translated
        if let known = translations[sql] {
            translated = known
        } else {
            translated = try PostgresDialect.translate(sql, integerParameters: [])
            translations[sql] = translated
        }
        var named: [String: SQLValue] = [:]
        for (i, argument) in arguments.enumerated() { named[String(i + 1)] = argument }
        return try connection.rows(translated.sql, translated.arguments(named), typed: true)
    }

    public func cachedRows(_ sql: String, _ arguments: [SQLValue]) throws -> [Row] {
        try rows(sql, arguments)
    }

    /// Connects to the MailScope database `conninfo` names (no password in it: ~/.pgpass or
    /// PGPASSWORD), checks it holds this version's schema, and starts the read-only snapshot.
    public static func open(_ conninfo: String, application: String) throws -> PostgresReader {
        let connection = try connect(conninfo, application: application)
        try connection.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return PostgresReader(connection)
    }

    /// The MailScope database `conninfo` names as a `Database` for the library's readers
    /// (`query`, `triage --list`, `db info`): the same snapshot and READ ONLY transaction as
    /// ``open(_:application:)``.
    public static func openDatabase(_ conninfo: String, application: String) throws -> Database {
        let connection = try connect(conninfo, application: application)
        try connection.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return Database(engine: PostgresEngine(connection))
    }

    /// A connection to the MailScope database `conninfo` names (no password in it), checked to
    /// hold this version's schema, outside any transaction (a hunt starts its own).
    public static func connect(_ conninfo: String, application: String) throws -> PostgresConnection {
        let target = try PostgresTarget(conninfo)
        try target.requireNoPassword()
        let connection = try PostgresConnection(target, applicationName: application)
        try PostgresCopier.requireSchema(connection)
        return connection
    }
}
