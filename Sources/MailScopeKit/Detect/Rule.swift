import Crypto
import Foundation
import Yams

/// A detection rule: one YAML document with its metadata and one SQL query over the
/// documented tables. The query returns a fixed set of named columns (see `requiredColumns`
/// and `optionalColumns`); parameters such as `:since` and `:window_ms` are bound, never
/// spliced into the SQL.
public struct Rule: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable { case vendor, detection, optIn = "opt-in", duet, correlation, hunt }
    public enum Severity: String, CaseIterable, Sendable, Comparable {
        case info, low, medium, high, critical
        public static func < (a: Severity, b: Severity) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }
    /// The kill-chain stages in order. `targeted` (a copy addressed to the person but stopped)
    /// is where an incident's people start; rules declare the others.
    public enum Stage: String, CaseIterable, Sendable, Comparable {
        case targeted, delivery, interaction, download, execution, commandAndControl = "command-and-control"
        public static func < (a: Stage, b: Stage) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public let id: String
    public let title: String
    public let version: Int
    public let kind: Kind
    public let severity: Severity
    public let attack: [String]
    public let stage: Stage?
    public let description: String
    public let triage: String
    /// For DUET rules: the question to ask the customer (may name result columns as {user}).
    public let question: String?
    /// Parameter defaults, bound by name (`:window_ms`): whole numbers or text.
    public let params: [String: SQLValue]
    public let sql: String
    /// Example events in real export formats: the rule must find something in each positive
    /// set and nothing in each negative set (`mailscope rules test`).
    public let positiveExamples: [String]
    public let negativeExamples: [String]
    /// Watch lists the examples need (`examples.watch_lists`: list name → lines of a watch-list
    /// file), loaded for both sets.
    public let exampleWatchLists: [String: [String]]
    /// Where the rule came from (bundled file name or path) and the SHA-256 of its text.
    public let source: String
    public let sha256: String

    /// Columns every rule's query must return.
    public static let requiredColumns = ["ts", "user", "summary", "evidence_table", "evidence_rowid"]
    /// Columns a rule's query may return as well.
    public static let optionalColumns = ["sender", "message_id", "subject", "indicator", "host"]
    /// Columns a correlation rule must return besides: the host, the mail-side row it matched
    /// from, and which key matched how strongly.
    public static let correlationColumns = ["related_table", "related_rowid", "match_key", "match_strength"]
    /// The values `match_key` and `match_strength` may take.
    public static let matchKeys: Set<String> = ["hash", "name", "domain", "url", "ip", "process", "ioc", "sender"]
    public static let matchStrengths: Set<String> = ["strong", "weak"]
    /// Keys a rule file may have.
    static let knownKeys: Set<String> = ["id", "title", "version", "kind", "severity", "attack", "stage", "description",
                                         "triage", "question", "params", "sql", "examples"]

    /// Off unless enabled (`--enable ID`): opt-in rules, and hunts (run by `mailscope hunt`).
    public var enabledByDefault: Bool { kind != .optIn && kind != .hunt }

    /// The rule builds on what other rules found: a correlation rule, or any rule whose SQL
    /// reads the `finding` table (MS-ARC-001, opt-in, follows flagged messages). Such a rule runs
    /// after the others and is tested on its examples with the catalog's other rules.
    public var readsFindings: Bool {
        kind == .correlation || sql.range(of: #"\b(FROM|JOIN)\s+finding\b"#, options: [.regularExpression, .caseInsensitive]) != nil
    }

    /// An error in a rule file, naming the file and the problem.
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let source: String
        public let problem: String
        public var description: String { "\(source): \(problem)" }
    }

    /// Parses and checks a rule's YAML (everything but the SQL, which needs a database).
    public init(yaml text: String, source: String) throws(Error) {
        func fail(_ problem: String) -> Error { Error(source: source, problem: problem) }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw fail("not valid YAML: \(error)") }
        guard let map = loaded as? [String: Any] else { throw fail("a rule is a YAML mapping of id, title, version, kind, severity, sql, …") }
        for key in map.keys.sorted() where !Rule.knownKeys.contains(key) {
            throw fail("unknown field \"\(key)\" (allowed: \(Rule.knownKeys.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String, required: Bool = true) throws(Error) -> String? {
            guard let value = map[key] else {
                if required { throw fail("\(key): required") }
                return nil
            }
            guard let s = value as? String, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw fail("\(key): must be text") }
            return s
        }
        guard let id = try string("id"), id.range(of: #"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"#, options: .regularExpression) != nil else {
            throw fail("id: must look like MS-URL-003 (capitals, digits and dashes)")
        }
        guard let version = map["version"] as? Int, version >= 1 else { throw fail("version: a whole number from 1, bumped on every change") }
        guard let kindText = try string("kind"), let kind = Kind(rawValue: kindText) else {
            throw fail("kind: one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let severityText = try string("severity"), let severity = Severity(rawValue: severityText) else {
            throw fail("severity: one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var stage: Stage?
        if let stageText = try string("stage", required: kind != .hunt) {
            guard let s = Stage(rawValue: stageText) else { throw fail("stage: one of \(Stage.allCases.map(\.rawValue).joined(separator: ", "))") }
            stage = s
        }
        let attack = (map["attack"] as? [Any])?.compactMap { $0 as? String } ?? []
        if kind != .hunt && attack.isEmpty { throw fail("attack: at least one ATT&CK technique id") }
        for technique in attack where !AttackTechniques.valid.contains(technique) {
            throw fail("attack: \(technique) is not a valid ATT&CK technique id (see Detect/AttackTechniques.swift)")
        }
        let question = try string("question", required: kind == .duet)
        var params: [String: SQLValue] = [:]
        if let p = map["params"] {
            guard let p = p as? [String: Any] else { throw fail("params: a mapping of name to default value") }
            for (name, value) in p {
                if let n = value as? Int {
                    params[name] = .integer(Int64(n))
                } else if let t = value as? String {
                    params[name] = .text(t)
                } else {
                    throw fail("params.\(name): a whole number or text")
                }
            }
        }
        var positive: [String] = [], negative: [String] = []
        var watchLists: [String: [String]] = [:]
        if let examples = map["examples"] {
            guard let e = examples as? [String: Any] else { throw fail("examples: a mapping with positive and negative") }
            for key in e.keys where !["positive", "negative", "watch_lists"].contains(key) {
                throw fail("examples.\(key): only positive, negative and watch_lists")
            }
            positive = (e["positive"] as? [Any])?.compactMap { $0 as? String } ?? []
            negative = (e["negative"] as? [Any])?.compactMap { $0 as? String } ?? []
            if let lists = e["watch_lists"] {
                guard let l = lists as? [String: Any] else { throw fail("examples.watch_lists: a mapping of list name to lines") }
                for (name, lines) in l {
                    guard let lines = lines as? [Any], lines.allSatisfy({ $0 is String }) else {
                        throw fail("examples.watch_lists.\(name): a list of lines (email[,display name])")
                    }
                    watchLists[name] = lines.compactMap { $0 as? String }
                }
            }
        }
        self.id = id
        self.title = try string("title") ?? ""
        self.version = version
        self.kind = kind
        self.severity = severity
        self.attack = attack
        self.stage = stage
        self.description = try string("description") ?? ""
        self.triage = try string("triage") ?? ""
        self.question = question
        self.params = params
        self.sql = try string("sql") ?? ""
        self.positiveExamples = positive
        self.negativeExamples = negative
        self.exampleWatchLists = watchLists
        self.source = source
        self.sha256 = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Checks the SQL against a database: it must prepare, only read, bind only known
    /// parameters, and return the required columns (and no others than the optional ones).
    public func checkSQL(in db: Database) throws(Error) {
        let statement: Statement
        do { statement = try db.prepare(sql) } catch { throw Error(source: source, problem: "sql does not prepare: \(error)") }
        guard statement.isReadOnly else { throw Error(source: source, problem: "sql must only read (SELECT / WITH)") }
        let columns = statement.columnNames
        // Hunts answer a question with whatever columns suit it; the rest feed findings.
        let required = Rule.requiredColumns + (kind == .correlation ? ["host"] + Rule.correlationColumns : [])
        let allowed = required + Rule.optionalColumns
        for name in required where kind != .hunt && !columns.contains(name) {
            throw Error(source: source, problem: "sql must return a column named \(name) (it returns \(columns.joined(separator: ", ")))")
        }
        for column in columns where kind != .hunt && !allowed.contains(column) {
            throw Error(source: source, problem: "sql returns an unknown column \(column) (allowed: \(allowed.joined(separator: ", ")))")
        }
        if kind == .correlation && stage == nil {
            throw Error(source: source, problem: "a correlation rule needs a stage (the stage its match proves)")
        }
        for i in 0..<statement.parameterCount {
            guard let name = statement.parameterName(i + 1), name.hasPrefix(":") else {
                throw Error(source: source, problem: "sql parameters must be named (:since), not positional")
            }
            let key = String(name.dropFirst())
            if !RuleRunner.builtInParameters.contains(key) && params[key] == nil {
                throw Error(source: source, problem: "sql uses :\(key) but params has no default for it")
            }
        }
    }
}
