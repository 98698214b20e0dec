import Foundation
import MailScopeKit

/// A MailScope database in PostgreSQL opened for a command that writes (`detect`): a
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
    public static func openForWriting(_ conninfo: String, application: String) throws -> PostgresStore {
        let connection = try PostgresReader.connect(conninfo, application: application)
        try PostgresWriterLock.acquire(connection)
        return PostgresStore(connection: connection)
    }
}
