import Foundation

/// One table of investigation results: its columns, its rows (at most the limit asked for)
/// and how many rows matched in all, so a cut is always visible.
///
/// Times are ISO 8601 UTC text; evidence is `file:line` of the input the row came from, or
/// `file:line#n` for the n-th record of a line that holds several.
public struct InvestigationTable: Sendable {
    public var columns: [String]
    /// The columns a terminal table shows, in order; CSV and JSON carry all of ``columns``.
    public var compactColumns: [String]
    public var rows: [[SQLValue]]
    /// Rows matching before the limit.
    public var totalRows: Int

    public init(columns: [String], compactColumns: [String]? = nil, rows: [[SQLValue]], totalRows: Int? = nil) {
        self.columns = columns
        self.compactColumns = compactColumns ?? columns
        self.rows = rows
        self.totalRows = totalRows ?? rows.count
    }

    /// True when rows were left out by the limit.
    public var isTruncated: Bool { totalRows > rows.count }

    /// The values of column `name` in every row (nil when there is no such column).
    public func values(_ name: String) -> [SQLValue]? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return rows.map { $0[i] }
    }

    /// Only ``compactColumns``, for a terminal.
    public var compact: (columns: [String], rows: [[SQLValue]]) {
        let indexes = compactColumns.compactMap { columns.firstIndex(of: $0) }
        return (indexes.map { columns[$0] }, rows.map { row in indexes.map { row[$0] } })
    }

    /// How a column's stored value is shown.
    public enum Format: Sendable {
        /// Milliseconds since the epoch → `2026-11-02T08:37:12.000Z`.
        case time
        /// A JSON array of strings → `internal_user_name, reply_address_mismatch`.
        case jsonList
        /// Values joined with U+001F by `group_concat` → distinct, sorted, comma-separated.
        case list
    }

    /// The separator `group_concat` is given for ``Format/list`` columns: no address, rule id
    /// or host name contains it, so splitting is exact.
    static let listSeparator = "\u{1F}"

    /// Runs `sql` (which must not end in LIMIT) with `parameters` bound by name, keeping at most
    /// `limit` rows (0 keeps all) and counting the rest. `sql` is a constant of the calling
    /// query plus filter fragments; no value is ever part of it.
    static func fetch(_ db: Database, sql: String, parameters: [String: SQLValue], limit: Int,
                      formats: [String: Format] = [:], compact: [String]? = nil) throws -> InvestigationTable {
        let statement = try db.prepare(sql + " LIMIT :row_limit")
        var bound = parameters
        bound["row_limit"] = .integer(limit > 0 ? Int64(limit) + 1 : -1)
        try statement.bind(named: bound)
        let columns = statement.columnNames
        let formatters: [(Int, Format)] = columns.enumerated().compactMap { i, name in formats[name].map { (i, $0) } }
        var rows: [[SQLValue]] = []
        while try statement.step() {
            var row = (0..<columns.count).map(statement.value)
            for (i, format) in formatters { row[i] = Self.format(row[i], format) }
            rows.append(row)
        }
        var total = rows.count
        if limit > 0 && rows.count > limit {
            rows.removeLast(rows.count - limit)
            let counter = try db.prepare("SELECT COUNT(*) AS n FROM (" + sql + ")")
            try counter.bind(named: parameters)
            if try counter.step(), let n = counter.value(named: "n").intValue { total = Int(n) }
        }
        return InvestigationTable(columns: columns, compactColumns: compact, rows: rows, totalRows: total)
    }

    static func format(_ value: SQLValue, _ format: Format) -> SQLValue {
        switch format {
        case .time:
            guard let ms = value.intValue else { return value }
            return .text(TimeParser.iso8601(ms))
        case .jsonList:
            guard let text = value.stringValue,
                  let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else { return value }
            return .text(array.map { "\($0)" }.joined(separator: ", "))
        case .list:
            guard let text = value.stringValue else { return value }
            let items = Set(text.components(separatedBy: listSeparator).filter { !$0.isEmpty }).sorted()
            return items.isEmpty ? .null : .text(items.joined(separator: ", "))
        }
    }
}
