import CLibPQ
import Foundation
import MailScopeKit

/// One libpq connection: statements with bound parameters, rows read by column name (the same
/// `Row` the SQLite store returns), COPY for loading, and the database's writer lock.
///
/// Values travel as text both ways, so what a rule compares is what was stored: integers,
/// booleans and floating-point columns come back as `.integer` / `.real`, everything else as
/// `.text`. The client encoding is UTF-8. Not thread-safe: one connection per thread, as libpq
/// requires.
public final class PostgresConnection {
    public let target: PostgresTarget
    private let handle: OpaquePointer

    /// Connects to `target`; libpq reads what the string leaves out from the PG* environment
    /// variables and ~/.pgpass.
    public init(_ target: PostgresTarget, applicationName: String = "mailscope") throws {
        self.target = target
        let keywords = ["dbname", "fallback_application_name", "client_encoding"]
        let values = [target.conninfo, applicationName, "UTF8"]
        let connection = PostgresConnection.withCStrings(keywords) { k in
            PostgresConnection.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection", target: target.display)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message, target: target.display)
        }
        handle = connection
        // The server's NOTICEs ("already exists, skipping") are not for the user; warnings and
        // errors still come through.
        _ = try execute("SET client_min_messages = warning")
    }

    deinit { PQfinish(handle) }

    /// Connects to the database `conninfo` names for a command: a connection string with a
    /// password in it is refused (``PostgresTarget/requireNoPassword()``).
    public static func open(_ conninfo: String, applicationName: String) throws -> PostgresConnection {
        let target = try PostgresTarget(conninfo)
        try target.requireNoPassword()
        return try PostgresConnection(target, applicationName: applicationName)
    }

    /// The server's version as PostgreSQL numbers it (150018 for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The server process serving this connection.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Runs `sql` (one statement when there are arguments; any number without) and returns the
    /// number of rows it changed, when it says.
    @discardableResult
    public func execute(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The rows of `sql`, each readable by column name.
    ///
    /// With `typed`, each argument is sent with its type (`.integer` as bigint, `.real` as
    /// double precision, `.text` as text; `.null` untyped), as SQLite binds them, so that
    /// `? IS NULL OR ts >= ?` needs no cast in the SQL; otherwise the server infers each
    /// parameter's type from where it stands.
    public func rows(_ sql: String, _ arguments: [SQLValue] = [], typed: Bool = false) throws -> [Row] {
        let result = try run(sql, arguments, typed: typed)
        defer { PQclear(result) }
        let columnCount = Int(PQnfields(result))
        var columns: [String: Int] = [:]
        var types: [Oid] = []
        for i in 0..<columnCount {
            let name = String(cString: PQfname(result, Int32(i)))
            if columns[name] == nil { columns[name] = i }
            types.append(PQftype(result, Int32(i)))
        }
        var rows: [Row] = []
        for r in 0..<PQntuples(result) {
            var values: [SQLValue] = []
            values.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                if PQgetisnull(result, r, Int32(c)) == 1 {
                    values.append(.null)
                } else {
                    values.append(PostgresConnection.value(String(cString: PQgetvalue(result, r, Int32(c))), type: types[c]))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    /// Loads `rows` into `table` (its `columns`, in order) with `COPY … FROM STDIN` in text form,
    /// in chunks of about a megabyte; returns the rows the server stored. Text is escaped as
    /// COPY reads it (backslash, tab, newline, carriage return), `.null` is `\N`. One COPY is
    /// one statement: it stores every row or none.
    @discardableResult
    public func copy<Rows: Sequence>(into table: String, columns: [String], rows: Rows) throws -> Int where Rows.Element == [SQLValue] {
        let names = try columns.map(quotedIdentifier).joined(separator: ", ")
        let sql = "COPY \(try quotedIdentifier(table)) (\(names)) FROM STDIN"
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_IN else { throw failure(start, kind: .copy, sql: sql) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var sent = 0
        func flush() throws {
            guard !buffer.isEmpty else { return }
            let ok = buffer.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { PQputCopyData(handle, $0, Int32(bytes.count)) }
            }
            guard ok == 1 else { throw failure(nil, kind: .copy, sql: sql) }
            buffer.removeAll(keepingCapacity: true)
        }
        do {
            for row in rows {
                guard row.count == columns.count else {
                    throw PostgresError(kind: .copy, message: "row \(sent + 1) has \(row.count) values for \(columns.count) columns",
                                        sql: sql, target: target.display)
                }
                for (i, value) in row.enumerated() {
                    if i > 0 { buffer.append(UInt8(ascii: "\t")) }
                    try PostgresConnection.appendCopyText(value, to: &buffer, row: sent + 1, column: columns[i], target: target, sql: sql)
                }
                buffer.append(UInt8(ascii: "\n"))
                sent += 1
                if buffer.count >= 1 << 20 { try flush() }
            }
            try flush()
        } catch {
            // Abandon the COPY: the server discards what it received, and the connection stays usable.
            _ = PQputCopyEnd(handle, "abandoned by the client")
            while let result = PQgetResult(handle) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            throw failure(nil, kind: .copy, sql: sql)
        }
        var stored = 0
        var problem: PostgresError?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                stored = Int(String(cString: PQcmdTuples(result))) ?? stored
            } else if problem == nil {
                problem = failure(result, kind: .copy, sql: sql)
            }
            PQclear(result)
        }
        if let problem { throw problem }
        return stored
    }

    /// `name` quoted as an SQL identifier by libpq (for table and column names from code).
    public func quotedIdentifier(_ name: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw failure(nil, kind: .statement, sql: nil)
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: - Internals

    /// The columns, in order, and the rows of one statement `sql` as values: for results shown as
    /// they come (a hunt's table). Unlike `rows`, more than one statement is refused by the server
    /// even without arguments (it runs as an extended-protocol statement).
    public func table(_ sql: String, _ arguments: [SQLValue] = [], typed: Bool = false) throws -> (columns: [String], rows: [[SQLValue]]) {
        let result = try statement(sql, arguments, typed: typed)
        return (result.columns, result.rows)
    }

    /// What one statement returned: its columns in order, its rows, and the rows it changed.
    public struct StatementResult: Sendable {
        public let columns: [String]
        public let rows: [[SQLValue]]
        public let changed: Int
    }

    /// Runs one statement `sql` (refused by the server when it holds more) and returns its
    /// result whole (`table`'s, with the rows it changed).
    /// With `typed`, the arguments at `untyped` (0-based) are still sent untyped: a `bytea`
    /// value in its text form (`\\x…`), which the server reads by the column it goes to.
    public func statement(_ sql: String, _ arguments: [SQLValue] = [], typed: Bool = false, untyped: Set<Int> = []) throws -> StatementResult {
        let result = try run(sql, arguments, oneStatement: true, typed: typed, untyped: untyped)
        defer { PQclear(result) }
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<columnCount).map { PQftype(result, Int32($0)) }
        var rows: [[SQLValue]] = []
        for r in 0..<PQntuples(result) {
            rows.append((0..<columnCount).map { c in
                PQgetisnull(result, r, Int32(c)) == 1 ? .null
                    : PostgresConnection.value(String(cString: PQgetvalue(result, r, Int32(c))), type: types[c])
            })
        }
        return StatementResult(columns: columns, rows: rows, changed: Int(String(cString: PQcmdTuples(result))) ?? 0)
    }

    /// The result columns of one statement `sql`, asked of the server without running it
    /// (an unnamed prepared statement, described).
    public func describe(_ sql: String) throws -> [String] {
        guard let prepared = PQprepare(handle, "", sql, 0, nil) else { throw failure(nil, kind: .statement, sql: sql) }
        defer { PQclear(prepared) }
        guard PQresultStatus(prepared) == PGRES_COMMAND_OK else { throw failure(prepared, kind: .statement, sql: sql) }
        guard let described = PQdescribePrepared(handle, "") else { throw failure(nil, kind: .statement, sql: sql) }
        defer { PQclear(described) }
        guard PQresultStatus(described) == PGRES_COMMAND_OK else { throw failure(described, kind: .statement, sql: sql) }
        return (0..<Int(PQnfields(described))).map { String(cString: PQfname(described, Int32($0))) }
    }

    /// Prepares `sql` on the server as the statement `name`, its parameters' types inferred from
    /// where they stand (an INSERT's columns), for ``statement(prepared:sql:_:)``.
    /// Inside a transaction a failed prepare would abort it: it is tried behind a savepoint.
    public func prepare(named name: String, _ sql: String) throws {
        let inTransaction = PQtransactionStatus(handle) == PQTRANS_INTRANS
        if inTransaction { _ = try execute("SAVEPOINT mailscope_prepare") }
        guard let result = PQprepare(handle, name, sql, 0, nil) else { throw failure(nil, kind: .statement, sql: sql) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            let problem = failure(result, kind: .statement, sql: sql)
            if inTransaction { _ = try? execute("ROLLBACK TO SAVEPOINT mailscope_prepare") }
            throw problem
        }
        if inTransaction { _ = try execute("RELEASE SAVEPOINT mailscope_prepare") }
    }

    /// Runs the statement `name` prepared from `sql` (for messages) with `arguments` as text.
    public func statement(prepared name: String, sql: String, _ arguments: [SQLValue]) throws -> StatementResult {
        let result = try run(sql, arguments, oneStatement: true, prepared: name)
        defer { PQclear(result) }
        return StatementResult(columns: [], rows: [], changed: Int(String(cString: PQcmdTuples(result))) ?? 0)
    }

    private func run(_ sql: String, _ arguments: [SQLValue], oneStatement: Bool = false, typed: Bool = false,
                     untyped: Set<Int> = [], prepared: String? = nil) throws -> OpaquePointer {
        let result: OpaquePointer?
        if arguments.isEmpty && !oneStatement {
            result = PQexec(handle, sql)
        } else {
            var texts: [String?] = []
            for (i, argument) in arguments.enumerated() {
                switch argument {
                case .null: texts.append(nil)
                case .integer(let v): texts.append(String(v))
                case .real(let v): texts.append(String(v))
                case .text(let s):
                    guard !s.utf8.contains(0) else {
                        throw PostgresError(kind: .statement, message: "parameter $\(i + 1) holds a NUL character, which PostgreSQL text cannot store",
                                            sql: sql, target: target.display)
                    }
                    texts.append(s)
                }
            }
            let pointers = texts.map { $0.flatMap { strdup($0) } }
            defer { pointers.forEach { free($0) } }
            // int8, float8, text; 0 lets the server infer (a NULL, or untyped arguments).
            let types: [Oid] = arguments.enumerated().map { i, argument in
                guard typed, !untyped.contains(i) else { return 0 }
                switch argument {
                case .integer: return 20
                case .real: return 701
                case .text: return 25
                case .null: return 0
                }
            }
            result = pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
                if let prepared {
                    return PQexecPrepared(handle, prepared, Int32(values.count), values.baseAddress, nil, nil, 0)
                }
                return types.withUnsafeBufferPointer { types in
                    PQexecParams(handle, sql, Int32(values.count), types.baseAddress, values.baseAddress, nil, nil, 0)
                }
            }
        }
        guard let result else {
            throw failure(nil, kind: .statement, sql: sql)
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            defer { PQclear(result) }
            throw failure(result, kind: .statement, sql: sql)
        }
        return result
    }

    /// The error of `result`, or of the connection when there is no result (libpq failed
    /// before the server answered).
    private func failure(_ result: OpaquePointer?, kind: PostgresError.Kind, sql: String?) -> PostgresError {
        let message = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
            ?? String(cString: PQerrorMessage(handle))
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        return PostgresError(kind: kind, message: message, sqlState: state, sql: sql, target: target.display)
    }

    /// A column's text as the value MailScope reads: integers and booleans as `.integer`,
    /// floating point as `.real`, the rest as text (by the column's type OID).
    static func value(_ text: String, type: Oid) -> SQLValue {
        switch type {
        case 20, 21, 23, 26: return Int64(text).map(SQLValue.integer) ?? .text(text)       // int8, int2, int4, oid
        case 16: return .integer(text == "t" ? 1 : 0)                                       // bool
        case 700, 701: return Double(text).map(SQLValue.real) ?? .text(text)                // float4, float8
        case 1700: return Int64(text).map(SQLValue.integer) ?? Double(text).map(SQLValue.real) ?? .text(text)   // numeric
        default: return .text(text)
        }
    }

    /// Appends `value` in COPY's text form.
    static func appendCopyText(_ value: SQLValue, to buffer: inout [UInt8], row: Int, column: String,
                               target: PostgresTarget, sql: String) throws {
        switch value {
        case .null: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
        case .integer(let v): buffer.append(contentsOf: String(v).utf8)
        case .real(let v): buffer.append(contentsOf: String(v).utf8)
        case .text(let s):
            for byte in s.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0:
                    throw PostgresError(kind: .copy, message: "row \(row), column \(column) holds a NUL character, which PostgreSQL text cannot store",
                                        sql: sql, target: target.display)
                default: buffer.append(byte)
                }
            }
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
