import Foundation
import MailScopeKit
import Testing

/// Kill -9 in the middle of a load, re-run, and get exactly what a clean load gives.
@Suite struct CrashSafetyTests {
    /// A large real-format input made from the hand-written fixture lines (each made unique).
    static func bigInput(in dir: String, lines: Int) throws -> String {
        let template = try String(contentsOf: CLI.root.appendingPathComponent("fixtures/mimecast/siem_v2_events.ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var text = ""
        text.reserveCapacity(lines * 900)
        for i in 0..<lines {
            text += template[i % 11].replacingOccurrences(of: "\"_offset\":", with: "\"seq\":\(i),\"_offset\":")
            text += "\n"
        }
        let path = dir + "/big.ndjson"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func counts(_ db: String) throws -> [String: Int64] {
        let database = try Database(path: db, mode: .readOnly)
        var out: [String: Int64] = [:]
        for table in ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "reject"] {
            out[table] = try database.scalar("SELECT COUNT(*) FROM \(table)")?.intValue
        }
        return out
    }

    @Test(.timeLimit(.minutes(5)))
    func killDuringIngestThenRerunEqualsACleanLoad() throws {
        let dir = CLI.scratch()
        let input = try Self.bigInput(in: dir, lines: 120_000)
        let clean = dir + "/clean.db"
        let cleanRun = try CLI.run(["ingest", input, "--db", clean, "--commit-rows", "2000", "--batch-lines", "500"])
        #expect(cleanRun.status == 0, "\(cleanRun.stderr)")

        let crashed = dir + "/crashed.db"
        let process = CLI.start(["ingest", input, "--db", crashed, "--commit-rows", "2000", "--batch-lines", "500"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until some batches are committed, then kill it hard.
        var committed: Int64 = 0
        let deadline = Date().addingTimeInterval(60)
        while committed == 0 && Date() < deadline && process.isRunning {
            usleep(20_000)
            if FileManager.default.fileExists(atPath: crashed),
               let db = try? Database(path: crashed, mode: .readOnly),
               let n = try? db.scalar("SELECT COALESCE(MAX(units_committed), 0) FROM input_file")?.intValue {
                committed = n
            }
        }
        #expect(process.isRunning, "the load finished before it could be killed: make the input bigger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(committed > 0)

        // The killed database is consistent and says the file is not loaded yet.
        let after = try Database(path: crashed)
        #expect(try after.scalar("PRAGMA integrity_check")?.stringValue == "ok")
        #expect(try after.scalar("SELECT status FROM input_file")?.stringValue == "loading")

        let rerun = try CLI.run(["ingest", input, "--db", crashed, "--commit-rows", "2000", "--batch-lines", "500"])
        #expect(rerun.status == 0)
        #expect(rerun.stderr.contains("resuming an interrupted load"))
        #expect(try Self.counts(crashed) == Self.counts(clean))
        let status = try Database(path: crashed, mode: .readOnly).query("SELECT status, records, rows, duplicates FROM input_file").first
        let cleanStatus = try Database(path: clean, mode: .readOnly).query("SELECT status, records, rows, duplicates FROM input_file").first
        #expect(status == cleanStatus)
    }
}
