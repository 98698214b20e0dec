import Foundation

extension ReportModel {
    /// Builds the model from `db`. Reads only; every list in a stable order. Four readers, each
    /// tested on its own: the findings (with DUET questions), the incidents, the methodology
    /// (inputs, rules, feeds, watch lists) and the statistics (rows, rejects, coverage).
    public static func build(_ db: Database, options: Options) throws -> ReportModel {
        let rules = Dictionary(options.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let evidence = try EvidenceLookup(db)
        let findings = try ReportFindings.read(db, rules: rules, evidence: evidence)
        let incidents = try ReportIncidents.read(db, findings: findings.byIncident, evidence: evidence)
        let methodology = try ReportMethodology.read(db, options: options, findingsByRule: findings.byRule)
        let statistics = try ReportStatistics.read(db, findingsByRule: findings.byRule)
        var model = ReportModel(
            tool: Tool(name: "mailscope", version: MailScopeVersion.string,
                       publicSuffixList: "\(PublicSuffixList.version) (publicsuffix/list commit \(PublicSuffixList.sourceCommit.prefix(12)))"),
            generatedAt: Timestamp(Int64(options.generatedAt.timeIntervalSince1970 * 1000)),
            command: options.command,
            dataWindow: statistics.window,
            summary: Summary(incidents: incidents.incidents, findings: findings.total, duetQuestions: findings.duet.count),
            incidents: incidents.incidents, duet: findings.duet,
            indicators: incidents.indicators.sorted { ($0.type, $0.value, $0.incident ?? 0) < ($1.type, $1.value, $1.incident ?? 0) },
            inputs: methodology.inputs, rules: methodology.rules, feeds: methodology.feeds, watchLists: methodology.watchLists, suppressions: methodology.suppressions,
            statistics: statistics.statistics, rejects: statistics.rejects, coverage: statistics.coverage,
            edrTimeZone: options.edrTimeZone, displayTimeZone: options.displayTimeZone)
        model.timelineEvents = try TimelineEvent.read(db, incidents: incidents.incidents)
        return model
    }
}

extension ReportModel.Summary {
    /// The summary of `incidents` (most severe first): counts by severity, the highest, the
    /// people and hosts involved, and one act-now line per high or critical incident (not those
    /// triaged false positive or benign, unless new evidence re-opened them).
    init(incidents: [ReportModel.Incident], findings: Int, duetQuestions: Int) {
        var bySeverity: [String: Int] = [:]
        for i in incidents { bySeverity[i.severity.rawValue, default: 0] += 1 }
        self.init(
            incidents: incidents.count, bySeverity: bySeverity, highestSeverity: incidents.map(\.severity).max(), findings: findings,
            duetQuestions: duetQuestions,
            recipients: Set(incidents.flatMap(\.recipients)).count, interactedUsers: Set(incidents.flatMap(\.interactedUsers)).count,
            hosts: Set(incidents.flatMap(\.hosts)).count,
            actNow: incidents.filter { $0.severity >= .high && !($0.triage?.setAside ?? false) }.map { i in "#\(i.id) \(i.severity.rawValue): \(i.title) — \(i.actions.first ?? "review")" })
    }
}

/// Resolves "table row N" to the input file (path, SHA-256), line and record it was read from.
struct EvidenceLookup {
    let db: Database
    var statements: [String: Statement] = [:]
    static let tables: Set<String> = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "ioc", "edr_event", "directory_entry", "message_release",
                                         "audit_event", "dlp_event", "archive_access", "user_risk"]

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
