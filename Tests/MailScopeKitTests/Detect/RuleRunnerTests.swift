import Foundation
import Testing
@testable import MailScopeKit

/// Correlation rules that build on another's findings run after it.
@Suite struct RuleRunnerTests {
    @Test func aCorrelationRuleRunsAfterTheRulesItNames() throws {
        let rules = try RuleCatalog.bundled().enabled([])
        let order = RuleRunner.executionOrder(rules).map(\.id)
        #expect(order.count == rules.count)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        for rule in rules where rule.kind == .correlation {
            for other in rules where other.id != rule.id && rule.sql.contains("'\(other.id)'") {
                #expect(position[other.id]! < position[rule.id]!, "\(rule.id) uses \(other.id)'s findings but runs first")
            }
        }
        #expect(position["MS-COR-012"]! < position["MS-COR-011"]!)
        // Every detection runs before the first correlation.
        let firstCorrelation = order.firstIndex { id in rules.first { $0.id == id }?.kind == .correlation } ?? order.count
        #expect(order[..<firstCorrelation].allSatisfy { id in rules.first { $0.id == id }?.kind != .correlation })
    }

    @Test func anOptInRuleThatReadsFindingsRunsAfterEveryRuleThatDoesNot() throws {
        let rules = try RuleCatalog.bundled().enabled(["MS-ARC-001"])
        let arc = try #require(rules.first { $0.id == "MS-ARC-001" })
        #expect(arc.kind == .optIn && arc.readsFindings)
        #expect(!(try #require(rules.first { $0.id == "MS-URL-001" })).readsFindings)
        let order = RuleRunner.executionOrder(rules).map(\.id)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        // By id it would run before MS-ATT-*, MS-IMP-* and MS-URL-*, whose flags it follows.
        for rule in rules where !rule.readsFindings {
            #expect(position[rule.id]! < position["MS-ARC-001"]!, "\(rule.id) runs after MS-ARC-001")
        }
    }
}
