import Foundation

/// A time zone as MailScope applies it: a fixed offset (`+02:00`, `-0500`, `UTC`) or an IANA
/// zone (`Europe/Berlin`, `America/New_York`) whose offset changes with daylight saving and with
/// the zone's history. `--edr-tz` reads EDR times exported without a zone in it; `--display-tz`
/// shows report times in it.
///
/// An IANA zone's offsets are read once into a table of its changes from 1970 to 2100 (220 for
/// Europe/Berlin, read in under a millisecond). Converting a time is then a binary search in
/// that table, so the ingest hot path never calls the TimeZone API per row, and the table is
/// immutable, so parser threads share it without a lock. Measured (release build): loading
/// 274,000 zone-less MDE rows (128 MB) costs the same CPU time, 4.8 s, with `--edr-tz
/// Europe/Berlin`, with `+01:00`, and with the fixed offset before this type existed.
///
/// Local times around a change (`utcMilliseconds(fromLocal:)`), as java.time and Python's
/// zoneinfo read them:
/// - the hour repeated when clocks go back (Berlin, 2026-10-25 02:00–03:00) is read as its
///   first occurrence, still in summer time: 02:30 is 00:30 UTC, not 01:30 UTC;
/// - the hour skipped when clocks go forward (Berlin, 2026-03-29 02:00–03:00) never appears on
///   a correct clock; such a time is read with the offset before the change: 02:30 is 01:30 UTC
///   (03:30 summer time), so it keeps its place between 01:59 and 03:00.
public struct TimeZoneOffsets: Sendable, Equatable, CustomStringConvertible {
    /// The zone as the user gave it (`Europe/Berlin`, `+02:00`), recorded with the run and
    /// named in the reports.
    public let name: String
    /// The offset (seconds east of UTC) before the first change; a fixed zone's only offset.
    let firstOffset: Int
    /// The zone's offset changes from 1970 to 2100, in order.
    let changes: [Change]
    /// The IANA zone, asked directly only for times outside the table.
    let zone: TimeZone?

    /// One change of offset.
    struct Change: Sendable, Equatable {
        /// When the new offset starts, UTC milliseconds.
        var utc: Int64
        /// The offset from then on, seconds east of UTC.
        var offset: Int
        /// The first local wall-clock time (milliseconds, counted as if UTC) read with
        /// `offset`: the change's instant in the later of the two offsets, so a local time
        /// skipped or repeated around the change reads with the offset before it.
        var localStart: Int64
    }

    /// UTC: the default for both reading and showing times.
    public static let utc = TimeZoneOffsets(name: "UTC", fixedSeconds: 0)

    /// The times the change table covers (UTC milliseconds): 1970 to the end of the plausible
    /// log times (2100).
    static let tableRange: Range<Int64> = 0..<TimeParser.plausibleRange.upperBound

    /// A fixed offset, seconds east of UTC.
    public init(name: String, fixedSeconds: Int) {
        self.name = name
        firstOffset = fixedSeconds
        changes = []
        zone = nil
    }

    /// An IANA zone, its changes read once from the time zone database.
    public init(name: String, zone: TimeZone) {
        self.name = name
        self.zone = zone
        let start = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: Double(Self.tableRange.upperBound / 1000))
        firstOffset = zone.secondsFromGMT(for: start)
        var changes: [Change] = []
        var before = firstOffset
        var cursor = start
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end, next > cursor {
            let after = zone.secondsFromGMT(for: next)
            let utc = Int64((next.timeIntervalSince1970 * 1000).rounded())
            if after != before {
                changes.append(Change(utc: utc, offset: after, localStart: utc + Int64(max(before, after)) * 1000))
                before = after
            }
            cursor = next
        }
        self.changes = changes
    }

    /// True for UTC itself (`UTC`, `Z`, `+00:00`): times are shown as `…Z`.
    public var isUTC: Bool { zone == nil && firstOffset == 0 }

    public var description: String { name }

    /// The offset in force at a moment (UTC milliseconds), seconds east of UTC.
    public func offsetSeconds(atUTC ms: Int64) -> Int {
        if changes.isEmpty && zone == nil { return firstOffset }
        if let zone, !Self.tableRange.contains(ms) { return zone.secondsFromGMT(for: Date(milliseconds: ms)) }
        var low = 0, high = changes.count
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].utc <= ms { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? firstOffset : changes[low - 1].offset
    }

    /// The UTC moment (milliseconds) of a local wall-clock time in this zone (milliseconds,
    /// counted as if it were UTC), with the offset in force at that local time. See the type's
    /// comment for the skipped and repeated hours around a change.
    public func utcMilliseconds(fromLocal local: Int64) -> Int64 {
        if changes.isEmpty && zone == nil { return local - Int64(firstOffset) * 1000 }
        if let zone, !Self.tableRange.contains(local) {
            let guess = zone.secondsFromGMT(for: Date(milliseconds: local))
            return local - Int64(zone.secondsFromGMT(for: Date(milliseconds: local - Int64(guess) * 1000))) * 1000
        }
        var low = 0, high = changes.count
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].localStart <= local { low = mid + 1 } else { high = mid }
        }
        let offset = low == 0 ? firstOffset : changes[low - 1].offset
        return local - Int64(offset) * 1000
    }

    /// A moment as ISO 8601 in this zone with its offset (`2026-11-02T10:14:03.120+01:00`);
    /// in UTC, the `…Z` form report.json writes.
    public func iso8601(_ ms: Int64) -> String {
        isUTC ? TimeParser.iso8601(ms) : TimeParser.iso8601(ms, offsetSeconds: offsetSeconds(atUTC: ms))
    }
}

private extension Date {
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

// MARK: - Reading a zone from the command line or a config file

extension TimeZoneOffsets {
    /// A zone that cannot be used, saying what would do (the caller names the option).
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Reads `--edr-tz`, `--display-tz`, `edr_tz:`, `display_tz:` or a mapping's `time_zone:`:
    /// a fixed offset (`+02:00`, `-0500`, `+2`, `UTC`, `Z`, `GMT`) or an IANA zone name
    /// (`Europe/Berlin`, `America/New_York`, `Etc/GMT-3`). Abbreviations (`CET`, `EST`) are
    /// refused: `EST` is a fixed -05:00 all year in the time zone database, which is not what
    /// someone in New York means in July.
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = TimeZoneOption.offsetSeconds(trimmed) {
            self.init(name: trimmed, fixedSeconds: seconds)
            return
        }
        if trimmed.contains("/"), let zone = TimeZone(identifier: trimmed) {
            self.init(name: trimmed, zone: zone)
            return
        }
        throw ParseError(description: Self.refusal(trimmed))
    }

    /// Why `text` is no zone, with the name the user probably meant.
    static func refusal(_ text: String) -> String {
        let example = "give an IANA zone such as Europe/Berlin or America/New_York, or a fixed offset such as +02:00 or UTC"
        let known = TimeZone.knownTimeZoneIdentifiers
        if known.isEmpty {
            return "\"\(text)\" cannot be checked: no time zone database was found (Debian: apt-get install tzdata); give a fixed offset such as +02:00 or UTC"
        }
        if !text.contains("/"), let place = TimeZone.abbreviationDictionary[text.uppercased()] {
            return "\"\(text)\" is an abbreviation, not a zone: give the place's IANA zone (did you mean \(place)? it follows daylight saving) or a fixed offset such as +02:00"
        }
        if let guess = suggestion(text, known: known) {
            return "\"\(text)\" is not a time zone (did you mean \(guess)?): \(example)"
        }
        return "\"\(text)\" is not a time zone: \(example)"
    }

    /// The known zone `text` most likely means: the same name in another case, the city alone
    /// (`berlin`, `new york`), or a name within two typing mistakes.
    static func suggestion(_ text: String, known: [String]) -> String? {
        let wanted = text.lowercased().replacingOccurrences(of: " ", with: "_")
        guard !wanted.isEmpty else { return nil }
        if let same = known.first(where: { $0.lowercased() == wanted }) { return same }
        if let city = known.first(where: { $0.lowercased().hasSuffix("/" + wanted) }) { return city }
        let scored = known.map { ($0, LookalikeDomains.editDistance(Array($0.lowercased().utf8), Array(wanted.utf8))) }
        return scored.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }
}

/// Fixed offsets as `--edr-tz` first took them.
public enum TimeZoneOption {
    /// `+02:00`, `-0500`, `+2`, `UTC`, `Z`, `UTC+02:00` → seconds east of UTC.
    public static func offsetSeconds(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t == "UTC" || t == "Z" || t == "GMT" { return 0 }
        // "UTC+2" as people write it, east positive (the IANA name Etc/GMT+2 means UTC-2).
        if t.count > 3, t.hasPrefix("UTC") || t.hasPrefix("GMT") { t.removeFirst(3) }
        guard let sign = t.first, sign == "+" || sign == "-" else { return nil }
        let digits = t.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        let hours: Int, minutes: Int
        switch digits.count {
        case 1, 2: hours = Int(digits) ?? 99; minutes = 0
        case 4: hours = Int(digits.prefix(2)) ?? 99; minutes = Int(digits.suffix(2)) ?? 99
        default: return nil
        }
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "+" ? 1 : -1) * (hours * 3600 + minutes * 60)
    }
}
