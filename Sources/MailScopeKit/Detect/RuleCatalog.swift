import Foundation

/// The rules a run uses: the bundled catalog (`Resources/rules`, compiled in by
/// `scripts/bundle-rules`) plus a user's own directory (`--rules DIR`). Ids are unique across
/// both; every problem names its file.
public struct RuleCatalog: Sendable {
    public let rules: [Rule]

    /// The bundled rules.
    public static func bundled() throws -> RuleCatalog {
        try RuleCatalog(files: BundledRules.files.map { (name: $0.name, text: $0.text) })
    }

    /// The bundled rules plus every `*.yml` / `*.yaml` file under `directory`.
    public static func load(userDirectory directory: String?) throws -> RuleCatalog {
        var files = BundledRules.files.map { (name: $0.name, text: $0.text) }
        if let directory {
            let fm = FileManager.default
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
                throw Rule.Error(source: directory, problem: "no such rules folder")
            }
            let names = (fm.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
            for name in names {
                let path = (directory as NSString).appendingPathComponent(name)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw Rule.Error(source: path, problem: "cannot read it")
                }
                files.append((name: path, text: text))
            }
        }
        return try RuleCatalog(files: files)
    }

    init(files: [(name: String, text: String)]) throws {
        var rules: [Rule] = []
        var seen: [String: String] = [:]
        for file in files {
            let rule = try Rule(yaml: file.text, source: file.name)
            if let other = seen[rule.id] {
                throw Rule.Error(source: file.name, problem: "id \(rule.id) is already used by \(other)")
            }
            seen[rule.id] = file.name
            rules.append(rule)
        }
        self.rules = rules.sorted { $0.id < $1.id }
    }

    /// Checks every rule's SQL against `db`; returns the problems (empty when all are valid).
    public func validate(in db: Database) -> [Rule.Error] {
        var problems: [Rule.Error] = []
        for rule in rules {
            do { try rule.checkSQL(in: db) } catch { problems.append(error) }
        }
        return problems
    }

    /// `validate` against an empty database of the current schema, made in the temporary
    /// folder and removed afterwards.
    public func validateInScratchDatabase() throws -> [Rule.Error] {
        let scratch = NSTemporaryDirectory() + "mailscope-validate-\(UUID().uuidString).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
        return validate(in: try Database(path: scratch))
    }

    /// How many rules the catalog holds and what becomes of them, in the words the README,
    /// `mailscope rules list` and `mailscope run` share: "51 rules: 41 run by default,
    /// 3 opt-in (--enable), 7 saved hunts (mailscope hunt)".
    public var countSummary: String {
        let byDefault = rules.filter { $0.enabledByDefault }.count
        let optIn = rules.filter { $0.kind == .optIn }.count
        let hunts = rules.filter { $0.kind == .hunt }.count
        return "\(rules.count) rules: \(byDefault) run by default, \(optIn) opt-in (--enable), \(hunts) saved hunts (mailscope hunt)"
    }

    /// The rules a detection run executes: enabled by default, or named in `enable`.
    public func enabled(_ enable: Set<String>) -> [Rule] {
        rules.filter { ($0.enabledByDefault && $0.kind != .hunt) || enable.contains($0.id) }
    }
}
