import Crypto
import Foundation

/// An offline threat-intel feed given with `--ti [NAME=]FILE`: its indicators go to the `ioc`
/// table with the feed's name, and the file to `input_file` (path, SHA-256, format) so every
/// match can be traced to the feed file it came from. A feed already loaded (same SHA-256) is
/// skipped, like any input.
///
/// Formats, recognised from the content (gzip or plain):
/// - `stix`: a STIX 2.x bundle (`{"type":"bundle","objects":[…]}`) or one STIX object per line
///   (Mimecast's own feed export): `indicator` patterns on file hashes, domain-name, ipv4/ipv6,
///   url and email-addr;
/// - `misp`: a MISP CSV export (header with `type` and `value`, plus `category`, `uuid` …);
///   MISP types md5/sha1/sha256, domain/hostname, ip-src/ip-dst, url, email-src, and the
///   `filename|sha256` pairs;
/// - `csv`: any CSV whose header has `type` and `value` (and optionally `label` or `comment`);
/// - `list`: one indicator per line, its type inferred (a 64/40/32-hex hash, an IPv4/IPv6
///   address, a URL, an email address, a domain); `#` comments allowed.
/// A line that holds no usable indicator is a reject with its line number and reason.
public struct ThreatIntelFeed: Sendable {
    /// One indicator and where it was.
    public struct Entry: Sendable, Equatable {
        public var type: String          // sha256 | sha1 | md5 | domain | ip | url | email
        public var value: String
        public var label: String?
        public var validFrom: Int64?
        public var line: Int
    }

    /// A line that could not be used.
    public struct Reject: Sendable, Equatable {
        public var line: Int
        public var reason: String
        public var detail: String
        public var excerpt: String
    }

    /// A feed that cannot be read at all.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    public let name: String
    public let path: String
    public let sha256: String
    public let bytes: Int
    public let compressed: Bool
    public let format: String
    public let entries: [Entry]
    public let rejects: [Reject]
    public let lines: Int

    /// Reads `[NAME=]FILE` as given on the command line (the name defaults to the file name
    /// without its extensions).
    public static func read(argument: String) throws -> ThreatIntelFeed {
        if let eq = argument.firstIndex(of: "="), !argument[..<eq].contains("/"), eq != argument.startIndex {
            return try read(name: String(argument[..<eq]), path: String(argument[argument.index(after: eq)...]))
        }
        let base = (argument as NSString).lastPathComponent
        return try read(name: String(base.split(separator: ".").first ?? Substring(base)), path: argument)
    }

    public static func read(name: String, path: String) throws -> ThreatIntelFeed {
        guard let raw = FileManager.default.contents(atPath: path) else {
            throw Error(path: path, problem: "cannot read the threat-intel feed (missing or unreadable)")
        }
        let sha = SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
        let gzip = raw.count >= 2 && raw[raw.startIndex] == 0x1f && raw[raw.startIndex + 1] == 0x8b
        var data = raw
        if gzip {
            let source: ByteSource
            do { source = try ByteSource(path: path) } catch { throw Error(path: path, problem: "\(error)") }
            data = Data()
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
            defer { buffer.deallocate() }
            while true {
                let n = source.read(into: buffer, capacity: 1 << 20)
                if n <= 0 { break }
                data.append(buffer, count: n)
            }
            if let issue = source.takeIssues().issues.first {
                throw Error(path: path, problem: "gzip: \(issue.detail) — load a complete copy of the feed")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Error(path: path, problem: "not UTF-8 text") }
        var parser = Parser()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let format = parser.detect(text, lines: lines)
        switch format {
        case "stix-bundle": parser.stixBundle(text)
        case "stix": parser.stixLines(lines)
        case "misp", "csv": parser.csv(lines, misp: format == "misp")
        default: parser.list(lines)
        }
        return ThreatIntelFeed(name: name, path: path, sha256: sha, bytes: raw.count, compressed: gzip,
                               format: format == "stix-bundle" ? "stix" : format, entries: parser.entries, rejects: parser.rejects,
                               lines: lines.count - (lines.last?.isEmpty == true ? 1 : 0))
    }

    /// Stores the feed: an `input_file` row, its indicators and rejects. Returns how many
    /// indicators were new, or nil when the same file was loaded before.
    @discardableResult
    public func store(in db: Database) throws -> Int? {
        if try db.scalar("SELECT COUNT(*) FROM input_file WHERE sha256 = ?", [.text(sha256)])?.intValue ?? 0 > 0 { return nil }
        return try db.transaction {
            try db.run("""
                INSERT INTO input_file (path, sha256, bytes, compression, format, status, units_committed, lines, records, rows,
                                        rejected, rows_by_table, bytes_uncompressed, loaded_at)
                VALUES (?, ?, ?, ?, ?, 'loaded', ?, ?, ?, 0, ?, '{}', 0, ?)
                """, [.text(path), .text(sha256), .integer(Int64(bytes)), .text(compressed ? "gzip" : "none"), .text("ti_feed_\(format)"),
                      .integer(Int64(lines)), .integer(Int64(lines)), .integer(Int64(entries.count + rejects.count)),
                      .integer(Int64(rejects.count)), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
            let fileID = db.lastInsertRowID
            let insert = try db.prepare("""
                INSERT OR IGNORE INTO ioc (file_id, line_no, dedup, type, value, feed, label, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var new = 0
            for e in entries {
                let key = SHA256.hash(data: Data("\(name)\u{1}\(e.type)\u{1}\(e.value)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
                try insert.bind([.integer(fileID), .integer(Int64(e.line)), .text("ti:" + key), .text(e.type), .text(e.value), .text(name),
                                 e.label.map { .text($0) } ?? .null, e.validFrom.map { .integer($0) } ?? .null])
                _ = try insert.step()
                new += db.changes
            }
            let reject = try db.prepare("INSERT INTO reject (file_id, line_no, reason, detail, excerpt, line_bytes) VALUES (?, ?, ?, ?, ?, ?)")
            for r in rejects {
                try reject.bind([.integer(fileID), .integer(Int64(r.line)), .text(r.reason), .text(r.detail), .text(String(r.excerpt.prefix(65536))),
                                 .integer(Int64(r.excerpt.utf8.count))])
                _ = try reject.step()
            }
            try db.run("UPDATE input_file SET rows = ?, duplicates = ?, rows_by_table = ? WHERE id = ?",
                       [.integer(Int64(new)), .integer(Int64(entries.count - new)), .text("{\"ioc\":\(new)}"), .integer(fileID)])
            return new
        }
    }

    /// Classifies one bare indicator: a hash by its length, an address, a URL, an email, a domain.
    public static func classify(_ raw: String) -> (type: String, value: String)? {
        var s = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\"'")))
        // Defanged forms: hxxp://, example[.]com, 1.2.3[.]4
        s = s.replacingOccurrences(of: "[.]", with: ".").replacingOccurrences(of: "(.)", with: ".")
        if s.lowercased().hasPrefix("hxxp") { s = "http" + s.dropFirst(4) }
        guard !s.isEmpty, !s.contains(" ") else { return nil }
        if let h = Hashes.normalize(s), h.allSatisfy(\.isHexDigit) {
            switch h.count {
            case 64: return ("sha256", h)
            case 40: return ("sha1", h)
            case 32: return ("md5", h)
            default: break
            }
        }
        if let ip = Host.normalizedIP(s), Host.isIPAddress(ip) { return ("ip", ip) }
        if s.contains("://") {
            guard URLNormalizer.normalize(s)?.host != nil else { return nil }
            return ("url", s)
        }
        if s.contains("@") {
            guard let e = EmailAddress.normalize(s), let d = EmailAddress.domain(e), d.contains(".") else { return nil }
            return ("email", e)
        }
        let d = s.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard d.contains("."), d.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x2e || $0 >= 0x80 }),
              !d.contains("..") else { return nil }
        return ("domain", d)
    }

    struct Parser {
        var entries: [Entry] = []
        var rejects: [Reject] = []

        func detect(_ text: String, lines: [Substring]) -> String {
            let first = lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") } ?? ""
            let trimmed = first.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{") {
                if let obj = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any], obj["type"] is String { return "stix" }
                return "stix-bundle"
            }
            let header = CSVLine.split(String(trimmed)).map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            if header.contains("type") && header.contains("value") {
                return header.contains("category") || header.contains("event_id") || header.contains("to_ids") ? "misp" : "csv"
            }
            return "list"
        }

        mutating func reject(_ line: Int, _ reason: String, _ detail: String, _ excerpt: Substring) {
            rejects.append(Reject(line: line, reason: reason, detail: detail, excerpt: String(excerpt)))
        }

        mutating func stixObject(_ obj: [String: Any], line: Int, excerpt: Substring) {
            guard (obj["type"] as? String) == "indicator" else { return }
            guard let pattern = obj["pattern"] as? String else {
                reject(line, "missing_field", "STIX indicator without a pattern", excerpt)
                return
            }
            let found = STIXPattern.comparisons(pattern)
            if found.isEmpty {
                reject(line, "unsupported_value", "STIX pattern MailScope does not match on: \(pattern.prefix(200))", excerpt)
                return
            }
            let labels = (obj["labels"] as? [String])?.joined(separator: ",") ?? (obj["name"] as? String)
            let valid = (obj["valid_from"] as? String).flatMap { TimeParser.parse($0) }
            for (type, value) in found { entries.append(Entry(type: type, value: value, label: labels, validFrom: valid, line: line)) }
        }

        mutating func stixBundle(_ text: String) {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                reject(1, "malformed_json", "not a JSON document (a STIX bundle was expected)", Substring(text.prefix(65536)))
                return
            }
            let objects = (obj["objects"] as? [[String: Any]]) ?? []
            if objects.isEmpty && (obj["type"] as? String) != "bundle" {
                reject(1, "unknown_event_type", "a JSON document that is not a STIX bundle", Substring(text.prefix(2000)))
            }
            for o in objects { stixObject(o, line: 1, excerpt: Substring((o["pattern"] as? String) ?? "")) }
        }

        mutating func stixLines(_ lines: [Substring]) {
            for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    reject(i + 1, "malformed_json", "not a JSON object", line)
                    continue
                }
                stixObject(obj, line: i + 1, excerpt: line)
            }
        }

        static let mispTypes: [String: String] = [
            "md5": "md5", "sha1": "sha1", "sha256": "sha256", "domain": "domain", "hostname": "domain",
            "ip-src": "ip", "ip-dst": "ip", "url": "url", "link": "url", "uri": "url", "email-src": "email", "email": "email",
            "email-dst": "email", "filename|sha256": "sha256", "filename|md5": "md5", "filename|sha1": "sha1",
            "domain|ip": "domain", "ip-dst|port": "ip", "ip-src|port": "ip",
        ]

        mutating func csv(_ lines: [Substring], misp: Bool) {
            guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }) else { return }
            let header = CSVLine.split(String(lines[headerIndex])).map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            let typeAt = header.firstIndex(of: "type")!, valueAt = header.firstIndex(of: "value")!
            let labelAt = header.firstIndex(of: "label") ?? header.firstIndex(of: "comment") ?? header.firstIndex(of: "category")
            for i in (headerIndex + 1)..<lines.count {
                let line = lines[i]
                if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
                let fields = CSVLine.split(String(line))
                guard fields.count == header.count else {
                    reject(i + 1, "wrong_column_count", "\(fields.count) columns where the header has \(header.count)", line)
                    continue
                }
                let declared = fields[typeAt].lowercased().trimmingCharacters(in: .whitespaces)
                var value = fields[valueAt]
                // MISP pairs: "invoice.xlsm|<sha256>", "example.com|192.0.2.1", "192.0.2.1|443".
                if declared.contains("|"), value.contains("|") {
                    let parts = value.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    value = declared.hasPrefix("filename|") ? parts[1] : parts[0]
                    if value.trimmingCharacters(in: .whitespaces).isEmpty {
                        reject(i + 1, "invalid_value", "the \(declared) pair has an empty part", line)
                        continue
                    }
                }
                let label = labelAt.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                let mapped = Parser.mispTypes[declared]
                let plain: [String: String] = ["sha256": "sha256", "sha1": "sha1", "md5": "md5", "domain": "domain", "ip": "ip", "ipv4": "ip",
                                               "ipv6": "ip", "url": "url", "email": "email"]
                guard let want = mapped ?? plain[declared] else {
                    reject(i + 1, "unsupported_value", "indicator type \(declared.isEmpty ? "(empty)" : declared) is not one MailScope matches on", line)
                    continue
                }
                let type = want == "ipv4" ? "ip" : want
                guard let got = ThreatIntelFeed.classify(value), type == got.type else {
                    reject(i + 1, "invalid_value", "\(value.prefix(200)) is not a \(type)", line)
                    continue
                }
                entries.append(Entry(type: type, value: got.value, label: label, validFrom: nil, line: i + 1))
            }
        }

        mutating func list(_ lines: [Substring]) {
            for (i, line) in lines.enumerated() {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.isEmpty || t.hasPrefix("#") { continue }
                let value = t.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first.map(String.init) ?? t
                guard let got = ThreatIntelFeed.classify(value) else {
                    reject(i + 1, "invalid_value", "\"\(t.prefix(200))\" holds no hash, address, URL, email or domain", line)
                    continue
                }
                entries.append(Entry(type: got.type, value: got.value, label: nil, validFrom: nil, line: i + 1))
            }
        }
    }
}

/// Splits one CSV line (RFC 4180 quoting; no embedded newlines).
enum CSVLine {
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(line)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
            i += 1
        }
        fields.append(field)
        return fields
    }
}
