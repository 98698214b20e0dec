import Foundation
import MailScopeKit
import Testing

/// `mailscope query …` on a copy of the scenario's standard run, against its ground truth and
/// against direct SQL counts.
@Suite struct QueryCLITests {
    /// This test's copy of the scenario's standard run.
    let scenario: ScenarioRun
    let truth: GroundTruth

    init() throws {
        scenario = try ScenarioRun.copy()
        truth = try GroundTruth.scenario()
    }

    /// Runs `mailscope query ARGS --db DB` and expects success.
    func query(_ arguments: [String]) throws -> CLI.Result {
        let r = try CLI.run(["query"] + arguments + ["--db", scenario.db])
        #expect(r.status == 0, "query \(arguments): \(r.stderr)")
        return r
    }

    /// The rows of a JSON list query.
    func rows(_ arguments: [String]) throws -> [[String: Any]] {
        let out = try query(arguments + ["--format", "json"]).stdout
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]], "not a JSON array: \(out.prefix(200))")
    }

    /// The sections of a JSON summary query.
    func sections(_ arguments: [String]) throws -> [String: [[String: Any]]] {
        let out = try query(arguments + ["--format", "json"]).stdout
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: [[String: Any]]], "not a JSON object of arrays: \(out.prefix(200))")
    }

    func count(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int {
        Int(try Database(path: scenario.db, mode: .readOnly).scalar(sql, arguments)?.intValue ?? -1)
    }

    /// Ground-truth times are whole seconds with Z; query times carry milliseconds.
    func iso(_ truth: String) -> String { truth.replacingOccurrences(of: "Z", with: ".000Z") }

    // MARK: - query url

    @Test func clicksOnTheAttackDomainAreExactlyThePlantedClickers() throws {
        let phish = try truth.attack("credential-phish-url")
        let clickers = try #require(phish.clickers)
        let clicks = try rows(["url", "--domain", try #require(phish.url).registrable_domain])
        #expect(Set(clicks.compactMap { $0["user"] as? String }) == Set(clickers.map(\.user)))
        #expect(clicks.allSatisfy { $0["kind"] as? String == "click" && $0["url_domain"] as? String == phish.url?.registrable_domain })
        for clicker in clickers {
            let click = clicks.first { $0["user"] as? String == clicker.user && $0["time"] as? String == iso(clicker.time) }
            #expect(click?["action"] as? String == clicker.action, "\(clicker.user)")
            #expect(click?["scan_result"] as? String == clicker.scanResult, "\(clicker.user)")
            #expect(click?["awareness_action"] as? String == clicker.userAwarenessAction, "\(clicker.user)")
            #expect(click?["message_id"] as? String == clicker.message_id, "\(clicker.user)")
            #expect(click?["sender"] as? String == phish.sender.address)
            // A TTP page is one line of many records: each click names its own (file:line#n).
            #expect((click?["evidence"] as? String)?.range(of: #"^fixtures/scenario/ttp/.+\.json\.gz:1#\d+$"#, options: .regularExpression) != nil,
                    "\(click?["evidence"] ?? "none")")
        }
        let locators = clicks.compactMap { $0["evidence"] as? String }
        #expect(Set(locators).count == locators.count, "two clicks share a locator: \(locators)")
        #expect(clicks.count == (try count("SELECT COUNT(*) FROM url_click WHERE is_click = 1 AND url_domain = ?", [.text(phish.url?.registrable_domain ?? "")])))
    }

    @Test func entryScansAreListedOnlyWhenAsked() throws {
        let phish = try truth.attack("credential-phish-url")
        let all = try rows(["url", "--url", try #require(phish.url).host, "--include-scans", "--limit", "0"])
        #expect(all.filter { $0["kind"] as? String == "entry scan" }.count == phish.entry_scans)
        #expect(Set(all.filter { $0["kind"] as? String == "entry scan" }.compactMap { $0["user"] as? String }) == Set(phish.recipients))
    }

    @Test func aPeriodKeepsTheClicksInsideIt() throws {
        let phish = try truth.attack("credential-phish-url")
        let clickers = try #require(phish.clickers)
        let since = "2026-11-02T09:00:00Z"
        let late = try rows(["url", "--domain", try #require(phish.url).registrable_domain, "--since", since, "--until", "2026-11-02"])
        #expect(Set(late.compactMap { $0["user"] as? String }) == Set(clickers.filter { $0.time >= since }.map(\.user)))
        #expect(try rows(["url", "--domain", phish.url?.registrable_domain ?? "", "--until", "2026-11-01"]).isEmpty)
    }

    @Test func rowsLeftOutByTheLimitAreReported() throws {
        let r = try query(["url", "--limit", "2", "--format", "csv"])
        let total = try count("SELECT COUNT(*) FROM url_click WHERE is_click = 1")
        #expect(r.stdout.split(separator: "\r\n").count == 3)   // header + 2 rows
        #expect(r.stderr.contains("showing the first 2 of \(total) rows; --limit 0 shows all"))
        #expect(!(try query(["url", "--limit", "0"]).stderr.contains("showing")))
    }

    // MARK: - query attachment

    @Test func theAttachmentHashReachedExactlyThePlantedRecipients() throws {
        let attack = try truth.attack("malicious-attachment")
        let attachment = try #require(attack.attachment)
        let results = try rows(["attachment", "--sha256", attachment.sha256.uppercased()])
        let recipients = Set(results.compactMap { $0["recipient"] as? String }.flatMap { $0.components(separatedBy: ", ") })
        #expect(recipients == Set(attack.recipients))
        #expect(results.allSatisfy { $0["sha256"] as? String == attachment.sha256 && $0["file_name"] as? String == attachment.name })
        let malicious = results.filter { $0["result"] as? String == "malicious" }
        #expect(Set(malicious.filter { $0["action"] as? String == "hold" }.compactMap { $0["recipient"] as? String }) == Set(attack.held_recipients))
        #expect(Set(malicious.filter { ($0["action"] as? String)?.hasPrefix("user release") == true }.compactMap { $0["recipient"] as? String })
                == Set(attack.delivered_recipients))
        #expect(results.count == (try count("SELECT COUNT(*) FROM attachment_scan WHERE sha256 = ?", [.text(attachment.sha256)])))
        // A result logged without a recipient lists the message's recipients and says so.
        #expect(results.contains { $0["recipient_from"] as? String == "message" && ($0["recipient"] as? String)?.components(separatedBy: ", ").count == attack.recipients.count })
    }

    // MARK: - query impersonation

    @Test func theImpersonatorReachedThePlantedRecipientsTaggedMalicious() throws {
        let bec = try truth.attack("bec-impersonation")
        let hits = try rows(["impersonation", "--sender", bec.sender.address])
        #expect(Set(hits.compactMap { $0["recipient"] as? String }) == Set(bec.recipients))
        let identifiers = try #require(bec.impersonation).identifiers.joined(separator: ", ")
        #expect(hits.allSatisfy { $0["identifiers"] as? String == identifiers && ($0["tagged"] as? String)?.hasPrefix("malicious") == true })
        #expect(hits.allSatisfy { $0["message_id"] as? String == bec.message_ids.first && $0["subject"] as? String == bec.subject })
        #expect(hits.count == (try count("SELECT COUNT(*) FROM impersonation WHERE sender = ?", [.text(bec.sender.address)])))
        #expect(try rows(["impersonation", "--domain", bec.sender.domain]).count == hits.count)
    }

    // MARK: - query message

    @Test func aClickedMessageTracesReceiptProcessDeliveryAndTheClick() throws {
        let phish = try truth.attack("credential-phish-url")
        let clicker = try #require(phish.clickers?.first)
        let trace = try rows(["message", "<\(clicker.message_id)>"])
        let sources = trace.compactMap { $0["source"] as? String }
        for source in ["mail_message/receipt", "mail_message/process", "mail_message/delivery", "url_click/click"] {
            #expect(sources.contains(source), "\(source) missing from \(sources)")
        }
        let times = trace.compactMap { $0["time"] as? String }
        #expect(times == times.sorted())
        #expect(trace.contains { $0["source"] as? String == "url_click/click" && $0["recipient"] as? String == clicker.user && $0["time"] as? String == iso(clicker.time) })
        #expect(trace.allSatisfy { ($0["evidence"] as? String)?.range(of: #"^fixtures/scenario/.+:\d+(#\d+)?$"#, options: .regularExpression) != nil })
        // Mail from NDJSON batches: one record per line, a plain file:line.
        #expect(trace.filter { ($0["source"] as? String)?.hasPrefix("mail_message/") == true }
            .allSatisfy { ($0["evidence"] as? String)?.range(of: #":\d+$"#, options: .regularExpression) != nil })
    }

    @Test func theAttachmentMessageTracesEveryRecipientAndTheDeliveries() throws {
        let attack = try truth.attack("malicious-attachment")
        let id = try #require(attack.message_ids.first)
        let trace = try rows(["message", id])
        func recipients(_ source: String) -> Set<String> {
            Set(trace.filter { $0["source"] as? String == source }.compactMap { $0["recipient"] as? String })
        }
        #expect(recipients("mail_message/receipt") == Set(attack.recipients))
        #expect(recipients("mail_message/delivery") == Set(attack.delivered_recipients))
        #expect(trace.contains { ($0["detail"] as? String)?.contains("action Hld") == true })
        #expect(recipients("attachment_scan") == Set(attack.recipients))
        // Rows logged without the Message-ID are joined through the aggregate id.
        let linked = trace.filter { $0["linked_by"] as? String == "aggregate-id" }
        #expect(!linked.isEmpty)
        #expect(trace.count == (try count("""
            SELECT (SELECT COUNT(*) FROM mail_message WHERE message_id = ?1 OR (message_id IS NULL AND aggregate_id = ?2))
                 + (SELECT COUNT(*) FROM attachment_scan WHERE message_id = ?1 OR (message_id IS NULL AND aggregate_id = ?2))
            """, [.text(id), .text(attack.aggregate_ids.first ?? "")])))
    }

    // MARK: - query threat-activity

    @Test func threatActivityCountsAgreeWithTheRows() throws {
        let s = try sections(["threat-activity"])
        let byType = try #require(s["by_event_type"])
        func events(_ type: String) -> Int { byType.filter { $0["event_type"] as? String == type }.reduce(0) { $0 + ($1["events"] as? Int ?? 0) } }
        #expect(events("url click") == (try count("SELECT COUNT(*) FROM url_click WHERE is_click = 1")))
        #expect(events("attachment") == (try count("SELECT COUNT(*) FROM attachment_scan")))
        #expect(events("impersonation") == (try count("SELECT COUNT(*) FROM impersonation")))
        #expect(events("antivirus") == (try count("SELECT COUNT(*) FROM mail_event WHERE event_type = 'av'")))
        #expect(events("rejected at receipt") == (try count("SELECT COUNT(*) FROM mail_message WHERE event = 'receipt' AND action = 'Rej'")))
        let totals = try #require(s["totals"]?.first)
        #expect(totals["events"] as? Int == byType.reduce(0) { $0 + ($1["events"] as? Int ?? 0) })
        let malicious = byType.first { $0["event_type"] as? String == "attachment" && $0["verdict"] as? String == "malicious" && $0["action"] as? String == "hold" }
        #expect(malicious?["events"] as? Int == (try count("SELECT COUNT(*) FROM attachment_scan WHERE result = 'malicious' AND action_triggered = 'hold'")))

        let phish = try truth.attack("credential-phish-url")
        let domain = try #require(s["top_clicked_domains"]?.first { $0["domain"] as? String == phish.url?.registrable_domain })
        #expect(domain["users"] as? Int == phish.clickers?.count)
        #expect(domain["clicks"] as? Int == (try count("SELECT COUNT(*) FROM url_click WHERE is_click = 1 AND url_domain = ?", [.text(phish.url?.registrable_domain ?? "")])))
        #expect(s["top_targeted_users"]?.count == 10)
        let attack = try truth.attack("malicious-attachment")
        #expect(s["top_senders"]?.first?["sender"] as? String == attack.sender.address)
    }

    @Test func threatActivityForTheLookalikeSenderDomainCountsTheClickers() throws {
        let phish = try truth.attack("credential-phish-url")
        let s = try sections(["threat-activity", "--domain", phish.sender.domain])
        #expect(s["totals"]?.first?["users"] as? Int == phish.clickers?.count)
        #expect(Set(s["top_targeted_users"]?.compactMap { $0["user"] as? String } ?? []) == Set(phish.clickers?.map(\.user) ?? []))
        let person = try sections(["threat-activity", "--user", "helen.ashby@acme-corp.example", "--since", "2026-11-02", "--until", "2026-11-02"])
        #expect(person["top_targeted_users"]?.map { $0["user"] as? String } == ["helen.ashby@acme-corp.example"])
        #expect(person["totals"]?.first?["events"] as? Int == (try count("""
            SELECT (SELECT COUNT(*) FROM url_click WHERE is_click = 1 AND user = ?1 AND ts >= ?2 AND ts < ?3)
                 + (SELECT COUNT(*) FROM attachment_scan WHERE recipient = ?1 AND ts >= ?2 AND ts < ?3)
                 + (SELECT COUNT(*) FROM impersonation WHERE recipient = ?1 AND ts >= ?2 AND ts < ?3)
                 + (SELECT COUNT(*) FROM mail_event WHERE event_type IN ('av', 'spam', 'iep') AND recipient = ?1 AND ts >= ?2 AND ts < ?3)
                 + (SELECT COUNT(*) FROM mail_message WHERE event = 'receipt' AND action = 'Rej' AND recipient = ?1 AND ts >= ?2 AND ts < ?3)
            """, [.text("helen.ashby@acme-corp.example"), .integer(1_793_577_600_000), .integer(1_793_664_000_000)])))
    }

    @Test func summariesPrintTitledSectionsAndOneCSVTable() throws {
        let table = try query(["threat-activity"]).stdout
        for title in ["Threat activity\n===", "Events by type and verdict\n===", "Most targeted people\n===", "Senders behind most events\n===", "Most clicked domains\n==="] {
            #expect(table.contains(title), "\(title)")
        }
        let csv = try query(["threat-activity", "--format", "csv"]).stdout.split(separator: "\r\n")
        #expect(csv.first?.hasPrefix("section,") == true)
        #expect(Set(csv.dropFirst().map { String($0.prefix { $0 != "," }) }) == ["totals", "by_event_type", "top_targeted_users", "top_senders", "top_clicked_domains"])
        #expect(try query(["threat-activity", "--format", "json"]).stdout == (try query(["threat-activity", "--format", "json"]).stdout))
    }

    // MARK: - query user

    /// Every person who interacted with a planted campaign sees that incident with their
    /// stage, their host's stage, and the endpoint rows the ground truth names as evidence.
    @Test func aVictimSeesTheirIncidentStageHostAndEvidence() throws {
        let victims = Set(truth.expected_incidents.flatMap(\.interacted)).sorted()
        #expect(victims.count >= 4)
        for victim in victims {
            let s = try sections(["user", victim])
            let incidents = s["incidents"] ?? []
            for expected in truth.expected_incidents where expected.stages[victim] != nil {
                let row = incidents.first { $0["key"] as? String == expected.key }
                #expect((row?["incident"] as? String)?.hasPrefix("#") == true, "incidents are named #n as the reports show them")
                #expect(row?["stage"] as? String == expected.stages[victim], "\(victim) in \(expected.key)")
                #expect(row?["incident_stage"] as? String == expected.stage, "\(victim) in \(expected.key)")
                #expect(row?["severity"] as? String == expected.severity, "\(victim) in \(expected.key)")
            }
            #expect(Set(incidents.compactMap { $0["key"] as? String }) == Set(truth.expected_incidents.filter { $0.stages[victim] != nil }.map(\.key)), "\(victim)")
            guard let host = truth.edr.users.first(where: { $0.email == victim })?.host.lowercased() else { continue }
            #expect(s["hosts_and_accounts"]?.contains { $0["host"] as? String == host } == true, "\(victim) host \(host)")
            for expected in truth.expected_incidents where expected.stages[victim] != nil {
                guard let stage = expected.hosts[host] else { continue }
                let hosts = incidents.first { $0["key"] as? String == expected.key }?["hosts"] as? String
                #expect(hosts?.components(separatedBy: ", ").contains("\(host) (\(stage))") == true, "\(victim) \(expected.key) hosts \(hosts ?? "none")")
            }
            let notable = Set(s["endpoint_notable"]?.compactMap { $0["evidence"] as? String } ?? [])
            for attack in truth.edr.attacks {
                for person in (attack.recipients ?? []) + (attack.clickers ?? []) where person.user == victim {
                    for row in person.evidence {
                        #expect(notable.contains("fixtures/scenario/\(row.file):\(row.line)"), "\(victim): \(row.file):\(row.line)")
                    }
                }
            }
        }
    }

    @Test func aPersonsProfileHasTheirMailClicksAndFindings() throws {
        let phish = try truth.attack("credential-phish-url")
        let clicker = try #require(phish.clickers?.first { $0.user.hasPrefix("lisa.") })
        let s = try sections(["user", clicker.user.uppercased()])
        #expect(s["clicks"]?.contains { $0["time"] as? String == iso(clicker.time) && $0["action"] as? String == clicker.action } == true)
        let mail = try #require(s["mail"]?.first)
        #expect(mail["received"] as? Int == (try count("SELECT COUNT(DISTINCT COALESCE(aggregate_id, message_id)) FROM mail_message WHERE event = 'receipt' AND recipient = ?", [.text(clicker.user)])))
        #expect((mail["flagged"] as? Int ?? 0) >= 1)
        #expect(s["recent_mail"]?.first?["message_id"] as? String == clicker.message_id)   // flagged first
        #expect(s["findings"]?.count == (try count("SELECT COUNT(*) FROM finding WHERE user = ?", [.text(clicker.user)])))
        #expect(s["findings"]?.allSatisfy { ($0["evidence"] as? String)?.hasPrefix("fixtures/scenario/") == true } == true)
        // A period before the campaign keeps the identity map and nothing else of that day.
        let before = try sections(["user", clicker.user, "--until", "2026-11-01"])
        #expect(before["clicks"]?.isEmpty == true && before["incidents"]?.isEmpty == true)
        #expect(before["hosts_and_accounts"]?.isEmpty == false)
    }

    // MARK: - Errors

    @Test func aMissingDatabaseOrAFilterTheQueryHasNotIsAClearError() throws {
        let missing = try CLI.run(["query", "url", "--db", CLI.scratch() + "/none.db"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("none.db does not exist"))
        let sha = try CLI.run(["query", "url", "--sha256", String(repeating: "a", count: 64), "--db", scenario.db])
        #expect(sha.status != 0)
        #expect(sha.stderr.contains("--sha256"))
        let both = try CLI.run(["query", "threat-activity", "--user", "a@acme-corp.example", "--domain", "acme-corp.example", "--db", scenario.db])
        #expect(both.status != 0)
        #expect(both.stderr.contains("give --user or --domain, not both"))
        let hostile = try rows(["url", "--url", "' OR 1=1 --"])
        #expect(hostile.isEmpty)
    }

    @Test func everyQueryHasHelpWithExamples() throws {
        for sub in ["url", "attachment", "impersonation", "message", "threat-activity", "user"] {
            let r = try CLI.run(["query", sub, "--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("Examples:\n  mailscope query \(sub)"), "\(sub)")
        }
    }
}
