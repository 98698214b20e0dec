/// `mailscope query user EMAIL`: everything the database knows about one person — their
/// hosts and accounts, the mail they received (counts, and the flagged and most recent
/// messages), their clicks, attachments and impersonation hits, what happened on their hosts,
/// the findings that name them and the incidents they are in, with their stage in each; and
/// from the Mimecast administration exports, their awareness-training risk, what they did in
/// the admin console (audit log), the archive searches and views they made or that opened
/// their mail, and the DLP events of mail they sent or received.
///
/// A period (`--since`/`--until`) bounds the events; the hosts and accounts are shown whole,
/// and an incident is shown when its activity overlaps the period.
public enum UserProfile {
    /// The sections, in order: `hosts_and_accounts`, `mail`, `recent_mail` (flagged first,
    /// then newest; `top` rows), `clicks`, `attachments`, `impersonation`, `endpoint_activity`,
    /// `endpoint_notable`, `findings`, `incidents`, `awareness`, `admin_activity`,
    /// `archive_access`, `dlp`, `releases` (each at most `limit` rows, 0 = all).
    public static func run(_ db: Database, user: String, period: InvestigationFilter, top: Int, limit: Int) throws -> [InvestigationSection] {
        let address = try InvestigationFilter.address(user, option: "EMAIL")
        if let other = period.fields.first(where: { $0 != .since && $0 != .until }) {
            throw InvestigationError.filterNotApplicable(option: other.option, query: "query user")
        }
        let periodFilter = period.periodOnly
        var filter = periodFilter
        filter.user = address
        var parameters = filter.parameters
        parameters["user_domain"] = EmailAddress.domain(address).map(SQLValue.text) ?? .null

        /// A section's rows; `timeColumn` is what the period bounds (nil: the section is shown whole).
        func table(_ sql: String, timeColumn: String?, limit: Int, formats: [String: InvestigationTable.Format] = [:],
                   compact: [String]? = nil) throws -> InvestigationTable {
            let bounded = timeColumn == nil ? InvestigationFilter() : periodFilter
            let clause = try bounded.clause(for: InvestigationFilter.Columns(query: "query user", time: timeColumn))
            return try InvestigationTable.fetch(db, sql: clause.inserted(into: sql),
                                                parameters: parameters, limit: limit, formats: formats, compact: compact)
        }
        let times: [String: InvestigationTable.Format] = ["time": .time, "first_time": .time, "last_time": .time]

        // An incident is in the period when its activity overlaps it.
        var incidentColumns = InvestigationFilter.Columns(query: "query user")
        incidentColumns.since = "i.last_ts >= :since"
        incidentColumns.until = "i.first_ts < :until"
        let incidentClause = try periodFilter.clause(for: incidentColumns)

        return [
            InvestigationSection(key: "hosts_and_accounts", title: "Hosts and accounts (identity map)",
                                 table: try table(hostsAndAccounts, timeColumn: nil, limit: limit)),
            InvestigationSection(key: "mail", title: "Mail (messages, not copies)", table: try table(mailCounts, timeColumn: "m.ts", limit: 0, formats: times)),
            InvestigationSection(key: "recent_mail", title: "Mail received: flagged first, then newest", table:
                try table(recentMail, timeColumn: "m.ts", limit: top, formats: times.merging(["findings": .list]) { a, _ in a },
                          compact: ["time", "sender", "subject", "action", "delivered", "findings", "evidence"]), limitOption: "--top"),
            InvestigationSection(key: "clicks", title: "URL clicks",
                                 table: try InvestigationQuery.urlClicks().run(db, filter: filter, limit: limit)),
            InvestigationSection(key: "attachments", title: "Attachments (Attachment Protect)",
                                 table: try InvestigationQuery.attachments.run(db, filter: filter, limit: limit)),
            InvestigationSection(key: "impersonation", title: "Impersonation Protect hits",
                                 table: try InvestigationQuery.impersonations.run(db, filter: filter, limit: limit)),
            InvestigationSection(key: "endpoint_activity", title: "Endpoint activity on their hosts",
                                 table: try table(endpointActivity, timeColumn: "e.ts", limit: limit, formats: times)),
            InvestigationSection(key: "endpoint_notable", title: "Endpoint rows named by a finding or a threat-intel match",
                                 table: try table(endpointNotable, timeColumn: "e.ts", limit: limit, formats: times.merging(["rules": .list, "threat_intel": .list]) { a, _ in a },
                                                  compact: ["time", "host", "action", "process", "file_name", "domain", "rules", "evidence"])),
            InvestigationSection(key: "findings", title: "Findings",
                                 table: try table(findings, timeColumn: "f.ts", limit: limit, formats: times,
                                                  compact: ["time", "rule_id", "severity", "stage", "host", "summary", "evidence"])),
            InvestigationSection(key: "incidents", title: "Incidents",
                                 table: try InvestigationTable.fetch(db, sql: incidentClause.inserted(into: incidents),
                                                                     parameters: parameters, limit: limit,
                                                                     formats: ["first_time": .time, "hosts": .list],
                                                                     compact: ["incident", "title", "severity", "incident_stage", "stage", "hosts"])),
            InvestigationSection(key: "awareness", title: "Awareness Training risk (SafeScore and watchlist snapshots)",
                                 table: try table(awareness, timeColumn: nil, limit: limit, formats: ["as_of": .time],
                                                  compact: ["as_of", "kind", "risk", "human_error", "watchlist_count", "evidence"])),
            InvestigationSection(key: "admin_activity", title: "Admin console and API activity (audit log)",
                                 table: try table(adminActivity, timeColumn: "a.ts", limit: limit, formats: times,
                                                  compact: ["time", "audit_type", "source_ip", "application", "summary", "evidence"])),
            InvestigationSection(key: "archive_access", title: "Archive searches and views by them or of their mail",
                                 table: try table(archiveAccess, timeColumn: "a.ts", limit: limit, formats: times,
                                                  compact: ["time", "kind", "actor", "description", "search_text", "subject", "evidence"])),
            InvestigationSection(key: "dlp", title: "DLP events of mail they sent or received",
                                 table: try table(dlpEvents, timeColumn: "d.ts", limit: limit, formats: times,
                                                  compact: ["time", "policy", "action", "sender", "recipient", "subject", "evidence"])),
            InvestigationSection(key: "releases", title: "Held messages released or rejected: theirs, or by them",
                                 table: try table(releases, timeColumn: "r.ts", limit: limit, formats: times,
                                                  compact: ["time", "status", "operator", "operator_role", "recipient", "subject", "held_reason", "evidence"])),
        ]
    }

    /// The hosts in the identity map for `:user` (as SQL, for the sections that join them).
    static let hostsOfUser = "SELECT ih.host FROM identity ih WHERE ih.email = :user AND ih.host IS NOT NULL"

    /// The identity map's rows for the person, and the mappings it would not make because
    /// the account fits them and someone else (so a missing host is explained).
    static let hostsAndAccounts = """
        SELECT i.host AS host, i.account AS account, i.source AS source, i.confidence AS confidence, i.evidence AS evidence
        FROM identity i WHERE i.email = :user
        UNION ALL
        SELECT x.host, x.account, 'not mapped: ' || x.kind, 'none', x.detail
        FROM identity_issue x WHERE instr(x.candidates, '"' || :user || '"') > 0
        ORDER BY 1, 2, 3, 5
        """

    /// Copies counted once per message (its aggregate id, else its Message-ID).
    static let mailCounts = """
        SELECT COUNT(DISTINCT CASE WHEN m.event = 'receipt' AND m.recipient = :user THEN COALESCE(m.aggregate_id, m.message_id) END) AS received,
               COUNT(DISTINCT CASE WHEN m.event = 'delivery' AND m.recipient = :user AND m.delivered = 1 THEN COALESCE(m.aggregate_id, m.message_id) END) AS delivered,
               COUNT(DISTINCT CASE WHEN m.event = 'receipt' AND m.recipient = :user AND EXISTS (SELECT 1 FROM mail_message p
                   WHERE p.aggregate_id = m.aggregate_id AND p.event = 'process' AND p.action = 'Hld') THEN COALESCE(m.aggregate_id, m.message_id) END) AS held,
               COUNT(DISTINCT CASE WHEN m.event = 'receipt' AND m.recipient = :user AND m.action = 'Rej' THEN COALESCE(m.aggregate_id, m.message_id) END) AS rejected,
               COUNT(DISTINCT CASE WHEN m.event = 'receipt' AND m.recipient = :user AND EXISTS (SELECT 1 FROM finding f
                   WHERE f.message_id = m.message_id AND f.user = :user) THEN COALESCE(m.aggregate_id, m.message_id) END) AS flagged,
               COUNT(DISTINCT CASE WHEN m.event = 'receipt' AND m.sender = :user THEN COALESCE(m.aggregate_id, m.message_id) END) AS sent,
               MIN(CASE WHEN m.event = 'receipt' AND m.recipient = :user THEN m.ts END) AS first_time,
               MAX(CASE WHEN m.event = 'receipt' AND m.recipient = :user THEN m.ts END) AS last_time
        FROM mail_message m
        WHERE (m.recipient = :user OR (m.sender_domain = :user_domain AND m.sender = :user)) /*filter*/
        """

    static let recentMail = """
        SELECT m.ts AS time, m.sender AS sender, m.subject AS subject, m.action AS action,
               CASE WHEN EXISTS (SELECT 1 FROM mail_message d WHERE d.recipient = m.recipient AND d.event = 'delivery' AND d.delivered = 1
                   AND (d.aggregate_id = m.aggregate_id OR d.message_id = m.message_id)) THEN 'yes' ELSE 'no' END AS delivered,
               (SELECT group_concat(f.rule_id, char(31)) FROM finding f WHERE f.message_id = m.message_id AND f.user = m.recipient) AS findings,
               m.message_id AS message_id, m.source AS source, fi.path || ':' || m.line_no || COALESCE('#' || m.record_no, '') AS evidence
        FROM mail_message m JOIN input_file fi ON fi.id = m.file_id
        WHERE m.recipient = :user AND m.event = 'receipt' /*filter*/
        ORDER BY NOT EXISTS (SELECT 1 FROM finding f WHERE f.message_id = m.message_id AND f.user = m.recipient), m.ts DESC, m.id DESC
        """

    static let endpointActivity = """
        SELECT e.host AS host, e.action AS action, COUNT(*) AS events, MIN(e.ts) AS first_time, MAX(e.ts) AS last_time
        FROM edr_event e
        WHERE e.host IN (\(hostsOfUser)) /*filter*/
        GROUP BY e.host, e.action
        ORDER BY e.host, events DESC, e.action
        """

    /// Rows a finding names as its evidence or as the row it was matched from, and rows a
    /// threat-intel indicator matched. Non-correlated IN lists: each is built once.
    static let endpointNotable = """
        SELECT e.ts AS time, e.host AS host, e.action AS action, e.process AS process, e.file_name AS file_name,
               e.command_line AS command_line, COALESCE(e.domain, e.url_host) AS domain, e.remote_ip AS remote_ip, e.sha256 AS sha256,
               (SELECT group_concat(f.rule_id, char(31)) FROM finding f WHERE f.evidence_table = 'edr_event' AND f.evidence_rowid = e.id) AS rules,
               (SELECT group_concat(c.feed, char(31)) FROM ioc_match x JOIN ioc c ON c.id = x.ioc_id
                   WHERE x.event_table = 'edr_event' AND x.event_rowid = e.id) AS threat_intel,
               fi.path || ':' || e.line_no || COALESCE('#' || e.record_no, '') AS evidence
        FROM edr_event e JOIN input_file fi ON fi.id = e.file_id
        WHERE e.host IN (\(hostsOfUser))
          AND (e.id IN (SELECT evidence_rowid FROM finding WHERE evidence_table = 'edr_event')
               OR e.id IN (SELECT related_rowid FROM finding WHERE related_table = 'edr_event')
               OR e.id IN (SELECT event_rowid FROM ioc_match WHERE event_table = 'edr_event')) /*filter*/
        ORDER BY e.ts, e.id
        """

    /// Findings about the person or one of their hosts, with the input line of the evidence row.
    static let findings = """
        SELECT f.ts AS time, f.rule_id AS rule_id, f.severity AS severity, f.stage AS stage, f.host AS host,
               f.indicator AS indicator, f.summary AS summary, f.message_id AS message_id,
               \(EvidenceSQL.finding) AS evidence
        FROM finding f
        WHERE (f.user = :user OR f.host IN (\(hostsOfUser))) /*filter*/
        ORDER BY f.ts, f.id
        """

    /// The person's row in each incident: their furthest stage and their hosts' stages.
    static let incidents = """
        SELECT '#' || i.id AS incident, i.key AS key, i.title AS title, i.severity AS severity, i.stage AS incident_stage, u.stage AS stage,
               u.received AS received, u.delivered AS delivered, u.interacted AS interacted,
               (SELECT group_concat(h.host || ' (' || h.stage || ')', char(31)) FROM incident_host h
                   WHERE h.incident_id = i.id AND h.user = u.user) AS hosts,
               u.first_ts AS first_time
        FROM incident_user u JOIN incident i ON i.id = u.incident_id
        WHERE u.user = :user /*filter*/
        ORDER BY i.id
        """

    /// Awareness Training snapshots of the person, newest first (shown whole: a score is
    /// context for any period).
    static let awareness = """
        SELECT r.ts AS as_of, r.kind AS kind, r.risk AS risk, r.human_error AS human_error, r.sentiment AS sentiment,
               r.engagement AS engagement, r.knowledge AS knowledge, r.watchlist_count AS watchlist_count,
               r.department AS department, r.user_state AS user_state,
               fi.path || ':' || r.line_no || COALESCE('#' || r.record_no, '') AS evidence
        FROM user_risk r JOIN input_file fi ON fi.id = r.file_id
        WHERE r.user = :user /*filter*/
        ORDER BY r.ts DESC, r.kind, r.id
        """

    /// Audit-log events the person performed (ts is the event's UTC eventTime).
    static let adminActivity = """
        SELECT a.ts AS time, a.audit_type AS audit_type, a.category AS category, a.source_ip AS source_ip,
               a.application AS application, a.method AS method, a.reason AS reason, a.summary AS summary,
               fi.path || ':' || a.line_no || COALESCE('#' || a.record_no, '') AS evidence
        FROM audit_event a JOIN input_file fi ON fi.id = a.file_id
        WHERE a.user = :user /*filter*/
        ORDER BY a.ts, a.id
        """

    /// Archive searches and views the person made, and views of messages to or from them.
    static let archiveAccess = """
        SELECT a.ts AS time, a.kind AS kind, a.user AS actor, a.description AS description, a.search_text AS search_text,
               a.sender AS sender, a.recipient AS recipient, a.subject AS subject, a.content_viewed AS content_viewed,
               fi.path || ':' || a.line_no || COALESCE('#' || a.record_no, '') AS evidence
        FROM archive_access a JOIN input_file fi ON fi.id = a.file_id
        WHERE (a.user = :user OR a.recipient = :user OR a.sender = :user) /*filter*/
        ORDER BY a.ts, a.id
        """

    /// Held-message release log rows of copies the person received, or that they released or
    /// rejected for someone else, with the message each is linked to (no Message-ID in the log).
    static let releases = """
        SELECT r.ts AS time, r.status AS status, r.operator AS operator, r.operator_role AS operator_role,
               r.recipient AS recipient, r.sender AS sender, r.subject AS subject, r.held_reason AS held_reason,
               r.verdict AS verdict, r.message_id_linked AS message_id, r.link_state AS link,
               fi.path || ':' || r.line_no || COALESCE('#' || r.record_no, '') AS evidence
        FROM message_release r JOIN input_file fi ON fi.id = r.file_id
        WHERE (r.recipient = :user OR r.operator = :user) /*filter*/
        ORDER BY r.ts, r.id
        """

    /// DLP rows (one per action) of mail the person sent or received.
    static let dlpEvents = """
        SELECT d.ts AS time, d.policy AS policy, d.action AS action, d.route AS route, d.sender AS sender,
               d.recipient AS recipient, d.subject AS subject, d.message_id AS message_id,
               fi.path || ':' || d.line_no || COALESCE('#' || d.record_no, '') AS evidence
        FROM dlp_event d JOIN input_file fi ON fi.id = d.file_id
        WHERE (d.sender = :user OR d.recipient = :user) /*filter*/
        ORDER BY d.ts, d.id
        """
}
