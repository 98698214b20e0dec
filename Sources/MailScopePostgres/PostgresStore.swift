import Foundation
import MailScopeKit

/// A MailScope database in PostgreSQL opened for a command that writes (`ingest`, `run`,
/// `detect`, `prune`, `triage`): a
/// `Database` on the ``PostgresEngine``, with the database's writer lock held for as long as
/// it stays open. A second writer is refused naming the first; readers go on meanwhile.
public final class PostgresStore {
    public let database: Database
    private let connection: PostgresConnection

    private init(connection: PostgresConnection) {
        self.connection = connection
        self.database = Database(engine: PostgresEngine(connection))
    }

    deinit { try? PostgresWriterLock.release(connection) }

    /// Connects to `conninfo` (no password in it: ~/.pgpass or PGPASSWORD), checks it holds
    /// this version's MailScope schema, and takes the writer lock (or throws `.locked`, exit 4).
    public static func openForWriting(_ conninfo: String, application: String, create: Bool = false) throws -> PostgresStore {
        let connection = try PostgresConnection.open(conninfo, applicationName: application)
        try PostgresWriterLock.acquire(connection)
        if try create && PostgresSchema.recordedVersion(connection) == nil { try createSchema(connection) }
        try PostgresSchema.requireCurrent(connection)
        return PostgresStore(connection: connection)
    }

    /// Creates the MailScope schema in an empty database, in one transaction: the layout of
    /// this version's SQLite schema (``PostgresSchema``, made from a schema built in memory).
    static func createSchema(_ connection: PostgresConnection) throws {
        let template = try Database(path: ":memory:")
        let tables = try PostgresSchema.tables(from: template)
        try PostgresCopier.requireEmpty(connection, tables: tables.map(\.name))
        try connection.execute("BEGIN")
        do {
            for statement in PostgresSchema.preamble { try connection.execute(statement) }
            for table in tables {
                for statement in table.statements { try connection.execute(statement) }
            }
            try PostgresSchema.recordVersion(connection, copiedFrom: nil)
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
