import Foundation

/// findings.ocsf.jsonl: the findings and incidents as OCSF events, one JSON object per line,
/// for a SIEM or data lake that ingests OCSF (Amazon Security Lake custom sources, Splunk,
/// …). Each incident's findings come first as Detection Finding events (class 2004), then
/// the incident itself as an Incident Finding event (class 2005) whose `finding_info_list`
/// names them by `finding_info.uid`. Every event names the OCSF version in `metadata.version`.
///
/// What MailScope has no OCSF attribute for (the rule kind, the kill-chain stage, the raw
/// user, sender, host and indicator the observables point at) goes in `unmapped`. Uids are
/// name-based (``StableUUID``) and every time is the data's, so the same database gives the
/// same bytes.
public enum OcsfFindings {
    /// The OCSF schema version written (the one py-ocsf-models and docs/ocsf validate).
    public static let schemaVersion = "1.5.0"

    /// The file's text: one event per line, keys sorted.
    public static func text(_ model: ReportModel) -> String {
        events(model).map { ExchangeJSON.text($0) + "\n" }.joined()
    }

    /// OCSF `severity_id` and its caption for a rule or incident severity.
    public static func severity(_ s: Rule.Severity) -> (id: Int, name: String) {
        switch s {
        case .info: (1, "Informational")
        case .low: (2, "Low")
        case .medium: (3, "Medium")
        case .high: (4, "High")
        case .critical: (5, "Critical")
        }
    }

    /// OCSF `priority_id` of an incident: the severity on OCSF's four-step scale.
    public static func priority(_ s: Rule.Severity) -> (id: Int, name: String) {
        switch s {
        case .info, .low: (1, "Low")
        case .medium: (2, "Medium")
        case .high: (3, "High")
        case .critical: (4, "Critical")
        }
    }

    /// A finding's `status_id`: new until an analyst decides; confirmed is being worked on;
    /// set aside (false positive or benign, not re-opened) is suppressed.
    public static func findingStatus(_ triage: ReportModel.IncidentTriage?) -> (id: Int, name: String) {
        guard let triage else { return (1, "New") }
        if triage.setAside { return (3, "Suppressed") }
        return triage.status == .confirmed ? (2, "In Progress") : (1, "New")
    }

    /// An incident's `status_id` (New, In Progress, Closed) from the same decision.
    public static func incidentStatus(_ triage: ReportModel.IncidentTriage?) -> (id: Int, name: String) {
        guard let triage else { return (1, "New") }
        if triage.setAside { return (5, "Closed") }
        return triage.status == .confirmed ? (2, "In Progress") : (1, "New")
    }

    /// An incident's `verdict_id` when an analyst gave one that still holds.
    public static func verdict(_ triage: ReportModel.IncidentTriage?) -> (id: Int, name: String)? {
        guard let triage, !triage.reopened else { return nil }
        switch triage.status {
        case .open: return nil
        case .confirmed: return (2, "True Positive")
        case .falsePositive: return (1, "False Positive")
        case .benign: return (5, "Benign")
        }
    }

    /// The observable type of an indicator value: a hash, IP, email address, URL or host name;
    /// nil for text that is none of them (a category name).
    public static func observableType(_ value: String) -> (id: Int, name: String)? {
        if value.count == 64, value.allSatisfy(\.isHexDigit) { return (8, "Hash") }
        if Host.isIPAddress(value) { return (2, "IP Address") }
        if value.contains("@") { return (5, "Email Address") }
        if value.contains("/") { return (6, "URL String") }
        if value.contains("."), !value.contains(where: { $0 == " " || $0 == ":" }) { return (1, "Hostname") }
        return nil
    }

    /// The uid of a finding: the same rule on the same record at the same time for the same
    /// person is the same finding in any database built from the same evidence.
    public static func findingUID(_ f: ReportModel.Finding) -> String {
        let e = f.evidence.first
        let place = [e?.table ?? "", e?.sha256 ?? "", e?.line.map(String.init) ?? "", e?.record.map(String.init) ?? ""].joined(separator: ":")
        return StableUUID.v5("finding|\(f.ruleId)|\(f.ts.milliseconds)|\(f.user ?? "")|\(f.indicator ?? "")|\(place)")
    }

    static func events(_ model: ReportModel) -> [[String: Any]] {
        let rules = Dictionary(model.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let product: [String: Any] = ["name": "MailScope", "vendor_name": "MailScope", "version": model.tool.version]
        var out: [[String: Any]] = []
        for incident in model.incidents {
            var infos: [[String: Any]] = []
            for f in incident.findings {
                let uid = findingUID(f)
                let rule = rules[f.ruleId]
                var info: [String: Any] = [
                    "uid": uid, "title": rule?.title ?? f.ruleId, "desc": f.summary,
                    "analytic": ["uid": f.ruleId, "name": rule?.title ?? f.ruleId, "version": String(f.ruleVersion), "type_id": 1, "type": "Rule",
                                 "category": f.kind.rawValue],
                    "first_seen_time": f.ts.milliseconds, "last_seen_time": f.ts.milliseconds, "types": [f.kind.rawValue],
                ]
                let attacks = attacks(rule?.attack ?? [])
                if !attacks.isEmpty { info["attacks"] = attacks }
                infos.append(info)
                out.append(detection(f, info: info, incident: incident, product: product))
            }
            out.append(incidentEvent(incident, infos: infos, product: product))
        }
        return out
    }

    static func detection(_ f: ReportModel.Finding, info: [String: Any], incident: ReportModel.Incident, product: [String: Any]) -> [String: Any] {
        let sev = severity(f.severity)
        let status = findingStatus(incident.triage)
        var unmapped: [String: Any] = ["incident": incident.id, "kind": f.kind.rawValue]
        var observables: [[String: Any]] = []
        func observe(_ key: String, _ value: String?, _ type: (id: Int, name: String)?) {
            guard let value, !value.isEmpty else { return }
            unmapped[key] = value
            if let type { observables.append(["name": "unmapped.\(key)", "type_id": type.id, "type": type.name, "value": value]) }
        }
        observe("user", f.user, f.user.flatMap(observableType))
        observe("sender", f.sender, (5, "Email Address"))
        observe("host", f.host, (1, "Hostname"))
        observe("indicator", f.indicator, f.indicator.flatMap(observableType))
        if let subject = f.subject { unmapped["subject"] = subject }
        if let stage = f.stage { unmapped["stage"] = stage.rawValue }
        var event: [String: Any] = [
            "activity_id": 1, "activity_name": "Create", "category_uid": 2, "category_name": "Findings",
            "class_uid": 2004, "class_name": "Detection Finding", "type_uid": 200401, "type_name": "Detection Finding: Create",
            "severity_id": sev.id, "severity": sev.name, "status_id": status.id, "status": status.name,
            "time": f.ts.milliseconds, "message": f.summary, "finding_info": info,
            "metadata": ["version": schemaVersion, "product": product, "uid": info["uid"] ?? ""],
            "unmapped": unmapped,
        ]
        if !observables.isEmpty { event["observables"] = observables }
        switch f.matchStrength {
        case "strong": event["confidence_id"] = 3; event["confidence"] = "High"
        case "weak": event["confidence_id"] = 1; event["confidence"] = "Low"
        default: break
        }
        let evidences: [[String: Any]] = f.evidence.map { e in
            var data: [String: Any] = ["table": e.table, "row": e.row]
            if let file = e.file {
                data["file"] = file
                if let line = e.line { data["locator"] = EvidenceLocator.text(file: file, line: line, record: e.record) }
            }
            if let v = e.sha256 { data["file_sha256"] = v }
            if let v = e.line { data["line"] = v }
            if let v = e.record { data["record"] = v }
            return ["data": data]
        }
        if !evidences.isEmpty { event["evidences"] = evidences }
        return event
    }

    static func incidentEvent(_ incident: ReportModel.Incident, infos: [[String: Any]], product: [String: Any]) -> [String: Any] {
        let sev = severity(incident.severity)
        let pri = priority(incident.severity)
        let status = incidentStatus(incident.triage)
        var event: [String: Any] = [
            "activity_id": 1, "activity_name": "Create", "category_uid": 2, "category_name": "Findings",
            "class_uid": 2005, "class_name": "Incident Finding", "type_uid": 200501, "type_name": "Incident Finding: Create",
            "severity_id": sev.id, "severity": sev.name, "priority_id": pri.id, "priority": pri.name,
            "status_id": status.id, "status": status.name,
            "time": incident.firstSeen.milliseconds, "start_time": incident.firstSeen.milliseconds, "end_time": incident.lastSeen.milliseconds,
            "message": "MailScope incident #\(incident.id): \(incident.title)",
            "desc": ([incident.title] + incident.reasons).joined(separator: "; "),
            "finding_info_list": infos,
            "metadata": ["version": schemaVersion, "product": product, "uid": StableUUID.v5("ocsf-incident|" + incident.key), "profiles": ["incident"]],
            "unmapped": ["incident": incident.id, "key": incident.key, "stage": incident.stage.rawValue,
                         "recipients": incident.recipients.count, "interacted_users": incident.interactedUsers.count, "hosts": incident.hosts],
        ]
        let attacks = attacks(incident.attack)
        if !attacks.isEmpty { event["attacks"] = attacks }
        if let v = verdict(incident.triage) { event["verdict_id"] = v.id; event["verdict"] = v.name }
        // OCSF asks an incident for an assignee or a group: the analyst who decided, else the queue.
        if let by = incident.triage?.by, !by.isEmpty {
            event["assignee"] = ["name": by]
        } else {
            event["assignee_group"] = ["name": "untriaged", "desc": "no analyst decision yet (mailscope triage \(incident.id))"]
        }
        return event
    }

    /// OCSF attack objects: each technique (or sub-technique, with its parent) with its first tactic.
    static func attacks(_ techniques: [String]) -> [[String: Any]] {
        techniques.sorted().compactMap { id -> [String: Any]? in
            guard let t = AttackCatalog.techniques[id] else { return nil }
            var a: [String: Any] = ["version": AttackCatalog.version]
            let parts = id.split(separator: ".")
            if parts.count == 2, let parent = AttackCatalog.techniques[String(parts[0])] {
                a["technique"] = ["uid": String(parts[0]), "name": parent.name]
                a["sub_technique"] = ["uid": id, "name": t.name]
            } else {
                a["technique"] = ["uid": id, "name": t.name]
            }
            if let tactic = t.tactics.first, let known = AttackCatalog.tactics[tactic] {
                a["tactic"] = ["uid": known.uid, "name": known.name]
            }
            return a
        }
    }
}
