import Foundation

/// The event lists behind `mailscope query url|attachment|impersonation`: Mimecast's URL,
/// Attachment and Impersonation Protect results, each with the message it belongs to and the
/// input line it came from, oldest first.
///
/// Each query is constant SQL plus the filter fragments of its ``InvestigationFilter/Columns``;
/// values are bound. A filter the query has no column for is refused.
public struct InvestigationQuery: Sendable {
    /// The command it answers, for messages (`query url`).
    public let name: String
    /// Which columns each filter reads.
    public let columns: InvestigationFilter.Columns
    let select: String
    let orderBy: String
    let formats: [String: InvestigationTable.Format]
    let compact: [String]

    /// Runs the query: rows matching `filter`, at most `limit` of them (0 = all).
    public func run(_ db: Database, filter: InvestigationFilter, limit: Int) throws -> InvestigationTable {
        let clause = try filter.clause(for: columns)
        return try InvestigationTable.fetch(db, sql: select + clause.sql + orderBy, parameters: clause.parameters,
                                            limit: limit, formats: formats, compact: compact)
    }

    /// Opens `path` read-only for queries, after checking it is a MailScope database of the
    /// schema this version reads (a read-only connection cannot migrate it).
    public static func open(path: String) throws -> Database {
        guard FileManager.default.fileExists(atPath: path) else { throw InvestigationError.noDatabase(path: path) }
        let db: Database
        let version: Int
        do {
            db = try Database(path: path, mode: .readOnly)
            version = try db.userVersion
        } catch let error as DatabaseError where error.code & 0xff == 26 {  // SQLITE_NOTADB
            throw InvestigationError.notMailScopeDatabase(path: path)
        }
        if version == 0 { throw InvestigationError.notMailScopeDatabase(path: path) }
        if version != Schema.currentVersion {
            throw InvestigationError.schemaMismatch(path: path, found: version, expected: Schema.currentVersion)
        }
        return db
    }

    // MARK: - URL Protect

    /// URL Protect clicks (and, when asked, the entry scans Mimecast made on delivery, which
    /// are not clicks): who, when, verdict, action, what the user chose on a warning page,
    /// category, the URL unwrapped and as seen, and the message it was in.
    public static func urlClicks(includingEntryScans: Bool = false) -> InvestigationQuery {
        InvestigationQuery(
            name: "query url",
            columns: urlColumns,
            select: urlSelect + (includingEntryScans ? " WHERE 1 = 1" : " WHERE u.is_click = 1"),
            orderBy: " ORDER BY u.ts, u.id",
            formats: ["time": .time],
            compact: includingEntryScans
                ? ["time", "user", "kind", "action", "scan_result", "awareness_action", "category", "url", "sender", "evidence"]
                : ["time", "user", "action", "scan_result", "awareness_action", "category", "url", "sender", "evidence"])
    }

    static let urlColumns = InvestigationFilter.Columns(
        query: "query url",
        user: "u.user = :user",
        sender: "u.sender = :sender",
        domain: InvestigationFilter.Columns.domainMatch("u.url_domain", "u.url_host", "u.sender_domain", "u.user_domain"),
        url: "instr(lower(u.url_unwrapped), :url) > 0 OR instr(lower(u.url), :url) > 0",
        messageID: "u.message_id = :message_id",
        time: "u.ts")

    static let urlSelect = """
        SELECT u.ts AS time, u.user AS user, CASE u.is_click WHEN 1 THEN 'click' ELSE 'entry scan' END AS kind,
               u.action AS action, u.scan_result AS scan_result, u.user_awareness_action AS awareness_action,
               u.user_override AS user_override, u.admin_override AS admin_override, u.category AS category,
               u.url_unwrapped AS url, u.url AS url_as_seen, u.url_domain AS url_domain,
               u.sender AS sender, u.subject AS subject, u.message_id AS message_id,
               u.source AS source, f.path || ':' || u.line_no || COALESCE('#' || u.record_no, '') AS evidence
        FROM url_click u JOIN input_file f ON f.id = u.file_id
        """

    // MARK: - Attachment Protect

    /// Attachment Protect results. SIEM events that carry no recipient list the recipients of
    /// their message, found through its aggregate id (`recipient_from` says `message`), and
    /// `--user` matches them: when scoping a person, an event that may concern them is shown.
    public static let attachments = InvestigationQuery(
        name: "query attachment",
        columns: InvestigationFilter.Columns(
            query: "query attachment",
            user: """
                a.recipient = :user OR (a.recipient IS NULL AND EXISTS (SELECT 1 FROM mail_message m
                    WHERE m.aggregate_id = a.aggregate_id AND m.event = 'receipt' AND m.recipient = :user))
                """,
            sender: "a.sender = :sender",
            domain: InvestigationFilter.Columns.domainMatch("a.sender_domain", "a.recipient_domain"),
            sha256: "a.sha256 = :sha256",
            messageID: """
                a.message_id = :message_id OR (a.message_id IS NULL AND EXISTS (SELECT 1 FROM mail_message m
                    WHERE m.aggregate_id = a.aggregate_id AND m.message_id = :message_id))
                """,
            time: "a.ts"),
        select: """
            SELECT a.ts AS time,
                   COALESCE(a.recipient, (SELECT group_concat(m.recipient, char(31)) FROM mail_message m
                       WHERE m.aggregate_id = a.aggregate_id AND m.event = 'receipt' AND m.recipient IS NOT NULL)) AS recipient,
                   CASE WHEN a.recipient IS NOT NULL THEN 'event' WHEN a.aggregate_id IS NOT NULL THEN 'message' END AS recipient_from,
                   a.sender AS sender, a.file_name AS file_name, a.sha256 AS sha256, a.result AS result,
                   a.action_triggered AS action, a.details AS details, a.file_mime AS file_type, a.size_bytes AS size_bytes,
                   a.subject AS subject,
                   COALESCE(a.message_id, (SELECT min(m.message_id) FROM mail_message m WHERE m.aggregate_id = a.aggregate_id)) AS message_id,
                   a.source AS source, f.path || ':' || a.line_no || COALESCE('#' || a.record_no, '') AS evidence
            FROM attachment_scan a JOIN input_file f ON f.id = a.file_id
            WHERE 1 = 1
            """,
        orderBy: " ORDER BY a.ts, a.id",
        formats: ["time": .time, "recipient": .list],
        compact: ["time", "recipient", "sender", "file_name", "result", "action", "sha256", "evidence"])

    // MARK: - Impersonation Protect

    /// Impersonation Protect hits: who was targeted by whom, which identifiers fired, the
    /// action, and whether the message was tagged.
    public static let impersonations = InvestigationQuery(
        name: "query impersonation",
        columns: InvestigationFilter.Columns(
            query: "query impersonation",
            user: "i.recipient = :user",
            sender: "i.sender = :sender",
            domain: InvestigationFilter.Columns.domainMatch("i.sender_domain", "i.recipient_domain"),
            messageID: """
                i.message_id = :message_id OR (i.message_id IS NULL AND EXISTS (SELECT 1 FROM mail_message m
                    WHERE m.aggregate_id = i.aggregate_id AND m.message_id = :message_id))
                """,
            time: "i.ts"),
        select: """
            SELECT i.ts AS time, i.recipient AS recipient, i.sender AS sender, i.identifiers AS identifiers,
                   i.action AS action,
                   CASE WHEN i.tagged_malicious IS NULL AND i.tagged_external IS NULL THEN NULL
                        WHEN i.tagged_malicious = 1 AND i.tagged_external = 1 THEN 'malicious, external'
                        WHEN i.tagged_malicious = 1 THEN 'malicious'
                        WHEN i.tagged_external = 1 THEN 'external'
                        ELSE 'no' END AS tagged,
                   i.hits AS hits, i.definition AS definition, i.similar_to AS resembles, i.subject AS subject,
                   COALESCE(i.message_id, (SELECT min(m.message_id) FROM mail_message m WHERE m.aggregate_id = i.aggregate_id)) AS message_id,
                   i.source AS source, f.path || ':' || i.line_no || COALESCE('#' || i.record_no, '') AS evidence
            FROM impersonation i JOIN input_file f ON f.id = i.file_id
            WHERE 1 = 1
            """,
        orderBy: " ORDER BY i.ts, i.id",
        formats: ["time": .time, "identifiers": .jsonList],
        compact: ["time", "recipient", "sender", "identifiers", "action", "tagged", "subject", "evidence"])
}
