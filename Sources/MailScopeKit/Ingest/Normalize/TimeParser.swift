import Foundation

/// Converts every date form found in Mimecast and EDR exports to UTC milliseconds since the
/// epoch, without Foundation's formatters (they are slow and `ISO8601DateFormatter` rejects
/// the `+0100` offsets Mimecast writes).
///
/// Forms: ISO 8601 with `T` or a space, 0–9 fractional digits, and `Z`, `+HH:MM`, `+HHMM`,
/// `+HH` or no zone (then the time is local to `defaultZone`, UTC unless told otherwise, and
/// read with the offset that zone had at that time);
/// US `M/D/YYYY, h:mm:ss[.fff] AM` (Sentinel and Defender portal exports); epoch seconds or
/// milliseconds as digits.
public enum TimeParser {
    /// The earliest and latest times accepted as plausible log times (1990 … 2100).
    public static let plausibleRange: ClosedRange<Int64> = 631_152_000_000...4_102_444_800_000

    /// Parses text; returns nil when it is no date form MailScope knows.
    public static func parse(_ text: String, defaultZone: TimeZoneOffsets = .utc, slashOrder: SlashDateOrder = .monthFirst) -> Int64? {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0, defaultZone: defaultZone, slashOrder: slashOrder) }
    }

    /// How to read `02/11/2026`: month first (US, as Sentinel and the Defender portal write)
    /// or day first (what Excel writes on most non-US systems).
    public enum SlashDateOrder: String, Sendable, CaseIterable {
        case monthFirst = "mdy", dayFirst = "dmy"
    }

    /// The first two numbers of a `N/N/YYYY …` date, to tell which order a file uses.
    public static func slashDateFields(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "/", maxSplits: 2)
        guard parts.count == 3, let a = Int(parts[0].trimmingCharacters(in: .whitespaces)), let b = Int(parts[1]),
              parts[2].prefix(4).allSatisfy(\.isNumber), parts[2].count >= 4 else { return nil }
        return (a, b)
    }

    /// Parses UTF-8 bytes; returns nil when they are no date form MailScope knows.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, defaultZone: TimeZoneOffsets = .utc, slashOrder: SlashDateOrder = .monthFirst) -> Int64? {
        var s = 0
        var e = bytes.count
        while s < e, bytes[s] == 0x20 { s += 1 }
        while e > s, bytes[e - 1] == 0x20 { e -= 1 }
        guard e > s else { return nil }
        let b = UnsafeBufferPointer(rebasing: bytes[s..<e])
        if b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return epochDigits(b)
        }
        if let v = epochSecondsWithFraction(b) { return v }
        if let v = iso(b, defaultZone: defaultZone) { return v }
        return usStyle(b, defaultZone: defaultZone, slashOrder: slashOrder)
    }

    /// Epoch digits: 13 digits (or more than 11) are milliseconds, up to 11 are seconds.
    /// Also accepts seconds with a fraction ("1625677502.233", CrowdStrike sensor time).
    static func epochDigits(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count <= 16, let v = Record.parseInt(b) else { return nil }
        return b.count >= 12 ? v : v * 1000
    }

    /// `1625677502.233`: epoch seconds with a fraction (CrowdStrike's sensor time).
    static func epochSecondsWithFraction(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let dot = b.firstIndex(of: UInt8(ascii: ".")), dot >= 9, dot <= 11, dot + 1 < b.count,
              b[..<dot].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), b[(dot + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let seconds = Record.parseInt(UnsafeBufferPointer(rebasing: b[..<dot])) else { return nil }
        var millis: Int64 = 0
        var digits = 0
        for c in b[(dot + 1)...] where digits < 3 {
            millis = millis * 10 + Int64(c - 0x30)
            digits += 1
        }
        while digits < 3 { millis *= 10; digits += 1 }
        return seconds * 1000 + millis
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        mutating func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += count
            return v
        }
        /// 1 or 2 digits.
        mutating func shortNumber() -> Int? {
            guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            var v = Int(b[i] - 0x30); i += 1
            if i < b.count, b[i] >= 0x30, b[i] <= 0x39 { v = v * 10 + Int(b[i] - 0x30); i += 1 }
            return v
        }
        mutating func eat(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        var atEnd: Bool { i >= b.count }
        var peek: UInt8? { i < b.count ? b[i] : nil }
    }

    private static func compose(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                                millis: Int, offsetSeconds: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return secs * 1000 + Int64(millis)
    }

    /// Reads a fraction ".123456789" as milliseconds (truncating beyond ms).
    private static func fraction(_ c: inout Cursor) -> Int {
        guard c.eat(".") || c.eat(",") else { return 0 }
        var ms = 0
        var count = 0
        while let d = c.peek, d >= 0x30, d <= 0x39 {
            if count < 3 { ms = ms * 10 + Int(d - 0x30) }
            count += 1
            c.i += 1
        }
        while count < 3 { ms *= 10; count += 1 }
        return ms
    }

    /// A time's zone as written: none, an offset, or something malformed.
    private enum WrittenZone {
        case none, offset(Int), malformed
    }

    /// Zone: Z, +HH:MM, +HHMM, +HH, UTC, or nothing.
    private static func zone(_ c: inout Cursor) -> WrittenZone {
        while c.eat(" ") {}
        if c.atEnd { return .none }
        if c.eat("Z") || c.eat("z") { return c.atEnd ? .offset(0) : .malformed }
        if c.peek == UInt8(ascii: "U"), c.b.count - c.i == 3,
           c.b[c.i + 1] == UInt8(ascii: "T"), c.b[c.i + 2] == UInt8(ascii: "C") { return .offset(0) }
        let sign: Int
        if c.eat("+") { sign = 1 } else if c.eat("-") { sign = -1 } else { return .malformed }
        guard let hh = c.digits(2) else { return .malformed }
        var mm = 0
        if !c.atEnd {
            _ = c.eat(":")
            guard let m = c.digits(2) else { return .malformed }
            mm = m
        }
        guard c.atEnd, hh <= 14, mm < 60 else { return .malformed }
        return .offset(sign * (hh * 3600 + mm * 60))
    }

    /// The UTC time of date and clock fields in `zone` as written, or local to `defaultZone`
    /// when none is written.
    private static func compose(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int,
                                zone: WrittenZone, defaultZone: TimeZoneOffsets) -> Int64? {
        switch zone {
        case .malformed: return nil
        case .offset(let offset):
            return compose(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis, offsetSeconds: offset)
        case .none:
            guard let local = compose(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis,
                                      offsetSeconds: 0) else { return nil }
            return defaultZone.utcMilliseconds(fromLocal: local)
        }
    }

    static func iso(_ b: UnsafeBufferPointer<UInt8>, defaultZone: TimeZoneOffsets) -> Int64? {
        var c = Cursor(b: b)
        guard let year = c.digits(4), c.eat("-"), let month = c.digits(2), c.eat("-"), let day = c.digits(2) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0
        var written = WrittenZone.none
        if !c.atEnd {
            guard c.eat("T") || c.eat("t") || c.eat(" ") else { return nil }
            guard let h = c.digits(2), c.eat(":"), let m = c.digits(2) else { return nil }
            hour = h; minute = m
            if c.eat(":") {
                guard let s = c.digits(2) else { return nil }
                second = s
                millis = fraction(&c)
            }
            written = zone(&c)
        }
        return compose(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis,
                       zone: written, defaultZone: defaultZone)
    }

    /// `10/28/2025, 9:24:48.633 AM` and `9/29/2025 8:06:08 PM` (month first, as Sentinel writes).
    /// With `.dayFirst`, `21/12/2023 19:04` (Excel on a day-first system).
    static func usStyle(_ b: UnsafeBufferPointer<UInt8>, defaultZone: TimeZoneOffsets, slashOrder: SlashDateOrder = .monthFirst) -> Int64? {
        var c = Cursor(b: b)
        guard let n1 = c.shortNumber(), c.eat("/"), let n2 = c.shortNumber(), c.eat("/"),
              let year = c.digits(4) else { return nil }
        let (month, day) = slashOrder == .monthFirst ? (n1, n2) : (n2, n1)
        _ = c.eat(",")
        guard c.eat(" ") else { return nil }
        while c.eat(" ") {}
        guard var hour = c.shortNumber(), c.eat(":"), let minute = c.digits(2) else { return nil }
        var second = 0, millis = 0
        if c.eat(":") {
            guard let s = c.digits(2) else { return nil }
            second = s
            millis = fraction(&c)
        }
        while c.eat(" ") {}
        if c.eat("A") || c.eat("a") {
            guard c.eat("M") || c.eat("m"), hour >= 1, hour <= 12 else { return nil }
            if hour == 12 { hour = 0 }
        } else if c.eat("P") || c.eat("p") {
            guard c.eat("M") || c.eat("m"), hour >= 1, hour <= 12 else { return nil }
            if hour != 12 { hour += 12 }
        }
        return compose(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis,
                       zone: zone(&c), defaultZone: defaultZone)
    }

    /// The UTC day number (days since 1970-01-01) of a time in milliseconds, rounding down.
    public static func utcDay(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000 }

    /// Formats milliseconds as ISO 8601 at an offset from UTC, with milliseconds
    /// (`2024-11-13T12:57:39.314+01:00`).
    public static func iso8601(_ ms: Int64, offsetSeconds: Int) -> String {
        let sign = offsetSeconds < 0 ? "-" : "+"
        let minutes = abs(offsetSeconds) / 60
        let suffix = "\(sign)\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
        return String(iso8601(ms + Int64(offsetSeconds) * 1000).dropLast()) + suffix
    }

    /// Formats milliseconds as ISO 8601 UTC with milliseconds (`2024-11-13T11:57:39.314Z`).
    public static func iso8601(_ ms: Int64) -> String {
        let totalSeconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - totalSeconds * 1000)
        var days = Int(totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400)
        let secondsOfDay = Int(totalSeconds - Int64(days) * 86_400)
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2)).\(pad(millis, 3))Z"
    }
}
