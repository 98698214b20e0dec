import Foundation
import Testing
@testable import MailScopeKit

/// iocs.misp.json: one event per incident, typed attributes, to_ids only where blocking is right.
@Suite struct MispEventsTests {
    func events(_ model: ReportModel, tlp: TLP = .default) throws -> [[String: Any]] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(MispEvents.text(model, tlp: tlp).utf8)) as? [String: Any])
        let response = try #require(doc["response"] as? [[String: Any]])
        return try response.map { try #require($0["Event"] as? [String: Any]) }
    }

    @Test func campaignIndicatorsAreForDetectionAndSharedOnesAndSubjectsAreContext() throws {
        let event = try #require(try events(ExchangeModel.make()).first)
        let attributes = try #require(event["Attribute"] as? [[String: Any]])
        func attribute(_ type: String) -> [String: Any]? { attributes.first { $0["type"] as? String == type } }
        #expect(attribute("ip-src")?["to_ids"] as? Bool == false, "the shared sender IP")
        #expect(attribute("ip-dst")?["to_ids"] as? Bool == true)
        #expect(attribute("email-subject")?["value"] as? String == ExchangeModel.hostile)
        #expect(attribute("email-subject")?["to_ids"] as? Bool == false)
        #expect(attribute("filename")?["value"] as? String == ExchangeModel.hostileFile)
        #expect(Set(attributes.compactMap { $0["type"] as? String }) == ["domain", "email-src", "email-subject", "filename", "ip-dst", "ip-src", "sha256", "url"])
        #expect(event["threat_level_id"] as? String == "1")
        let uuids = attributes.compactMap { $0["uuid"] as? String }
        #expect(Set(uuids).count == attributes.count, "a value both sent from and contacted is two attributes with two uuids")
        #expect(event["uuid"] as? String == StableUUID.v5("misp-event|url:evil.example"))
    }

    @Test func tagsCarryTheTLPAndTheATTACKTechniques() throws {
        let event = try #require(try events(ExchangeModel.make(), tlp: .amberStrict).first)
        let tags = (event["Tag"] as? [[String: String]])?.compactMap { $0["name"] }
        #expect(tags == ["tlp:amber+strict", #"misp-galaxy:mitre-attack-pattern="Malicious File - T1204.002""#,
                         #"misp-galaxy:mitre-attack-pattern="Spearphishing Link - T1566.002""#])
    }

    @Test(arguments: [(Rule.Severity.critical, "1"), (.high, "1"), (.medium, "2"), (.low, "3"), (.info, "4")])
    func threatLevelFollowsSeverity(severity: Rule.Severity, level: String) {
        #expect(MispEvents.threatLevel(severity) == level)
    }
}
