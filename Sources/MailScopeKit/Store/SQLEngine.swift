/// A database other than SQLite that a ``Database`` can stand for: PostgreSQL, in
/// MailScopePostgres. The library's code keeps calling `Database` and `Statement`; behind them
/// the engine puts each statement in its own SQL (the SQL in MailScope's sources is SQLite's,
/// kept portable) and runs it. SQLite-only operations (pragmas, checkpoints, the write-ahead
/// log) are the engine's to skip or answer.
public protocol SQLEngine: AnyObject {
    /// Where the database is, for messages: a URL without its password.
    var location: String { get }
    /// Runs one or more statements that take no parameters.
    func execute(_ sql: String) throws
    /// Prepares one statement.
    func prepare(_ sql: String) throws -> any SQLEngineStatement
    /// The id the last INSERT on this connection gave its row.
    func lastInsertRowID() throws -> Int64
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { get }
    /// The MailScope schema version the database holds.
    func schemaVersion() throws -> Int
    /// The database's size on disk, in bytes.
    func sizeBytes() throws -> Int64
    /// The engine's upkeep after an ingest loaded new rows (PostgreSQL: events moved from the
    /// default partition into their month's, statistics gathered).
    func finishLoad() throws
}

/// A prepared statement of an ``SQLEngine``, with the behaviour of an SQLite statement:
/// bind, step through the rows, read a value by position, reset and run again.
public protocol SQLEngineStatement: AnyObject {
    /// The result's column names, in order (known before the first step).
    var columnNames: [String] { get }
    /// The names of the parameters (`:since`; nil for a positional `?`), in order.
    var parameterNames: [String?] { get }
    /// Whether the statement only reads.
    var isReadOnly: Bool { get }
    /// Sets parameter `index` (1-based).
    func bind(_ value: SQLValue, at index: Int) throws
    /// Sets parameter `index` (1-based) to bytes (a BLOB: a dedup key).
    func bind(bytes: [UInt8], at index: Int) throws
    /// Forgets every binding.
    func clearBindings()
    /// Runs the statement on the first call after a reset; true while a row is available.
    func step() throws -> Bool
    /// Column `index` (0-based) of the current row.
    func value(at index: Int) -> SQLValue
    /// Makes the statement ready to run again (bindings are kept).
    func reset()
}
