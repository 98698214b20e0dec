import Foundation
import Testing
@testable import MailScopeKit

/// The README's table of EDR actions is the profiles' own, and no event type of the real
/// samples becomes `other` unless the README says so.
@Suite struct EDRActionTableTests {
    static let readme: String = (try? String(contentsOfFile: TestPaths.root.appendingPathComponent("README.md").path, encoding: .utf8)) ?? ""

    /// The table between the edr-actions markers: product → action → exported types.
    static func readmeTable() -> [String: [String: Set<String>]] {
        guard let start = readme.range(of: "<!-- edr-actions"), let end = readme.range(of: "<!-- /edr-actions -->") else { return [:] }
        var out: [String: [String: Set<String>]] = [:]
        for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| product") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3 else { continue }
            let types = cells[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            out[cells[0], default: [:]][cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")), default: []].formUnion(types)
        }
        return out
    }

    @Test func theReadmeTableListsEveryNamedTypeWithItsAction() {
        let table = Self.readmeTable()
        for profile in EDRProfile.builtIn {
            var expected: [String: Set<String>] = [:]
            for (type, action) in profile.namedActions { expected[action.rawValue, default: []].insert(type) }
            #expect(table[profile.name] == expected, "README edr-actions table for \(profile.name) differs from EDRProfile")
            for (type, action) in profile.namedActions {
                #expect(profile.action(for: type) == action, "\(profile.name): \(type)")
            }
        }
    }

    @Test func patternFamiliesHaveTheirActions() {
        #expect(EDRProfile.mde.action(for: "AsrLsassCredentialTheftBlocked") == .asrBlock)
        #expect(EDRProfile.mde.action(for: "AsrLsassCredentialTheftAudited") == .asrAudit)
        #expect(EDRProfile.mde.action(for: "RegistryValueSet") == .registryChange)
        #expect(EDRProfile.crowdStrike.action(for: "PdfFileWritten") == .fileCreated)
        #expect(EDRProfile.mde.action(for: "SomethingNew") == .other)
        #expect(EDRProfile.mde.action(for: nil) == .other)
    }

    @Test(.enabled(if: TestPaths.sharedEDRAvailable, "../shared/samples/edr is absent"))
    func noSampleTypeIsOtherUnlessTheReadmeSaysSo() throws {
        let db = try LoadedDatabase([TestPaths.sharedEDR])
        let others = try db.rows("SELECT DISTINCT product, event_type FROM edr_event WHERE action = 'other' ORDER BY 1, 2")
        let paragraph = try #require(Self.readme.range(of: "matching no pattern are `other`").map { Self.readme[$0.lowerBound...].prefix(400) })
        for row in others {
            let type = try #require(row.text("event_type"))
            #expect(paragraph.contains("`\(type)`"), "\(row.text("product") ?? "?") \(type) maps to other but the README does not say so")
        }
        #expect(try db.count("edr_event", "action = 'other'") > 0, "the check must see the sample's unlisted types")
    }
}
