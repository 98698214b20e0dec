import Foundation
import Testing
@testable import MailScopeKit

/// Severity, actions and titles decided from facts alone, one table per decision.
@Suite struct IncidentJudgementTests {
    typealias F = IncidentFacts.Finding

    static let attachmentVerdict = F(ruleID: "MS-ATT-001", kind: .vendor, severity: .high, sender: "billing@halvorsen-billing.example")
    static let gamblingQuestion = F(ruleID: "MS-URL-021", kind: .duet, severity: .low, user: "ana.lima@acme-corp.example",
                                    sender: "offers@lucky-spin.example", indicator: "lucky-spin.example")
    static let burst = F(ruleID: "MS-MSG-010", kind: .detection, severity: .medium, sender: "it@acme-c0rp.example")

    /// Facts of a small campaign: three recipients, two delivered.
    static func campaign(_ findings: [F], _ edit: (inout IncidentFacts) -> Void = { _ in }) -> IncidentFacts {
        var f = IncidentFacts()
        f.findings = findings
        f.ruleTitles = ["MS-URL-021": "User continued past a policy warning page to a site Mimecast scanned clean",
                        "MS-ATT-001": "Attachment Protect judged an attachment malicious and the message reached the user"]
        f.recipients = ["a@acme-corp.example", "b@acme-corp.example", "c@acme-corp.example"]
        f.delivered = ["a@acme-corp.example", "b@acme-corp.example"]
        f.senders = findings.compactMap(\.sender)
        edit(&f)
        return f
    }

    struct SeverityCase: CustomTestStringConvertible, Sendable {
        var label: String
        var facts: IncidentFacts
        var expected: Rule.Severity
        var reason: String?
        var testDescription: String { label }
    }

    static let severityCases: [SeverityCase] = [
        SeverityCase(label: "a vendor verdict, delivered: the rule's severity", facts: campaign([attachmentVerdict]), expected: .high,
                     reason: "highest rule severity high (MS-ATT-001)"),
        SeverityCase(label: "execution on a host is critical", facts: campaign([attachmentVerdict]) { $0.hosts = ["ws-1": (.execution, "a@acme-corp.example")] },
                     expected: .critical, reason: "executed on 1 host (ws-1)"),
        SeverityCase(label: "command-and-control is critical and says so",
                     facts: campaign([attachmentVerdict]) { $0.hosts = ["ws-1": (.commandAndControl, nil)] },
                     expected: .critical, reason: "command-and-control from 1 host (ws-1)"),
        SeverityCase(label: "a download without execution is high", facts: campaign([burst]) { $0.hosts = ["ws-2": (.download, nil)] },
                     expected: .high, reason: "payload downloaded on 1 host (ws-2)"),
        SeverityCase(label: "a policy question stays at its own level though the user went through",
                     facts: campaign([gamblingQuestion]) { $0.reached = ["ana.lima@acme-corp.example"]; $0.delivered = ["ana.lima@acme-corp.example"] },
                     expected: .low, reason: "only questions for the customer (DUET): no rule judged it malicious"),
        SeverityCase(label: "a policy question to ten mailboxes is not raised",
                     facts: campaign([gamblingQuestion]) { f in f.delivered = (1...10).map { "u\($0)@acme-corp.example" }; f.recipients = f.delivered },
                     expected: .low, reason: "broad: 10 mailboxes received it"),
        SeverityCase(label: "the same clicks on a detection are high", facts: campaign([burst]) { $0.reached = ["a@acme-corp.example"] },
                     expected: .high, reason: "1 user clicked through, released or opened it (a@acme-corp.example)"),
        SeverityCase(label: "a credential-phishing page reached is critical",
                     facts: campaign([burst]) { $0.credentialPageSeen = true; $0.domains = ["acme-c0rp.example"]; $0.clickedThrough = ["b@acme-corp.example"] },
                     expected: .critical, reason: "credential-phishing page reached by 1 user (b@acme-corp.example)"),
        SeverityCase(label: "a threat-intel match raises one level",
                     facts: campaign([burst]) { $0.delivered = []; $0.intel = [("acme-c0rp.example", "partner-misp")] },
                     expected: .high, reason: "threat-intel match: acme-c0rp.example (partner-misp)"),
        SeverityCase(label: "unknown delivery is at least medium and says which day",
                     facts: campaign([F(ruleID: "MS-AV-001", kind: .vendor, severity: .low)]) { $0.delivered = []; $0.deliveryUnknown = ["c@acme-corp.example"]; $0.unknownDeliveryDays = [20759] },
                     expected: .medium, reason: "delivery unknown for 1 of 3 recipients: no delivery logs for 2026-11-02"),
        SeverityCase(label: "stopped everywhere, with the delivery logs: the rule's low",
                     facts: campaign([F(ruleID: "MS-AV-001", kind: .vendor, severity: .low)]) { $0.delivered = [] },
                     expected: .low, reason: "no copy was delivered (3 recipients targeted)"),
    ]

    @Test(arguments: severityCases)
    func severityComesFromNamedFacts(_ c: SeverityCase) {
        let (level, reasons) = IncidentJudgement.severity(c.facts)
        #expect(level == c.expected, "\(c.label): \(level) — \(reasons)")
        if let reason = c.reason { #expect(reasons.contains(reason), "\(c.label): \(reasons)") }
        // Every raise over the highest rule severity has its reason written down.
        let floor = c.facts.findings.map { $0.kind == .duet ? min($0.severity, .medium) : $0.severity }.max() ?? .info
        if level > floor { #expect(reasons.count > 1, "\(c.label): raised without a reason") }
    }

    struct ActionCase: CustomTestStringConvertible, Sendable {
        var label: String
        var facts: IncidentFacts
        var present: [String]
        var absent: [String] = []
        var testDescription: String { label }
    }

    static let actionCases: [ActionCase] = [
        ActionCase(label: "purge counts delivered copies and names them",
                   facts: campaign([attachmentVerdict]) { $0.deliveredCopies = ["m1@x": ["a@acme-corp.example", "b@acme-corp.example"]] },
                   present: ["Purge the 2 delivered copies from the 2 mailboxes it reached (Message-ID m1@x)"]),
        ActionCase(label: "a copy without a Message-ID is counted apart",
                   facts: campaign([attachmentVerdict]) { $0.deliveredCopies = ["m1@x": ["a@acme-corp.example"]] },
                   present: ["Purge the 2 delivered copies from the 2 mailboxes it reached (Message-ID m1@x; 1 with no Message-ID in the logs: find it by sender and subject)"]),
        ActionCase(label: "isolate where it ran, naming the user",
                   facts: campaign([attachmentVerdict]) { $0.hosts = ["ws-1": (.execution, "a@acme-corp.example")] },
                   present: ["Isolate and investigate the host where it ran: ws-1 (a@acme-corp.example)"]),
        ActionCase(label: "reset for credential phishing",
                   facts: campaign([burst]) { $0.credentialPageSeen = true; $0.domains = ["acme-c0rp.example"]; $0.clickedThrough = ["b@acme-corp.example"] },
                   present: ["Reset the passwords and revoke the sessions of b@acme-corp.example; review their sign-ins"]),
        ActionCase(label: "no reset without a credential page",
                   facts: campaign([burst]) { $0.domains = ["acme-c0rp.example"]; $0.clickedThrough = ["b@acme-corp.example"] },
                   present: [], absent: ["Reset the passwords"]),
        ActionCase(label: "a policy question asks first; the rest waits for the answer",
                   facts: campaign([gamblingQuestion]) { $0.blockDomains = ["lucky-spin.example"] },
                   present: ["Ask the customer the 1 DUET question", "If the customer did not expect it: block lucky-spin.example at the web proxy and DNS"],
                   absent: ["Block lucky-spin.example"]),
        ActionCase(label: "unknown delivery is something to find out, never 'no action'",
                   facts: campaign([burst]) { $0.delivered = []; $0.deliveryUnknown = ["a@acme-corp.example"]; $0.unknownDeliveryDays = [20759] },
                   present: ["Find out whether a@acme-corp.example received it: the delivery logs for 2026-11-02 are not in the data; purge any copy found"],
                   absent: ["No mailbox holds it"]),
        ActionCase(label: "all stopped, with the logs: no action on the recipients",
                   facts: campaign([burst]) { $0.delivered = [] },
                   present: ["No mailbox holds it: every copy was stopped; no action on the recipients is needed"]),
        ActionCase(label: "only campaign-specific indicators are blocked",
                   facts: campaign([attachmentVerdict]) { $0.blockHashes = ["ca9d"]; $0.blockDomains = [] },
                   present: ["Block SHA-256 ca9d on endpoints and the mail gateway"], absent: ["at the web proxy"]),
    ]

    @Test(arguments: actionCases)
    func actionsCountWhatIsTrue(_ c: ActionCase) {
        let actions = IncidentJudgement.actions(c.facts)
        for p in c.present { #expect(actions.contains(p), "\(c.label): \(actions)") }
        for a in c.absent { #expect(!actions.contains { $0.hasPrefix(a) }, "\(c.label): \(actions)") }
    }

    @Test(arguments: [
        ("a policy question says what was seen", campaign([gamblingQuestion]) { $0.domains = ["lucky-spin.example"] },
         "User continued past a policy warning page to a site Mimecast scanned clean: lucky-spin.example"),
        ("an attachment with a hash", campaign([attachmentVerdict]) { $0.hashes = ["ca9d"]; $0.fileNames = ["INV-1.xlsm"] },
         "Malicious attachment INV-1.xlsm from billing@halvorsen-billing.example"),
        ("a clicked domain", campaign([burst]) { $0.domains = ["acme-c0rp.example"] }, "Malicious link to acme-c0rp.example from it@acme-c0rp.example"),
        ("impersonation", campaign([F(ruleID: "MS-IMP-020", kind: .detection, severity: .high, sender: "ceo@free.example", subject: "Wire")]),
         "Impersonation: \"Wire\" from ceo@free.example"),
    ] as [(String, IncidentFacts, String)])
    func titlesSayWhatWasSeen(label: String, facts: IncidentFacts, expected: String) {
        #expect(IncidentJudgement.title(facts) == expected, "\(label)")
        if facts.policyOnly { #expect(!IncidentJudgement.title(facts).lowercased().contains("malicious")) }
    }
}
