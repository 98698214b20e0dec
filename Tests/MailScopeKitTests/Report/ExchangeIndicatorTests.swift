import Testing
@testable import MailScopeKit

/// How iocs.csv rows become STIX patterns and MISP attributes, and how sure MailScope is of them.
@Suite struct ExchangeIndicatorTests {
    @Test(arguments: [
        ("sha256", "ab12", "[file:hashes.'SHA-256' = 'ab12']", "sha256"),
        ("domain", "evil.example", "[domain-name:value = 'evil.example']", "domain"),
        ("sender_domain", "evil.example", "[domain-name:value = 'evil.example']", "domain"),
        ("url", "evil.example/x", "[url:value = 'evil.example/x']", "url"),
        ("ip", "198.51.100.7", "[ipv4-addr:value = '198.51.100.7']", "ip-dst"),
        ("sender_ip", "198.51.100.7", "[ipv4-addr:value = '198.51.100.7']", "ip-src"),
        ("ip", "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']", "ip-dst"),
        ("sender", "a@evil.example", "[email-addr:value = 'a@evil.example']", "email-src"),
        ("file_name", "inv.xlsm", "[file:name = 'inv.xlsm']", "filename"),
    ])
    func eachIndicatorTypeHasItsPatternAndMispType(type: String, value: String, pattern: String, misp: String) throws {
        let i = try #require(ExchangeIndicator(type: type, value: value))
        #expect(i.stixPattern == pattern)
        #expect(i.misp.type == misp)
    }

    @Test func anUnknownTypeIsNoIndicator() {
        #expect(ExchangeIndicator(type: "subject", value: "x") == nil)
    }

    @Test func quotesAndBackslashesAreEscapedInPatternLiterals() throws {
        #expect(ExchangeIndicator.stixString(#"a'b\c]"#) == #"'a\'b\\c]'"#)
        for value in [ExchangeModel.hostile, ExchangeModel.hostileURL, ExchangeModel.hostileFile, "\\", "'", "\\'", "]'"] {
            let pattern = try #require(ExchangeIndicator(type: "file_name", value: value)).stixPattern
            #expect(ExchangeModel.patternLiteral(pattern) == value, "\(pattern)")
        }
    }

    @Test(arguments: [
        (Set(["strong", "none"]), false, 85), (Set(["weak", "strong"]), true, 85), (Set(["none"]), true, 75), (Set<String>(), true, 75),
        (Set(["none"]), false, 60), (Set<String>(), false, 60), (Set(["weak"]), false, 40), (Set(["weak", "none"]), false, 60),
    ])
    func confidenceFollowsTheStrongestFindingNamingTheIndicator(strengths: Set<String>, feed: Bool, confidence: Int) {
        #expect(ExchangeIndicator.confidence(matchStrengths: strengths, inFeed: feed) == confidence)
    }
}
