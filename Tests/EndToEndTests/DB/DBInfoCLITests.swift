import Foundation
import MailScopeKit
import Testing

@Suite struct DBInfoCLITests {
    @Test func infoShowsCountsRangesAndSchema() throws {
        let db = CLI.scratch() + "/case.db"
        _ = try CLI.run(["ingest", "fixtures/scenario/ttp", "--db", db])
        let result = try CLI.run(["db", "info", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Schema version: \(Schema.currentVersion) (this mailscope: \(Schema.currentVersion))"))
        #expect(result.stdout.contains("Inputs: 4 loaded"))
        #expect(result.stdout.contains("url_click               124  2026-11-02T"))
        #expect(result.stdout.contains("Rejects: none"))
        let missing = try CLI.run(["db", "info", "--db", db + ".nope"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains(".nope does not exist"))
    }
}
