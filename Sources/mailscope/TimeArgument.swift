import ArgumentParser
import Foundation
import MailScopeKit

/// A point in time on the command line (`--since`, `--until`, `prune --before`): a date
/// `2026-11-02`, an ISO 8601 time `2026-11-02T09:30:00Z` or with an offset, or epoch seconds /
/// milliseconds. As a start, a bare date is its midnight (UTC); as an end (`--until`), it
/// includes the whole day — the same reading `query` gives it.
struct TimeArgument: ExpressibleByArgument, Sendable {
    let text: String
    /// The first millisecond the argument names.
    let start: Int64
    /// The last millisecond it names (a bare date: 23:59:59.999 of that day).
    let endInclusive: Int64

    init?(argument: String) {
        guard let start = try? InvestigationFilter.time(argument, option: "", endOfPeriod: false),
              let end = try? InvestigationFilter.time(argument, option: "", endOfPeriod: true) else { return nil }
        text = argument
        self.start = start
        endInclusive = end - 1
    }

    static var defaultValueDescription: String { "2026-11-02 or 2026-11-02T09:30:00Z" }
}

/// A length of time on the command line (`--lookback 7d`, `prune --older-than 90d`).
extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Rule.Severity: ExpressibleByArgument {}
