import Foundation
import Testing
@testable import MailScopeKit

/// Dated report folders: named by the run, never shared by two runs, and `latest` always the
/// last run's.
@Suite struct ReportFolderTests {
    static let morning: Int64 = 1_793_672_100_000   // 2026-11-03T02:15:00Z

    @Test func aRunsFolderIsTheUTCDayItStartedAndALaterRunThatDayGetsItsOwn() throws {
        let out = TestPaths.scratch() + "/reports"
        #expect(ReportFolder.day(of: Self.morning) == "2026-11-03")
        let first = try ReportFolder.forRun(out: out, startedAt: Self.morning)
        let second = try ReportFolder.forRun(out: out, startedAt: Self.morning + 3_600_000)
        let third = try ReportFolder.forRun(out: out, startedAt: Self.morning + 7_200_000)
        let nextDay = try ReportFolder.forRun(out: out, startedAt: Self.morning + 86_400_000)
        #expect([first, second, third, nextDay].map { ($0 as NSString).lastPathComponent } == ["2026-11-03", "2026-11-03-2", "2026-11-03-3", "2026-11-04"])
        #expect(FileManager.default.fileExists(atPath: third))
    }

    @Test func latestPointsAtTheLastRunWhateverItsName() throws {
        let out = TestPaths.scratch() + "/reports"
        let today = try ReportFolder.forRun(out: out, startedAt: Self.morning)
        try ReportFolder.pointLatest(out: out, at: today)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "2026-11-03")
        // A run whose clock says an earlier day (a re-run of an old case, a clock set back).
        let earlier = try ReportFolder.forRun(out: out, startedAt: Self.morning - 5 * 86_400_000)
        try ReportFolder.pointLatest(out: out, at: earlier)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "2026-10-29")
        #expect(FileManager.default.fileExists(atPath: out + "/latest"), "a relative link that resolves")
    }

    @Test func aLatestThatIsNotALinkIsLeftAloneWithAMessage() throws {
        let out = TestPaths.scratch() + "/reports"
        try FileManager.default.createDirectory(atPath: out + "/latest", withIntermediateDirectories: true)
        let folder = try ReportFolder.forRun(out: out, startedAt: Self.morning)
        #expect(throws: ReportFolder.Error.self) { try ReportFolder.pointLatest(out: out, at: folder) }
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: out + "/latest", isDirectory: &isFolder) && isFolder.boolValue)
    }
}
