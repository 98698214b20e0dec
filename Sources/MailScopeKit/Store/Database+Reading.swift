import CSQLite
import Foundation

/// Why a database could not be opened for reading (`report`, `query`, `hunt`, `db info`).
/// Each message names the file, says what is wrong with it and what to do; the CLI prints it
/// as it is and exits 2 (the input stopped the command).
public enum DatabaseReadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Nothing at that path.
    case missing(path: String)
    /// A folder, not a file.
    case folder(path: String)
    /// The file is not SQLite at all, or SQLite without a MailScope schema.
    case notMailScope(path: String)
    /// Empty, with a writer's lock beside it: a run is creating it right now.
    case beingCreated(path: String)
    /// Written by an older or newer MailScope: a reader cannot migrate it.
    case schemaMismatch(path: String, found: Int, expected: Int)
    /// The file exists but could not be read (permissions, I/O, its write-ahead log).
    case unreadable(path: String, reason: String)
    /// A PostgreSQL URL where an SQLite file is needed: the source of `mailscope db copy`, or a
    /// library call that opens a file itself (the commands open PostgreSQL through
    /// MailScopePostgres first).
    case postgresNotYet(path: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path) does not exist — give the database `mailscope ingest` or `mailscope run` wrote (e.g. `mailscope ingest EXPORTS… --db \(path)` builds one)"
        case .folder(let path):
            return "\(path) is a folder, not a MailScope database — give the database file (e.g. --db \((path as NSString).appendingPathComponent("case.db")))"
        case .notMailScope(let path):
            return "\(path) is not a MailScope database (it is not an SQLite file MailScope wrote) — give the file `mailscope ingest --db` or `mailscope run --db` wrote"
        case .beingCreated(let path):
            return "\(path) holds no MailScope data yet: a mailscope run is creating it (\(path).lock is there) — try again in a moment"
        case .schemaMismatch(let path, let found, let expected) where found < expected:
            return "\(path) has schema version \(found), this mailscope reads \(expected): run `mailscope detect --db \(path)` once to upgrade it (on a copy, to keep the evidence as it is)"
        case .schemaMismatch(let path, let found, let expected):
            return "\(path) has schema version \(found), newer than this mailscope understands (\(expected)); upgrade mailscope"
        case .unreadable(_, let reason):
            return reason
        case .postgresNotYet(let path):
            return DatabaseLocation.postgresNotYetMessage(path)
        }
    }
}

extension Database {
    /// Opens `path` for a command that only reads: read-only and without creating anything
    /// beside it (see ``readOnlyURI(_:)``), after checking it is a MailScope database and, when
    /// `requireCurrentSchema`, of the schema this version reads (a reader cannot migrate).
    public static func openForReading(path: String, requireCurrentSchema: Bool = true) throws(DatabaseReadError) -> Database {
        if DatabaseLocation.isPostgresURL(path) { throw .postgresNotYet(path: path) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missing(path: path) }
        if isFolder.boolValue { throw .folder(path: path) }
        let (db, version, _) = try inspect(path)
        if version == 0 {
            // A run creates the file, then its schema in one transaction: in between, say so.
            if FileManager.default.fileExists(atPath: path + ".lock") { throw .beingCreated(path: path) }
            throw .notMailScope(path: path)
        }
        if requireCurrentSchema && version != Schema.currentVersion {
            throw .schemaMismatch(path: path, found: version, expected: Schema.currentVersion)
        }
        return db
    }
}

extension Database {
    /// For a command that changes a database that must already be there (`detect`, `prune`,
    /// `triage`): nothing is created when it is missing (or a PostgreSQL URL).
    public static func checkExists(path: String) throws(DatabaseReadError) {
        if DatabaseLocation.isPostgresURL(path) { throw .postgresNotYet(path: path) }
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
    }

    /// Checks a path before a command that writes (`ingest`, `run`, `detect`, `prune`) takes its
    /// lock or creates anything: nothing there (a new database), an empty file, or a MailScope
    /// database this version can migrate. A file that is not SQLite, another program's SQLite
    /// file (tables but no MailScope schema) or a newer MailScope's database is refused, so
    /// MailScope never writes its schema into someone else's file.
    public static func checkForWriting(path: String) throws(DatabaseReadError) {
        if DatabaseLocation.isPostgresURL(path) { throw .postgresNotYet(path: path) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
        if isFolder.boolValue { throw .folder(path: path) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 { return }
        let (_, version, tables) = try inspect(path)
        if version == 0 && tables > 0 { throw .notMailScope(path: path) }
        if version > Schema.currentVersion { throw .schemaMismatch(path: path, found: version, expected: Schema.currentVersion) }
    }
}

extension Database {
    /// Opens an existing file read-only and reads its schema version and table count (which
    /// makes SQLite read the file), turning SQLite's errors into one sentence each: what the
    /// reader and the writer checks both ask first.
    private static func inspect(_ path: String) throws(DatabaseReadError) -> (db: Database, version: Int, tables: Int64) {
        do {
            let db = try Database(path: path, mode: .readOnly)
            let version = try db.userVersion
            let tables = try db.scalar("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'")?.intValue ?? 0
            return (db, version, tables)
        } catch let error as DatabaseError {
            switch error.code & 0xff {
            case SQLITE_NOTADB, SQLITE_CORRUPT:
                throw .notMailScope(path: path)
            default:
                if let problem = readOnlyProblem(path, mode: .readOnly, code: error.code) {
                    throw .unreadable(path: path, reason: problem.message)
                }
                let reason = error.systemErrno != 0 ? String(cString: strerror(error.systemErrno)) : String(cString: sqlite3_errstr(error.code))
                throw .unreadable(path: path, reason: "\(path) cannot be read (\(reason)) — check the file and its permissions")
            }
        } catch {
            throw .unreadable(path: path, reason: "\(path) cannot be read (\(error))")
        }
    }
}
