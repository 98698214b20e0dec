import Testing
@testable import MailScopeKit

/// Zones for `--edr-tz` and `--display-tz`: IANA names read with the offset in force at each
/// time (across the 2026 daylight-saving changes), fixed offsets, and names that are refused.
@Suite struct TimeZoneOffsetsTests {
    static func zone(_ name: String) throws -> TimeZoneOffsets { try TimeZoneOffsets(parsing: name) }

    /// Local wall-clock times exported without a zone → UTC. Berlin changes on 2026-03-29
    /// (02:00 CET → 03:00 CEST) and 2026-10-25 (03:00 CEST → 02:00 CET); New York on
    /// 2026-03-08 and 2026-11-01.
    @Test(arguments: [
        ("Europe/Berlin", "2026-01-15 12:00:00", "2026-01-15T11:00:00.000Z"),     // winter, +01:00
        ("Europe/Berlin", "2026-07-15 12:00:00", "2026-07-15T10:00:00.000Z"),     // summer, +02:00
        ("Europe/Berlin", "2026-03-29 01:59:59", "2026-03-29T00:59:59.000Z"),     // last second of winter time
        ("Europe/Berlin", "2026-03-29 02:30:00", "2026-03-29T01:30:00.000Z"),     // skipped hour: offset before the change
        ("Europe/Berlin", "2026-03-29 03:00:00", "2026-03-29T01:00:00.000Z"),     // first summer-time minute
        ("Europe/Berlin", "2026-10-25 01:59:59", "2026-10-24T23:59:59.000Z"),     // summer time
        ("Europe/Berlin", "2026-10-25 02:00:00", "2026-10-25T00:00:00.000Z"),     // repeated hour: first occurrence (+02:00)
        ("Europe/Berlin", "2026-10-25 02:59:59", "2026-10-25T00:59:59.000Z"),
        ("Europe/Berlin", "2026-10-25 03:00:00", "2026-10-25T02:00:00.000Z"),     // winter time again
        ("America/New_York", "2026-03-08 01:30:00", "2026-03-08T06:30:00.000Z"),  // EST, -05:00
        ("America/New_York", "2026-03-08 03:30:00", "2026-03-08T07:30:00.000Z"),  // EDT, -04:00
        ("America/New_York", "2026-11-01 01:30:00", "2026-11-01T05:30:00.000Z"),  // repeated hour: first (EDT)
        ("America/New_York", "2026-11-01 02:30:00", "2026-11-01T07:30:00.000Z"),  // EST
        ("Asia/Kolkata", "2026-07-15 12:00:00", "2026-07-15T06:30:00.000Z"),      // no daylight saving, +05:30
        ("Europe/Moscow", "2012-07-01 12:00:00", "2012-07-01T08:00:00.000Z"),     // +04:00 all year 2011–2014
        ("Europe/Moscow", "2015-07-01 12:00:00", "2015-07-01T09:00:00.000Z"),     // +03:00 since 2014-10-26
        ("+02:00", "2026-01-15 12:00:00", "2026-01-15T10:00:00.000Z"),            // fixed offsets ignore the season
        ("-0500", "2026-07-15 12:00:00", "2026-07-15T17:00:00.000Z"),
        ("UTC", "2026-07-15 12:00:00", "2026-07-15T12:00:00.000Z"),
        ("UTC+2", "2026-07-15 12:00:00", "2026-07-15T10:00:00.000Z"),
    ])
    func localTimesBecomeUTCWithTheOffsetInForce(zone: String, local: String, utc: String) throws {
        let z = try Self.zone(zone)
        #expect(TimeParser.parse(local, defaultZone: z).map(TimeParser.iso8601) == utc)
    }

    /// A time that says its own offset keeps it, whatever the default zone.
    @Test func aWrittenOffsetWinsOverTheZone() throws {
        let berlin = try Self.zone("Europe/Berlin")
        #expect(TimeParser.parse("2026-07-15T12:00:00Z", defaultZone: berlin).map(TimeParser.iso8601) == "2026-07-15T12:00:00.000Z")
        #expect(TimeParser.parse("2026-07-15T12:00:00-05:00", defaultZone: berlin).map(TimeParser.iso8601) == "2026-07-15T17:00:00.000Z")
        #expect(TimeParser.parse("1625677502", defaultZone: berlin) == 1_625_677_502_000)
    }

    /// Day-first slash dates (Excel on a German system) go through the same zone.
    @Test func slashDatesAreLocalToTheZoneToo() throws {
        let berlin = try Self.zone("Europe/Berlin")
        #expect(TimeParser.parse("25/10/2026 03:30", defaultZone: berlin, slashOrder: .dayFirst).map(TimeParser.iso8601) == "2026-10-25T02:30:00.000Z")
        #expect(TimeParser.parse("24/10/2026 03:30", defaultZone: berlin, slashOrder: .dayFirst).map(TimeParser.iso8601) == "2026-10-24T01:30:00.000Z")
    }

    /// Every local time of a year round-trips through the zone's own offset, except in the
    /// hour skipped in spring; the table agrees with Foundation's TimeZone at every hour.
    @Test func theTableAgreesWithTheTimeZoneDatabaseAllYear() throws {
        let berlin = try Self.zone("Europe/Berlin")
        let zone = try #require(berlin.zone)
        let start: Int64 = 1_767_225_600_000   // 2026-01-01T00:00:00Z
        for hour in 0..<(366 * 24) {
            let utc = start + Int64(hour) * 3_600_000 + 1_800_000
            let offset = berlin.offsetSeconds(atUTC: utc)
            #expect(offset == zone.secondsFromGMT(for: .init(timeIntervalSince1970: Double(utc) / 1000)), "at \(TimeParser.iso8601(utc))")
            let local = utc + Int64(offset) * 1000
            // The second occurrence of the repeated hour reads as the first: an hour earlier.
            let expected = (1_792_890_000_000..<1_792_893_600_000).contains(utc) ? utc - 3_600_000 : utc
            #expect(berlin.utcMilliseconds(fromLocal: local) == expected, "local \(TimeParser.iso8601(local))")
        }
    }

    /// Report times in a display zone: ISO 8601 with the offset in force at that moment.
    @Test(arguments: [
        ("Europe/Berlin", Int64(1_793_610_843_120), "2026-11-02T10:14:03.120+01:00"),
        ("Europe/Berlin", Int64(1_784_110_443_120), "2026-07-15T12:14:03.120+02:00"),
        ("America/New_York", Int64(1_793_610_843_120), "2026-11-02T04:14:03.120-05:00"),
        ("America/New_York", Int64(1_784_110_443_120), "2026-07-15T06:14:03.120-04:00"),
        ("Asia/Kolkata", Int64(1_793_610_843_120), "2026-11-02T14:44:03.120+05:30"),
        ("UTC", Int64(1_793_610_843_120), "2026-11-02T09:14:03.120Z"),
        ("+00:00", Int64(1_784_110_443_120), "2026-07-15T10:14:03.120Z"),
        ("-03:30", Int64(1_793_610_843_120), "2026-11-02T05:44:03.120-03:30"),
    ])
    func momentsShowInTheZoneWithTheirOffset(zone: String, ms: Int64, text: String) throws {
        let z = try Self.zone(zone)
        #expect(z.iso8601(ms) == text)
        #expect(TimeParser.parse(text) == ms)
    }

    /// What a user might type instead of a zone, and what they are told.
    @Test(arguments: [
        ("Europe/Berln", "\"Europe/Berln\" is not a time zone (did you mean Europe/Berlin?): give an IANA zone such as Europe/Berlin or America/New_York, or a fixed offset such as +02:00 or UTC"),
        ("europe/berlin", "(did you mean Europe/Berlin?)"),
        ("Berlin", "(did you mean Europe/Berlin?)"),
        ("new york", "(did you mean America/New_York?)"),
        ("CET", "\"CET\" is an abbreviation, not a zone: give the place's IANA zone (did you mean Europe/Paris? it follows daylight saving) or a fixed offset such as +02:00"),
        ("EST", "(did you mean America/New_York? it follows daylight saving)"),
        ("Mars/Olympus_Mons", "\"Mars/Olympus_Mons\" is not a time zone: give an IANA zone such as Europe/Berlin"),
        ("+25:00", "\"+25:00\" is not a time zone"),
        ("", "\"\" is not a time zone"),
    ])
    func namesThatAreNoZoneAreRefusedWithWhatWouldDo(text: String, message: String) {
        #expect(throws: TimeZoneOffsets.ParseError.self) { try TimeZoneOffsets(parsing: text) }
        do {
            _ = try TimeZoneOffsets(parsing: text)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func fixedOffsetsReadAsBefore() {
        #expect(TimeZoneOption.offsetSeconds("+0530") == 19_800)
        #expect(TimeZoneOption.offsetSeconds("-05:00") == -18_000)
        #expect(TimeZoneOption.offsetSeconds("+2") == 7_200)
        #expect(TimeZoneOption.offsetSeconds("UTC") == 0)
        #expect(TimeZoneOption.offsetSeconds("Z") == 0)
        #expect(TimeZoneOption.offsetSeconds("UTC-3") == -10_800)
        #expect(TimeZoneOption.offsetSeconds("Mars") == nil)
    }

    /// The name is kept as given, for the run record and the reports.
    @Test func theNameIsKeptAsGiven() throws {
        #expect(try Self.zone("Europe/Berlin").name == "Europe/Berlin")
        #expect(try Self.zone(" +02:00 ").name == "+02:00")
        #expect(try Self.zone("Etc/GMT-3").offsetSeconds(atUTC: 0) == 10_800)
        #expect(try Self.zone("UTC").isUTC)
        #expect(try !Self.zone("Europe/London").isUTC)
    }
}
