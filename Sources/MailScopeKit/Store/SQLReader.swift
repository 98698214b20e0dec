/// What reading code asks of a store: rows read by column name, for SQL written once in
/// MailScope's dialect (SQLite's, kept portable: docs/scaling.md). An SQLite ``Database`` is one;
/// a PostgreSQL connection is another (MailScopePostgres' `PostgresReader`, which puts each
/// statement in PostgreSQL's form before running it). The reports read through this, so the
/// same code writes the same report from either store.
public protocol SQLReader: AnyObject {
    /// The rows of `sql` with `arguments` bound, each readable by column name.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [Row]
    /// `rows`, for SQL run many times in a loop: the store may keep its prepared form.
    func cachedRows(_ sql: String, _ arguments: [SQLValue]) throws -> [Row]
    /// Where the store is, for messages and reports: a file path, or a URL without its password.
    var location: String { get }
}

extension SQLReader {
    public func rows(_ sql: String) throws -> [Row] { try rows(sql, []) }
    public func cachedRows(_ sql: String) throws -> [Row] { try cachedRows(sql, []) }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        guard let row = try rows(sql, arguments).first, let first = row.firstColumnName else { return nil }
        return row[first]
    }
}

extension Database: SQLReader {
    public var location: String { path }
}
