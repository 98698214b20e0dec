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

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
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
