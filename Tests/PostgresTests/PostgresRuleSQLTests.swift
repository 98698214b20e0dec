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
}
