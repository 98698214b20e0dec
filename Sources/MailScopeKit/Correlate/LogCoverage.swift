import Foundation

/// Which log types the database holds for which UTC days (`log_coverage`, kept by the
/// writer), so a conclusion that needs a log type can say "unknown" where that log is
/// missing instead of reading its absence as a negative ("no copy was delivered").
public struct LogCoverage: Sendable {
    /// Log type → the UTC days (`ts / 86400000`) it has rows for (mail logs, and EDR products
    /// over all their hosts).
    public private(set) var days: [String: Set<Int64>] = [:]
    /// EDR product → hosts seen.
    public private(set) var edrHosts: [String: Set<String>] = [:]

    public init() {}

    /// The held-message release log (`message_release`, by the release time).
    public static let messageRelease = "message_release"
    /// Cloud Integrated `entities` (receipts in `mail_message` of another product than the
    /// gateway, so a log of their own); its `mailflow` events are `mail_event:ci_mailflow`.
    public static let cloudIntegrated = "cloud_integrated"

    /// Reads `log_coverage` (a few rows per log type and day).
    public static func load(_ db: Database) throws -> LogCoverage {
        var coverage = LogCoverage()
        for r in try db.rows("SELECT log, host, day FROM log_coverage") {
            guard let log = r.text("log"), let day = r.int("day") else { continue }
            coverage.days[log, default: []].insert(day)
            if log.hasPrefix("edr:"), let host = r.text("host"), !host.isEmpty {
                coverage.edrHosts[String(log.dropFirst(4)), default: []].insert(host)
            }
        }
        return coverage
    }

    /// True when `log` has rows on the day of `ts`.
    public func covers(_ log: String, at ts: Int64) -> Bool { days[log]?.contains(TimeParser.utcDay(ts)) ?? false }

    /// A day as `2026-11-02`.
    public static func dayText(_ day: Int64) -> String { String(TimeParser.iso8601(day * 86_400_000).prefix(10)) }
}
