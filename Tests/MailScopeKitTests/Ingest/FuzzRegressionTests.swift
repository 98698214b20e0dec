import Foundation
import Testing
@testable import MailScopeKit

/// Every input the fuzzers found a crash with (fixtures/fuzz/) goes through the reader it broke
/// and through a whole load: no crash, the damage reported as a reject, the database sound.
@Suite struct FuzzRegressionTests {
    static var inputs: [String] {
        let folder = TestPaths.fixture("fuzz")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != "README.md" }.sorted()
    }

    @Test func thereAreRegressionInputs() {
        #expect(!Self.inputs.isEmpty)
    }

    @Test(arguments: inputs)
    func aFuzzFindingNoLongerCrashes(_ name: String) throws {
        let path = TestPaths.fixture("fuzz/" + name)
        if name.hasPrefix("feed-") {
            // A threat-intel feed: read by the feed parser, the bad line rejected with its line.
            let feed = try ThreatIntelFeed.read(name: "fuzz", path: path)
            #expect(!feed.rejects.isEmpty, "\(name): \(feed.entries.count) entries, no reject")
            return
        }
        let source = try ByteSource(path: path)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBufferPointer({ source.read(into: $0.baseAddress!, capacity: $0.count) }) > 0 {}
        let issues = source.takeIssues().issues
        if name.hasPrefix("gzip-") { #expect(!issues.isEmpty, "the damage is reported") }
        let db = try LoadedDatabase([path])
        let file = try #require(db.summary.files.first)
        #expect(file.rejected >= 1, "\(name): \(file.rejectsByReason)")
        #expect(try db.db.scalar("PRAGMA integrity_check")?.stringValue == "ok")
    }
}
