import Foundation
@testable import MailScopeKit
import Testing

/// The CEF event of an alerting incident: header and standard extension keys.
@Suite struct CEFEventTests {
    @Test func headerCarriesVersionRuleTitleAndSeverity() {
        let line = CEFEvent(incident: AlertIncidentFixture.make(), report: nil, version: "9.9.9").line
        #expect(line.hasPrefix("CEF:0|MailScope|mailscope|9.9.9|MS-COR-010|Credential phish from acme-c0rp-secure.com|10|"))
    }

    @Test func extensionsUseCEFStandardKeysInAFixedOrder() {
        let event = CEFEvent(incident: AlertIncidentFixture.make(), report: "/r/report.html#incident-3")
        #expect(event.extensions.map(\.key) == ["rt", "start", "end", "cat", "msg", "suser", "src", "duser", "dhost", "fname", "fileHash",
                                                "request", "cnt", "cs1Label", "cs1", "cn1Label", "cn1", "cn2Label", "cn2", "cn3Label", "cn3",
                                                "cs2Label", "cs2"])
        let line = event.line
        #expect(line.contains("rt=1793606400000 start=1793520000000 end=1793606400000 cat=execution"))
        #expect(line.contains("cs1Label=Incident key cs1=domain:acme-c0rp-secure.com cn1Label=Incident number cn1=3"))
        #expect(line.hasSuffix("cs2Label=Report cs2=/r/report.html#incident-3"))
    }

    @Test func missingValuesAreLeftOut() {
        var incident = AlertIncidentFixture.make()
        incident.sha256 = nil
        incident.fileName = nil
        incident.senderIP = ""
        let keys = CEFEvent(incident: incident, report: nil).extensions.map(\.key)
        #expect(!keys.contains("fileHash") && !keys.contains("fname") && !keys.contains("src") && !keys.contains("cs2"))
    }
}
