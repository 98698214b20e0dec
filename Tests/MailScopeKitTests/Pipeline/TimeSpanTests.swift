@testable import MailScopeKit
import Testing

@Suite struct TimeSpanTests {
    @Test(arguments: [("90d", Int64(7_776_000_000)), ("36h", 129_600_000), ("45m", 2_700_000), ("2w", 1_209_600_000), ("30s", 30_000), ("0", 0), (" 7D ", 604_800_000)])
    func spansAreReadInMilliseconds(text: String, ms: Int64) {
        #expect(TimeSpan(text)?.milliseconds == ms)
    }

    @Test(arguments: ["", "d", "7", "7 days", "-1d", "1.5d", "7y", "99999999d"])
    func anythingElseIsRejected(text: String) {
        #expect(TimeSpan(text) == nil)
    }
}
