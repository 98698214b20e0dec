import Foundation

/// Runs rules over the database and stores what they find in `finding`, each finding pointing
/// at its evidence row. A finding is keyed by rule and evidence row, so running the same rules
/// over the same data again adds nothing.
public struct RuleRunner {
    /// Parameters every rule may use without declaring them: the time window (ms since epoch).
    public static let builtInParameters: Set<String> = ["since", "until"]

    /// What one rule did.
    public struct Outcome: Sendable, Equatable {
        public var ruleID: String
        public var found: Int
        public var new: Int
        public var milliseconds: Int
    }

    public let db: Database
    /// Only evidence in this window (ms since epoch; nil = unbounded).
    public var since: Int64?
    public var until: Int64?
    /// Parameter overrides (`--param window_ms=3600000`).
    public var parameters: [String: SQLValue] = [:]

    public init(db: Database) { self.db = db }

    /// The values bound to a rule's parameters: its defaults, overrides, and the window.
    func bindings(for rule: Rule) -> [String: SQLValue] {
        Self.bindings(for: rule, parameters: parameters, since: since, until: until)
    }

    /// The values bound to `rule`'s parameters: its defaults, the `parameters` it declares, and
    /// the window (`since`, `until`; unbounded when nil).
    public static func bindings(for rule: Rule, parameters: [String: SQLValue], since: Int64?, until: Int64?) -> [String: SQLValue] {
        var values = rule.params
        for (k, v) in parameters where rule.params[k] != nil { values[k] = v }
        values["since"] = .integer(since ?? Int64.min)
        values["until"] = .integer(until ?? Int64.max)
        return values
    }

    /// Runs a hunt and returns its column names and rows (nothing is stored).
    public func hunt(_ rule: Rule) throws -> (columns: [String], rows: [[SQLValue]]) {
        try rule.checkSQL(in: db)
        let statement = try db.prepare(rule.sql)
        try statement.bind(named: bindings(for: rule))
        let columns = statement.columnNames
        var rows: [[SQLValue]] = []
        while try statement.step() { rows.append((0..<columns.count).map(statement.value)) }
        return (columns, rows)
    }

    /// What `rules` read besides the events: the secondary indexes and statistics, the own and
    /// look-alike domains, the threat-intel matches. `run` does this first unless told it is done.
    public func prepare(for rules: [Rule]) throws {
        try Schema.ensureIndexes(db)
        if rules.contains(where: { $0.sql.contains("domain_lookalike") }) {
            try LookalikeDomains.rebuild(db)   // rebuilds own_domain as well
        } else if rules.contains(where: { $0.sql.contains("own_domain") }) {
            try OwnDomains.rebuild(db)
        }
        if rules.contains(where: { $0.sql.contains("ioc_match") }) { try IOCMatcher.rebuild(db) }
        // Statistics for the tables just rebuilt: without them the planner takes a handful of
        // look-alike domains for a million rows and reads all mail per domain instead of the
        // other way round (MS-DOM-001: 15 s on a fresh 7-day database, 1 ms with statistics).
        try db.execute("ANALYZE own_domain; ANALYZE domain_lookalike; ANALYZE ioc_match; ANALYZE sqlite_schema;")
    }

    /// A rule's rows are written in evidence order (then related order), so finding ids, and
    /// which of several candidate related rows a finding keeps (a file's scan in the SIEM batch
    /// and in the TTP log: the first one written wins), do not depend on the plan SQLite picks
    /// (a change of statistics once swapped four findings' related rows). The rule runs as a
    /// materialized subquery, so the ordering cannot change its plan.
    ///
    /// `checkSQL` has made sure every rule but a hunt returns the evidence columns, and that
    /// only correlation rules (all of them) return the related ones.
    public static func ordered(_ rule: Rule) -> String {
        guard rule.kind != .hunt else { return rule.sql }
        let ruleSQL = rule.sql.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
        let related = rule.kind == .correlation ? ", related_table, related_rowid" : ""
        return "WITH rule_rows AS MATERIALIZED (\n\(ruleSQL)\n) SELECT * FROM rule_rows ORDER BY evidence_table, evidence_rowid\(related)"
    }

    /// Runs `rules` in id order; each rule's findings are written in one transaction.
    public func run(_ rules: [Rule], prepared: Bool = false) throws -> [Outcome] {
        if !prepared { try prepare(for: rules) }
        let insert = try db.prepare("""
            INSERT OR IGNORE INTO finding (rule_id, rule_version, rule_sha256, kind, severity, stage, ts, user, sender,
                message_id, subject, indicator, summary, evidence_table, evidence_rowid, detected_at,
                host, related_table, related_rowid, match_key, match_strength)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var outcomes: [Outcome] = []
        for rule in Self.executionOrder(rules) {
            try rule.checkSQL(in: db)
            let start = Date()
            let statement = try db.prepare(Self.ordered(rule))
            try statement.bind(named: bindings(for: rule))
            let names = statement.columnNames
            func column(_ name: String) -> Int? { names.firstIndex(of: name) }
            var found = 0, new = 0
            try db.transaction {
                while try statement.step() {
                    found += 1
                    func value(_ name: String) -> SQLValue { column(name).map(statement.value) ?? .null }
                    guard let ts = value("ts").intValue, let table = value("evidence_table").stringValue,
                          let rowid = value("evidence_rowid").intValue else {
                        throw Rule.Error(source: rule.source, problem: "a result row lacks ts, evidence_table or evidence_rowid")
                    }
                    try insert.bind([
                        .text(rule.id), .integer(Int64(rule.version)), .text(rule.sha256), .text(rule.kind.rawValue),
                        .text(rule.severity.rawValue), rule.stage.map { .text($0.rawValue) } ?? .null, .integer(ts),
                        value("user"), value("sender"), value("message_id"), value("subject"), value("indicator"),
                        .text(value("summary").stringValue ?? rule.title), .text(table), .integer(rowid), .integer(now),
                        value("host"), value("related_table"), value("related_rowid"), value("match_key"), value("match_strength"),
                    ])
                    try insert.step()
                    new += db.changes
                }
            }
            outcomes.append(Outcome(ruleID: rule.id, found: found, new: new, milliseconds: Int(Date().timeIntervalSince(start) * 1000)))
        }
        return outcomes
    }

    /// The order rules run in: rules that read `finding` (correlations, and an opt-in rule
    /// such as MS-ARC-001) last, since they build on what the others found, and among them a
    /// rule that names another's id in its SQL (MS-COR-011 follows the processes MS-COR-012
    /// found) after that one; otherwise by id. A cycle keeps id order.
    static func executionOrder(_ rules: [Rule]) -> [Rule] {
        let first = rules.filter { !$0.readsFindings }.sorted { $0.id < $1.id }
        var pending = rules.filter(\.readsFindings).sorted { $0.id < $1.id }
        var ordered: [Rule] = []
        while !pending.isEmpty {
            let waiting = Set(pending.map(\.id))
            guard let next = pending.firstIndex(where: { rule in
                waiting.subtracting([rule.id]).allSatisfy { !rule.sql.contains("'\($0)'") }
            }) else {
                ordered += pending
                break
            }
            ordered.append(pending.remove(at: next))
        }
        return first + ordered
    }
}
