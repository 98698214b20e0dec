import Foundation

/// URLs as seen in mail and as a join key: the original is kept, and this undoes the
/// wrapping that security gateways add (Mimecast `/s/` rewriting, Microsoft Safe Links,
/// Proofpoint URL Defense v2/v3, Google redirects), percent-encoded whole URLs, and case in
/// the scheme and host, then finds the host and its registrable domain.
public enum URLNormalizer {
    /// The parts of a normalized URL.
    public struct Normalized: Equatable, Sendable {
        /// The unwrapped URL (scheme and host lowercased).
        public var url: String
        /// The host name or IP address, lowercased, without port or brackets.
        public var host: String?
        /// The registrable domain of the host, or the IP address itself.
        public var domain: String?
        /// Host and path without scheme, query or fragment (`login.example.com/owa/auth.php`):
        /// the key that matches the same page across per-recipient tracking tokens.
        public var resource: String?
    }

    /// Unwraps and splits `raw`; nil when it is empty.
    public static func normalize(_ raw: String?) -> Normalized? {
        guard let (url, parts) = unwrapped(raw) else { return nil }
        let lowered = parts.map { "\($0.scheme)://\($0.authorityPrefix)\($0.host)\($0.rest)" } ?? url
        let (host, domain) = hostAndDomain(parts)
        return Normalized(url: lowered, host: host, domain: domain, resource: parts.flatMap(resource))
    }

    /// The host and domain `normalize` finds, without making its URL strings (an EDR row
    /// stores only these two); nil when `raw` is empty.
    static func hostAndDomain(_ raw: String?) -> (host: String?, domain: String?)? {
        unwrapped(raw).map { hostAndDomain($0.parts) }
    }

    private static func hostAndDomain(_ parts: Parts?) -> (host: String?, domain: String?) {
        let host = parts?.host.isEmpty == false ? parts?.host : nil
        let domain = host.flatMap { Host.isIPAddress($0) ? $0 : PublicSuffixList.shared.cachedRegistrableDomain($0) }
        return (host, domain)
    }

    /// `raw` trimmed and unwrapped, and its parts; nil when it is empty.
    private static func unwrapped(_ raw: String?) -> (url: String, parts: Parts?)? {
        guard let raw else { return nil }
        var url = raw.trimmingASCIISpaceString()
        guard !url.isEmpty else { return nil }
        // Each URL is split once: the unwrapping reads the same parts the result is made of.
        var parts = split(url)
        for _ in 0..<5 {
            guard let p = parts, let inner = unwrapOnce(p), inner != url else { break }
            url = inner
            parts = split(url)
        }
        if url.utf8.first == UInt8(ascii: "h") || url.utf8.first == UInt8(ascii: "H"),
           url.prefix(8).lowercased().hasPrefix("http%3a") || url.prefix(8).lowercased().hasPrefix("https%3a") {
            url = url.removingPercentEncoding ?? url
            parts = split(url)
        }
        return (url, parts)
    }

    /// `userinfo@host:port/path` of `parts`, cut at the query or fragment; nil without a host.
    static func resource(_ parts: Parts) -> String? {
        guard !parts.host.isEmpty else { return nil }
        var rest = Substring(parts.rest)
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        return "\(parts.authorityPrefix)\(parts.host)\(rest)"
    }

    struct Parts {
        var scheme: String
        var authorityPrefix: String  // userinfo@
        var host: String
        var rest: String             // :port/path?query#fragment
    }

    /// Splits a URL by hand, over its UTF-8 bytes (Foundation's URL rejects much of what
    /// phishing mail contains, and Character-wise scanning is slow on the ingest path).
    static func split(_ url: String) -> Parts? {
        let b = Array(url.utf8)
        let n = b.count
        func text(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        func isSchemeByte(_ c: UInt8) -> Bool {
            (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E
        }
        var scheme = "http"
        var start = 0
        var sep = 0
        while sep + 2 < n, !(b[sep] == 0x3A && b[sep + 1] == 0x2F && b[sep + 2] == 0x2F) { sep += 1 }
        if sep + 2 < n {
            guard sep > 0, b[0..<sep].allSatisfy(isSchemeByte) else { return nil }
            scheme = text(0..<sep).lowercased()
            start = sep + 3
        } else if let colon = b.firstIndex(of: 0x3A), !url.hasPrefix("www."),
                  colon > 0, b[0..<colon].allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) {
            // mailto:, javascript:, data: … have no host.
            return Parts(scheme: text(0..<colon).lowercased(), authorityPrefix: "", host: "", rest: text((colon + 1)..<n))
        }
        var authorityEnd = start
        while authorityEnd < n, ![0x2F, 0x3F, 0x23, 0x5C].contains(b[authorityEnd]) { authorityEnd += 1 }
        var hostStart = start
        var userinfo = ""
        if let at = b[start..<authorityEnd].lastIndex(of: 0x40) {
            userinfo = text(start..<(at + 1))
            hostStart = at + 1
        }
        var hostEnd = authorityEnd
        var portStart = authorityEnd
        if hostStart < authorityEnd, b[hostStart] == 0x5B, let close = b[hostStart..<authorityEnd].firstIndex(of: 0x5D) {
            portStart = close + 1
            hostStart += 1
            hostEnd = close
        } else if let colon = b[hostStart..<authorityEnd].lastIndex(of: 0x3A) {
            hostEnd = colon
            portStart = colon
        }
        var h = text(hostStart..<hostEnd)
        if b[hostStart..<hostEnd].contains(0x25) { h = h.removingPercentEncoding ?? h }
        h = h.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        let rest = text(portStart..<n)
        return Parts(scheme: scheme, authorityPrefix: userinfo, host: h, rest: rest)
    }

    /// One layer of unwrapping of a URL split into `parts`, or nil when it is not a known wrapper.
    static func unwrapOnce(_ parts: Parts) -> String? {
        guard !parts.host.isEmpty else { return nil }
        let host = parts.host
        // Only wrapper hosts get their query read. (Foundation's `contains` is asked only when
        // the bytes hold the name: it is slow, and cannot match an ASCII name they lack.)
        guard host.hasSuffix("mimecast.com") || host.hasSuffix("mimecastprotect.com")
                || (URLNormalizer.holdsBytes(host, "safelinks.protection") && host.contains("safelinks.protection"))
                || host.hasPrefix("urldefense.") || (URLNormalizer.holdsBytes(host, "google.") && host.contains("google.")) else { return nil }
        let query = queryItems(parts.rest)
        // Mimecast: https://protect-eu.mimecast.com/s/<token>?domain=example.com — the token is
        // opaque; only the host survives.
        if host.hasSuffix("mimecast.com") || host.hasSuffix("mimecastprotect.com") {
            if parts.rest.hasPrefix("/s/"), let domain = query["domain"], !domain.isEmpty {
                return "https://\(domain.lowercased())/"
            }
        }
        if host.hasSuffix("safelinks.protection.outlook.com") || host.hasSuffix("safelinks.protection.office365.us") {
            return query["url"]
        }
        if host == "urldefense.proofpoint.com", parts.rest.hasPrefix("/v2/url"), let u = query["u"] {
            let decoded = u.replacingOccurrences(of: "_", with: "/").replacingOccurrences(of: "-", with: "%")
            return decoded.removingPercentEncoding
        }
        if host == "urldefense.com", parts.rest.hasPrefix("/v3/__") {
            let body = parts.rest.dropFirst("/v3/__".count)
            if let end = body.range(of: "__;") ?? body.range(of: "__") {
                return String(body[..<end.lowerBound])
            }
        }
        if host.hasPrefix("www.google.") || host.hasPrefix("google."), parts.rest.hasPrefix("/url"), let q = query["q"] ?? query["url"] {
            return q
        }
        return nil
    }

    /// True when `s`'s UTF-8 holds `needle`'s bytes somewhere.
    static func holdsBytes(_ s: String, _ needle: StaticString) -> Bool {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = n.first else { return true }
        func search(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
            guard u.count >= n.count else { return false }
            var i = 0
            while i + n.count <= u.count {
                if u[i] == first && UnsafeBufferPointer(rebasing: u[i..<(i + n.count)]).elementsEqual(n) { return true }
                i += 1
            }
            return false
        }
        return s.utf8.withContiguousStorageIfAvailable(search) ?? Array(s.utf8).withUnsafeBufferPointer(search)
    }

    /// The decoded query parameters of `rest` (`?a=b&c=d`); first value wins.
    static func queryItems(_ rest: String) -> [String: String] {
        guard let q = rest.firstIndex(of: "?") else { return [:] }
        var query = rest[rest.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        var items: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).lowercased()
            let value = kv.count > 1 ? String(kv[1]).replacingOccurrences(of: "+", with: " ") : ""
            if items[key] == nil { items[key] = value.removingPercentEncoding ?? value }
        }
        return items
    }
}

extension Substring {
    /// Without leading and trailing ASCII white space (no Foundation).
    func trimmingASCIISpace() -> Substring {
        var s = self
        while let c = s.utf8.first, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { s = s.dropFirst() }
        while let c = s.utf8.last, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { s = s.dropLast() }
        return s
    }
}
