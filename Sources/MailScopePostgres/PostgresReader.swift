import Foundation
import MailScopeKit

/// Opening a MailScope database in PostgreSQL for a command that only reads. Readers never take
/// the writer lock: they run while a writer goes on.
public enum PostgresReader {
    /// The MailScope database `conninfo` names as a `Database` on the ``PostgresEngine``, inside
    /// one REPEATABLE READ, READ ONLY transaction (`report`, `query`, `triage list`, `db info`):
    /// every statement sees the database as it was when the command started, and nothing can be
    /// changed through it.
    public static func open(_ conninfo: String, application: String) throws -> Database {
        let connection = try connect(conninfo, application: application)
        try connection.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return Database(engine: PostgresEngine(connection))
    }

    /// A connection to the MailScope database `conninfo` names (no password in it: ~/.pgpass or
    /// PGPASSWORD), checked to hold this version's schema, outside any transaction (a hunt
    /// starts its own).
    public static func connect(_ conninfo: String, application: String) throws -> PostgresConnection {
        let connection = try PostgresConnection.open(conninfo, applicationName: application)
        try PostgresSchema.requireCurrent(connection)
        return connection
    }
}
