import Foundation
import MailScopeKit
import Testing

/// `mailscope ingest --edr-tz ZONE`: an export in local time read with the offset in force at
/// each row's time, and zone names that are refused before anything is loaded.
@Suite struct EDRTimeZoneCLITests {
    @Test func anIANAZoneConvertsEachRowAcrossTheDaylightSavingChanges() throws {
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest", "fixtures/edr/mde_local_time_berlin.csv", "--edr-tz", "Europe/Berlin", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        let times = Dictionary(uniqueKeysWithValues: try database.rows("SELECT file_name, ts FROM edr_event").map {
            ($0.text("file_name") ?? "", $0.int("ts").map(TimeParser.iso8601) ?? "")
        })
        #expect(times["winter.txt"] == "2026-01-15T11:00:00.000Z")
        #expect(times["after-spring.txt"] == "2026-03-29T01:00:00.000Z")
        #expect(times["summer.txt"] == "2026-07-15T10:00:00.000Z")
        #expect(times["repeated-hour.txt"] == "2026-10-25T00:30:00.000Z")
        #expect(times["after-autumn.txt"] == "2026-10-25T02:00:00.000Z")
        #expect(times["written-utc.txt"] == "2026-11-02T09:14:03.120Z")
    }

    @Test func aFixedOffsetStillApplies() throws {
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest", "fixtures/edr/mde_local_time_berlin.csv", "--edr-tz", "+01:00", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        let summer = try database.rows("SELECT ts FROM edr_event WHERE file_name = 'summer.txt'").first?.int("ts")
        #expect(summer.map(TimeParser.iso8601) == "2026-07-15T11:00:00.000Z")
    }

    @Test(arguments: [
        (["--edr-tz", "Europe/Berln"], "--edr-tz: \"Europe/Berln\" is not a time zone (did you mean Europe/Berlin?)"),
        (["--edr-tz", "CEST"], "--edr-tz: \"CEST\" is an abbreviation, not a zone"),
    ])
    func aNameThatIsNoZoneIsRefusedBeforeLoading(flag: [String], message: String) throws {
        let db = CLI.scratch() + "/case.db"
        let result = try CLI.run(["ingest", "fixtures/edr/mde_local_time_berlin.csv", "--db", db] + flag)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
