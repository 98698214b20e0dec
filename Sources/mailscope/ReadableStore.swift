import MailScopeKit
import MailScopePostgres

/// The database a reading command (`report`, `query`, `triage list`, `db info`) opens: an
/// SQLite file read-only (nothing written beside it), or a PostgreSQL database in a READ ONLY
/// snapshot.
enum ReadableStore {
    static func open(_ db: String, application: String) throws -> Database {
        DatabaseLocation.isPostgresURL(db)
            ? try PostgresReader.open(db, application: application)
            : try Database.openForReading(path: db)
    }
}
