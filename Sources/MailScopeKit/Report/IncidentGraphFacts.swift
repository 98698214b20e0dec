import Foundation

/// The mail-side facts an incident graph needs beyond the report's incident: which messages
/// of the campaign each sender sent under which subject and to whom, the addresses they came
/// from, and the clicks the findings rest on. Plain values, so the graph builder is tested
/// with tables; ``read(_:incident:)`` fills them from the database.
struct IncidentGraphFacts: Sendable, Equatable {
    /// The campaign's messages from one sender with one subject.
    struct MessageGroup: Sendable, Equatable {
        var sender: String
        var subject: String?
        var messages: Int
        var recipients: Set<String>
        var firstTS: Int64?
    }

    /// A sender and an address its mail of the campaign came from.
    struct Origin: Sendable, Equatable, Hashable {
        var sender: String
        var ip: String
    }

    /// A click (a `url_click` row) some finding of the incident rests on.
    struct Click: Sendable, Equatable {
        var row: Int64
        var user: String
        var url: String
        var action: String?
        var ts: Int64
    }

    var groups: [MessageGroup] = []
    var origins: [Origin] = []
    var clicks: [Click] = []

    /// The facts of incident `incident`: its messages (by Message-ID) as every mail row of
    /// them tells, the scan and click rows its findings cite (which carry the sender, subject
    /// and recipient where the mail logs are missing), and the clicks.
    static func read(_ db: Database, incident: Int) throws -> IncidentGraphFacts {
        let id: [SQLValue] = [.integer(Int64(incident))]
        struct Key: Hashable { var sender: String; var subject: String? }
        var groups: [Key: (messages: Set<String>, recipients: Set<String>, first: Int64?)] = [:]
        var origins: Set<Origin> = []
        func add(_ r: Row) {
            guard let sender = r.text("sender") else { return }
            // Rows of one message that lack the subject (a delivery row) join the group that has it.
            let key = Key(sender: sender, subject: r.text("subject"))
            var g = groups[key] ?? ([], [], nil)
            if let message = r.text("message_id") { g.messages.insert(message) }
            if let to = r.text("recipient") { g.recipients.insert(to.lowercased()) }
            if let ts = r.int("ts") { g.first = min(g.first ?? ts, ts) }
            groups[key] = g
            if let ip = r.text("sender_ip"), !ip.isEmpty { origins.insert(Origin(sender: sender, ip: ip)) }
        }
        for r in try db.rows("""
            SELECT m.message_id, m.sender, m.subject, m.recipient, m.sender_ip, m.ts FROM mail_message m
            WHERE m.message_id IN (SELECT message_id FROM incident_message WHERE incident_id = ?) AND m.sender IS NOT NULL
            """, id) { add(r) }
        for r in try db.rows("""
            WITH cited(tbl, rid) AS (
                SELECT f.evidence_table, f.evidence_rowid FROM incident_finding i JOIN finding f ON f.id = i.finding_id WHERE i.incident_id = ?
                UNION
                SELECT f.related_table, f.related_rowid FROM incident_finding i JOIN finding f ON f.id = i.finding_id WHERE i.incident_id = ?)
            SELECT message_id, sender, subject, user AS recipient, sending_ip AS sender_ip, ts FROM url_click
            WHERE id IN (SELECT rid FROM cited WHERE tbl = 'url_click') AND sender IS NOT NULL
            UNION ALL
            SELECT message_id, sender, subject, recipient, sender_ip, ts FROM attachment_scan
            WHERE id IN (SELECT rid FROM cited WHERE tbl = 'attachment_scan') AND sender IS NOT NULL
            UNION ALL
            SELECT message_id, sender, subject, recipient, sender_ip, ts FROM impersonation
            WHERE id IN (SELECT rid FROM cited WHERE tbl = 'impersonation') AND sender IS NOT NULL
            """, id + id) { add(r) }
        // Fold subject-less rows into the subject their Message-ID carries elsewhere.
        for (key, g) in groups where key.subject == nil {
            guard let home = groups.first(where: { $0.key.sender == key.sender && $0.key.subject != nil && !$0.value.messages.isDisjoint(with: g.messages) })?.key
            else { continue }
            groups[home]!.recipients.formUnion(g.recipients)
            groups[home]!.first = [groups[home]!.first, g.first].compactMap { $0 }.min()
            groups[key] = nil
        }
        var facts = IncidentGraphFacts()
        facts.groups = groups.map { MessageGroup(sender: $0.key.sender, subject: $0.key.subject, messages: $0.value.messages.count,
                                                 recipients: $0.value.recipients, firstTS: $0.value.first) }
            .sorted { ($0.sender, $0.subject ?? "") < ($1.sender, $1.subject ?? "") }
        facts.origins = origins.sorted { ($0.sender, $0.ip) < ($1.sender, $1.ip) }
        facts.clicks = try db.rows("""
            SELECT c.id, c.user, COALESCE(c.url_unwrapped, c.url) AS url, c.action, c.ts FROM url_click c
            WHERE c.is_click = 1 AND c.user IS NOT NULL AND c.id IN (
                SELECT f.evidence_rowid FROM incident_finding i JOIN finding f ON f.id = i.finding_id
                WHERE i.incident_id = ? AND f.evidence_table = 'url_click'
                UNION
                SELECT f.related_rowid FROM incident_finding i JOIN finding f ON f.id = i.finding_id
                WHERE i.incident_id = ? AND f.related_table = 'url_click')
            ORDER BY c.ts, c.id
            """, id + id).compactMap { r in
            guard let user = r.text("user"), let url = r.text("url") else { return nil }
            return Click(row: r.int("id") ?? 0, user: user, url: url, action: r.text("action"), ts: r.int("ts") ?? 0)
        }
        return facts
    }
}
