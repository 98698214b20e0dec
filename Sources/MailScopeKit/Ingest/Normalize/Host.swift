/// Small checks on host names and IP addresses, over UTF-8 bytes (they run per event).
public enum Host {
    /// True for a dotted IPv4 address or anything that looks like an IPv6 literal.
    public static func isIPAddress(_ s: String) -> Bool {
        let u = s.utf8
        if u.first == UInt8(ascii: "[") { return true }
        if u.contains(UInt8(ascii: ":")) {
            return u.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) || $0 == 0x3A || $0 == 0x2E }
        }
        return isIPv4(s)
    }

    /// The host of a URL, lowercased, without scheme, credentials, port, path, query or
    /// fragment (`https://user@Files.Example:8443/x?y` → `files.example`); nil when empty.
    public static func ofURL(_ url: String) -> String? {
        var rest = Substring(url.lowercased())
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.firstIndex(of: "@"), rest[..<at].allSatisfy({ $0 != "/" }) { rest = rest[rest.index(after: at)...] }
        return rest.split(whereSeparator: { "/?#:".contains($0) }).first.map(String.init)
    }

    /// True for four dot-separated decimal octets (0–255).
    public static func isIPv4(_ s: String) -> Bool {
        var octets = 0, value = 0, digits = 0
        for c in s.utf8 {
            if c == UInt8(ascii: ".") {
                guard digits > 0, value <= 255 else { return false }
                octets += 1; value = 0; digits = 0
            } else if c >= 0x30 && c <= 0x39 {
                value = value * 10 + Int(c - 0x30)
                digits += 1
                guard digits <= 3 else { return false }
            } else {
                return false
            }
        }
        return octets == 3 && digits > 0 && value <= 255
    }

    /// The first label of a host name (`ws-0042.corp.example` → `ws-0042`), lowercased; IP
    /// addresses stay whole.
    public static func shortName(_ name: String) -> String {
        let lower = name.lowercasedIfNeeded
        if isIPAddress(lower) { return lower }
        guard let dot = lower.utf8.firstIndex(of: UInt8(ascii: ".")) else { return lower }
        return String(lower[..<dot])
    }

    /// A DNS name as a key: lowercased, without leading or trailing dots.
    public static func dnsName(_ name: String) -> String {
        var s = Substring(name.lowercasedIfNeeded)
        while s.utf8.first == UInt8(ascii: ".") { s = s.dropFirst() }
        while s.utf8.last == UInt8(ascii: ".") { s = s.dropLast() }
        return String(s)
    }

    /// A sender IP as logged, or nil for placeholders such as Mimecast's literal "Internal IP".
    public static func normalizedIP(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = s.trimmingASCIISpaceString()
        guard !t.isEmpty, isIPAddress(t) else { return nil }
        return t.lowercasedIfNeeded
    }
}
