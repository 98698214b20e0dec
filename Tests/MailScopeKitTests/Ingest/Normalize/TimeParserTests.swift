import Testing
@testable import MailScopeKit

@Suite struct TimeParserTests {
    @Test(arguments: [
        ("1731499059314", Int64(1_731_499_059_314)),                       // v2 epoch ms
        ("1625677502", Int64(1_625_677_502_000)),                          // epoch seconds
        ("2017-05-26T16:47:41+0100", Int64(1_495_813_661_000)),            // legacy SIEM, offset without colon
        ("2022-05-23T12:20:44-0400", Int64(1_653_322_844_000)),
        ("2021-10-16T14:07:38+0000", Int64(1_634_393_258_000)),            // TTP
        ("2021-10-29T15:07:26.653Z", Int64(1_635_520_046_653)),            // STIX
        ("2025-10-22T18:07:16.0000000+00:00", Int64(1_761_156_436_000)),   // Sentinel, 7 fraction digits
        ("2023-12-21T19:04:59.0109752Z", Int64(1_703_185_499_010)),        // MDE
        ("2026-11-02 06:30:00", Int64(1_793_601_000_000)),                 // space, no zone → UTC
        ("2026-11-02T06:30:00+05:30", Int64(1_793_581_200_000)),
        ("10/28/2025, 9:24:48.633 AM", Int64(1_761_643_488_633)),          // Sentinel US form
        ("9/29/2025, 8:06:08.000 PM", Int64(1_759_176_368_000)),
        ("12/1/2025 12:00:00 AM", Int64(1_764_547_200_000)),               // midnight
        ("2024-02-29T00:00:00Z", Int64(1_709_164_800_000)),                // leap day
        ("1625677502.233", Int64(1_625_677_502_233)),                      // CrowdStrike ContextTimeStamp
    ])
    func parsesEveryExportedDateForm(text: String, expected: Int64) {
        #expect(TimeParser.parse(text) == expected)
    }

    @Test(arguments: ["", "yesterday", "2021-13-01T00:00:00Z", "2021-02-30T00:00:00Z", "2021-10-16T25:00:00Z",
                      "2021-10-16T14:07:38+2500", "2021-10-16T14:07:38 nonsense", "13/45/2025, 9:24:48 AM", "12345678901234567890"])
    func rejectsMalformedDates(text: String) {
        #expect(TimeParser.parse(text) == nil)
    }

    @Test func honoursADefaultZoneForZonelessTimes() {
        let plusOne = TimeZoneOffsets(name: "+01:00", fixedSeconds: 3600)
        #expect(TimeParser.parse("2026-11-02 06:30:00", defaultZone: plusOne) == 1_793_597_400_000)
        #expect(TimeParser.parse("2026-11-02", defaultZone: plusOne) == 1_793_574_000_000)
        #expect(TimeParser.parse("2026-11-02T06:30:00Z", defaultZone: plusOne) == 1_793_601_000_000)
    }

    @Test func formatsISO8601AtAnOffset() {
        #expect(TimeParser.iso8601(1_731_499_059_314, offsetSeconds: 3600) == "2024-11-13T12:57:39.314+01:00")
        #expect(TimeParser.iso8601(1_731_499_059_314, offsetSeconds: -34_200) == "2024-11-13T02:27:39.314-09:30")
        #expect(TimeParser.iso8601(1_731_499_059_314, offsetSeconds: 0) == "2024-11-13T11:57:39.314+00:00")
    }

    @Test func formatsISO8601RoundTrip() {
        for ms: Int64 in [0, 1_793_601_000_123, 951_782_400_000, -86_400_000] {
            #expect(TimeParser.parse(TimeParser.iso8601(ms)) == ms)
        }
        #expect(TimeParser.iso8601(1_731_499_059_314) == "2024-11-13T11:57:39.314Z")
    }
}
