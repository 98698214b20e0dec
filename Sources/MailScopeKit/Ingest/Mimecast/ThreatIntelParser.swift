/// Mimecast's threat-intel feed export (`/api/ttp/threat-intel/get-feed`, STIX 2.0 objects):
/// each `indicator` becomes an `ioc` row (its pattern's hash, domain, IP, URL or address);
/// every other STIX object (malware, relationship, …) is kept in `mail_event` as `stix_<type>`.
enum ThreatIntelParser {
    static let feedName = "mimecast-threat-intel"

    static func matches(_ r: Record) -> Bool {
        guard let type = r.field(.type).flatMap({ r.string(of: $0) }),
              let id = r.field(.id).flatMap({ r.string(of: $0) }) else { return false }
        return id.hasPrefix(type + "--")
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let type = (r.string(.type) ?? "").lowercased()
        let b = ctx.batch
        let key = ContentKey.of(r, seed: ctx.seed)
        if type == "bundle" {
            // A bundle's objects are read as records of their own by the document reader; an
            // empty one is only a wrapper.
            b.notices.append(.init(kind: .warning, key: nil,
                                   text: "\(ctx.fileLabel):\(line): STIX bundle \(r.string(.id) ?? "") holds no objects inline — nothing to load from it"))
            return
        }
        let ts = try EventTime.require(r, [.validFrom, .modified, .created])
        if type == "indicator" {
            guard let pattern = r.string(.pattern), let indicator = STIXPattern.indicator(pattern) else {
                throw ParseFailure(reason: .missingField, detail: "STIX indicator without a pattern MailScope understands")
            }
            b.beginRow(.ioc, line: line, dedup: key)
            b.set(.type, indicator.type)
            b.set(.value, indicator.value)
            b.set(.feed, feedName)
            if let f = r.field(.labels), f.kind == .array {
                b.set(.label, JSONScanner.stringArray(r.valueBytes(f)).joined(separator: ","))
            }
            b.set(.stix_id, r.string(.id))
            b.set(.valid_from, ts)
            b.endRow()
            return
        }
        b.beginRow(.mailEvent, line: line, dedup: key)
        b.setTimestamp(ts)
        b.set(.source, "threat_intel")
        b.set(.event_type, "stix_" + type)
        b.set(.known_type, Int64(1))
        // For malware objects Mimecast puts the email subject in `name`.
        b.setRaw(.subject, r, .name)
        b.setBytes(.raw, UnsafeBufferPointer(start: r.base, count: r.count))
        b.endRow()
    }
}

/// The indicator in a simple STIX 2 pattern: `[file:hashes.'SHA-256' = '…']`,
/// `[domain-name:value = '…']`, `[ipv4-addr:value = '…']`, `[url:value = '…']`,
/// `[email-addr:value = '…']`.
public enum STIXPattern {
    /// Every `object:path = 'value'` comparison of a pattern MailScope can match on (patterns
    /// may join several with OR / AND).
    public static func comparisons(_ pattern: String) -> [(type: String, value: String)] {
        let ns = pattern as NSString
        return comparison.matches(in: pattern, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            indicator("[" + ns.substring(with: m.range(at: 1)) + " = '" + ns.substring(with: m.range(at: 2)) + "']")
        }
    }

    // object:path (the path may hold quotes: file:hashes.'SHA-256') = 'value'
    static let comparison = try! NSRegularExpression(pattern: #"([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'"#)

    public static func indicator(_ pattern: String) -> (type: String, value: String)? {
        let p = pattern.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        guard let eq = p.range(of: "=") else { return nil }
        let lhs = p[..<eq.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
        var rhs = p[eq.upperBound...].trimmingCharacters(in: .whitespaces)
        guard rhs.count >= 2, rhs.hasPrefix("'"), rhs.hasSuffix("'") else { return nil }
        rhs = String(rhs.dropFirst().dropLast()).replacingOccurrences(of: "\\'", with: "'")
        switch lhs {
        case let l where l.hasPrefix("file:hashes"):
            guard let h = Hashes.normalize(rhs) else { return nil }
            let kind: String
            switch h.count {
            case 64: kind = "sha256"
            case 40: kind = "sha1"
            case 32: kind = "md5"
            default: kind = "sha512"
            }
            return (kind, h)
        case "domain-name:value": return ("domain", rhs.lowercased())
        case "ipv4-addr:value", "ipv6-addr:value": return ("ip", rhs.lowercased())
        case "url:value": return ("url", rhs)
        case "email-addr:value": return ("email", rhs.lowercased())
        default: return nil
        }
    }
}

import Foundation
