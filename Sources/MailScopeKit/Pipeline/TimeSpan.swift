import Foundation

/// A length of time written the way people write it on a command line or in a config file:
/// `90d`, `36h`, `45m`, `2w`, `30s`, or `0` for none. Used for the detection look-back and
/// `prune --older-than`.
public struct TimeSpan: Sendable, Equatable, CustomStringConvertible {
    public let milliseconds: Int64
    /// The text it was parsed from, so messages echo what the user wrote.
    public let text: String

    static let units: [(suffix: Character, ms: Int64)] = [("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]

    /// Parses `90d`, `36h`, `45m`, `2w`, `30s` or `0`; nil for anything else.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        self.text = t
        if t == "0" { milliseconds = 0; return }
        guard let last = t.last, let unit = Self.units.first(where: { $0.suffix == last }),
              let n = Int64(t.dropLast()), n >= 0, n <= 100_000 else { return nil }
        milliseconds = n * unit.ms
    }

    public var description: String { text }

    /// What a user may write, for error messages.
    public static let allowed = "a number followed by w, d, h, m or s, e.g. 90d, 36h, 30m (0 for none)"
}
