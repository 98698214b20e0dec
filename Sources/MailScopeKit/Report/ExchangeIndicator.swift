import Foundation

/// An indicator of the report (an iocs.csv row) as the exchange formats type it: which STIX
/// object and MISP attribute it is, and how confident MailScope is in it.
public struct ExchangeIndicator: Sendable, Equatable {
    /// What kind of thing the value is.
    public enum Kind: String, Sendable, CaseIterable {
        case sha256, domain, url, ipv4, ipv6, email, fileName
    }

    public var kind: Kind
    /// The iocs.csv type it came from (`sender_domain`, `ip`, …).
    public var type: String
    public var value: String

    /// The indicator of an iocs.csv row; nil for a type the formats have no object for.
    public init?(type: String, value: String) {
        switch type {
        case "sha256": kind = .sha256
        case "domain", "sender_domain": kind = .domain
        case "url": kind = .url
        case "ip", "sender_ip": kind = value.contains(":") ? .ipv6 : .ipv4
        case "sender": kind = .email
        case "file_name": kind = .fileName
        default: return nil
        }
        self.type = type
        self.value = value
    }

    /// The STIX 2.1 pattern matching the value, e.g. `[domain-name:value = 'evil.example']`.
    public var stixPattern: String {
        let literal = Self.stixString(value)
        switch kind {
        case .sha256: return "[file:hashes.'SHA-256' = \(literal)]"
        case .domain: return "[domain-name:value = \(literal)]"
        case .url: return "[url:value = \(literal)]"
        case .ipv4: return "[ipv4-addr:value = \(literal)]"
        case .ipv6: return "[ipv6-addr:value = \(literal)]"
        case .email: return "[email-addr:value = \(literal)]"
        case .fileName: return "[file:name = \(literal)]"
        }
    }

    /// A STIX pattern string literal: quoted with `'`, a quote or backslash inside escaped with
    /// a backslash (the pattern grammar's only escapes); anything else stands as itself.
    public static func stixString(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The MISP attribute type and category. A sender's IP is where mail came from (`ip-src`),
    /// an endpoint's remote IP where the host connected to (`ip-dst`).
    public var misp: (type: String, category: String) {
        switch kind {
        case .sha256: ("sha256", "Payload delivery")
        case .domain: ("domain", type == "sender_domain" ? "Payload delivery" : "Network activity")
        case .url: ("url", "Network activity")
        case .ipv4, .ipv6: (type == "sender_ip" ? "ip-src" : "ip-dst", "Network activity")
        case .email: ("email-src", "Payload delivery")
        case .fileName: ("filename", "Payload delivery")
        }
    }

    /// How sure the campaign's findings make MailScope of an indicator (STIX `confidence`,
    /// 0–100), from the strongest finding naming it: a correlation that matched on it
    /// strongly (same hash, the campaign's domain or URL) 85; a threat-intel feed listing it 75;
    /// a detection naming it without a correlation 60; only weak correlations (a file name
    /// within a time window) 40.
    public static func confidence(matchStrengths: Set<String>, inFeed: Bool) -> Int {
        if matchStrengths.contains("strong") { return 85 }
        if inFeed { return 75 }
        if matchStrengths == ["weak"] { return 40 }
        return 60
    }

    /// The match strengths of `incident`'s findings naming `value` (`none` for a finding
    /// that is no correlation).
    static func matchStrengths(of value: String, in incident: ReportModel.Incident?) -> Set<String> {
        Set((incident?.findings ?? []).filter { $0.indicator?.lowercased() == value.lowercased() }.map { $0.matchStrength ?? "none" })
    }

    /// The ATT&CK techniques of the rules whose findings name `value` in `incident`, or the
    /// incident's when none does.
    static func techniques(of value: String, in incident: ReportModel.Incident?, rules: [ReportModel.RuleRef]) -> [String] {
        guard let incident else { return [] }
        let naming = Set(incident.findings.filter { $0.indicator?.lowercased() == value.lowercased() }.map(\.ruleId))
        let own = rules.filter { naming.contains($0.id) }.flatMap(\.attack)
        return Array(Set(own.isEmpty ? incident.attack : own)).sorted()
    }
}

/// JSON text for the exchange files: keys sorted, `/` unescaped, and control or bidi
/// characters from input written `\uXXXX` (``JSONText``), so the same values give the same
/// bytes and attacker text stays inert.
enum ExchangeJSON {
    static func text(_ object: Any, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
        return JSONText.safe(String(decoding: data, as: UTF8.self))
    }
}
