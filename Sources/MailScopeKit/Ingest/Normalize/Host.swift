/// Small checks on host names and IP addresses.
public enum Host {
    /// True for a dotted IPv4 address or anything that looks like an IPv6 literal.
    public static func isIPAddress(_ s: String) -> Bool {
        if s.hasPrefix("[") || (s.contains(":") && s.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })) {
            return true
        }
        return isIPv4(s)
    }

    /// True for four dot-separated decimal octets (0–255).
    public static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && (Int(p) ?? 256) <= 255
        }
    }

    /// A sender IP as logged, or nil for placeholders such as Mimecast's literal "Internal IP".
    public static func normalizedIP(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = String(s.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        guard !t.isEmpty, isIPAddress(t) else { return nil }
        return t.lowercased()
    }
}

