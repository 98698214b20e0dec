/// A plain-text description of a database for `mailscope db info`.
public enum DatabaseInfo {
    /// Describes the database at `path`, opened read-only. An older or newer schema is worth
    /// describing too (it says which version it is); when it cannot be described, the schema
    /// mismatch is the error.
    public static func describe(path: String) throws -> String {
        let database = try Database.openForReading(path: path, requireCurrentSchema: false)
        do { return try describe(database) } catch {
            let found = (try? database.userVersion) ?? 0
            guard found != Schema.currentVersion else { throw error }
            throw DatabaseReadError.schemaMismatch(path: path, found: found, expected: Schema.currentVersion)
        }
    }

    public static func describe(_ db: Database) throws -> String {
        var out = "Database: \(db.path)\n"
        out += "Schema version: \(try db.userVersion) (this mailscope: \(Schema.currentVersion))\n"
        let bytes: Int64
        if let engine = db.engine {
            bytes = try engine.sizeBytes()
        } else {
            bytes = (try db.scalar("PRAGMA page_count")?.intValue ?? 0) * (try db.scalar("PRAGMA page_size")?.intValue ?? 0)
        }
        out += "Size: \(String(format: "%.1f", Double(bytes) / 1_048_576)) MB\n"
        let files = try db.rows("SELECT status, COUNT(*) AS n FROM input_file GROUP BY status ORDER BY status")
        out += "Inputs: " + (files.isEmpty ? "none" : files.map { "\($0["n"]) \($0["status"])" }.joined(separator: ", ")) + "\n"
        out += "Rows:\n"
        for table in EventTable.allCases {
            let n = try db.scalar("SELECT COUNT(*) FROM \(table.rawValue)")?.intValue ?? 0
            let count = String(n)
            var line = "  \(table.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(repeating: " ", count: max(0, 10 - count.count)))\(count)"
            if table != .ioc, table != .directoryEntry, n > 0, let range = try db.rows("SELECT MIN(ts) AS first_ts, MAX(ts) AS last_ts FROM \(table.rawValue)").first,
               let lo = range.int("first_ts"), let hi = range.int("last_ts") {
                line += "  \(TimeParser.iso8601(lo)) … \(TimeParser.iso8601(hi))"
            }
            out += line + "\n"
        }
        let rejects = try db.rows("SELECT reason, COUNT(*) AS n FROM reject GROUP BY reason ORDER BY n DESC, reason")
        out += "Rejects: " + (rejects.isEmpty ? "none" : rejects.map { "\($0["reason"]) \($0["n"])" }.joined(separator: ", ")) + "\n"
        let findings = try db.rows("SELECT kind, COUNT(*) AS n FROM finding GROUP BY kind ORDER BY kind")
        let total = findings.reduce(Int64(0)) { $0 + ($1.int("n") ?? 0) }
        out += "Findings: \(total)" + (findings.isEmpty ? "" : " (" + findings.map { "\($0["n"]) \($0["kind"])" }.joined(separator: ", ") + ")") + "\n"
        let incidents = try db.rows("""
            SELECT severity, COUNT(*) AS n FROM incident GROUP BY severity
            ORDER BY CASE severity \(IncidentDetail.severityOrder) END
            """)
        let incidentTotal = incidents.reduce(Int64(0)) { $0 + ($1.int("n") ?? 0) }
        out += "Incidents: \(incidentTotal)" + (incidents.isEmpty ? "" : " (" + incidents.map { "\($0["n"]) \($0["severity"])" }.joined(separator: ", ") + ")") + "\n"
        if let run = try db.rows("SELECT started_at, finished_at, status, command FROM run ORDER BY id DESC LIMIT 1").first, let started = run.int("started_at") {
            let finished = run.int("finished_at").map { ", finished \(TimeParser.iso8601($0))" } ?? ""
            out += "Last run: \(run.text("status") ?? "?"), started \(TimeParser.iso8601(started))\(finished): \(run.text("command") ?? "")\n"
        }
        return out
    }
}

import Foundation
