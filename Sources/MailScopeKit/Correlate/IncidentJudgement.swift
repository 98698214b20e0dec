import Foundation

extension IncidentBuilder.Scope {
    /// Severity from the facts (stage reached, verdicts, threat-intel, breadth) with each
    /// reason written down, the actions that follow from them, and a title.
    mutating func judge(rules: [String: Rule], coverage: LogCoverage) {
        let rank = IncidentBuilder.rank
        let recipients = people.filter { $0.value.received }
        let delivered = recipients.filter { $0.value.delivered }.keys.sorted()
        let reached = people.filter { $0.value.reached }.keys.sorted()
        let machines = self.machines
        func hostsAt(_ stage: String) -> [String] { machines.filter { rank($0.value.stage) >= rank(stage) }.keys.sorted() }
        let ruleIDs = Set(findings.map(\.ruleID))
        func list(_ items: [String], max: Int = 5) -> String {
            items.count <= max ? items.joined(separator: ", ") : items.prefix(max).joined(separator: ", ") + " and \(items.count - max) more"
        }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

        // The rules' own severities are the floor (DUET questions count as medium at most).
        var level = findings.map { $0.kind == "duet" ? min($0.severity, .medium) : $0.severity }.max() ?? .info
        let top = findings.filter { ($0.kind == "duet" ? min($0.severity, .medium) : $0.severity) == level }.map(\.ruleID)
        reasons.append("highest rule severity \(level.rawValue) (\(list(Array(Set(top)).sorted())))")
        func atLeast(_ s: Rule.Severity, _ why: String) {
            reasons.append(why)
            if s > level { level = s }
        }
        // Only questions for the customer (policy and awareness events): what the users did is
        // reported, but it raises nothing on its own, and nothing is called malicious.
        let policyOnly = !findings.isEmpty && findings.allSatisfy { $0.kind == "duet" }
        if policyOnly { reasons.append("only questions for the customer (DUET): no rule judged it malicious") }
        func raise(_ s: Rule.Severity, _ why: String) {
            if policyOnly { reasons.append(why) } else { atLeast(s, why) }
        }
        let c2 = hostsAt("command-and-control"), executed = hostsAt("execution"), downloaded = hostsAt("download")
        if !c2.isEmpty { atLeast(.critical, "command-and-control from \(plural(c2.count, "host")) (\(list(c2)))") }
        if !executed.isEmpty { atLeast(.critical, "executed on \(plural(executed.count, "host")) (\(list(executed)))") }
        if !downloaded.isEmpty && executed.isEmpty { atLeast(.high, "payload downloaded on \(plural(downloaded.count, "host")) (\(list(downloaded)))") }
        let credentialPage = self.credentialPage || !ruleIDs.isDisjoint(with: ["MS-URL-070", "MS-DOM-002"]) || techniques.contains("T1598.003")
        let clickedThrough = people.filter { $0.value.clickedThrough }.keys.sorted()
        if credentialPage && !clickedThrough.isEmpty && !domains.isEmpty {
            atLeast(.critical, "credential-phishing page reached by \(plural(clickedThrough.count, "user")) (\(list(clickedThrough)))")
        }
        let opened = machines.filter { $0.value.stage == "interaction" }.keys.sorted()
        if !opened.isEmpty { raise(.high, "opened or reached on \(plural(opened.count, "host")) (\(list(opened)))") }
        if !reached.isEmpty { raise(.high, "\(plural(reached.count, "user")) clicked through, released or opened it (\(list(reached)))") }
        let vendor = findings.filter { $0.kind == "vendor" }.map(\.ruleID)
        if !vendor.isEmpty {
            reasons.append("Mimecast verdict: " + Set(vendor).sorted().map { rules[$0]?.title ?? $0 }.joined(separator: "; "))
        }
        // Whether a copy not seen delivered was stopped or its delivery was never logged: a
        // recipient counts as "not delivered" only where the delivery log covers the day.
        let undelivered = recipients.filter { !$0.value.delivered }
        let unknownDays = Set(undelivered.values.compactMap { p in
            p.firstTS.flatMap { coverage.covers("delivery", at: $0) ? nil : LogCoverage.day($0) }
        }).sorted()
        let deliveryUnknown = undelivered.filter { p in p.value.firstTS.map { !coverage.covers("delivery", at: $0) } ?? true }.keys.sorted()
        if !deliveryUnknown.isEmpty {
            let days = unknownDays.isEmpty ? "" : ": no delivery logs for " + list(unknownDays.map(LogCoverage.dayText), max: 3)
            atLeast(.medium, "delivery unknown for \(deliveryUnknown.count) of \(plural(recipients.count, "recipient"))\(days)")
        }
        if delivered.isEmpty {
            if deliveryUnknown.isEmpty {
                reasons.append("no copy was delivered (\(plural(recipients.count, "recipient")) targeted)")
            }
        } else {
            atLeast(.medium, "delivered to \(delivered.count) of \(plural(recipients.count, "recipient"))")
            if delivered.count >= 10 { raise(.high, "broad: \(delivered.count) mailboxes received it") }
        }
        let intel = indicators.filter { $0.value.feeds != nil }.sorted { ($0.key.type, $0.key.value) < ($1.key.type, $1.key.value) }
        if !intel.isEmpty {
            let raised = level.next
            var named: [String] = []
            for i in intel where !named.contains(where: { $0.hasPrefix(i.key.value + " (") }) { named.append("\(i.key.value) (\(i.value.feeds ?? ""))") }
            atLeast(raised, "threat-intel match: " + list(named, max: 3))
        }
        if ruleIDs.contains("MS-IMP-020") { reasons.append("business email compromise pattern: an internal name used from outside with a mismatched reply-to") }
        severity = level

        // What to do, in the order a responder would do it. For a policy-only incident the
        // customer's answer comes first and the rest depends on it.
        let ifUnexpected = policyOnly ? "If the customer did not expect it: " : ""
        func lowerFirst(_ s: String) -> String { policyOnly ? s.prefix(1).lowercased() + s.dropFirst() : s }
        let duetCount = findings.filter { $0.kind == "duet" }.count
        if policyOnly { actions.append("Ask the customer the \(plural(duetCount, "DUET question"))") }
        let external = senders.filter { s in !people.keys.contains { EmailAddress.domain($0) == EmailAddress.domain(s) } }.sorted()
        let internalSenders = senders.subtracting(external).sorted()
        if !executed.isEmpty || !c2.isEmpty {
            let hosts = Set(executed + c2).sorted().map { h in machines[h]?.user.map { "\(h) (\($0))" } ?? h }
            actions.append("Isolate and investigate the host\(hosts.count == 1 ? "" : "s") where it ran: \(list(hosts, max: 10))")
        }
        if credentialPage && !clickedThrough.isEmpty && !domains.isEmpty {
            actions.append("Reset the passwords and revoke the sessions of \(list(clickedThrough, max: 10)); review their sign-ins")
        }
        if !delivered.isEmpty {
            let boxes = delivered.count == 1 ? "1 mailbox" : "\(delivered.count) mailboxes"
            // Copies whose Message-ID the logs gave, and mailboxes known to hold one without it
            // (a legacy click line has no Message-ID): the latter are found by sender and subject.
            let tracked = deliveredCopies.values.reduce(0) { $0 + $1.count }
            let withID = Set(deliveredCopies.values.flatMap { $0 })
            let untracked = delivered.filter { !withID.contains($0) }.count
            let copies = tracked + untracked
            let ids = deliveredCopies.keys.sorted()
            let what = copies == 1 ? "the delivered copy" : "the \(copies) delivered copies"
            var which: [String] = []
            if !ids.isEmpty { which.append("Message-ID\(ids.count == 1 ? "" : "s") \(list(ids, max: 3))") }
            if untracked > 0 { which.append("\(untracked) with no Message-ID in the logs: find \(untracked == 1 ? "it" : "them") by sender and subject") }
            actions.append(ifUnexpected + lowerFirst("Purge \(what) from the \(boxes) it reached (") + "\(which.joined(separator: "; ")))")
        }
        if !deliveryUnknown.isEmpty {
            let days = unknownDays.isEmpty ? "" : " for " + list(unknownDays.map(LogCoverage.dayText), max: 3)
            actions.append("Find out whether \(list(deliveryUnknown, max: 5)) received it: the delivery logs\(days) are not in the data; purge any copy found")
        }
        let badHashes = indicators.keys.filter { $0.type == "sha256" && !shared.contains($0) }.map(\.value).sorted()
        if !badHashes.isEmpty { actions.append(ifUnexpected + lowerFirst("Block SHA-256") + " \(list(badHashes, max: 3)) on endpoints and the mail gateway") }
        let badDomains = indicators.keys.filter { $0.type == "domain" && !shared.contains($0) }.map(\.value).sorted()
        if !badDomains.isEmpty { actions.append(ifUnexpected + lowerFirst("Block") + " \(list(badDomains, max: 5)) at the web proxy and DNS") }
        if !external.isEmpty {
            let senderDomains = Set(external.compactMap { EmailAddress.domain($0) }).sorted()
            actions.append(ifUnexpected + lowerFirst("Block") + " the sender\(external.count == 1 ? "" : "s") \(list(external, max: 3)) (domain \(list(senderDomains, max: 3))) at the gateway")
        }
        for s in internalSenders {
            actions.append("Check \(s) for a compromised account: reset the password, revoke sessions, review inbox rules and sign-ins")
        }
        if ruleIDs.contains("MS-IMP-020") || ruleIDs.contains("MS-IMP-001") {
            actions.append("Warn \(list(delivered.isEmpty ? recipients.keys.sorted() : delivered, max: 5)): confirm any payment or bank-detail request by phone")
        }
        if duetCount > 0 && !policyOnly { actions.append("Ask the customer the \(plural(duetCount, "DUET question"))") }
        if delivered.isEmpty && reached.isEmpty && executed.isEmpty && deliveryUnknown.isEmpty {
            actions.append("No mailbox holds it: every copy was stopped; no action on the recipients is needed")
        }

        // A title a person can read in a list.
        let mainSender = findings.compactMap(\.sender).reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            .max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? senders.sorted().first ?? "unknown sender"
        let files = indicators.keys.filter { $0.type == "file_name" }.map(\.value).sorted()
        if policyOnly, let first = findings.min(by: { ($0.ts, $0.id) < ($1.ts, $1.id) }) {
            // Say what was seen, in the rule's words, never "malicious".
            let what = rules[first.ruleID]?.title ?? first.ruleID
            let about = first.indicator ?? first.user ?? mainSender
            title = "\(what): \(about)"
        } else if let file = files.first, !hashes.isEmpty {
            title = "Malicious attachment \(file) from \(mainSender)"
        } else if let domain = domains.sorted().first {
            title = "Malicious link to \(domain) from \(mainSender)"
        } else if ruleIDs.contains(where: { $0.hasPrefix("MS-IMP-") }) {
            title = "Impersonation: \"\(findings.compactMap(\.subject).first ?? "")\" from \(mainSender)"
        } else {
            let first = findings.min { ($0.ts, $0.id) < ($1.ts, $1.id) }
            title = "\(first.flatMap { rules[$0.ruleID]?.title } ?? first?.ruleID ?? "Finding") — \(mainSender)"
        }
    }

    /// Writes the incident with id `id`.
    func store(id: Int64, in db: Database) throws {
        let recipients = people.values.filter(\.received)
        try db.run("""
            INSERT INTO incident (id, key, title, severity, stage, first_ts, last_ts, recipients, delivered, interacted, hosts, findings)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(id), .text(key), .text(title), .text(severity.rawValue), .text(stage), .integer(firstTS), .integer(lastTS),
                  .integer(Int64(recipients.count)), .integer(Int64(recipients.filter(\.delivered).count)),
                  .integer(Int64(people.values.filter { IncidentBuilder.rank($0.stage) >= IncidentBuilder.rank("interaction") }.count)),
                  .integer(Int64(machines.count)), .integer(Int64(findings.count))])
        let link = try db.prepare("INSERT OR IGNORE INTO incident_finding (incident_id, finding_id) VALUES (?, ?)")
        for f in findings { try link.bind([.integer(id), .integer(f.id)]); _ = try link.step() }
        let message = try db.prepare("INSERT INTO incident_message (incident_id, message_id) VALUES (?, ?)")
        for m in messages { try message.bind([.integer(id), .text(m)]); _ = try message.step() }
        let user = try db.prepare("""
            INSERT INTO incident_user (incident_id, user, received, delivered, interacted, stage, stage_evidence, first_ts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (name, p) in people.sorted(by: { $0.key < $1.key }) {
            try user.bind([.integer(id), .text(name), .integer(p.received ? 1 : 0), .integer(p.delivered ? 1 : 0),
                           .integer(IncidentBuilder.rank(p.stage) >= IncidentBuilder.rank("interaction") ? 1 : 0), .text(p.stage),
                           p.evidence.map { .text($0) } ?? .null, p.firstTS.map { .integer($0) } ?? .null])
            _ = try user.step()
        }
        let host = try db.prepare("INSERT INTO incident_host (incident_id, host, user, stage, first_ts, evidence_rows) VALUES (?, ?, ?, ?, ?, ?)")
        for (name, m) in machines.sorted(by: { $0.key < $1.key }) {
            try host.bind([.integer(id), .text(name), m.user.map { .text($0) } ?? .null, .text(m.stage), .integer(m.firstTS), .integer(Int64(m.rows))])
            _ = try host.step()
        }
        let indicator = try db.prepare("""
            INSERT INTO incident_indicator (incident_id, type, value, recipients, hosts, first_ts, last_ts, feeds, sender_domains, shared)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (i, p) in indicators.sorted(by: { ($0.key.type, $0.key.value) < ($1.key.type, $1.key.value) }) {
            try indicator.bind([.integer(id), .text(i.type), .text(i.value), .integer(Int64(p.recipients)), .integer(Int64(p.hosts)),
                                p.first.map { .integer($0) } ?? .null, p.last.map { .integer($0) } ?? .null, p.feeds.map { .text($0) } ?? .null,
                                .integer(Int64(p.senderDomains)), .integer(shared.contains(i) ? 1 : 0)])
            _ = try indicator.step()
        }
        let technique = try db.prepare("INSERT INTO incident_technique (incident_id, technique) VALUES (?, ?)")
        for t in techniques.sorted() { try technique.bind([.integer(id), .text(t)]); _ = try technique.step() }
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
