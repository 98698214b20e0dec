import Foundation
import Testing
@testable import MailScopeKit

/// The bundled catalog's counts, and the README saying the same numbers in the same words.
@Suite struct RuleCatalogTests {
    @Test func theReadmeStatesTheCatalogsCounts() throws {
        let catalog = try RuleCatalog.bundled()
        let readme = try String(contentsOf: TestPaths.root.appendingPathComponent("README.md"), encoding: .utf8)
            .replacingOccurrences(of: "\n", with: " ")
        let sentence = try #require(readme.firstMatch(of: /The bundled catalog \(`mailscope rules list`\) has (\d+) rules: (\d+) run by default, (\d+) opt-in \(`--enable`\), (\d+) saved hunts \(`mailscope hunt`\)/),
                                    "the README's sentence on the catalog's size is gone or reworded")
        let count = { (kind: Rule.Kind) in catalog.rules.filter { $0.kind == kind }.count }
        #expect(Int(sentence.1) == catalog.rules.count, "README says \(sentence.1) rules, the catalog has \(catalog.rules.count)")
        #expect(Int(sentence.2) == catalog.rules.filter(\.enabledByDefault).count)
        #expect(Int(sentence.3) == count(.optIn))
        #expect(Int(sentence.4) == count(.hunt))
        // The same numbers as `mailscope rules list` prints under the list.
        #expect(catalog.countSummary == "\(sentence.1) rules: \(sentence.2) run by default, \(sentence.3) opt-in (--enable), \(sentence.4) saved hunts (mailscope hunt)")
        // And the kinds the rules that run are made of.
        let kinds = try #require(readme.firstMatch(of: /The (\d+) that run are (\d+) vendor verdicts.*?: (\d+) detections\), (\d+) DUET questions.*? and (\d+) correlations/))
        #expect(Int(kinds.1) == catalog.rules.filter(\.enabledByDefault).count)
        #expect(Int(kinds.2) == count(.vendor))
        #expect(Int(kinds.3) == count(.detection))
        #expect(Int(kinds.4) == count(.duet))
        #expect(Int(kinds.5) == count(.correlation))
    }

    @Test func everyRuleIsCountedOnce() throws {
        let catalog = try RuleCatalog.bundled()
        let optIn = catalog.rules.filter { $0.kind == .optIn }.count, hunts = catalog.rules.filter { $0.kind == .hunt }.count
        #expect(catalog.rules.filter(\.enabledByDefault).count + optIn + hunts == catalog.rules.count)
        #expect(catalog.enabled([]).count == catalog.rules.filter(\.enabledByDefault).count, "what runs by default is what the summary counts")
    }
}
