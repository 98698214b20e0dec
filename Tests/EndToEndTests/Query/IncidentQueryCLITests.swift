import Foundation
import Testing

/// "Who clicked, on which host, what ran after" in one command: `query incident`, `query host`
/// and `report --incident` on the scenario, checked against its ground truth.
@Suite struct IncidentQueryCLITests {
    static func json(_ result: CLI.Result) throws -> [String: [[String: Any]]] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [[String: Any]]])
    }

    @Test func everyIncidentShowsItsHostsWithTheRowsThatLinkThemAndNothingBenign() throws {
        let run = try ScenarioRun.copy()
        let truth = try GroundTruth.scenario()
        let evidenceByHost = Dictionary(grouping: truth.edr.attacks.flatMap { ($0.recipients ?? []) + ($0.clickers ?? []) }
            .flatMap { p in p.evidence.map { (p.host.lowercased(), "\($0.file):\($0.line)") } }, by: \.0).mapValues { Set($0.map(\.1)) }
        let negatives = Set(truth.edr.negatives.map { "\($0.file):\($0.line)" })
        for expected in truth.expected_incidents {
            let sections = try Self.json(try CLI.run(["query", "incident", expected.key, "--format", "json", "--limit", "0", "--db", run.db]))
            let people = Set((sections["people"] ?? []).compactMap { $0["user"] as? String })
            #expect(Set(expected.interacted).isSubset(of: people), "\(expected.key): everyone who interacted is listed")
            let activity = sections["host_activity"] ?? []
            for host in expected.hosts.keys.map({ $0.lowercased() }) {
                let rows = activity.filter { ($0["host"] as? String) == host }
                let linked = rows.filter { ($0["linked"] as? String) == "yes" }.compactMap { $0["evidence"] as? String }
                #expect(!linked.isEmpty, "\(expected.key): \(host) has the rows that link it")
                for locator in linked {
                    let relative = locator.components(separatedBy: "fixtures/scenario/").last ?? locator
                    #expect(evidenceByHost[host]?.contains(relative) == true, "\(expected.key): \(host) linked by \(relative), which the ground truth does not plant")
                }
            }
            for row in activity {
                let relative = (row["evidence"] as? String ?? "").components(separatedBy: "fixtures/scenario/").last ?? ""
                #expect(!negatives.contains(relative), "\(expected.key): the benign look-alike \(relative) is in the host activity")
            }
            let copies = Set((sections["delivered_copies"] ?? []).flatMap { ($0["recipients"] as? String ?? "").components(separatedBy: ", ") }.filter { !$0.isEmpty })
            #expect(copies.isSubset(of: Set(expected.delivered)), "\(expected.key): only delivered copies are listed for purging")
        }
    }

    @Test func theExecutedAttachmentShowsWhatRanAfterTheOpen() throws {
        let run = try ScenarioRun.copy()
        let truth = try GroundTruth.scenario()
        let incident = try #require(truth.expected_incidents.first { $0.stage == "command-and-control" })
        let host = try #require(incident.hosts.first { $0.value == "command-and-control" }?.key.lowercased())
        let sections = try Self.json(try CLI.run(["query", "incident", incident.key, "--format", "json", "--db", run.db]))
        let rows = (sections["host_activity"] ?? []).filter { ($0["host"] as? String) == host }
        #expect(rows.contains { ($0["action"] as? String) == "process_start" && (($0["command_line"] as? String) ?? "").lowercased().contains("powershell") },
                "the started process and its command line")
        #expect(rows.contains { ["network_connect", "dns_query"].contains($0["action"] as? String ?? "") }, "where it reached")
        let times = rows.compactMap { $0["time"] as? String }
        #expect(times == times.sorted(), "oldest first")
    }

    @Test func incidentsAreNamedByNumberOrKeyAndAWrongOneSaysWhatToGive() throws {
        let run = try ScenarioRun.copy()
        let listed = try CLI.run(["query", "incident", "--format", "json", "--db", run.db])
        #expect(listed.status == 0, "\(listed.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == (try GroundTruth.scenario()).expected_incidents.count)
        #expect(list.first?["severity"] as? String == "critical", "most severe first")
        let number = try #require(list.first?["incident"] as? String), key = try #require(list.first?["key"] as? String)
        #expect(number.hasPrefix("#"))
        let byNumber = try Self.json(try CLI.run(["query", "incident", number, "--format", "json", "--db", run.db]))
        let byBareNumber = try Self.json(try CLI.run(["query", "incident", String(number.dropFirst()), "--format", "json", "--db", run.db]))
        let byKey = try Self.json(try CLI.run(["query", "incident", key, "--format", "json", "--db", run.db]))
        #expect(byNumber["incident"]?.first?["key"] as? String == key)
        #expect(byBareNumber["incident"]?.first?["key"] as? String == key)
        #expect(byKey["incident"]?.first?["incident"] as? String == number)
        #expect(byKey["triage"]?.isEmpty == true, "no decision yet")
        let triaged = try CLI.run(["triage", number, "--status", "false-positive", "--note", "test mail", "--by", "ana", "--db", run.db])
        #expect(triaged.status == 0, "\(triaged.stderr)")
        let decided = try Self.json(try CLI.run(["query", "incident", key, "--format", "json", "--db", run.db]))
        #expect(decided["triage"]?.first?["status"] as? String == "false-positive")
        #expect(decided["triage"]?.first?["by"] as? String == "ana" && decided["triage"]?.first?["reopened"] as? String == "no")
        let wrong = try CLI.run(["query", "incident", "999", "--db", run.db])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("no incident 999") && wrong.stderr.contains("#1…#\(list.count)"))
    }

    @Test func aHostTimelineIsBoundedByThePeriod() throws {
        let run = try ScenarioRun.copy()
        let all = try CLI.run(["query", "host", "WS-0221", "--format", "csv", "--limit", "0", "--db", run.db])
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\r\n")
        #expect(lines.first?.hasPrefix("time,action,process,process_id,command_line,parent_process") == true)
        #expect(lines.count > 5)
        let bounded = try CLI.run(["query", "host", "ws-0221", "--since", "2026-11-02T14:20:00Z", "--until", "2026-11-02T14:22:00Z",
                                   "--format", "csv", "--limit", "0", "--db", run.db])
        let rows = bounded.stdout.split(separator: "\r\n").dropFirst()
        #expect(!rows.isEmpty && rows.count < lines.count - 1)
        #expect(rows.allSatisfy { $0.hasPrefix("2026-11-02T14:2") })
        let none = try CLI.run(["query", "host", "no-such-host", "--db", run.db])
        #expect(none.status == 0 && none.stderr.contains("no endpoint rows for host no-such-host"))
    }

    @Test func oneIncidentsReportInEveryFormat() throws {
        let run = try ScenarioRun.copy()
        let truth = try GroundTruth.scenario()
        let incident = try #require(truth.expected_incidents.first { $0.stage == "command-and-control" })
        let out = run.folder + "/one"
        let r = try CLI.run(["report", "--db", run.db, "--out", out, "--incident", incident.key], environment: ScenarioRun.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let incidents = try #require(report["incidents"] as? [[String: Any]])
        #expect(incidents.count == 1 && incidents.first?["key"] as? String == incident.key)
        let one = try #require(incidents.first)
        #expect(((one["host_activity"] as? [[String: Any]]) ?? []).count == incident.hosts.count)
        #expect(!((one["delivered_copies"] as? [[String: Any]]) ?? []).isEmpty, "the Message-IDs a purge needs")
        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(md.contains("What ran on ") && md.contains("Delivered copies"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("What ran on ") && html.contains("powershell"))
        let csv = try String(contentsOfFile: out + "/iocs.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").dropFirst().allSatisfy { $0.contains(",\(one["id"] as? Int ?? -1),") })
        let missing = try CLI.run(["report", "--db", run.db, "--out", run.folder + "/none", "--incident", "999"])
        #expect(missing.status == 1 && missing.stderr.contains("no incident 999"))
    }
}
