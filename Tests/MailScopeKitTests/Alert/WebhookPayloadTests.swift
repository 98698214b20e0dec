import Foundation
@testable import MailScopeKit
import Testing

/// The webhook's JSON document: what it holds, and hostile text that stays inert and exact.
@Suite struct WebhookPayloadTests {
    static func document(_ incidents: [AlertIncident], files: [String] = ["/r/2026-11-03/report.html", "/r/2026-11-03/report.json"]) throws -> [String: Any] {
        let data = WebhookPayload.json(incidents: incidents, threshold: .high, generatedAt: 1_793_664_000_000,
                                       reportFolder: "/r/2026-11-03", reportFiles: files, version: "9.9.9")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func holdsTheIncidentsTheReportsAndTheToolVersion() throws {
        let doc = try Self.document([AlertIncidentFixture.make()])
        #expect((doc["tool"] as? [String: Any])?["version"] as? String == "9.9.9")
        #expect(doc["fail_on"] as? String == "high")
        #expect(doc["generated_at"] as? String == "2026-11-03T00:00:00.000Z")
        #expect((doc["reports"] as? [String: Any])?["folder"] as? String == "/r/2026-11-03")
        let incident = try #require((doc["incidents"] as? [[String: Any]])?.first)
        #expect(incident["number"] as? Int == 3)
        #expect(incident["key"] as? String == "domain:acme-c0rp-secure.com")
        #expect(incident["severity"] as? String == "critical")
        #expect(incident["stage"] as? String == "execution")
        #expect(incident["first_seen"] as? String == "2026-11-01T08:00:00.000Z")
        #expect((incident["counts"] as? [String: Any])?["findings"] as? Int == 9)
        #expect(incident["report"] as? String == "/r/2026-11-03/report.html#incident-3")
    }

    @Test func withoutHTMLTheReportLinkIsTheJSONReport() throws {
        let doc = try Self.document([AlertIncidentFixture.make()], files: ["/r/report.json", "/r/iocs.csv"])
        #expect((doc["incidents"] as? [[String: Any]])?.first?["report"] as? String == "/r/report.json")
    }

    @Test func hostileTextIsEscapedYetDecodesToItself() throws {
        var incident = AlertIncidentFixture.make()
        incident.title = "Invoice \u{1B}[2J\u{202E}fdp.exe\u{9B}\" }, \"owned\": true"
        let data = WebhookPayload.json(incidents: [incident], threshold: .high, generatedAt: 0, reportFolder: nil, reportFiles: [])
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x9B })
        #expect(text.contains("\\u001b[2J\\u202efdp.exe\\u009b"))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(doc["owned"] == nil)
        #expect((doc["incidents"] as? [[String: Any]])?.first?["title"] as? String == incident.title)
    }
}
