import Foundation

/// `mailscope hunt`: saved hunts (rules of kind hunt) and a user's own SQL, both read-only and
/// with parameters bound, never spliced into the SQL.
public enum Hunt {
    /// Why a hunt could not run; each message says what to change.
    public enum Error: ExitCoded, Equatable, Sendable {
        case noSQL
        /// The SQL does not prepare; `line`, `column` and the line's text when SQLite says where.
        case doesNotPrepare(source: String, message: String, line: Int?, column: Int?, text: String?)
        case moreThanOneStatement(rest: String)
        case writes
        case failed(message: String)
        case unknownHunt(String)
        case unknownParameter(hunt: String, parameter: String, takes: [String])
        case missingParameters(hunt: String, names: [String], example: String)

        public var exitCode: Int32 { ExitStatus.usage }

        public var description: String {
            switch self {
            case .noSQL:
                return "no SQL given (the file or standard input is empty)"
            case .doesNotPrepare(let source, let message, let line, let column, let text):
                guard let line, let column else { return "\(source): the SQL does not run: \(message)" }
                let pointer = text.map { "\n  \($0)\n  " + String(repeating: " ", count: column - 1) + "^" } ?? ""
                return "\(source):\(line):\(column): the SQL does not run: \(message)" + pointer
            case .moreThanOneStatement(let rest):
                return "hunts run one statement; remove what follows the first one: \(rest.prefix(80))"
            case .writes:
                return "hunts only read: the SQL would change the database"
            case .failed(let message):
                return "the SQL failed: \(message)"
            case .unknownHunt(let name):
                return "no saved hunt \(name); `mailscope hunt --db FILE` lists them"
            case .unknownParameter(let hunt, let parameter, let takes):
                return "hunt \(hunt) has no parameter \(parameter) (it takes \(takes.joined(separator: ", ")))"
            case .missingParameters(let hunt, let names, let example):
                return "hunt \(hunt) needs \(names.map { "--param \($0)=…" }.joined(separator: " ")), e.g. \(example)"
            }
        }
    }

    /// A hunt's result.
    public struct Result: Sendable, Equatable {
        public var columns: [String]
        public var rows: [[SQLValue]]

        public init(columns: [String], rows: [[SQLValue]]) {
            self.columns = columns
            self.rows = rows
        }
    }

    /// Runs one read-only statement `sql` (from `source`, for messages) with `parameters` bound
    /// by name (`:since` and `:until` included).
    public static func run(sql: String, source: String, on db: Database, parameters: [String: SQLValue]) throws -> Result {
        if sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw Error.noSQL }
        let statement: Statement
        do { statement = try db.prepare(sql) } catch let error as DatabaseError {
            let position = error.position
            let text = position.map { String(sql.split(separator: "\n", omittingEmptySubsequences: false)[$0.line - 1]) }
            throw Error.doesNotPrepare(source: source, message: error.message, line: position?.line, column: position?.column, text: text)
        }
        let rest = statement.remainder.split(separator: "\n").map { $0.split(separator: "--", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
            .joined().trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
        if !rest.isEmpty { throw Error.moreThanOneStatement(rest: rest) }
        guard statement.isReadOnly else { throw Error.writes }
        try statement.bind(named: parameters)
        let columns = statement.columnNames
        var rows: [[SQLValue]] = []
        do {
            while try statement.step() { rows.append((0..<columns.count).map(statement.value)) }
        } catch let error as DatabaseError {
            throw Error.failed(message: error.message)
        }
        return Result(columns: columns, rows: rows)
    }

    /// The saved hunt called `name` (its id, or the id's short form) among `hunts`.
    public static func find(_ name: String, in hunts: [Rule]) throws -> Rule {
        guard let hunt = hunts.first(where: { $0.id == name || shortName($0.id) == name.lowercased() }) else { throw Error.unknownHunt(name) }
        return hunt
    }

    /// Runs saved hunt `hunt` with `parameters` over evidence in [since, until]. Text parameters
    /// of a saved hunt are what to look for (their defaults are only examples): they must be
    /// given. Number parameters (limits, windows) have real defaults.
    public static func run(_ hunt: Rule, named name: String, on db: Database, parameters given: [String: SQLValue],
                           since: Int64?, until: Int64?) throws -> Result {
        var runner = RuleRunner(db: db)
        runner.parameters = try checked(hunt, named: name, parameters: given)
        runner.since = since
        runner.until = until
        let result = try runner.hunt(hunt)
        return Result(columns: result.columns, rows: result.rows)
    }

    /// Every value saved hunt `hunt` binds, by name: its parameters' defaults, `given` (checked
    /// as ``run(_:named:on:parameters:since:until:)`` checks them) and the window. For a store
    /// that runs the hunt itself (PostgreSQL).
    public static func bindings(_ hunt: Rule, named name: String, parameters given: [String: SQLValue],
                                since: Int64?, until: Int64?) throws -> [String: SQLValue] {
        RuleRunner.bindings(for: hunt, parameters: try checked(hunt, named: name, parameters: given), since: since, until: until)
    }

    /// `given` checked against `hunt`'s parameters (none unknown, every text one given), a
    /// message id without its angle brackets.
    private static func checked(_ hunt: Rule, named name: String, parameters given: [String: SQLValue]) throws -> [String: SQLValue] {
        for key in given.keys.sorted() where hunt.params[key] == nil && !RuleRunner.builtInParameters.contains(key) {
            throw Error.unknownParameter(hunt: name, parameter: key, takes: hunt.params.keys.sorted())
        }
        let missing = hunt.params.filter { name, value in value.stringValue != nil && given[name] == nil }.keys.sorted()
        if !missing.isEmpty {
            let example = missing.map { "--param \($0)=\(hunt.params[$0]?.stringValue ?? "…")" }.joined(separator: " ")
            throw Error.missingParameters(hunt: name, names: missing, example: example)
        }
        var parameters = given
        if case .text(let id)? = parameters["message_id"] {
            parameters["message_id"] = .text(id.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")))
        }
        return parameters
    }

    /// `MS-HUNT-RECIPIENTS-OF-DOMAIN` → `recipients-of-domain`.
    public static func shortName(_ id: String) -> String {
        id.lowercased().replacingOccurrences(of: "ms-hunt-", with: "")
    }
}
