import Foundation

/// What a detection needs besides the database: the catalog, the opt-in rules to turn on, the
/// parameter overrides, and the watch lists and threat-intel feeds to store first. Read and
/// checked by `prepare()` before any work starts: a bad rule file or watch list should stop a
/// run before a long ingest, not after.
public struct DetectionSettings: Sendable {
    /// A folder of the user's own rule files, added to the bundled catalog.
    public var ruleFolder: String?
    /// Opt-in rules to run.
    public var enable: [String] = []
    /// Watch lists, `NAME=FILE`.
    public var watchLists: [String] = []
    /// Threat-intel feeds, `[NAME=]FILE`.
    public var feeds: [String] = []
    /// The suppression list (`--suppress`, `suppress:`): replaces the stored one when given.
    public var suppress: String?
    /// Rule parameter overrides.
    public var parameters: [String: SQLValue] = [:]
    /// "file:line" of `enable:` and `params:` when they came from a config file.
    public var origins: [String: String] = [:]

    public init() {}

    /// What the run record keeps of these settings: enabled opt-in rules and parameter overrides.
    public var recorded: [String: Any] {
        ["enabled": enable.sorted(), "params": parameters.mapValues { $0.intValue.map { $0 as Any } ?? ($0.stringValue ?? "") as Any }]
    }

    /// The catalog, watch lists and feeds, read and checked.
    public func prepare() throws -> PreparedDetection {
        let catalog = try RuleCatalog.load(userDirectory: ruleFolder)
        let unknown = Set(enable).subtracting(catalog.rules.map(\.id))
        if !unknown.isEmpty { throw JobError.unknownRules(unknown.sorted(), origin: origins["enable"]) }
        let declared = Set(catalog.rules.filter { $0.kind != .hunt }.flatMap(\.params.keys))
        let undeclared = Set(parameters.keys).subtracting(declared)
        if !undeclared.isEmpty { throw JobError.undeclaredParameters(undeclared.sorted(), declared: declared.sorted(), origin: origins["params"]) }
        return PreparedDetection(rules: catalog.enabled(Set(enable)), catalog: catalog.rules,
                                 watchLists: try watchLists.map(WatchList.load(argument:)),
                                 feeds: try feeds.map(ThreatIntelFeed.read(argument:)),
                                 suppressions: try suppress.map(SuppressionList.load(path:)),
                                 parameters: parameters)
    }
}

/// The catalog, watch lists and feeds of a detection, read and checked.
public struct PreparedDetection: Sendable {
    /// The rules that run.
    public var rules: [Rule]
    /// Every rule of the catalog (incidents and reports name rules that did not run this time).
    public var catalog: [Rule]
    public var watchLists: [WatchList]
    public var feeds: [ThreatIntelFeed]
    /// Replaces the stored suppression list; nil keeps it.
    public var suppressions: SuppressionList?
    public var parameters: [String: SQLValue]

    /// Stores the watch lists and feeds, runs the rules over evidence in [since, until], then
    /// rebuilds the incidents from the findings. Reports what it stores through `event`.
    public func run(on database: Database, since: Int64? = nil, until: Int64? = nil,
                    event: (JobEvent) -> Void = { _ in }) throws -> DetectionResult {
        for list in watchLists {
            try list.store(in: database)
            event(.watchListStored(name: list.name, people: list.entries.count, path: list.path))
        }
        for feed in feeds {
            let new = try feed.store(in: database)
            event(.feedStored(feed, newIndicators: new))
        }
        if let suppressions {
            try suppressions.store(in: database)
            event(.suppressionsStored(suppressions))
        }
        var runner = RuleRunner(db: database)
        runner.since = since
        runner.until = until
        runner.parameters = parameters
        let preparing = Date()
        try runner.prepare(for: rules)
        let preparedMilliseconds = Int(Date().timeIntervalSince(preparing) * 1000)
        let outcomes = try runner.run(rules, prepared: true)
        let start = Date()
        var incidents = try IncidentBuilder.rebuild(database, rules: catalog)
        incidents.milliseconds = Int(Date().timeIntervalSince(start) * 1000)
        return DetectionResult(outcomes: outcomes, incidents: incidents, preparedMilliseconds: preparedMilliseconds)
    }
}

/// What one detection did: each rule's counts and time, the incidents rebuilt, and the time
/// spent before the first rule (indexes, statistics, own and look-alike domains, threat-intel
/// matches).
public struct DetectionResult: Sendable, Equatable {
    public var outcomes: [RuleRunner.Outcome]
    public var incidents: IncidentBuilder.Summary
    public var preparedMilliseconds: Int

    /// Rows the rules matched.
    public var found: Int { outcomes.reduce(0) { $0 + $1.found } }
    /// Findings not stored before.
    public var new: Int { outcomes.reduce(0) { $0 + $1.new } }

    /// "Time: indexes and statistics 1.2 s, rules 3.4 s, incidents 0.5 s".
    public var timing: String {
        func seconds(_ ms: Int) -> String { String(format: "%.1f s", Double(ms) / 1000) }
        return "Time: indexes and statistics \(seconds(preparedMilliseconds)), rules \(seconds(outcomes.reduce(0) { $0 + $1.milliseconds })), incidents \(seconds(incidents.milliseconds))"
    }
}

extension IncidentBuilder.Summary {
    /// "3 incidents (1 critical, 2 high)".
    public var description: String {
        let parts = Rule.Severity.allCases.reversed().compactMap { sev in bySeverity[sev].map { "\($0) \(sev.rawValue)" } }
        return "\(incidents) incident\(incidents == 1 ? "" : "s")" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
            + (suppressed == 0 ? "" : "; \(suppressed) finding\(suppressed == 1 ? "" : "s") set aside by the suppression list")
    }
}
