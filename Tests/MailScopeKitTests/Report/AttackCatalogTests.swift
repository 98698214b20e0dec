import Testing
@testable import MailScopeKit

/// Every technique a rule may cite has the name and tactics the exchange formats need.
@Suite struct AttackCatalogTests {
    @Test func everyValidTechniqueHasANameAndKnownTactics() {
        for id in AttackTechniques.valid.sorted() {
            let t = AttackCatalog.techniques[id]
            #expect(t != nil, "\(id) missing from AttackCatalog")
            for tactic in t?.tactics ?? [] { #expect(AttackCatalog.tactics[tactic] != nil, "\(id): \(tactic)") }
        }
    }

    @Test func mispTagsUseTheGalaxyClusterNames() {
        #expect(AttackCatalog.mispTag("T1566.001") == #"misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001""#)
        #expect(AttackCatalog.mispTag("T1566") == #"misp-galaxy:mitre-attack-pattern="Phishing - T1566""#)
        #expect(AttackCatalog.mispTag("T9999") == nil)
    }

    @Test func tacticsComeInKillChainOrderOnce() {
        #expect(AttackCatalog.tactics(of: ["T1105", "T1566.002", "T1204.001", "T1566"]) == ["initial-access", "execution", "command-and-control"])
    }
}
