import Foundation

/// The scenario's standard run — `mailscope run` over every export in fixtures/scenario with its
/// directory and VIP watch list, the report time pinned as scripts/example pins it — made once
/// per test process and handed to each test as its own copy: a test may detect again, prune or
/// rebuild its copy without changing what another test reads.
///
/// Tests whose point is a different run (other options, a kill, a writer racing readers, a log
/// type removed, nights of a cron job) make their own, from `arguments` where they can.
struct ScenarioRun: Sendable {
    /// What follows `run` in the standard run (before `--db` and `--out`).
    static let arguments = ["--input", "fixtures/scenario/siem_v2", "--input", "fixtures/scenario/siem_v1",
                            "--input", "fixtures/scenario/ttp", "--input", "fixtures/scenario/edr",
                            "--identities", "fixtures/scenario/identities.csv",
                            "--watch-list", "vip=fixtures/scenario/watch-vip.txt"]

    /// The scenario's Mimecast exports alone (no EDR), in the order the standard run reads them.
    static let mailExports = ["fixtures/scenario/siem_v2", "fixtures/scenario/siem_v1", "fixtures/scenario/ttp"]

    /// The report time (2026-11-03T00:00:00Z), so the reports are the same bytes on every run.
    static let environment = ["SOURCE_DATE_EPOCH": "1793664000"]

    /// The folder of this copy: `case.db` (with its lock file) and the reports in `out/`.
    let folder: String
    /// What the standard run printed and its exit status (the same for every copy).
    let result: CLI.Result

    var db: String { folder + "/case.db" }
    var out: String { folder + "/out" }

    /// A fresh copy of the standard run's folder, for one test. The first call in a process
    /// makes the run; a failed run fails every test that asks, with what the run printed.
    static func copy(_ label: String = #function) throws -> ScenarioRun {
        let template = try template.get()
        let folder = root + "/\(label.filter { $0.isLetter })-\(UUID().uuidString)"
        // Nothing has the template's database open (the run has exited, and tests only read
        // copies), so its file and any -wal/-shm beside it are copied in one consistent state.
        try FileManager.default.copyItem(atPath: template.folder, toPath: folder)
        return ScenarioRun(folder: folder, result: template.result)
    }

    /// The run and its copies live under one folder per test process, removed when the process
    /// exits (15 MB a copy, one copy per test that asks).
    private static let root: String = {
        let path = NSTemporaryDirectory() + "mailscope-e2e/scenario-run-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: ScenarioRun.root) }
        return path
    }()

    /// Made at most once per process: Swift initializes a static `let` once, and a test asking
    /// while another's call is making it waits for that run.
    private static let template: Result<ScenarioRun, RunFailure> = {
        let folder = root + "/template"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let result = try CLI.run(["run"] + arguments + ["--db", folder + "/case.db", "--out", folder + "/out"], environment: environment)
            guard result.status == 0 else {
                return .failure(RunFailure(description: "the scenario's standard run exited \(result.status): \(result.stderr.suffix(2000))"))
            }
            return .success(ScenarioRun(folder: folder, result: result))
        } catch {
            return .failure(RunFailure(description: "the scenario's standard run could not start: \(error)"))
        }
    }()

    struct RunFailure: Error, CustomStringConvertible { var description: String }
}
