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
    }

    /// Unwraps and splits `raw`; nil when it is empty.
    public static func normalize(_ raw: String?) -> Normalized? {
        guard let raw else { return nil }
        var url = String(Substring(raw).trimmingASCIISpace())
        guard !url.isEmpty else { return nil }
        for _ in 0..<5 {
            guard let inner = unwrapOnce(url), inner != url else { break }
            url = inner
        }
        if url.utf8.first == UInt8(ascii: "h") || url.utf8.first == UInt8(ascii: "H"),
           url.prefix(8).lowercased().hasPrefix("http%3a") || url.prefix(8).lowercased().hasPrefix("https%3a") {
            url = url.removingPercentEncoding ?? url
        }
        let parts = split(url)
        let lowered = parts.map { "\($0.scheme)://\($0.authorityPrefix)\($0.host)\($0.rest)" } ?? url
        let host = parts?.host.isEmpty == false ? parts?.host : nil
        let domain = host.flatMap { Host.isIPAddress($0) ? $0 : PublicSuffixList.shared.cachedRegistrableDomain($0) }
        return Normalized(url: lowered, host: host, domain: domain)
    }

    struct Parts {
        var scheme: String
        var authorityPrefix: String  // userinfo@
        var host: String
        var rest: String             // :port/path?query#fragment
    }

    /// Splits a URL by hand (Foundation's URL rejects much of what phishing mail contains).
    static func split(_ url: String) -> Parts? {
        var scheme = "http"
        var remainder = Substring(url)
        if let range = url.utf8.firstRange(of: "://".utf8) {
            let s = url[..<range.lowerBound]
            guard !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else { return nil }
            scheme = s.lowercased()
            remainder = url[range.upperBound...]
        } else if url.contains(":"), !url.hasPrefix("www.") {
            // mailto:, javascript:, data: … have no host.
            let s = url[..<url.firstIndex(of: ":")!]
            if s.allSatisfy({ $0.isLetter }) { return Parts(scheme: s.lowercased(), authorityPrefix: "", host: "", rest: String(url[url.index(after: url.firstIndex(of: ":")!)...])) }
        }
        let authorityEnd = remainder.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "\\" }) ?? remainder.endIndex
        var authority = remainder[..<authorityEnd]
        let rest = remainder[authorityEnd...]
        var userinfo = ""
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[...at])
            authority = authority[authority.index(after: at)...]
        }
        var host = authority
        var port = ""
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            port = String(host[host.index(after: close)...])
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            port = String(host[colon...])
            host = host[..<colon]
        }
        var h = (host.utf8.contains(UInt8(ascii: "%")) ? (host.removingPercentEncoding ?? String(host)) : String(host)).lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        return Parts(scheme: scheme, authorityPrefix: userinfo, host: h, rest: port + rest)
    }

    /// One layer of unwrapping, or nil when `url` is not a known wrapper.
    static func unwrapOnce(_ url: String) -> String? {
        guard let parts = split(url), !parts.host.isEmpty else { return nil }
        let host = parts.host
        // Only wrapper hosts get their query read.
        guard host.hasSuffix("mimecast.com") || host.hasSuffix("mimecastprotect.com") || host.contains("safelinks.protection")
                || host.hasPrefix("urldefense.") || host.contains("google.") else { return nil }
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
