import Foundation
import MailScopeKit
import Testing

/// A policy or awareness event is a question for the customer, never a malicious-link
/// incident: a user who continued past a category warning on a URL Mimecast scanned clean.
@Suite struct PolicyEventIncidentTests {
    /// A TTP URL log line as Mimecast writes it: warn page, clean verdict, category Gambling.
    static let gamblingClick = #"{"userEmailAddress":"ana.lima@acme-corp.example","fromUserEmailAddress":"offers@lucky-spin-casino.example","url":"https://www.lucky-spin-casino.example/promo","ttpDefinition":"Default Inbound URL Protect Definition","subject":"Your weekend bonus","action":"warn","adminOverride":"N/A","userOverride":"None","scanResult":"clean","category":"Gambling","sendingIp":"203.0.113.80","userAwarenessAction":"Continue","date":"2026-11-02T09:15:02+0000","actions":"Allow","route":"inbound","creationMethod":"User Click","emailPartsDescription":["Body"],"messageId":"<bonus-1@lucky-spin-casino.example>"}"#

    @Test func continuingPastACategoryWarningIsADuetQuestionNotAMaliciousLink() throws {
        let dir = CLI.scratch()
        try (Self.gamblingClick + "\n").write(toFile: dir + "/ttp_url_clicks.json", atomically: true, encoding: .utf8)
        let db = dir + "/case.db"
        let result = try CLI.run(["run", "--input", dir + "/ttp_url_clicks.json", "--db", db, "--out", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-URL-010'")?.intValue == 0)
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-URL-021'")?.intValue == 1)
        let incident = try #require(try database.query("SELECT title, severity FROM incident").first)
        let title = incident[0].stringValue ?? ""
        #expect(!title.lowercased().contains("malicious"), "\(title)")
        #expect(title.hasPrefix("User continued past a policy warning page"), "\(title)")
        #expect(title.hasSuffix("lucky-spin-casino.example"), "\(title)")
        #expect(["info", "low", "medium"].contains(incident[1].stringValue ?? ""), "a policy event alone rose to \(incident[1].stringValue ?? "?")")
        let actions = try database.query("SELECT text FROM incident_note WHERE kind = 'action' ORDER BY seq").compactMap { $0[0].stringValue }
        #expect(actions.first == "Ask the customer the 1 DUET question")
        #expect(actions.dropFirst().allSatisfy { $0.hasPrefix("If the customer did not expect it: ") }, "\(actions)")
        let report = try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8)
        #expect(report.contains("Did you expect ana.lima@acme-corp.example to continue past the policy warning to lucky-spin-casino.example?"))
        #expect(!report.contains("Mimecast blocked it"))
    }

    /// The same click on a page Mimecast called phishing is a threat: the user may have typed a
    /// password there, so the reset comes with it even without credential-theft evidence.
    @Test func continuingPastAPhishingWarningAsksForAPasswordReset() throws {
        let dir = CLI.scratch()
        let phishing = Self.gamblingClick.replacingOccurrences(of: #""scanResult":"clean","category":"Gambling""#,
                                                               with: #""scanResult":"malicious","category":"Phishing & Fraud""#)
        #expect(phishing != Self.gamblingClick)
        try (phishing + "\n").write(toFile: dir + "/ttp_url_clicks.json", atomically: true, encoding: .utf8)
        let db = dir + "/case.db"
        let result = try CLI.run(["run", "--input", dir + "/ttp_url_clicks.json", "--db", db, "--out", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-URL-070'")?.intValue == 0)
        let incident = try #require(try database.query("SELECT title, severity FROM incident").first)
        #expect(incident[0].stringValue?.hasPrefix("Malicious link to lucky-spin-casino.example") == true, "\(incident[0])")
        let actions = try database.query("SELECT text FROM incident_note WHERE kind = 'action' ORDER BY seq").compactMap { $0[0].stringValue }
        #expect(actions.contains { $0.hasPrefix("Reset the passwords and revoke the sessions of ana.lima@acme-corp.example") }, "\(actions)")
    }
}
