/// The result rows of one statement as arrays of values in the SELECT's own column order,
/// stepped one at a time (nothing is collected): for copying whole rows to another store,
/// where the column list is the statement's and no column is picked out by meaning. Everything
/// else reads rows by name (`Database.rows`).
///
/// A step error ends the sequence and is kept in ``error``; check it after iterating.
public final class StatementValues: Sequence, IteratorProtocol {
    private let statement: Statement
    /// The statement's column names, in the order of each row's values.
    public let columns: [String]
    /// The error that ended the sequence early, if any.
    public private(set) var error: Error?
    private var finished = false

    init(_ statement: Statement) {
        self.statement = statement
        self.columns = statement.columnNames
    }

    public func next() -> [SQLValue]? {
        guard !finished else { return nil }
        do {
            guard try statement.step() else {
                finished = true
                return nil
            }
        } catch {
            self.error = error
            finished = true
            return nil
        }
        return (0..<columns.count).map { statement.value(at: $0) }
    }
}

extension Database {
    /// The rows of `sql`, stepped lazily as arrays of values in column order (``StatementValues``).
    public func values(_ sql: String, _ arguments: [SQLValue] = []) throws -> StatementValues {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        return StatementValues(statement)
    }
}
