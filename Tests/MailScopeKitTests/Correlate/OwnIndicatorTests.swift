import Testing
@testable import MailScopeKit

/// An indicator that names the organisation itself — its own domain, a sender or a URL in it,
/// as a compromised internal account's campaign gives — is context, never something to block.
@Suite struct OwnIndicatorTests {
    static let own: Set<String> = ["acme-corp.example"]

    @Test(arguments: [
        ("sender", "bjorn.lindqvist@acme-corp.example", true),
        ("sender", "bjorn@mail.acme-corp.example", true),
        ("sender", "it-support@acme-c0rp.example", false),
        ("sender_domain", "acme-corp.example", true),
        ("sender_domain", "eu.acme-corp.example", true),
        ("domain", "intranet.acme-corp.example", true),
        ("domain", "acme-corp.example.evil.example", false),
        ("url", "https://intranet.acme-corp.example/hr?x=1", true),
        ("url", "www.acme-corp.example/login", true),
        ("url", "login.acme-c0rp-secure.com/owa/auth.php", false),
        ("sha256", "ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83", false),
        ("sender_ip", "203.0.113.77", false),
    ])
    func ownIndicators(type: String, value: String, own: Bool) {
        #expect(IncidentBuilder.Scope.isOwn(IncidentBuilder.Indicator(type: type, value: value), ownDomains: Self.own) == own)
    }

    @Test func withoutKnownOwnDomainsNothingIsOwn() {
        #expect(!IncidentBuilder.Scope.isOwn(IncidentBuilder.Indicator(type: "sender_domain", value: "acme-corp.example"), ownDomains: []))
    }

    @Test func ownIndicatorsAreLeftOutOfEveryBlockList() {
        var row = ReportModel.IndicatorRow(type: "sender_domain", value: "acme-corp.example", incident: 5, recipients: 6, hosts: 0,
                                           firstSeen: nil, lastSeen: nil, feeds: nil)
        #expect(row.blockable)
        row.own = true
        #expect(!row.blockable)
    }
}
