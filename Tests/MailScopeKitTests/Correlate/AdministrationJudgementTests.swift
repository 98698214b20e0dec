import Foundation
import Testing
@testable import MailScopeKit

/// What an incident says about the administration steps around it (releases, allow entries,
/// console sign-ins after failures): severity, reasons, actions and title, from facts alone.
@Suite struct AdministrationJudgementTests {
    typealias F = IncidentFacts.Finding
    static let admin = "it.admin@acme-corp.example"
    static let attacker = "91.20.30.40"

    static func step(_ action: AdministrationStep.Action, role: AdministrationStep.Role = .admin, account: String? = admin,
                     ip: String? = nil, rule: String? = nil, detail: String = "detail", row: Int64 = 1) -> AdministrationStep {
        AdministrationStep(ts: 1_793_600_000_000 + row, account: account, role: role, action: action, detail: detail, sourceIP: ip, ruleID: rule,
                           evidence: EvidenceRow(table: action == .released ? "message_release" : "audit_event", rowid: row))
    }

    /// A console brute force: nothing mailed, one sign-in after failures.
    static func bruteForce(changes: Int) -> IncidentFacts {
        var f = IncidentFacts()
        f.findings = [F(ruleID: "MS-ADM-001", kind: .detection, severity: .high, user: admin, indicator: attacker)]
        f.ruleTitles = ["MS-ADM-001": "Admin console logon after repeated failures from one address (brute force)"]
        f.administrativeRuleIDs = ["MS-ADM-001"]
        f.administration = [step(.signedIn, ip: attacker, rule: "MS-ADM-001")]
            + (0..<changes).map { step(.change, ip: attacker, detail: "Permitted Sender Created: Sender: *@x.example", row: Int64(2 + $0)) }
        return f
    }

    /// A delivered, clicked campaign with an administration step beside it.
    static func campaign(_ steps: [AdministrationStep]) -> IncidentFacts {
        var f = IncidentFacts()
        f.findings = [F(ruleID: "MS-URL-001", kind: .vendor, severity: .high, user: "ana@acme-corp.example", sender: "billing@vendor-docs.example")]
        f.recipients = ["ana@acme-corp.example", "ben@acme-corp.example"]
        f.delivered = f.recipients
        f.reached = ["ana@acme-corp.example"]
        f.senders = ["billing@vendor-docs.example"]
        f.administration = steps
        return f
    }

    @Test func aBruteForcedSessionThatChangedSettingsIsCriticalAndOnlyWhenItChangedSomething() {
        let (quiet, quietWhy) = IncidentJudgement.severity(Self.bruteForce(changes: 0))
        #expect(quiet == .high)
        #expect(!quietWhy.contains { $0.contains("then made") })
        let (changed, why) = IncidentJudgement.severity(Self.bruteForce(changes: 2))
        #expect(changed == .critical)
        #expect(why.contains("a console account signed in after repeated failures and then made 2 changes (\(Self.admin))"))
    }

    @Test func aBruteForceIsAboutTheAccountNotAboutMail() {
        let f = Self.bruteForce(changes: 1)
        let actions = IncidentJudgement.actions(f)
        #expect(actions == ["Reset the password of \(Self.admin), revoke its sessions, enforce 2FA and block \(Self.attacker); undo the 1 change the session made (listed under Administration)"])
        // Nobody was mailed: no "every copy was stopped" and no "no copy was delivered".
        #expect(!actions.contains { $0.hasPrefix("No mailbox holds it") })
        #expect(!IncidentJudgement.severity(f).1.contains { $0.hasPrefix("no copy was delivered") })
        #expect(IncidentJudgement.title(f) == "Admin console logon after repeated failures from one address (brute force): \(Self.admin) from \(Self.attacker)")
        let none = IncidentJudgement.actions(Self.bruteForce(changes: 0))
        #expect(none.first?.hasSuffix("review the audit log for what the session changed") == true)
    }

    struct ActionCase: CustomTestStringConvertible, Sendable {
        var label: String
        var steps: [AdministrationStep]
        var expected: [String]
        var absent: [String] = []
        var testDescription: String { label }
    }

    static let actionCases: [ActionCase] = [
        ActionCase(label: "an allow entry is removed and its author asked",
                   steps: [step(.allowEntry, rule: "MS-ADM-003", detail: "Permitted Sender Created: Sender: *@vendor-docs.example")],
                   expected: ["Remove the allow entry \(admin) made on 2026-11-02T06:13:20.001Z (Permitted Sender Created: Sender: *@vendor-docs.example) and ask them why they made it"]),
        ActionCase(label: "an administrator's release is questioned",
                   steps: [step(.released, detail: "released the copy held for ana@acme-corp.example")],
                   expected: ["Ask \(admin) why they released the held copy; if they did not, treat their console account as compromised"]),
        ActionCase(label: "a recipient releasing their own copy is no one to question",
                   steps: [step(.released, role: .recipient, account: "ana@acme-corp.example")],
                   expected: [], absent: ["Ask ana@acme-corp.example why"]),
        ActionCase(label: "a sign-in no rule called brute force asks nothing of the account",
                   steps: [step(.signedIn, ip: attacker)], expected: [], absent: ["Reset the password of \(admin)"]),
    ]

    @Test(arguments: actionCases) func administrationActions(_ c: ActionCase) {
        let actions = IncidentJudgement.actions(Self.campaign(c.steps))
        for e in c.expected { #expect(actions.contains(e), "\(actions)") }
        for a in c.absent { #expect(!actions.contains { $0.hasPrefix(a) }, "\(actions)") }
        // The campaign's own actions stay.
        #expect(actions.contains { $0.hasPrefix("Purge the") })
    }

    @Test func allowEntriesAndAdminReleasesAreReasonsWithoutChangingTheSeverity() {
        let plain = IncidentJudgement.severity(Self.campaign([]))
        let f = Self.campaign([Self.step(.allowEntry, rule: "MS-ADM-003", detail: "White URL Created: URL: https://files.vendor-docs.example/, Action: permit"),
                               Self.step(.released, detail: "released the copy held for ben@acme-corp.example", row: 2)])
        let (level, why) = IncidentJudgement.severity(f)
        #expect(level == plain.0)
        #expect(why.contains("allow entry by \(Self.admin) before the campaign arrived: White URL Created: URL: https://files.vendor-docs.example/, Action: permit"))
        #expect(why.contains("\(Self.admin) released the copy held for ben@acme-corp.example"))
    }

    @Test func auditRowsMapToActionsAndRoles() {
        #expect(AdministrationStep.auditAction(type: "User Logged On", ruleID: "MS-ADM-001") == .signedIn)
        #expect(AdministrationStep.auditAction(type: "Logon Authentication Failed", ruleID: nil) == .signInFailures)
        #expect(AdministrationStep.auditAction(type: "Mimecast Support Login", ruleID: "MS-ADM-002") == .supportLogin)
        #expect(AdministrationStep.auditAction(type: "Permitted Sender Created", ruleID: "MS-ADM-003") == .allowEntry)
        #expect(AdministrationStep.auditAction(type: "Permitted Sender Created", ruleID: nil) == .change)
        #expect(AdministrationStep.auditRole(action: .supportLogin, application: "Administration Console") == .support)
        #expect(AdministrationStep.auditRole(action: .signedIn, application: "Administration Console") == .admin)
        #expect(AdministrationStep.auditRole(action: .signedIn, application: "Mimecast Personal Portal") == .account)
        #expect(AdministrationStep.auditRole(action: .change, application: nil) == .admin)
        let long = String(repeating: "x", count: 1000) + "\nsecond line"
        #expect(AdministrationStep.clip(long).count == AdministrationStep.detailLimit)
        #expect(!AdministrationStep.clip("a\nb").contains("\n"))
    }
    /// The URL host the graph matches a white-URL entry against, and the own-indicator check
    /// reads: lowercased, without scheme, credentials, port, path, query or fragment.
    @Test(arguments: [
        ("https://Files.Vendor-Docs.example/view/1?x=2#f", "files.vendor-docs.example"),
        ("http://user:pw@files.example:8443/x", "files.example"),
        ("files.example/path@not-userinfo", "files.example"),
        ("", nil),
    ] as [(String, String?)])
    func urlHosts(url: String, host: String?) {
        #expect(Host.ofURL(url) == host)
    }
}
