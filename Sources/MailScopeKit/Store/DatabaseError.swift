import CSQLite
import Foundation

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
    /// The operating system's error number behind an I/O error (`ENOSPC`, `EFBIG`, …), or 0.
    public let systemErrno: Int32

    public init(code: Int32, message: String, sql: String? = nil, offset: Int? = nil, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.offset = offset
        self.systemErrno = systemErrno
    }

    /// Line and column (1-based, columns in characters) of `offset` in `sql`.
    public var position: (line: Int, column: Int)? {
        guard let sql, let offset, offset >= 0, offset <= sql.utf8.count else { return nil }
        let before = String(decoding: Array(sql.utf8.prefix(offset)), as: UTF8.self)
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.count, (lines.last?.count ?? 0) + 1)
    }

    /// True when a write to the database failed for lack of room: `SQLITE_FULL`, a failed write
    /// (`SQLITE_IOERR_WRITE`: SQLite's usual report of a full disk, a quota or the file-size
    /// limit), or an I/O error whose cause is `ENOSPC`, `EDQUOT` or `EFBIG`.
    public var isDiskFull: Bool {
        code & 0xff == SQLITE_FULL || code == SQLITE_IOERR | (3 << 8)   // SQLITE_IOERR_WRITE
            || (code & 0xff == SQLITE_IOERR && [ENOSPC, EDQUOT, EFBIG].contains(systemErrno))
    }

    public var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if systemErrno != 0 { text += " (\(String(cString: strerror(systemErrno))))" }
        if let sql {
            let oneLine = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            text += " — in: \(oneLine.prefix(300))"
        }
        if isDiskFull { text += " — the database could not be written: the disk is full, a quota or file-size limit was reached, or the disk failed; free space and re-run (loaded files are kept, the interrupted one resumes)" }
        return text
    }
}
