/// Registrable domains ("eTLD+1") from the Public Suffix List, so `login.acme-c0rp-secure.com`,
/// `acme-c0rp-secure.com` and `mail.acme-c0rp-secure.com` group as one campaign domain while
/// `evil.github.io` and `other.github.io` stay apart.
public struct PublicSuffixList: Sendable {
    private let exact: Set<String>
    private let wildcards: Set<String>     // "*.ck" stored as "ck"
    private let exceptions: Set<String>    // "!www.ck" stored as "www.ck"

    /// The bundled list, parsed once.
    public static let shared = PublicSuffixList(rules: rulesText)

    init(rules: String) {
        var exact = Set<String>(), wildcards = Set<String>(), exceptions = Set<String>()
        for line in rules.split(separator: "\n") {
            let rule = line.lowercased()
            if rule.hasPrefix("!") {
                exceptions.insert(String(rule.dropFirst()))
            } else if rule.hasPrefix("*.") {
                wildcards.insert(String(rule.dropFirst(2)))
            } else {
                exact.insert(rule)
            }
        }
        self.exact = exact
        self.wildcards = wildcards
        self.exceptions = exceptions
    }

    /// `registrableDomain` with a small shared cache: hosts repeat across millions of events.
    public func cachedRegistrableDomain(_ host: String) -> String? {
        if let hit = DomainCache.shared.lookup(host) { return hit.value }
        let value = registrableDomain(host)
        DomainCache.shared.store(host, value)
        return value
    }

    /// The registrable domain of `host` (lowercase, trailing dot removed), or nil for an IP
    /// address, a bare public suffix or something that is not a host name.
    public func registrableDomain(_ host: String) -> String? {
        var h = host.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        guard !h.isEmpty, !h.hasPrefix("."), !h.contains(".."), !Host.isIPAddress(h),
              h.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "@") && $0 != UInt8(ascii: ":") })
        else { return nil }
        let labels = h.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        // Find the longest matching public suffix; the default rule "*" makes the TLD one.
        var suffixLabels = 1
        for start in 0..<labels.count {
            let candidate = labels[start...].joined(separator: ".")
            let count = labels.count - start
            if exceptions.contains(candidate) {
                suffixLabels = count - 1
                break
            }
            if exact.contains(candidate) {
                suffixLabels = count
                break
            }
            if count >= 2 {
                let parent = labels[(start + 1)...].joined(separator: ".")
                if wildcards.contains(parent) {
                    suffixLabels = count
                    break
                }
            }
        }
        guard labels.count > suffixLabels else { return nil }
        return labels[(labels.count - suffixLabels - 1)...].joined(separator: ".")
    }
}

/// A bounded, thread-safe memo of host → registrable domain.
final class DomainCache: @unchecked Sendable {
    static let shared = DomainCache()
    struct Entry { var value: String? }
    private var entries: [String: Entry] = [:]
    private let lock = NSLock()

    func lookup(_ host: String) -> Entry? {
        lock.lock(); defer { lock.unlock() }
        return entries[host]
    }

    func store(_ host: String, _ value: String?) {
        lock.lock(); defer { lock.unlock() }
        if entries.count > 50_000 { entries.removeAll(keepingCapacity: true) }
        entries[host] = Entry(value: value)
    }
}

import Foundation
