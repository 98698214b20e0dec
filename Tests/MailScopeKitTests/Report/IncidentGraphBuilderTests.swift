import Foundation
import Testing
@testable import MailScopeKit

/// The incident graph is built from the evidence alone: the mail (sender, messages by subject,
/// recipients and what became of each copy), the clicks, the computers and the process chain
/// that followed — each edge naming the rules and time it rests on, weak links marked weak.
@Suite struct IncidentGraphBuilderTests {
    static let start: Int64 = 1_793_613_600_000  // 2026-11-02T10:00:00Z
    static let sender = "billing@halvorsen-billing.example"
    static let subject = "Invoice INV-88341 overdue"

    static func finding(_ id: Int64, _ rule: String, minutes: Int64, stage: Rule.Stage, user: String?, host: String? = nil,
                        strength: String? = nil, evidence: [ReportModel.Evidence] = []) -> ReportModel.Finding {
        ReportModel.Finding(id: id, ruleId: rule, ruleVersion: 1, kind: host == nil ? .detection : .correlation, severity: .high, stage: stage,
                            ts: Timestamp(start + minutes * 60_000), user: user, host: host, sender: sender, subject: subject, indicator: nil,
                            summary: "finding \(id)", matchKey: nil, matchStrength: strength, evidence: evidence)
    }

    static func person(_ user: String, _ delivery: DeliveryState, stage: Rule.Stage) -> ReportModel.Person {
        ReportModel.Person(user: user, received: true, delivered: delivery == .delivered, interacted: stage >= .interaction, stage: stage,
                           stageEvidence: nil, delivery: delivery)
    }

    static func event(_ id: Int64, minutes: Int64, _ action: String, process: String?, pid: String?, parent: String? = nil, ppid: String? = nil,
                      file: String? = nil, sha256: String? = nil, destination: String? = nil, via: String = "process id") -> HostActivity.Event {
        HostActivity.Event(id: id, ts: Timestamp(start + minutes * 60_000), action: action, process: process, processID: pid, commandLine: nil,
                           parentProcess: parent, parentProcessID: ppid, file: file, sha256: sha256, remote: destination, account: nil,
                           linked: via == "evidence", via: via, evidence: "edr.csv:\(id)", destination: destination)
    }

    static func edr(_ row: Int64) -> ReportModel.Evidence { ReportModel.Evidence(table: "edr_event", row: row, file: "edr.csv", sha256: nil, line: row) }

    /// A malicious attachment: three recipients (one held), one opened it on ws-0221, Excel
    /// started PowerShell, which reached its server; Outlook's ordinary traffic is not drawn.
    static func attachmentIncident() -> (ReportModel.Incident, IncidentGraphFacts) {
        let helen = "helen.ashby@acme-corp.example", betty = "betty.carter@acme-corp.example", grace = "grace.lindholm@acme-corp.example"
        let findings = [
            finding(1, "MS-ATT-010", minutes: 0, stage: .delivery, user: helen),
            finding(2, "MS-ATT-010", minutes: 0, stage: .delivery, user: betty),
            finding(3, "MS-ATT-002", minutes: 0, stage: .delivery, user: grace),
            finding(4, "MS-COR-001", minutes: 20, stage: .interaction, user: helen, host: "ws-0221", strength: "strong", evidence: [edr(100)]),
            finding(5, "MS-COR-006", minutes: 21, stage: .execution, user: helen, host: "ws-0221", strength: "weak", evidence: [edr(102)]),
            finding(6, "MS-COR-011", minutes: 22, stage: .commandAndControl, user: helen, host: "ws-0221", strength: "strong", evidence: [edr(103)]),
        ]
        let events = [
            event(100, minutes: 20, "file_created", process: "OUTLOOK.EXE", pid: "10", file: "C:\\Users\\h\\INV-88341.xlsm", sha256: "ca9d", via: "evidence"),
            event(101, minutes: 20, "network_connect", process: "OUTLOOK.EXE", pid: "10", destination: "outlook.office365.com"),
            event(102, minutes: 21, "process_start", process: "C:\\Windows\\powershell.exe", pid: "30", parent: "EXCEL.EXE", ppid: "20", via: "evidence"),
            event(103, minutes: 22, "network_connect", process: "C:\\Windows\\powershell.exe", pid: "30", destination: "files.halvorsen-billing.example", via: "evidence"),
            event(104, minutes: 23, "file_created", process: "C:\\Windows\\powershell.exe", pid: "30", file: "C:\\Users\\h\\inv.ps1"),
        ]
        let people = [person(helen, .delivered, stage: .commandAndControl), person(betty, .delivered, stage: .delivery), person(grace, .stopped, stage: .targeted)]
        let incident = ReportModel.Incident(
            id: 7, key: "hash:ca9d", title: "T", severity: .critical, stage: .commandAndControl, attack: [], subjects: [subject],
            firstSeen: Timestamp(start), lastSeen: Timestamp(start + 22 * 60_000), reasons: [], actions: [],
            recipients: [helen, betty, grace], deliveredTo: [helen, betty], interactedUsers: [helen], hosts: ["ws-0221"], people: people,
            hostDetails: [ReportModel.HostRow(host: "ws-0221", user: helen, stage: .commandAndControl, firstSeen: Timestamp(start + 20 * 60_000), evidenceRows: 3)],
            indicators: .init(), indicatorDetails: [], messages: ["m1@x"], findings: findings,
            hostActivity: [ReportModel.HostStory(host: "ws-0221", events: events)])
        let facts = IncidentGraphFacts(
            groups: [.init(sender: sender, subject: subject, messages: 1, recipients: [helen, betty, grace], firstTS: start)],
            origins: [.init(sender: sender, ip: "203.0.113.77")], clicks: [])
        return (incident, facts)
    }

    func edge(_ g: IncidentGraph, _ from: String, _ to: String) -> IncidentGraph.Edge? { g.edges.first { $0.from == from && $0.to == to } }

    @Test func theAttachmentCampaignReadsFromSenderToTheServerItReached() throws {
        let (incident, facts) = Self.attachmentIncident()
        let g = IncidentGraphBuilder.build(incident, facts: facts)
        let ids = Set(g.nodes.map(\.id))
        for id in ["sender_ip:203.0.113.77", "sender_domain:halvorsen-billing.example", "sender:\(Self.sender)", "message:1",
                   "recipient:helen.ashby@acme-corp.example", "recipient:betty.carter@acme-corp.example", "recipient:grace.lindholm@acme-corp.example",
                   "host:ws-0221", "process:ws-0221/10", "process:ws-0221/20", "process:ws-0221/30", "file:ca9d",
                   "destination:files.halvorsen-billing.example", "file:inv.ps1"] {
            #expect(ids.contains(id), "missing node \(id)")
        }
        // Outlook's own traffic is its user's ordinary work, not the attack.
        #expect(!ids.contains("destination:outlook.office365.com"))
        #expect(g.node("message:1")?.label == Self.subject)
        #expect(g.node("message:1")?.detail == "1 message · 3 recipients")
        #expect(edge(g, "message:1", "recipient:grace.lindholm@acme-corp.example")?.relation == .stopped)
        #expect(edge(g, "message:1", "recipient:helen.ashby@acme-corp.example")?.relation == .delivered)
        #expect(edge(g, "message:1", "recipient:helen.ashby@acme-corp.example")?.rules == ["MS-ATT-010"])
        let uses = try #require(edge(g, "recipient:helen.ashby@acme-corp.example", "host:ws-0221"))
        #expect(uses.relation == .uses && uses.strength == .strong)
        #expect(uses.rules == ["MS-COR-001", "MS-COR-006", "MS-COR-011"])
        #expect(uses.ts == Timestamp(Self.start + 20 * 60_000))
        let started = try #require(edge(g, "process:ws-0221/20", "process:ws-0221/30"))
        #expect(started.relation == .started && started.rules == ["MS-COR-006"] && started.strength == .weak, "a weak finding draws a weak link")
        #expect(edge(g, "process:ws-0221/10", "file:ca9d")?.relation == .wrote)
        #expect(edge(g, "process:ws-0221/10", "file:ca9d")?.strength == .strong)
        #expect(edge(g, "process:ws-0221/30", "destination:files.halvorsen-billing.example")?.rules == ["MS-COR-011"])
        // The chain's first processes hang off the host.
        #expect(edge(g, "host:ws-0221", "process:ws-0221/10")?.relation == .ran)
        #expect(edge(g, "host:ws-0221", "process:ws-0221/20")?.relation == .ran)
        #expect(edge(g, "host:ws-0221", "process:ws-0221/30") == nil)
        // Stages: from the findings that rest on each node.
        #expect(g.node("destination:files.halvorsen-billing.example")?.stage == .commandAndControl)
        #expect(g.node("process:ws-0221/30")?.stage == .execution)
        #expect(g.node("file:inv.ps1")?.stage == nil)
        // Columns run left to right along the kill chain.
        let column = Dictionary(uniqueKeysWithValues: g.nodes.map { ($0.id, $0.column) })
        for e in g.edges { #expect(column[e.from]! < column[e.to]!, "\(e.from) → \(e.to) runs backwards") }
    }

    @Test func sameInputSameGraphWhateverTheOrder() {
        let (incident, facts) = Self.attachmentIncident()
        var shuffled = incident
        shuffled.people.reverse()
        shuffled.findings.reverse()
        var reordered = facts
        reordered.groups[0].recipients = Set(facts.groups[0].recipients.reversed())
        let a = IncidentGraphBuilder.build(incident, facts: facts)
        #expect(a == IncidentGraphBuilder.build(shuffled, facts: reordered))
        #expect(IncidentGraphSVG.render(a, incident: 7, zone: .utc) == IncidentGraphSVG.render(IncidentGraphBuilder.build(shuffled, facts: reordered), incident: 7, zone: .utc))
    }

    /// Absent evidence is not evidence of absence: a copy no delivery log covers is drawn as
    /// "delivery unknown", never as not delivered.
    @Test(arguments: [(DeliveryState.delivered, IncidentGraph.Relation.delivered), (.stopped, .stopped),
                      (.notDelivered, .notDelivered), (.unknown, .deliveryUnknown)])
    func eachDeliveryStateHasItsOwnLink(state: DeliveryState, relation: IncidentGraph.Relation) {
        #expect(IncidentGraphBuilder.relation(state) == relation)
        let (incident, facts) = Self.attachmentIncident()
        var i = incident
        i.people[2].delivery = state
        let g = IncidentGraphBuilder.build(i, facts: facts)
        #expect(edge(g, "message:1", "recipient:grace.lindholm@acme-corp.example")?.relation == relation)
        #expect(g.node("recipient:grace.lindholm@acme-corp.example")?.detail == state.text)
    }

    /// 500 recipients, four of whom went further: those four are drawn, the rest counted by
    /// what became of their copy, and the drawing stays small.
    @Test func fiveHundredRecipientsStayReadable() throws {
        let (base, baseFacts) = Self.attachmentIncident()
        var i = base, facts = baseFacts
        for n in 0..<497 {
            let user = "user\(n)@acme-corp.example"
            i.people.append(Self.person(user, n % 3 == 0 ? .unknown : .delivered, stage: .delivery))
            facts.groups[0].recipients.insert(user)
        }
        for n in 0..<3 { i.people[3 + n].interacted = true; i.people[3 + n].stage = .interaction }
        let g = IncidentGraphBuilder.build(i, facts: facts)
        let drawn = g.nodes.filter { $0.kind == .recipient }.map(\.label)
        #expect(drawn.count == 4, "the one with a host and the three who interacted: \(drawn)")
        let counted = g.nodes.filter { $0.kind == .recipients }
        #expect(counted.reduce(0) { $0 + ($1.count ?? 0) } == 496)
        #expect(counted.map(\.id).sorted() == ["recipients:delivered", "recipients:stopped", "recipients:unknown"])
        #expect(g.node("recipients:unknown")?.detail == "delivery unknown")
        #expect(edge(g, "message:1", "recipients:unknown")?.count == 165, "user0 went further and is drawn")
        #expect(edge(g, "message:1", "recipients:unknown")?.relation == .deliveryUnknown)
        #expect(g.nodes.count < 40)
        let svg = IncidentGraphSVG.render(g, incident: 7, zone: .utc)
        #expect(svg.utf8.count < 60_000, "\(svg.utf8.count) bytes")
        #expect(svg.contains(">165 more recipients</text>"))
    }

    /// A process that does much is drawn with its first files and destinations, the rest counted.
    @Test func aBusyProcessShowsItsFirstLeavesAndCountsTheRest() {
        let (base, facts) = Self.attachmentIncident()
        var i = base
        for n in 0..<9 {
            i.hostActivity[0].events.append(Self.event(200 + Int64(n), minutes: 30 + Int64(n), "network_connect", process: "C:\\Windows\\powershell.exe",
                                                       pid: "30", destination: "c2-\(n).example"))
        }
        let g = IncidentGraphBuilder.build(i, facts: facts)
        let reached = g.edges.filter { $0.from == "process:ws-0221/30" && $0.to.hasPrefix("destination:") }
        #expect(reached.count == IncidentGraphBuilder.leavesPerProcess)
        #expect(g.node("more:process:ws-0221/30/destinations")?.count == 10 - IncidentGraphBuilder.leavesPerProcess)
        #expect(g.node("more:process:ws-0221/30/destinations")?.label == "5 more destinations")
    }

    @Test func aClickLinksThePersonToTheURL() throws {
        let (base, baseFacts) = Self.attachmentIncident()
        var i = base, facts = baseFacts
        i.findings.append(Self.finding(9, "MS-URL-011", minutes: 5, stage: .interaction, user: "betty.carter@acme-corp.example",
                                       evidence: [ReportModel.Evidence(table: "url_click", row: 55, file: "ttp.json", sha256: nil, line: 3)]))
        facts.clicks = [.init(row: 55, user: "betty.carter@acme-corp.example", url: "https://login.example/owa", action: "allow", ts: Self.start + 300_000)]
        let g = IncidentGraphBuilder.build(i, facts: facts)
        let click = try #require(edge(g, "recipient:betty.carter@acme-corp.example", "url:https://login.example/owa"))
        #expect(click.relation == .clicked && click.rules == ["MS-URL-011"])
        #expect(g.node("url:https://login.example/owa")?.detail == "click allow")
        #expect(g.node("url:https://login.example/owa")?.stage == .interaction)
    }

    /// People no mail row names (the delivery logs are missing) still hang off the message
    /// their findings give.
    @Test func peopleWithoutMailRowsJoinTheirFindingsMessage() {
        let (incident, facts) = Self.attachmentIncident()
        var noMail = facts
        noMail.groups = []
        noMail.origins = []
        let g = IncidentGraphBuilder.build(incident, facts: noMail)
        #expect(g.node("message:1")?.label == Self.subject)
        #expect(g.node("message:1")?.detail == "3 recipients")
        #expect(g.edges.filter { $0.from == "message:1" }.count == 3)
    }

    /// Findings on the administration logs draw the account that acted: the address it signed
    /// in from (audit), the DLP policy its mail triggered.
    @Test func administrationFindingsDrawTheAccountItsAddressAndItsPolicy() throws {
        func admin(_ id: Int64, _ rule: String, table: String, user: String, indicator: String) -> ReportModel.Finding {
            ReportModel.Finding(id: id, ruleId: rule, ruleVersion: 1, kind: .duet, severity: .medium, stage: .delivery,
                                ts: Timestamp(Self.start + id * 60_000), user: user, host: nil, sender: nil, subject: nil, indicator: indicator,
                                summary: "s", matchKey: nil, matchStrength: nil,
                                evidence: [ReportModel.Evidence(table: table, row: id, file: "x", sha256: nil, line: id)])
        }
        var (incident, _) = Self.attachmentIncident()
        incident.people = []
        incident.hostDetails = []
        incident.hostActivity = []
        incident.findings = [admin(1, "MS-ADM-002", table: "audit_event", user: "Support@Mimecast.example", indicator: "67.43.156.15"),
                             admin(2, "MS-DLP-001", table: "dlp_event", user: "kay.mann@acme-corp.example", indicator: "Confidential"),
                             admin(3, "MS-ADM-001", table: "audit_event", user: "admin@acme-corp.example", indicator: "not an address")]
        let g = IncidentGraphBuilder.build(incident, facts: IncidentGraphFacts())
        let login = try #require(edge(g, "source_ip:67.43.156.15", "account:support@mimecast.example"))
        #expect(login.relation == .loggedOn && login.rules == ["MS-ADM-002"])
        let dlp = try #require(edge(g, "account:kay.mann@acme-corp.example", "policy:Confidential"))
        #expect(dlp.relation == .triggered && dlp.rules == ["MS-DLP-001"])
        #expect(g.node("account:admin@acme-corp.example") != nil, "an account is drawn even when its finding names no address")
        #expect(!g.nodes.contains { $0.kind == .sourceIP && $0.label == "not an address" })
        #expect(IncidentGraphSVG.render(g, incident: 4, zone: .utc).contains(">logged on</text>"))
    }
    /// The administration steps that acted on the campaign: an administrator's release of a
    /// person's held copy, an allow entry that let the message through; a recipient's own
    /// release and an entry naming another domain draw nothing.
    @Test func releasesAndAllowEntriesDrawTheAccountThatActed() throws {
        var (incident, _) = Self.attachmentIncident()
        func step(_ action: String, role: String, account: String, target: String, rule: String? = nil) -> ReportModel.AdministrationEntry {
            ReportModel.AdministrationEntry(time: Timestamp(Self.start + 5 * 60_000), account: account, role: role, action: action, detail: "d",
                                            sourceIp: nil, target: target, ruleId: rule, evidence: nil)
        }
        incident.administration = [
            step("released", role: "admin", account: "HelpDesk@acme-corp.example", target: "grace.lindholm@acme-corp.example"),
            step("released", role: "recipient", account: "betty.carter@acme-corp.example", target: "betty.carter@acme-corp.example"),
            step("allow-entry", role: "admin", account: "it.admin@acme-corp.example", target: "halvorsen-billing.example", rule: "MS-ADM-003"),
            step("allow-entry", role: "admin", account: "other.admin@acme-corp.example", target: "partner.example", rule: "MS-ADM-003"),
        ]
        let facts = IncidentGraphFacts(groups: [.init(sender: Self.sender, subject: Self.subject, messages: 1,
                                                      recipients: ["helen.ashby@acme-corp.example", "betty.carter@acme-corp.example", "grace.lindholm@acme-corp.example"],
                                                      firstTS: Self.start)])
        let g = IncidentGraphBuilder.build(incident, facts: facts)
        let released = try #require(edge(g, "account:helpdesk@acme-corp.example", "recipient:grace.lindholm@acme-corp.example"))
        #expect(released.relation == .released && released.strength == .strong)
        let permitted = try #require(edge(g, "account:it.admin@acme-corp.example", "message:1"))
        #expect(permitted.relation == .permitted && permitted.rules == ["MS-ADM-003"])
        #expect(g.node("account:betty.carter@acme-corp.example") == nil, "a recipient's own release is not an administrator's step")
        #expect(g.node("account:other.admin@acme-corp.example") == nil, "an entry for another domain touches nothing drawn")
        let column = Dictionary(uniqueKeysWithValues: g.nodes.map { ($0.id, $0.column) })
        #expect(g.edges.allSatisfy { (column[$0.from] ?? 0) < (column[$0.to] ?? 0) }, "the graph runs left to right")
        #expect(IncidentGraphSVG.render(g, incident: 7, zone: .utc).contains(">released</text>"))
    }
}
