import Foundation

/// `--fail-on SEVERITY`: the incidents that should make a nightly run exit 3 so cron or
/// monitoring alerts. An incident counts when it is at or above the severity and gained a
/// finding since the last completed run: the night its evidence arrives, not every night after
/// (a standing incident would otherwise page someone forever), and not never when the run that
/// found it was killed before alerting. A first run over a case counts everything. The run then
/// leaves out incidents an analyst triaged false positive or benign that reached no higher
/// stage since (`Triage.verdict`, applied by `Job.run`).
public enum IncidentAlert {
    /// One incident that matched.
    public struct Match: Sendable, Equatable {
        /// The incident's number, as the reports show it (#n).
        public var id: Int64
        public var key: String
        public var title: String
        public var severity: Rule.Severity
        public var stage: Rule.Stage
    }

    /// The largest finding id the last completed run covered (0 before any): findings above it
    /// have not been through an alert check yet — including those of a run killed after its
    /// detection, which the next run alerts on instead of losing.
    public static func findingMark(_ db: Database) throws -> Int64 {
        try db.scalar("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'alerted_through'")?.intValue ?? 0
    }

    /// Records that every finding up to now has been through the alert check.
    public static func markChecked(_ db: Database) throws {
        try db.run("INSERT INTO meta (key, value) VALUES ('alerted_through', (SELECT COALESCE(MAX(id), 0) FROM finding)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    }

    /// Incidents at or above `severity` that hold a finding with an id above `mark`.
    public static func matches(_ db: Database, atLeast severity: Rule.Severity, findingsAfter mark: Int64) throws -> [Match] {
        try db.rows("""
            SELECT i.key, i.title, i.severity, i.stage, i.id FROM incident i
            WHERE EXISTS (SELECT 1 FROM incident_finding f WHERE f.incident_id = i.id AND f.finding_id > ?)
            ORDER BY i.id
            """, [.integer(mark)]).compactMap { row in
            guard let sev = row.text("severity").flatMap(Rule.Severity.init(rawValue:)), sev >= severity else { return nil }
            return Match(id: row.int("id") ?? 0, key: row.text("key") ?? "", title: row.text("title") ?? "", severity: sev, stage: row.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted)
        }
    }
}
