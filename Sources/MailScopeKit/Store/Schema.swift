import Foundation

/// The database schema: ordered, named migrations applied forward and recorded in
/// `PRAGMA user_version`, plus the secondary indexes built after a bulk load.
///
/// Conventions (see DESIGN.md): times are INTEGER milliseconds since the epoch, UTC; every
/// event row carries `file_id` + `line_no` (the evidence pointer back to the input) and a
/// `dedup` content key (the same event in two batch files is stored once); fields that have
/// no column of their own are kept in `extra` (JSON) so nothing is dropped.
public enum Schema {
    /// One forward step of the schema.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// The current schema version (the last migration's).
    public static var currentVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every migration newer than the database's `user_version` in one transaction
    /// together with the version bump, so a crash leaves a consistent version and a reader
    /// never sees a schema halfway between two versions (a fresh database goes from empty to
    /// current in one step).
    public static func migrate(_ db: Database) throws {
        let current = try db.userVersion
        if current > currentVersion {
            throw DatabaseError(code: 1, message: "\(db.path) has schema version \(current), newer than this mailscope understands (\(currentVersion)); upgrade mailscope")
        }
        let pending = migrations.filter { $0.version > current }
        guard !pending.isEmpty else { return }
        try db.transaction {
            for migration in pending {
                try db.execute(migration.sql)
                try db.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }

    /// Creates the secondary indexes (the joins of rules, queries and correlation) and refreshes
    /// the planner's statistics. Detection calls this before its first rule, so a bulk load
    /// builds each index once, after the load, instead of row by row; indexes that exist are
    /// kept up to date by later loads.
    public static func ensureIndexes(_ db: Database) throws {
        // Another engine's database has its indexes from the start (MailScopePostgres builds
        // them with the schema, after a bulk copy).
        if db.engine != nil { return }
        // Helper threads for the sorts that build an index: 5.0 s instead of 6.1 s for a
        // (host, ts) index over 6.6 M endpoint rows on 2 cores.
        let sorterThreads = min(4, ProcessInfo.processInfo.activeProcessorCount)
        try db.execute("PRAGMA threads = \(sorterThreads)")
        // One transaction per statement: each is idempotent, so a run cut short is finished by
        // the next, and the write-ahead log holds one index at a time (all of them in one
        // transaction grew it to 4.4 GB on the 7-day scale set).
        let statements = secondaryIndexes.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        for statement in statements where statement.split(separator: "\n").contains(where: { !$0.hasPrefix("--") }) {
            try db.transaction { try db.execute(statement) }
        }
        // Without statistics the planner guesses, and at 10 M rows a wrong guess (walking a
        // recipient's rows instead of looking up a Message-ID) cost a rule 58 s instead of 2 s
        // (and MS-MSG-050 217 s instead of 2 s on the 7-day scale set, while the (key, ts)
        // indexes kept no statistics). A sampled ANALYZE takes milliseconds. But statistics on
        // the (key, ts) indexes also invite a skip-scan for a bare time window, a random read
        // per row: 6.5 s where a plain scan of the table takes 0.3 s (1.5 M clicks, measured).
        // So those indexes keep their statistics marked `noskipscan` (sqlite_stat1's flag).
        try db.execute("PRAGMA analysis_limit = 400; ANALYZE;")
        var timeIndexes: [String] = []
        for row in try db.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name") {
            guard let name = row.text("name") else { continue }
            let columns = try db.rows("SELECT name FROM pragma_index_info(?)", [.text(name)]).compactMap { $0.text("name") }
            if columns.count > 1 && (columns.last == "ts" || coveringTimeIndexes.contains(name)) { timeIndexes.append(name) }
        }
        try db.transaction {
            for name in timeIndexes {
                try db.run("UPDATE sqlite_stat1 SET stat = stat || ' noskipscan' WHERE idx = ? AND stat NOT LIKE '% noskipscan'",
                           [.text(name)])
            }
        }
        try db.execute("ANALYZE sqlite_schema")
    }

    /// (key, ts) indexes that also carry the columns incident scoping counts (sender, recipient,
    /// host), so "how many people or hosts saw this" is answered from the index alone instead of
    /// a random table read per row. For the planner they are (key, ts) indexes like the others.
    static let coveringTimeIndexes: Set<String> = ["mail_message_receipt_domain_sender", "edr_event_domain_host"]

    static let migrations: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: initialSchema),
        Migration(version: 2, name: "EDR events, directory and identity map", sql: edrSchema),
        Migration(version: 3, name: "findings", sql: findingSchema),
        Migration(version: 4, name: "URL resource key", sql: urlResourceSchema),
        Migration(version: 5, name: "watch lists and look-alike domains", sql: watchListSchema),
        Migration(version: 6, name: "correlation, incidents and threat-intel matches", sql: incidentSchema),
        Migration(version: 7, name: "own domains and finding evidence index", sql: ownDomainSchema),
        Migration(version: 8, name: "files awaiting detection", sql: detectionStateSchema),
        Migration(version: 9, name: "endpoint lineage, accounts acted on and EDR verdicts", sql: edrLineageSchema),
        Migration(version: 10, name: "record index within a line", sql: recordIndexSchema),
        Migration(version: 11, name: "log coverage by type and day", sql: logCoverageSchema),
        Migration(version: 12, name: "shared infrastructure among indicators", sql: sharedIndicatorSchema),
        Migration(version: 13, name: "stage evidence as table and row", sql: stageEvidenceSchema),
        Migration(version: 14, name: "delivered copies of an incident's messages", sql: incidentDeliverySchema),
        Migration(version: 15, name: "triage decisions, incident keys and suppressions", sql: triageSchema),
        Migration(version: 16, name: "alert deliveries to syslog and webhooks", sql: alertDeliverySchema),
        Migration(version: 17, name: "each recipient's delivery state", sql: recipientDeliverySchema),
        Migration(version: 18, name: "indicators that are the organisation's own", sql: ownIndicatorSchema),
        Migration(version: 19, name: "Mimecast audit, DLP, archive access and awareness exports", sql: adminExportSchema),
        Migration(version: 20, name: "held-message releases and Cloud Integrated verdicts", sql: releaseSchema),
        Migration(version: 21, name: "administration steps of each incident", sql: incidentAdministrationSchema),
        Migration(version: 22, name: "values stored once: logged Message-IDs and aggregateIds", sql: valuesStoredOnceSchema),
    ]

    /// Issue 20, first step: values the event rows stored twice. The logged Message-ID is kept
    /// only where it is not `<` + message_id + `>` (NULL means exactly that form; read it as
    /// `COALESCE(message_id_raw, '<' || message_id || '>')`), and an API 2.0 aggregateId's
    /// `_<epoch seconds>` suffix moves from the whole value in `extra` to an integer column
    /// (`aggregate_id || '_' || aggregate_id_suffix` is the value as logged). On a one-day,
    /// 1,000-mailbox scale set a fresh database went from 826.6 to 781.1 bytes per event and
    /// mail_message from 654 to 552 bytes per row (docs/scaling.md). The UPDATEs rewrite an
    /// existing database's rows to what a fresh load of the same files stores now (checked
    /// column by column on that set); the file keeps its size until a VACUUM.
    static let valuesStoredOnceSchema: String = {
        let messageIDTables = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "dlp_event"]
        let aggregateTables = ["mail_message", "url_click", "attachment_scan", "impersonation"]
        var sql: [String] = []
        for table in messageIDTables {
            sql.append("UPDATE \(table) SET message_id_raw = NULL WHERE message_id_raw = '<' || message_id || '>';")
        }
        // The logged value, its suffix and its text in extra (written unescaped by ingest).
        let logged = "json_extract(extra, '$.aggregateId')"
        let suffix = "substr(\(logged), length(aggregate_id) + 2)"
        let member = "('\"aggregateId\":' || json_quote(\(logged)))"
        for table in aggregateTables {
            sql.append("ALTER TABLE \(table) ADD COLUMN aggregate_id_suffix INTEGER;   -- the `_<epoch seconds>` of the logged aggregateId")
            sql.append("""
            UPDATE \(table) SET
                aggregate_id_suffix = CAST(\(suffix) AS INTEGER),
                extra = CASE WHEN extra = '{' || \(member) || '}' THEN NULL
                             WHEN instr(extra, \(member) || ',') > 0 THEN replace(extra, \(member) || ',', '')
                             ELSE replace(extra, ',' || \(member) || '}', '}') END
            WHERE extra LIKE '%"aggregateId":"%' AND aggregate_id <> ''
              AND substr(\(logged), 1, length(aggregate_id) + 1) = aggregate_id || '_'
              AND length(\(suffix)) BETWEEN 9 AND 11 AND \(suffix) NOT GLOB '*[^0-9]*' AND \(suffix) NOT GLOB '0*'
              AND instr(extra, \(member)) > 0;
            """)
        }
        return sql.joined(separator: "\n")
    }()

    /// What administrators and accounts did around each incident (issue 22): a held copy
    /// released or rejected, a sign-in after failures, a vendor support login, an allow entry
    /// for the campaign's sender, an archive search of a recipient's mailbox. One row per step,
    /// rebuilt with the incident; the evidence row is the audit, archive or release log line.
    static let incidentAdministrationSchema = """
    CREATE TABLE incident_admin (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        seq             INTEGER NOT NULL,          -- order within the incident (by time, then evidence)
        ts              INTEGER,
        account         TEXT,                      -- who acted (an address), NULL when the log names nobody
        role            TEXT NOT NULL,             -- admin | recipient | support | unknown
        action          TEXT NOT NULL,             -- AdministrationStep.Action
        detail          TEXT NOT NULL,             -- what the log says, in one line
        source_ip       TEXT,
        target          TEXT,                      -- whom or what it acted on: the recipient of a released copy, the permitted domain
        rule_id         TEXT,                      -- the rule whose finding brought the step in, NULL for a linked release
        evidence_table  TEXT NOT NULL,
        evidence_rowid  INTEGER NOT NULL,
        PRIMARY KEY (incident_id, seq)
    );
    """

    /// Issue 22: the held-message release log and Cloud Integrated's verdict tags. Version 19
    /// belongs to another part of the issue (audit, DLP, archive, awareness); this migration
    /// assumes none of its tables.
    static let releaseSchema = """
    -- Who released (or rejected) a held message, when, and Mimecast's verdict on it: one row per
    -- recipient of the release record. The log carries no Message-ID; ReleaseLinker links a
    -- row to its message by sender, recipient, subject and time and records how.
    CREATE TABLE message_release (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        record_no          INTEGER,
        ts                 INTEGER,                  -- `released`: the time of the action; NULL when the row has none
        source             TEXT NOT NULL,            -- release_log
        held_id            TEXT,                     -- Mimecast's id of the held message
        status             TEXT,                     -- released | rejected
        operator           TEXT,                     -- who acted (an address), from a string or an object
        operator_role      TEXT,                     -- recipient (released their own copy) | admin (anyone else)
        held_reason        TEXT,
        held_group         TEXT,
        reject_reason      TEXT,
        message_info       TEXT,                     -- Spam Policy, Graymail, Expired in queue - rejected by housekeeping
        policy             TEXT,
        sender             TEXT,                     -- fromEnv, lowercased
        sender_domain      TEXT,
        sender_name        TEXT,
        sender_header      TEXT,                     -- fromHdr
        sender_header_name TEXT,
        recipient          TEXT,                     -- one address of to[]
        recipient_domain   TEXT,
        recipient_name     TEXT,
        recipient_count    INTEGER,                  -- how many addresses to[] listed
        subject            TEXT,
        has_attachments    INTEGER,
        route              TEXT,
        size_bytes         INTEGER,
        spam_score         INTEGER,
        spam_detection_level TEXT,                   -- relaxed | moderate | aggressive | cluster | whitelisted_cluster
        spf                TEXT,                     -- the `info` of spamProcessingDetail (allow:true is not a pass)
        dkim               TEXT,
        dmarc              TEXT,
        verdict            TEXT,                     -- decision of spamVerdict (old) or verdict (new)
        verdict_risk       TEXT,
        verdict_categories TEXT,                     -- JSON array as logged
        spam_processing_detail TEXT,                 -- JSON as logged
        extra              TEXT,                     -- JSON of fields without a column (and the address objects as logged)
        message_id_linked  TEXT,                     -- the message it was linked to (set by ReleaseLinker)
        link_state         TEXT,                     -- linked | ambiguous | no-candidate | no-time | no-address
        link_method        TEXT,                     -- what the link rests on
        link_candidates    INTEGER                   -- distinct messages that matched
    );
    CREATE UNIQUE INDEX message_release_dedup ON message_release(dedup);
    CREATE INDEX message_release_linked ON message_release(message_id_linked);
    CREATE INDEX message_release_rcpt ON message_release(recipient, ts);
    -- log_coverage also names message_release and cloud_integrated (CI entities) from now on.
    CREATE VIEW v_message_release AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', r.ts / 1000.0, 'unixepoch') AS time_utc, r.*, f.path AS file_path
        FROM message_release r JOIN input_file f ON f.id = r.file_id;
    -- Cloud Integrated's verdict tags on its `entities` rows (NULL for every other source).
    ALTER TABLE mail_message ADD COLUMN threat_state TEXT;       -- delivery_in_progress | blocked | delivered | quarantined
    ALTER TABLE mail_message ADD COLUMN threat_type TEXT;        -- no_detections | malware | phishing | policies_disabled
    ALTER TABLE mail_message ADD COLUMN policies_applied TEXT;   -- JSON [{action, mode, name}]
    ALTER TABLE mail_message ADD COLUMN tags TEXT;               -- JSON array
    -- Cloud Integrated `mailflow` authentication results.
    ALTER TABLE mail_event ADD COLUMN spf TEXT;
    ALTER TABLE mail_event ADD COLUMN dkim TEXT;
    ALTER TABLE mail_event ADD COLUMN dmarc TEXT;
    """

    /// An incident's indicator that names the organisation itself (its own domain, a sender or
    /// link in it: a compromised internal account's mail): context, never something to block.
    static let adminExportSchema = """
    -- Mimecast administration exports (formats: mimecast-more.md §1, §2, §4, §5). Each row keeps
    -- file_id/line_no/record_no (file:line#n), a dedup key over the whole record (audit ids
    -- repeat across different events, DLP writes one row per action) and `extra` for fields
    -- no column took.
    -- Audit log: ts is eventTime (UTC); the Date/Time inside eventInfo is local and can be
    -- wrong, kept only as text in local_time.
    CREATE TABLE audit_event (
        id           INTEGER PRIMARY KEY,
        file_id      INTEGER NOT NULL REFERENCES input_file(id),
        line_no      INTEGER NOT NULL,
        dedup        BLOB NOT NULL,
        ts           INTEGER NOT NULL,
        source       TEXT NOT NULL,
        event_id     TEXT,                     -- Mimecast's id (not unique: reused across events)
        user         TEXT,                     -- lowercased; may be '' in the log (then NULL) or a non-address
        user_domain  TEXT,
        audit_type   TEXT,                     -- "User Logged On", "Logon Authentication Failed", …
        category     TEXT,                     -- authentication_logs, mimecast_access_logs, …
        summary      TEXT,                     -- eventInfo before its trailing keys
        source_ip    TEXT,
        application  TEXT,
        method       TEXT,
        two_factor   TEXT,
        reason       TEXT,
        local_time   TEXT,                     -- eventInfo's "Date: … Time: …" as written (local, not used as time)
        machine      INTEGER NOT NULL DEFAULT 0, -- 1: an api-<uuid>@ account or a threat-intel feed download
        event_info   TEXT,                     -- the raw eventInfo
        extra        TEXT,
        record_no    INTEGER
    );
    CREATE UNIQUE INDEX audit_event_dedup ON audit_event(dedup);
    CREATE INDEX audit_event_user ON audit_event(user, ts);

    -- DLP logs: one row per action (hold + notification of one message are two rows).
    CREATE TABLE dlp_event (
        id               INTEGER PRIMARY KEY,
        file_id          INTEGER NOT NULL REFERENCES input_file(id),
        line_no          INTEGER NOT NULL,
        dedup            BLOB NOT NULL,
        ts               INTEGER NOT NULL,
        source           TEXT NOT NULL,
        sender           TEXT,                 -- '<>' for bounces
        sender_domain    TEXT,
        recipient        TEXT,
        recipient_domain TEXT,
        subject          TEXT,
        policy           TEXT,
        action           TEXT,                 -- hold | notification | block | secure_messaging … (lowercased)
        route            TEXT,                 -- inbound | outbound | internal
        message_id       TEXT,
        message_id_raw   TEXT,
        extra            TEXT,
        record_no    INTEGER
    );
    CREATE UNIQUE INDEX dlp_event_dedup ON dlp_event(dedup);
    CREATE INDEX dlp_event_sender ON dlp_event(sender, ts);
    CREATE INDEX dlp_event_recipient ON dlp_event(recipient, ts);
    CREATE INDEX dlp_event_msgid ON dlp_event(message_id);

    -- Archive search logs (kind 'search': who searched what) and view logs (kind 'view': who
    -- opened which archived message). Identical rows of one second are one row; the repeats
    -- are counted in input_file.duplicates.
    CREATE TABLE archive_access (
        id               INTEGER PRIMARY KEY,
        file_id          INTEGER NOT NULL REFERENCES input_file(id),
        line_no          INTEGER NOT NULL,
        dedup            BLOB NOT NULL,
        ts               INTEGER NOT NULL,       -- createTime (search) or viewed (view)
        source           TEXT NOT NULL,
        kind             TEXT NOT NULL,          -- search | view
        user             TEXT,                   -- emailAddr (search) or viewer (view)
        user_domain      TEXT,
        archive_source   TEXT,                   -- the log's own "source": archive, Message Tracking
        description      TEXT,                   -- Message Tracking Search, Archive Mailbox, …
        search_text      TEXT,
        search_reason    TEXT,
        search_path      TEXT,
        muse_query       TEXT,
        is_admin         INTEGER,
        message_id       TEXT,                   -- when the search text is a <Message-ID>
        sender           TEXT,                   -- view: the message's from
        recipient        TEXT,                   -- view: the message's to
        subject          TEXT,
        message_date     INTEGER,                -- view: when the viewed message was sent
        content_viewed   INTEGER,
        discovery_case   INTEGER,
        machine          INTEGER NOT NULL DEFAULT 0, -- 1: an api-<uuid>@ account
        extra            TEXT,
        record_no    INTEGER
    );
    CREATE UNIQUE INDEX archive_access_dedup ON archive_access(dedup);
    CREATE INDEX archive_access_user ON archive_access(user, ts);

    -- Awareness Training snapshots (SafeScore and watchlist): no event time of their own, ts is
    -- when the collector took them (Sentinel's TimeGenerated).
    CREATE TABLE user_risk (
        id               INTEGER PRIMARY KEY,
        file_id          INTEGER NOT NULL REFERENCES input_file(id),
        line_no          INTEGER NOT NULL,
        dedup            BLOB NOT NULL,
        ts               INTEGER NOT NULL,
        source           TEXT NOT NULL,
        kind             TEXT NOT NULL,          -- safescore | watchlist
        user             TEXT,
        user_domain      TEXT,
        name             TEXT,
        department       TEXT,
        user_state       TEXT,
        risk             TEXT,                   -- SafeScore grades A–F
        human_error      TEXT,
        sentiment        TEXT,
        engagement       TEXT,
        knowledge        TEXT,
        watchlist_count  INTEGER,
        user_id          TEXT,
        extra            TEXT,
        record_no    INTEGER
    );
    CREATE UNIQUE INDEX user_risk_dedup ON user_risk(dedup);
    CREATE INDEX user_risk_user ON user_risk(user, ts);

    CREATE VIEW v_audit_event AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', a.ts / 1000.0, 'unixepoch') AS time_utc, a.*, f.path AS file_path
        FROM audit_event a JOIN input_file f ON f.id = a.file_id;
    CREATE VIEW v_dlp_event AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', d.ts / 1000.0, 'unixepoch') AS time_utc, d.*, f.path AS file_path
        FROM dlp_event d JOIN input_file f ON f.id = d.file_id;
    CREATE VIEW v_archive_access AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', a.ts / 1000.0, 'unixepoch') AS time_utc, a.*, f.path AS file_path
        FROM archive_access a JOIN input_file f ON f.id = a.file_id;
    CREATE VIEW v_user_risk AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', r.ts / 1000.0, 'unixepoch') AS time_utc, r.*, f.path AS file_path
        FROM user_risk r JOIN input_file f ON f.id = r.file_id;
    """

    static let ownIndicatorSchema = """
    ALTER TABLE incident_indicator ADD COLUMN own INTEGER NOT NULL DEFAULT 0;
    """

    /// What became of each recipient's copy, as the incident graph and the people table say
    /// it: `delivered`, `stopped` (Mimecast held, blocked or rejected it), `not-delivered` (the
    /// delivery log covers the day and shows none) or `unknown` (no delivery log covers it).
    /// NULL in incidents built before; the next detection rebuilds them.
    static let recipientDeliverySchema = """
    ALTER TABLE incident_user ADD COLUMN delivery TEXT;
    """

    static let initialSchema = """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    -- Chain of custody: one row per input file, keyed by the SHA-256 of its bytes.
    CREATE TABLE input_file (
        id                 INTEGER PRIMARY KEY,
        path               TEXT NOT NULL,
        sha256             TEXT NOT NULL UNIQUE,
        bytes              INTEGER NOT NULL,
        compression        TEXT NOT NULL,            -- gzip | none
        format             TEXT NOT NULL,            -- detected from content
        status             TEXT NOT NULL,            -- loading | loaded
        units_committed    INTEGER NOT NULL DEFAULT 0, -- lines or records handled so far (resume point)
        lines              INTEGER NOT NULL DEFAULT 0, -- physical lines read
        records            INTEGER NOT NULL DEFAULT 0, -- events seen (lines or document records)
        rows               INTEGER NOT NULL DEFAULT 0, -- rows stored
        duplicates         INTEGER NOT NULL DEFAULT 0, -- events already stored from another file
        rejected           INTEGER NOT NULL DEFAULT 0,
        rows_by_table      TEXT NOT NULL DEFAULT '{}', -- JSON {table: rows}
        bytes_uncompressed INTEGER NOT NULL DEFAULT 0,
        first_ts           INTEGER,
        last_ts            INTEGER,
        notes              TEXT,                      -- warnings about the file as a whole
        loaded_at          INTEGER                    -- wall clock, for the audit trail only
    );

    -- Every line or record that was not loaded, with why.
    CREATE TABLE reject (
        id       INTEGER PRIMARY KEY,
        file_id  INTEGER NOT NULL REFERENCES input_file(id),
        line_no  INTEGER NOT NULL,
        reason   TEXT NOT NULL,                       -- stable code, e.g. malformed_json
        detail   TEXT NOT NULL,                       -- human message
        excerpt  TEXT NOT NULL,                       -- the line (capped), invalid bytes replaced
        line_bytes INTEGER NOT NULL                   -- full length of the rejected line
    );
    CREATE INDEX reject_file ON reject(file_id, line_no);
    CREATE INDEX reject_reason ON reject(reason);

    -- Mimecast receipt / process / delivery (and message-tracking) events, one row per recipient.
    CREATE TABLE mail_message (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        ts                 INTEGER NOT NULL,
        source             TEXT NOT NULL,            -- siem_v2 | siem_v1 | message_tracking
        event              TEXT NOT NULL,            -- receipt | process | delivery | tracking
        account_id         TEXT,
        aggregate_id       TEXT,                     -- v2 aggregateId without the _<epoch> suffix; v1 aCode
        processing_id      TEXT,
        message_id         TEXT,                     -- without <>, trimmed: the join key
        message_id_raw     TEXT,
        sender             TEXT,                     -- envelope sender, lowercased
        sender_domain      TEXT,
        sender_header      TEXT,
        sender_ip          TEXT,
        recipient          TEXT,
        recipient_domain   TEXT,
        subject            TEXT,
        direction          TEXT,                     -- inbound | outbound | internal | external
        action             TEXT,
        subtype            TEXT,
        hold_reason        TEXT,
        route              TEXT,
        attachment_count   INTEGER,
        attachment_names   TEXT,                     -- JSON array
        attachments_bytes  INTEGER,
        size_bytes         INTEGER,
        spam_score         INTEGER,
        spam_detection_level TEXT,
        spam_info          TEXT,
        spf                TEXT,
        dkim               TEXT,
        dmarc              TEXT,
        tls_version        TEXT,
        tls_cipher         TEXT,
        virus_found        TEXT,
        rejection_type     TEXT,
        rejection_code     TEXT,
        rejection_info     TEXT,
        delivered          INTEGER,
        delivery_attempts  INTEGER,
        delivery_time_ms   INTEGER,
        destination_ip     TEXT,
        hostname           TEXT,
        extra              TEXT                      -- JSON of fields without a column
    );
    CREATE UNIQUE INDEX mail_message_dedup ON mail_message(dedup);

    -- URL Protect: clicks and entry scans (TTP URL logs, SIEM url protect / ttp_url).
    CREATE TABLE url_click (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        ts                 INTEGER NOT NULL,
        source             TEXT NOT NULL,            -- ttp_url | siem_v2 | siem_v1
        is_click           INTEGER NOT NULL,         -- 1 a user click; 0 an entry scan (not a click)
        user               TEXT,                     -- who clicked (or the recipient scanned for)
        user_domain        TEXT,
        sender             TEXT,
        sender_domain      TEXT,
        subject            TEXT,
        message_id         TEXT,
        message_id_raw     TEXT,
        aggregate_id       TEXT,
        processing_id      TEXT,
        account_id         TEXT,
        url                TEXT,                     -- as seen
        url_unwrapped      TEXT,                     -- rewriting / safelinks / percent-encoding undone
        url_host           TEXT,
        url_domain         TEXT,                     -- registrable domain of url_unwrapped
        action             TEXT,                     -- allow | warn | block (lowercased)
        actions            TEXT,
        admin_override     TEXT,
        user_override      TEXT,
        user_awareness_action TEXT,
        scan_result        TEXT,                     -- clean | malicious | …
        category           TEXT,
        block_reason       TEXT,
        ttp_definition     TEXT,
        sending_ip         TEXT,
        route              TEXT,
        creation_method    TEXT,
        email_parts        TEXT,                     -- JSON array
        credential_theft   TEXT,                     -- JSON (analysis / advancedPhishingResult)
        tag_map            TEXT,                     -- JSON
        extra              TEXT
    );
    CREATE UNIQUE INDEX url_click_dedup ON url_click(dedup);

    -- Attachment Protect results (TTP attachment logs, SIEM attachment protect).
    CREATE TABLE attachment_scan (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        ts                 INTEGER NOT NULL,
        source             TEXT NOT NULL,
        aggregate_id       TEXT,
        processing_id      TEXT,
        account_id         TEXT,
        sender             TEXT,
        sender_domain      TEXT,
        sender_ip          TEXT,
        recipient          TEXT,
        recipient_domain   TEXT,
        subject            TEXT,
        message_id         TEXT,
        message_id_raw     TEXT,
        file_name          TEXT,
        file_ext           TEXT,
        file_mime          TEXT,
        size_bytes         INTEGER,
        sha256             TEXT,
        sha1               TEXT,
        md5                TEXT,
        result             TEXT,                     -- safe | malicious | unknown | timeout (lowercased)
        action_triggered   TEXT,
        details            TEXT,
        definition         TEXT,
        route              TEXT,
        extra              TEXT
    );
    CREATE UNIQUE INDEX attachment_scan_dedup ON attachment_scan(dedup);

    -- Impersonation Protect hits (TTP impersonation logs, SIEM impersonation protect).
    CREATE TABLE impersonation (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        ts                 INTEGER NOT NULL,
        source             TEXT NOT NULL,
        event_id           TEXT,                     -- TTP "MTOKEN:…"
        aggregate_id       TEXT,
        processing_id      TEXT,
        account_id         TEXT,
        sender             TEXT,
        sender_domain      TEXT,
        sender_ip          TEXT,
        recipient          TEXT,
        recipient_domain   TEXT,
        subject            TEXT,
        message_id         TEXT,
        message_id_raw     TEXT,
        definition         TEXT,
        hits               INTEGER,
        identifiers        TEXT,                     -- JSON array, e.g. ["internal_user_name"]
        action             TEXT,                     -- none | hold (lowercased)
        tagged_external    INTEGER,
        tagged_malicious   INTEGER,
        internal_user_name INTEGER,
        new_domain         INTEGER,
        reply_mismatch     INTEGER,
        similar_internal_domain INTEGER,
        similar_custom_external_domain INTEGER,
        similar_mimecast_external_domain INTEGER,
        custom_name_match  INTEGER,
        custom_threat_dictionary INTEGER,
        mimecast_threat_dictionary INTEGER,
        similar_to         TEXT,                     -- what the sender resembles ("John Doe <j@x>")
        impersonation_results TEXT,                  -- JSON array
        route              TEXT,
        extra              TEXT
    );
    CREATE UNIQUE INDEX impersonation_dedup ON impersonation(dedup);

    -- Every other event (av, spam, journal, internal email protect, STIX objects, unknown types),
    -- with common columns and the original record so nothing is dropped.
    CREATE TABLE mail_event (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        ts                 INTEGER NOT NULL,
        source             TEXT NOT NULL,
        event_type         TEXT NOT NULL,            -- av | spam | journal | iep | stix_malware | unknown:<type> …
        known_type         INTEGER NOT NULL,         -- 0 when the type was not recognised
        account_id         TEXT,
        aggregate_id       TEXT,
        processing_id      TEXT,
        message_id         TEXT,
        message_id_raw     TEXT,
        sender             TEXT,
        sender_domain      TEXT,
        sender_ip          TEXT,
        recipient          TEXT,
        recipient_domain   TEXT,
        subject            TEXT,
        direction          TEXT,
        route              TEXT,
        action             TEXT,
        verdict            TEXT,                     -- virus name, scan result, tagging
        category           TEXT,
        file_name          TEXT,
        file_ext           TEXT,
        sha256             TEXT,
        sha1               TEXT,
        md5                TEXT,
        url                TEXT,
        url_domain         TEXT,
        raw                TEXT NOT NULL             -- the record as it was in the file
    );
    CREATE UNIQUE INDEX mail_event_dedup ON mail_event(dedup);

    -- Indicators: from Mimecast's threat-intel export now, from --ti feeds later.
    CREATE TABLE ioc (
        id          INTEGER PRIMARY KEY,
        file_id     INTEGER REFERENCES input_file(id),
        line_no     INTEGER,
        dedup       BLOB NOT NULL,
        type        TEXT NOT NULL,                   -- sha256 | sha1 | md5 | domain | ipv4 | url | email
        value       TEXT NOT NULL,
        feed        TEXT NOT NULL,
        label       TEXT,
        stix_id     TEXT,
        valid_from  INTEGER
    );
    CREATE UNIQUE INDEX ioc_dedup ON ioc(dedup);
    CREATE INDEX ioc_value ON ioc(type, value);

    -- What was run, when, with which version and options (filled by later stages).
    CREATE TABLE run (
        id          INTEGER PRIMARY KEY,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        command     TEXT NOT NULL,
        version     TEXT NOT NULL,
        options     TEXT NOT NULL DEFAULT '{}',
        status      TEXT NOT NULL DEFAULT 'running'
    );

    -- Views for people querying by hand: ISO-8601 UTC times and the evidence pointer resolved.
    CREATE VIEW v_mail_message AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', m.ts / 1000.0, 'unixepoch') AS time_utc, m.*, f.path AS file_path
        FROM mail_message m JOIN input_file f ON f.id = m.file_id;
    CREATE VIEW v_url_click AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', u.ts / 1000.0, 'unixepoch') AS time_utc, u.*, f.path AS file_path
        FROM url_click u JOIN input_file f ON f.id = u.file_id;
    CREATE VIEW v_attachment_scan AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', a.ts / 1000.0, 'unixepoch') AS time_utc, a.*, f.path AS file_path
        FROM attachment_scan a JOIN input_file f ON f.id = a.file_id;
    CREATE VIEW v_impersonation AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', i.ts / 1000.0, 'unixepoch') AS time_utc, i.*, f.path AS file_path
        FROM impersonation i JOIN input_file f ON f.id = i.file_id;
    CREATE VIEW v_mail_event AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', e.ts / 1000.0, 'unixepoch') AS time_utc, e.*, f.path AS file_path
        FROM mail_event e JOIN input_file f ON f.id = e.file_id;
    CREATE VIEW v_input_file AS
        SELECT id, path, sha256, bytes, compression, format, status, lines, records, rows, duplicates, rejected,
               strftime('%Y-%m-%dT%H:%M:%fZ', first_ts / 1000.0, 'unixepoch') AS first_utc,
               strftime('%Y-%m-%dT%H:%M:%fZ', last_ts / 1000.0, 'unixepoch') AS last_utc, notes
        FROM input_file;
    CREATE VIEW v_reject AS
        SELECT f.path AS file_path, f.sha256 AS file_sha256, r.line_no, r.reason, r.detail, r.excerpt
        FROM reject r JOIN input_file f ON f.id = r.file_id;
    """

    static let edrSchema = """
    -- Endpoint telemetry from EDR exports (Defender for Endpoint, CrowdStrike Falcon,
    -- SentinelOne, or a mapped generic CSV), one row per exported event.
    CREATE TABLE edr_event (
        id                 INTEGER PRIMARY KEY,
        file_id            INTEGER NOT NULL REFERENCES input_file(id),
        line_no            INTEGER NOT NULL,
        dedup              BLOB NOT NULL,
        ts                 INTEGER NOT NULL,
        product            TEXT NOT NULL,            -- mde | crowdstrike | sentinelone | generic:<name>
        event_type         TEXT,                     -- as exported (ActionType, event_simpleName, Event Type)
        action             TEXT NOT NULL,            -- file_created | file_modified | file_renamed | file_deleted | download
                                                     -- | process_start | network_connect | dns_query | http_request
                                                     -- | url_click | url_open | logon | av_detection | asr_block | other
        host               TEXT,                     -- short host name, lowercased (first label)
        host_fqdn          TEXT,                     -- the name as exported, lowercased
        host_id            TEXT,                     -- DeviceId / aid / agent UUID
        account            TEXT,                     -- sAM name, lowercased, without the domain
        account_domain     TEXT,
        user_email         TEXT,                     -- UPN, lowercased
        file_name          TEXT,
        file_path          TEXT,
        sha256             TEXT,
        sha1               TEXT,
        md5                TEXT,
        file_size          INTEGER,
        process            TEXT,                     -- image name of the acting process (file name only)
        process_path       TEXT,
        command_line       TEXT,
        process_id         TEXT,
        parent_process     TEXT,
        parent_process_id  TEXT,
        url                TEXT,                     -- as exported
        url_host           TEXT,
        domain             TEXT,                     -- registrable domain of the URL, DNS query or origin
        remote_ip          TEXT,
        remote_port        INTEGER,
        file_origin_url    TEXT,                     -- where a downloaded file came from
        extra              TEXT                      -- JSON of the exported columns without a column here
    );
    CREATE UNIQUE INDEX edr_event_dedup ON edr_event(dedup);

    -- Who was seen on which host in the EDR data: one row per (host, account, UPN), counted
    -- by the writer as rows are stored, so the identity map never rescans edr_event.
    CREATE TABLE edr_account (
        host            TEXT NOT NULL,
        account         TEXT NOT NULL DEFAULT '',
        account_domain  TEXT NOT NULL DEFAULT '',
        user_email      TEXT NOT NULL DEFAULT '',
        product         TEXT NOT NULL,
        events          INTEGER NOT NULL,
        first_file_id   INTEGER NOT NULL REFERENCES input_file(id),
        first_line      INTEGER NOT NULL,
        UNIQUE (host, account, account_domain, user_email)
    );

    -- Directory entries from a user-supplied identities CSV (email, upn, account, host).
    CREATE TABLE directory_entry (
        id        INTEGER PRIMARY KEY,
        file_id   INTEGER NOT NULL REFERENCES input_file(id),
        line_no   INTEGER NOT NULL,
        dedup     BLOB NOT NULL,
        email     TEXT,
        upn       TEXT,
        account   TEXT,
        host      TEXT
    );
    CREATE UNIQUE INDEX directory_entry_dedup ON directory_entry(dedup);

    -- email ↔ account ↔ host, rebuilt after every ingest from the directory and the EDR rows.
    CREATE TABLE identity (
        id          INTEGER PRIMARY KEY,
        email       TEXT NOT NULL,
        account     TEXT,
        host        TEXT,
        source      TEXT NOT NULL,      -- directory | edr_upn | edr_local_part
        confidence  TEXT NOT NULL,      -- exact | inferred
        evidence    TEXT NOT NULL       -- why: which rows or which rule
    );
    CREATE INDEX identity_email ON identity(email);
    CREATE INDEX identity_host ON identity(host);
    CREATE INDEX identity_account ON identity(account);

    -- What the identity map would not guess: ambiguous or conflicting mappings.
    CREATE TABLE identity_issue (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,      -- ambiguous | conflict | unresolved
        account     TEXT,
        host        TEXT,
        candidates  TEXT NOT NULL,      -- JSON array of emails
        detail      TEXT NOT NULL
    );

    CREATE VIEW v_edr_event AS
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', e.ts / 1000.0, 'unixepoch') AS time_utc, e.*, f.path AS file_path_input
        FROM edr_event e JOIN input_file f ON f.id = e.file_id;
    """

    static let findingSchema = """
    -- What detection rules found: one row per rule and evidence row, so re-running a rule over
    -- the same data adds nothing. The evidence row leads back to file and line.
    CREATE TABLE finding (
        id              INTEGER PRIMARY KEY,
        rule_id         TEXT NOT NULL,
        rule_version    INTEGER NOT NULL,
        rule_sha256     TEXT NOT NULL,
        kind            TEXT NOT NULL,            -- vendor | detection | opt-in | duet | correlation | hunt
        severity        TEXT NOT NULL,            -- info | low | medium | high | critical
        stage           TEXT,
        ts              INTEGER NOT NULL,
        user            TEXT,
        sender          TEXT,
        message_id      TEXT,
        subject         TEXT,
        indicator       TEXT,
        summary         TEXT NOT NULL,
        evidence_table  TEXT NOT NULL,
        evidence_rowid  INTEGER NOT NULL,
        detected_at     INTEGER NOT NULL,         -- wall clock, for the audit trail only
        UNIQUE (rule_id, evidence_table, evidence_rowid)
    );
    CREATE INDEX finding_rule ON finding(rule_id, ts);
    CREATE INDEX finding_user ON finding(user, ts);
    """

    static let urlResourceSchema = """
    -- Host and path of the unwrapped URL, without scheme, query or fragment: phishing links carry
    -- a per-recipient token in the query, and "the same URL" means the same page. Rows loaded
    -- before this column existed get it from url_unwrapped by the same rule.
    ALTER TABLE url_click ADD COLUMN url_resource TEXT;
    UPDATE url_click SET url_resource = (
        SELECT CASE WHEN instr(rest, '?') > 0 AND (instr(rest, '#') = 0 OR instr(rest, '?') < instr(rest, '#')) THEN substr(rest, 1, instr(rest, '?') - 1)
                    WHEN instr(rest, '#') > 0 THEN substr(rest, 1, instr(rest, '#') - 1)
                    ELSE rest END
        FROM (SELECT substr(url_unwrapped, instr(url_unwrapped, '://') + 3) AS rest))
    WHERE url_host IS NOT NULL AND instr(url_unwrapped, '://') > 0;
    """

    static let watchListSchema = """
    -- People the customer wants watched (VIPs, finance …), from --watch-list NAME=FILE; a list is
    -- replaced whole each time it is loaded. DUET rules join it.
    CREATE TABLE watch_list (
        list            TEXT NOT NULL,
        address         TEXT NOT NULL,            -- lowercased email
        local_part      TEXT NOT NULL,            -- before the @, to match impersonating senders
        display_name    TEXT,                     -- lowercased
        source_path     TEXT NOT NULL,
        source_sha256   TEXT NOT NULL,
        source_line     INTEGER NOT NULL,
        PRIMARY KEY (list, address)
    );
    -- Sender and URL domains that resemble one of the organisation's own domains (homoglyphs,
    -- one or two edits, the own name inside a longer one). Rebuilt before each detection run
    -- from the domains in the data, so it always matches them.
    CREATE TABLE domain_lookalike (
        domain          TEXT PRIMARY KEY,         -- as stored in sender_domain / url_host / url_domain
        registrable     TEXT NOT NULL,
        resembles       TEXT NOT NULL,            -- the own domain it imitates
        method          TEXT NOT NULL,            -- homoglyph | edit-distance | contains
        distance        INTEGER NOT NULL          -- edits after homoglyph folding (0 for contains)
    );
    """

    static let incidentSchema = """
    -- Correlation findings carry both sides: the EDR row is the evidence, the mail row it was
    -- matched from is the related row, with the key that matched and how strong it is.
    ALTER TABLE finding ADD COLUMN host TEXT;
    ALTER TABLE finding ADD COLUMN related_table TEXT;
    ALTER TABLE finding ADD COLUMN related_rowid INTEGER;
    ALTER TABLE finding ADD COLUMN match_key TEXT;        -- hash | name | domain | url | ip | process | ioc
    ALTER TABLE finding ADD COLUMN match_strength TEXT;   -- strong | weak
    CREATE INDEX finding_message ON finding(message_id);

    -- Threat-intel indicators (table ioc) matched against events; rebuilt after each load.
    CREATE TABLE ioc_match (
        ioc_id          INTEGER NOT NULL REFERENCES ioc(id),
        event_table     TEXT NOT NULL,
        event_rowid     INTEGER NOT NULL,
        field           TEXT NOT NULL,
        PRIMARY KEY (ioc_id, event_table, event_rowid, field)
    ) WITHOUT ROWID;
    CREATE INDEX ioc_match_event ON ioc_match(event_table, event_rowid);

    -- Incidents: findings grouped by campaign, rebuilt from the findings after each detection
    -- run (same findings, same incidents). Every number here is recomputable from the rows the
    -- findings point at.
    CREATE TABLE incident (
        id              INTEGER PRIMARY KEY,      -- in order of first activity
        key             TEXT NOT NULL UNIQUE,     -- the campaign's smallest key, stable across rebuilds
        title           TEXT NOT NULL,
        severity        TEXT NOT NULL,
        stage           TEXT NOT NULL,            -- furthest stage anyone reached
        first_ts        INTEGER NOT NULL,
        last_ts         INTEGER NOT NULL,
        recipients      INTEGER NOT NULL,
        delivered       INTEGER NOT NULL,
        interacted      INTEGER NOT NULL,
        hosts           INTEGER NOT NULL,
        findings        INTEGER NOT NULL
    );
    CREATE TABLE incident_finding (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        finding_id      INTEGER NOT NULL REFERENCES finding(id),
        PRIMARY KEY (incident_id, finding_id)
    ) WITHOUT ROWID;
    CREATE INDEX incident_finding_finding ON incident_finding(finding_id);
    CREATE TABLE incident_message (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        message_id      TEXT NOT NULL,
        PRIMARY KEY (incident_id, message_id)
    ) WITHOUT ROWID;
    -- One row per person the campaign reached: received (a copy was addressed to them),
    -- delivered, interacted (clicked, released, opened), the furthest stage and its evidence.
    CREATE TABLE incident_user (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        user            TEXT NOT NULL,
        received        INTEGER NOT NULL,
        delivered       INTEGER NOT NULL,
        interacted      INTEGER NOT NULL,
        stage           TEXT NOT NULL,            -- targeted | delivery | interaction | download | execution | command-and-control
        stage_evidence  TEXT,                     -- table:rowid of the row that proves the stage
        first_ts        INTEGER,
        PRIMARY KEY (incident_id, user)
    ) WITHOUT ROWID;
    CREATE TABLE incident_host (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        host            TEXT NOT NULL,
        user            TEXT,                     -- whose host (through the identity map), if known
        stage           TEXT NOT NULL,
        first_ts        INTEGER NOT NULL,
        evidence_rows   INTEGER NOT NULL,
        PRIMARY KEY (incident_id, host)
    ) WITHOUT ROWID;
    CREATE TABLE incident_indicator (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        type            TEXT NOT NULL,            -- sender | sender_domain | sender_ip | sha256 | file_name | url | domain | ip
        value           TEXT NOT NULL,
        recipients      INTEGER NOT NULL,         -- prevalence in this environment
        hosts           INTEGER NOT NULL,
        first_ts        INTEGER,
        last_ts         INTEGER,
        feeds           TEXT,                     -- threat-intel feeds listing it, if any
        PRIMARY KEY (incident_id, type, value)
    ) WITHOUT ROWID;
    CREATE TABLE incident_technique (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        technique       TEXT NOT NULL,
        PRIMARY KEY (incident_id, technique)
    ) WITHOUT ROWID;
    -- Why the severity is what it is, and what to do, in order.
    CREATE TABLE incident_note (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        kind            TEXT NOT NULL,            -- reason | action
        seq             INTEGER NOT NULL,
        text            TEXT NOT NULL,
        PRIMARY KEY (incident_id, kind, seq)
    ) WITHOUT ROWID;
    """

    static let detectionStateSchema = """
    -- Whether the rules have looked at a file's events yet: `run` checks the files still at 0
    -- (plus a look-back), then sets them to 1 in the transaction that completes detection, so a
    -- run killed anywhere leaves its files for the next run to check. Files loaded before this
    -- column existed count as checked when a run has finished on the database.
    ALTER TABLE input_file ADD COLUMN detected INTEGER NOT NULL DEFAULT 0;
    UPDATE input_file SET detected = 1 WHERE EXISTS (SELECT 1 FROM run WHERE status = 'finished');
    """

    static let edrLineageSchema = """
    -- Both ends of a process: on a process-start row `process*` is the process started and
    -- `parent_*` the process that started it; on every other row `process*` is the acting
    -- process and `parent_*` its parent. The account acted on (a logon's target, an account
    -- created or changed) is kept apart from the acting account. The EDR's own verdict (MDE
    -- ThreatName, an ASR rule id) has a column the rules can use.
    ALTER TABLE edr_event ADD COLUMN process_sha256 TEXT;        -- image hash of `process`
    ALTER TABLE edr_event ADD COLUMN parent_process_path TEXT;
    ALTER TABLE edr_event ADD COLUMN parent_command_line TEXT;
    ALTER TABLE edr_event ADD COLUMN parent_process_sha256 TEXT;
    ALTER TABLE edr_event ADD COLUMN target_account TEXT;        -- the account acted on, lowercased, without its domain
    ALTER TABLE edr_event ADD COLUMN target_account_domain TEXT;
    ALTER TABLE edr_event ADD COLUMN threat_name TEXT;           -- the EDR's detection name (MDE ThreatName, Falcon/S1 threat)
    ALTER TABLE edr_event ADD COLUMN edr_rule TEXT;              -- the EDR rule that acted (ASR RuleId …)
    """

    static let logCoverageSchema = """
    -- Which log types the data holds, for which UTC days (and, for EDR, which hosts): kept by
    -- the writer as rows are stored, so a conclusion that needs a log type can tell "not in
    -- the logs" from "no logs". log: receipt | process | delivery | tracking (mail_message
    -- events), url_click, attachment_scan, impersonation, mail_event:<type>, edr:<product>.
    CREATE TABLE log_coverage (
        log       TEXT NOT NULL,
        host      TEXT NOT NULL DEFAULT '',     -- EDR host (short name); '' for mail logs
        day       INTEGER NOT NULL,             -- UTC day: ts / 86400000
        rows      INTEGER NOT NULL,
        first_ts  INTEGER NOT NULL,
        last_ts   INTEGER NOT NULL,
        PRIMARY KEY (log, host, day)
    ) WITHOUT ROWID;
    INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts)
        SELECT event, '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM mail_message GROUP BY event, ts / 86400000;
    INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts)
        SELECT 'url_click', '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM url_click GROUP BY ts / 86400000;
    INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts)
        SELECT 'attachment_scan', '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM attachment_scan GROUP BY ts / 86400000;
    INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts)
        SELECT 'impersonation', '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM impersonation GROUP BY ts / 86400000;
    INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts)
        SELECT 'mail_event:' || event_type, '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM mail_event GROUP BY event_type, ts / 86400000;
    INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts)
        SELECT 'edr:' || product, COALESCE(host, ''), ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM edr_event
        GROUP BY product, COALESCE(host, ''), ts / 86400000;
    """

    static let sharedIndicatorSchema = """
    -- How many sender domains' mail carried an indicator, and whether that makes it shared
    -- infrastructure (a relay or link host of ordinary mail): shown as context, never exported
    -- as something to block. Incidents are rebuilt by every detect, which fills them.
    ALTER TABLE incident_indicator ADD COLUMN sender_domains INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incident_indicator ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
    """

    static let incidentDeliverySchema = """
    -- Which recipients' copies of each incident message were delivered (a delivery row, a
    -- release, a click or an endpoint trace): what a purge has to remove, with the Message-ID
    -- it needs. Rebuilt with the incidents.
    CREATE TABLE incident_delivery (
        incident_id     INTEGER NOT NULL REFERENCES incident(id),
        message_id      TEXT NOT NULL,
        recipient       TEXT NOT NULL,
        PRIMARY KEY (incident_id, message_id, recipient)
    ) WITHOUT ROWID;
    """

    static let triageSchema = """
    -- An analyst's decisions on incidents (`mailscope triage`). Incidents are rebuilt after
    -- every detection and their numbers change, so a decision names the incident by its key;
    -- rebuilds and prune never touch this table. One row per decision, never updated: the
    -- latest for an incident is in force, the others are its history.
    CREATE TABLE triage (
        id              INTEGER PRIMARY KEY,
        key             TEXT NOT NULL,            -- incident.key when decided
        status          TEXT NOT NULL,            -- open | confirmed | false-positive | benign
        note            TEXT NOT NULL,
        decided_by      TEXT NOT NULL,
        decided_at      INTEGER NOT NULL,         -- ms UTC
        stage           TEXT NOT NULL,            -- the incident's stage when decided: a higher one re-opens it
        severity        TEXT NOT NULL,
        incident_id     INTEGER,                  -- #n when decided, for the record (not a reference)
        title           TEXT NOT NULL
    );
    CREATE INDEX triage_key ON triage(key);
    -- Every campaign key of each incident (Message-IDs, hashes, clicked domains …), rebuilt with
    -- the incidents: a decision made under one key finds its incident when new evidence gives it
    -- another (a click adds a domain key that outranks the Message-ID's). A key belongs to one
    -- incident only.
    CREATE TABLE incident_key (
        key             TEXT PRIMARY KEY,
        incident_id     INTEGER NOT NULL REFERENCES incident(id)
    ) WITHOUT ROWID;
    CREATE INDEX incident_key_incident ON incident_key(incident_id);
    INSERT INTO incident_key (key, incident_id) SELECT key, id FROM incident;
    -- Known-good senders, domains and hashes (`suppress:`, `--suppress FILE`), replaced whole each
    -- time the file is loaded; applied by every incident rebuild.
    CREATE TABLE suppression (
        id              INTEGER PRIMARY KEY,
        kind            TEXT NOT NULL,            -- sender | domain | sha256
        value           TEXT NOT NULL,
        reason          TEXT,
        source_path     TEXT NOT NULL,
        source_sha256   TEXT NOT NULL,
        source_line     INTEGER NOT NULL,
        UNIQUE (kind, value)
    );
    -- Findings set aside by a suppression before incidents are built (kept, not deleted, so the
    -- report can say what each entry suppressed); rebuilt with the incidents.
    CREATE TABLE finding_suppressed (
        finding_id      INTEGER NOT NULL REFERENCES finding(id),
        suppression_id  INTEGER NOT NULL REFERENCES suppression(id),
        PRIMARY KEY (finding_id, suppression_id)
    ) WITHOUT ROWID;
    """

    static let alertDeliverySchema = """
    -- Every try to deliver an incident's alert to a syslog or webhook destination, one row per
    -- destination, incident and run, never updated: what a destination received is what the
    -- next run does not resend, a failure is what it retries. An alert is the incident (by key,
    -- found again through incident_key when new evidence changes it) with its evidence up to
    -- finding_mark; rebuilds and prune never touch this table.
    CREATE TABLE alert_delivery (
        id              INTEGER PRIMARY KEY,
        destination     TEXT NOT NULL,            -- "syslog udp://host:514", "webhook https://host/… (sha256:…)"
        incident_key    TEXT NOT NULL,            -- incident.key when sent
        incident_number INTEGER NOT NULL,         -- #n when sent, for the record (not a reference)
        finding_mark    INTEGER NOT NULL,         -- the incident's largest finding id when sent
        run_id          INTEGER REFERENCES run(id),
        attempted_at    INTEGER NOT NULL,         -- ms UTC, wall clock
        status          TEXT NOT NULL,            -- delivered | failed
        attempts        INTEGER NOT NULL,         -- tries in that run (HTTP retries)
        error           TEXT                      -- why it failed
    );
    CREATE INDEX alert_delivery_destination ON alert_delivery(destination, status, incident_key);
    -- How many alert deliveries a run made and how many failed (NULL: it delivered nothing).
    ALTER TABLE run ADD COLUMN alerts_delivered INTEGER;
    ALTER TABLE run ADD COLUMN alerts_failed INTEGER;
    """

    static let stageEvidenceSchema = """
    -- The row that proves a person's stage, as (table, rowid) instead of "table:rowid" text
    -- split again by every reader. Kept rows of older databases are carried over.
    ALTER TABLE incident_user ADD COLUMN stage_evidence_table TEXT;
    ALTER TABLE incident_user ADD COLUMN stage_evidence_rowid INTEGER;
    UPDATE incident_user
    SET stage_evidence_table = substr(stage_evidence, 1, instr(stage_evidence, ':') - 1),
        stage_evidence_rowid = CAST(substr(stage_evidence, instr(stage_evidence, ':') + 1) AS INTEGER)
    WHERE instr(COALESCE(stage_evidence, ''), ':') > 1;
    ALTER TABLE incident_user DROP COLUMN stage_evidence;
    """

    static let recordIndexSchema = """
    -- Exact record locators: a line that holds several records (an API 1.0 envelope, a TTP
    -- log page, an {"type":"MTA","data":[…]} file) gives each row the record's 1-based index
    -- within the line; NULL where the line holds one record. Evidence prints file:line#n.
    ALTER TABLE mail_message ADD COLUMN record_no INTEGER;
    ALTER TABLE url_click ADD COLUMN record_no INTEGER;
    ALTER TABLE attachment_scan ADD COLUMN record_no INTEGER;
    ALTER TABLE impersonation ADD COLUMN record_no INTEGER;
    ALTER TABLE mail_event ADD COLUMN record_no INTEGER;
    ALTER TABLE ioc ADD COLUMN record_no INTEGER;
    ALTER TABLE edr_event ADD COLUMN record_no INTEGER;
    ALTER TABLE reject ADD COLUMN record_no INTEGER;
    """

    static let ownDomainSchema = """
    -- The organisation's own domains (recipient domains of inbound mail), rebuilt before each
    -- detection run; rules that ask "is this our domain" join it.
    CREATE TABLE own_domain (
        domain          TEXT PRIMARY KEY
    ) WITHOUT ROWID;
    -- Correlation rules ask whether a row was already flagged.
    CREATE INDEX finding_evidence ON finding(evidence_table, evidence_rowid);
    """

    // No index on ts alone: rules bound to a wide window would walk the whole table through
    // it (a random read per row) instead of scanning it in order, measured 3–10× slower.
    static let secondaryIndexes = """
    CREATE INDEX IF NOT EXISTS mail_message_msgid ON mail_message(message_id);
    CREATE INDEX IF NOT EXISTS mail_message_agg ON mail_message(aggregate_id);
    -- Small partial indexes for the questions rules ask per row: was this copy delivered,
    -- was this message held (measured: random lookups into the whole table dominated at 10 M).
    CREATE INDEX IF NOT EXISTS mail_message_delivered ON mail_message(message_id, recipient) WHERE event = 'delivery' AND delivered = 1;
    CREATE INDEX IF NOT EXISTS mail_message_held ON mail_message(aggregate_id, ts, hold_reason) WHERE event = 'process' AND action = 'Hld';
    DROP INDEX IF EXISTS mail_message_receipt_domain;
    -- Sender right after its domain: one sender's mail is a prefix, not a walk through all of
    -- the domain's mail (an internal sender's incident read all internal mail, per incident).
    DROP INDEX IF EXISTS mail_message_receipt_sender;
    CREATE INDEX IF NOT EXISTS mail_message_receipt_domain_sender ON mail_message(sender_domain, sender, ts, recipient, event) WHERE event = 'receipt';
    CREATE INDEX IF NOT EXISTS mail_message_rcpt ON mail_message(recipient, ts);
    CREATE INDEX IF NOT EXISTS mail_message_sender_domain ON mail_message(sender_domain, ts);
    CREATE INDEX IF NOT EXISTS mail_message_outbound ON mail_message(message_id) WHERE event = 'receipt' AND direction = 'outbound';
    CREATE INDEX IF NOT EXISTS mail_message_inbound_rcpt_domain ON mail_message(recipient_domain) WHERE event = 'receipt' AND direction = 'inbound';
    CREATE INDEX IF NOT EXISTS url_click_user ON url_click(user, ts);
    CREATE INDEX IF NOT EXISTS url_click_domain ON url_click(url_domain, ts);
    CREATE INDEX IF NOT EXISTS url_click_msgid ON url_click(message_id);
    CREATE INDEX IF NOT EXISTS url_click_resource ON url_click(url_resource, ts);
    CREATE INDEX IF NOT EXISTS url_click_malicious ON url_click(url_resource, user) WHERE scan_result = 'malicious';
    CREATE INDEX IF NOT EXISTS attachment_scan_sha256 ON attachment_scan(sha256);
    CREATE INDEX IF NOT EXISTS attachment_scan_malicious ON attachment_scan(sha256) WHERE result = 'malicious';
    CREATE INDEX IF NOT EXISTS attachment_scan_msgid ON attachment_scan(message_id);
    CREATE INDEX IF NOT EXISTS attachment_scan_agg ON attachment_scan(aggregate_id);
    CREATE INDEX IF NOT EXISTS attachment_scan_rcpt ON attachment_scan(recipient, ts);
    CREATE INDEX IF NOT EXISTS impersonation_rcpt ON impersonation(recipient, ts);
    CREATE INDEX IF NOT EXISTS impersonation_msgid ON impersonation(message_id);
    CREATE INDEX IF NOT EXISTS mail_event_type ON mail_event(event_type, ts);
    CREATE INDEX IF NOT EXISTS mail_event_msgid ON mail_event(message_id);
    CREATE INDEX IF NOT EXISTS mail_event_sha256 ON mail_event(sha256);
    CREATE INDEX IF NOT EXISTS edr_event_sha256 ON edr_event(sha256);
    CREATE INDEX IF NOT EXISTS edr_event_host ON edr_event(host, ts);
    DROP INDEX IF EXISTS edr_event_domain;
    CREATE INDEX IF NOT EXISTS edr_event_domain_host ON edr_event(domain, ts, host);
    CREATE INDEX IF NOT EXISTS edr_event_remote_ip ON edr_event(remote_ip);
    CREATE INDEX IF NOT EXISTS edr_event_file_name ON edr_event(file_name COLLATE NOCASE);
    """
}
