import Foundation
import MailScopeKit

/// Why a rule's SQL has no PostgreSQL form, and where in the rule text: a SQLite-only function
/// or construct `PostgresDialect` does not translate, or SQL it cannot read. The message names
/// the function and what to write instead, so a rule author can make the rule portable.
public struct PostgresDialectError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        /// A SQLite function with no translation (`printf`, `julianday`, scalar `max(a, b)` …).
        case unsupportedFunction(name: String, hint: String)
        /// A SQLite construct with no translation (`GLOB`, `INSERT OR REPLACE`, `rowid` …).
        case unsupportedSyntax(what: String, hint: String)
        /// SQL the translator cannot read: an unclosed string or comment, unbalanced parentheses,
        /// a translated function called with arguments of the wrong shape.
        case malformed(String)
    }

    public let problem: Problem
    /// 1-based line and column in the rule's SQL.
    public let line: Int
    public let column: Int
    /// The rule file, when the SQL came from one (`Rule.source`).
    public let source: String?

    public init(problem: Problem, line: Int, column: Int, source: String? = nil) {
        self.problem = problem
        self.line = line
        self.column = column
        self.source = source
    }

    /// The same error, located in `source`.
    func located(in source: String) -> PostgresDialectError {
        PostgresDialectError(problem: problem, line: line, column: column, source: source)
    }

    public var description: String {
        (source.map { "\($0): " } ?? "") + "SQL line \(line), column \(column): " + problemDescription
    }

    /// What is wrong, without where.
    public var problemDescription: String {
        switch problem {
        case .unsupportedFunction(let name, let hint):
            return "SQLite's \(name)() has no PostgreSQL form in MailScope; \(hint)"
        case .unsupportedSyntax(let what, let hint):
            return "SQLite's \(what) has no PostgreSQL form in MailScope; \(hint)"
        case .malformed(let problem):
            return problem
        }
    }
}

extension PostgresDialectError: ExitCoded {
    /// 1: the SQL (a rule, a hunt, a user's own) is the user's or the rule author's to change.
    public var exitCode: Int32 { ExitStatus.usage }
}
