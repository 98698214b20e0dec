import Foundation
import MailScopeKit

/// PostgreSQL behind a MailScope `Database` (`Database(engine:)`): the library's stages run on
/// it unchanged. Each statement is put in PostgreSQL's form by ``PostgresDialect`` (once per
/// statement text), its arguments are sent typed as SQLite binds them, and what only SQLite
/// has is answered here:
///
/// - `PRAGMA …` does nothing (PostgreSQL has no pragmas; its settings are the server's);
/// - `ANALYZE` of SQLite's own tables does nothing; `BEGIN IMMEDIATE` is `BEGIN` (the writer
///   lock, not the transaction, keeps a second writer out);
/// - the schema version is the one `mailscope_schema` records;
/// - the id of the last INSERT is the one the schema's trigger kept for the session.
public final class PostgresEngine: SQLEngine {
    public let connection: PostgresConnection
    private var translations: [String: PostgresDialect.Translated] = [:]
    /// Server-side prepared statements, by translated SQL.
    private var prepared: [String: String] = [:]
    public private(set) var changes = 0

    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    public var location: String { connection.target.display }

    public func execute(_ sql: String) throws {
        for statement in try PostgresDialectToken.statements(sql) {
            switch Self.special(statement) {
            case .skip: continue
            case .begin: try connection.execute("BEGIN")
            case nil:
                let translated = try translation(statement)
                changes = try connection.statement(translated.sql, translated.arguments([:]), typed: true).changed
            }
        }
    }

    public func prepare(_ sql: String) throws -> any SQLEngineStatement {
        if Self.special(sql) == .skip { return PostgresEngineStatement(engine: self, translated: nil) }
        return PostgresEngineStatement(engine: self, translated: try translation(sql))
    }

    public func lastInsertRowID() throws -> Int64 {
        try connection.rows("SELECT NULLIF(current_setting('mailscope.last_insert_id', true), '')::bigint AS id").first?.int("id") ?? 0
    }

    public func sizeBytes() throws -> Int64 {
        try connection.rows("SELECT pg_database_size(current_database()) AS bytes").first?.int("bytes") ?? 0
    }

    public func schemaVersion() throws -> Int {
        try PostgresSchema.recordedVersion(connection) ?? 0
    }

    /// Runs one translated statement with `arguments` (by `$n`), recording the rows it changed.
    func run(_ translated: PostgresDialect.Translated, _ arguments: [SQLValue], untyped: Set<Int> = []) throws -> PostgresConnection.StatementResult {
        let result: PostgresConnection.StatementResult
        if let name = try preparedName(translated.sql) {
            result = try connection.statement(prepared: name, sql: translated.sql, arguments)
        } else {
            result = try connection.statement(translated.sql, arguments, typed: true, untyped: untyped)
        }
        changes = result.changed
        return result
    }

    /// INSERTs without RETURNING (the ingest writer's, row after row) are prepared on the server
    /// once and run by name: their parameters take the types of the columns they go to. Other
    /// statements run with typed arguments. Nil when `sql` is not prepared.
    private func preparedName(_ sql: String) throws -> String? {
        if let known = prepared[sql] { return known }
        let words = sql.split(whereSeparator: \.isWhitespace)
        guard words.first?.lowercased() == "insert", !words.contains(where: { $0.lowercased() == "returning" }) else { return nil }
        let name = "mailscope_\(prepared.count + 1)"
        // Inside a failed transaction nothing can be prepared; the typed path reports that error.
        guard (try? connection.prepare(named: name, sql)) != nil else { return nil }
        prepared[sql] = name
        return name
    }

    private func translation(_ sql: String) throws -> PostgresDialect.Translated {
        if let known = translations[sql] { return known }
        // The window (:since, :until) is always a whole number: cast, PostgreSQL can type
        // `:since - :window_ms` (two untyped parameters) when the statement is only described.
        let translated = try PostgresDialect.translate(sql, integerParameters: RuleRunner.builtInParameters)
        translations[sql] = translated
        return translated
    }

    /// What a statement SQLite understands and PostgreSQL has no use for becomes.
    enum Special { case skip, begin }

    static func special(_ sql: String) -> Special? {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == ";" }).prefix(2).map { $0.lowercased() }
        switch words.first {
        case "pragma": return .skip
        case "analyze" where words.count > 1 && words[1].hasPrefix("sqlite_"): return .skip
        case "begin": return .begin
        default: return nil
        }
    }
}

/// One statement of a ``PostgresEngine``: bound by position as SQLite numbers its parameters,
/// run on the first step, its rows then read one by one.
final class PostgresEngineStatement: SQLEngineStatement {
    private unowned let engine: PostgresEngine
    /// nil for a statement that does nothing here (a pragma): no rows, no columns.
    private let translated: PostgresDialect.Translated?
    private var bound: [Int: SQLValue] = [:]
    /// Parameters bound as bytes (their text form `\\x…`, sent untyped for a bytea column).
    private var boundBytes: Set<Int> = []
    private var result: PostgresConnection.StatementResult?
    private var next = 0
    private lazy var describedColumns: [String] = {
        guard let translated else { return [] }
        return (try? engine.connection.describe(translated.sql)) ?? []
    }()

    init(engine: PostgresEngine, translated: PostgresDialect.Translated?) {
        self.engine = engine
        self.translated = translated
    }

    var columnNames: [String] { result?.columns ?? describedColumns }

    var parameterNames: [String?] {
        (translated?.parameterNames ?? []).map { name in name.allSatisfy(\.isNumber) ? nil : ":" + name }
    }

    var isReadOnly: Bool {
        let first = translated?.sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).first?.lowercased()
        return first == "select" || first == "with" || first == "values"
    }

    func bind(_ value: SQLValue, at index: Int) throws {
        // PostgreSQL text cannot hold a NUL (a JSON line's \u0000 decodes to one): it is stored
        // as U+FFFD, as `mailscope db copy` stores it. The SQLite store keeps the NUL.
        if case .text(let text) = value, let clean = PostgresCopier.withoutNUL(text) {
            bound[index] = .text(clean)
        } else {
            bound[index] = value
        }
        boundBytes.remove(index)
    }

    func bind(bytes: [UInt8], at index: Int) throws {
        bound[index] = .text("\\x" + bytes.map { String(format: "%02x", $0) }.joined())
        boundBytes.insert(index)
    }

    func clearBindings() {
        bound.removeAll()
        boundBytes.removeAll()
    }

    func step() throws -> Bool {
        guard let translated else { return false }
        if result == nil {
            var byName: [String: SQLValue] = [:]
            for (i, name) in translated.parameterNames.enumerated() { byName[name] = bound[i + 1] ?? .null }
            // $n of a parameter bound as bytes (parameterNames[n - 1] is SQLite's index n).
            let untyped = Set(boundBytes.map { $0 - 1 })
            result = try engine.run(translated, translated.arguments(byName), untyped: untyped)
            next = 0
        }
        guard let rows = result?.rows, next < rows.count else { return false }
        next += 1
        return true
    }

    func value(at index: Int) -> SQLValue {
        guard let rows = result?.rows, next >= 1, next <= rows.count, index < rows[next - 1].count else { return .null }
        return rows[next - 1][index]
    }

    func reset() {
        result = nil
        next = 0
    }
}

extension PostgresEngine {
    /// Events an ingest wrote land in their table's DEFAULT partition when their month has no
    /// partition yet; this gives each such month its partition and moves the rows there (the
    /// default is detached meanwhile, as PostgreSQL requires), then gathers statistics. One
    /// transaction per table: a failure leaves that table as it was.
    public func finishLoad() throws {
        let tables = try connection.rows("""
            SELECT c.relname AS name FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() ORDER BY c.relname
            """).compactMap { $0.text("name") }
        for table in tables {
            let quotedTable = PostgresSchema.quote(table), quotedDefault = PostgresSchema.quote(table + "_default")
            let months = try connection.rows("""
                SELECT DISTINCT to_char(to_timestamp(ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM \(quotedDefault)
                WHERE ts >= 0 AND ts < 4102444800000 ORDER BY month
                """).compactMap { $0.text("month") }
            guard !months.isEmpty else { continue }
            let shape = [PostgresSchema.Table(name: table, partitioned: true, tableStatements: [], indexStatements: [])]
            try connection.execute("BEGIN")
            do {
                try connection.execute("ALTER TABLE \(quotedTable) DETACH PARTITION \(quotedDefault)")
                for month in months {
                    for statement in try PostgresSchema.monthPartitions(month, tables: shape) { try connection.execute(statement) }
                }
                try connection.execute("INSERT INTO \(quotedTable) SELECT * FROM \(quotedDefault) WHERE ts >= 0 AND ts < 4102444800000")
                try connection.execute("DELETE FROM \(quotedDefault) WHERE ts >= 0 AND ts < 4102444800000")
                try connection.execute("ALTER TABLE \(quotedTable) ATTACH PARTITION \(quotedDefault) DEFAULT")
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
        try connection.execute("ANALYZE")
    }
}
