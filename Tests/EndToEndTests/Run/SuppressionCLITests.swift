import Foundation
import MailScopeKit
import Testing

/// `suppress:` in the nightly config: known-good entries whose findings are set aside before
/// the incidents are built, listed in the report's methodology with what each set aside.
@Suite(.serialized) struct SuppressionCLITests {
    typealias Setup = NightlyRunCLITests.Setup

    /// The scenario's "internal sender sent a malicious URL" incident is the canteen's recipe
    /// newsletter in this story. The domain entry sets aside the findings on its link; the
    /// Internal Email Protect hits on the same message name no link, so only the sender entry
    /// reaches them (an entry never reaches a finding through a message they share: a known-good
    /// link in a phishing mail must not hide the mail). Both entries remove the incident.
    static let list = """
        # known-good, reviewed monthly by the SOC
        - domain: harvest-table-recipes.example
          reason: the canteen's recipe newsletter, checked with IT on 2026-11-03
        - sender: bjorn.lindqvist@acme-corp.example
          reason: forwards the canteen's newsletter
        - sha256: 0f343b0931126a20f133d67c2b018a3b5fd0f8ab0b6e2c1e2c09e6d5c0a1b2c3
        """

    static func configure(_ setup: Setup, list: String) throws {
        try list.write(toFile: setup.dir + "/suppress.yml", atomically: true, encoding: .utf8)
        let config = try String(contentsOfFile: setup.config, encoding: .utf8)
        try (config + "suppress: suppress.yml\n").write(toFile: setup.config, atomically: true, encoding: .utf8)
    }

    @Test func suppressedFindingsRaiseNoIncidentOrAlertAndTheMethodologySaysWhatEachEntrySetAside() throws {
        let setup = try Setup("suppress")
        try Self.configure(setup, list: Self.list)
        try setup.deliver(NightlyRunCLITests.day1 + NightlyRunCLITests.day2)
        let run = try setup.run()
        #expect(run.status == 3, "the planted attacks still alert: \(run.stderr)")
        #expect(run.stderr.contains("suppression list: 3 entries from \(setup.dir)/suppress.yml"), "\(run.stderr)")
        #expect(run.stderr.contains(/findings? set aside by the suppression list/), "\(run.stderr)")
        #expect(!run.stderr.contains("harvest-table-recipes.example"), "no alert for the newsletter: \(run.stderr)")

        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.reports + "/latest/report.json"))) as? [String: Any])
        let keys = (report["incidents"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        #expect(!keys.isEmpty && !keys.contains { $0.contains("harvest-table-recipes") }, "\(keys)")
        let entries = try #require(report["suppressions"] as? [[String: Any]])
        #expect(entries.map { "\($0["kind"] ?? "") \($0["value"] ?? "") line \($0["line"] ?? "")" }
            == ["domain harvest-table-recipes.example line 2", "sender bjorn.lindqvist@acme-corp.example line 4",
                "sha256 0f343b0931126a20f133d67c2b018a3b5fd0f8ab0b6e2c1e2c09e6d5c0a1b2c3 line 6"])
        #expect(entries.first?["reason"] as? String == "the canteen's recipe newsletter, checked with IT on 2026-11-03")
        let byDomain = entries[0]["findings"] as? [[String: Any]] ?? []
        #expect(!byDomain.isEmpty && byDomain.allSatisfy { ($0["summary"] as? String)?.contains("harvest-table-recipes.example") == true }, "\(byDomain)")
        #expect(byDomain.allSatisfy { !(($0["evidence"] as? [[String: Any]]) ?? []).isEmpty }, "each with its evidence")
        let bySender = entries[1]["findings"] as? [[String: Any]] ?? []
        #expect(bySender.allSatisfy { $0["sender"] as? String == "bjorn.lindqvist@acme-corp.example" })
        #expect(Set(byDomain.compactMap { $0["id"] as? Int }).isSubset(of: bySender.compactMap { $0["id"] as? Int }),
                "a finding both entries match is listed under both")
        #expect(bySender.contains { $0["rule_id"] as? String == "MS-IEP-001" }, "the hits on the message itself")
        #expect((entries[2]["findings"] as? [Any])?.isEmpty == true)
        let setAside = Set((byDomain + bySender).compactMap { $0["id"] as? Int })
        try ReportCLITests.validateAgainstSchema(setup.reports + "/latest/report.json")
        let md = try String(contentsOfFile: setup.reports + "/latest/report.md", encoding: .utf8)
        #expect(md.contains("### Suppression list") && md.contains("`domain: harvest-table-recipes.example`"))
        let html = try String(contentsOfFile: setup.reports + "/latest/report.html", encoding: .utf8)
        #expect(html.contains("<h3 id=\"suppressions\">Suppression list</h3>"))

        // A rebuild without the file applies the stored list; the findings are still there.
        let detect = try CLI.run(["detect", "--db", setup.db])
        #expect(detect.status == 0, "\(detect.stderr)")
        #expect(detect.stdout.contains(/\d+ findings? set aside by the suppression list/), "\(detect.stdout)")
        let db = try Database(path: setup.db, mode: .readOnly)
        #expect(try db.scalar("SELECT COUNT(*) FROM incident WHERE key LIKE '%harvest-table-recipes%'")?.intValue == 0)
        #expect(try db.scalar("SELECT COUNT(*) FROM finding WHERE id IN (SELECT finding_id FROM finding_suppressed)")?.intValue == Int64(setAside.count),
                "set aside, not deleted")
    }

    @Test func aBadEntryStopsTheRunBeforeItLoadsAnythingNamingTheFileAndLine() throws {
        let setup = try Setup("suppress-bad")
        try Self.configure(setup, list: "- domain: harvest-table-recipes.example\n- sha256: not-a-hash\n  reason: typo\n")
        try setup.deliver(["siem_v1"])
        let run = try setup.run()
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(setup.dir)/suppress.yml:2: \"not-a-hash\" is not a SHA-256 (64 hexadecimal digits)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.db), "nothing was loaded")
    }
}
