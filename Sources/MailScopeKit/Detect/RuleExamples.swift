import Foundation

/// Runs a rule against its own example events (`examples.positive` / `examples.negative`, lines
/// in real export formats): each set is loaded through the real ingest into a scratch database,
/// the rule must find something in the positive set and nothing in the negative one.
public enum RuleExamples {
    /// What testing one rule showed.
    public struct Result: Sendable, Equatable {
        public var ruleID: String
        public var positiveFindings: Int
        public var negativeFindings: Int
        /// Why the rule failed its test, or nil when it passed.
        public var problem: String?
        public var passed: Bool { problem == nil }
    }

    /// Tests `rule`. A rule that reads findings (a correlation, MS-ARC-001) follows what other
    /// rules flagged, so for those the other enabled rules of `catalog` run first on the same
    /// examples.
    public static func test(_ rule: Rule, catalog: [Rule] = []) -> Result {
        var result = Result(ruleID: rule.id, positiveFindings: 0, negativeFindings: 0, problem: nil)
        guard !rule.positiveExamples.isEmpty, !rule.negativeExamples.isEmpty else {
            result.problem = "\(rule.source): needs examples.positive and examples.negative"
            return result
        }
        do {
            let context = rule.readsFindings ? catalog.filter { $0.enabledByDefault && $0.id != rule.id } : []
            result.positiveFindings = try findings(rule, context, rule.positiveExamples, label: "positive")
            result.negativeFindings = try findings(rule, context, rule.negativeExamples, label: "negative")
        } catch {
            result.problem = "\(error)"
            return result
        }
        if result.positiveFindings == 0 {
            result.problem = "\(rule.id): found nothing in its positive examples"
        } else if result.negativeFindings > 0 {
            result.problem = "\(rule.id): found \(result.negativeFindings) in its negative examples"
        }
        return result
    }

    private static func findings(_ rule: Rule, _ context: [Rule], _ lines: [String], label: String) throws -> Int {
        let dir = NSTemporaryDirectory() + "mailscope-rule-\(rule.id)-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // One file per example (a line, or a whole CSV with its header), so one set can mix
        // export formats (mail and EDR).
        let inputs = dir + "/inputs"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        for (i, line) in lines.enumerated() {
            try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: inputs + "/example-\(String(format: "%03d", i)).ndjson"))
        }
        let summary = try Ingester(databasePath: dir + "/examples.db").ingest(paths: [inputs])
        if summary.rejected > 0 {
            let reasons = summary.rejectsByReason.keys.sorted().joined(separator: ", ")
            throw Rule.Error(source: rule.source, problem: "a \(label) example does not load (\(reasons))")
        }
        let db = try Database(path: dir + "/examples.db")
        // What `ingest` does after a load: link releases to their messages, build the identity map.
        _ = try ReleaseLinker.relink(db)
        try IdentityMap.rebuildIfStale(db)
        for (name, entries) in rule.exampleWatchLists.sorted(by: { $0.key < $1.key }) {
            let file = dir + "/watch-\(name).txt"
            try Data((entries.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            try WatchList.load(name: name, path: file).store(in: db)
        }
        if rule.kind == .hunt { return try RuleRunner(db: db).hunt(rule).rows.count }
        return try RuleRunner(db: db).run(context + [rule]).first { $0.ruleID == rule.id }?.found ?? 0
    }
}
