import CSQLite
import Foundation

/// `SQLITE_TRANSIENT` is a macro the Swift importer cannot see: it tells SQLite to copy bound text.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A connection to a MailScope SQLite database: a thin wrapper over the sqlite3 C API.
///
/// A connection is not thread-safe; give each thread its own. Values only ever reach SQL as
/// bound parameters (see ``Statement``), never by string interpolation.
public final class Database {
    /// The sqlite3 handle, for the statements of this connection; nil for another engine's.
    private let sqliteHandle: OpaquePointer?
    /// The engine behind this connection when it is not SQLite (PostgreSQL: ``SQLEngine``).
    public let engine: (any SQLEngine)?
    /// The file this connection opened, or for another engine where it is (a URL without its password).
    public let path: String

    /// The sqlite3 handle. Only an SQLite database has one: an SQLite-only operation (a pragma
    /// read through the C API, a checkpoint) on another engine's database is a programming error.
    var handle: OpaquePointer {
        guard let sqliteHandle else { preconditionFailure("an SQLite-only operation on \(path)") }
        return sqliteHandle
    }
    /// Prepared statements kept for `cachedRows`, by SQL text.
    private var statementCache: [String: Statement] = [:]
    private var columnCache: [String: [String: Int]] = [:]
    /// The statement trace of `MAILSCOPE_SQL_TRACE`, when set (see ``SQLTrace``).
    private var trace: SQLTrace?

    /// How to open the database.
    public enum Mode: Sendable {
        /// Read and write, creating the file and migrating the schema when needed.
        case readWrite
        /// Read only, and nothing written beside the file either (used for reports, hunts,
        /// queries and `db info`): see ``readOnlyURI(_:)``. Writes fail with `SQLITE_READONLY`.
        case readOnly
    }

    /// Opens (and for `.readWrite` creates and migrates) the database at `path`.
    public init(path: String, mode: Mode = .readWrite) throws {
        var db: OpaquePointer?
        let rc: Int32
        if mode == .readOnly {
            rc = sqlite3_open_v2(Database.readOnlyURI(path), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil)
        } else {
            rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        }
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw Database.readOnlyProblem(path, mode: mode, code: rc) ?? DatabaseError(code: rc, message: "\(path): \(message)")
        }
        self.sqliteHandle = db
        self.engine = nil
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
        trace = SQLTrace.start(on: db)
        do {
            try configure(mode)
        } catch let error as DatabaseError {
            throw Database.readOnlyProblem(path, mode: mode, code: error.code) ?? error
        }
    }

    /// The pragmas (and for `.readWrite` the migrations) every connection starts with.
    private func configure(_ mode: Mode) throws {
        if mode == .readWrite {
            // Larger pages suit wide event rows and bulk appends; it only takes effect on a
            // new, empty database (before WAL is switched on).
            try execute("PRAGMA page_size=16384")
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=NORMAL")
            try execute("PRAGMA foreign_keys=ON")
            try Schema.migrate(self)
        } else {
            try execute("PRAGMA query_only=ON")
        }
        // Sorts and temporary b-trees spill to disk, so memory stays flat on large GROUP BYs.
        try execute("PRAGMA temp_store=FILE")
        try execute("PRAGMA cache_size=-32768")
    }

    /// The URI a reader opens `path` with, chosen so that reading evidence never writes.
    ///
    /// A plain read-only open of a WAL database creates `-wal` and `-shm` beside it and leaves
    /// them there (measured with SQLite 3.40), and fails outright in a folder that cannot be
    /// written (a write-blocked mount, read-only media). So a database that cannot be written —
    /// on a read-only file system, or the file or its folder not writable (by this user, or
    /// for anyone: `chmod a-w`, as evidence copies are kept, which root's permission bypass
    /// would otherwise ignore) — and that has no `-wal` beside it is opened `immutable=1`: no
    /// locks, no files created, nothing written. Nothing can be writing to it, which is what
    /// makes skipping the locks safe. Otherwise SQLite's ordinary read-only mode is used: its
    /// locks keep a reader consistent while a `mailscope run` writes (measured: an immutable
    /// reader then sees a half-built file), and a `-wal` holds committed data to be read.
    public static func readOnlyURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var encoded = ""
        for byte in absolute.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x20, 0x7F...:
                encoded += String(format: "%%%02X", byte)
            default:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        let immutable = cannotBeWritten(path) && !FileManager.default.fileExists(atPath: path + "-wal")
        return "file://" + encoded + (immutable ? "?mode=ro&immutable=1" : "?mode=ro")
    }

    /// True when nothing can be writing to the database at `path`: its file system is
    /// read-only, or the file or its folder is not writable by this user or by anyone.
    static func cannotBeWritten(_ path: String) -> Bool {
        let parent = (path as NSString).deletingLastPathComponent
        var fs = statvfs()
        if statvfs(path, &fs) == 0 && (fs.f_flag & UInt(ST_RDONLY)) != 0 { return true }
        for p in [path, parent.isEmpty ? "." : parent] {
            if access(p, W_OK) != 0 { return true }
            var info = stat()
            if stat(p, &info) == 0 && (info.st_mode & 0o222) == 0 { return true }
        }
        return false
    }

    /// The sentence for a read-only open that failed because SQLite could not set up reading
    /// the write-ahead log beside the database (it needs to create `-shm`, and the folder is
    /// read-only), or nil when that is not what happened.
    static func readOnlyProblem(_ path: String, mode: Mode, code: Int32) -> DatabaseError? {
        guard mode == .readOnly, [SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_IOERR].contains(code & 0xff),
              FileManager.default.fileExists(atPath: path + "-wal") else { return nil }
        let name = (path as NSString).lastPathComponent
        return DatabaseError(code: code, message: """
            \(path) cannot be read in place: changes are still in its write-ahead log (\(name)-wal), and reading that log \
            needs \(name)-shm beside it, which this folder does not allow (read-only). Copy \(name) together with \(name)-wal \
            to a writable folder and read the copy (the original stays untouched)
            """)
    }

    /// A connection to a database of another engine (PostgreSQL, through MailScopePostgres):
    /// the library's code runs on it unchanged, each statement put in the engine's SQL.
    public init(engine: any SQLEngine) {
        self.sqliteHandle = nil
        self.engine = engine
        self.path = engine.location
    }

    deinit {
        if let sqliteHandle { sqlite3_close_v2(sqliteHandle) }
    }

    /// Runs one or more statements that take no parameters (schema, pragmas).
    public func execute(_ sql: String) throws {
        if let engine { return try engine.execute(sql) }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw DatabaseError(code: rc, message: message, sql: sql, systemErrno: sqlite3_system_errno(handle))
        }
    }

    /// Prepares a statement; bind values with ``Statement/bind(_:at:)``.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `sql` with `arguments` bound and returns every row as an array of values, read by
    /// position. Library code reads rows by name instead (`rows`, `Row.swift`), so a SELECT
    /// that gains a column cannot shift another's value; `RowTests` fails on a positional read
    /// outside `Store/`.
    ///
    /// `package`, not `internal`, only because the end-to-end tests (which import MailScopeKit
    /// without `@testable`) still read their checks this way; make it `internal` once they use
    /// `rows`. Not part of the library's public API.
    package func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var rows: [[SQLValue]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value(at: $0) })
        }
        return rows
    }

    /// The column name → position map of the kept statement for `sql` (made once).
    func cachedColumns(_ sql: String) -> [String: Int]? {
        if let known = columnCache[sql] { return known }
        guard let statement = statementCache[sql] else { return nil }
        var columns: [String: Int] = [:]
        for (i, name) in statement.columnNames.enumerated() where columns[name] == nil { columns[name] = i }
        columnCache[sql] = columns
        return columns
    }

    /// The statement for `sql`, prepared on first use and kept: for the same SQL run many
    /// times with different arguments (incident scoping runs a dozen per incident).
    func cachedStatement(_ sql: String) throws -> Statement {
        if let cached = statementCache[sql] { return cached }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// `query` with the statement kept (`cachedStatement`). Internal: outside `Store/` rows
    /// are read by name (`cachedRows`).
    func cachedQuery(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        var rows: [[SQLValue]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value(at: $0) })
        }
        return rows
    }

    /// Drops the statements kept by `cachedRows`.
    public func clearStatementCache() { statementCache.removeAll(); columnCache.removeAll() }

    /// Runs `sql` with `arguments` bound, for statements that return no rows.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        while try statement.step() {}
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        try query(sql, arguments).first?.first
    }

    /// Runs `body` with `temp.NAME(value TEXT PRIMARY KEY)` holding `values`, dropped after:
    /// how a query asks about many values at once (`… IN (SELECT value FROM temp.NAME)`)
    /// without building SQL from them. `name` comes from code, never from input.
    public func withValueTable<T>(_ name: String, _ values: some Sequence<String>, _ body: () throws -> T) throws -> T {
        try run("DROP TABLE IF EXISTS temp.\(name)")
        try run("CREATE TEMP TABLE \(name) (value TEXT PRIMARY KEY) WITHOUT ROWID")
        defer { try? run("DROP TABLE IF EXISTS temp.\(name)") }
        let insert = try prepare("INSERT OR IGNORE INTO temp.\(name) (value) VALUES (?)")
        for v in values {
            try insert.bind([.text(v)])
            try insert.step()
        }
        return try body()
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 {
        if let engine { return (try? engine.lastInsertRowID()) ?? 0 }
        return sqlite3_last_insert_rowid(handle)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { engine?.changes ?? Int(sqlite3_changes(handle)) }

    var lastErrorMessage: String { engine == nil ? String(cString: sqlite3_errmsg(handle)) : "" }

    /// The schema version recorded in `PRAGMA user_version` (another engine records it its own way).
    public var userVersion: Int {
        get throws {
            if let engine { return try engine.schemaVersion() }
            return Int(try scalar("PRAGMA user_version")?.intValue ?? 0)
        }
    }
}
