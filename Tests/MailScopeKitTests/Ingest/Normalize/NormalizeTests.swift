import Testing
@testable import MailScopeKit

@Suite struct NormalizeTests {
    @Test(arguments: [
        ("John.Doe@Example.COM", "john.doe@example.com"),
        ("  <ana@acme-corp.example> ", "ana@acme-corp.example"),
        ("\"Doe, John\" <John@Example.com>", "john@example.com"),
        ("mailto:Raj@Example.com", "raj@example.com"),
    ])
    func emailsAreTrimmedUnbracketedAndLowercased(raw: String, expected: String) {
        #expect(EmailAddress.normalize(raw) == expected)
    }

    @Test func emptyAndBounceSendersAreNoAddress() {
        #expect(EmailAddress.normalize("<>") == nil)
        #expect(EmailAddress.normalize("") == nil)
        #expect(EmailAddress.normalize(nil) == nil)
        #expect(EmailAddress.domain("a@b.example") == "b.example")
    }

    @Test func theNullSenderIsKeptAsASenderWithoutDomain() {
        #expect(EmailAddress.normalizeSender("<>") == "<>")
        #expect(EmailAddress.normalizeSender(" <> ") == "<>")
        #expect(EmailAddress.normalizeSender("\u{3c}\u{3e}") == "<>")
        #expect(EmailAddress.domain(EmailAddress.normalizeSender("<>")) == nil)
        #expect(EmailAddress.normalizeSender("Bounce <MAILER-DAEMON@Example.org>") == "mailer-daemon@example.org")
        #expect(EmailAddress.normalizeSender("") == nil)
        #expect(EmailAddress.normalizeSender("< >") == nil)
    }

    @Test(arguments: [
        ("<4de314882ebce407-15188@hapi.b41.one>", "4de314882ebce407-15188@hapi.b41.one"),
        ("messageId@mssageId", "messageId@mssageId"),
        ("\\u003cABC@x.example\\u003e", "ABC@x.example"),
        ("\\u003eedfg345pf45@mail.gmail.com\\u003e", "edfg345pf45@mail.gmail.com"),
        ("  <Mixed.Case@X>  ", "Mixed.Case@X"),
    ])
    func messageIDsLoseBracketsButKeepCase(raw: String, expected: String) {
        #expect(MessageID.normalize(raw) == expected)
    }

    @Test func emptyMessageIDsAreNil() {
        #expect(MessageID.normalize("") == nil)
        #expect(MessageID.normalize("<>") == nil)
        #expect(MessageID.normalize(nil) == nil)
    }

    @Test(arguments: [
        ("HTTPS://Login.Example.COM/Path?Q=1", "https://login.example.com/Path?Q=1", "login.example.com", "example.com"),
        ("https://protect-eu.mimecast.com/s/AbCdEf?domain=login.acme-c0rp-secure.com", "https://login.acme-c0rp-secure.com/", "login.acme-c0rp-secure.com", "acme-c0rp-secure.com"),
        ("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example.co.uk%2Fx%3Fa%3D1&data=05", "https://evil.example.co.uk/x?a=1", "evil.example.co.uk", "example.co.uk"),
        ("https://urldefense.proofpoint.com/v2/url?u=https-3A__www.bad.example.org_login&d=DwMF", "https://www.bad.example.org/login", "www.bad.example.org", "example.org"),
        ("https://urldefense.com/v3/__https://pay.example.net/inv__;!!abc", "https://pay.example.net/inv", "pay.example.net", "example.net"),
        ("http%3A%2F%2Fwww.example.com%2Fa", "http://www.example.com/a", "www.example.com", "example.com"),
        ("http://user@192.0.2.5:8080/x", "http://user@192.0.2.5:8080/x", "192.0.2.5", "192.0.2.5"),
        ("www.example.com/login", "http://www.example.com/login", "www.example.com", "example.com"),
        ("https://evil.github.io/phish", "https://evil.github.io/phish", "evil.github.io", "evil.github.io"),
        ("https://www.google.com/url?q=https://g.example.org/a&sa=D", "https://g.example.org/a", "g.example.org", "example.org"),
        ("https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fprotect-us.mimecast.com%2Fs%2Fx%3Fdomain%3DInner.Example.com",
         "https://inner.example.com/", "inner.example.com", "example.com"),
        ("https://notgoogle.example/url?q=https://x.example/", "https://notgoogle.example/url?q=https://x.example/", "notgoogle.example", "notgoogle.example"),
    ])
    func urlsAreUnwrappedAndSplit(raw: String, url: String, host: String, domain: String) {
        let n = URLNormalizer.normalize(raw)
        #expect(n?.url == url)
        #expect(n?.host == host)
        #expect(n?.domain == domain)
        let short = URLNormalizer.hostAndDomain(raw)   // what an EDR row stores
        #expect(short?.host == host)
        #expect(short?.domain == domain)
    }

    @Test(arguments: [
        ("https://login.acme-c0rp-secure.com/owa/auth.php?session=Q1#top", "login.acme-c0rp-secure.com/owa/auth.php"),
        ("HTTPS://Login.Example.COM/A/B?x=1", "login.example.com/A/B"),
        ("http://user@192.0.2.5:8080/x?y", "user@192.0.2.5:8080/x"),
        ("https://example.com", "example.com"),
        ("https://example.com#frag?notquery", "example.com"),
    ])
    func urlResourceIsHostAndPathWithoutQuery(raw: String, resource: String) {
        #expect(URLNormalizer.normalize(raw)?.resource == resource)
    }

    @Test func urlsWithoutAHostHaveNoDomain() {
        let n = URLNormalizer.normalize("javascript:alert(1)")
        #expect(n?.resource == nil)
        #expect(n?.host == nil)
        #expect(n?.domain == nil)
    }

    @Test(arguments: [
        ("www.bbc.co.uk", "bbc.co.uk"), ("a.b.c.example.com", "example.com"), ("example.com", "example.com"),
        ("bar.foo.kawasaki.jp", "bar.foo.kawasaki.jp"), ("city.kawasaki.jp", "city.kawasaki.jp"), ("x.city.kawasaki.jp", "city.kawasaki.jp"),
        ("Mail.Example.COM.", "example.com"),
    ])
    func registrableDomainsFollowThePublicSuffixList(host: String, expected: String) {
        #expect(PublicSuffixList.shared.registrableDomain(host) == expected)
    }

    @Test func publicSuffixesAndAddressesHaveNoRegistrableDomain() {
        #expect(PublicSuffixList.shared.registrableDomain("co.uk") == nil)
        #expect(PublicSuffixList.shared.registrableDomain("com") == nil)
        #expect(PublicSuffixList.shared.registrableDomain("foo.kawasaki.jp") == nil)   // *.kawasaki.jp
        #expect(PublicSuffixList.shared.registrableDomain("10.0.0.1") == nil)
    }

    @Test func hashesAreLowercaseHexOfAKnownLength() {
        #expect(Hashes.normalize("CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        #expect(Hashes.normalize("0000000000000000000000000000000000000000") == nil)
        #expect(Hashes.normalize("xyz") == nil)
        #expect(Hashes.normalize("") == nil)
    }

    @Test func attachmentNameListsAreSplit() {
        #expect(FieldDecoding.attachmentNames("\"filename.docx\", \"filename2.xlsx\"") == ["filename.docx", "filename2.xlsx"])
        #expect(FieldDecoding.attachmentNames("\"a, b.pdf\"") == ["a, b.pdf"])
        #expect(FieldDecoding.attachmentNames("") == [])
        #expect(FieldDecoding.attachmentNames("[\"x.zip\"]") == ["x.zip"])
    }

    @Test func aggregateIDSuffixIsRemoved() {
        #expect(FieldDecoding.aggregateID("pZrAa9HUN-WmL2AK6cWduw_1731621818").normalized == "pZrAa9HUN-WmL2AK6cWduw")
        #expect(FieldDecoding.aggregateID("x0J66B7HOZCFDsdRtjBrdg").normalized == "x0J66B7HOZCFDsdRtjBrdg")
        #expect(FieldDecoding.aggregateID("e102e547-4a15-374c-b71d-66e2133bf1d2_1731510369").normalized == "e102e547-4a15-374c-b71d-66e2133bf1d2")
    }

    @Test func internalIPPlaceholderIsNotAnAddress() {
        #expect(Host.normalizedIP("Internal IP") == nil)
        #expect(Host.normalizedIP("81.2.69.144") == "81.2.69.144")
        #expect(Host.normalizedIP("2001:DB8::1") == "2001:db8::1")
    }

    @Test(arguments: [
        ("eur01.safelinks.protection.outlook.com", "safelinks.protection", true),
        ("safelinks.protection", "safelinks.protection", true),
        ("safelinks.protectio", "safelinks.protection", false),
        ("www.google.co.uk", "google.", true),
        ("google", "google.", false),
        ("", "google.", false),
        ("goo\u{301}gle.com", "google.", false),
        ("gööglé.google.", "google.", true),
    ])
    func hostBytesHoldAName(host: String, name: String, holds: Bool) {
        let needle: StaticString = name == "google." ? "google." : "safelinks.protection"
        #expect(URLNormalizer.holdsBytes(host, needle) == holds)
    }

    /// Byte shortcuts that must answer as the Unicode-aware calls they skip.
    @Test(arguments: ["", "ws-01.corp.example", "WS-01.Corp.Example", "ÉLÈVE", "élève", "İstanbul", "straße", "ΣΑΣ", "a\u{0}B", "~@[`{"])
    func lowercasingOnlyWhenNeededEqualsLowercased(_ text: String) {
        #expect(text.lowercasedIfNeeded == text.lowercased())
        #expect(Array(text.lowercasedIfNeeded.utf8) == Array(text.lowercased().utf8))
    }

    @Test(arguments: ["", " ", "x", " x", "x ", "\tx\r\n", "a b", "\u{A0}x\u{A0}", "\u{2003}y"])
    func trimmingOnlyWhenNeededEqualsTrimming(_ text: String) {
        #expect(text.trimmingASCIISpaceString() == String(Substring(text).trimmingASCIISpace()))
    }

    @Test(arguments: [
        ("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", true),
        ("CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB", false),
        ("d41d8cd98f00b204e9800998ecf8427e", true),
        ("00000000000000000000000000000000", false),
        ("d41d8cd98f00b204e9800998ecf8427", false),
        ("d41d8cd98f00b204e9800998ecf8427g", false),
        ("d41d8cd98f00b204 e9800998ecf8427e", false),
        ("", false),
    ])
    func hashesAlreadyNormalizedAreKept(text: String, normalized: Bool) {
        #expect(Hashes.isNormalized(text) == normalized)
        if normalized { #expect(Hashes.normalize(text) == text) }
        #expect(Hashes.normalize(text) == (normalized ? text : Hashes.normalize(text.uppercased())))
    }

    @Test(arguments: [nil, "", "  ", "javascript:alert(1)", "mailto:a@b.example", "https://[2001:db8::1]:443/x", "http://10.0.0.1/", "HTTP://Évil.Example./a"])
    func hostAndDomainEqualTheNormalizedURLs(raw: String?) {
        let n = URLNormalizer.normalize(raw)
        let short = URLNormalizer.hostAndDomain(raw)
        #expect((n == nil) == (short == nil))
        #expect(short?.host == n?.host)
        #expect(short?.domain == n?.domain)
    }
}
