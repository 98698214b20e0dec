import CSQLite

/// A prepared statement. Values are bound by position (1-based, as in SQLite) or by name
/// (`:since`), never spliced into the SQL text. Behind it is SQLite's statement, or for a
/// database of another engine (``SQLEngine``) that engine's.
public final class Statement {
    private enum Storage {
        case sqlite(OpaquePointer)
        case engine(any SQLEngineStatement)
    }
    private let storage: Storage
    /// The SQL this statement was prepared from.
    public let sql: String
    private unowned let database: Database

    /// The text after the first statement, when `sql` held more than one (SQLite prepares
    /// only the first; a caller running user SQL should refuse the rest rather than drop it).
    public let remainder: String

    /// The SQLite statement (the ingest writer binds through it directly). Only an SQLite
    /// database's statements have one.
    var handle: OpaquePointer {
        guard case .sqlite(let handle) = storage else {
            preconditionFailure("an SQLite-only statement operation on \(database.path): \(sql.prefix(80))")
        }
        return handle
    }

    init(database: Database, sql: String) throws {
        self.sql = sql
        self.database = database
        if let engine = database.engine {
            storage = .engine(try engine.prepare(sql))
            remainder = ""
            return
        }
        var stmt: OpaquePointer?
        var rest = ""
        let rc = sql.withCString { base -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(database.handle, base, -1, &stmt, &tail)
            if let tail { rest = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK, let stmt else {
            let offset = sqlite3_error_offset(database.handle)
            throw DatabaseError(code: rc, message: database.lastErrorMessage, sql: sql, offset: offset >= 0 ? Int(offset) : nil)
        }
        self.storage = .sqlite(stmt)
        self.remainder = rest
    }

    deinit { if case .sqlite(let handle) = storage { sqlite3_finalize(handle) } }

    /// Number of result columns.
    public var columnCount: Int {
        switch storage {
        case .sqlite(let handle): Int(sqlite3_column_count(handle))
        case .engine(let statement): statement.columnNames.count
        }
    }

    /// Number of parameters the SQL declares.
    public var parameterCount: Int {
        switch storage {
        case .sqlite(let handle): Int(sqlite3_bind_parameter_count(handle))
        case .engine(let statement): statement.parameterNames.count
        }
    }

    /// The name of result column `index` (0-based).
    public func columnName(_ index: Int) -> String {
        switch storage {
        case .sqlite(let handle): String(cString: sqlite3_column_name(handle, Int32(index)))
        case .engine(let statement): statement.columnNames[index]
        }
    }

    /// The names of all result columns, in order.
    public var columnNames: [String] { (0..<columnCount).map(columnName) }

    /// The name of parameter `index` (1-based), such as `:since`, or nil for `?`.
    public func parameterName(_ index: Int) -> String? {
        switch storage {
        case .sqlite(let handle): sqlite3_bind_parameter_name(handle, Int32(index)).map { String(cString: $0) }
        case .engine(let statement): statement.parameterNames[index - 1]
        }
    }

    /// True when the statement only reads (SQLite's own judgement).
    public var isReadOnly: Bool {
        switch storage {
        case .sqlite(let handle): sqlite3_stmt_readonly(handle) != 0
        case .engine(let statement): statement.isReadOnly
        }
    }

    /// Binds `value` at 1-based `index`.
    public func bind(_ value: SQLValue, at index: Int32) throws {
        if case .engine(let statement) = storage { return try statement.bind(value, at: Int(index)) }
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, sqliteTransient)
        }
        try check(rc)
    }

    /// Binds raw UTF-8 bytes as text without copying; the bytes must stay valid until the
    /// statement is stepped and reset (the ingest batch arena guarantees that).
    func bindText(_ pointer: UnsafePointer<UInt8>, count: Int, at index: Int32) throws {
        if case .engine(let statement) = storage {
            return try statement.bind(.text(String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)), at: Int(index))
        }
        let rc = pointer.withMemoryRebound(to: CChar.self, capacity: count) {
            sqlite3_bind_text(handle, index, $0, Int32(count), nil)
        }
        try check(rc)
    }

    func bindInt(_ value: Int64, at index: Int32) throws {
        if case .engine(let statement) = storage { return try statement.bind(.integer(value), at: Int(index)) }
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bindNull(at index: Int32) throws {
        if case .engine(let statement) = storage { return try statement.bind(.null, at: Int(index)) }
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds `bytes` as a BLOB (copied).
    func bindBlob(_ bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        if case .engine(let statement) = storage { return try statement.bind(bytes: Array(bytes), at: Int(index)) }
        try check(sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient))
    }

    /// Binds `values` to parameters 1…n after clearing earlier bindings.
    public func bind(_ values: [SQLValue]) throws {
        clearBindings()
        for (i, value) in values.enumerated() {
            try bind(value, at: Int32(i + 1))
        }
    }

    /// Binds named parameters (`:since` → value); names the SQL does not use are ignored.
    public func bind(named values: [String: SQLValue]) throws {
        clearBindings()
        for i in 0..<parameterCount {
            guard let name = parameterName(i + 1) else { continue }
            let key = String(name.dropFirst())
            if let value = values[key] ?? values[name] {
                try bind(value, at: Int32(i + 1))
            }
        }
    }

    /// Advances to the next row: true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        if case .engine(let statement) = storage { return try statement.step() }
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = database.lastErrorMessage
            let systemErrno = sqlite3_system_errno(database.handle)
            sqlite3_reset(handle)
            throw DatabaseError(code: rc, message: message, sql: sql, systemErrno: systemErrno)
        }
    }

    /// Resets the statement so it can run again (bindings are kept).
    public func reset() {
        switch storage {
        case .sqlite(let handle): sqlite3_reset(handle)
        case .engine(let statement): statement.reset()
        }
    }

    /// Resets the statement and forgets its bindings.
    func clearBindings() {
        switch storage {
        case .sqlite(let handle):
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        case .engine(let statement):
            statement.reset()
            statement.clearBindings()
        }
    }

    /// The value of result column `index` (0-based) in the current row.
    /// The current row's value of column `name` (`.null` when the result has no such column).
    public func value(named name: String) -> SQLValue {
        guard let index = columnNames.firstIndex(of: name) else { return .null }
        return value(at: index)
    }

    public func value(at index: Int) -> SQLValue {
        if case .engine(let statement) = storage { return statement.value(at: index) }
        let i = Int32(index)
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_NULL: return .null
        default:
            guard let text = sqlite3_column_text(handle, i) else { return .null }
            let count = Int(sqlite3_column_bytes(handle, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK {
            throw DatabaseError(code: rc, message: database.lastErrorMessage, sql: sql, systemErrno: sqlite3_system_errno(database.handle))
        }
    }
}
