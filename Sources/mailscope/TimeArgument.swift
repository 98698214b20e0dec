import ArgumentParser
import Foundation
import MailScopeKit

/// A point in time on the command line (`--since`, `--until`, `prune --before`): a date
/// `2026-11-02` (midnight UTC), an ISO 8601 time `2026-11-02T09:30:00Z` or with an offset, or
/// epoch seconds / milliseconds.
struct TimeArgument: ExpressibleByArgument, Sendable {
    let milliseconds: Int64

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let isDate = text.count == 10 && text.split(separator: "-").count == 3
        guard let ms = TimeParser.parse(isDate ? text + "T00:00:00Z" : text) else { return nil }
        milliseconds = ms
    }

    static var defaultValueDescription: String { "2026-11-02 or 2026-11-02T09:30:00Z" }
}

/// A length of time on the command line (`--lookback 7d`, `prune --older-than 90d`).
extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Rule.Severity: ExpressibleByArgument {}
