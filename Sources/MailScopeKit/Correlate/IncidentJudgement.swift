import Foundation

/// An incident's severity with its reasons, its actions and its title, decided from
/// `IncidentFacts` alone (see `IncidentJudgementTests` for the tables).
enum IncidentJudgement {
    static func list(_ items: [String], max: Int = 5) -> String {
        items.count <= max ? items.joined(separator: ", ") : items.prefix(max).joined(separator: ", ") + " and \(items.count - max) more"
    }
    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// The rules' own severities are the floor (DUET questions count as medium at most); each
    /// fact that raises it is written down, and so is each fact that bears on it without raising.
    static func severity(_ f: IncidentFacts) -> (Rule.Severity, [String]) {
        var reasons: [String] = []
        func floor(_ x: IncidentFacts.Finding) -> Rule.Severity { x.kind == .duet ? min(x.severity, .medium) : x.severity }
        var level = f.findings.map(floor).max() ?? .info
        let top = f.findings.filter { floor($0) == level }.map(\.ruleID)
        reasons.append("highest rule severity \(level.rawValue) (\(list(Array(Set(top)).sorted())))")
        func atLeast(_ s: Rule.Severity, _ why: String) {
            reasons.append(why)
            if s > level { level = s }
        }
        // Policy and awareness events: what the users did is reported, it raises nothing.
        let policyOnly = f.policyOnly
        if policyOnly { reasons.append("only questions for the customer (DUET): no rule judged it malicious") }
        func raise(_ s: Rule.Severity, _ why: String) {
            if policyOnly { reasons.append(why) } else { atLeast(s, why) }
        }
        let c2 = f.hosts(atLeast: .commandAndControl), executed = f.hosts(atLeast: .execution), downloaded = f.hosts(atLeast: .download)
        if !c2.isEmpty { atLeast(.critical, "command-and-control from \(plural(c2.count, "host")) (\(list(c2)))") }
        if !executed.isEmpty { atLeast(.critical, "executed on \(plural(executed.count, "host")) (\(list(executed)))") }
        if !downloaded.isEmpty && executed.isEmpty { atLeast(.high, "payload downloaded on \(plural(downloaded.count, "host")) (\(list(downloaded)))") }
        let victims = f.credentialVictims
        if !victims.isEmpty { atLeast(.critical, "credential-phishing page reached by \(plural(victims.count, "user")) (\(list(victims)))") }
        let opened = f.hosts.filter { $0.value.stage == .interaction }.keys.sorted()
        if !opened.isEmpty { raise(.high, "opened or reached on \(plural(opened.count, "host")) (\(list(opened)))") }
        if !f.reached.isEmpty { raise(.high, "\(plural(f.reached.count, "user")) clicked through, released or opened it (\(list(f.reached)))") }
        let vendor = f.findings.filter { $0.kind == .vendor }.map(\.ruleID)
        if !vendor.isEmpty {
            reasons.append("Mimecast verdict: " + Set(vendor).sorted().map { f.ruleTitles[$0] ?? $0 }.joined(separator: "; "))
        }
        // A copy not seen delivered counts as stopped only where the delivery log covers the day.
        if !f.deliveryUnknown.isEmpty {
            let days = f.unknownDeliveryDays.isEmpty ? "" : ": no delivery logs for " + list(f.unknownDeliveryDays.map(LogCoverage.dayText), max: 3)
            atLeast(.medium, "delivery unknown for \(f.deliveryUnknown.count) of \(plural(f.recipients.count, "recipient"))\(days)")
        }
        let sessionChanges = f.sessionChanges
        if !sessionChanges.isEmpty {
            let accounts = Set(sessionChanges.compactMap(\.account)).sorted()
            atLeast(.critical, "a console account signed in after repeated failures and then made \(plural(sessionChanges.count, "change")) (\(list(accounts)))")
        }
        for step in f.administration where step.action == .allowEntry {
            reasons.append("allow entry by \(step.account ?? "an unnamed account") before the campaign arrived: \(step.detail)")
        }
        for step in f.administration where step.action == .released && step.role == .admin {
            reasons.append("\(step.account ?? "an administrator") \(step.detail)")
        }
        if f.recipients.isEmpty {
            // Nothing was mailed to anyone: the administration steps are the whole story.
        } else if f.delivered.isEmpty {
            if f.deliveryUnknown.isEmpty { reasons.append("no copy was delivered (\(plural(f.recipients.count, "recipient")) targeted)") }
        } else {
            raise(.medium, "delivered to \(f.delivered.count) of \(plural(f.recipients.count, "recipient"))")
            if f.delivered.count >= 10 { raise(.high, "broad: \(f.delivered.count) mailboxes received it") }
        }
        if !f.intel.isEmpty {
            let raised = level.next
            var named: [String] = []
            for i in f.intel where !named.contains(where: { $0.hasPrefix(i.value + " (") }) { named.append("\(i.value) (\(i.feeds))") }
            atLeast(raised, "threat-intel match: " + list(named, max: 3))
        }
        if f.ruleIDs.contains("MS-IMP-020") { reasons.append("business email compromise pattern: an internal name used from outside with a mismatched reply-to") }
        return (level, reasons)
    }

    /// What to do, in the order a responder would do it. For a policy-only incident the
    /// customer's answer comes first and the rest depends on it.
    static func actions(_ f: IncidentFacts) -> [String] {
        var actions: [String] = []
        let policyOnly = f.policyOnly
        let ifUnexpected = policyOnly ? "If the customer did not expect it: " : ""
        func lowerFirst(_ s: String) -> String { policyOnly ? s.prefix(1).lowercased() + s.dropFirst() : s }
        if policyOnly { actions.append("Ask the customer the \(plural(f.duetCount, "DUET question"))") }
        let executed = f.hosts(atLeast: .execution)
        if !executed.isEmpty {
            let hosts = executed.map { h in f.hosts[h]?.user.map { "\(h) (\($0))" } ?? h }
            actions.append("Isolate and investigate the host\(hosts.count == 1 ? "" : "s") where it ran: \(list(hosts, max: 10))")
        }
        let victims = f.credentialVictims
        if !victims.isEmpty {
            actions.append("Reset the passwords and revoke the sessions of \(list(victims, max: 10)); review their sign-ins")
        }
        if !f.delivered.isEmpty {
            let boxes = f.delivered.count == 1 ? "1 mailbox" : "\(f.delivered.count) mailboxes"
            // Copies whose Message-ID the logs gave, and mailboxes known to hold one without it
            // (a legacy click line has no Message-ID): the latter are found by sender and subject.
            let tracked = f.deliveredCopies.values.reduce(0) { $0 + $1.count }
            let withID = Set(f.deliveredCopies.values.flatMap { $0 })
            let untracked = f.delivered.filter { !withID.contains($0) }.count
            let copies = tracked + untracked
            let ids = f.deliveredCopies.keys.sorted()
            let what = copies == 1 ? "the delivered copy" : "the \(copies) delivered copies"
            var which: [String] = []
            if !ids.isEmpty { which.append("Message-ID\(ids.count == 1 ? "" : "s") \(list(ids, max: 3))") }
            if untracked > 0 { which.append("\(untracked) with no Message-ID in the logs: find \(untracked == 1 ? "it" : "them") by sender and subject") }
            actions.append(ifUnexpected + lowerFirst("Purge \(what) from the \(boxes) it reached (") + "\(which.joined(separator: "; ")))")
        }
        if !f.deliveryUnknown.isEmpty {
            let days = f.unknownDeliveryDays.isEmpty ? "" : " for " + list(f.unknownDeliveryDays.map(LogCoverage.dayText), max: 3)
            actions.append("Find out whether \(list(f.deliveryUnknown, max: 5)) received it: the delivery logs\(days) are not in the data; purge any copy found")
        }
        if !f.blockHashes.isEmpty { actions.append(ifUnexpected + lowerFirst("Block SHA-256") + " \(list(f.blockHashes, max: 3)) on endpoints and the mail gateway") }
        if !f.blockDomains.isEmpty { actions.append(ifUnexpected + lowerFirst("Block") + " \(list(f.blockDomains, max: 5)) at the web proxy and DNS") }
        if !f.externalSenders.isEmpty {
            let senderDomains = Set(f.externalSenders.compactMap { EmailAddress.domain($0) }).sorted()
            actions.append(ifUnexpected + lowerFirst("Block") + " the sender\(f.externalSenders.count == 1 ? "" : "s") \(list(f.externalSenders, max: 3)) (domain \(list(senderDomains, max: 3))) at the gateway")
        }
        for s in f.internalSenders {
            actions.append("Check \(s) for a compromised account: reset the password, revoke sessions, review inbox rules and sign-ins")
        }
        if f.ruleIDs.contains("MS-IMP-020") || f.ruleIDs.contains("MS-IMP-001") {
            actions.append("Warn \(list(f.delivered.isEmpty ? f.recipients : f.delivered, max: 5)): confirm any payment or bank-detail request by phone")
        }
        actions.append(contentsOf: administrationActions(f))
        if f.duetCount > 0 && !policyOnly { actions.append("Ask the customer the \(plural(f.duetCount, "DUET question"))") }
        if !f.recipients.isEmpty && f.delivered.isEmpty && f.reached.isEmpty && executed.isEmpty && f.deliveryUnknown.isEmpty {
            actions.append("No mailbox holds it: every copy was stopped; no action on the recipients is needed")
        }
        return actions
    }

    /// What to do about the administration steps: undo an allow entry and ask who made it,
    /// ask an administrator why they released a held copy, lock out an account signed in after
    /// failures and undo what its session changed.
    static func administrationActions(_ f: IncidentFacts) -> [String] {
        var actions: [String] = []
        for step in f.administration where step.action == .allowEntry {
            let when = step.ts.map { " on " + TimeParser.iso8601($0) } ?? ""
            actions.append("Remove the allow entry \(step.account ?? "an unnamed account") made\(when) (\(step.detail)) and ask them why they made it")
        }
        let releasers = Set(f.administration.filter { $0.action == .released && $0.role == .admin }.compactMap(\.account)).sorted()
        if !releasers.isEmpty {
            actions.append("Ask \(list(releasers)) why they released the held copy; if they did not, treat their console account as compromised")
        }
        let bruteForced = f.bruteForcedSignIns, sessionChanges = f.sessionChanges
        for account in Set(bruteForced.compactMap(\.account)).sorted() {
            let ips = Set(bruteForced.filter { $0.account == account }.compactMap(\.sourceIP)).sorted()
            let changes = sessionChanges.filter { $0.account == account }.count
            let undo = changes == 0 ? "review the audit log for what the session changed"
                : "undo the \(plural(changes, "change")) the session made (listed under Administration)"
            actions.append("Reset the password of \(account), revoke its sessions, enforce 2FA and block \(list(ips)); \(undo)")
        }
        return actions
    }

    /// A title a person can read in a list: what was seen, "malicious" only where a rule said so.
    static func title(_ f: IncidentFacts) -> String {
        let mainSender = f.mainSender
        if f.administrationOnly, let first = f.findings.min(by: { ($0.ts, $0.id) < ($1.ts, $1.id) }) {
            let step = f.administration.first { $0.ruleID == first.ruleID } ?? f.administration.first
            let who = step?.account ?? first.user ?? "an unnamed account"
            return "\(f.ruleTitles[first.ruleID] ?? first.ruleID): \(who)" + (step?.sourceIP.map { " from \($0)" } ?? "")
        }
        if f.policyOnly, let first = f.findings.min(by: { ($0.ts, $0.id) < ($1.ts, $1.id) }) {
            return "\(f.ruleTitles[first.ruleID] ?? first.ruleID): \(first.indicator ?? first.user ?? mainSender)"
        }
        if let file = f.fileNames.sorted().first, !f.hashes.isEmpty { return "Malicious attachment \(file) from \(mainSender)" }
        if let domain = f.domains.sorted().first { return "Malicious link to \(domain) from \(mainSender)" }
        if f.ruleIDs.contains(where: { $0.hasPrefix("MS-IMP-") }) {
            return "Impersonation: \"\(f.findings.compactMap(\.subject).first ?? "")\" from \(mainSender)"
        }
        let first = f.findings.min { ($0.ts, $0.id) < ($1.ts, $1.id) }
        return "\(first.flatMap { f.ruleTitles[$0.ruleID] } ?? first?.ruleID ?? "Finding") — \(mainSender)"
    }
}

extension IncidentBuilder.Scope {
    /// The facts of this scope, for `IncidentJudgement`.
    func facts(rules: [String: Rule], coverage: LogCoverage) -> IncidentFacts {
        var f = IncidentFacts()
        f.findings = findings.map {
            IncidentFacts.Finding(id: $0.id, ruleID: $0.ruleID, kind: $0.kind, severity: $0.severity,
                                  ts: $0.ts, user: $0.user, sender: $0.sender, subject: $0.subject, indicator: $0.indicator)
        }
        for id in Set(findings.map(\.ruleID)) { if let t = rules[id]?.title { f.ruleTitles[id] = t } }
        f.techniques = techniques
        let recipients = people.filter { $0.value.received }
        f.recipients = recipients.keys.sorted()
        f.delivered = recipients.filter { $0.value.delivered }.keys.sorted()
        f.reached = people.filter { $0.value.reached }.keys.sorted()
        f.clickedThrough = people.filter { $0.value.clickedThrough }.keys.sorted()
        // Not delivered and not known to be stopped: unknown where no delivery log covers the day.
        let undelivered = recipients.filter { !$0.value.delivered && !$0.value.stopped }
        f.deliveryUnknown = undelivered.filter { p in p.value.firstTS.map { !coverage.covers("delivery", at: $0) } ?? true }.keys.sorted()
        f.unknownDeliveryDays = Set(undelivered.values.compactMap { p in
            p.firstTS.flatMap { coverage.covers("delivery", at: $0) ? nil : TimeParser.utcDay($0) }
        }).sorted()
        f.hosts = machines.mapValues { (stage: $0.stage, user: $0.user) }
        f.credentialPageSeen = credentialPage
        f.domains = domains.sorted()
        f.hashes = hashes.sorted()
        f.fileNames = indicators.keys.filter { $0.type == "file_name" }.map(\.value).sorted()
        f.intel = indicators.filter { $0.value.feeds != nil }.sorted { ($0.key.type, $0.key.value) < ($1.key.type, $1.key.value) }
            .map { (value: $0.key.value, feeds: $0.value.feeds ?? "") }
        f.blockHashes = indicators.keys.filter { $0.type == "sha256" && !shared.contains($0) && !own.contains($0) }.map(\.value).sorted()
        f.blockDomains = indicators.keys.filter { $0.type == "domain" && !shared.contains($0) && !own.contains($0) }.map(\.value).sorted()
        f.externalSenders = senders.filter { s in !people.keys.contains { EmailAddress.domain($0) == EmailAddress.domain(s) } }.sorted()
        f.internalSenders = senders.subtracting(f.externalSenders).sorted()
        f.deliveredCopies = deliveredCopies
        f.senders = senders.sorted()
        f.administration = administration
        f.administrativeRuleIDs = Set(findings.filter { IncidentBuilder.AdministrationReader.tables.contains($0.table) }.map(\.ruleID))
        return f
    }

    /// Severity with its reasons, the actions and a title, from the scope's facts.
    mutating func judge(rules: [String: Rule], coverage: LogCoverage) {
        let f = facts(rules: rules, coverage: coverage)
        deliveryUnknown = Set(f.deliveryUnknown)
        let (level, why) = IncidentJudgement.severity(f)
        severity = level
        reasons.append(contentsOf: why)
        actions.append(contentsOf: IncidentJudgement.actions(f))
        title = IncidentJudgement.title(f)
    }

    /// Writes the incident with id `id`.
    func store(id: Int64, in db: Database) throws {
        let recipients = people.values.filter(\.received)
        try db.run("""
            INSERT INTO incident (id, key, title, severity, stage, first_ts, last_ts, recipients, delivered, interacted, hosts, findings)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(id), .text(key), .text(title), .text(severity.rawValue), .text(stage.rawValue), .integer(firstTS), .integer(lastTS),
                  .integer(Int64(recipients.count)), .integer(Int64(recipients.filter(\.delivered).count)),
                  .integer(Int64(people.values.filter { $0.stage >= .interaction }.count)),
                  .integer(Int64(machines.count)), .integer(Int64(findings.count))])
        let link = try db.prepare("INSERT OR IGNORE INTO incident_finding (incident_id, finding_id) VALUES (?, ?)")
        for f in findings { try link.bind([.integer(id), .integer(f.id)]); _ = try link.step() }
        let message = try db.prepare("INSERT INTO incident_message (incident_id, message_id) VALUES (?, ?)")
        for m in messages { try message.bind([.integer(id), .text(m)]); _ = try message.step() }
        let delivery = try db.prepare("INSERT INTO incident_delivery (incident_id, message_id, recipient) VALUES (?, ?, ?)")
        for (m, recipients) in deliveredCopies.sorted(by: { $0.key < $1.key }) {
            for r in recipients.sorted() { try delivery.bind([.integer(id), .text(m), .text(r)]); _ = try delivery.step() }
        }
        let user = try db.prepare("""
            INSERT INTO incident_user (incident_id, user, received, delivered, interacted, stage, stage_evidence_table, stage_evidence_rowid, first_ts, delivery)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (name, p) in people.sorted(by: { $0.key < $1.key }) {
            try user.bind([.integer(id), .text(name), .integer(p.received ? 1 : 0), .integer(p.delivered ? 1 : 0),
                           .integer(p.stage >= .interaction ? 1 : 0), .text(p.stage.rawValue),
                           p.evidence.map { .text($0.table) } ?? .null, p.evidence.map { .integer($0.rowid) } ?? .null, p.firstTS.map { .integer($0) } ?? .null,
                           .text(deliveryState(name, p).rawValue)])
            _ = try user.step()
        }
        let host = try db.prepare("INSERT INTO incident_host (incident_id, host, user, stage, first_ts, evidence_rows) VALUES (?, ?, ?, ?, ?, ?)")
        for (name, m) in machines.sorted(by: { $0.key < $1.key }) {
            try host.bind([.integer(id), .text(name), m.user.map { .text($0) } ?? .null, .text(m.stage.rawValue), .integer(m.firstTS), .integer(Int64(m.rows))])
            _ = try host.step()
        }
        let indicator = try db.prepare("""
            INSERT INTO incident_indicator (incident_id, type, value, recipients, hosts, first_ts, last_ts, feeds, sender_domains, shared, own)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (i, p) in indicators.sorted(by: { ($0.key.type, $0.key.value) < ($1.key.type, $1.key.value) }) {
            try indicator.bind([.integer(id), .text(i.type), .text(i.value), .integer(Int64(p.recipients)), .integer(Int64(p.hosts)),
                                p.first.map { .integer($0) } ?? .null, p.last.map { .integer($0) } ?? .null, p.feeds.map { .text($0) } ?? .null,
                                .integer(Int64(p.senderDomains)), .integer(shared.contains(i) ? 1 : 0),
                                .integer(own.contains(i) ? 1 : 0)])
            _ = try indicator.step()
        }
        let technique = try db.prepare("INSERT INTO incident_technique (incident_id, technique) VALUES (?, ?)")
        for t in techniques.sorted() { try technique.bind([.integer(id), .text(t)]); _ = try technique.step() }
        let admin = try db.prepare("""
            INSERT INTO incident_admin (incident_id, seq, ts, account, role, action, detail, source_ip, target, rule_id, evidence_table, evidence_rowid)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (n, step) in administration.enumerated() {
            try admin.bind([.integer(id), .integer(Int64(n + 1)), step.ts.map { .integer($0) } ?? .null, step.account.map { .text($0) } ?? .null,
                            .text(step.role.rawValue), .text(step.action.rawValue), .text(step.detail), step.sourceIP.map { .text($0) } ?? .null,
                            step.target.map { .text($0) } ?? .null, step.ruleID.map { .text($0) } ?? .null, .text(step.evidence.table), .integer(step.evidence.rowid)])
            _ = try admin.step()
        }
        let note = try db.prepare("INSERT INTO incident_note (incident_id, kind, seq, text) VALUES (?, ?, ?, ?)")
        for (kind, texts) in [("reason", reasons), ("action", actions)] {
            for (n, text) in texts.enumerated() {
                try note.bind([.integer(id), .text(kind), .integer(Int64(n + 1)), .text(text)])
                _ = try note.step()
            }
        }
    }
}

extension Rule.Severity {
    /// One level up, critical staying critical.
    var next: Rule.Severity {
        let all = Rule.Severity.allCases
        return all[min(all.count - 1, all.firstIndex(of: self)! + 1)]
    }
}
