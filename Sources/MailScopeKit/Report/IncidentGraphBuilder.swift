import Foundation

/// Builds an incident's ``IncidentGraph`` from the report's incident (its people, hosts,
/// findings and host activity) and the mail-side ``IncidentGraphFacts``. A pure function of
/// its inputs, so each planted shape is tested with tables and the same input gives the same
/// graph.
///
/// What is drawn one by one and what is counted: every recipient while there are at most
/// ``allRecipientsUpTo``; beyond that, only the people who interacted or whose computer is in
/// the incident (up to ``individualRecipients``), the rest as one counted node per delivery
/// state — so the picture of a 500-recipient campaign stays readable. Per host at most
/// ``processesPerHost`` processes and per process ``leavesPerProcess`` files and destinations
/// each are drawn; the rest are counted.
enum IncidentGraphBuilder {
    static let allRecipientsUpTo = 8
    static let individualRecipients = 30
    static let processesPerHost = 12
    static let leavesPerProcess = 5

    /// Layers, left to right: where the mail came from (the sender's domain and addresses),
    /// the senders, the messages, the people, their computers and clicks, then the process chain (one layer per generation, at most
    /// ``processGenerations``), then what the processes wrote and reached.
    enum Column {
        static let origin = 0, sender = 1, message = 2, recipient = 3, host = 4, firstProcess = 5
    }
    static let processGenerations = 4

    static func build(_ incident: ReportModel.Incident, facts: IncidentGraphFacts) -> IncidentGraph {
        var g = Draft()
        let findings = incident.findings
        let people = Dictionary(incident.people.map { ($0.user.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })

        // The mail: sender's addresses and domain, then the messages by subject.
        var groups = facts.groups
        // People no mail row names (no mail log for them) join the sender and subject their findings give.
        let grouped = Set(groups.flatMap { $0.recipients.map { $0.lowercased() } })
        for f in findings.sorted(by: { ($0.ts, $0.id) < ($1.ts, $1.id) }) {
            guard let user = f.user?.lowercased(), people[user] != nil, !grouped.contains(user), let sender = f.sender else { continue }
            if let i = groups.firstIndex(where: { $0.sender == sender && $0.subject == f.subject }) {
                groups[i].recipients.insert(user)
            } else {
                groups.append(.init(sender: sender, subject: f.subject, messages: 0, recipients: [user], firstTS: f.ts.milliseconds))
            }
        }
        groups.sort { ($0.sender, $0.subject ?? "") < ($1.sender, $1.subject ?? "") }
        for o in facts.origins {
            g.node("sender_ip:\(o.ip)", .senderIP, o.ip, column: Column.origin)
            g.edge("sender_ip:\(o.ip)", "sender:\(o.sender)", .sentFrom)
        }
        var messageNode: [Int: String] = [:]
        for (n, group) in groups.enumerated() {
            let domain = EmailAddress.domain(group.sender) ?? group.sender
            g.node("sender_domain:\(domain)", .senderDomain, domain, column: Column.origin)
            g.node("sender:\(group.sender)", .sender, group.sender, column: Column.sender)
            g.edge("sender_domain:\(domain)", "sender:\(group.sender)", .sentFrom)
            let id = "message:\(n + 1)"
            messageNode[n] = id
            let recipients = group.recipients.filter { people[$0.lowercased()] != nil }.count
            var counts: [String] = []
            if group.messages > 0 { counts.append(ReportView.count(group.messages, "message", "messages")) }
            counts.append(ReportView.count(recipients, "recipient", "recipients"))
            let delivered = group.recipients.contains { people[$0.lowercased()]?.delivered ?? false }
            g.node(id, .message, group.subject ?? "(no subject)", detail: counts.joined(separator: " · "),
                   stage: delivered ? .delivery : .targeted, column: Column.message)
            let mailFindings = findings.filter { $0.sender == group.sender && $0.subject == group.subject && $0.host == nil }
            g.edge("sender:\(group.sender)", id, .sent, rules: mailFindings.map(\.ruleId),
                   ts: [group.firstTS, mailFindings.map(\.ts.milliseconds).min()].compactMap { $0 }.min())
        }

        // The people: one by one, or counted by delivery state when there are many.
        let hostUsers = Set(incident.hostDetails.compactMap { $0.user?.lowercased() })
        let clickers = Set(facts.clicks.map { $0.user.lowercased() })
        let drawn: Set<String>
        if people.count <= allRecipientsUpTo {
            drawn = Set(people.keys)
        } else {
            let telling = people.filter { $0.value.interacted || hostUsers.contains($0.key) || clickers.contains($0.key) }.keys.sorted {
                (people[$1]!.stage, $0) < (people[$0]!.stage, $1)
            }
            drawn = Set(telling.prefix(individualRecipients))
        }
        func state(_ p: ReportModel.Person) -> DeliveryState { p.delivery ?? (p.delivered ? .delivered : .unknown) }
        func counted(_ p: ReportModel.Person) -> (id: String, label: String, detail: String) {
            if p.interacted { return ("recipients:interacted", "more who interacted", "interacted") }
            let s = state(p)
            return ("recipients:\(s.rawValue)", "more recipients", s == .delivered ? "delivered, no interaction seen" : s.text)
        }
        var countedPeople: [String: Set<String>] = [:]
        // An account of the administration logs that no mail reached is drawn as that account
        // (administration(_:into:)), not as a recipient.
        let mailed = Set(groups.flatMap { $0.recipients.map { $0.lowercased() } })
        let accounts = Set(findings.filter { $0.evidence.contains { administrationTables.contains($0.table) } }
            .compactMap { ($0.user ?? $0.sender)?.lowercased() })
        for (user, p) in people.sorted(by: { $0.key < $1.key }) where mailed.contains(user) || !accounts.contains(user) {
            if drawn.contains(user) {
                g.node("recipient:\(user)", .recipient, p.user, detail: state(p).text + (p.interacted ? " · interacted" : ""),
                       stage: p.stage, column: Column.recipient)
            } else {
                countedPeople[counted(p).id, default: []].insert(user)
            }
        }
        for (id, users) in countedPeople {
            let sample = people[users.sorted()[0]]!
            let c = counted(sample)
            g.node(id, .recipients, "\(users.count) \(c.label)", detail: c.detail, stage: users.map { people[$0]!.stage }.max(),
                   count: users.count, column: Column.recipient)
        }
        for (n, group) in groups.enumerated() {
            guard let from = messageNode[n] else { continue }
            for user in group.recipients.map({ $0.lowercased() }).sorted() {
                guard let p = people[user] else { continue }
                let relation = relation(state(p))
                let own = findings.filter { $0.user?.lowercased() == user && $0.subject == group.subject && $0.host == nil && ($0.stage ?? .delivery) <= .delivery }
                if drawn.contains(user) {
                    g.edge(from, "recipient:\(user)", relation, rules: own.map(\.ruleId), ts: own.map(\.ts.milliseconds).min())
                } else {
                    g.edge(from, counted(p).id, relation, rules: own.map(\.ruleId), ts: own.map(\.ts.milliseconds).min(), count: 1)
                }
            }
        }
        func personNode(_ user: String) -> String? {
            guard let p = people[user.lowercased()] else { return nil }
            return drawn.contains(user.lowercased()) ? "recipient:\(user.lowercased())" : counted(p).id
        }

        // Clicks.
        var findingsOnRow: [String: [ReportModel.Finding]] = [:]
        for f in findings { for e in f.evidence { findingsOnRow["\(e.table):\(e.row)", default: []].append(f) } }
        for c in facts.clicks {
            guard let from = personNode(c.user) else { continue }
            let on = findingsOnRow["url_click:\(c.row)"] ?? []
            let id = "url:\(c.url)"
            g.node(id, .url, c.url, stage: on.compactMap(\.stage).max() ?? .interaction, column: Column.host)
            g.appendDetail(id, c.action.map { "click \($0)" })
            g.edge(from, id, .clicked, rules: on.map(\.ruleId), ts: c.ts, strength: .strong)
        }

        // Computers and what ran on them.
        for h in incident.hostDetails {
            let hostID = "host:\(h.host)"
            g.node(hostID, .host, h.host, detail: h.user ?? "user not known", stage: h.stage, column: Column.host)
            if let user = h.user, let from = personNode(user) {
                let links = findings.filter { $0.host == h.host && $0.user?.lowercased() == user.lowercased() }
                g.edge(from, hostID, .uses, rules: links.map(\.ruleId), ts: links.map(\.ts.milliseconds).min() ?? h.firstSeen.milliseconds,
                       strength: strength(of: links))
            }
        }
        administration(findings, into: &g)
        administrationSteps(incident.administration, groups: groups, messageNode: messageNode, personNode: personNode, into: &g)
        var processColumn: [String: Int] = [:]
        for story in incident.hostActivity { chain(story, into: &g, findingsOnRow: findingsOnRow, processColumn: &processColumn) }
        let leafColumn = (processColumn.values.max() ?? Column.host) + 1
        for i in g.nodes.indices {
            switch g.nodes[i].kind {
            case .process: g.nodes[i].column = processColumn[g.nodes[i].id] ?? Column.firstProcess
            case .file, .destination, .more: g.nodes[i].column = leafColumn
            default: break
            }
        }
        return g.graph()
    }

    /// Tables of the administration logs: their findings are about accounts, not mail.
    static let administrationTables: Set<String> = ["audit_event", "dlp_event", "archive_access"]

    /// The findings on the administration logs: the account that acted, the address it signed
    /// in from (a sign-in finding names it as its indicator), the DLP policy its mail triggered.
    static func administration(_ findings: [ReportModel.Finding], into g: inout Draft) {
        for f in findings.sorted(by: { ($0.ts, $0.id) < ($1.ts, $1.id) })
        where f.evidence.contains(where: { administrationTables.contains($0.table) }) {
            guard let actor = (f.user ?? f.sender)?.lowercased() else { continue }
            let account = "account:\(actor)"
            g.node(account, .account, actor, column: Column.sender)
            g.raise(account, f.stage)
            guard let indicator = f.indicator, !indicator.isEmpty else { continue }
            if f.evidence.contains(where: { $0.table == "dlp_event" }) {
                let policy = "policy:\(indicator)"
                g.node(policy, .policy, indicator, column: Column.message)
                g.edge(account, policy, .triggered, rules: [f.ruleId], ts: f.ts.milliseconds)
            } else if Host.isIPAddress(indicator) {
                let ip = "source_ip:\(indicator)"
                g.node(ip, .sourceIP, indicator, column: Column.origin)
                g.edge(ip, account, .loggedOn, rules: [f.ruleId], ts: f.ts.milliseconds)
            }
        }
    }

    /// The administration steps that acted on the campaign: an administrator's release of a
    /// person's held copy (account → person) and an allow entry that let the mail or the clicked
    /// site through (account → message, or → URL).
    static func administrationSteps(_ steps: [ReportModel.AdministrationEntry], groups: [IncidentGraphFacts.MessageGroup], messageNode: [Int: String],
                                    personNode: (String) -> String?, into g: inout Draft) {
        for s in steps {
            guard let actor = s.account?.lowercased(), let target = s.target?.lowercased() else { continue }
            let account = "account:\(actor)"
            let ts = s.time?.milliseconds
            let rules = s.ruleId.map { [$0] } ?? []
            switch s.action {
            case "released" where s.role != "recipient":
                guard let to = personNode(target) else { continue }
                g.node(account, .account, actor, column: Column.sender)
                g.edge(account, to, .released, rules: rules, ts: ts, strength: .strong)
            case "allow-entry":
                let hits = groups.indices.filter { EmailAddress.domain(groups[$0].sender)?.lowercased() == target }
                let urls = g.nodes.filter { $0.kind == .url && Host.ofURL($0.label).map { $0 == target || $0.hasSuffix("." + target) } == true }.map(\.id)
                guard !hits.isEmpty || !urls.isEmpty else { continue }
                g.node(account, .account, actor, column: Column.sender)
                for n in hits { if let m = messageNode[n] { g.edge(account, m, .permitted, rules: rules, ts: ts, strength: .strong) } }
                if hits.isEmpty { for u in urls { g.edge(account, u, .permitted, rules: rules, ts: ts, strength: .strong) } }
            default: continue
            }
        }
    }

    /// A link resting on `findings` is strong when one of them matched on an exact key, or when
    /// none is a correlation that names its match (mail-side findings rest on the row itself).
    static func strength(of findings: [ReportModel.Finding]) -> IncidentGraph.Strength {
        findings.contains { $0.matchStrength == "strong" } || findings.allSatisfy { $0.matchStrength == nil } ? .strong : .weak
    }

    static func relation(_ state: DeliveryState) -> IncidentGraph.Relation {
        switch state {
        case .delivered: .delivered
        case .stopped: .stopped
        case .notDelivered: .notDelivered
        case .unknown: .deliveryUnknown
        }
    }

    /// The process chain of one host's story: who started whom, what each wrote, downloaded,
    /// resolved and connected to. A process is known by its id where the export gives one,
    /// else by its image name; its generation (from the first process of the chain on the
    /// host) gives its column.
    static func chain(_ story: ReportModel.HostStory, into g: inout Draft, findingsOnRow: [String: [ReportModel.Finding]],
                      processColumn: inout [String: Int]) {
        let host = "host:\(story.host)"
        func base(_ path: String?) -> String? {
            guard let path, !path.isEmpty else { return nil }
            return String(path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? Substring(path))
        }
        func key(pid: String?, image: String?) -> String? {
            if let pid, !pid.isEmpty { return "process:\(story.host)/\(pid)" }
            if let name = base(image) { return "process:\(story.host)/\(name.lowercased())" }
            return nil
        }
        var processes: [String] = []
        var skippedProcesses = 0
        var parent: [String: String] = [:]
        var leaves: [String: (files: Int, destinations: Int)] = [:]
        /// Adds process `id` (named `image`, id `pid`); false when the host's quota is full.
        func process(_ id: String, image: String?, pid: String?) -> Bool {
            if processes.contains(id) {
                if let name = base(image), g.nodes[g.index[id]!].label == "(no image name)" { g.nodes[g.index[id]!].label = name }
                return true
            }
            guard processes.count < processesPerHost else { return false }
            processes.append(id)
            g.node(id, .process, base(image) ?? "(no image name)", detail: pid.map { "pid \($0)" }, column: Column.firstProcess)
            return true
        }
        for e in story.events {
            let on = findingsOnRow["edr_event:\(e.id)"] ?? []
            let rules = on.map(\.ruleId)
            let stage = on.compactMap(\.stage).max()
            let strength: IncidentGraph.Strength = !on.isEmpty
                ? strength(of: on)
                : (e.via == "by name" || e.via == "opened a linked file" ? .weak : .strong)
            let actor = key(pid: e.processID, image: e.process)
            if e.action == "process_start" {
                guard let child = actor else { continue }
                guard process(child, image: e.process, pid: e.processID) else { skippedProcesses += 1; continue }
                g.raise(child, stage)
                if let p = key(pid: e.parentProcessID, image: e.parentProcess), p != child, process(p, image: e.parentProcess, pid: e.parentProcessID) {
                    parent[child] = parent[child] ?? p
                    g.edge(p, child, .started, rules: rules, ts: e.ts.milliseconds, strength: strength)
                }
                continue
            }
            // What the first processes of the chain (the mail client, the browser) did besides
            // is their user's ordinary work: only their rows a finding rests on are drawn. What
            // the processes they started did is drawn whole.
            if on.isEmpty && (actor.map { parent[$0] == nil } ?? true) { continue }
            // The process that acted, or the host itself when the row names none.
            var from = host
            if let actor, process(actor, image: e.process, pid: e.processID) { from = actor }
            let relation: IncidentGraph.Relation
            let target: (id: String, kind: IncidentGraph.Kind, label: String, detail: String?)
            switch e.action {
            case "file_created", "file_modified", "download":
                guard let name = base(e.file) else { continue }
                relation = e.action == "download" ? .downloaded : .wrote
                let id = e.sha256.map { "file:\($0.lowercased())" } ?? "file:\(name.lowercased())"
                target = (id, .file, name, e.sha256.map { "SHA-256 \($0.prefix(16))…" })
            case "dns_query", "network_connect", "http_request":
                guard let name = e.destination, !name.isEmpty else { continue }
                relation = e.action == "dns_query" ? .resolved : .connected
                target = ("destination:\(name.lowercased())", .destination, name, nil)
            default:
                continue
            }
            var count = leaves[from] ?? (0, 0)
            let isFile = target.kind == .file
            let drawnAlready = g.index[target.id] != nil && g.edges.keys.contains { $0.from == from && $0.to == target.id }
            if !drawnAlready && (isFile ? count.files : count.destinations) >= leavesPerProcess {
                let more = "more:\(from)/\(isFile ? "files" : "destinations")"
                g.node(more, .more, "", column: 0)
                g.nodes[g.index[more]!].count = (g.nodes[g.index[more]!].count ?? 0) + 1
                let n = g.nodes[g.index[more]!].count!
                g.nodes[g.index[more]!].label = "\(n) more \(isFile ? (n == 1 ? "file" : "files") : (n == 1 ? "destination" : "destinations"))"
                g.edge(from, more, relation, ts: e.ts.milliseconds, strength: strength, count: 1)
                continue
            }
            if !drawnAlready { if isFile { count.files += 1 } else { count.destinations += 1 } }
            leaves[from] = count
            g.node(target.id, target.kind, target.label, detail: target.detail, column: 0)
            g.raise(target.id, stage)
            g.edge(from, target.id, relation, rules: rules, ts: e.ts.milliseconds, strength: strength)
        }
        if skippedProcesses > 0 {
            let more = "more:\(host)/processes"
            g.node(more, .more, "\(skippedProcesses) more \(skippedProcesses == 1 ? "process" : "processes")", count: skippedProcesses, column: 0)
            g.edge(host, more, .ran, strength: .strong, count: skippedProcesses)
        }
        // Roots of the chain hang off the host; each generation one column further right.
        func generation(_ p: String, _ seen: Set<String> = []) -> Int {
            guard let up = parent[p], !seen.contains(up) else { return 0 }
            return generation(up, seen.union([p])) + 1
        }
        for p in processes {
            let depth = generation(p)
            processColumn[p] = Column.firstProcess + min(depth, processGenerations - 1)
            if parent[p] == nil {
                let first = g.edges.filter { $0.key.from == p || $0.key.to == p }.compactMap { $0.value.ts?.milliseconds }.min()
                g.edge(host, p, .ran, ts: first, strength: .strong)
            }
        }
    }

    /// The graph as it is being built: nodes and edges by identity, merged as evidence adds up.
    struct Draft {
        var nodes: [IncidentGraph.Node] = []
        var index: [String: Int] = [:]
        struct EdgeKey: Hashable { var from: String; var to: String; var relation: IncidentGraph.Relation }
        var edges: [EdgeKey: IncidentGraph.Edge] = [:]

        mutating func node(_ id: String, _ kind: IncidentGraph.Kind, _ label: String, detail: String? = nil, stage: Rule.Stage? = nil,
                           count: Int? = nil, column: Int) {
            guard index[id] == nil else { return }
            index[id] = nodes.count
            nodes.append(IncidentGraph.Node(id: id, kind: kind, label: label, detail: detail, stage: stage, count: count, column: column))
        }

        /// Raises node `id`'s stage to `stage` when that is further.
        mutating func raise(_ id: String, _ stage: Rule.Stage?) {
            guard let i = index[id], let stage else { return }
            nodes[i].stage = max(nodes[i].stage ?? stage, stage)
        }

        /// Adds `text` to node `id`'s detail line once.
        mutating func appendDetail(_ id: String, _ text: String?) {
            guard let i = index[id], let text else { return }
            let parts = nodes[i].detail.map { $0.components(separatedBy: ", ") } ?? []
            if !parts.contains(text) { nodes[i].detail = (parts + [text]).sorted().joined(separator: ", ") }
        }

        /// Adds the edge, or merges it into the one already there: rules united, the earliest
        /// time, strong if any evidence is strong, counts summed.
        mutating func edge(_ from: String, _ to: String, _ relation: IncidentGraph.Relation, rules: [String] = [], ts: Int64? = nil,
                           strength: IncidentGraph.Strength = .strong, count: Int? = nil) {
            let key = EdgeKey(from: from, to: to, relation: relation)
            if var e = edges[key] {
                e.rules = Array(Set(e.rules + rules)).sorted()
                e.ts = [e.ts?.milliseconds, ts].compactMap { $0 }.min().map(Timestamp.init)
                if strength == .strong { e.strength = .strong }
                if let count { e.count = (e.count ?? 0) + count }
                edges[key] = e
            } else {
                edges[key] = IncidentGraph.Edge(from: from, to: to, relation: relation, rules: Array(Set(rules)).sorted(),
                                                ts: ts.map(Timestamp.init), strength: strength, count: count)
            }
        }

        /// The finished graph: nodes by column then id, edges by their ends and relation; edges
        /// whose ends are missing are dropped.
        func graph() -> IncidentGraph {
            let sortedNodes = nodes.sorted { ($0.column, $0.id) < ($1.column, $1.id) }
            let sortedEdges = edges.values.filter { index[$0.from] != nil && index[$0.to] != nil }
                .sorted { ($0.from, $0.to, $0.relation.rawValue) < ($1.from, $1.to, $1.relation.rawValue) }
            return IncidentGraph(nodes: sortedNodes, edges: sortedEdges)
        }
    }
}
