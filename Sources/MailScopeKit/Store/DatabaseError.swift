import CSQLite

/// An error reported by SQLite, carrying what a user or developer needs to act on it:
/// the result code, SQLite's own message, and the SQL that was running.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    /// SQLite's primary or extended result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …).
    public let code: Int32
    /// SQLite's message for the failure.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?
    /// Where in `sql` SQLite found the problem (a UTF-8 byte offset), when it says.
    public let offset: Int?

    public init(code: Int32, message: String, sql: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.offset = offset
    }

    /// Line and column (1-based, columns in characters) of `offset` in `sql`.
    public var position: (line: Int, column: Int)? {
        guard let sql, let offset, offset >= 0, offset <= sql.utf8.count else { return nil }
        let before = String(decoding: Array(sql.utf8.prefix(offset)), as: UTF8.self)
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.count, (lines.last?.count ?? 0) + 1)
    }

    /// True when the database file or disk is full (`SQLITE_FULL`).
    public var isDiskFull: Bool { code & 0xff == SQLITE_FULL }

    public var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let sql {
            let oneLine = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            text += " — in: \(oneLine.prefix(300))"
        }
        if isDiskFull { text += " — the disk is full: free space and re-run; loaded files are kept, the interrupted one resumes" }
        return text
    }
}
