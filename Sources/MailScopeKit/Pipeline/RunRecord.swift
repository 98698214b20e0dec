import Foundation

/// The `run` table: what was run, by which version, with which options, and whether it
/// finished. Reports name the detection they describe from it; an auditor repeats a run from it.
public enum RunRecord {
    /// What a run record is for.
    public enum Kind: String, Sendable {
        case run, detect, prune
    }

    /// `arguments` (the process's, program name first) as the command line a user would type,
    /// quoted where a shell would need it, with the program named `mailscope`.
    public static func commandLine(_ arguments: [String]) -> String {
        (["mailscope"] + arguments.dropFirst()).map { arg in
            arg.isEmpty || arg.contains(where: { " \"'$`\\|&;<>(){}*?!#~".contains($0) }) ? "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'" : arg
        }.joined(separator: " ")
    }

    /// Records a run starting. The caller holds the run lock, so a run still marked running
    /// was killed: it is marked interrupted. `options` holds what an auditor needs to repeat
    /// it (the window, enabled opt-in rules, parameter overrides), stored as JSON with `kind`.
    public static func start(_ db: Database, kind: Kind, command: String, options: [String: Any] = [:]) throws -> Int64 {
        try db.run("UPDATE run SET status = 'interrupted' WHERE status = 'running'")
        var all = options
        all["kind"] = kind.rawValue
        let json = String(decoding: try JSONSerialization.data(withJSONObject: all, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        try db.run("INSERT INTO run (started_at, command, version, options, status) VALUES (?, ?, ?, ?, 'running')",
                   [.integer(now), .text(command), .text(MailScopeVersion.string), .text(json)])
        return db.lastInsertRowID
    }

    /// Marks run `id` finished.
    public static func finish(_ db: Database, _ id: Int64) throws {
        try db.run("UPDATE run SET finished_at = ?, status = 'finished' WHERE id = ?", [.integer(now), .integer(id)])
    }

    /// Counts run `id`'s alert deliveries (`AlertDelivery`) in its record.
    public static func countDeliveries(_ db: Database, _ id: Int64, _ counts: AlertDelivery.Counts) throws {
        try db.run("UPDATE run SET alerts_delivered = ?, alerts_failed = ? WHERE id = ?",
                   [.integer(Int64(counts.delivered)), .integer(Int64(counts.failed)), .integer(id)])
    }

    /// The detection the reports describe: the last finished run or detect (not a prune).
    public struct LastDetection: Sendable, Equatable {
        public var command: String?
        /// Opt-in rules it enabled.
        public var enabled: Set<String> = []
        /// Rule parameters it overrode, as text.
        public var parameters: [String: String] = [:]
        /// The zone its EDR times without one were read in (`--edr-tz`), as given.
        public var edrTimeZone: String?
    }

    public static func lastDetection(_ db: Database) throws -> LastDetection {
        guard let row = try db.rows("""
            SELECT command, options FROM run
            WHERE status = 'finished' AND COALESCE(json_extract(options, '$.kind'), 'run') IN ('run', 'detect')
            ORDER BY id DESC LIMIT 1
            """).first else { return LastDetection() }
        let options = row.text("options").flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        return LastDetection(command: row.text("command"),
                             enabled: Set(options["enabled"] as? [String] ?? []),
                             parameters: (options["params"] as? [String: Any] ?? [:]).mapValues { "\($0)" },
                             edrTimeZone: options["edr_tz"] as? String)
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
