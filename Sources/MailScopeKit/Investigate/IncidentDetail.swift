import Foundation

/// `mailscope query incident [N]`: one incident in one command — who was targeted and who
/// interacted, the Message-IDs of the delivered copies (what a purge needs), which hosts, what
/// ran on each host after the click or open, the indicators and every finding with the input
/// line behind it. Without N, the list of incidents.
public enum IncidentDetail {
    static let times: [String: InvestigationTable.Format] = ["time": .time, "first_time": .time, "last_time": .time]

    /// Every incident, most severe first (as the reports order them).
    public static func list(_ db: Database, limit: Int) throws -> InvestigationTable {
        try InvestigationTable.fetch(db, sql: """
            SELECT '#' || id AS incident, key, title, severity, stage, first_ts AS first_time, last_ts AS last_time,
                   recipients, delivered, interacted, hosts, findings
            FROM incident
            ORDER BY CASE severity \(severityOrder) END, last_ts DESC, id DESC
            """, parameters: [:], limit: limit, formats: times,
            compact: ["incident", "severity", "stage", "title", "recipients", "interacted", "hosts", "key"])
    }

    /// `CASE severity WHEN 'critical' THEN 0 …`: most severe first, from the enum.
    static let severityOrder = Rule.Severity.allCases.reversed().enumerated()
        .map { "WHEN '\($1.rawValue)' THEN \($0)" }.joined(separator: " ") + " ELSE \(Rule.Severity.allCases.count)"

    /// The sections of incident `reference` (`3`, `#3` or its key); each at most `limit` rows (0 = all).
    public static func run(_ db: Database, incident reference: String, limit: Int) throws -> [InvestigationSection] {
        let incident = try IncidentReference.resolve(reference, in: db)
        let p: [String: SQLValue] = ["incident": .integer(incident.id)]
        func table(_ sql: String, formats: [String: InvestigationTable.Format] = times, compact: [String]? = nil) throws -> InvestigationTable {
            try InvestigationTable.fetch(db, sql: sql, parameters: p, limit: limit, formats: formats, compact: compact)
        }
        var activity = InvestigationTable(columns: ["host"] + HostActivity.columns, compactColumns: ["host"] + HostActivity.compactColumns, rows: [])
        for host in try db.rows("SELECT host FROM incident_host WHERE incident_id = ? ORDER BY host", [.integer(incident.id)]).compactMap({ $0.text("host") }) {
            let story = HostActivity.table(try HostActivity.story(db, incident: incident.id, host: host))
            activity.rows += story.rows.map { [.text(host)] + $0 }
        }
        activity.totalRows = activity.rows.count
        if limit > 0 && activity.rows.count > limit { activity.rows.removeLast(activity.rows.count - limit) }
        return [
            InvestigationSection(key: "incident", title: "Incident #\(incident.id) (\(incident.key))", table: try table("""
                SELECT '#' || id AS incident, key, title, severity, stage, first_ts AS first_time, last_ts AS last_time,
                       recipients, delivered, interacted, hosts, findings
                FROM incident WHERE id = :incident
                """, compact: ["incident", "severity", "stage", "title", "first_time", "last_time"])),
            InvestigationSection(key: "triage", title: "Triage decision in force", table: try triage(db, incident: incident.id)),
            InvestigationSection(key: "reasons_and_actions", title: "Why this severity, and what to do", table: try table("""
                SELECT kind, text FROM incident_note WHERE incident_id = :incident ORDER BY kind DESC, seq
                """)),
            InvestigationSection(key: "people", title: "People: who was targeted, who got it, who interacted", table: try table("""
                SELECT u.user, u.received, u.delivered, u.interacted, u.stage, u.first_ts AS first_time,
                       \(EvidenceSQL.stage) AS evidence
                FROM incident_user u WHERE u.incident_id = :incident
                ORDER BY CASE u.stage \(stageOrder) END, u.user
                """)),
            InvestigationSection(key: "delivered_copies", title: "Delivered copies (Message-IDs to purge)", table: try table("""
                SELECT message_id, group_concat(recipient, char(31)) AS recipients, COUNT(*) AS copies
                FROM (SELECT message_id, recipient FROM incident_delivery WHERE incident_id = :incident ORDER BY message_id, recipient)
                GROUP BY message_id ORDER BY message_id
                """, formats: ["recipients": .list])),
            InvestigationSection(key: "administration", title: "Administration: what accounts did around it (releases, sign-ins, allow entries, archive access)",
                                 table: try table("""
                SELECT a.ts AS time, a.account, a.role, a.action, a.source_ip, a.detail, a.rule_id AS rule,
                       \(EvidenceSQL.administration) AS evidence
                FROM incident_admin a WHERE a.incident_id = :incident ORDER BY a.seq
                """, compact: ["time", "account", "role", "action", "source_ip", "detail"])),
            InvestigationSection(key: "hosts", title: "Hosts", table: try table("""
                SELECT host, user, stage, first_ts AS first_time, evidence_rows FROM incident_host WHERE incident_id = :incident ORDER BY host
                """)),
            InvestigationSection(key: "host_activity", title: "What ran on each host: the linked rows and the process chain that followed",
                                 table: activity),
            InvestigationSection(key: "indicators", title: "Indicators", table: try table("""
                SELECT type, value, recipients, hosts, first_ts AS first_time, last_ts AS last_time, feeds,
                       CASE shared WHEN 1 THEN 'shared infrastructure: context, not to block' ELSE '' END AS note
                FROM incident_indicator WHERE incident_id = :incident ORDER BY type, value
                """)),
            InvestigationSection(key: "findings", title: "Findings", table: try table("""
                SELECT f.ts AS time, f.rule_id || '@' || f.rule_version AS rule, f.severity, f.stage, f.user, f.host, f.summary,
                       \(EvidenceSQL.finding) AS evidence
                FROM incident_finding i JOIN finding f ON f.id = i.finding_id
                WHERE i.incident_id = :incident ORDER BY f.ts, f.id
                """, compact: ["time", "rule", "severity", "stage", "user", "host", "summary", "evidence"])),
        ]
    }

    /// The analyst's decision in force on the incident (`mailscope triage`), whether its stage
    /// has since risen above the one decided on (which re-opens it), or no row when none.
    static func triage(_ db: Database, incident id: Int64) throws -> InvestigationTable {
        let columns = ["status", "note", "by", "at", "stage_when_decided", "reopened"]
        guard let d = try Triage.current(db)[id] else { return InvestigationTable(columns: columns, rows: []) }
        let stageNow = try db.rows("SELECT stage FROM incident WHERE id = ?", [.integer(id)]).first?.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? d.stage
        return InvestigationTable(columns: columns, rows: [[.text(d.status.rawValue), .text(d.note), .text(d.by), .text(TimeParser.iso8601(d.at)),
                                                           .text(d.stage.rawValue), .text(Triage.reopened(d, stageNow: stageNow) ? "yes" : "no")]])
    }

    /// `CASE stage …`: the furthest stage first, from the enum.
    static let stageOrder = Rule.Stage.allCases.reversed().enumerated()
        .map { "WHEN '\($1.rawValue)' THEN \($0)" }.joined(separator: " ") + " ELSE \(Rule.Stage.allCases.count)"

}
