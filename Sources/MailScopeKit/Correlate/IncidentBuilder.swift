import Foundation

/// Groups findings into incidents (one per campaign) and scopes each one: every recipient of
/// the campaign from all mail rows, who interacted, which computers, the furthest stage per
/// person with the row that proves it, indicators with their prevalence, ATT&CK techniques, a
/// severity with its reasons, and what to do.
///
/// Findings belong to one campaign when they share a key: the Message-ID, an attachment's
/// SHA-256, a clicked URL's registrable domain, or the sender with the normalized subject
/// (RE:/FW: prefixes and spacing ignored). Keys chain: a finding on a message joins the
/// findings on its attachment's hash, which join those on other messages with that hash.
/// Incidents are rebuilt from the findings after every detection run, in order of first
/// activity, so the same findings always give the same incidents.
public enum IncidentBuilder {
    /// What a rebuild produced.
    public struct Summary: Sendable, Equatable {
        public var incidents = 0
        public var bySeverity: [Rule.Severity: Int] = [:]
        /// Findings set aside by a suppression entry before grouping (`SuppressionList`).
        public var suppressed = 0
        /// Wall time of the rebuild, filled by the caller that measures it.
        public var milliseconds = 0
        public init() {}
    }

    struct Finding {
        var id: Int64
        var ruleID: String
        var kind: Rule.Kind
        var severity: Rule.Severity
        var stage: Rule.Stage?
        var ts: Int64
        var user: String?
        var sender: String?
        var messageID: String?
        var subject: String?
        var indicator: String?
        var table: String
        var rowid: Int64
        var host: String?
        var matchKey: String?
        /// The row the finding points at.
        var evidence: EvidenceRow { EvidenceRow(table: table, rowid: rowid) }
    }

    /// Rebuilds every incident table from `finding`; `rules` supplies titles and ATT&CK ids.
    @discardableResult
    /// `scanThreshold`: from how many indicator values of one kind their prevalence is measured
    /// by one table scan instead of a lookup per value (see `IndicatorPrevalence`).
    public static func rebuild(_ db: Database, rules: [Rule], scanThreshold: Int = 2000) throws -> Summary {
        let byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // One transaction for the reads and the writes: one snapshot, no lock per statement.
        defer { db.clearStatementCache() }
        return try db.transaction {
        let suppressed = try SuppressionList.apply(db)
        let findings = try loadFindings(db)
        let evidence = try EvidenceKeys(db)
        let groups = try group(findings, db: db, evidence: evidence)
        var scoped: [Scope] = []
        let memo = Memo(evidence: evidence)
        try memo.prefillSenderMessages(senders: Set(findings.compactMap { f in
            f.kind != .correlation && normalizedSubject(f.subject) != nil ? campaignSender(f.sender) : nil
        }), db: db, scanThreshold: scanThreshold)
        var keysOf: [String: Set<String>] = [:]
        for (members, keys) in groups {
            let scope = try Scope(findings: members, keys: keys, db: db, rules: byID, memo: memo)
            keysOf[scope.key] = keys
            scoped.append(scope)
        }
        let prevalence = try IndicatorPrevalence.measure(Set(scoped.flatMap(\.indicators.keys)), db: db, scanThreshold: scanThreshold)
        let coverage = try LogCoverage.load(db)
        let ownDomains = Set(try OwnDomains.read(db))
        for i in scoped.indices { scoped[i].finish(prevalence: prevalence, rules: byID, coverage: coverage, ownDomains: ownDomains) }
        scoped.sort { ($0.firstTS, $0.key) < ($1.firstTS, $1.key) }
        var summary = Summary()
        summary.suppressed = suppressed
        do {
            try db.execute("DELETE FROM incident_key")
            for table in ["incident_admin", "incident_delivery", "incident_note", "incident_technique", "incident_indicator", "incident_host", "incident_user",
                          "incident_message", "incident_finding", "incident"] {
                try db.execute("DELETE FROM \(table)")
            }
            for (index, scope) in scoped.enumerated() {
                try scope.store(id: Int64(index + 1), in: db)
                try storeKeys(keysOf[scope.key] ?? [scope.key], incident: Int64(index + 1), in: db)
                summary.incidents += 1
                summary.bySeverity[scope.severity, default: 0] += 1
            }
        }
        return summary
        }
    }

    /// Keeps every campaign key of incident `id`, so a triage decision made under one of them
    /// finds the incident whatever key names it after the next rebuild (`Triage`).
    static func storeKeys(_ keys: Set<String>, incident id: Int64, in db: Database) throws {
        let insert = try db.prepare("INSERT OR IGNORE INTO incident_key (key, incident_id) VALUES (?, ?)")
        for key in keys.sorted() {
            try insert.bind([.text(key), .integer(id)])
            _ = try insert.step()
            insert.reset()
        }
    }

    /// The findings incidents are built from: not hunts, and not those a suppression entry set
    /// aside (`finding_suppressed`, filled just before by `SuppressionList.apply`).
    static func loadFindings(_ db: Database) throws -> [Finding] {
        try db.cachedRows("""
            SELECT id, rule_id, kind, severity, stage, ts, user, sender, message_id, subject, indicator,
                   evidence_table, evidence_rowid, host, match_key
            FROM finding WHERE kind <> 'hunt' AND id NOT IN (SELECT finding_id FROM finding_suppressed) ORDER BY id
            """).map { r in
            Finding(id: r.int("id") ?? 0, ruleID: r.text("rule_id") ?? "", kind: r.text("kind").flatMap(Rule.Kind.init(rawValue:)) ?? .detection,
                    severity: Rule.Severity(rawValue: r.text("severity") ?? "") ?? .info, stage: r.text("stage").flatMap(Rule.Stage.init(rawValue:)),
                    ts: r.int("ts") ?? 0, user: r.text("user"), sender: r.text("sender"), messageID: r.text("message_id"),
                    subject: r.text("subject"), indicator: r.text("indicator"), table: r.text("evidence_table") ?? "",
                    rowid: r.int("evidence_rowid") ?? 0, host: r.text("host"), matchKey: r.text("match_key"))
        }
    }

    /// The sender that, with the subject, ties copies of a campaign together: not the null
    /// sender `<>`, which every bounce shares ("Undelivered Mail Returned to Sender" from `<>`
    /// is not one campaign).
    static func campaignSender(_ sender: String?) -> String? {
        sender == EmailAddress.nullSender ? nil : sender
    }

    /// "RE: FW:  Invoice  overdue" → "invoice overdue".
    public static func normalizedSubject(_ subject: String?) -> String? {
        guard var s = subject?.lowercased().trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty else { return nil }
        var changed = true
        while changed {
            changed = false
            for prefix in ["re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "tr:"] where s.hasPrefix(prefix) {
                s = String(s.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
                changed = true
            }
        }
        let collapsed = s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return collapsed.isEmpty ? nil : collapsed
    }

    /// The campaign keys of each finding, then connected groups (union-find), in finding order,
    /// each with the keys that joined it (a key belongs to exactly one group).
    static func group(_ findings: [Finding], db: Database, evidence: EvidenceKeys? = nil) throws -> [(findings: [Finding], keys: Set<String>)] {
        let evidence = try evidence ?? EvidenceKeys(db)
        let hashOf = evidence.hash, domainOf = evidence.domain
        var parent = Array(0..<findings.count)
        func find(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        var owner: [String: Int] = [:]
        var keysOf: [[String]] = Array(repeating: [], count: findings.count)
        for (i, f) in findings.enumerated() {
            var keys: [String] = []
            if let m = f.messageID { keys.append("message:\(m)") }
            if f.table == "attachment_scan", let h = hashOf[f.rowid] { keys.append("hash:\(h)") }
            if f.table == "url_click", let d = domainOf[f.rowid] { keys.append("domain:\(d)") }
            if let s = campaignSender(f.sender), let subject = normalizedSubject(f.subject) { keys.append("sender-subject:\(s)|\(subject)") }
            // Findings on the same endpoint row are one story (a correlation and a feed hit on it).
            if f.table == "edr_event" { keys.append("edr:\(f.rowid)") }
            // Threat-intel hits join on the indicator: the same feed entry in mail and on a host.
            if let indicator = f.indicator, f.ruleID.hasPrefix("MS-TI-") || (f.table == "edr_event" && f.messageID == nil) {
                keys.append("indicator:\(indicator)")
            }
            // An account's own actions with no message (a console brute force, a support login):
            // one story per account, and per address it came from.
            if f.messageID == nil, AdministrationReader.tables.contains(f.table) {
                if let user = f.user { keys.append("account:\(user)") }
                if let ip = f.indicator, Host.isIPAddress(ip) { keys.append("source:\(ip)") }
            }
            if keys.isEmpty { keys.append("finding:\(f.id)") }
            keysOf[i] = keys
            for key in keys {
                if let j = owner[key] {
                    let (a, b) = (find(i), find(j))
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else {
                    owner[key] = i
                }
            }
        }
        var groups: [Int: [Finding]] = [:]
        var keys: [Int: Set<String>] = [:]
        for (i, f) in findings.enumerated() {
            groups[find(i), default: []].append(f)
            keys[find(i), default: []].formUnion(keysOf[i])
        }
        return groups.keys.sorted().map { (groups[$0]!, keys[$0]!) }
    }

    /// The keys of the findings' evidence rows, read once per rebuild: the attachment hash of an
    /// attachment_scan row, the domain and page (host + path) of a url_click row.
    struct EvidenceKeys {
        var hash: [Int64: String] = [:]
        var domain: [Int64: String] = [:]
        var resource: [Int64: String] = [:]

        init(_ db: Database) throws {
            for r in try db.rows("SELECT id, sha256 FROM attachment_scan WHERE id IN (SELECT evidence_rowid FROM finding WHERE evidence_table = 'attachment_scan')") {
                if let id = r.int("id"), let v = r.text("sha256") { hash[id] = v }
            }
            for r in try db.rows("SELECT id, url_domain, url_resource FROM url_click WHERE id IN (SELECT evidence_rowid FROM finding WHERE evidence_table = 'url_click')") {
                guard let id = r.int("id") else { continue }
                if let v = r.text("url_domain") { domain[id] = v }
                if let v = r.text("url_resource") { resource[id] = v }
            }
        }
    }
}
