import Foundation

/// Finds sender and URL domains that imitate one of the organisation's own domains and keeps
/// them in `domain_lookalike`, where rules join them (so the rule SQL stays plain SQL that any
/// database runs, instead of calling an edit-distance function).
///
/// The organisation's domains are the recipient domains of inbound mail. A domain resembles
/// one of them when, comparing the labels before the public suffix after folding the usual
/// homoglyphs (0→o, 1→l, rn→m, vv→w …):
/// - `homoglyph`: the folded labels are equal (acme-c0rp vs acme-corp);
/// - `other-suffix`: the label is the same under another suffix (acme-corp.co);
/// - `edit-distance`: one edit apart (two for labels of eight characters or more), counting a
///   swap of neighbours as one edit; labels shorter than five characters are never compared,
///   short names are too often near each other by chance;
/// - `contains`: the own label sits inside a longer one as a whole hyphen- or dot-separated
///   part (acme-corp-secure, login-acmecorp) — the usual credential-phishing host.
public enum LookalikeDomains {
    /// One match.
    public struct Match: Equatable, Sendable {
        public var resembles: String
        public var method: String
        public var distance: Int
    }

    /// Rebuilds `domain_lookalike` from the domains in the data; returns the number of rows.
    @discardableResult
    public static func rebuild(_ db: Database) throws -> Int {
        let ownDomains = try OwnDomains.rebuild(db)
        // One DISTINCT per column (each walks an index) rather than a UNION over all rows.
        var candidates = Set<String>()
        for sql in ["SELECT DISTINCT sender_domain AS domain FROM mail_message WHERE event = 'receipt'", "SELECT DISTINCT url_domain AS domain FROM url_click",
                    "SELECT DISTINCT url_host AS domain FROM url_click", "SELECT DISTINCT sender_domain AS domain FROM impersonation"] {
            for row in try db.rows(sql) { if let d = row.text("domain") { candidates.insert(d) } }
        }
        var rows = 0
        try db.transaction {
            try db.execute("DELETE FROM domain_lookalike")
            guard !ownDomains.isEmpty else { return }
            let insert = try db.prepare("INSERT OR IGNORE INTO domain_lookalike (domain, registrable, resembles, method, distance) VALUES (?, ?, ?, ?, ?)")
            for domain in candidates.sorted() {
                guard let registrable = PublicSuffixList.shared.registrableDomain(domain), !ownDomains.contains(registrable),
                      let match = ownDomains.lazy.compactMap({ compare(registrable, $0) }).first else { continue }
                try insert.bind([.text(domain), .text(registrable), .text(match.resembles), .text(match.method), .integer(Int64(match.distance))])
                try insert.step()
                rows += 1
            }
        }
        return rows
    }

    /// How `candidate` (a registrable domain) imitates `own`, or nil.
    public static func compare(_ candidate: String, _ own: String) -> Match? {
        guard candidate != own, let (cLabel, cSuffix) = split(candidate), let (oLabel, oSuffix) = split(own) else { return nil }
        if cLabel == oLabel { return cSuffix == oSuffix ? nil : Match(resembles: own, method: "other-suffix", distance: 0) }
        let c = fold(cLabel), o = fold(oLabel)
        if c == o { return Match(resembles: own, method: "homoglyph", distance: editDistance(Array(cLabel.utf8), Array(oLabel.utf8))) }
        if o.count >= 5 {
            let limit = o.count >= 8 ? 2 : 1
            let d = editDistance(Array(c.utf8), Array(o.utf8))
            if d <= limit { return Match(resembles: own, method: "edit-distance", distance: d) }
            let parts = c.split(whereSeparator: { $0 == "-" || $0 == "." }).map(String.init)
            let ownParts = o.split(whereSeparator: { $0 == "-" || $0 == "." }).map(String.init)
            if parts.count > ownParts.count {
                for start in 0...(parts.count - ownParts.count) where Array(parts[start..<(start + ownParts.count)]) == ownParts {
                    return Match(resembles: own, method: "contains", distance: 0)
                }
            }
            // The own name written without its hyphen inside a longer name (login-acmecorp).
            if ownParts.count > 1, parts.count > 1, parts.contains(ownParts.joined()) {
                return Match(resembles: own, method: "contains", distance: 0)
            }
        }
        return nil
    }

    /// The label before the public suffix (`acme-corp` of `acme-corp.co.uk`) and the suffix.
    static func split(_ registrable: String) -> (String, String)? {
        guard let dot = registrable.firstIndex(of: ".") else { return nil }
        return (String(registrable[..<dot]), String(registrable[registrable.index(after: dot)...]))
    }

    /// Folds the characters attackers swap for look-alikes onto the letter they imitate.
    static func fold(_ label: String) -> String {
        var s = label.lowercased()
        for (from, to) in [("rn", "m"), ("vv", "w"), ("cl", "d")] { s = s.replacingOccurrences(of: from, with: to) }
        let single: [Character: Character] = ["0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "4": "a", "7": "t", "8": "b", "9": "g", "_": "-"]
        return String(s.map { single[$0] ?? $0 })
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent swaps).
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cur[j] = min(cur[j], prev2[j - 2] + 1) }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
