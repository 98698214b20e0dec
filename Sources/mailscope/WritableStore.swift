import MailScopeKit
import MailScopePostgres

/// The database a writing command (`ingest`, `run`, `detect`, `prune`, `triage`) works on:
/// an SQLite file, which the job checks, creates, locks and opens itself, or a PostgreSQL
/// database (`--db postgresql://…`), opened here with its writer lock held until the command's
/// work is done.
enum WritableStore {
    /// Runs `body` with `job` set to work on `db`. `create`: make the MailScope schema in an
    /// empty PostgreSQL database (`ingest`, `run`), as they create an SQLite file.
    static func with<T>(_ db: String, job: Job, application: String, create: Bool = false, _ body: () throws -> T) throws -> T {
        guard DatabaseLocation.isPostgresURL(db) else { return try body() }
        let store = try PostgresStore.openForWriting(db, application: application, create: create)
        job.openDatabase = store.database
        defer { job.openDatabase = nil }
        return try withExtendedLifetime(store) { try body() }
    }
}
