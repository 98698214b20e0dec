import Foundation
@testable import MailScopeKit
import Testing

@Suite struct RunLockTests {
    static func scratchDB() -> String {
        let dir = NSTemporaryDirectory() + "mailscope-lock-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/case.db"
    }

    @Test func aSecondHolderIsToldWhoHoldsTheLock() throws {
        let db = Self.scratchDB()
        let first = try RunLock(databasePath: db, command: "mailscope run --config nightly.yml")
        #expect(first.staleHolder == nil)
        do {
            _ = try RunLock(databasePath: db, command: "mailscope detect")
            Issue.record("a second lock was granted")
        } catch {
            #expect(error.description.contains("case.db is in use: another mailscope process (pid \(getpid())"))
            #expect(error.description.contains("mailscope run --config nightly.yml"))
        }
        first.release()
        let second = try RunLock(databasePath: db, command: "mailscope detect")
        #expect(second.staleHolder == nil, "a released lock is not stale")
        second.release()
    }

    @Test func aLockLeftByAKilledRunIsTakenOverAndReported() throws {
        let db = Self.scratchDB()
        try "pid 4242 on night, started 2026-11-22T02:30:00.000Z: mailscope run".write(toFile: db + ".lock", atomically: false, encoding: .utf8)
        let lock = try RunLock(databasePath: db, command: "mailscope run")
        #expect(lock.staleHolder == "pid 4242 on night, started 2026-11-22T02:30:00.000Z: mailscope run")
        let text = try String(contentsOfFile: db + ".lock", encoding: .utf8)
        #expect(text.hasPrefix("pid \(getpid()) on "))
        lock.release()
        #expect(try String(contentsOfFile: db + ".lock", encoding: .utf8).isEmpty)
    }

    @Test func anUnwritableFolderGivesAClearError() {
        #expect(throws: RunLock.Error.self) { try RunLock(databasePath: "/nonexistent-folder/case.db", command: "x") }
    }
}
