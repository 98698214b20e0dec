import Foundation

extension IncidentBuilder {
    /// One person the campaign reached.
    struct Person {
        var received = false
        var delivered = false
        var reached = false          // clicked through, released, or opened: more than a blocked attempt
        var clickedThrough = false   // a click Mimecast let through (allow or warn)
        var stopped = false          // Mimecast's own action says the copy was held, blocked or rejected
        var stage = Rule.Stage.targeted
        var evidence: EvidenceRow?
        var firstTS: Int64?

        /// Moves the person to `to` when it is further than where they are (the row proving it
        /// goes with it), and keeps the earliest time seen.
        mutating func raise(_ to: Rule.Stage, _ evidence: EvidenceRow?, ts: Int64?) {
            // At the same stage an endpoint row is the better proof than a mail-side one.
            let better = self.evidence == nil || (!(self.evidence!.isEndpoint) && (evidence?.isEndpoint ?? false))
            if to > stage || (to == stage && better) {
                stage = to
                self.evidence = evidence
            }
            if let ts { firstTS = min(firstTS ?? ts, ts) }
        }
    }

    /// One computer the campaign reached.
    struct Machine {
        var user: String?
        var stage = Rule.Stage.interaction
        var firstTS: Int64
        var rows = 0
    }

    /// Answers shared between incidents of one rebuild.
    final class Memo {
        let evidence: EvidenceKeys
        init(evidence: EvidenceKeys) { self.evidence = evidence }
        /// One message received from a sender: its Message-ID and subject.
        struct SentMessage {
            var messageID: String
            var subject: String?
        }
        /// Per sender, every message received from them.
        var senderMessages: [String: [SentMessage]] = [:]

        /// Fills `senderMessages` for all these senders at once: with many senders one scan of
        /// the received mail beats a lookup per sender, whose rows lie all over the table (see
        /// `IndicatorPrevalence` for the measurement).
        func prefillSenderMessages(senders: Set<String>, db: Database, scanThreshold: Int) throws {
            guard senders.count >= scanThreshold else { return }   // looked up one by one, as needed
            for s in senders { senderMessages[s] = [] }
            try db.withValueTable("wanted_sender", senders.sorted()) {
                for r in try db.rows("""
                    SELECT DISTINCT sender, message_id, subject FROM mail_message
                    WHERE event = 'receipt' AND message_id IS NOT NULL AND +sender IN (SELECT value FROM temp.wanted_sender)
                    ORDER BY sender, message_id, subject
                    """) {
                    guard let s = r.text("sender"), let m = r.text("message_id") else { continue }
                    senderMessages[s, default: []].append(SentMessage(messageID: m, subject: r.text("subject")))
                }
            }
        }
    }

    /// An indicator with its prevalence in the environment.
    struct Indicator: Hashable {
        var type: String
        var value: String
    }

    /// Everything known about one incident, computed from its findings and the rows around them.
    struct Scope {
        var findings: [Finding]
        var key: String
        var title = ""
        var severity: Rule.Severity = .info
        var stage = Rule.Stage.targeted
        var firstTS: Int64
        var lastTS: Int64
        var messages: [String] = []
        var people: [String: Person] = [:]
        var machines: [String: Machine] = [:]
        var indicators: [Indicator: IndicatorPrevalence.Value] = [:]
        /// Indicators that ordinary mail from many other senders also carries (a shared relay,
        /// a file-sharing host): context for the analyst, never something to block.
        var shared: Set<Indicator> = []
        /// Indicators that name the organisation itself (an own domain, a sender or URL in it):
        /// context, never something to block.
        var own: Set<Indicator> = []
        /// A clicked page of the campaign was a credential-phishing page (category, evidence).
        var credentialPage = false
        var techniques: Set<String> = []
        var reasons: [String] = []
        var actions: [String] = []
        /// Message-ID → recipients whose copy was delivered (a delivery row, a release, a click
        /// or an endpoint trace of that message): what a purge has to remove.
        var deliveredCopies: [String: Set<String>] = [:]
        /// Recipients whose copy no delivery log covers (set by `judge`).
        var deliveryUnknown: Set<String> = []
        /// What accounts did around it (releases, sign-ins, allow entries, archive access).
        var administration: [AdministrationStep] = []

        /// What became of `person`'s copy.
        func deliveryState(_ name: String, _ person: Person) -> DeliveryState {
            if person.delivered { return .delivered }
            if person.stopped { return .stopped }
            return deliveryUnknown.contains(name) ? .unknown : .notDelivered
        }

        init(findings: [Finding], keys: Set<String>, db: Database, rules: [String: Rule], memo: Memo) throws {
            self.findings = findings
            firstTS = findings.map(\.ts).min() ?? 0
            lastTS = findings.map(\.ts).max() ?? 0
            key = Scope.key(keys)
            try collect(db, memo: memo)
            for f in findings { techniques.formUnion(rules[f.ruleID]?.attack ?? []) }
            try gatherIndicators(db)
        }

        /// Completes the scope once the prevalence of every incident's indicators is known
        /// (measured for all incidents at once: `IndicatorPrevalence`), then judges it.
        mutating func finish(prevalence: [Indicator: IndicatorPrevalence.Value], rules: [String: Rule], coverage: LogCoverage,
                             ownDomains: Set<String> = []) {
            for i in Array(indicators.keys) { indicators[i] = prevalence[i] ?? IndicatorPrevalence.none }
            let campaignDomains = indicators.keys.filter { $0.type == "sender_domain" }.count
            for (i, p) in indicators where p.senderDomains - campaignDomains >= Scope.sharedInfrastructureDomains { shared.insert(i) }
            for i in indicators.keys where Scope.isOwn(i, ownDomains: ownDomains) { own.insert(i) }
            judge(rules: rules, coverage: coverage)
        }

        /// Whether indicator `i` names one of the organisation's own domains: a sender address
        /// or sender domain in it, a domain or URL whose registrable domain is one of them.
        static func isOwn(_ i: Indicator, ownDomains: Set<String>) -> Bool {
            guard !ownDomains.isEmpty else { return false }
            let host: String?
            switch i.type {
            case "sender": host = EmailAddress.domain(i.value)
            case "sender_domain", "domain": host = i.value
            case "url": host = Host.ofURL(i.value)
            default: host = nil
            }
            guard let host, let registrable = PublicSuffixList.shared.registrableDomain(host.lowercased()) else { return false }
            return ownDomains.contains(registrable)
        }

        var hashes: Set<String> = []
        var domains: Set<String> = []
        var resources: Set<String> = []
        var senders: Set<String> = []

        /// The incident's stable name: its most telling grouping key (a key belongs to one
        /// group only, so names never collide): a hash, then a clicked domain, a threat-intel
        /// indicator, a Message-ID, a sender and subject, an endpoint row, the account that acted
        /// and the address it came from (administration findings), a lone finding.
        static func key(_ keys: Set<String>) -> String {
            for prefix in ["hash:", "domain:", "indicator:", "message:", "sender-subject:", "edr:", "account:", "source:", "finding:"] {
                if let k = keys.filter({ $0.hasPrefix(prefix) }).min() { return k }
            }
            return keys.min() ?? "empty"
        }

        // MARK: gathering

        mutating func collect(_ db: Database, memo: Memo) throws {
            var messageSet = Set(findings.compactMap(\.messageID))
            var pairs = Set<String>()
            for f in findings {
                switch f.table {
                case "attachment_scan":
                    if let h = memo.evidence.hash[f.rowid] { hashes.insert(h) }
                case "url_click":
                    if let d = memo.evidence.domain[f.rowid] { domains.insert(d) }
                    if let u = memo.evidence.resource[f.rowid] { resources.insert(u) }
                default: break
                }
                if f.kind != .correlation, let s = IncidentBuilder.campaignSender(f.sender), let subject = IncidentBuilder.normalizedSubject(f.subject) {
                    pairs.insert("\(s)\u{1}\(subject)")
                }
            }
            // The campaign's other copies: same sender and subject, same attachment, same URL.
            for pair in pairs.sorted() {
                let parts = pair.split(separator: "\u{1}", maxSplits: 1).map(String.init)
                let sender = parts[0], subject = parts[1]
                guard let domain = EmailAddress.domain(sender) else { continue }
                if memo.senderMessages[sender] == nil {
                    memo.senderMessages[sender] = try db.cachedRows("""
                        SELECT DISTINCT message_id, subject FROM mail_message INDEXED BY mail_message_receipt_domain_sender
                        WHERE event = 'receipt' AND sender_domain = ? AND sender = ? AND message_id IS NOT NULL
                        """, [.text(domain), .text(sender)]).compactMap { r in
                        r.text("message_id").map { Memo.SentMessage(messageID: $0, subject: r.text("subject")) }
                    }
                }
                for r in memo.senderMessages[sender] ?? [] where IncidentBuilder.normalizedSubject(r.subject) == subject {
                    messageSet.insert(r.messageID)
                }
            }
            for h in hashes.sorted() {
                for r in try db.cachedRows("SELECT DISTINCT message_id FROM attachment_scan WHERE sha256 = ? AND message_id IS NOT NULL", [.text(h)]) {
                    if let m = r.text("message_id") { messageSet.insert(m) }
                }
            }
            for u in resources.sorted() {
                for r in try db.cachedRows("SELECT DISTINCT message_id FROM url_click WHERE url_resource = ? AND message_id IS NOT NULL", [.text(u)]) {
                    if let m = r.text("message_id") { messageSet.insert(m) }
                }
            }
            messages = messageSet.sorted()
            try collectPeople(db)
            try collectMachines()
            administration = try AdministrationReader.read(db, findings: findings, messages: messages)
        }

        /// The people of the campaign, from one reader per evidence table (run per message in
        /// row order, so the first row at a stage stays its proof), then the findings.
        mutating func collectPeople(_ db: Database) throws {
            var ledger = PeopleLedger(people: people, deliveredCopies: deliveredCopies, senders: senders, hashes: hashes,
                                      domains: domains, resources: resources, credentialPage: credentialPage)
            for m in messages {
                try ledger.readMail(db, message: m)
                try ledger.readAttachmentScans(db, message: m)
                try ledger.readReleases(db, message: m)
                try ledger.readImpersonations(db, message: m)
            }
            for f in findings where f.table == EventTable.messageRelease.rawValue { try ledger.readRelease(db, rowid: f.rowid) }
            try ledger.readClicks(db, messages: messages, resources: resources.sorted())
            ledger.apply(findings)
            people = ledger.people
            deliveredCopies = ledger.deliveredCopies
            senders = ledger.senders
            hashes = ledger.hashes
            domains = ledger.domains
            resources = ledger.resources
            credentialPage = ledger.credentialPage
            if let first = people.values.compactMap(\.firstTS).min() { firstTS = min(firstTS, first) }
        }

        mutating func collectMachines() throws {
            for f in findings where f.kind == .correlation || f.table == "edr_event" {
                guard let host = f.host else { continue }
                var m = machines[host] ?? Machine(user: f.user, stage: f.stage ?? .interaction, firstTS: f.ts, rows: 0)
                if let stage = f.stage, stage > m.stage { m.stage = stage }
                m.firstTS = min(m.firstTS, f.ts)
                if m.user == nil { m.user = f.user }
                m.rows += 1
                machines[host] = m
            }
            // With no person reached by mail (a console brute force), the rules' stages tell it.
            stage = people.values.map(\.stage).max() ?? findings.compactMap(\.stage).max() ?? .targeted
        }

        // MARK: indicators

        /// The incident's indicators (prevalence still to be measured).
        mutating func gatherIndicators(_ db: Database) throws {
            var found = Set<Indicator>()
            for s in senders where !s.isEmpty { found.insert(Indicator(type: "sender", value: s)) }
            for m in messages {
                for r in try db.cachedRows("SELECT DISTINCT sender_domain, sender_ip FROM mail_message WHERE message_id = ? AND event = 'receipt'", [.text(m)]) {
                    if let d = r.text("sender_domain") { found.insert(Indicator(type: "sender_domain", value: d)) }
                    if let ip = r.text("sender_ip"), !Scope.isPrivate(ip) { found.insert(Indicator(type: "sender_ip", value: ip)) }
                }
                for r in try db.cachedRows("SELECT DISTINCT sha256, file_name FROM attachment_scan WHERE message_id = ? AND sha256 IS NOT NULL", [.text(m)]) {
                    guard let h = r.text("sha256"), hashes.contains(h) else { continue }
                    found.insert(Indicator(type: "sha256", value: h))
                    if let n = r.text("file_name") { found.insert(Indicator(type: "file_name", value: n)) }
                }
            }
            for d in domains { found.insert(Indicator(type: "domain", value: d)) }
            for u in resources { found.insert(Indicator(type: "url", value: u)) }
            // What the endpoints showed: downloaded or spawned files, and where they connected.
            for f in findings where f.kind == .correlation && f.table == "edr_event" {
                guard let r = try db.cachedRows("SELECT action, sha256, file_name, url_host, domain, remote_ip FROM edr_event WHERE id = ?", [.integer(f.rowid)]).first else { continue }
                let action = r.text("action") ?? ""
                if ["download", "process_start"].contains(action), f.ruleID != "MS-COR-002", f.ruleID != "MS-COR-006",
                   let h = r.text("sha256") {
                    found.insert(Indicator(type: "sha256", value: h))
                    if let n = r.text("file_name") { found.insert(Indicator(type: "file_name", value: n)) }
                }
                if ["dns_query", "network_connect", "http_request", "download"].contains(action) {
                    if let d = r.text("domain") { found.insert(Indicator(type: "domain", value: d)) }
                    if action != "dns_query", let ip = r.text("remote_ip"), !Scope.isPrivate(ip) { found.insert(Indicator(type: "ip", value: ip)) }
                }
            }
            for i in found { indicators[i] = IndicatorPrevalence.none }
        }

        /// From how many sender domains beyond the campaign's own an indicator counts as shared
        /// infrastructure: mail from three unrelated senders through one relay or linking one
        /// host is ordinary traffic, not the campaign's.
        static let sharedInfrastructureDomains = 3

        static func isPrivate(_ ip: String) -> Bool {
            let p = ip.split(separator: ".").compactMap { Int($0) }
            guard p.count == 4 else { return ip.hasPrefix("fe80:") || ip == "::1" || ip.lowercased().hasPrefix("fd") }
            return p[0] == 10 || p[0] == 127 || (p[0] == 172 && (16...31).contains(p[1])) || (p[0] == 192 && p[1] == 168) || (p[0] == 169 && p[1] == 254)
        }

    }
}
