import Foundation
import Testing
@testable import MailScopeKit

/// iocs.stix.json: deterministic ids and times, valid patterns whatever the campaign's text.
@Suite struct StixBundleTests {
    func objects(_ text: String) throws -> [[String: Any]] {
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(bundle["type"] as? String == "bundle")
        return try #require(bundle["objects"] as? [[String: Any]])
    }

    @Test func hostileCampaignTextStaysInertAndEveryPatternReadsBackToItsValue() throws {
        let model = ExchangeModel.make()
        let text = StixBundle.text(model)
        #expect(!text.contains("\u{202E}"), "bidi override written as \\u202e")
        let all = try objects(text)
        let indicators = all.filter { $0["type"] as? String == "indicator" }
        var patterns: Set<String> = []
        let campaign = model.indicators.filter { !$0.shared && patterns.insert(ExchangeIndicator(type: $0.type, value: $0.value)?.stixPattern ?? "").inserted }
        #expect(indicators.count == 6, "one indicator per campaign-specific pattern; the shared sender IP left out")
        #expect(indicators.count == campaign.count)
        #expect(indicators.first?["labels"] as? [String] == ["domain", "sender_domain"], "evil.example sent the mail and was contacted: one pattern")
        for (object, row) in zip(indicators, campaign) {
            let pattern = try #require(object["pattern"] as? String)
            #expect(ExchangeModel.patternLiteral(pattern) == row.value, "\(pattern)")
            #expect(object["valid_from"] as? String == row.firstSeen?.iso)
        }
        let report = try #require(all.first { $0["type"] as? String == "report" })
        #expect(report["name"] as? String == "MailScope incident #1: Malicious link \(ExchangeModel.hostile)")
        let refs = try #require(report["object_refs"] as? [String])
        #expect(refs == indicators.compactMap { $0["id"] as? String }, "each indicator named once")
    }

    @Test func idsAndBytesAreTheSameOnEveryRunAndFollowTheContent() throws {
        let model = ExchangeModel.make()
        #expect(StixBundle.text(model) == StixBundle.text(model))
        let ids = try objects(StixBundle.text(model)).compactMap { $0["id"] as? String }
        let domain = "indicator--" + StableUUID.v5("indicator|[domain-name:value = 'evil.example']")
        #expect(ids.contains(domain))
        #expect(ids.contains("report--" + StableUUID.v5("report|url:evil.example")))
        #expect(Set(ids).count == ids.count)
    }

    @Test func confidenceAndKillChainComeFromTheFindingsNamingTheIndicator() throws {
        let all = try objects(StixBundle.text(ExchangeModel.make()))
        func indicator(_ name: String) throws -> [String: Any] { try #require(all.first { $0["name"] as? String == name }) }
        let hash = try indicator("sha256 " + String(repeating: "ab", count: 32))
        #expect(hash["confidence"] as? Int == 85, "a strong correlation on the hash")
        #expect((hash["kill_chain_phases"] as? [[String: String]])?.map { $0["phase_name"] } == ["execution"])
        #expect(try indicator("domain evil.example")["confidence"] as? Int == 75, "listed by a feed")
    }

    @Test func theTLPMarksEveryObjectWithTheSTIXMarkingOfItsLabel() throws {
        let all = try objects(StixBundle.text(ExchangeModel.make(), tlp: .red))
        let marking = try #require(all.first { $0["type"] as? String == "marking-definition" })
        #expect(marking["id"] as? String == "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed")
        for o in all where o["type"] as? String == "indicator" || o["type"] as? String == "report" {
            #expect(o["object_marking_refs"] as? [String] == [TLP.red.stixMarking.id])
        }
    }
}
