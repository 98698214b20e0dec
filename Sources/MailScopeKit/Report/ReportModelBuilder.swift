import Foundation

extension ReportModel {
    /// Builds the model from `db`. Reads only; every list in a stable order.
    public static func build(_ db: Database, options: Options) throws -> ReportModel {
        let rules = Dictionary(options.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let evidence = try EvidenceLookup(db)
        let time: (Int64) -> Timestamp = { Timestamp($0) }

        // Findings, with their evidence (and for correlations the mail-side row too).
        var findingsByIncident: [Int: [Finding]] = [:]
        var incidentOfFinding: [Int64: Int] = [:]
        for r in try db.rows("SELECT incident_id, finding_id FROM incident_finding ORDER BY incident_id, finding_id") {
            incidentOfFinding[r.int("finding_id") ?? 0] = Int(r.int("incident_id") ?? 0)
        }
        var duet: [DuetItem] = []
        var findingsByRule: [String: Int] = [:]
        var totalFindings = 0
        for r in try db.rows("""
            SELECT id, rule_id, rule_version, kind, severity, stage, ts, user, host, sender, subject, indicator, summary,
                   match_key, match_strength, evidence_table, evidence_rowid, related_table, related_rowid, message_id
            FROM finding WHERE kind <> 'hunt' ORDER BY ts, id
            """) {
            let id = r.int("id") ?? 0
            let ruleID = r.text("rule_id") ?? ""
            var ev = [try evidence.lookup(r.text("evidence_table") ?? "", r.int("evidence_rowid") ?? 0)]
            if let t = r.text("related_table"), let row = r.int("related_rowid"), t != "finding" { ev.append(try evidence.lookup(t, row)) }
            let f = Finding(id: id, ruleId: ruleID, ruleVersion: Int(r.int("rule_version") ?? 0), kind: r.text("kind").flatMap(Rule.Kind.init(rawValue:)) ?? .detection,
                            severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info,
                            stage: r.text("stage").flatMap(Rule.Stage.init(rawValue:)), ts: time(r.int("ts") ?? 0),
                            user: r.text("user"), host: r.text("host"), sender: r.text("sender"), subject: r.text("subject"),
                            indicator: r.text("indicator"), summary: r.text("summary") ?? "", matchKey: r.text("match_key"),
                            matchStrength: r.text("match_strength"), evidence: ev)
            totalFindings += 1
            findingsByRule[ruleID, default: 0] += 1
            if let incident = incidentOfFinding[id] { findingsByIncident[incident, default: []].append(f) }
            if f.kind == .duet {
                let template = rules[ruleID]?.question ?? rules[ruleID]?.title ?? ruleID
                let question = template.replacingOccurrences(of: "{user}", with: f.user ?? "the user")
                    .replacingOccurrences(of: "{sender}", with: f.sender ?? "the sender")
                    .replacingOccurrences(of: "{indicator}", with: f.indicator ?? "it")
                    .replacingOccurrences(of: "{subject}", with: f.subject ?? "the message")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                duet.append(DuetItem(ruleId: ruleID, ruleVersion: f.ruleVersion, incident: incidentOfFinding[id], ts: f.ts,
                                     user: f.user, sender: f.sender, question: question, summary: f.summary, evidence: ev))
            }
        }

        // Incidents.
        var incidents: [Incident] = []
        var allIndicators: [IndicatorRow] = []
        for r in try db.rows("SELECT id, key, title, severity, stage, first_ts, last_ts FROM incident ORDER BY id") {
            let id = Int(r.int("id") ?? 0)
            let arg: [SQLValue] = [.integer(Int64(id))]
            var people: [Person] = []
            for p in try db.rows("""
                SELECT user, received, delivered, interacted, stage, stage_evidence_table, stage_evidence_rowid
                FROM incident_user WHERE incident_id = ? ORDER BY user
                """, arg) {
                var stageEvidence: Evidence?
                if let table = p.text("stage_evidence_table"), let row = p.int("stage_evidence_rowid") {
                    stageEvidence = try evidence.lookup(table, row)
                }
                people.append(Person(user: p.text("user") ?? "", received: p.bool("received"), delivered: p.bool("delivered"),
                                     interacted: p.bool("interacted"), stage: stage(p), stageEvidence: stageEvidence))
            }
            let hosts = try db.rows("SELECT host, user, stage, first_ts, evidence_rows FROM incident_host WHERE incident_id = ? ORDER BY host", arg).map {
                HostRow(host: $0.text("host") ?? "", user: $0.text("user"), stage: stage($0),
                        firstSeen: time($0.int("first_ts") ?? 0), evidenceRows: Int($0.int("evidence_rows") ?? 0))
            }
            var details: [IndicatorRow] = []
            var grouped = Indicators()
            for i in try db.rows("SELECT type, value, recipients, hosts, first_ts, last_ts, feeds, sender_domains, shared FROM incident_indicator WHERE incident_id = ? ORDER BY type, value", arg) {
                let row = IndicatorRow(type: i.text("type") ?? "", value: i.text("value") ?? "", incident: id,
                                       recipients: Int(i.int("recipients") ?? 0), hosts: Int(i.int("hosts") ?? 0),
                                       firstSeen: i.int("first_ts").map(time), lastSeen: i.int("last_ts").map(time), feeds: i.text("feeds"),
                                       senderDomains: Int(i.int("sender_domains") ?? 0), shared: i.bool("shared"))
                details.append(row)
                switch row.type {
                case "sha256": grouped.sha256.append(row.value)
                case "url": grouped.urls.append(row.value)
                case "domain": grouped.domains.append(row.value)
                case "ip", "sender_ip": grouped.ips.append(row.value)
                case "sender": grouped.senders.append(row.value)
                case "sender_domain": grouped.senderDomains.append(row.value)
                case "file_name": grouped.fileNames.append(row.value)
                default: break
                }
            }
            grouped.ips = Array(Set(grouped.ips)).sorted()
            allIndicators += details
            let notes = try db.rows("SELECT kind, text FROM incident_note WHERE incident_id = ? ORDER BY kind, seq", arg)
            let techniques = try db.rows("SELECT technique FROM incident_technique WHERE incident_id = ? ORDER BY technique", arg).compactMap { $0.text("technique") }
            let messages = try db.rows("SELECT message_id FROM incident_message WHERE incident_id = ? ORDER BY message_id", arg).compactMap { $0.text("message_id") }
            incidents.append(Incident(
                id: id, key: r.text("key") ?? "", title: r.text("title") ?? "",
                severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info, stage: stage(r), attack: techniques,
                subjects: Array(Set((findingsByIncident[id] ?? []).compactMap(\.subject))).sorted(), firstSeen: time(r.int("first_ts") ?? 0),
                lastSeen: time(r.int("last_ts") ?? 0),
                reasons: notes.filter { $0.text("kind") == "reason" }.compactMap { $0.text("text") },
                actions: notes.filter { $0.text("kind") == "action" }.compactMap { $0.text("text") },
                recipients: people.filter(\.received).map(\.user), deliveredTo: people.filter(\.delivered).map(\.user),
                interactedUsers: people.filter(\.interacted).map(\.user), hosts: hosts.map(\.host), people: people,
                hostDetails: hosts, indicators: grouped, indicatorDetails: details, messages: messages,
                findings: findingsByIncident[id] ?? []))
        }
        // Most severe first, then the most recent first activity: the order a reader should take them in.
        incidents.sort { ($1.severity, $1.firstSeen, $1.id) < ($0.severity, $0.firstSeen, $0.id) }

        var bySeverity: [String: Int] = [:]
        for i in incidents { bySeverity[i.severity.rawValue, default: 0] += 1 }
        let highest = incidents.first?.severity
        let actNow = incidents.filter { $0.severity >= .high }.map { i in
            "#\(i.id) \(i.severity.rawValue): \(i.title) — \(i.actions.first ?? "review")"
        }
        let summary = Summary(
            incidents: incidents.count, bySeverity: bySeverity, highestSeverity: highest, findings: totalFindings,
            duetQuestions: duet.count,
            recipients: Set(incidents.flatMap(\.recipients)).count, interactedUsers: Set(incidents.flatMap(\.interactedUsers)).count,
            hosts: Set(incidents.flatMap(\.hosts)).count, actNow: actNow)

        // Inputs, rules, feeds, watch lists: the methodology and chain of custody.
        let inputs = try db.rows("""
            SELECT path, sha256, format, bytes, records, rows, duplicates, rejected, first_ts, last_ts FROM input_file ORDER BY path, sha256
            """).map {
            Input(path: $0.text("path") ?? "", sha256: $0.text("sha256") ?? "", format: $0.text("format") ?? "",
                  bytes: $0.int("bytes") ?? 0, records: $0.int("records") ?? 0, rows: $0.int("rows") ?? 0, duplicates: $0.int("duplicates") ?? 0,
                  rejected: $0.int("rejected") ?? 0, firstSeen: $0.int("first_ts").map(time), lastSeen: $0.int("last_ts").map(time))
        }
        var ruleRefs: [String: RuleRef] = [:]
        for r in options.rules where r.enabledByDefault || options.enabled.contains(r.id) || findingsByRule[r.id] != nil {
            var params = r.params.mapValues(\.description)
            for (name, value) in options.parameters where params[name] != nil { params[name] = value }
            ruleRefs[r.id] = RuleRef(id: r.id, version: r.version, kind: r.kind, severity: r.severity, sha256: r.sha256,
                                     title: r.title, attack: r.attack, params: params,
                                     findings: findingsByRule[r.id] ?? 0)
        }
        // Findings from rules no longer in the catalog still name their version and SHA-256.
        for r in try db.rows("""
            SELECT rule_id, rule_version, kind, severity, rule_sha256, COUNT(*) AS findings FROM finding
            GROUP BY rule_id, rule_version, rule_sha256 ORDER BY rule_id
            """) {
            let id = r.text("rule_id") ?? ""
            if let known = ruleRefs[id], known.sha256 == r.text("rule_sha256") { continue }
            let version = r.int("rule_version") ?? 0
            let key = ruleRefs[id] == nil ? id : "\(id)@\(version)"
            ruleRefs[key] = RuleRef(id: id, version: Int(version), kind: r.text("kind").flatMap(Rule.Kind.init(rawValue:)) ?? .detection,
                                    severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info,
                                    sha256: r.text("rule_sha256") ?? "", title: "(not in the current catalog)", attack: [], params: [:],
                                    findings: Int(r.int("findings") ?? 0))
        }
        let feeds = try db.rows("""
            SELECT i.feed, f.path, f.sha256, f.format, COUNT(*) AS indicators FROM ioc i LEFT JOIN input_file f ON f.id = i.file_id
            GROUP BY i.feed, f.id ORDER BY i.feed, f.path
            """).map {
            Feed(name: $0.text("feed") ?? "", path: $0.text("path"), sha256: $0.text("sha256"), format: $0.text("format"),
                 indicators: Int($0.int("indicators") ?? 0))
        }
        let watchLists = try db.rows("SELECT list, source_path, source_sha256, COUNT(*) AS people FROM watch_list GROUP BY list ORDER BY list").map {
            WatchListRef(name: $0.text("list") ?? "", path: $0.text("source_path") ?? "", sha256: $0.text("source_sha256") ?? "",
                         people: Int($0.int("people") ?? 0))
        }
        var rowsByTable: [String: Int64] = [:]
        for table in EventTable.allCases.map(\.rawValue) {
            rowsByTable[table] = try db.scalar("SELECT COUNT(*) FROM \(table)")?.intValue ?? 0
        }
        var issues: [String: Int] = [:]
        for r in try db.rows("SELECT kind, COUNT(*) AS n FROM identity_issue GROUP BY kind ORDER BY kind") { issues[r.text("kind") ?? ""] = Int(r.int("n") ?? 0) }
        var byReason: [String: Int] = [:]
        for r in try db.rows("SELECT reason, COUNT(*) AS n FROM reject GROUP BY reason ORDER BY reason") { byReason[r.text("reason") ?? ""] = Int(r.int("n") ?? 0) }
        let window = try db.rows("SELECT MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM input_file").first
        let coverage = try Self.coverage(db)

        return ReportModel(
            tool: Tool(name: "mailscope", version: MailScopeVersion.string),
            generatedAt: Timestamp(Int64(options.generatedAt.timeIntervalSince1970 * 1000)),
            command: options.command,
            dataWindow: Window(firstSeen: window?.int("first_ts").map(time), lastSeen: window?.int("last_ts").map(time)),
            summary: summary, incidents: incidents, duet: duet,
            indicators: allIndicators.sorted { ($0.type, $0.value, $0.incident ?? 0) < ($1.type, $1.value, $1.incident ?? 0) },
            inputs: inputs, rules: ruleRefs.values.sorted { ($0.id, $0.version) < ($1.id, $1.version) },
            feeds: feeds, watchLists: watchLists,
            statistics: Statistics(rowsByTable: rowsByTable, findingsByRule: findingsByRule,
                                   identities: Int(try db.scalar("SELECT COUNT(*) FROM identity")?.intValue ?? 0), identityIssues: issues),
            rejects: Rejects(total: byReason.values.reduce(0, +), byReason: byReason), coverage: coverage)
    }

    /// A row's `stage` column (a closed set the schema's writers keep; `targeted` if unreadable).
    static func stage(_ row: Row) -> Rule.Stage {
        row.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted
    }

    /// The mail log types a conclusion may need, listed even when the data has none of them.
    static let expectedLogs = ["receipt", "process", "delivery", "url_click", "attachment_scan", "impersonation"]

    /// `log_coverage` per log type: days, gaps between the first and last day, EDR hosts.
    static func coverage(_ db: Database) throws -> [ReportModel.CoverageRow] {
        var days: [String: [(Int64, Int64)]] = [:]
        for r in try db.rows("SELECT log, day, SUM(rows) AS rows FROM log_coverage GROUP BY log, day ORDER BY log, day") {
            guard let log = r.text("log"), let day = r.int("day") else { continue }
            days[log, default: []].append((day, r.int("rows") ?? 0))
        }
        var hosts: [String: Int] = [:]
        for r in try db.rows("SELECT log, COUNT(DISTINCT host) AS hosts FROM log_coverage WHERE host <> '' GROUP BY log") {
            if let log = r.text("log") { hosts[log] = Int(r.int("hosts") ?? 0) }
        }
        let order = expectedLogs + Set(days.keys).subtracting(expectedLogs).sorted { ($0.hasPrefix("edr:") ? 1 : 0, $0) < ($1.hasPrefix("edr:") ? 1 : 0, $1) }
        return order.map { log in
            let seen = days[log] ?? []
            guard let first = seen.first?.0, let last = seen.last?.0 else {
                return ReportModel.CoverageRow(log: log, days: 0, firstDay: nil, lastDay: nil, rows: 0, gaps: [], hosts: nil)
            }
            let present = Set(seen.map(\.0))
            let gaps = (first...last).filter { !present.contains($0) }.map(LogCoverage.dayText)
            return ReportModel.CoverageRow(log: log, days: present.count, firstDay: LogCoverage.dayText(first), lastDay: LogCoverage.dayText(last),
                                           rows: seen.reduce(0) { $0 + $1.1 }, gaps: gaps, hosts: log.hasPrefix("edr:") ? hosts[log] ?? 0 : nil)
        }
    }
}

/// Resolves "table row N" to the input file (path, SHA-256), line and record it was read from.
struct EvidenceLookup {
    let db: Database
    var statements: [String: Statement] = [:]
    static let tables: Set<String> = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "ioc", "edr_event", "directory_entry"]

    init(_ db: Database) throws { self.db = db }

    func lookup(_ table: String, _ row: Int64) throws -> ReportModel.Evidence {
        guard EvidenceLookup.tables.contains(table) else { return ReportModel.Evidence(table: table, row: row) }
        // directory_entry rows come from CSV lines, one record each: it has no record_no column.
        let sql = table == "directory_entry"
            ? "SELECT f.path, f.sha256, t.line_no, NULL AS record_no FROM \(table) t JOIN input_file f ON f.id = t.file_id WHERE t.id = ?"
            : "SELECT f.path, f.sha256, t.line_no, t.record_no FROM \(table) t JOIN input_file f ON f.id = t.file_id WHERE t.id = ?"
        let r = try db.rows(sql, [.integer(row)]).first
        return ReportModel.Evidence(table: table, row: row, file: r?.text("path"), sha256: r?.text("sha256"), line: r?.int("line_no"),
                                    record: r?.int("record_no"))
    }
}
