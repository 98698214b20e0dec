import Foundation

/// `mailscope prune`: removes events older than a cut-off so a nightly database stays a
/// bounded size, while keeping what the findings and incidents stand on.
///
/// Kept whatever their age: every finding and incident; the evidence manifest (`input_file`
/// with each file's SHA-256, so a pruned export is still recognised and never loaded again,
/// and `reject`); the identity map, threat-intel indicators, watch lists, the suppression list
/// and every triage decision (none of them is an event table); and every event
/// row a finding or an incident points at — the evidence row, the related row of a
/// correlation, the row proving a person's stage, and every mail, click, attachment,
/// impersonation and other event of an incident's messages, and every held-message release
/// linked to one (so its recipients and their releases stay complete).
/// Deleted: other event rows older than the cut-off; a release with no time (`released`
/// missing) is never older than anything and stays. Work is done in batches, each its own
/// transaction, so a kill leaves a consistent database and running again finishes the job.
public struct Pruner {
    /// The tables pruned by time, in the order they are pruned.
    public static let tables = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "edr_event",
                                "audit_event", "dlp_event", "archive_access", "user_risk", "message_release"]
    /// The tables whose rows belong to a message (kept when the message is in an incident).
    static let messageTables: Set<String> = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event"]

    /// What a prune did (or, with `dryRun`, would do) per table.
    public struct Outcome: Sendable, Equatable {
        public var table: String
        public var older: Int
        public var kept: Int
        public var deleted: Int
    }

    public let db: Database
    public var batchSize = 50_000

    public init(db: Database) { self.db = db }

    /// Prunes events with `ts < cutoff` (ms UTC). With `dryRun` nothing is changed.
    public func prune(before cutoff: Int64, dryRun: Bool = false) throws -> [Outcome] {
        try db.run("DROP TABLE IF EXISTS temp.prune_keep")
        try db.run("CREATE TEMP TABLE prune_keep (tbl TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (tbl, rid)) WITHOUT ROWID")
        try db.transaction {
            try db.run("INSERT OR IGNORE INTO temp.prune_keep SELECT evidence_table, evidence_rowid FROM finding")
            try db.run("INSERT OR IGNORE INTO temp.prune_keep SELECT related_table, related_rowid FROM finding WHERE related_table IS NOT NULL AND related_rowid IS NOT NULL")
            try db.run("""
                INSERT OR IGNORE INTO temp.prune_keep
                SELECT stage_evidence_table, stage_evidence_rowid
                FROM incident_user WHERE stage_evidence_table IS NOT NULL AND stage_evidence_rowid IS NOT NULL
                """)
            for table in Self.tables where Self.messageTables.contains(table) {
                try db.run("""
                    INSERT OR IGNORE INTO temp.prune_keep
                    SELECT '\(table)', t.id FROM (SELECT DISTINCT message_id FROM incident_message) m
                    JOIN \(table) t ON t.message_id = m.message_id WHERE t.ts < ?
                    """, [.integer(cutoff)])
            }
            // A release carries no Message-ID of its own: ReleaseLinker's link ties it to the message.
            try db.run("""
                INSERT OR IGNORE INTO temp.prune_keep
                SELECT 'message_release', r.id FROM (SELECT DISTINCT message_id FROM incident_message) m
                JOIN message_release r ON r.message_id_linked = m.message_id WHERE r.ts < ?
                """, [.integer(cutoff)])
        }
        defer { try? db.run("DROP TABLE IF EXISTS temp.prune_keep") }
        var outcomes: [Outcome] = []
        for table in Self.tables {
            let older = try db.scalar("SELECT COUNT(*) FROM \(table) WHERE ts < ?", [.integer(cutoff)])?.intValue ?? 0
            let kept = try db.scalar("""
                SELECT COUNT(*) FROM temp.prune_keep k JOIN \(table) t ON t.id = k.rid WHERE k.tbl = '\(table)' AND t.ts < ?
                """, [.integer(cutoff)])?.intValue ?? 0
            var deleted = 0
            if !dryRun {
                let batch = try db.prepare("""
                    DELETE FROM \(table) WHERE id IN (
                        SELECT t.id FROM \(table) t WHERE t.ts < ?
                        AND NOT EXISTS (SELECT 1 FROM temp.prune_keep k WHERE k.tbl = '\(table)' AND k.rid = t.id)
                        LIMIT ?)
                    """)
                let matches = try db.prepare("""
                    DELETE FROM ioc_match WHERE event_table = '\(table)'
                    AND NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.id = ioc_match.event_rowid)
                    """)
                while true {
                    let n = try db.transaction { () throws -> Int in
                        try batch.bind([.integer(cutoff), .integer(Int64(batchSize))])
                        _ = try batch.step()
                        batch.reset()
                        return db.changes
                    }
                    deleted += n
                    if n < batchSize { break }
                }
                try db.transaction { _ = try matches.step() }
            }
            outcomes.append(Outcome(table: table, older: Int(older), kept: Int(kept), deleted: dryRun ? 0 : deleted))
        }
        return outcomes
    }
}
