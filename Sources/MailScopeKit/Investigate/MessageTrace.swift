/// `mailscope query message ID`: everything the database holds about one message — receipt,
/// processing and delivery per recipient (`mail_message`) and every Mimecast event about it
/// (`url_click`, `attachment_scan`, `impersonation`, `mail_event`) and the held-message
/// releases linked to it (`message_release`: who released it, admin or the recipient) — in
/// time order.
///
/// Rows are found by Message-ID and, for rows logged without one (SIEM events whose
/// `messageId` was empty), by the aggregate id the message's other rows carry; the
/// `linked_by` column says which (`sender+recipient+subject+time` for a release, which the
/// release log carries no Message-ID for: see `ReleaseLinker`). That second key is looked for among the rows without a
/// Message-ID only, through the Message-ID index.
public enum MessageTrace {
    /// The columns in order: `time`, `source` (table/event), `recipient`, `sender`, `detail`,
    /// `subject`, `linked_by` (message-id or aggregate-id), `evidence` (file:line or file:line#n).
    public static let columns = ["time", "source", "recipient", "sender", "detail", "subject", "linked_by", "evidence"]

    /// The trace of `messageID` (with or without `<>`), at most `limit` rows (0 = all).
    public static func run(_ db: Database, messageID: String, limit: Int) throws -> InvestigationTable {
        let id = try InvestigationFilter.messageID(messageID, option: "MESSAGE-ID")
        let raw = try InvestigationTable.fetch(db, sql: sql, parameters: ["message_id": .text(id)], limit: limit,
                                               formats: ["time": .time])
        // The detail is the non-empty parts d1…d8 of a row, joined: each branch of the UNION
        // leaves a part NULL when its column is empty, so no label is printed without a value.
        let parts = (1...8).compactMap { raw.columns.firstIndex(of: "d\($0)") }
        let kept = columns.map { (name: $0, index: raw.columns.firstIndex(of: $0)) }
        let rows: [[SQLValue]] = raw.rows.map { row in
            let detail = parts.compactMap { row[$0].stringValue }.filter { !$0.isEmpty }.joined(separator: "; ")
            return kept.map { column in
                if column.name == "detail" { return detail.isEmpty ? .null : .text(detail) }
                return column.index.map { row[$0] } ?? .null
            }
        }
        return InvestigationTable(columns: columns, compactColumns: ["time", "source", "recipient", "detail", "evidence"],
                                  rows: rows, totalRows: raw.totalRows)
    }

    /// One SELECT per table with the same columns. On the tables with an aggregateId index
    /// (mail_message, attachment_scan) the rows without a Message-ID are found through it: the
    /// unary `+` keeps the planner from reading every row whose message_id IS NULL through the
    /// Message-ID index instead (three quarters of SIEM attachment rows carry none; measured
    /// with scripts/index-usage, docs/scaling.md). `rank` orders tables at the same
    /// millisecond (mail flow before the protections that acted on it), `row_id` keeps rows of
    /// one table in load order: together with `time` a total, stable order.
    static let sql = """
        WITH aggregates AS (
            SELECT aggregate_id FROM mail_message WHERE message_id = :message_id AND aggregate_id IS NOT NULL
            UNION SELECT aggregate_id FROM attachment_scan WHERE message_id = :message_id AND aggregate_id IS NOT NULL
            UNION SELECT aggregate_id FROM url_click WHERE message_id = :message_id AND aggregate_id IS NOT NULL
            UNION SELECT aggregate_id FROM impersonation WHERE message_id = :message_id AND aggregate_id IS NOT NULL
            UNION SELECT aggregate_id FROM mail_event WHERE message_id = :message_id AND aggregate_id IS NOT NULL
        )
        SELECT m.ts AS time, 0 AS rank, m.id AS row_id, 'mail_message/' || m.event AS source, m.recipient AS recipient,
               m.sender AS sender, m.subject AS subject,
               'action ' || m.action AS d1,
               CASE m.delivered WHEN 1 THEN 'delivered' WHEN 0 THEN 'not delivered' END AS d2,
               'hold reason ' || m.hold_reason AS d3,
               'rejected: ' || COALESCE(m.rejection_type, m.rejection_info) AS d4,
               'from ' || m.sender_ip AS d5,
               'spam score ' || m.spam_score AS d6,
               'SPF ' || m.spf || COALESCE(', DKIM ' || m.dkim, '') || COALESCE(', DMARC ' || m.dmarc, '') AS d7,
               'attachments ' || m.attachment_names AS d8,
               CASE WHEN m.message_id = :message_id THEN 'message-id' ELSE 'aggregate-id' END AS linked_by,
               f.path || ':' || m.line_no || COALESCE('#' || m.record_no, '') AS evidence
        FROM mail_message m JOIN input_file f ON f.id = m.file_id
        WHERE m.message_id = :message_id OR (+m.message_id IS NULL AND m.aggregate_id IN (SELECT aggregate_id FROM aggregates))
        UNION ALL
        SELECT a.ts, 1, a.id, 'attachment_scan', a.recipient, a.sender, a.subject,
               'result ' || a.result, 'action ' || a.action_triggered, a.file_name, 'sha256 ' || a.sha256,
               a.details, NULL, NULL, NULL,
               CASE WHEN a.message_id = :message_id THEN 'message-id' ELSE 'aggregate-id' END,
               f.path || ':' || a.line_no || COALESCE('#' || a.record_no, '')
        FROM attachment_scan a JOIN input_file f ON f.id = a.file_id
        WHERE a.message_id = :message_id OR (+a.message_id IS NULL AND a.aggregate_id IN (SELECT aggregate_id FROM aggregates))
        UNION ALL
        SELECT i.ts, 2, i.id, 'impersonation', i.recipient, i.sender, i.subject,
               'identifiers ' || i.identifiers, 'action ' || i.action,
               CASE WHEN i.tagged_malicious = 1 THEN 'tagged malicious' WHEN i.tagged_external = 1 THEN 'tagged external' END,
               'resembles ' || i.similar_to, NULL, NULL, NULL, NULL,
               CASE WHEN i.message_id = :message_id THEN 'message-id' ELSE 'aggregate-id' END,
               f.path || ':' || i.line_no || COALESCE('#' || i.record_no, '')
        FROM impersonation i JOIN input_file f ON f.id = i.file_id
        WHERE i.message_id = :message_id OR (i.message_id IS NULL AND i.aggregate_id IN (SELECT aggregate_id FROM aggregates))
        UNION ALL
        SELECT u.ts, 3, u.id, 'url_click/' || CASE u.is_click WHEN 1 THEN 'click' ELSE 'entry scan' END, u.user, u.sender, u.subject,
               'action ' || u.action, 'scan ' || u.scan_result, 'user chose ' || NULLIF(u.user_awareness_action, 'N/A'),
               'category ' || u.category, u.url_unwrapped, NULL, NULL, NULL,
               CASE WHEN u.message_id = :message_id THEN 'message-id' ELSE 'aggregate-id' END,
               f.path || ':' || u.line_no || COALESCE('#' || u.record_no, '')
        FROM url_click u JOIN input_file f ON f.id = u.file_id
        WHERE u.message_id = :message_id OR (u.message_id IS NULL AND u.aggregate_id IN (SELECT aggregate_id FROM aggregates))
        UNION ALL
        SELECT e.ts, 4, e.id, 'mail_event/' || e.event_type, e.recipient, e.sender, e.subject,
               'verdict ' || e.verdict, 'action ' || e.action, 'category ' || e.category, e.file_name,
               'sha256 ' || e.sha256, e.url, NULL, NULL,
               CASE WHEN e.message_id = :message_id THEN 'message-id' ELSE 'aggregate-id' END,
               f.path || ':' || e.line_no || COALESCE('#' || e.record_no, '')
        FROM mail_event e JOIN input_file f ON f.id = e.file_id
        WHERE e.message_id = :message_id OR (e.message_id IS NULL AND e.aggregate_id IN (SELECT aggregate_id FROM aggregates))
        UNION ALL
        SELECT r.ts, 5, r.id, 'message_release/' || COALESCE(r.status, '?'), r.recipient, r.sender, r.subject,
               CASE r.status WHEN 'released' THEN 'released from hold' WHEN 'rejected' THEN 'rejected from hold' ELSE r.status END
                   || COALESCE(' by ' || r.operator, '')
                   || CASE r.operator_role WHEN 'admin' THEN ' (admin)' WHEN 'recipient' THEN ' (the recipient)' ELSE '' END,
               'held: ' || r.held_reason, 'verdict ' || r.verdict || COALESCE(' (risk ' || r.verdict_risk || ')', ''),
               'reject reason ' || r.reject_reason, r.message_info,
               'SPF ' || r.spf || COALESCE(', DKIM ' || r.dkim, '') || COALESCE(', DMARC ' || r.dmarc, ''), NULL, NULL,
               'sender+recipient+subject+time',
               f.path || ':' || r.line_no || COALESCE('#' || r.record_no, '')
        FROM message_release r JOIN input_file f ON f.id = r.file_id
        WHERE r.message_id_linked = :message_id
        ORDER BY time, rank, row_id
        """
}
