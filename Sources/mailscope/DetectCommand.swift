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
          mailscope detect --db postgresql://analyst@db.example/mailscope

        On PostgreSQL (a database `mailscope ingest`, `run` or `db copy` filled), the rules and incidents run on the \
        server, each statement put in PostgreSQL's form; the database's writer lock keeps a second \
        writer out (exit 4), readers go on.
        """
    )

    @Option(name: .long, help: "The SQLite database, or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME).")
    var db: String

    @OptionGroup var detection: DetectionOptions

    @Option(name: .long, help: ArgumentHelp("Only evidence at or after this time (default: all).", valueName: "time"))
    var since: TimeArgument?

    @Option(name: .long, help: ArgumentHelp("Only evidence at or before this time (default: all).", valueName: "time"))
    var until: TimeArgument?

    func validate() throws { try detection.validate() }

    func run() throws {
        let job = Job(command: RunRecord.commandLine(CommandLine.arguments))
        let progress = Progress()
        job.onEvent = { event in
            if case .detected = event { return }   // printed below, rule by rule
            JobPrinter.show(event, progress: progress)
        }
        let result = try WritableStore.with(db, job: job, application: "mailscope detect") {
            try job.detect(database: db, settings: detection.settings, since: since?.start, until: until?.endInclusive)
        }
        for o in result.outcomes {
            print("\(o.ruleID.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(o.found).leftPadded(6)) found  \(String(o.new).leftPadded(6)) new  \(o.milliseconds) ms")
        }
        print("\(result.outcomes.count) rules run, \(result.found) findings, \(result.new) new")
        print(result.incidents.description + " built in \(result.incidents.milliseconds) ms")
        print(result.timing)
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

    @Option(name: .long, help: ArgumentHelp(
        "Known-good senders, domains and SHA-256 hashes whose findings are set aside before incidents are built (a YAML list; see the README). Replaces the stored list.",
        valueName: "file"))
    var suppress: String?

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

    /// "file:line" of `enable:` and `params:` when they came from the config file.
    var origins: [String: String] = [:]

    /// Parameters from the config file (the command line wins).
    var configParameters: [String: SQLValue] = [:]

    enum CodingKeys: CodingKey { case ruleFolder, enable, watchLists, feeds, suppress, params }   // origins and configParameters are not options

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
        if copy.suppress == nil { copy.suppress = config.suppress }
        copy.configParameters = config.params ?? [:]
        return copy
    }

    /// The library's detection settings from these options.
    var settings: DetectionSettings {
        var s = DetectionSettings()
        s.ruleFolder = ruleFolder.rules
        s.enable = enable
        s.watchLists = watchLists
        s.feeds = feeds
        s.suppress = suppress
        s.parameters = parameters
        s.origins = origins
        return s
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
        try RuleCatalog.load(userDirectory: directory)
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
            let problems = try catalog.validateInScratchDatabase()
            for problem in problems { Terminal.error(problem.description) }
            print("\(catalog.rules.count) rules, \(problems.count) problems")
            if !problems.isEmpty { throw JobError.checksFailed }
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
            if failed > 0 { throw JobError.checksFailed }
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
