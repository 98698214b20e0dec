import Foundation

extension ReportModel {
    /// The triage decision in force on an incident (`mailscope triage`), as the reports show it.
    public struct IncidentTriage: Codable, Sendable, Equatable {
        public var status: Triage.Status
        public var note: String
        public var by: String
        public var at: Timestamp
        /// The incident's stage when it was decided.
        public var stageWhenDecided: Rule.Stage
        /// The key it was recorded under (the incident's key then; it may have another now).
        public var key: String
        /// A false-positive or benign decision that evidence of a higher stage re-opened.
        public var reopened: Bool

        init(_ d: Triage.Decision, stageNow: Rule.Stage) {
            self.init(status: d.status, note: d.note, by: d.by, at: Timestamp(d.at), stageWhenDecided: d.stage, key: d.key,
                      reopened: Triage.reopened(d, stageNow: stageNow))
        }

        public init(status: Triage.Status, note: String, by: String, at: Timestamp, stageWhenDecided: Rule.Stage, key: String, reopened: Bool) {
            self.status = status
            self.note = note
            self.by = by
            self.at = at
            self.stageWhenDecided = stageWhenDecided
            self.key = key
            self.reopened = reopened
        }

        /// Set aside by the analyst: false positive or benign, and not re-opened since.
        public var setAside: Bool { status.silencesAlerts && !reopened }

        enum CodingKeys: String, CodingKey { case status, note, by, at, stageWhenDecided = "stage_when_decided", key, reopened }
    }

    /// One entry of the suppression list, with the findings it set aside before the incidents
    /// were built (a finding two entries match is listed under both).
    public struct Suppression: Codable, Sendable {
        public var kind: SuppressionList.Kind
        public var value: String
        public var reason: String?
        /// The list file, its SHA-256, and the entry's line.
        public var file: String
        public var sha256: String
        public var line: Int
        public var findings: [Finding]
    }
}

/// The analyst's side of a report: the decisions in force on the incidents, and the suppression
/// entries with what each set aside.
enum ReportTriage {
    /// The decision in force on each current incident, by incident number.
    static func decisions(_ db: Database, incidents: [ReportModel.Incident]) throws -> [Int: ReportModel.IncidentTriage] {
        let current = try Triage.current(db)
        var out: [Int: ReportModel.IncidentTriage] = [:]
        for i in incidents {
            if let d = current[Int64(i.id)] { out[i.id] = ReportModel.IncidentTriage(d, stageNow: i.stage) }
        }
        return out
    }

    /// Every stored suppression entry, in the order of its file, with the findings it set aside.
    static func suppressions(_ db: Database, evidence: EvidenceLookup) throws -> [ReportModel.Suppression] {
        var out: [ReportModel.Suppression] = []
        var index: [Int64: Int] = [:]
        for r in try db.rows("SELECT id, kind, value, reason, source_path, source_sha256, source_line FROM suppression ORDER BY source_line, id") {
            guard let id = r.int("id"), let kind = r.text("kind").flatMap(SuppressionList.Kind.init(rawValue:)) else { continue }
            index[id] = out.count
            out.append(ReportModel.Suppression(kind: kind, value: r.text("value") ?? "", reason: r.text("reason"), file: r.text("source_path") ?? "",
                                               sha256: r.text("source_sha256") ?? "", line: Int(r.int("source_line") ?? 0), findings: []))
        }
        for r in try db.rows("""
            SELECT s.suppression_id, f.id, f.rule_id, f.rule_version, f.kind, f.severity, f.stage, f.ts, f.user, f.host, f.sender, f.subject,
                   f.indicator, f.summary, f.match_key, f.match_strength, f.evidence_table, f.evidence_rowid, f.related_table, f.related_rowid, f.message_id
            FROM finding_suppressed s JOIN finding f ON f.id = s.finding_id ORDER BY f.ts, f.id
            """) {
            guard let i = r.int("suppression_id").flatMap({ index[$0] }) else { continue }
            out[i].findings.append(try ReportFindings.finding(r, evidence: evidence))
        }
        return out
    }
}

extension ReportView {
    /// An incident's triage decision for the templates (`{{#triage}}`), or false without one.
    static func triage(_ t: ReportModel.IncidentTriage?, incident i: ReportModel.Incident, zone: TimeZoneOffsets) -> Any {
        guard let t else { return false }
        return ["status": t.status.rawValue, "note": t.note, "by": t.by, "at": time(t.at, zone), "key": t.key, "other_key": t.key != i.key,
                "stage_when_decided": t.stageWhenDecided.rawValue, "stage_now": i.stage.rawValue, "reopened": t.reopened,
                "set_aside": t.setAside] as [String: Any]
    }

    /// The suppression entries for the methodology, each with the findings it set aside.
    static func suppressions(_ m: ReportModel) -> [[String: Any]] {
        (m.suppressions ?? []).map { s in
            ["kind": s.kind.rawValue, "value": s.value, "value_code": MarkdownText.code("\(s.kind.rawValue): \(s.value)"),
             "reason": s.reason ?? "—", "source": "\(s.file):\(s.line)", "sha256": s.sha256, "count": s.findings.count,
             "has_findings": !s.findings.isEmpty,
             "finding_rows": s.findings.map { f -> [String: Any] in
                 ["finding": "F\(f.id)", "ts": time(f.ts, m.displayTimeZone), "rule": "\(f.ruleId)@\(f.ruleVersion)", "summary": f.summary,
                  "evidence": f.evidence.map(evidenceText).joined(separator: "; "), "evidence_items": f.evidence.map(evidenceItem)]
             }]
        }
    }
}
