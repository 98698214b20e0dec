import Crypto
import Foundation
import Yams

/// Known-good senders, domains and file hashes whose findings are set aside before incidents
/// are built: a vendor's newsletter that trips a new-domain rule every week, the payroll
/// provider's links, IT's signed installer. Named in the config (`suppress: suppress.yml`) or
/// with `--suppress FILE`; a YAML list, one entry per item, each with an optional reason:
///
/// ```yaml
/// - sender: newsletter@vendor.example
///   reason: weekly vendor newsletter, cleared by jb on 2026-11-03
/// - domain: payroll-partner.example        # the domain and its subdomains
///   reason: our payroll provider
/// - sha256: 0f343b0931126a20f133d67c2b018a3b5fd0f8ab0b6e2c1e2c09e6d5c0a1b2c3
///   reason: IT's signed installer
/// ```
///
/// Loading a file replaces the stored list whole (the `suppression` table, with the file's
/// path, SHA-256 and each entry's line), so `mailscope detect` rebuilds with what the last run
/// was told; an empty list clears it. Findings are never deleted: `apply` records which entry
/// set each one aside (`finding_suppressed`), and the report's methodology lists every entry
/// with the findings it suppressed.
///
/// What an entry matches: `sender` the finding's sender address; `domain` the sender's domain,
/// a clicked link's host, or the domain an endpoint row reached (the domain itself or a
/// subdomain); `sha256` an attachment, a file or process image on an endpoint row, or a
/// threat-intel indicator with that hash.
public struct SuppressionList: Sendable, Equatable {
    /// What an entry names.
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case sender, domain, sha256
    }

    /// One known-good sender, domain or hash.
    public struct Entry: Sendable, Equatable {
        public var kind: Kind
        public var value: String
        public var reason: String?
        /// The line of the file the entry starts on.
        public var line: Int

        public init(kind: Kind, value: String, reason: String? = nil, line: Int = 0) {
            self.kind = kind
            self.value = value
            self.reason = reason
            self.line = line
        }

        /// Whether this entry sets aside a finding with `facts`.
        public func matches(_ facts: Facts) -> Bool {
            switch kind {
            case .sender: return facts.sender == value
            case .domain: return facts.domains.contains { $0 == value || $0.hasSuffix("." + value) }
            case .sha256: return facts.hashes.contains(value)
            }
        }
    }

    /// What a finding says about where it came from, as entries match it.
    public struct Facts: Sendable, Equatable {
        /// The sender address, normalized.
        public var sender: String?
        /// The sender's domain, clicked hosts and domains, domains an endpoint reached (lowercase).
        public var domains: Set<String> = []
        /// SHA-256 values of the files involved (lowercase hex).
        public var hashes: Set<String> = []

        public init(sender: String? = nil, domains: Set<String> = [], hashes: Set<String> = []) {
            self.sender = sender
            self.domains = domains
            self.hashes = hashes
        }
    }

    /// A file that is not a list of entries.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public var path: String
        public var line: Int?
        public var problem: String
        public var description: String { line.map { "\(path):\($0): \(problem)" } ?? "\(path): \(problem)" }
    }

    public let path: String
    public let sha256: String
    public let entries: [Entry]

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(Error) -> SuppressionList {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Error(path: path, line: nil, problem: "cannot read the suppression list (\(ReportFolder.reason(error))); fix the path in suppress: or --suppress")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Error(path: path, line: nil, problem: "not UTF-8 text") }
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return SuppressionList(path: path, sha256: sha, entries: try parse(text, path: path))
    }

    static let example = "e.g.\n  - sender: newsletter@vendor.example\n    reason: weekly newsletter"

    /// The entries of suppression-list text.
    public static func parse(_ text: String, path: String) throws(Error) -> [Entry] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            switch error {
            case .parser(_, let problem, let mark, _), .scanner(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw Error(path: path, line: mark.line, problem: "not valid YAML (column \(mark.column)): \(problem)")
            default:
                throw Error(path: path, line: nil, problem: "not valid YAML: \(error)")
            }
        } catch {
            throw Error(path: path, line: nil, problem: "not valid YAML: \(error)")
        }
        guard let root else { return [] }
        guard let items = root.sequence else {
            throw Error(path: path, line: root.mark?.line, problem: "expected a list of entries, each starting with \"- \"; \(example)")
        }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for item in items {
            let line = item.mark?.line
            guard let mapping = item.mapping else {
                throw Error(path: path, line: line, problem: "expected sender:, domain: or sha256: (and an optional reason:); \(example)")
            }
            var entry: Entry?
            var reason: String?
            for (keyNode, valueNode) in mapping {
                let key = keyNode.string ?? ""
                let keyLine = keyNode.mark?.line ?? line
                guard let value = valueNode.scalar?.string.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                    throw Error(path: path, line: keyLine, problem: "\(key): expected a value")
                }
                if key == "reason" { reason = value; continue }
                guard let kind = Kind(rawValue: key) else {
                    throw Error(path: path, line: keyLine, problem: "unknown key \"\(key)\"; an entry takes one of sender, domain, sha256, and reason")
                }
                if let entry { throw Error(path: path, line: keyLine, problem: "one entry names both \(entry.kind.rawValue) and \(kind.rawValue); give each its own \"- \" item") }
                entry = Entry(kind: kind, value: try normalized(value, kind: kind, path: path, line: keyLine), line: line ?? 0)
            }
            guard var entry else { throw Error(path: path, line: line, problem: "the entry names no sender, domain or sha256") }
            entry.reason = reason
            let id = "\(entry.kind.rawValue):\(entry.value)"
            if let first = seen[id] { throw Error(path: path, line: line, problem: "\(entry.kind.rawValue) \(entry.value) is listed twice (first on line \(first))") }
            seen[id] = entry.line
            entries.append(entry)
        }
        return entries
    }

    /// A value as entries keep it: a lowercased address, a lowercased domain without a leading
    /// `*.` or `@`, a lowercase SHA-256.
    static func normalized(_ value: String, kind: Kind, path: String = "", line: Int? = nil) throws(Error) -> String {
        switch kind {
        case .sender:
            guard let address = EmailAddress.normalize(value), address.contains("@"), !address.hasPrefix("@"), !address.hasSuffix("@") else {
                throw Error(path: path, line: line, problem: "\"\(value)\" is not an email address (for a whole domain write domain: instead)")
            }
            return address
        case .domain:
            var domain = value.lowercased()
            if domain.hasPrefix("*.") { domain.removeFirst(2) }
            if domain.hasPrefix("@") { domain.removeFirst() }
            if domain.hasSuffix(".") { domain.removeLast() }
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
            guard domain.contains("."), domain.allSatisfy({ allowed.contains($0) || !$0.isASCII }), !domain.hasPrefix(".") else {
                throw Error(path: path, line: line, problem: "\"\(value)\" is not a domain name like vendor.example (no scheme, path or address)")
            }
            return domain
        case .sha256:
            let hash = value.lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw Error(path: path, line: line, problem: "\"\(value)\" is not a SHA-256 (64 hexadecimal digits)")
            }
            return hash
        }
    }

    // MARK: the database

    /// Replaces the stored list with this one.
    public func store(in db: Database) throws {
        try db.transaction {
            try db.run("DELETE FROM finding_suppressed")
            try db.run("DELETE FROM suppression")
            let insert = try db.prepare("""
                INSERT INTO suppression (kind, value, reason, source_path, source_sha256, source_line) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for e in entries {
                try insert.bind([.text(e.kind.rawValue), .text(e.value), e.reason.map { .text($0) } ?? .null,
                                 .text(path), .text(sha256), .integer(Int64(e.line))])
                try insert.step()
            }
        }
    }

    /// Records which stored entries set aside which findings (`finding_suppressed`), from
    /// scratch; returns how many findings are set aside. Run by every incident rebuild, before
    /// the findings are grouped, inside its transaction.
    @discardableResult
    public static func apply(_ db: Database) throws -> Int {
        try db.run("DELETE FROM finding_suppressed")
        let stored = try db.rows("SELECT id, kind, value FROM suppression ORDER BY id").compactMap { r -> (Int64, Entry)? in
            guard let id = r.int("id"), let kind = r.text("kind").flatMap(Kind.init(rawValue:)), let value = r.text("value") else { return nil }
            return (id, Entry(kind: kind, value: value))
        }
        guard !stored.isEmpty else { return 0 }
        let insert = try db.prepare("INSERT OR IGNORE INTO finding_suppressed (finding_id, suppression_id) VALUES (?, ?)")
        var suppressed = 0
        for (finding, facts) in try facts(db) {
            var matched = false
            for (id, entry) in stored where entry.matches(facts) {
                try insert.bind([.integer(finding), .integer(id)])
                try insert.step()
                matched = true
            }
            if matched { suppressed += 1 }
        }
        return suppressed
    }

    /// The files and domains of the rows findings point at (evidence and related rows): an
    /// attachment's or Mimecast event's SHA-256, a clicked link's host and domain, an endpoint
    /// row's file, process and parent image hashes and the host and domain it reached.
    static let evidenceFactsSQL = """
        WITH wanted (tbl, rid) AS (
            SELECT evidence_table, evidence_rowid FROM finding WHERE kind <> 'hunt'
            UNION SELECT related_table, related_rowid FROM finding WHERE kind <> 'hunt' AND related_table IS NOT NULL)
        SELECT 'attachment_scan' AS tbl, t.id, t.sha256 AS hash1, NULL AS hash2, NULL AS hash3, NULL AS domain1, NULL AS domain2
        FROM wanted w JOIN attachment_scan t ON t.id = w.rid WHERE w.tbl = 'attachment_scan'
        UNION ALL SELECT 'mail_event', t.id, t.sha256, NULL, NULL, NULL, NULL
        FROM wanted w JOIN mail_event t ON t.id = w.rid WHERE w.tbl = 'mail_event'
        UNION ALL SELECT 'url_click', t.id, NULL, NULL, NULL, t.url_host, t.url_domain
        FROM wanted w JOIN url_click t ON t.id = w.rid WHERE w.tbl = 'url_click'
        UNION ALL SELECT 'edr_event', t.id, t.sha256, t.process_sha256, t.parent_process_sha256, t.url_host, t.domain
        FROM wanted w JOIN edr_event t ON t.id = w.rid WHERE w.tbl = 'edr_event'
        """

    /// What each finding (hunts aside) says about its sender, domains and files, from the
    /// finding and the rows it points at.
    static func facts(_ db: Database) throws -> [(Int64, Facts)] {
        // The hashes and domains of the rows findings point at, per table.
        var rowFacts: [String: [Int64: Facts]] = [:]
        for r in try db.rows(evidenceFactsSQL) {
            var f = Facts()
            for c in ["hash1", "hash2", "hash3"] { if let h = r.text(c)?.lowercased(), !h.isEmpty { f.hashes.insert(h) } }
            for c in ["domain1", "domain2"] { if let d = r.text(c)?.lowercased(), !d.isEmpty { f.domains.insert(d) } }
            rowFacts[r.text("tbl") ?? "", default: [:]][r.int("id") ?? 0] = f
        }
        return try db.rows("""
            SELECT id, sender, indicator, evidence_table, evidence_rowid, related_table, related_rowid
            FROM finding WHERE kind <> 'hunt' ORDER BY id
            """).map { r in
            var f = Facts(sender: r.text("sender").flatMap(EmailAddress.normalize))
            if let domain = EmailAddress.domain(f.sender) { f.domains.insert(domain) }
            for (table, row) in [(r.text("evidence_table"), r.int("evidence_rowid")), (r.text("related_table"), r.int("related_rowid"))] {
                guard let table, let row, let more = rowFacts[table]?[row] else { continue }
                f.domains.formUnion(more.domains)
                f.hashes.formUnion(more.hashes)
            }
            // A rule's indicator: a hash, a URL or a host name (IPs and addresses match nothing here).
            if let indicator = r.text("indicator")?.lowercased() {
                if indicator.count == 64, indicator.allSatisfy(\.isHexDigit) {
                    f.hashes.insert(indicator)
                } else if indicator.contains("://") {
                    if let host = URLNormalizer.normalize(indicator)?.host { f.domains.insert(host) }
                } else if indicator.contains("."), !indicator.contains(where: { "@/: ".contains($0) }), !Host.isIPAddress(indicator) {
                    f.domains.insert(indicator)
                }
            }
            return (r.int("id") ?? 0, f)
        }
    }
}
