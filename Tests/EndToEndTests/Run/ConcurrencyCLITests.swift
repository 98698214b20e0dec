import Foundation
import MailScopeKit
import Testing

/// Readers while a run writes: SQLite's WAL gives each reader a consistent snapshot, and the
/// run lock keeps a second writer out.
@Suite struct ConcurrencyCLITests {
    /// One read transaction: every loaded row is counted in its file's manifest row, and every
    /// incident's finding count matches its links. Both hold in any committed state.
    static let snapshotCheck = """
        SELECT (SELECT COALESCE(SUM(rows), 0) FROM input_file) AS manifest_rows,
               (SELECT COUNT(*) FROM mail_message) + (SELECT COUNT(*) FROM url_click) + (SELECT COUNT(*) FROM attachment_scan)
               + (SELECT COUNT(*) FROM impersonation) + (SELECT COUNT(*) FROM mail_event) + (SELECT COUNT(*) FROM ioc)
               + (SELECT COUNT(*) FROM edr_event) + (SELECT COUNT(*) FROM directory_entry) AS table_rows,
               (SELECT COALESCE(SUM(findings), 0) FROM incident) AS incident_findings,
               (SELECT COUNT(*) FROM incident_finding) AS links
        """

    @Test(.timeLimit(.minutes(3)))
    func readersSeeAConsistentSnapshotWhileARunWrites() throws {
        let dir = CLI.scratch("concurrency")
        let db = dir + "/case.db"
        let writer = CLI.start(["run"] + ScenarioRun.arguments + ["--db", db, "--out", dir + "/out"])
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        var reads = 0, nonEmpty = 0, queries = 0, secondWriterRefused = false
        while writer.isRunning {
            guard FileManager.default.fileExists(atPath: db) else { usleep(5_000); continue }
            let r = try CLI.run(["hunt", "--sql", "-", "--db", db, "--format", "json"], stdin: Self.snapshotCheck)
            if r.status == 0, let row = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Int]])?.first {
                reads += 1
                #expect(row["manifest_rows"] == row["table_rows"], "a reader saw rows without their manifest: \(row)")
                #expect(row["incident_findings"] == row["links"], "a reader saw half-built incidents: \(row)")
                if (row["table_rows"] ?? 0) > 0 { nonEmpty += 1 }
            } else if writer.isRunning && !r.stderr.contains("no such table") && !r.stderr.contains("a mailscope run is creating it") {
                // The schema may not exist yet in the first milliseconds; anything else is a failure.
                Issue.record("a reader failed while the run wrote: \(r.stderr)")
            }
            // An investigation while the run writes answers from its snapshot.
            let query = try CLI.run(["query", "threat-activity", "--db", db, "--format", "json"])
            if query.status == 0 { queries += 1 } else if writer.isRunning && !query.stderr.contains("schema") && !query.stderr.contains("no such table")
                && !query.stderr.contains("a mailscope run is creating it") {
                Issue.record("query failed while the run wrote: \(query.stderr)")
            }
            if !secondWriterRefused, writer.isRunning {
                let second = try CLI.run(["detect", "--db", db])
                if second.status == 4 { secondWriterRefused = true } else if writer.isRunning {
                    Issue.record("a second writer was not refused: status \(second.status) \(second.stderr)")
                }
            }
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(reads >= 3, "too few reads during the run to say anything")
        #expect(nonEmpty >= 1)
        #expect(secondWriterRefused)
        #expect(queries >= 1, "no query answered during the run")
    }
}
