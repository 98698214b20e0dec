import Foundation

/// How an incident's severity reads in the alert's two severity fields: the CEF header's 0–10
/// and the syslog severity inside the PRI. One table, so a SIEM rule on either agrees.
///
/// | MailScope | CEF | syslog severity        | PRI (facility 4) |
/// |-----------|-----|------------------------|------------------|
/// | critical  | 10  | 2 critical             | 34               |
/// | high      | 8   | 3 error                | 35               |
/// | medium    | 5   | 4 warning              | 36               |
/// | low       | 3   | 5 notice               | 37               |
/// | info      | 1   | 6 informational        | 38               |
///
/// CEF reads 0–3 as low, 4–6 medium, 7–8 high and 9–10 very high. The facility is 4,
/// "security/authorization messages" in RFC 5424's table (auth), where rsyslog's default rules
/// and SIEM collectors look for security events.
public enum AlertSeverity {
    /// The syslog facility of every alert: 4, security/authorization.
    public static let facility = 4

    /// CEF's Severity header field, 0–10.
    public static func cef(_ severity: Rule.Severity) -> Int {
        switch severity {
        case .critical: return 10
        case .high: return 8
        case .medium: return 5
        case .low: return 3
        case .info: return 1
        }
    }

    /// RFC 5424 severity, 0 (emergency) – 7 (debug).
    public static func syslog(_ severity: Rule.Severity) -> Int {
        switch severity {
        case .critical: return 2
        case .high: return 3
        case .medium: return 4
        case .low: return 5
        case .info: return 6
        }
    }

    /// The PRI value: facility × 8 + severity.
    public static func pri(_ severity: Rule.Severity) -> Int { facility * 8 + syslog(severity) }
}
