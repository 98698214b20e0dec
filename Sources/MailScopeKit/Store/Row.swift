/// One result row read by column name: `row["scan_result"]`, `row.text("user")`,
/// `row.int("ts")`. Adding a column to a SELECT never shifts another one's value, and asking
/// for a column the SELECT does not have is a programming error that names the column.
public struct Row: Sendable {
    /// Column name → position, shared by every row of one result.
    let columns: [String: Int]
    let values: [SQLValue]

    /// A row of `values`, named by `columns` (column name → position in `values`): for the
    /// readers of other databases (PostgreSQL) that hand rows to the same code.
    public init(columns: [String: Int], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of column `name` (`.null` for SQL NULL).
    public subscript(_ name: String) -> SQLValue {
        guard let i = columns[name] else {
            preconditionFailure("no column \"\(name)\" in this result (columns: \(columns.keys.sorted().joined(separator: ", ")))")
        }
        return values[i]
    }

    public func text(_ name: String) -> String? { self[name].stringValue }
    public func int(_ name: String) -> Int64? { self[name].intValue }
    public func bool(_ name: String) -> Bool { self[name].intValue == 1 }
}

extension Database {
    /// The rows of `sql`, each readable by column name.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var columns: [String: Int] = [:]
        for (i, name) in statement.columnNames.enumerated() where columns[name] == nil { columns[name] = i }
        return try Self.collect(statement, columns: columns)
    }

    /// `rows` with the statement prepared once and kept (`cachedStatement`), and its column
    /// map made once: for SQL run many times in a loop.
    public func cachedRows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try Self.collect(statement, columns: cachedColumns(sql) ?? [:])
    }

    /// Steps `statement` to the end, one `Row` per result row sharing `columns`.
    private static func collect(_ statement: Statement, columns: [String: Int]) throws -> [Row] {
        var rows: [Row] = []
        while try statement.step() {
            rows.append(Row(columns: columns, values: (0..<statement.columnCount).map { statement.value(at: $0) }))
        }
        return rows
    }
}
