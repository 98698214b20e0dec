import Foundation
import MailScopeKit

/// An error reported by PostgreSQL or libpq, with what a user needs to act on it.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What failed.
    public enum Kind: String, Sendable {
        /// The server could not be reached or refused the login.
        case connection
        /// A statement failed on the server.
        case statement
        /// A COPY could not be sent or was refused.
        case copy
        /// Another process holds the database's writer lock.
        case locked
        /// The database cannot take what was asked (it already holds MailScope data, or is
        /// of another schema version).
        case refused
    }

    public let kind: Kind
    /// The server's or libpq's message, without the trailing newline.
    public let message: String
    /// The SQLSTATE code (`23505`, `42P01`, …) when the server sent one.
    public let sqlState: String?
    /// The statement that failed, when there was one.
    public let sql: String?
    /// The database the connection was for, without a password (`PostgresTarget.display`).
    public let target: String

    public init(kind: Kind, message: String, sqlState: String? = nil, sql: String? = nil, target: String) {
        self.kind = kind
        self.message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        self.sqlState = sqlState
        self.sql = sql
        self.target = target
    }

    public var description: String {
        switch kind {
        case .connection:
            return "cannot connect to PostgreSQL at \(target): \(message) (check the host, port, user and database; "
                + "a password comes from PGPASSWORD or ~/.pgpass, never the command line)"
        case .locked, .refused:
            return "\(target): \(message)"
        case .statement, .copy:
            var text = "PostgreSQL at \(target): \(message)"
            if let sqlState { text += " [SQLSTATE \(sqlState)]" }
            if let sql { text += "\n  in: \(sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ").prefix(300))" }
            return text
        }
    }
}

extension PostgresError: ExitCoded {
    /// 4 when another writer holds the database (as for an SQLite file); otherwise 2: the
    /// server, the connection or the target database stopped the command.
    public var exitCode: Int32 { kind == .locked ? ExitStatus.busy : ExitStatus.input }
}
