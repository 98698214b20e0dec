import MailScopeKit
import MailScopePostgres

/// The database a reading command (`query`, `triage --list`, `db info`) opens: an SQLite file
/// read-only (nothing written beside it), or a PostgreSQL database in a READ ONLY snapshot.
enum ReadableStore {
    static func open(_ db: String, application: String, requireCurrentSchema: Bool = true) throws -> Database {
        DatabaseLocation.isPostgresURL(db)
            ? try PostgresReader.open(db, application: application)
            : try Database.openForReading(path: db, requireCurrentSchema: requireCurrentSchema)
    }
}
