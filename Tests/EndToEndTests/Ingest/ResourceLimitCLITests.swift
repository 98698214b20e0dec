import Foundation
import MailScopeKit
import Testing

/// Inputs and machines at their limits: a 50 MB line does not grow memory, and a full disk
/// stops the run with a clear message, leaving a database that a second run completes.
@Suite struct ResourceLimitCLITests {
    /// Runs mailscope under `python3` to read the child's peak RSS (KiB) from getrusage.
    static func peakRSS(_ arguments: [String], limitFileKiB: Int? = nil) throws -> (status: Int32, stderr: String, rssKiB: Int) {
        let script = """
            import resource, subprocess, sys, signal
            limit = int(sys.argv[1])
            def pre():
                if limit > 0:
                    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                    resource.setrlimit(resource.RLIMIT_FSIZE, (limit * 1024, limit * 1024))
            p = subprocess.run(sys.argv[2:], preexec_fn=pre, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            sys.stderr.buffer.write(p.stderr)
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            sys.exit(p.returncode)
            """
        let r = try CLI.run(["-c", script, String(limitFileKiB ?? 0), CLI.binary] + arguments, executable: "/usr/bin/env", prefix: ["python3"])
        return (r.status, r.stderr, Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    @Test(.timeLimit(.minutes(3)))
    func aFiftyMegabyteLineIsRejectedWithoutGrowingMemory() throws {
        let dir = CLI.scratch()
        let good = try String(contentsOf: CLI.root.appendingPathComponent("fixtures/mimecast/siem_v2_events.ndjson"), encoding: .utf8)
        try Data(good.utf8).write(to: URL(fileURLWithPath: dir + "/small.ndjson"))
        _ = FileManager.default.createFile(atPath: dir + "/long.ndjson", contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/long.ndjson"))
        try handle.write(contentsOf: Data(good.utf8))
        try handle.write(contentsOf: Data("{\"subject\":\"".utf8))
        let chunk = Data(repeating: UInt8(ascii: "A"), count: 1 << 20)
        for _ in 0..<50 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\"}\n".utf8))
        try handle.write(contentsOf: Data(good.utf8))
        try handle.close()

        let baseline = try Self.peakRSS(["ingest", dir + "/small.ndjson", "--db", dir + "/a.db"])
        #expect(baseline.status == 0, "\(baseline.stderr)")
        let long = try Self.peakRSS(["ingest", dir + "/long.ndjson", "--db", dir + "/b.db"])
        #expect(long.status == 0, "\(long.stderr)")
        #expect(long.stderr.contains("line_too_long"))
        let db = try Database(path: dir + "/b.db", mode: .readOnly)
        // The good lines before and after the long one are all read (the second copy is the
        // same events, so it counts as duplicates).
        let small = try Database(path: dir + "/a.db", mode: .readOnly).scalar("SELECT rows FROM input_file")?.intValue ?? 0
        #expect(small > 0)
        #expect(try db.scalar("SELECT rows FROM input_file")?.intValue == small)
        #expect(try db.scalar("SELECT duplicates FROM input_file")?.intValue == small)
        #expect(try db.scalar("SELECT line_bytes FROM reject WHERE reason = 'line_too_long'")?.intValue ?? 0 > 50 << 20)
        // Flat: the 50 MB line costs far less than 50 MB of memory.
        print("peak RSS: \(baseline.rssKiB) KiB for the small file, \(long.rssKiB) KiB with a 50 MB line")
        #expect(long.rssKiB > 0 && long.rssKiB < baseline.rssKiB + 20 * 1024, "peak RSS \(long.rssKiB) KiB vs \(baseline.rssKiB) KiB")
    }

    @Test(.timeLimit(.minutes(3)))
    func aFullDiskStopsTheRunClearlyAndTheNextRunFinishesTheJob() throws {
        let dir = CLI.scratch()
        let input = try CrashSafetyTests.bigInput(in: dir, lines: 60_000)
        let clean = try CLI.run(["ingest", input, "--db", dir + "/clean.db", "--commit-rows", "2000"])
        #expect(clean.status == 0)
        // The database may not grow past 6 MB: as if the disk filled up part way.
        let full = try Self.peakRSS(["ingest", input, "--db", dir + "/case.db", "--commit-rows", "2000"], limitFileKiB: 6 * 1024)
        #expect(full.status == 2, "\(full.stderr)")
        #expect(full.stderr.contains("the database could not be written while loading"), "\(full.stderr)")
        #expect(full.stderr.contains("the disk is full, a quota or file-size limit was reached"))
        #expect(full.stderr.contains("resumes where it stopped"))
        let after = try Database(path: dir + "/case.db")
        #expect(try after.scalar("PRAGMA integrity_check")?.stringValue == "ok")
        #expect(try after.scalar("SELECT status FROM input_file")?.stringValue == "loading")
        #expect(try after.scalar("SELECT COUNT(*) FROM mail_message")?.intValue ?? 0 > 0, "commits before the disk filled are kept")

        let rerun = try CLI.run(["ingest", input, "--db", dir + "/case.db", "--commit-rows", "2000"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming an interrupted load"))
        #expect(try CrashSafetyTests.counts(dir + "/case.db") == CrashSafetyTests.counts(dir + "/clean.db"))
    }
}
