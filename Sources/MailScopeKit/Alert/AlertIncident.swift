import Foundation

/// What an alert says about one incident, read from the database when it is sent: the
/// incident's numbers and the one sender, recipient, host, file, hash and URL a SIEM analyst
/// pivots on first (the most prevalent of each; ties by value, so the same database gives the
/// same alert).
public struct AlertIncident: Sendable, Equatable {
    /// The incident's number (#n) in this run's reports.
    public var number: Int64
    public var key: String
    public var title: String
    public var severity: Rule.Severity
    public var stage: Rule.Stage
    /// The rule of the incident's most severe finding (its earliest on a tie): CEF's signature.
    public var ruleID: String
    /// First and last activity, ms UTC.
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var recipients: Int64
    public var delivered: Int64
    public var interacted: Int64
    public var hosts: Int64
    public var findings: Int64
    public var sender: String?
    public var senderIP: String?
    /// The person who got furthest along the kill chain.
    public var user: String?
    /// The host that got furthest along the kill chain.
    public var host: String?
    public var fileName: String?
    public var sha256: String?
    public var url: String?
    /// The incident's largest finding id: the evidence this alert carries. The same incident
    /// with a larger mark is a new alert; with the same mark, the same one.
    public var findingMark: Int64

    /// The incident numbered `id` now, nil when there is none.
    public static func load(_ db: Database, incident id: Int64) throws -> AlertIncident? {
        guard let row = try db.rows("""
            SELECT i.id, i.key, i.title, i.severity, i.stage, i.first_ts, i.last_ts, i.recipients, i.delivered,
                   i.interacted, i.hosts, i.findings,
                   (SELECT MAX(x.finding_id) FROM incident_finding x WHERE x.incident_id = i.id) AS mark
            FROM incident i WHERE i.id = ?
            """, [.integer(id)]).first,
              let severity = row.text("severity").flatMap(Rule.Severity.init(rawValue:)) else { return nil }
        var incident = AlertIncident(
            number: id, key: row.text("key") ?? "", title: row.text("title") ?? "", severity: severity,
            stage: row.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted, ruleID: "",
            firstSeen: row.int("first_ts") ?? 0, lastSeen: row.int("last_ts") ?? 0,
            recipients: row.int("recipients") ?? 0, delivered: row.int("delivered") ?? 0,
            interacted: row.int("interacted") ?? 0, hosts: row.int("hosts") ?? 0, findings: row.int("findings") ?? 0,
            findingMark: row.int("mark") ?? 0)
        incident.ruleID = try db.rows("""
            SELECT f.rule_id FROM incident_finding x JOIN finding f ON f.id = x.finding_id
            WHERE x.incident_id = ?
            ORDER BY CASE f.severity WHEN 'critical' THEN 5 WHEN 'high' THEN 4 WHEN 'medium' THEN 3 WHEN 'low' THEN 2 ELSE 1 END DESC, f.ts, f.id
            LIMIT 1
            """, [.integer(id)]).first?.text("rule_id") ?? ""
        func indicator(_ type: String) throws -> String? {
            try db.rows("""
                SELECT value FROM incident_indicator WHERE incident_id = ? AND type = ?
                ORDER BY recipients DESC, hosts DESC, value LIMIT 1
                """, [.integer(id), .text(type)]).first?.text("value")
        }
        incident.sender = try indicator("sender")
        incident.senderIP = try indicator("sender_ip")
        incident.fileName = try indicator("file_name")
        incident.sha256 = try indicator("sha256")
        incident.url = try indicator("url")
        func furthest(_ sql: String) throws -> String? {
            try db.rows(sql, [.integer(id)]).compactMap { row -> (name: String, stage: Rule.Stage, first: Int64)? in
                guard let name = row.text("name") else { return nil }
                return (name, row.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted, row.int("first_ts") ?? .max)
            }.min { a, b in
                a.stage != b.stage ? a.stage > b.stage : a.first != b.first ? a.first < b.first : a.name < b.name
            }?.name
        }
        incident.user = try furthest("SELECT user AS name, stage, first_ts FROM incident_user WHERE incident_id = ?")
        incident.host = try furthest("SELECT host AS name, stage, first_ts FROM incident_host WHERE incident_id = ?")
        return incident
    }
}
