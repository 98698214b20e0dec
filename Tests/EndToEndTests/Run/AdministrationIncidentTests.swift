import Foundation
import MailScopeKit
import Testing

/// The administration logs in an incident, end to end: a held attachment an administrator
/// released and that then ran on the recipient's host (no delivery row after the release); a
/// console brute force whose session permitted a sender, with attacker text in the audit
/// log; the public audit and release samples.
@Suite struct AdministrationIncidentTests {
    static let sender = "accounts@remit-notice660.example"
    static let msgid = "<stmt-1@remit-notice660.example>"
    static let hash = String(repeating: "ab", count: 32)
    static let admin = "helpdesk@acme-corp.example"

    /// Receipts for two people, a hold, Attachment Protect's malicious verdict with a hold; no
    /// delivery row at all.
    static var heldCampaign: String {
        var lines: [String] = []
        for (i, rc) in ["sara.costa@acme-corp.example", "ivan.costa@acme-corp.example"].enumerated() {
            lines.append(#"{"_offset":\#(10 + i),"_partition":1,"accountId":"CUSA1B2C3","action":"Acc","aggregateId":"AggS_1793610000","direction":"Inbound","messageId":"\#(msgid)","numberAttachments":"1","processingId":"R\#(i)_1793610000","recipients":"\#(rc)","senderEnvelope":"\#(sender)","senderHeader":"\#(sender)","senderIp":"198.51.100.9","spamScore":"0","subject":"Statement 80035 attached","subtype":"Acc","timestamp":1793610000000,"type":"receipt"}"#)
        }
        lines.append(#"{"_offset":12,"_partition":1,"accountId":"CUSA1B2C3","action":"Hld","aggregateId":"AggS_1793610000","holdReason":"Attachment Protection","messageId":"\#(msgid)","processingId":"P12_1793610000","senderEnvelope":"\#(sender)","subject":"Statement 80035 attached","subtype":"Hld","timestamp":1793610003000,"type":"process"}"#)
        return lines.joined(separator: "\n") + "\n"
    }

    static var attachmentScans: String {
        ["sara.costa@acme-corp.example", "ivan.costa@acme-corp.example"].map { rc in
            #"{"senderAddress":"\#(sender)","recipientAddress":"\#(rc)","fileName":"Statement-80035.xlsm","fileType":"application/vnd.ms-excel.sheet.macroEnabled.12","result":"malicious","actionTriggered":"hold","date":"2026-11-02T08:20:02+0000","details":"MALICIOUS_ACTIVITY","route":"inbound","messageId":"\#(msgid)","subject":"Statement 80035 attached","fileHash":"\#(hash)","definition":"Inbound - Safe file with On-Demand Sandbox"}"#
        }.joined(separator: "\n") + "\n"
    }

    /// The release: operator as an object, verdict malware, no Message-ID.
    static let release = #"{"id":"eNoRel1","status":"released","heldReason":"Attachment Protection","messageInfo":"Spam Policy","released":"2026-11-02T09:00:00+0000","operator":{"emailAddress":"helpdesk@acme-corp.example"},"fromEnv":{"emailAddress":"accounts@remit-notice660.example"},"fromHdr":{"displayableName":"Accounts","emailAddress":"accounts@remit-notice660.example"},"to":[{"emailAddress":"sara.costa@acme-corp.example"}],"subject":"Statement 80035 attached","attachments":true,"route":"inbound","size":48211,"policy":"Default Attachment Protection Definition","spamScore":0,"detectionLevel":"moderate","spamProcessingDetail":{"spf":{"allow":true,"info":"allow"},"dkim":{"allow":true,"info":"unknown"},"dmarc":{"allow":true,"info":"none"},"verdict":{"decision":"malware","description":"","risk":"high","categories":[{"name":"malware","risk":"high","subcategories":[]}]}}}"# + "\n"

    /// The file written by Outlook on Sara's computer after the release.
    static var edr: String {
        "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,AccountUpn,ProcessCommandLine,RemoteUrl,RemoteIP,InitiatingProcessFileName,InitiatingProcessAccountUpn,FileOriginUrl,AdditionalFields,ReportId\n"
            + "2026-11-02T09:05:00.0000000Z,dev26,ws-1026.corp.acme-corp.example,FileCreated,Statement-80035.xlsm,C:\\Users\\scosta\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\R1234\\Statement-80035.xlsm,\(hash),sara.costa@acme-corp.example,,,,OUTLOOK.EXE,sara.costa@acme-corp.example,,,1\n"
    }

    static let identities = "email,upn,account,host\nsara.costa@acme-corp.example,sara.costa@acme-corp.example,scosta,WS-1026\nivan.costa@acme-corp.example,ivan.costa@acme-corp.example,icosta,WS-1027\n"

    /// Five failures from one address, a success, then a permitted sender whose text an
    /// attacker wrote (markup, a Markdown pipe, a terminal escape).
    static var bruteForce: String {
        var lines: [String] = []
        for i in 0..<5 {
            lines.append(#"{"id":"eNqF\#(i)","auditType":"Logon Authentication Failed","user":"it.admin@acme-corp.example","eventTime":"2026-11-02T19:0\#(i):00+0000","category":"authentication_logs","eventInfo":"Failed authentication for it.admin@acme-corp.example, Date: 2026-11-02, Time: 20:0\#(i):00 CET, IP: 91.20.30.40, Application: Administration Console, Reason: Invalid password"}"#)
        }
        lines.append(#"{"id":"eNqS","auditType":"User Logged On","user":"it.admin@acme-corp.example","eventTime":"2026-11-02T19:06:00+0000","category":"authentication_logs","eventInfo":"Successful authentication for it.admin@acme-corp.example, Date: 2026-11-02, Time: 20:06:00 CET, IP: 91.20.30.40, Application: Administration Console, Method: Cloud"}"#)
        lines.append(#"{"id":"eNqC","auditType":"Permitted Sender Created","user":"it.admin@acme-corp.example","eventTime":"2026-11-02T19:20:00+0000","category":"policy_logs","eventInfo":"Permitted Sender Created: Sender: *@evil.example <script>alert(1)</script> | col \u001b[31m, Date: 2026-11-02, Time: 20:20:00 CET, IP: 91.20.30.40, Application: Administration Console"}"#)
        return lines.joined(separator: "\n") + "\n"
    }

    func write(_ files: [String: String]) throws -> String {
        let dir = CLI.scratch()
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    func report(_ dir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func anAdministratorsReleaseIsAStepOfTheIncidentAndTheReleasedCopyIsTracedToTheHost() throws {
        let dir = try write(["receipt.json": Self.heldCampaign, "ttp_attachment.json": Self.attachmentScans, "release.json": Self.release,
                             "mde.csv": Self.edr, "identities.csv": Self.identities])
        let r = try CLI.run(["run", "--db", dir + "/case.db", "--out", dir + "/out", "--identities", dir + "/identities.csv",
                             "--input", dir + "/receipt.json", "--input", dir + "/ttp_attachment.json", "--input", dir + "/release.json", "--input", dir + "/mde.csv"])
        #expect([0, 3].contains(r.status), "\(r.stderr)")
        let incidents = try #require(try report(dir)["incidents"] as? [[String: Any]])
        let incident = try #require(incidents.first { ($0["administration"] as? [[String: Any]])?.isEmpty == false })
        let people = Dictionary(uniqueKeysWithValues: (incident["people"] as? [[String: Any]] ?? []).map { ($0["user"] as? String ?? "", $0) })
        // The released copy was delivered (the release is the proof) and written on her host;
        // the other copy stayed held.
        #expect(people["sara.costa@acme-corp.example"]?["delivery"] as? String == "delivered")
        #expect(people["sara.costa@acme-corp.example"]?["stage"] as? String == "interaction")
        #expect(people["ivan.costa@acme-corp.example"]?["delivery"] as? String == "stopped")
        #expect(incident["hosts"] as? [String] == ["ws-1026"])
        let steps = try #require(incident["administration"] as? [[String: Any]])
        #expect(steps.count == 1)
        #expect(steps.first?["account"] as? String == Self.admin)
        #expect(steps.first?["role"] as? String == "admin")
        #expect(steps.first?["action"] as? String == "released")
        let evidence = try #require(steps.first?["evidence"] as? [String: Any])
        #expect((evidence["file"] as? String)?.hasSuffix("release.json") == true)
        #expect(evidence["line"] as? Int == 1)
        let actions = incident["actions"] as? [String] ?? []
        #expect(actions.contains("Ask \(Self.admin) why they released the held copy; if they did not, treat their console account as compromised"), "\(actions)")
        let md = try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8)
        #expect(md.contains("| helpdesk@acme-corp.example | admin | released |"))
    }

    @Test func aBruteForcedConsoleIsAnIncidentAboutTheAccountWithWhatItsSessionChanged() throws {
        let dir = try write(["audit.json": Self.bruteForce])
        let r = try CLI.run(["run", "--db", dir + "/case.db", "--out", dir + "/out", "--input", dir + "/audit.json"])
        #expect([0, 3].contains(r.status), "\(r.stderr)")
        let incidents = try #require(try report(dir)["incidents"] as? [[String: Any]])
        #expect(incidents.count == 1)
        let incident = try #require(incidents.first)
        #expect(incident["recipients"] as? [String] == [])
        #expect((incident["people"] as? [Any])?.isEmpty == true)
        #expect(incident["severity"] as? String == "critical")
        // Named by the account, so a triage decision finds it again after a rebuild.
        #expect(incident["key"] as? String == "account:it.admin@acme-corp.example")
        #expect(incident["title"] as? String == "Admin console logon after repeated failures from one address (brute force): it.admin@acme-corp.example from 91.20.30.40")
        let steps = try #require(incident["administration"] as? [[String: Any]])
        #expect(steps.map { $0["action"] as? String ?? "" } == ["signed-in", "change"])
        #expect(steps.allSatisfy { $0["source_ip"] as? String == "91.20.30.40" })
        // Attacker text: escaped in HTML, the pipe escaped in Markdown, no escape byte anywhere.
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let md = try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8)
        #expect(md.contains(#"\| col"#))
        #expect(!md.contains("\u{1b}") && !html.contains("\u{1b}"))
        // `query incident` shows the same steps, each with its audit line.
        let q = try CLI.run(["query", "incident", "1", "--db", dir + "/case.db"], environment: ["NO_COLOR": "1"])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(q.stdout.contains("Administration: what accounts did around it"))
        #expect(q.stdout.contains("signed-in") && q.stdout.contains("change"), "\(q.stdout)")
        let json = try CLI.run(["query", "incident", "1", "--format", "json", "--db", dir + "/case.db"])
        #expect(json.stdout.contains("audit.json:6") && json.stdout.contains("audit.json:7"), "\(json.stdout)")
        #expect(!q.stdout.contains("\u{1b}["), "a terminal escape from the log reached the terminal")
    }

    static let samples = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/samples/mimecast/more").path
    static var samplesPresent: Bool { FileManager.default.fileExists(atPath: samples) }

    @Test(.enabled(if: samplesPresent, "../shared/samples/mimecast/more is absent: real-sample test skipped"))
    func thePublicSamplesSupportLoginNamesTheAccountAndAddressNotARecipient() throws {
        let dir = CLI.scratch()
        let r = try CLI.run(["run", "--db", dir + "/case.db", "--out", dir + "/out", "--input", Self.samples])
        #expect([0, 3].contains(r.status), "\(r.stderr)")
        let incidents = try #require(try report(dir)["incidents"] as? [[String: Any]])
        let support = try #require(incidents.first { ($0["title"] as? String)?.hasPrefix("Mimecast support logged on") == true })
        #expect(support["recipients"] as? [String] == [])
        let step = try #require((support["administration"] as? [[String: Any]])?.first)
        #expect(step["account"] as? String == "johdoe@example.local")
        #expect(step["role"] as? String == "support")
        #expect(step["source_ip"] as? String == "67.43.156.15")
        #expect(((step["evidence"] as? [String: Any])?["file"] as? String)?.hasSuffix("audit_events_elastic_test.ndjson") == true)
        // The admin release in the release sample: the release is the proof the copy arrived.
        let released = try #require(incidents.first { ($0["title"] as? String)?.hasPrefix("Administrator released") == true })
        let person = try #require((released["people"] as? [[String: Any]])?.first)
        #expect(person["delivery"] as? String == "delivered")
        #expect((released["administration"] as? [[String: Any]])?.first?["account"] as? String == "admin@domain.tld")
    }
}
