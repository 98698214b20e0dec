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

    /// Where to kill a whole `run`: a condition on the database or output folder to wait for.
    enum KillPoint: String, CaseIterable, CustomTestStringConvertible {
        case duringIngest, afterIngest, duringDetection, duringIncidents, duringReports
        var testDescription: String { rawValue }
    }

    /// True once the run reached `point` (polled on a read-only connection: WAL readers do not
    /// disturb the writer).
    static func reached(_ point: KillPoint, db: String, out: String) -> Bool {
        guard FileManager.default.fileExists(atPath: db), let database = try? Database(path: db, mode: .readOnly) else { return false }
        func count(_ sql: String) -> Int64 { (try? database.scalar(sql)?.intValue) ?? 0 }
        switch point {
        case .duringIngest: return count("SELECT COUNT(*) FROM input_file") >= 4
        case .afterIngest: return count("SELECT COUNT(*) FROM run WHERE status = 'running'") > 0
        case .duringDetection: return count("SELECT COUNT(*) FROM finding") >= 30
        case .duringIncidents: return count("SELECT COUNT(*) FROM finding WHERE kind = 'correlation'") > 0
        case .duringReports: return FileManager.default.fileExists(atPath: out + "/ingest-summary.md")
        }
    }

    /// Kill -9 a whole `run` at each stage, run again: the database is sound and holds exactly
    /// what one clean run gives (no duplicate rows or findings), and the reports are whole.
    @Test(.timeLimit(.minutes(5)), arguments: KillPoint.allCases)
    func killARunAtAnyStageThenRerunEqualsACleanRun(_ point: KillPoint) throws {
        let oneShot = try ScenarioRun.copy().db
        let dir = CLI.scratch("kill-\(point.rawValue)")
        let db = dir + "/case.db", out = dir + "/out"
        let arguments = ["run"] + ScenarioRun.arguments + ["--db", db, "--out", out]
        let process = CLI.start(arguments)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline && !Self.reached(point, db: db, out: out) { usleep(2_000) }
        let killedWhileRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if !killedWhileRunning { print("note: the run finished before \(point.rawValue) could be caught; the re-run still must add nothing") }
        #expect(try Database(path: db).scalar("PRAGMA integrity_check")?.stringValue == "ok")

        let rerun = try CLI.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        if killedWhileRunning { #expect(rerun.stderr.contains("taking over a stale lock"), "\(rerun.stderr)") }
        let database = try Database(path: db, mode: .readOnly)
        #expect(try database.scalar("PRAGMA integrity_check")?.stringValue == "ok")
        let clean = try Database(path: oneShot, mode: .readOnly)
        for table in ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "edr_event", "reject", "identity"] {
            #expect(try database.scalar("SELECT COUNT(*) FROM \(table)")?.intValue == clean.scalar("SELECT COUNT(*) FROM \(table)")?.intValue, "\(table) after a kill \(point.rawValue)")
        }
        #expect(try database.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM finding GROUP BY rule_id, evidence_table, evidence_rowid HAVING COUNT(*) > 1)")?.intValue == 0)
        #expect(try NightlyRunCLITests.findings(db) == NightlyRunCLITests.findings(oneShot))
        #expect(try NightlyRunCLITests.incidents(db) == NightlyRunCLITests.incidents(oneShot))
        #expect(try database.scalar("SELECT COUNT(*) FROM input_file WHERE status = 'loading'")?.intValue == 0)
        // Whole reports, and no temporaries left behind by the killed run.
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
        #expect((json?["incidents"] as? [Any])?.count == 9)
        #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8).hasSuffix("</html>\n"))
    }
}
