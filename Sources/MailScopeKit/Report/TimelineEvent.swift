import Foundation

/// A raw event around an incident, for timeline.jsonl: the endpoint rows of the incident's
/// hosts and the mail, click, attachment, impersonation and held-message release rows of its
/// people (who released a held copy, admin or the recipient, and when), within the
/// investigation window (the incident's first activity to ``HostActivity/followMilliseconds``
/// after its last). Marked apart from findings (`mailscope_type: event`), so an analyst sees in
/// Timesketch what happened around each finding, not only the findings.
public struct TimelineEvent: Sendable {
    public var ts: Timestamp
    public var table: String
    public var rowid: Int64
    /// The incidents whose window and people or hosts take the row in.
    public var incidents: [Int]
    public var message: String
    public var description: String
    /// Timesketch attributes: user, host, action, process, command_line, url, sender, …
    public var attributes: [String: String]
    public var evidence: String

    /// Reads the events of `incidents`, one per row (a row two incidents share names both),
    /// oldest first.
    static func read(_ db: Database, incidents: [ReportModel.Incident]) throws -> [TimelineEvent] {
        var byRow: [EvidenceRow: TimelineEvent] = [:]
        func add(_ rows: [Row], table: String, incident: Int, describe: (Row) -> (String, String, [String: String])) {
            for r in rows {
                let id = r.int("id") ?? 0
                let key = EvidenceRow(table: table, rowid: id)
                if let seen = byRow[key] {
                    if !seen.incidents.contains(incident) { byRow[key]?.incidents.append(incident) }
                    continue
                }
                let (message, description, attributes) = describe(r)
                byRow[key] = TimelineEvent(ts: Timestamp(r.int("ts") ?? 0), table: table, rowid: id, incidents: [incident], message: message,
                                           description: description, attributes: attributes.filter { !$0.value.isEmpty },
                                           evidence: EvidenceLocator.text(file: r.text("input_path") ?? "?", line: r.int("line_no") ?? 0, record: r.int("record_no")))
            }
        }
        for incident in incidents {
            let from = SQLValue.integer(incident.firstSeen.milliseconds)
            let to = SQLValue.integer(incident.lastSeen.milliseconds + HostActivity.followMilliseconds)
            for host in incident.hosts {
                add(try db.cachedRows("""
                    SELECT e.id, e.ts, e.action, e.process, e.command_line, e.parent_process, e.file_name, e.file_path, e.domain, e.url_host,
                           e.remote_ip, e.account, fi.path AS input_path, e.line_no, e.record_no
                    FROM edr_event e JOIN input_file fi ON fi.id = e.file_id
                    WHERE e.host = ? AND e.ts BETWEEN ? AND ? ORDER BY e.ts, e.id
                    """, [.text(host), from, to]), table: EventTable.edrEvent.rawValue, incident: incident.id) { r in
                    let what = [r.text("process"), r.text("file_path") ?? r.text("file_name"), r.text("url_host") ?? r.text("domain") ?? r.text("remote_ip")]
                        .compactMap { $0 }.joined(separator: " ")
                    return ("\(host): \(r.text("action") ?? "") \(what)", "endpoint \(r.text("action") ?? "")",
                            ["host": host, "action": r.text("action") ?? "", "process": r.text("process") ?? "", "command_line": r.text("command_line") ?? "",
                             "parent_process": r.text("parent_process") ?? "", "file": r.text("file_path") ?? r.text("file_name") ?? "",
                             "domain": r.text("url_host") ?? r.text("domain") ?? "", "remote_ip": r.text("remote_ip") ?? "", "account": r.text("account") ?? ""])
                }
            }
            for user in incident.people.map(\.user) {
                add(try db.cachedRows("""
                    SELECT m.id, m.ts, m.event, m.sender, m.recipient, m.subject, m.message_id, m.action, fi.path AS input_path, m.line_no, m.record_no
                    FROM mail_message m JOIN input_file fi ON fi.id = m.file_id
                    WHERE m.recipient = ? AND m.ts BETWEEN ? AND ? ORDER BY m.ts, m.id
                    """, [.text(user), from, to]), table: EventTable.mailMessage.rawValue, incident: incident.id) { r in
                    ("\(r.text("event") ?? "mail"): \(r.text("sender") ?? "?") → \(user): \(r.text("subject") ?? "")", "mail \(r.text("event") ?? "")",
                     ["user": user, "sender": r.text("sender") ?? "", "subject": r.text("subject") ?? "", "message_id": r.text("message_id") ?? "",
                      "action": r.text("action") ?? ""])
                }
                add(try db.cachedRows("""
                    SELECT c.id, c.ts, c.url, c.action, c.scan_result, c.is_click, c.message_id, fi.path AS input_path, c.line_no, c.record_no
                    FROM url_click c JOIN input_file fi ON fi.id = c.file_id
                    WHERE c.user = ? AND c.ts BETWEEN ? AND ? ORDER BY c.ts, c.id
                    """, [.text(user), from, to]), table: EventTable.urlClick.rawValue, incident: incident.id) { r in
                    let kind = r.int("is_click") == 1 ? "click" : "entry scan"
                    return ("\(user): \(kind) \(r.text("url") ?? "") (\(r.text("action") ?? ""), \(r.text("scan_result") ?? ""))", "URL \(kind)",
                            ["user": user, "url": r.text("url") ?? "", "action": r.text("action") ?? "", "scan_result": r.text("scan_result") ?? "",
                             "message_id": r.text("message_id") ?? ""])
                }
                add(try db.cachedRows("""
                    SELECT r.id, r.ts, r.status, r.operator, r.operator_role, r.sender, r.subject, r.held_reason, r.message_id_linked,
                           fi.path AS input_path, r.line_no, r.record_no
                    FROM message_release r JOIN input_file fi ON fi.id = r.file_id
                    WHERE r.recipient = ? AND r.ts BETWEEN ? AND ? ORDER BY r.ts, r.id
                    """, [.text(user), from, to]), table: EventTable.messageRelease.rawValue, incident: incident.id) { r in
                    let status = r.text("status") ?? "?"
                    let by = r.text("operator").map { " by \($0)" } ?? ""
                    let role = r.text("operator_role").map { " (\($0 == "recipient" ? "the recipient" : $0))" } ?? ""
                    return ("\(user): \(status) from hold\(by)\(role): \(r.text("subject") ?? "")", "held message \(status)",
                            ["user": user, "action": status, "operator": r.text("operator") ?? "", "operator_role": r.text("operator_role") ?? "",
                             "sender": r.text("sender") ?? "", "subject": r.text("subject") ?? "", "held_reason": r.text("held_reason") ?? "",
                             "message_id": r.text("message_id_linked") ?? ""])
                }
                add(try db.cachedRows("""
                    SELECT a.id, a.ts, a.file_name, a.sha256, a.result, a.action_triggered, a.message_id, fi.path AS input_path, a.line_no, a.record_no
                    FROM attachment_scan a JOIN input_file fi ON fi.id = a.file_id
                    WHERE a.recipient = ? AND a.ts BETWEEN ? AND ? ORDER BY a.ts, a.id
                    """, [.text(user), from, to]), table: EventTable.attachmentScan.rawValue, incident: incident.id) { r in
                    ("\(user): attachment \(r.text("file_name") ?? "") \(r.text("result") ?? "") \(r.text("action_triggered") ?? "")", "attachment scan",
                     ["user": user, "file": r.text("file_name") ?? "", "sha256": r.text("sha256") ?? "", "result": r.text("result") ?? "",
                      "action": r.text("action_triggered") ?? "", "message_id": r.text("message_id") ?? ""])
                }
            }
        }
        return byRow.values.sorted { ($0.ts, $0.table, $0.rowid) < ($1.ts, $1.table, $1.rowid) }
    }
}
