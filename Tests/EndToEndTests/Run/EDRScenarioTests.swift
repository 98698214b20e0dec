import Foundation
import MailScopeKit
import Testing

/// The scenario's EDR exports and directory through the CLI, checked against the ground truth:
/// every row loads, every user's computer resolves the way the ground truth says, the planted
/// evidence rows are where it says.
@Suite struct EDRScenarioTests {
    static let inputs = ["fixtures/scenario/siem_v2", "fixtures/scenario/siem_v1", "fixtures/scenario/ttp", "fixtures/scenario/edr"]

    @Test func identitiesResolveAsTheGroundTruthSays() throws {
        let truth = try GroundTruth.scenario()
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest"] + Self.inputs + ["--identities", "fixtures/scenario/identities.csv", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("0 rejected"))
        #expect(result.stdout.contains("EDR rows by product:"))
        #expect(result.stdout.contains("2 ambiguous"))
        let database = try Database(path: db, mode: .readOnly)
        var checked = 0
        for user in truth.edr.users {
            let hosts = try IdentityMap.hosts(of: user.email, in: database)
            if user.resolution == "ambiguous" {
                #expect(hosts.isEmpty, "\(user.email) must not be guessed: \(hosts)")
                let issue = try database.scalar("SELECT COUNT(*) FROM identity_issue WHERE kind = 'ambiguous' AND host = ?", [.text(user.host.lowercased())])
                #expect(issue?.intValue == 1, "\(user.email): no ambiguity reported for \(user.host)")
            } else {
                #expect(hosts == [user.host.lowercased()], "\(user.email) (\(user.resolution)): \(hosts)")
            }
            checked += 1
        }
        #expect(checked >= 200)
    }

    @Test func plantedEvidenceRowsAreLoadedAtTheirLines() throws {
        let truth = try GroundTruth.scenario()
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest", "fixtures/scenario/edr", "--db", db])
        #expect(result.status == 0)
        let database = try Database(path: db, mode: .readOnly)
        var checked = 0
        for attack in truth.edr.attacks {
            for target in (attack.recipients ?? []) + (attack.clickers ?? []) {
                for evidence in target.evidence {
                    let rows = try database.query("""
                        SELECT e.event_type FROM edr_event e JOIN input_file f ON f.id = e.file_id
                        WHERE f.path LIKE '%' || ? AND e.line_no = ?
                        """, [.text(evidence.file), .integer(Int64(evidence.line))])
                    #expect(rows.count == 1, "\(attack.id) \(target.user): no row at \(evidence.file):\(evidence.line)")
                    if let type = evidence.event_type {
                        #expect(rows.first?.first?.stringValue == type, "\(evidence.file):\(evidence.line)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked >= 10)
    }
}

/// The scenario varied as other companies' exports vary: an MDE export filtered to what Office
/// started (a common hunting query) holds the macro's PowerShell but not Excel's own start.
@Suite struct EDRScenarioVariationTests {
    /// The scenario's MDE export of helen.ashby's computer holds the macro's PowerShell but not
    /// Excel's own start (an export filtered to script hosts): the opened attachment is proved
    /// by the parent command line on the PowerShell row (MS-COR-002@2), and the chain goes on
    /// to PowerShell calling the sender's own domain.
    @Test func anOpenedAttachmentIsProvedByThePowerShellItStartedWhenExcelsStartIsNotExported() throws {
        let mde = try String(contentsOfFile: CLI.root.appendingPathComponent("fixtures/scenario/edr/mde_advanced_hunting_2026-11-02.csv").path, encoding: .utf8)
        #expect(!mde.components(separatedBy: "\r\n").contains { $0.contains(",ProcessCreated,EXCEL.EXE,") && $0.contains("ws-0221") },
                "the scenario must lack Excel's own start on ws-0221 for this test to say anything")
        let database = try Database(path: try ScenarioRun.copy().db, mode: .readOnly)
        let summaries = try database.query("SELECT summary FROM finding WHERE rule_id = 'MS-COR-002' AND host = 'ws-0221'").compactMap { $0.first?.stringValue }
        #expect(summaries.count == 1, "\(summaries)")
        #expect(summaries.first?.hasPrefix("EXCEL.EXE opened INV-88341.xlsm and started powershell.exe on ws-0221") == true, "\(summaries)")
        let stage = try database.scalar("SELECT stage FROM incident_user WHERE user = 'helen.ashby@acme-corp.example'")
        #expect(stage?.stringValue == "command-and-control")
        // The connection back is tied to PowerShell through its process id: a strong link.
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-COR-011' AND host = 'ws-0221' AND match_strength = 'strong'")?.intValue == 1)
    }

    /// The scenario's click → download → run, with the download and the run moved later: a
    /// user who comes back to the phishing page after lunch or the next morning. The download's
    /// origin is the clicked host itself, a strong link, so the conclusion must not change.
    @Test(arguments: [106 * 60, 20 * 3600])
    func aDownloadFromTheClickedHostHoursLaterIsStillFollowedToItsExecution(delaySeconds: Int) throws {
        let work = CLI.scratch()
        let copy = work + "/scenario"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("fixtures/scenario").path, toPath: copy)
        let mde = copy + "/edr/mde_advanced_hunting_2026-11-02.csv"
        var lines = try String(contentsOfFile: mde, encoding: .utf8).components(separatedBy: "\r\n")
        // ground-truth.json: lisa.campbell's download (line 663) and its run (line 665) on WS-0068.
        for number in [663, 665] {
            var fields = lines[number - 1].split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            fields[0] = try Self.shifted(fields[0], by: delaySeconds)
            lines[number - 1] = fields.joined(separator: ",")
        }
        #expect(lines[662].contains("FileCreated") && lines[664].contains("ProcessCreated"))
        try lines.joined(separator: "\r\n").write(toFile: mde, atomically: true, encoding: .utf8)
        let db = work + "/case.db"
        let result = try CLI.run(["run", "--input", copy + "/siem_v2", "--input", copy + "/siem_v1", "--input", copy + "/ttp",
                                  "--input", copy + "/edr", "--identities", copy + "/identities.csv", "--db", db, "--out", work + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-COR-005' AND host = 'ws-0068'")?.intValue == 1)
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-COR-008' AND host = 'ws-0068'")?.intValue == 1)
        let stage = try database.scalar("SELECT stage FROM incident_user WHERE user = 'lisa.campbell@acme-corp.example'")
        #expect(stage?.stringValue == "execution")
    }

    /// An MDE time (`2026-11-02T08:39:21.0271234Z`) moved by whole seconds, its fraction kept.
    static func shifted(_ time: String, by seconds: Int) throws -> String {
        let parts = time.split(separator: ".", maxSplits: 1).map(String.init)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let base = try #require(formatter.date(from: String(parts[0].prefix(19))))
        let moved = formatter.string(from: base.addingTimeInterval(TimeInterval(seconds)))
        return parts.count == 2 ? moved + "." + parts[1] : moved + "Z"
    }
}
