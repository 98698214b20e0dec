import Foundation
import MailScopeKit
import Testing

/// What a user sees when a command cannot do its work: one sentence naming the file or folder
/// and what to do (never Foundation's `Error Domain=…` or a raw SQLite error), the documented
/// exit code (2: the input stopped the command), and no database or lock file left behind.
@Suite struct FailureMessageCLITests {
    static let raw = ["Error Domain=", "NSCocoaErrorDomain", "SQLite error", "file is not a database", "unable to open database file"]

    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: @Sendable (_ dir: String) -> [String]
        var says: String
        var exit: Int32 = 2
        var label: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(arguments: { ["report", "--db", $0 + "/missing.db", "--out", $0 + "/out"] }, says: "missing.db does not exist", label: "report on a missing database"),
        Case(arguments: { ["report", "--db", $0 + "/notes.txt", "--out", $0 + "/out"] }, says: "notes.txt is not a MailScope database", label: "report on a text file"),
        Case(arguments: { ["report", "--db", $0 + "/plain.sqlite", "--out", $0 + "/out"] }, says: "plain.sqlite is not a MailScope database", label: "report on another SQLite database"),
        Case(arguments: { ["report", "--db", $0 + "/case.db", "--out", $0 + "/notes.txt/reports"] }, says: "notes.txt/reports: cannot create the report folder", label: "report into a folder that cannot be made"),
        Case(arguments: { ["db", "info", "--db", $0 + "/missing.db"] }, says: "missing.db does not exist", label: "db info on a missing database"),
        Case(arguments: { ["db", "info", "--db", $0 + "/notes.txt"] }, says: "notes.txt is not a MailScope database", label: "db info on a text file"),
        Case(arguments: { ["db", "info", "--db", $0] }, says: "is a folder, not a MailScope database", label: "db info on a folder"),
        Case(arguments: { ["query", "url", "--db", $0 + "/missing.db"] }, says: "missing.db does not exist", label: "query on a missing database"),
        Case(arguments: { ["query", "user", "a@acme-corp.example", "--db", $0 + "/notes.txt"] }, says: "notes.txt is not a MailScope database", label: "query on a text file"),
        Case(arguments: { ["hunt", "--db", $0 + "/missing.db"] }, says: "missing.db does not exist", label: "hunt on a missing database"),
        Case(arguments: { ["hunt", "--sql", "-", "--db", $0 + "/plain.sqlite"] }, says: "plain.sqlite is not a MailScope database", label: "hunt on another SQLite database"),
        Case(arguments: { ["detect", "--db", $0 + "/missing.db"] }, says: "missing.db does not exist", label: "detect on a missing database"),
        Case(arguments: { ["prune", "--older-than", "90d", "--db", $0 + "/missing.db"] }, says: "missing.db does not exist", label: "prune on a missing database"),
        Case(arguments: { ["ingest", "/nonexistent-export", "--db", $0 + "/missing.db"] }, says: "/nonexistent-export: no such file or folder", label: "ingest of a path that does not exist"),
        Case(arguments: { ["ingest", $0 + "/empty", "--db", $0 + "/missing.db"] }, says: "no input files found", label: "ingest of an empty folder"),
        Case(arguments: { ["run", "--input", $0 + "/empty", "--db", $0 + "/missing.db", "--out", $0 + "/out"] }, says: "no input files found", label: "run on an empty export folder"),
        // Writers refuse what is not a MailScope database before they lock or create anything,
        // and never put their schema into another program's SQLite file.
        Case(arguments: { ["ingest", "fixtures/edr/sentinelone_dv.csv", "--db", $0 + "/notes.txt"] }, says: "notes.txt is not a MailScope database", label: "ingest into a text file"),
        Case(arguments: { ["ingest", "fixtures/edr/sentinelone_dv.csv", "--db", $0 + "/plain.sqlite"] }, says: "plain.sqlite is not a MailScope database", label: "ingest into another SQLite database"),
        Case(arguments: { ["run", "--input", "fixtures/edr/sentinelone_dv.csv", "--db", $0 + "/notes.txt", "--out", $0 + "/out"] }, says: "notes.txt is not a MailScope database", label: "run into a text file"),
        Case(arguments: { ["detect", "--db", $0 + "/plain.sqlite"] }, says: "plain.sqlite is not a MailScope database", label: "detect on another SQLite database"),
        Case(arguments: { ["prune", "--older-than", "90d", "--db", $0 + "/notes.txt"] }, says: "notes.txt is not a MailScope database", label: "prune on a text file"),
    ]

    /// A folder with a loaded (read-only) database, a text file, another program's SQLite file and an empty folder.
    static let setup: String? = {
        let dir = CLI.scratch("failures")
        guard (try? CLI.run(["ingest", "fixtures/mimecast/ttp_url_logs.json", "--db", dir + "/case.db"]))?.status == 0 else { return nil }
        chmod(dir + "/case.db", 0o444)   // evidence kept read-only: readers create nothing beside it
        try? Data("meeting notes, not a database\n".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        try? FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()", dir + "/plain.sqlite"]
        try? sqlite.run()
        sqlite.waitUntilExit()
        return dir
    }()

    @Test(arguments: cases)
    func aFailureIsOneSentenceWithItsExitCodeAndLeavesNothingBehind(_ c: Case) throws {
        let dir = try #require(Self.setup)
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        let r = try CLI.run(c.arguments(dir), stdin: "SELECT 1")
        #expect(r.status == c.exit, "\(c.label): exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(c.says), "\(c.label): \(r.stderr)")
        for text in Self.raw {
            #expect(!(r.stdout + r.stderr).contains(text), "\(c.label) shows \(text): \(r.stderr)")
        }
        #expect(r.stderr.split(separator: "\n").count == 1, "\(c.label): one line, got \(r.stderr)")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(after == before, "\(c.label) left \(after.subtracting(before).sorted()) behind")
        let plain = try Database(path: dir + "/plain.sqlite", mode: .readOnly)
        #expect(try plain.scalar("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'")?.intValue == 1, "\(c.label) wrote into another program's database")
    }
}
