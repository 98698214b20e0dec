import Foundation
import MailScopeKit

/// The MailScope schema as PostgreSQL wants it, derived from the SQLite schema itself (the
/// single source: `Schema`'s migrations), so the two cannot drift apart:
///
/// - types: INTEGER → `bigint` (milliseconds and counts), REAL → `double precision`,
///   TEXT → `text`, BLOB → `bytea` (dedup keys); each table's `extra` stays text holding its JSON object, as in SQLite (a
///   typed parameter binds to it as to any text column; `extra::jsonb ->> 'name'` reads a field);
/// - `id INTEGER PRIMARY KEY` → a bigint numbered as SQLite numbers it (largest + 1, by trigger);
/// - the event tables that carry a time (`ts`) are partitioned by month (declarative range
///   partitioning on `ts`, with a DEFAULT partition for rows outside the months created and
///   for a NULL time), so that a window reads the months it covers and prune drops a month;
///   their `id` is indexed rather than a primary key (a partitioned table's unique keys must
///   hold the partition key), and their dedup key is unique together with `ts`, which the
///   dedup key already begins with (`NULLS NOT DISTINCT`, PostgreSQL 15);
/// - every index, partial ones with their WHERE as written; `COLLATE NOCASE` is PostgreSQL's
///   collation `nocase` (``preamble``: ICU, case-insensitive), so the SQL that compares with
///   `COLLATE NOCASE` runs as written and uses the index. It folds case beyond ASCII too (É = é),
///   where SQLite's NOCASE folds A–Z only.
///
/// - UNIQUE constraints written in a table (SQLite's automatic indexes) as unique indexes.
///
/// Not carried over yet: CHECK constraints and foreign keys (SQLite's `pragma_table_info` does
/// not list them; the loader checks what they checked).
public enum PostgresSchema {
    /// One table's PostgreSQL definition.
    public struct Table: Sendable, Equatable {
        public let name: String
        public let partitioned: Bool
        /// The table (and for a partitioned one its DEFAULT partition).
        public let tableStatements: [String]
        /// Its indexes and id triggers: a bulk load creates them after the rows are in (one sort
        /// per index instead of an entry per row, no trigger call per copied row).
        public let indexStatements: [String]
        /// Everything, in order: the table, then its indexes.
        public var statements: [String] { tableStatements + indexStatements }

        public init(name: String, partitioned: Bool, tableStatements: [String], indexStatements: [String]) {
            self.name = name
            self.partitioned = partitioned
            self.tableStatements = tableStatements
            self.indexStatements = indexStatements
        }
    }

    /// What the tables need first: the case-insensitive collation SQLite calls NOCASE, and the
    /// function that keeps the id of the last row inserted (see `tables`).
    public static let preamble = [
        "CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
        """
        CREATE OR REPLACE FUNCTION mailscope_last_id() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM set_config('mailscope.last_insert_id', NEW.id::text, false);
            RETURN NULL;
        END $$
        """,
    ]

    /// The tables (in SQLite's creation order) and their indexes, read from `db` (a MailScope
    /// SQLite database at the current schema).
    public static func tables(from db: Database) throws -> [Table] {
        let eventTables = Set(EventTable.allCases.map(\.rawValue))
        let names = try db.rows("""
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid
            """).compactMap { $0.text("name") }
        var out: [Table] = []
        for name in names {
            let columns = try db.rows("SELECT name, type, \"notnull\" AS required, dflt_value AS fallback, pk FROM pragma_table_info(?) ORDER BY cid",
                                      [.text(name)])
            let hasTime = columns.contains { $0.text("name") == "ts" }
            let partitioned = eventTables.contains(name) && hasTime
            var definitions: [String] = []
            var keyColumns: [String] = []
            var numbered = false
            for column in columns {
                guard let columnName = column.text("name") else { continue }
                let type = pgType(sqliteType: column.text("type") ?? "", column: columnName)
                if column.int("pk") ?? 0 > 0 { keyColumns.append(columnName) }
                var definition = "\(quote(columnName)) \(type)"
                if columnName == "id" && column.int("pk") == 1 && type == "bigint" { numbered = true }
                if column.int("required") == 1 { definition += " NOT NULL" }
                if let fallback = column.text("fallback") { definition += " DEFAULT " + fallback }
                definitions.append(definition)
            }
            if !keyColumns.isEmpty && !partitioned {
                definitions.append("PRIMARY KEY (\(keyColumns.map(quote).joined(separator: ", ")))")
            }
            let quotedTable = quote(name)
            var statements = ["CREATE TABLE \(quotedTable) (\n    " + definitions.joined(separator: ",\n    ") + "\n)"
                                + (partitioned ? " PARTITION BY RANGE (ts)" : "")]
            var indexStatements: [String] = []
            if numbered {
                // SQLite gives a row without an id the largest id + 1, and an INSERT OR IGNORE
                // that is ignored takes none; an identity column would skip the ignored ones, and
                // the same data would get other ids than in SQLite. One writer at a time (the
                // writer lock) makes MAX + 1 safe. The last id inserted is kept for the session
                // (`lastInsertRowID`).
                // A function per table, so its MAX(id) query is planned once per session (an index
                // scan from the top of each partition's id index), not once per row.
                let quotedNext = quote(name + "_next_id"), quotedLast = quote(name + "_last_id")
                indexStatements.append("""
                    CREATE OR REPLACE FUNCTION \(quotedNext)() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.id IS NULL THEN
                            SELECT COALESCE(MAX(id), 0) + 1 INTO NEW.id FROM \(quotedTable);
                        END IF;
                        RETURN NEW;
                    END $$
                    """)
                indexStatements.append("CREATE TRIGGER \(quotedNext) BEFORE INSERT ON \(quotedTable) FOR EACH ROW EXECUTE FUNCTION \(quotedNext)()")
                indexStatements.append("CREATE TRIGGER \(quotedLast) AFTER INSERT ON \(quotedTable) FOR EACH ROW EXECUTE FUNCTION mailscope_last_id()")
            }
            if partitioned {
                let quotedDefault = quote(name + "_default"), quotedIndex = quote(name + "_id")
                statements.append("CREATE TABLE \(quotedDefault) PARTITION OF \(quotedTable) DEFAULT")
                if keyColumns == ["id"] { indexStatements.append("CREATE INDEX \(quotedIndex) ON \(quotedTable) (id)") }
            }
            let indexes = try db.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                                      [.text(name)])
            for index in indexes {
                guard let sql = index.text("sql") else { continue }
                indexStatements.append(try pgIndex(sql, partitioned: partitioned))
            }
            // UNIQUE constraints written in the table (SQLite keeps them as automatic indexes
            // with no SQL): INSERT OR IGNORE's conflicts, which ON CONFLICT DO NOTHING needs.
            let constraints = try db.rows("SELECT name FROM pragma_index_list(?) WHERE origin = 'u' ORDER BY name", [.text(name)])
            for (n, constraint) in constraints.enumerated() {
                guard let indexName = constraint.text("name") else { continue }
                var columns = try db.rows("SELECT name FROM pragma_index_info(?) ORDER BY seqno", [.text(indexName)])
                    .compactMap { $0.text("name") }.map(quote)
                if partitioned && !columns.contains(quote("ts")) { columns.append(quote("ts")) }
                let quotedIndex = quote("\(name)_unique_\(n + 1)"), quotedColumns = columns.joined(separator: ", ")
                indexStatements.append("CREATE UNIQUE INDEX \(quotedIndex) ON \(quotedTable) (\(quotedColumns))"
                                       + (partitioned ? " NULLS NOT DISTINCT" : ""))
            }
            out.append(Table(name: name, partitioned: partitioned, tableStatements: statements, indexStatements: indexStatements))
        }
        return out
    }

    /// The MailScope schema version `connection`'s database records (`mailscope_schema`), or nil
    /// when it holds no MailScope schema.
    public static func recordedVersion(_ connection: PostgresConnection) throws -> Int? {
        guard try connection.rows("SELECT to_regclass('mailscope_schema') IS NOT NULL AS present").first?.bool("present") ?? false else {
            return nil
        }
        return Int(try connection.rows("SELECT MAX(version) AS version FROM mailscope_schema").first?.int("version") ?? 0)
    }

    /// Creates `mailscope_schema` and records this version's schema in it, inside the caller's
    /// transaction; `copiedFrom` names the SQLite file a copy came from.
    static func recordVersion(_ connection: PostgresConnection, copiedFrom: String?) throws {
        try connection.execute("CREATE TABLE mailscope_schema (version integer NOT NULL, copied_from text, created_at bigint NOT NULL)")
        try connection.execute("INSERT INTO mailscope_schema (version, copied_from, created_at) VALUES ($1, $2, $3)",
                               [.integer(Int64(Schema.currentVersion)), copiedFrom.map(SQLValue.text) ?? .null,
                                .integer(Int64(Date().timeIntervalSince1970 * 1000))])
    }

    /// Throws `.refused` unless `connection`'s database holds a MailScope database of the schema
    /// version this mailscope reads.
    public static func requireCurrent(_ connection: PostgresConnection) throws {
        guard let version = try recordedVersion(connection) else {
            throw PostgresError(kind: .refused,
                                message: "this database holds no MailScope data (no mailscope_schema table); "
                                    + "`mailscope db copy --db case.db --to URL` puts a MailScope database there",
                                target: connection.target.display)
        }
        guard version == Schema.currentVersion else {
            throw PostgresError(kind: .refused,
                                message: "this database has MailScope schema version \(version), this mailscope reads \(Schema.currentVersion); "
                                    + (version < Schema.currentVersion
                                        ? "upgrade the SQLite file it came from (`mailscope detect --db case.db`) and copy it again into a new database"
                                        : "upgrade mailscope"),
                                target: connection.target.display)
        }
    }

    /// The statements that create month `month` ("2026-11") of every partitioned table.
    public static func monthPartitions(_ month: String, tables: [Table]) throws -> [String] {
        let parts = month.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, (1...12).contains(parts[1]), parts[0] >= 1970 else {
            throw PostgresError(kind: .statement, message: "\(month) is not a month (YYYY-MM)", target: "")
        }
        let fromMS = monthStartMS(year: parts[0], month: parts[1])
        let toMS = parts[1] == 12 ? monthStartMS(year: parts[0] + 1, month: 1) : monthStartMS(year: parts[0], month: parts[1] + 1)
        let suffix = String(format: "%04d_%02d", parts[0], parts[1])
        return tables.filter(\.partitioned).map { table in
            let quotedPartition = quote(table.name + "_" + suffix), quotedTable = quote(table.name)
            return "CREATE TABLE IF NOT EXISTS \(quotedPartition) PARTITION OF \(quotedTable) FOR VALUES FROM (\(fromMS)) TO (\(toMS))"
        }
    }

    // MARK: - Translation

    static func pgType(sqliteType: String, column: String) -> String {
        switch sqliteType.uppercased() {
        case "INTEGER", "INT": return "bigint"
        case "REAL": return "double precision"
        case "BLOB": return "bytea"
        default: return "text"
        }
    }

    /// A SQLite `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table(cols) [WHERE …]` as
    /// PostgreSQL's; a partitioned table's unique dedup key also holds `ts`.
    static func pgIndex(_ sql: String, partitioned: Bool) throws -> String {
        let pattern = #/^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON\s+(\w+)\s*\((.*?)\)\s*(WHERE\s+.*)?$/#
            .ignoresCase().dotMatchesNewlines()
        guard let match = sql.wholeMatch(of: pattern) else {
            throw PostgresError(kind: .statement, message: "cannot translate this index to PostgreSQL", sql: sql, target: "")
        }
        let unique = match.1 != nil
        // Column names are quoted: `user` (finding, url_click, …) is a reserved word in
        // PostgreSQL, where it reads as the function current_user.
        var columns = try match.4.split(separator: ",").map { part -> String in
            var column = part.trimmingCharacters(in: .whitespaces)
            var nocase = false
            if let range = column.range(of: " COLLATE NOCASE", options: .caseInsensitive) {
                column = String(column[..<range.lowerBound])
                nocase = true
            }
            guard column.wholeMatch(of: #/\w+/#) != nil else {
                throw PostgresError(kind: .statement, message: "cannot translate the index column \(column) to PostgreSQL", sql: sql, target: "")
            }
            return nocase ? "\(quote(column)) COLLATE nocase" : quote(column)
        }
        let quotedIndex = quote(String(match.2)), quotedTable = quote(String(match.3))
        let keyWithTime = unique && partitioned
        if keyWithTime && !columns.contains(quote("ts")) { columns.append(quote("ts")) }
        return (unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + quotedIndex + " ON " + quotedTable
            + " (" + columns.joined(separator: ", ") + ")" + (keyWithTime ? " NULLS NOT DISTINCT" : "")
            + (match.5.map { " " + $0 } ?? "")
    }

    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func monthStartMS(year: Int, month: Int) -> Int64 {
        Int64(TimeParser.daysFromCivil(year: year, month: month, day: 1)) * 86_400_000
    }
}
