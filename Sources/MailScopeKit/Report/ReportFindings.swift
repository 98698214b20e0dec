import Foundation

/// The findings a report shows (hunts are not findings of a run, and findings the suppression
/// list set aside are listed under its entries in the methodology instead), oldest first, each
/// with the rows it rests on, grouped by incident; and the DUET questions they raise for the
/// customer.
struct ReportFindings {
    var byIncident: [Int: [ReportModel.Finding]] = [:]
    var duet: [ReportModel.DuetItem] = []
    var byRule: [String: Int] = [:]
    var total = 0

    static func read(_ db: Database, rules: [String: Rule], evidence: EvidenceLookup) throws -> ReportFindings {
        var incidentOfFinding: [Int64: Int] = [:]
        for r in try db.rows("SELECT incident_id, finding_id FROM incident_finding ORDER BY incident_id, finding_id") {
            incidentOfFinding[r.int("finding_id") ?? 0] = Int(r.int("incident_id") ?? 0)
        }
        var out = ReportFindings()
        for r in try db.rows("""
            SELECT id, rule_id, rule_version, kind, severity, stage, ts, user, host, sender, subject, indicator, summary,
                   match_key, match_strength, evidence_table, evidence_rowid, related_table, related_rowid, message_id
            FROM finding WHERE kind <> 'hunt' AND id NOT IN (SELECT finding_id FROM finding_suppressed) ORDER BY ts, id
            """) {
            let f = try finding(r, evidence: evidence)
            out.total += 1
            out.byRule[f.ruleId, default: 0] += 1
            if let incident = incidentOfFinding[f.id] { out.byIncident[incident, default: []].append(f) }
            if f.kind == .duet { out.duet.append(duetItem(f, rule: rules[f.ruleId], incident: incidentOfFinding[f.id])) }
        }
        return out
    }

    /// One finding row with its evidence (and for correlations the mail-side row too).
    static func finding(_ r: Row, evidence: EvidenceLookup) throws -> ReportModel.Finding {
        var ev = [try evidence.lookup(r.text("evidence_table") ?? "", r.int("evidence_rowid") ?? 0)]
        if let t = r.text("related_table"), let row = r.int("related_rowid"), t != "finding" { ev.append(try evidence.lookup(t, row)) }
        return ReportModel.Finding(
            id: r.int("id") ?? 0, ruleId: r.text("rule_id") ?? "", ruleVersion: Int(r.int("rule_version") ?? 0),
            kind: r.text("kind").flatMap(Rule.Kind.init(rawValue:)) ?? .detection,
            severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info,
            stage: r.text("stage").flatMap(Rule.Stage.init(rawValue:)), ts: Timestamp(r.int("ts") ?? 0),
            user: r.text("user"), host: r.text("host"), sender: r.text("sender"), subject: r.text("subject"),
            indicator: r.text("indicator"), summary: r.text("summary") ?? "", matchKey: r.text("match_key"),
            matchStrength: r.text("match_strength"), evidence: ev)
    }

    /// The question a DUET finding asks: the rule's question with the finding's facts filled in.
    static func duetItem(_ f: ReportModel.Finding, rule: Rule?, incident: Int?) -> ReportModel.DuetItem {
        let template = rule?.question ?? rule?.title ?? f.ruleId
        let question = template.replacingOccurrences(of: "{user}", with: f.user ?? "the user")
            .replacingOccurrences(of: "{sender}", with: f.sender ?? "the sender")
            .replacingOccurrences(of: "{indicator}", with: f.indicator ?? "it")
            .replacingOccurrences(of: "{subject}", with: f.subject ?? "the message")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ReportModel.DuetItem(ruleId: f.ruleId, ruleVersion: f.ruleVersion, incident: incident, ts: f.ts,
                                    user: f.user, sender: f.sender, question: question, summary: f.summary, evidence: f.evidence)
    }
}
