import Foundation

/// The chain-of-custody report of what was loaded: every input with its SHA-256, format,
/// counts and rejects by reason, as Markdown and JSON. Built from the database only, ordered
/// by path, with no wall-clock time in it: the same database gives the same bytes.
public enum IngestReport {
    /// One input as reported.
    public struct Input: Codable, Equatable, Sendable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var format: String
        public var status: String
        public var records: Int
        public var rows: Int
        public var duplicates: Int
        public var rejected: Int
        public var rowsByTable: [String: Int]
        public var firstSeen: String?
        public var lastSeen: String?
        public var notes: String?

        enum CodingKeys: String, CodingKey {
            case path, sha256, bytes, format, status, records, rows, duplicates, rejected
            case rowsByTable = "rows_by_table", firstSeen = "first_seen", lastSeen = "last_seen", notes
        }
    }

    /// The report's content.
    public struct Model: Codable, Sendable {
        public var schemaVersion = 1
        public var tool: [String: String]
        public var inputs: [Input]
        public var rowsByTable: [String: Int]
        public var rejects: Rejects

        public struct Rejects: Codable, Sendable {
            public var total: Int
            public var byReason: [String: Int]
            enum CodingKeys: String, CodingKey { case total, byReason = "by_reason" }
        }

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version", tool, inputs, rowsByTable = "rows_by_table", rejects
        }
    }

    public static func model(_ db: Database) throws -> Model {
        var inputs: [Input] = []
        for row in try db.rows("""
            SELECT path, sha256, bytes, format, status, records, rows, duplicates, rejected, rows_by_table, first_ts, last_ts, notes
            FROM input_file ORDER BY path, sha256
            """) {
            let byTable = (row.text("rows_by_table")?.data(using: .utf8)).flatMap { try? JSONDecoder().decode([String: Int].self, from: $0) } ?? [:]
            inputs.append(Input(path: row.text("path") ?? "", sha256: row.text("sha256") ?? "", bytes: Int(row.int("bytes") ?? 0),
                                format: row.text("format") ?? "", status: row.text("status") ?? "",
                                records: Int(row.int("records") ?? 0), rows: Int(row.int("rows") ?? 0),
                                duplicates: Int(row.int("duplicates") ?? 0), rejected: Int(row.int("rejected") ?? 0),
                                rowsByTable: byTable, firstSeen: row.int("first_ts").map(TimeParser.iso8601),
                                lastSeen: row.int("last_ts").map(TimeParser.iso8601), notes: row.text("notes")))
        }
        var rowsByTable: [String: Int] = [:]
        for table in EventTable.allCases {
            let n = Int(try db.scalar("SELECT COUNT(*) FROM \(table.rawValue)")?.intValue ?? 0)
            if n > 0 || !table.isAdministrationExport { rowsByTable[table.rawValue] = n }
        }
        var byReason: [String: Int] = [:]
        for row in try db.rows("SELECT reason, COUNT(*) AS n FROM reject GROUP BY reason") {
            byReason[row.text("reason") ?? ""] = Int(row.int("n") ?? 0)
        }
        return Model(tool: ["name": "mailscope", "version": MailScopeVersion.string], inputs: inputs, rowsByTable: rowsByTable,
                     rejects: .init(total: byReason.values.reduce(0, +), byReason: byReason))
    }

    public static func markdown(_ m: Model) -> String {
        var out = "# MailScope ingest report\n\n"
        out += "Tool: mailscope \(MarkdownText.escape(m.tool["version"] ?? "")). Built from the database only; the same database gives the same report.\n\n"
        out += "## Rows loaded\n\n| table | rows |\n|---|---:|\n"
        for (table, n) in m.rowsByTable.sorted(by: { $0.key < $1.key }) { out += "| \(table) | \(n) |\n" }
        out += "\n## Evidence and chain of custody\n\n"
        out += "| input | SHA-256 | format | status | events | rows | duplicates | rejected | first event (UTC) | last event (UTC) |\n"
        out += "|---|---|---|---|---:|---:|---:|---:|---|---|\n"
        for i in m.inputs {
            out += "| \(MarkdownText.escape(i.path)) | \(MarkdownText.code(i.sha256)) | \(MarkdownText.escape(i.format)) | \(MarkdownText.escape(i.status)) | \(i.records) | \(i.rows) | \(i.duplicates) | \(i.rejected) | \(i.firstSeen ?? "–") | \(i.lastSeen ?? "–") |\n"
        }
        let notes = m.inputs.filter { $0.notes != nil }
        if !notes.isEmpty {
            out += "\nNotes:\n\n"
            for i in notes { out += "- \(MarkdownText.escape(i.path)): \(MarkdownText.escape(i.notes ?? ""))\n" }
        }
        out += "\n## Rejected lines\n\n"
        if m.rejects.total == 0 {
            out += "None: every line was loaded.\n"
        } else {
            out += "\(m.rejects.total) lines or records were not loaded; each is kept in the `reject` table with its file, line and reason.\n\n| reason | count | meaning |\n|---|---:|---|\n"
            for (reason, n) in m.rejects.byReason.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                out += "| \(MarkdownText.escape(reason)) | \(n) | \(MarkdownText.escape(RejectReason(rawValue: reason)?.explanation ?? "")) |\n"
            }
        }
        return out
    }

    public static func json(_ m: Model) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(m), as: UTF8.self) + "\n"
    }

    /// Writes `ingest-summary.md` and `ingest-summary.json` into `folder` (each through a
    /// temporary file and a rename, so a crash never leaves half a report).
    public static func write(database: Database, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let m = try model(database)
        try AtomicFile.write(markdown(m), to: (folder as NSString).appendingPathComponent("ingest-summary.md"))
        try AtomicFile.write(json(m), to: (folder as NSString).appendingPathComponent("ingest-summary.json"))
    }
}
