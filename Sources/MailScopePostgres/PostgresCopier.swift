import Foundation
import MailScopeKit

/// Copies a MailScope SQLite database, every table and every row, into an empty PostgreSQL
/// database laid out by ``PostgresSchema``: the route for a tenant whose history has outgrown
/// one SQLite file (issue 21).
///
/// - The SQLite file is only read (open it with `Database.openForReading`); it is the evidence
///   and stays as it is.
/// - The copy holds the database's writer lock (``PostgresWriterLock``) and runs in one
///   transaction: a copy that fails or is killed leaves the PostgreSQL database as empty as it
///   found it, and running it again starts over.
/// - Rows keep their ids, so a finding's `evidence_rowid` and an incident's member rows point
///   at the same rows in both stores; dedup keys become `bytea`, and
///   each event lands in its month's partition (created for the months the events cover).
/// - Each table's row count is checked against the source after its COPY. The next row a
///   writer inserts takes the largest id + 1, as in SQLite (the schema's id trigger).
public enum PostgresCopier {
    /// What one table's copy did.
    public struct Copied: Sendable, Equatable {
        public let table: String
        public let rows: Int
        /// Values that held a NUL character, by column: PostgreSQL text cannot store
        /// one, so each NUL was stored as U+FFFD (the SQLite file keeps the original).
        public var nulReplaced: [String: Int] = [:]

        public init(table: String, rows: Int, nulReplaced: [String: Int] = [:]) {
            self.table = table
            self.rows = rows
            self.nulReplaced = nulReplaced
        }
    }

    /// The table that records which MailScope schema a PostgreSQL database holds.
    public static let schemaTable = "mailscope_schema"

    /// Copies the SQLite database at `path` into the PostgreSQL database `conninfo` names (a
    /// `postgresql://` URL or libpq's `key=value` form, without a password: PG* variables and
    /// ~/.pgpass supply it): `mailscope db copy`.
    @discardableResult
    public static func copy(sqlite path: String, to conninfo: String, progress: (Copied) -> Void = { _ in }) throws -> [Copied] {
        let connection = try PostgresConnection.open(conninfo, applicationName: "mailscope db copy")
        return try copy(from: try Database.openForReading(path: path), to: connection, progress: progress)
    }

    /// Copies `source` into `target`, reporting each table when it is done; returns the tables
    /// in copy order with their row counts. Throws `.refused` when `target` already holds
    /// MailScope tables.
    @discardableResult
    public static func copy(from source: Database, to target: PostgresConnection,
                            progress: (Copied) -> Void = { _ in }) throws -> [Copied] {
        try PostgresWriterLock.acquire(target)
        defer { try? PostgresWriterLock.release(target) }
        let tables = try PostgresSchema.tables(from: source)
        try requireEmpty(target, tables: tables.map(\.name))
        var copied: [Copied] = []
        try target.execute("BEGIN")
        do {
            for statement in PostgresSchema.preamble { try target.execute(statement) }
            for table in tables {
                for statement in table.tableStatements { try target.execute(statement) }
            }
            for month in try months(in: source, tables: tables) {
                for statement in try PostgresSchema.monthPartitions(month, tables: tables) { try target.execute(statement) }
            }
            for table in tables {
                let done = try copyTable(table.name, from: source, to: target)
                // Indexes after the rows: one sort per index instead of an entry per row.
                for statement in table.indexStatements { try target.execute(statement) }
                copied.append(done)
                progress(done)
            }
            try PostgresSchema.recordVersion(target, copiedFrom: (source.path as NSString).lastPathComponent)
            try target.execute("COMMIT")
        } catch {
            _ = try? target.execute("ROLLBACK")
            throw error
        }
        // Statistics for the planner, as `mailscope run` gathers them after a load.
        try target.execute("ANALYZE")
        return copied
    }

    /// Throws `.refused` when `target` holds a MailScope database or any table of the same
    /// name as one of MailScope's `tables`.
    static func requireEmpty(_ target: PostgresConnection, tables: [String]) throws {
        let existing = try target.rows("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v') AND c.relname = ANY($1::text[])
            ORDER BY c.relname
            """, [.text("{" + ([schemaTable] + tables).joined(separator: ",") + "}")])
            .compactMap { $0.text("relname") }
        guard existing.isEmpty else {
            throw PostgresError(kind: .refused,
                                message: "this database already holds MailScope tables (\(existing.prefix(5).joined(separator: ", "))); "
                                    + "copy into a new, empty database (createdb NAME) so that nothing is mixed or copied twice",
                                target: target.target.display)
        }
    }

    /// The UTC months ("2026-11") the event tables' times fall in, between 1970 and 2100; a
    /// time outside those (or none) goes to the table's DEFAULT partition.
    static func months(in source: Database, tables: [PostgresSchema.Table]) throws -> [String] {
        var months = Set<String>()
        for table in tables where table.partitioned {
            let quotedTable = PostgresSchema.quote(table.name)
            for row in try source.rows("""
                SELECT DISTINCT strftime('%Y-%m', ts / 1000, 'unixepoch') AS month FROM \(quotedTable)
                WHERE ts >= 0 AND ts < 4102444800000
                """) {
                if let month = row.text("month") { months.insert(month) }
            }
        }
        return months.sorted()
    }

    /// Copies one table's rows; BLOB columns travel as `bytea` hex (`\x…`).
    static func copyTable(_ name: String, from source: Database, to target: PostgresConnection) throws -> Copied {
        let columns = try source.rows("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", [.text(name)])
        let names = columns.compactMap { $0.text("name") }
        let quotedColumns = columns.compactMap { column -> String? in
            guard let columnName = column.text("name") else { return nil }
            let quotedColumn = PostgresSchema.quote(columnName)
            return (column.text("type") ?? "").uppercased() == "BLOB"
                ? "CASE WHEN \(quotedColumn) IS NULL THEN NULL ELSE '\\x' || hex(\(quotedColumn)) END AS \(quotedColumn)"
                : quotedColumn
        }.joined(separator: ", ")
        let quotedTable = PostgresSchema.quote(name)
        let rows = try source.values("SELECT \(quotedColumns) FROM \(quotedTable)")
        var nulReplaced: [String: Int] = [:]
        let cleaned = rows.lazy.map { values in
            values.enumerated().map { i, value -> SQLValue in
                guard case .text(let text) = value, let clean = withoutNUL(text) else { return value }
                nulReplaced[names[i], default: 0] += 1
                return .text(clean)
            }
        }
        let stored = try target.copy(into: name, columns: names, rows: cleaned)
        if let error = rows.error { throw error }
        let expected = Int(try source.scalar("SELECT COUNT(*) FROM \(quotedTable)")?.intValue ?? -1)
        guard stored == expected else {
            throw PostgresError(kind: .copy, message: "\(name): \(stored) rows stored, the SQLite database holds \(expected)",
                                target: target.target.display)
        }
        return Copied(table: name, rows: stored, nulReplaced: nulReplaced)
    }

    /// `text` with each NUL character as U+FFFD, or nil when it holds none.
    static func withoutNUL(_ text: String) -> String? {
        guard text.utf8.contains(0) else { return nil }
        return String(decoding: text.utf8.flatMap { $0 == 0 ? [0xEF, 0xBF, 0xBD] : [$0] }, as: UTF8.self)
    }
}
