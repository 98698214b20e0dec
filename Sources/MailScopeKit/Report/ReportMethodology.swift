import Foundation

/// What the conclusions rest on, for the auditor: the inputs with their SHA-256, the rules that
/// ran (or found something) with their version, hash and parameters, the threat-intel feeds,
/// the watch lists, and the suppression list's entries with the findings each set aside.
struct ReportMethodology {
    var inputs: [ReportModel.Input] = []
    var rules: [ReportModel.RuleRef] = []
    var feeds: [ReportModel.Feed] = []
    var watchLists: [ReportModel.WatchListRef] = []
    var suppressions: [ReportModel.Suppression]?

    static func read(_ db: Database, options: ReportModel.Options, findingsByRule: [String: Int]) throws -> ReportMethodology {
        var out = ReportMethodology()
        out.inputs = try db.rows("""
            SELECT path, sha256, format, bytes, records, rows, duplicates, rejected, first_ts, last_ts FROM input_file ORDER BY path, sha256
            """).map {
            ReportModel.Input(path: $0.text("path") ?? "", sha256: $0.text("sha256") ?? "", format: $0.text("format") ?? "",
                              bytes: $0.int("bytes") ?? 0, records: $0.int("records") ?? 0, rows: $0.int("rows") ?? 0,
                              duplicates: $0.int("duplicates") ?? 0, rejected: $0.int("rejected") ?? 0,
                              firstSeen: $0.int("first_ts").map(Timestamp.init), lastSeen: $0.int("last_ts").map(Timestamp.init))
        }
        out.rules = try rules(db, options: options, findingsByRule: findingsByRule)
        out.feeds = try db.rows("""
            SELECT i.feed, f.path, f.sha256, f.format, COUNT(*) AS indicators FROM ioc i LEFT JOIN input_file f ON f.id = i.file_id
            GROUP BY i.feed, f.id ORDER BY i.feed, f.path
            """).map {
            ReportModel.Feed(name: $0.text("feed") ?? "", path: $0.text("path"), sha256: $0.text("sha256"), format: $0.text("format"),
                             indicators: Int($0.int("indicators") ?? 0))
        }
        let suppressions = try ReportTriage.suppressions(db, evidence: EvidenceLookup(db))
        out.suppressions = suppressions.isEmpty ? nil : suppressions
        out.watchLists = try db.rows("SELECT list, source_path, source_sha256, COUNT(*) AS people FROM watch_list GROUP BY list, source_path, source_sha256 ORDER BY list").map {
            ReportModel.WatchListRef(name: $0.text("list") ?? "", path: $0.text("source_path") ?? "", sha256: $0.text("source_sha256") ?? "",
                                     people: Int($0.int("people") ?? 0))
        }
        return out
    }

    /// The rules that ran (default and enabled opt-in ones) or that found something, with the
    /// parameters they ran with. Findings from rules no longer in the catalog, or from another
    /// version of one, still name their version and SHA-256.
    static func rules(_ db: Database, options: ReportModel.Options, findingsByRule: [String: Int]) throws -> [ReportModel.RuleRef] {
        var refs: [String: ReportModel.RuleRef] = [:]
        for r in options.rules where r.enabledByDefault || options.enabled.contains(r.id) || findingsByRule[r.id] != nil {
            var params = r.params.mapValues(\.description)
            for (name, value) in options.parameters where params[name] != nil { params[name] = value }
            refs[r.id] = ReportModel.RuleRef(id: r.id, version: r.version, kind: r.kind, severity: r.severity, sha256: r.sha256,
                                             title: r.title, attack: r.attack, params: params, findings: findingsByRule[r.id] ?? 0)
        }
        for r in try db.rows("""
            SELECT rule_id, rule_version, kind, severity, rule_sha256, COUNT(*) AS findings FROM finding
            GROUP BY rule_id, rule_version, rule_sha256, kind, severity ORDER BY rule_id
            """) {
            let id = r.text("rule_id") ?? ""
            if let known = refs[id], known.sha256 == r.text("rule_sha256") { continue }
            let version = r.int("rule_version") ?? 0
            let key = refs[id] == nil ? id : "\(id)@\(version)"
            refs[key] = ReportModel.RuleRef(
                id: id, version: Int(version), kind: r.text("kind").flatMap(Rule.Kind.init(rawValue:)) ?? .detection,
                severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info,
                sha256: r.text("rule_sha256") ?? "", title: "(not in the current catalog)", attack: [], params: [:],
                findings: Int(r.int("findings") ?? 0))
        }
        return refs.values.sorted { ($0.id, $0.version) < ($1.id, $1.version) }
    }
}
