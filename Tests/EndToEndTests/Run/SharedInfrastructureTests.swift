import Foundation
import MailScopeKit
import Testing

/// A relay that also carries ordinary mail from many unrelated senders is shared
/// infrastructure: the incident shows it as context, and it is never exported to block.
@Suite struct SharedInfrastructureTests {
    /// An accepted inbound receipt, as API 2.0 writes it, from `domain` through `ip`.
    static func receipt(_ n: Int, domain: String, ip: String) -> String {
        #"{"_offset":\#(900_000 + n),"_partition":1,"accountId":"CUSA1B2C3","action":"Acc","aggregateId":"relay\#(n)_1793620000","direction":"Inbound","messageId":"<relay-\#(n)@\#(domain)>","numberAttachments":"0","processingId":"relay-\#(n)_1793620000","receiptErrors":null,"recipients":"chris.morgan@acme-corp.example","rejectionCode":null,"rejectionInfo":null,"rejectionType":null,"senderEnvelope":"news@\#(domain)","senderHeader":"news@\#(domain)","senderIp":"\#(ip)","spamDetectionLevel":"7","spamInfo":"[]","spamProcessingDetail":null,"spamScore":"0","subject":"Monthly newsletter \#(n)","subtype":"Acc","timestamp":\#(1_793_620_000_000 + Int64(n) * 60_000),"tlsCipher":null,"tlsVersion":null,"type":"receipt","virusFound":null}"#
    }

    @Test func aRelayOfOrdinaryMailIsContextNotABlockIndicator() throws {
        let work = CLI.scratch()
        let copy = work + "/scenario"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("fixtures/scenario").path, toPath: copy)
        // The malicious attachment's sender IP (ground truth) also relays ten unrelated newsletters.
        let relay = "203.0.113.77"
        let lines = (1...10).map { Self.receipt($0, domain: "newsletter\($0)-unrelated.example", ip: relay) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: copy + "/siem_v2/2026-11-02/receipt_relay.json", atomically: true, encoding: .utf8)
        let db = work + "/case.db", out = work + "/out"
        let result = try CLI.run(["run", "--input", copy + "/siem_v2", "--input", copy + "/siem_v1", "--input", copy + "/ttp",
                                  "--input", copy + "/edr", "--identities", copy + "/identities.csv", "--db", db, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        let row = try #require(try database.query("SELECT sender_domains, shared FROM incident_indicator WHERE type = 'sender_ip' AND value = ?", [.text(relay)]).first)
        #expect(row[0].intValue == 11)
        #expect(row[1].intValue == 1)
        let iocs = try String(contentsOfFile: out + "/iocs.csv", encoding: .utf8)
        #expect(!iocs.contains(relay), "shared infrastructure exported as a block indicator")
        #expect(iocs.contains("sha256,ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83"), "the campaign's own indicators stay")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let details = (json["incidents"] as? [[String: Any]] ?? []).flatMap { $0["indicator_details"] as? [[String: Any]] ?? [] }
        #expect(details.contains { $0["value"] as? String == relay && $0["shared"] as? Bool == true })
        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(md.contains(#"sender\_ip — shared infrastructure \(mail from 11 sender domains\); context, not to block | `203.0.113.77`"#))
    }
}
