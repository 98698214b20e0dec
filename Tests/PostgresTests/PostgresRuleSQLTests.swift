import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// Every bundled rule and hunt, in the PostgreSQL form `PostgresDialect` gives it, is accepted by
/// a real PostgreSQL server on the whole MailScope schema. PREPARE resolves every name, type,
/// function and GROUP BY, so a rule that would fail on PostgreSQL fails here, on empty tables.
@Suite(.serialized) struct PostgresRuleSQLTests {
    /// The PostgreSQL schema created from a fresh SQLite database, on a connection to `server`.
    static func schema(on server: PostgresTestServer) throws -> PostgresConnection {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgrules-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try Database(path: folder.appendingPathComponent("s.db").path)
        let db = try server.connect()
        for statement in PostgresSchema.preamble { try db.execute(statement) }
        for table in try PostgresSchema.tables(from: sqlite) {
            for statement in table.statements { try db.execute(statement) }
        }
        return db
    }

    @Test func everyBundledRuleAndHuntPreparesOnPostgreSQL() throws {
        let rules = try RuleCatalog.bundled().rules
        #expect(rules.count >= 65)
        try PostgresTestServer.with { server in
            let db = try Self.schema(on: server)
            var failures: [String] = []
            for (n, rule) in rules.enumerated() {
                do {
                    let translated = try PostgresDialect.translate(rule)
                    try db.execute("PREPARE rule_\(n) AS \(translated.sql)")
                    try db.execute("DEALLOCATE rule_\(n)")
                } catch {
                    failures.append("\(rule.id): \(error)")
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(rules.count) rules do not prepare on PostgreSQL:\n\(failures.joined(separator: "\n"))")
        }
    }

    /// Every rule and hunt, run over the scenario (the standard run's database, and its copy in
    /// PostgreSQL), returns the same rows on both. The correlations read the run's findings,
    /// the same on both.
    @Test func everyBundledRuleAndHuntReturnsTheSameRowsOnTheScenario() throws {
        let sqlite = try Database.openForReading(path: try ScenarioDatabase.path.get())
        let rules = try RuleCatalog.bundled().rules
        try PostgresTestServer.with { server in
            let pg = try server.connect()
            try PostgresCopier.copy(from: sqlite, to: pg)
            try pg.execute("ANALYZE")
            var differing: [String] = []
            var nonEmpty = 0
            for rule in rules {
                let (rows, difference) = Self.compare(rule, sqlite, pg)
                if rows > 0 { nonEmpty += 1 }
                if let difference { differing.append(difference) }
            }
            // The scenario exercises half the catalog; the examples below the rest.
            #expect(nonEmpty >= 30, "only \(nonEmpty) rules return rows on the scenario")
            #expect(differing.isEmpty, "\(differing.count) of \(rules.count) rules return other rows on PostgreSQL:\n\(differing.joined(separator: "\n"))")
        }
    }

    /// Every rule and hunt, run over its own positive examples (loaded as `RuleExamples` loads
    /// them, with the rules a correlation follows run first), returns the same rows on both
    /// databases, and at least one: each rule is compared on data it matches.
    @Test func everyBundledRuleAndHuntReturnsTheSameRowsOnItsPositiveExamples() throws {
        let catalog = try RuleCatalog.bundled().rules
        try PostgresTestServer.with { server in
            let pg = try server.connect()
            var differing: [String] = []
            for rule in catalog {
                do {
                    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgexamples-\(UUID().uuidString.prefix(8))")
                    defer { try? FileManager.default.removeItem(at: folder) }
                    let sqlite = try Self.examplesDatabase(rule, catalog: catalog, in: folder)
                    try pg.execute("SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                    try PostgresCopier.copy(from: sqlite, to: pg)
                    let (rows, difference) = Self.compare(rule, sqlite, pg)
                    if let difference {
                        differing.append(difference)
                    } else if rows == 0 {
                        differing.append("\(rule.id): no rows from its positive examples on either database")
                    }
                } catch {
                    differing.append("\(rule.id): \(error)")
                }
            }
            #expect(differing.isEmpty, "\(differing.count) of \(catalog.count) rules differ on their positive examples:\n\(differing.joined(separator: "\n"))")
        }
    }

    /// A rule's positive examples in a SQLite database, as `RuleExamples` makes it: one file per
    /// example through the real ingest, releases linked, identities built, example watch lists
    /// stored, and the rules a finding-reading rule follows run (with it) so `finding` holds theirs.
    static func examplesDatabase(_ rule: Rule, catalog: [Rule], in folder: URL) throws -> Database {
        let inputs = folder.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        for (i, line) in rule.positiveExamples.enumerated() {
            try Data((line + "\n").utf8).write(to: inputs.appendingPathComponent("example-\(String(format: "%03d", i)).ndjson"))
        }
        let path = folder.appendingPathComponent("examples.db").path
        _ = try Ingester(databasePath: path).ingest(paths: [inputs.path])
        let db = try Database(path: path)
        _ = try ReleaseLinker.relink(db)
        _ = try IdentityMap.rebuildIfStale(db)
        for (name, entries) in rule.exampleWatchLists.sorted(by: { $0.key < $1.key }) {
            let file = folder.appendingPathComponent("watch-\(name).txt").path
            try Data((entries.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            try WatchList.load(name: name, path: file).store(in: db)
        }
        let context = rule.readsFindings ? catalog.filter { $0.enabledByDefault && $0.id != rule.id } : []
        if rule.kind == .hunt {
            try RuleRunner(db: db).prepare(for: [rule])
        } else {
            _ = try RuleRunner(db: db).run(context + [rule])
        }
        return db
    }

    /// Runs `rule` (the statement the runner runs) on both databases over an unbounded window
    /// with its default parameters; returns SQLite's row count and, when the rows differ (as
    /// multisets: rows tied on the runner's ORDER BY may come in either order), what differs.
    static func compare(_ rule: Rule, _ sqlite: Database, _ pg: PostgresConnection) -> (rows: Int, difference: String?) {
        var values = rule.params
        values["since"] = .integer(Int64.min)
        values["until"] = .integer(Int64.max)
        do {
            let fromSQLite = try sqliteRows(RuleRunner.ordered(rule), values, in: sqlite)
            let translated = try PostgresDialect.translate(rule)
            let fromPostgres = try postgresRows(translated.sql, translated.arguments(values), in: pg)
            guard fromSQLite != fromPostgres else { return (fromSQLite.count, nil) }
            let onlySQLite = fromSQLite.filter { !fromPostgres.contains($0) }.prefix(3)
            let onlyPostgres = fromPostgres.filter { !fromSQLite.contains($0) }.prefix(3)
            return (fromSQLite.count, "\(rule.id): \(fromSQLite.count) rows on SQLite, \(fromPostgres.count) on PostgreSQL"
                + "\n    only SQLite: \(onlySQLite.joined(separator: "\n                 "))"
                + "\n    only PostgreSQL: \(onlyPostgres.joined(separator: "\n                     "))")
        } catch {
            return (0, "\(rule.id): \(error)")
        }
    }

    /// A row as one string: `column=value` in the order given, values tagged by type.
    static func canonical(_ row: [(String, SQLValue)]) -> String {
        row.map { name, value -> String in
            switch value {
            case .null: return name + "=∅"
            case .integer(let v): return name + "=i" + String(v)
            case .real(let v): return name + "=r" + String(v)
            case .text(let s): return name + "=t" + s
            }
        }.joined(separator: " | ")
    }

    static func sqliteRows(_ sql: String, _ values: [String: SQLValue], in db: Database) throws -> [String] {
        let statement = try db.prepare(sql)
        try statement.bind(named: values)
        let names = statement.columnNames
        var rows: [String] = []
        while try statement.step() {
            rows.append(canonical(names.enumerated().map { ($0.element, statement.value(at: $0.offset)) }.sorted { $0.0 < $1.0 }))
        }
        return rows.sorted()
    }

    /// The rows of `sql` on PostgreSQL, each read through `to_jsonb` so the column names come
    /// with the values (a `Row` is read by name and does not list its columns). Both sides list
    /// the columns by name, sorted.
    static func postgresRows(_ sql: String, _ arguments: [SQLValue], in db: PostgresConnection) throws -> [String] {
        let rows = try db.rows("SELECT to_jsonb(q)::text AS row_json FROM (\(sql)) q", arguments)
        return try rows.map { row -> String in
            let text = row.text("row_json") ?? "{}"
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return text }
            return canonical(object.keys.sorted().map { key -> (String, SQLValue) in
                switch object[key] {
                case let n as NSNumber:
                    let written = "\(n)"
                    return (key, written.contains(".") || written.contains("e") ? .real(n.doubleValue) : .integer(n.int64Value))
                case let s as String: return (key, .text(s))
                default: return (key, .null)
                }
            })
        }.sorted()
    }
}
