import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope detect --db FILE`: run the detection rules and store their findings.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Run the detection rules over the database and store their findings.",
        discussion: """
        Runs every enabled rule of the bundled catalog (and of --rules DIR); opt-in rules run \
        only when named with --enable. Re-running over the same data adds no duplicate findings.

        Examples:
          mailscope detect --db case.db
          mailscope detect --db case.db --rules my-rules/ --enable MS-URL-060
          mailscope detect --db case.db --watch-list vip=vip.txt
          mailscope detect --db case.db --since 2026-11-01 --param window_ms=172800000
        """
    )

    @Option(name: .long, help: "The SQLite database.")
    var db: String

    @OptionGroup var detection: DetectionOptions

    @Option(name: .long, help: ArgumentHelp("Only evidence at or after this time (default: all).", valueName: "time"))
    var since: TimeArgument?

    @Option(name: .long, help: ArgumentHelp("Only evidence at or before this time (default: all).", valueName: "time"))
    var until: TimeArgument?

    func validate() throws { try detection.validate() }

    func run() throws {
        let prepared = try detection.prepare()
        // Detection over a database that was never loaded would create an empty one.
        guard FileManager.default.fileExists(atPath: db) else {
            Terminal.error(DatabaseReadError.missing(path: db).description)
            throw ExitCode(2)
        }
        let lock = try RunLockOption.take(db)
        defer { lock.release() }
        let database = try Database(path: db)
        var options = detection.recorded
        options["since"] = since.map { $0.start as Any } ?? NSNull()
        options["until"] = until.map { $0.endInclusive as Any } ?? NSNull()
        let runID = try RunRecord.start(database, kind: "detect", options: options)
        let (outcomes, incidents, preparedMilliseconds) = try detection.run(prepared, on: database, since: since?.start, until: until?.endInclusive)
        if until == nil {
            // Everything from --since on (or everything) has been checked.
            try DetectionWindow.decide(database, lookback: nil, since: since?.start, full: since == nil).markChecked(database)
        }
        try RunRecord.finish(database, runID)
        for o in outcomes {
            print("\(o.ruleID.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(o.found).leftPadded(6)) found  \(String(o.new).leftPadded(6)) new  \(o.milliseconds) ms")
        }
        print("\(outcomes.count) rules run, \(outcomes.reduce(0) { $0 + $1.found }) findings, \(outcomes.reduce(0) { $0 + $1.new }) new")
        print(DetectionOptions.describe(incidents) + " built in \(incidents.milliseconds) ms")
        print(DetectionOptions.timing(preparedMilliseconds: preparedMilliseconds, outcomes: outcomes, incidents: incidents))
    }
}

/// The options of every command that runs the detection rules: the catalog, the opt-in rules
/// to turn on, and the watch lists DUET rules consult.
struct DetectionOptions: ParsableArguments {
    @OptionGroup var ruleFolder: RuleFolderOption

    @Option(name: .long, help: ArgumentHelp("Turn on an opt-in rule by id (repeatable).", valueName: "id"))
    var enable: [String] = []

    @Option(name: .customLong("watch-list"), help: ArgumentHelp(
        "A watch list for DUET rules: NAME=FILE, one email[,display name] per line (repeatable). Replaces the stored list of that name.",
        valueName: "name=file"))
    var watchLists: [String] = []

    @Option(name: .customLong("ti"), help: ArgumentHelp(
        "An offline threat-intel feed, [NAME=]FILE (repeatable): a plain list, CSV with type,value, MISP CSV, a STIX 2 bundle or Mimecast's feed export; gzip or plain. A file already loaded is skipped.",
        valueName: "feed"))
    var feeds: [String] = []

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "Override a rule parameter for every rule that declares it, name=value (repeatable), e.g. window_ms=172800000.",
        valueName: "name=value"))
    var params: [String] = []

    /// `--param` values as bound to the rules (integers stay integers).
    var parameters: [String: SQLValue] {
        var values: [String: SQLValue] = configParameters
        for p in params {
            let (name, value) = SQLValue.parameter(assignment: p)
            values[name] = value
        }
        return values
    }

    /// What the run record keeps of these options: enabled opt-in rules and parameter overrides.
    var recorded: [String: Any] {
        ["enabled": enable.sorted(), "params": parameters.mapValues { $0.intValue.map { $0 as Any } ?? ($0.stringValue ?? "") as Any }]
    }

    /// "file:line" of `enable:` and `params:` when they came from the config file.
    var origins: [String: String] = [:]

    /// Parameters from the config file (the command line wins).
    var configParameters: [String: SQLValue] = [:]

    enum CodingKeys: CodingKey { case ruleFolder, enable, watchLists, feeds, params }   // origins and configParameters are not options

    func validate() throws {
        for p in params where !p.contains("=") || p.hasPrefix("=") { throw ValidationError("--param \(p): write it as name=value") }
    }

    /// These options with the config file's values where the command line gave none.
    func merged(with config: RunConfig) -> DetectionOptions {
        var copy = self
        if copy.ruleFolder.rules == nil { copy.ruleFolder.rules = config.rules }
        if copy.enable.isEmpty, let fromFile = config.enable {
            copy.enable = fromFile
            copy.origins["enable"] = config.origins["enable"]
        }
        if copy.params.isEmpty { copy.origins["params"] = config.origins["params"] }
        if copy.watchLists.isEmpty { copy.watchLists = config.watchLists ?? [] }
        if copy.feeds.isEmpty { copy.feeds = config.ti ?? [] }
        copy.configParameters = config.params ?? [:]
        return copy
    }

    /// The catalog and watch lists, read and checked before any work starts (a bad rule file
    /// or watch list should stop a run before a long ingest, not after).
    struct Prepared {
        var rules: [Rule]
        var catalog: [Rule]
        var watchLists: [WatchList]
        var feeds: [ThreatIntelFeed]
    }

    func prepare() throws -> Prepared {
        let catalog = try RulesCommand.loadCatalog(ruleFolder.rules)
        let unknown = Set(enable).subtracting(catalog.rules.map(\.id))
        if !unknown.isEmpty {
            let origin = origins["enable"].map { "\($0): key \"enable\": " } ?? "--enable: "
            Terminal.error("\(origin)no rule named \(unknown.sorted().joined(separator: ", ")); `mailscope rules list` shows the ids")
            throw ExitCode(1)
        }
        let declared = Set(catalog.rules.filter { $0.kind != .hunt }.flatMap(\.params.keys))
        let undeclared = Set(parameters.keys).subtracting(declared)
        if !undeclared.isEmpty {
            let origin = origins["params"].map { "\($0): key \"params\": " } ?? ""
            Terminal.error("\(origin)no rule takes the parameter \(undeclared.sorted().joined(separator: ", ")) (rules take: \(declared.sorted().joined(separator: ", ")))")
            throw ExitCode(1)
        }
        var lists: [WatchList] = []
        for argument in watchLists {
            do { lists.append(try WatchList.load(argument: argument)) } catch let error as WatchList.Error {
                Terminal.error(error.description)
                throw ExitCode(1)
            }
        }
        var loaded: [ThreatIntelFeed] = []
        for argument in feeds {
            do { loaded.append(try ThreatIntelFeed.read(argument: argument)) } catch let error as ThreatIntelFeed.Error {
                Terminal.error(error.description)
                throw ExitCode(1)
            }
        }
        return Prepared(rules: catalog.enabled(Set(enable)), catalog: catalog.rules, watchLists: lists, feeds: loaded)
    }

    /// Stores the watch lists, runs the enabled rules, then rebuilds the incidents from the
    /// findings. `preparedMilliseconds` is the time spent before the first rule (indexes,
    /// statistics, own and look-alike domains, threat-intel matches).
    func run(_ prepared: Prepared, on database: Database, since: Int64? = nil, until: Int64? = nil) throws -> (outcomes: [RuleRunner.Outcome], incidents: IncidentBuilder.Summary, preparedMilliseconds: Int) {
        for list in prepared.watchLists {
            try list.store(in: database)
            Terminal.write(TerminalText.safe("watch list \(list.name): \(list.entries.count) people from \(list.path)") + "\n")
        }
        for feed in prepared.feeds {
            for r in feed.rejects.prefix(20) {
                Terminal.write(TerminalText.safe("\(feed.path):\(r.line): \(r.reason): \(r.detail)") + "\n")
            }
            if feed.rejects.count > 20 { Terminal.write(TerminalText.safe("\(feed.path): \(feed.rejects.count - 20) more lines rejected (see the reject table)") + "\n") }
            let new = try feed.store(in: database)
            let what = new.map { "\(feed.entries.count) indicators, \($0) new" } ?? "already loaded (same SHA-256), skipped"
            Terminal.write(TerminalText.safe("threat-intel feed \(feed.name) (\(feed.format)): \(what), \(feed.rejects.count) lines rejected, from \(feed.path)") + "\n")
        }
        var runner = RuleRunner(db: database)
        runner.since = since
        runner.until = until
        runner.parameters = parameters
        let preparing = Date()
        try runner.prepare(for: prepared.rules)
        let preparedMilliseconds = Int(Date().timeIntervalSince(preparing) * 1000)
        let outcomes = try runner.run(prepared.rules, prepared: true)
        let start = Date()
        var incidents = try IncidentBuilder.rebuild(database, rules: prepared.catalog)
        incidents.milliseconds = Int(Date().timeIntervalSince(start) * 1000)
        return (outcomes, incidents, preparedMilliseconds)
    }

    /// "Time: indexes and statistics 1.2 s, rules 3.4 s, incidents 0.5 s".
    static func timing(preparedMilliseconds: Int, outcomes: [RuleRunner.Outcome], incidents: IncidentBuilder.Summary) -> String {
        func seconds(_ ms: Int) -> String { String(format: "%.1f s", Double(ms) / 1000) }
        return "Time: indexes and statistics \(seconds(preparedMilliseconds)), rules \(seconds(outcomes.reduce(0) { $0 + $1.milliseconds })), incidents \(seconds(incidents.milliseconds))"
    }

    /// "3 incidents (1 critical, 2 high)".
    static func describe(_ s: IncidentBuilder.Summary) -> String {
        let parts = Rule.Severity.allCases.reversed().compactMap { sev in s.bySeverity[sev.rawValue].map { "\($0) \(sev.rawValue)" } }
        return "\(s.incidents) incident\(s.incidents == 1 ? "" : "s")" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}

/// `mailscope rules list|validate|test`.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List, validate and test the detection rules.",
        discussion: """
        Examples:
          mailscope rules list
          mailscope rules validate --rules my-rules/
          mailscope rules test --rules my-rules/
        """,
        subcommands: [List.self, Validate.self, Test.self]
    )

    static func loadCatalog(_ directory: String?) throws -> RuleCatalog {
        do { return try RuleCatalog.load(userDirectory: directory) } catch let error as Rule.Error {
            Terminal.error(error.description)
            throw ExitCode(1)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rules: id@version, kind, severity, ATT&CK, title.",
            discussion: "Examples:\n  mailscope rules list\n  mailscope rules list --rules my-rules/ | grep opt-in")
        @OptionGroup var ruleFolder: RuleFolderOption

        func run() throws {
            let catalog = try RulesCommand.loadCatalog(ruleFolder.rules)
            for rule in catalog.rules {
                let on = rule.kind == .optIn ? " (off unless --enable)" : rule.kind == .hunt ? " (run with mailscope hunt)" : ""
                print(TerminalText.safe("\(rule.id)@\(rule.version)  \(rule.kind.rawValue)  \(rule.severity.rawValue)  \(rule.attack.joined(separator: ","))  \(rule.title)\(on)"))
            }
            print(TerminalText.safe(catalog.countSummary))
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every rule: fields, ATT&CK ids, and that its SQL prepares and returns the right columns.",
            discussion: "Exit code 1 when any rule has a problem (each is printed with its file).\n\nExamples:\n  mailscope rules validate\n  mailscope rules validate --rules my-rules/")
        @OptionGroup var ruleFolder: RuleFolderOption

        func run() throws {
            let catalog = try RulesCommand.loadCatalog(ruleFolder.rules)
            let scratch = NSTemporaryDirectory() + "mailscope-validate-\(UUID().uuidString).db"
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
            let problems = catalog.validate(in: try Database(path: scratch))
            for problem in problems { Terminal.error(problem.description) }
            print("\(catalog.rules.count) rules, \(problems.count) problems")
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run each rule on its own positive and negative example events.",
            discussion: "A rule passes when it finds something in every positive example and nothing in any negative one. Exit code 1 when any rule fails.\n\nExamples:\n  mailscope rules test\n  mailscope rules test --rules my-rules/")
        @OptionGroup var ruleFolder: RuleFolderOption

        func run() throws {
            let catalog = try RulesCommand.loadCatalog(ruleFolder.rules)
            var failed = 0
            for rule in catalog.rules {
                let r = RuleExamples.test(rule, catalog: catalog.rules)
                if let problem = r.problem {
                    failed += 1
                    print(TerminalText.safe("FAIL \(rule.id)@\(rule.version): \(problem)"))
                } else {
                    print("ok   \(rule.id)@\(rule.version): \(r.positiveFindings) found in positive, 0 in negative")
                }
            }
            print("\(catalog.rules.count - failed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// `--rules DIR`, shared by every command that loads the catalog.
struct RuleFolderOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A folder of your own rule files (*.yml), added to the bundled catalog.", valueName: "dir"))
    var rules: String?
}
