/// What an incident's judgement is made from: plain values gathered from its scope (who
/// received, who was delivered, who went through, which hosts reached which stage, which rules
/// fired, what the indicators are and which logs are missing). `IncidentJudgement` turns them
/// into a severity with its reasons, the actions and a title; the facts hold no database, so
/// each decision is tested with tables of facts.
struct IncidentFacts: Sendable {
    /// A finding as the judgement sees it.
    struct Finding: Sendable {
        var id: Int64 = 0
        var ruleID: String
        var kind: Rule.Kind
        var severity: Rule.Severity
        var ts: Int64 = 0
        var user: String? = nil
        var sender: String? = nil
        var subject: String? = nil
        var indicator: String? = nil
    }

    var findings: [Finding] = []
    /// Rule id → title (what the reasons and titles quote).
    var ruleTitles: [String: String] = [:]
    /// ATT&CK techniques of the incident's rules.
    var techniques: Set<String> = []
    /// People who received a copy, whose copy was delivered, who went through (click allowed
    /// or warned, release, an endpoint trace), who clicked through a page Mimecast let pass.
    var recipients: [String] = []
    var delivered: [String] = []
    var reached: [String] = []
    var clickedThrough: [String] = []
    /// Recipients whose delivery no log covers, and those days (UTC day numbers).
    var deliveryUnknown: [String] = []
    var unknownDeliveryDays: [Int64] = []
    /// Host → furthest stage reached there, and its user.
    var hosts: [String: (stage: Rule.Stage, user: String?)] = [:]
    /// A clicked page was a credential-phishing page (category or evidence).
    var credentialPageSeen = false
    /// The campaign's clicked registrable domains, attachment hashes and file names.
    var domains: [String] = []
    var hashes: [String] = []
    var fileNames: [String] = []
    /// Indicators a threat-intel feed names: value and feeds.
    var intel: [(value: String, feeds: String)] = []
    /// Campaign-specific hashes and domains to block (shared infrastructure left out).
    var blockHashes: [String] = []
    var blockDomains: [String] = []
    /// Senders outside and inside the organisation.
    var externalSenders: [String] = []
    var internalSenders: [String] = []
    /// Message-ID → recipients whose copy was delivered.
    var deliveredCopies: [String: Set<String>] = [:]
    /// Every sender of the campaign's mail (for a title when no finding names one).
    var senders: [String] = []
    /// What accounts did around it, in time order (`AdministrationStep`).
    var administration: [AdministrationStep] = []
    /// Rule ids whose findings name an account that acted, not a recipient (audit, archive).
    var administrativeRuleIDs: Set<String> = []

    /// Console sign-ins MS-ADM-001 called a brute force that worked.
    var bruteForcedSignIns: [AdministrationStep] {
        administration.filter { $0.action == .signedIn && $0.ruleID == "MS-ADM-001" }
    }
    /// What the brute-forced accounts did next from the audit log (`AdministrationReader.session`:
    /// rows no rule cited, by an account that signed in after failures).
    var sessionChanges: [AdministrationStep] {
        let accounts = Set(bruteForcedSignIns.compactMap(\.account))
        return administration.filter { s in
            s.ruleID == nil && s.evidence.table == EventTable.auditEvent.rawValue && accounts.contains(s.account ?? "")
        }
    }

    /// Only administration findings: no mail reached anyone through this incident.
    var administrationOnly: Bool { recipients.isEmpty && !findings.isEmpty && ruleIDs.isSubset(of: administrativeRuleIDs) }

    var ruleIDs: Set<String> { Set(findings.map(\.ruleID)) }
    /// Only questions for the customer: nothing is called malicious or raised by clicks.
    var policyOnly: Bool { !findings.isEmpty && findings.allSatisfy { $0.kind == .duet } }
    var duetCount: Int { findings.filter { $0.kind == .duet }.count }
    /// Users who went through to a credential-phishing page (a reset is due).
    var credentialVictims: [String] {
        let credentialPage = credentialPageSeen || !ruleIDs.isDisjoint(with: ["MS-URL-070", "MS-DOM-002"]) || techniques.contains("T1598.003")
        return credentialPage && !domains.isEmpty ? clickedThrough : []
    }
    func hosts(atLeast stage: Rule.Stage) -> [String] {
        hosts.filter { $0.value.stage >= stage }.keys.sorted()
    }
    /// The sender most findings name.
    var mainSender: String {
        findings.compactMap(\.sender).reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            .max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? senders.sorted().first ?? "unknown sender"
    }
}
