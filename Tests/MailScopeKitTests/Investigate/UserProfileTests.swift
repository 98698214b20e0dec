import Testing
@testable import MailScopeKit

/// `query user`'s sections from the Mimecast administration exports.
@Suite struct UserProfileTests {
    private func sections(_ user: String, period: InvestigationFilter = InvestigationFilter()) throws -> [String: InvestigationTable] {
        let loaded = try LoadedDatabase(["admin_exports.ndjson", "dlp_logs_page.json"].map { TestPaths.fixture("mimecast/" + $0) })
        let all = try UserProfile.run(loaded.db, user: user, period: period, top: 10, limit: 0)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0.table) })
    }

    @Test func aPersonsAuditArchiveAndDLPActivityIsShownWithEvidence() throws {
        let s = try sections("Helen.Price@acme-corp.example")
        #expect(s["admin_activity"]?.values("audit_type") == [.text("Logon Authentication Failed"), .text("User Logged On")])
        #expect(s["admin_activity"]?.values("evidence") == [.text(TestPaths.fixture("mimecast/admin_exports.ndjson") + ":1"),
                                                            .text(TestPaths.fixture("mimecast/admin_exports.ndjson") + ":2")])
        #expect(s["archive_access"]?.values("search_text") == [.text("<campaign-1@evil.example>")])
        #expect(s["dlp"]?.rows.count == 3)
        #expect(s["dlp"]?.values("evidence")?.contains(.text(TestPaths.fixture("mimecast/dlp_logs_page.json") + ":1#2")) == true)
        #expect(s["awareness"]?.rows.isEmpty == true)
    }

    @Test func theRecipientOfDLPMailSeesItAndThePeriodBoundsIt() throws {
        #expect(try sections("payroll@partner.example")["dlp"]?.rows.count == 3)
        var before = InvestigationFilter()
        before.until = TimeParser.parse("2026-11-03T00:00:00Z")
        let s = try sections("helen.price@acme-corp.example", period: before)
        #expect(s["dlp"]?.rows.isEmpty == true)
        #expect(s["admin_activity"]?.rows.count == 2)
    }
}
