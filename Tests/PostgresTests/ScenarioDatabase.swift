import Foundation
import MailScopeKit

/// The scenario's standard run (every export in fixtures/scenario, its directory and VIP watch
/// list), made once per test process into a SQLite database, for tests that compare the two
/// stores on the same data. Tests open it read-only and copy it; none changes it.
enum ScenarioDatabase {
    /// The package's root folder (fixtures/ is there).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The path of the scenario database, or the error that kept the run from making it.
    static let path: Result<String, RunFailure> = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pg-scenario-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            atexit { ScenarioDatabase.removeFolders() }
            folders.append(folder)
            let fixtures = root.appendingPathComponent("fixtures/scenario").path
            var settings = Job.RunSettings(inputs: ["siem_v2", "siem_v1", "ttp", "edr"].map { fixtures + "/" + $0 },
                                           database: folder.appendingPathComponent("case.db").path,
                                           out: folder.appendingPathComponent("out").path)
            settings.identities = [fixtures + "/identities.csv"]
            settings.detection.watchLists = ["vip=" + fixtures + "/watch-vip.txt"]
            try Job(command: "mailscope run (PostgresTests)").run(settings)
            return .success(settings.database)
        } catch {
            return .failure(RunFailure(description: "the scenario run failed: \(error)"))
        }
    }()

    /// The scenario's exports and directory loaded, nothing detected yet: the input of a
    /// detection run on each store.
    static let loaded: Result<String, RunFailure> = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pg-loaded-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            folders.append(folder)
            let fixtures = root.appendingPathComponent("fixtures/scenario").path
            let database = folder.appendingPathComponent("loaded.db").path
            _ = try Job(command: "mailscope ingest (PostgresTests)").ingest(["siem_v2", "siem_v1", "ttp", "edr"].map { fixtures + "/" + $0 }
                                                                         + [fixtures + "/identities.csv"],
                                                                         database: database, options: IngestOptions())
            return .success(database)
        } catch {
            return .failure(RunFailure(description: "the scenario load failed: \(error)"))
        }
    }()

    nonisolated(unsafe) private static var folders: [URL] = []
    private static func removeFolders() { folders.forEach { try? FileManager.default.removeItem(at: $0) } }

    struct RunFailure: Error, CustomStringConvertible { var description: String }
}
