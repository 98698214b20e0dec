import Foundation

/// The incidents a report shows, most severe first: each with its people, hosts, indicators,
/// notes (reasons and actions), techniques, messages and findings.
struct ReportIncidents {
    var incidents: [ReportModel.Incident] = []
    /// Every incident's indicators, for the report-wide list.
    var indicators: [ReportModel.IndicatorRow] = []

    static func read(_ db: Database, findings: [Int: [ReportModel.Finding]], evidence: EvidenceLookup) throws -> ReportIncidents {
        var out = ReportIncidents()
        for r in try db.rows("SELECT id, key, title, severity, stage, first_ts, last_ts FROM incident ORDER BY id") {
            let id = Int(r.int("id") ?? 0)
            let people = try Self.people(db, incident: id, evidence: evidence)
            let hosts = try Self.hosts(db, incident: id)
            let (details, grouped) = try Self.indicators(db, incident: id)
            out.indicators += details
            let arg: [SQLValue] = [.integer(Int64(id))]
            let notes = try db.rows("SELECT kind, text FROM incident_note WHERE incident_id = ? ORDER BY kind, seq", arg)
            let techniques = try db.rows("SELECT technique FROM incident_technique WHERE incident_id = ? ORDER BY technique", arg).compactMap { $0.text("technique") }
            let messages = try db.rows("SELECT message_id FROM incident_message WHERE incident_id = ? ORDER BY message_id", arg).compactMap { $0.text("message_id") }
            var incident = ReportModel.Incident(
                id: id, key: r.text("key") ?? "", title: r.text("title") ?? "",
                severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info, stage: stage(r), attack: techniques,
                subjects: Array(Set((findings[id] ?? []).compactMap(\.subject))).sorted(),
                firstSeen: Timestamp(r.int("first_ts") ?? 0), lastSeen: Timestamp(r.int("last_ts") ?? 0),
                reasons: notes.filter { $0.text("kind") == "reason" }.compactMap { $0.text("text") },
                actions: notes.filter { $0.text("kind") == "action" }.compactMap { $0.text("text") },
                recipients: people.filter(\.received).map(\.user), deliveredTo: people.filter(\.delivered).map(\.user),
                interactedUsers: people.filter(\.interacted).map(\.user), hosts: hosts.map(\.host), people: people,
                hostDetails: hosts, indicators: grouped, indicatorDetails: details, messages: messages,
                findings: findings[id] ?? [],
                deliveredCopies: try Self.deliveredCopies(db, incident: id),
                hostActivity: try hosts.map { ReportModel.HostStory(host: $0.host, events: try HostActivity.story(db, incident: Int64(id), host: $0.host)) })
            incident.administration = try Self.administration(db, incident: id, evidence: evidence)
            incident.graph = IncidentGraphBuilder.build(incident, facts: try IncidentGraphFacts.read(db, incident: id))
            out.incidents.append(incident)
        }
        let decisions = try ReportTriage.decisions(db, incidents: out.incidents)
        for i in out.incidents.indices { out.incidents[i].triage = decisions[out.incidents[i].id] }
        // Most severe first, then the most recent first activity: the order a reader should take them in.
        out.incidents.sort { ($1.severity, $1.firstSeen, $1.id) < ($0.severity, $0.firstSeen, $0.id) }
        return out
    }

    /// The people of incident `id`, each with the row that proves their stage.
    static func people(_ db: Database, incident id: Int, evidence: EvidenceLookup) throws -> [ReportModel.Person] {
        var people = try Self.peopleRows(db, incident: id, evidence: evidence)
        let awareness = try AwarenessProfile.read(db, users: people.map(\.user))
        for i in people.indices { people[i].awareness = awareness[people[i].user] }
        return people
    }

    static func peopleRows(_ db: Database, incident id: Int, evidence: EvidenceLookup) throws -> [ReportModel.Person] {
        try db.rows("""
            SELECT user, received, delivered, interacted, stage, stage_evidence_table, stage_evidence_rowid, delivery
            FROM incident_user WHERE incident_id = ? ORDER BY user
            """, [.integer(Int64(id))]).map { p in
            var stageEvidence: ReportModel.Evidence?
            if let table = p.text("stage_evidence_table"), let row = p.int("stage_evidence_rowid") {
                stageEvidence = try evidence.lookup(table, row)
            }
            return ReportModel.Person(user: p.text("user") ?? "", received: p.bool("received"), delivered: p.bool("delivered"),
                                      interacted: p.bool("interacted"), stage: stage(p), stageEvidence: stageEvidence,
                                      delivery: p.text("delivery").flatMap(DeliveryState.init(rawValue:)))
        }
    }

    /// The administration steps of incident `id`, oldest first, each with its log row.
    static func administration(_ db: Database, incident id: Int, evidence: EvidenceLookup) throws -> [ReportModel.AdministrationEntry] {
        try db.rows("""
            SELECT ts, account, role, action, detail, source_ip, target, rule_id, evidence_table, evidence_rowid
            FROM incident_admin WHERE incident_id = ? ORDER BY seq
            """, [.integer(Int64(id))]).map { r in
            var row: ReportModel.Evidence?
            if let table = r.text("evidence_table"), let rowid = r.int("evidence_rowid") { row = try evidence.lookup(table, rowid) }
            return ReportModel.AdministrationEntry(time: r.int("ts").map(Timestamp.init), account: r.text("account"), role: r.text("role") ?? "",
                                                   action: r.text("action") ?? "", detail: r.text("detail") ?? "", sourceIp: r.text("source_ip"), target: r.text("target"),
                                                   ruleId: r.text("rule_id"), evidence: row)
        }
    }

    /// The delivered copies of incident `id`'s messages, by Message-ID.
    static func deliveredCopies(_ db: Database, incident id: Int) throws -> [ReportModel.DeliveredCopy] {
        var byMessage: [(String, [String])] = []
        for r in try db.rows("SELECT message_id, recipient FROM incident_delivery WHERE incident_id = ? ORDER BY message_id, recipient", [.integer(Int64(id))]) {
            guard let m = r.text("message_id"), let user = r.text("recipient") else { continue }
            if byMessage.last?.0 == m { byMessage[byMessage.count - 1].1.append(user) } else { byMessage.append((m, [user])) }
        }
        return byMessage.map { ReportModel.DeliveredCopy(messageId: $0.0, recipients: $0.1) }
    }

    /// The hosts of incident `id`.
    static func hosts(_ db: Database, incident id: Int) throws -> [ReportModel.HostRow] {
        try db.rows("SELECT host, user, stage, first_ts, evidence_rows FROM incident_host WHERE incident_id = ? ORDER BY host", [.integer(Int64(id))]).map {
            ReportModel.HostRow(host: $0.text("host") ?? "", user: $0.text("user"), stage: stage($0),
                                firstSeen: Timestamp($0.int("first_ts") ?? 0), evidenceRows: Int($0.int("evidence_rows") ?? 0))
        }
    }

    /// The indicators of incident `id`, as rows and grouped by kind.
    static func indicators(_ db: Database, incident id: Int) throws -> ([ReportModel.IndicatorRow], ReportModel.Indicators) {
        var details: [ReportModel.IndicatorRow] = []
        var grouped = ReportModel.Indicators()
        for i in try db.rows("""
            SELECT type, value, recipients, hosts, first_ts, last_ts, feeds, sender_domains, shared, own
            FROM incident_indicator WHERE incident_id = ? ORDER BY type, value
            """, [.integer(Int64(id))]) {
            let row = ReportModel.IndicatorRow(
                type: i.text("type") ?? "", value: i.text("value") ?? "", incident: id,
                recipients: Int(i.int("recipients") ?? 0), hosts: Int(i.int("hosts") ?? 0),
                firstSeen: i.int("first_ts").map(Timestamp.init), lastSeen: i.int("last_ts").map(Timestamp.init), feeds: i.text("feeds"),
                senderDomains: Int(i.int("sender_domains") ?? 0), shared: i.bool("shared"), own: i.bool("own"))
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
        return (details, grouped)
    }

    /// A row's `stage` column (a closed set the schema's writers keep; `targeted` if unreadable).
    static func stage(_ row: Row) -> Rule.Stage {
        row.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted
    }
}
