/// `mailscope query threat-activity`: a summary of every threat event over a period, for the
/// whole database, one person or one domain — what Mimecast's threat dashboard shows, computed
/// from the rows: totals, counts by event type and verdict, the most targeted people, the
/// senders behind most events and the domains clicked most.
///
/// Threat events are URL Protect clicks (not entry scans), Attachment Protect results,
/// Impersonation Protect hits, antivirus, spam and Internal Email Protect events, and mail
/// rejected at receipt. An event counts as a *threat* when Mimecast judged it malicious or
/// acted on it: a click on a malicious URL or one blocked or warned, a malicious attachment,
/// an impersonation hit tagged malicious or not let through, and every antivirus, spam,
/// Internal Email Protect and rejection event. The rankings are ordered by threats, then events.
public enum ThreatActivity {
    /// `--user` is the person the event concerns (clicker, recipient); `--domain` the
    /// recipient's or the sender's domain (or a parent of it).
    public static let columns = InvestigationFilter.Columns(
        query: "query threat-activity",
        user: "t.user = :user",
        domain: InvestigationFilter.Columns.domainMatch("t.user_domain", "t.sender_domain"),
        time: "t.ts")

    /// The sections, in order: `totals`, `by_event_type`, `top_targeted_users`, `top_senders`,
    /// `top_clicked_domains`. Rankings keep `top` rows; the event-type table at most `limit` (0 = all).
    public static func run(_ db: Database, filter: InvestigationFilter, top: Int, limit: Int) throws -> [InvestigationSection] {
        let clause = try filter.clause(for: columns)
        func table(_ select: String, limit: Int, formats: [String: InvestigationTable.Format] = [:]) throws -> InvestigationTable {
            try InvestigationTable.fetch(db, sql: clause.inserted(into: threatEvents + select),
                                         parameters: clause.parameters, limit: limit, formats: formats)
        }
        let times: [String: InvestigationTable.Format] = ["first_time": .time, "last_time": .time]
        return [
            InvestigationSection(key: "totals", title: "Threat activity", table: try table(totals, limit: 0, formats: times)),
            InvestigationSection(key: "by_event_type", title: "Events by type and verdict", table: try table(byEventType, limit: limit)),
            InvestigationSection(key: "top_targeted_users", title: "Most targeted people", table: try table(topUsers, limit: top, formats: times),
                                 limitOption: "--top"),
            InvestigationSection(key: "top_senders", title: "Senders behind most events", table: try table(topSenders, limit: top, formats: times),
                                 limitOption: "--top"),
            InvestigationSection(key: "top_clicked_domains", title: "Most clicked domains", table: try table(topClickedDomains, limit: top, formats: times),
                                 limitOption: "--top"),
        ]
    }

    /// Every threat event with the same columns, as a CTE the sections read once each. The
    /// filter's conditions are on the CTE's columns; SQLite pushes them into each branch.
    static let threatEvents = """
        WITH threat AS (
            SELECT u.ts AS ts, 'url click' AS event_type, u.scan_result AS verdict, u.action AS action,
                   u.user AS user, u.user_domain AS user_domain, u.sender AS sender, u.sender_domain AS sender_domain,
                   u.message_id AS message_id, u.url_domain AS url_domain,
                   CASE WHEN u.scan_result = 'malicious' OR u.action IN ('block', 'warn') THEN 1 ELSE 0 END AS is_threat
            FROM url_click u WHERE u.is_click = 1
            UNION ALL
            SELECT a.ts, 'attachment', a.result, a.action_triggered, a.recipient, a.recipient_domain, a.sender, a.sender_domain,
                   a.message_id, NULL, CASE WHEN a.result = 'malicious' THEN 1 ELSE 0 END
            FROM attachment_scan a
            UNION ALL
            SELECT i.ts, 'impersonation', CASE WHEN i.tagged_malicious = 1 THEN 'tagged malicious' ELSE 'not tagged malicious' END,
                   i.action, i.recipient, i.recipient_domain, i.sender, i.sender_domain, i.message_id, NULL,
                   CASE WHEN i.tagged_malicious = 1 OR COALESCE(i.action, 'none') <> 'none' THEN 1 ELSE 0 END
            FROM impersonation i
            UNION ALL
            SELECT e.ts, CASE e.event_type WHEN 'av' THEN 'antivirus' WHEN 'iep' THEN 'internal email protect' ELSE e.event_type END,
                   e.verdict, e.action, e.recipient, e.recipient_domain, e.sender, e.sender_domain, e.message_id, e.url_domain, 1
            FROM mail_event e WHERE e.event_type IN ('av', 'spam', 'iep')
            UNION ALL
            SELECT m.ts, 'rejected at receipt', COALESCE(m.rejection_type, m.rejection_info), m.action, m.recipient, m.recipient_domain,
                   m.sender, m.sender_domain, m.message_id, NULL, 1
            FROM mail_message m WHERE m.event = 'receipt' AND m.action = 'Rej'
        )

        """

    static let totals = """
        SELECT COUNT(*) AS events, COALESCE(SUM(t.is_threat), 0) AS threats, COUNT(DISTINCT t.user) AS users,
               COUNT(DISTINCT t.sender) AS senders, COUNT(DISTINCT t.message_id) AS messages,
               MIN(t.ts) AS first_time, MAX(t.ts) AS last_time
        FROM threat t WHERE 1 = 1 /*filter*/
        """

    static let byEventType = """
        SELECT t.event_type AS event_type, t.verdict AS verdict, t.action AS action, COUNT(*) AS events,
               SUM(t.is_threat) AS threats, COUNT(DISTINCT t.user) AS users, COUNT(DISTINCT t.message_id) AS messages
        FROM threat t WHERE 1 = 1 /*filter*/
        GROUP BY t.event_type, t.verdict, t.action
        ORDER BY t.event_type, events DESC, t.verdict, t.action
        """

    static let topUsers = """
        SELECT t.user AS user, SUM(t.is_threat) AS threats, COUNT(*) AS events,
               COUNT(CASE WHEN t.event_type = 'url click' THEN 1 END) AS clicks,
               COUNT(CASE WHEN t.event_type = 'attachment' THEN 1 END) AS attachments,
               COUNT(CASE WHEN t.event_type = 'impersonation' THEN 1 END) AS impersonations,
               COUNT(DISTINCT t.sender) AS senders, MIN(t.ts) AS first_time, MAX(t.ts) AS last_time
        FROM threat t WHERE t.user IS NOT NULL /*filter*/
        GROUP BY t.user
        ORDER BY threats DESC, events DESC, t.user
        """

    static let topSenders = """
        SELECT t.sender AS sender, SUM(t.is_threat) AS threats, COUNT(*) AS events, COUNT(DISTINCT t.user) AS users,
               COUNT(DISTINCT t.message_id) AS messages, MIN(t.ts) AS first_time, MAX(t.ts) AS last_time
        FROM threat t WHERE t.sender IS NOT NULL /*filter*/
        GROUP BY t.sender
        ORDER BY threats DESC, events DESC, t.sender
        """

    static let topClickedDomains = """
        SELECT t.url_domain AS domain, COUNT(*) AS clicks, COUNT(DISTINCT t.user) AS users,
               COUNT(CASE WHEN t.verdict = 'malicious' THEN 1 END) AS malicious,
               COUNT(CASE WHEN t.action = 'block' THEN 1 END) AS blocked,
               COUNT(CASE WHEN t.action = 'warn' THEN 1 END) AS warned,
               COUNT(CASE WHEN t.action = 'allow' THEN 1 END) AS allowed,
               MIN(t.ts) AS first_time, MAX(t.ts) AS last_time
        FROM threat t WHERE t.event_type = 'url click' AND t.url_domain IS NOT NULL /*filter*/
        GROUP BY t.url_domain
        ORDER BY clicks DESC, users DESC, t.url_domain
        """
}
