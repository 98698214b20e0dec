import Foundation
import MailScopeKit
import Testing

/// The readers (`report`, `query`, `hunt`, `db info`) on evidence that must not change: a
/// database copied into a read-only folder, read-only itself. The tests run as root, which
/// ignores permission bits, so they check what root cannot fake: the file's bytes and mtime
/// are unchanged and nothing (`-wal`, `-shm`, lock) appeared beside it. Where `setpriv` can
/// drop to an unprivileged user, the readers run as that user too, for whom the folder really
/// is read-only.
@Suite struct ReadOnlyEvidenceCLITests {
    /// The scenario's mail, detected, then closed (so its log is merged into the main file).
    static let built: String? = {
        let dir = CLI.scratch("readonly-build")
        let db = dir + "/case.db"
        guard (try? CLI.run(["ingest", "fixtures/scenario/ttp", "fixtures/scenario/siem_v2", "--db", db]))?.status == 0,
              (try? CLI.run(["detect", "--db", db]))?.status == 0 else { return nil }
        return db
    }()

    /// Every reader, on `db`, writing reports into `out`.
    static func readers(_ db: String, out: String) -> [[String]] {
        [["db", "info", "--db", db],
         ["report", "--db", db, "--out", out],
         ["query", "url", "--db", db],
         ["query", "attachment", "--db", db, "--format", "csv"],
         ["query", "impersonation", "--db", db, "--format", "json"],
         ["query", "threat-activity", "--db", db],
         ["query", "user", "helen.ashby@acme-corp.example", "--db", db],
         ["hunt", "--db", db],
         ["hunt", "recipients-of-domain", "--param", "domain=acme-c0rp.example", "--db", db],
         ["hunt", "--sql", "-", "--db", db, "--format", "json"]]
    }

    /// What a folder holds, to compare before and after: each file's bytes and mtime.
    static func snapshot(_ folder: String) throws -> [String: (Data, Date)] {
        var out: [String: (Data, Date)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let path = folder + "/" + name
            let mtime = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date ?? .distantPast
            out[name] = (try Data(contentsOf: URL(fileURLWithPath: path)), mtime)
        }
        return out
    }

    static func expectSame(_ before: [String: (Data, Date)], _ after: [String: (Data, Date)], _ context: String) {
        #expect(Set(after.keys) == Set(before.keys), "\(context): files appeared or went beside the database: \(after.keys.sorted())")
        for (name, (bytes, mtime)) in before {
            #expect(after[name]?.0 == bytes, "\(context): \(name) changed")
            #expect(after[name]?.1 == mtime, "\(context): \(name) was touched")
        }
    }

    /// `setpriv` arguments that run a command as nobody, when this machine can.
    static let asNobody: [String]? = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), getuid() == 0 else { return nil }
        let prefix = ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary]
        guard let r = try? CLI.run(["--version"], executable: "/usr/bin/setpriv", prefix: prefix), r.status == 0 else { return nil }
        return prefix
    }()

    /// Locks `folder` and everything in it read-only.
    static func lock(_ folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] { chmod(folder + "/" + name, 0o444) }
        chmod(folder, 0o555)
    }

    /// A folder the unprivileged user can write reports into.
    static func openFolder(_ path: String) -> String {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o777)
        return path
    }

    @Test func everyReaderWorksOnAReadOnlyCopyAndChangesNothing() throws {
        let built = try #require(Self.built)
        let dir = CLI.scratch()
        let evidence = dir + "/evidence"
        try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: built, toPath: evidence + "/case.db")
        Self.lock(evidence)
        defer { chmod(evidence, 0o755) }
        let before = try Self.snapshot(evidence)
        #expect(before.keys.sorted() == ["case.db"])

        for (i, arguments) in Self.readers(evidence + "/case.db", out: Self.openFolder(dir + "/out-\(0)")).enumerated() {
            let r = try CLI.run(arguments, stdin: "SELECT COUNT(*) AS clicks FROM url_click")
            #expect(r.status == 0, "\(arguments.joined(separator: " ")) (\(i)): \(r.stderr)")
            #expect(!r.stderr.contains("readonly") && !r.stderr.contains("SQLite error"), "\(r.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/out-0/report.html"))
        Self.expectSame(before, try Self.snapshot(evidence), "as root")

        // As a user for whom the folder and file really are read-only.
        if let prefix = Self.asNobody {
            for arguments in Self.readers(evidence + "/case.db", out: Self.openFolder(dir + "/out-nobody")) {
                let r = try CLI.run(arguments, stdin: "SELECT COUNT(*) AS clicks FROM url_click", executable: "/usr/bin/setpriv", prefix: prefix)
                #expect(r.status == 0, "as nobody: \(arguments.joined(separator: " ")): \(r.stderr)")
            }
            #expect(FileManager.default.fileExists(atPath: dir + "/out-nobody/report.json"))
            Self.expectSame(before, try Self.snapshot(evidence), "as nobody")
        } else {
            print("note: setpriv cannot drop to an unprivileged user here; the read-only folder was checked by its unchanged bytes only")
        }
    }

    /// A copy taken while a writer still had changes in its log (`-wal`): with the `-shm`
    /// beside it, it is read in place with those changes; without, for a user who cannot
    /// create the `-shm`, the message says what to do, not what SQLite said.
    @Test func aCopyWithItsWriteAheadLogIsReadOrExplained() throws {
        let built = try #require(Self.built)
        let dir = CLI.scratch()
        let source = dir + "/live"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: built, toPath: source + "/case.db")
        let writer = try Database(path: source + "/case.db")
        try writer.execute("PRAGMA wal_autocheckpoint=0")
        try writer.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('evidence_note', 'only in the log')")
        let withShm = dir + "/with-shm", withoutShm = dir + "/without-shm"
        // The writer stays open until the copies are taken, so its log is not merged.
        try withExtendedLifetime(writer) {
            for (folder, suffixes) in [(withShm, ["", "-wal", "-shm"]), (withoutShm, ["", "-wal"])] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for suffix in suffixes { try FileManager.default.copyItem(atPath: source + "/case.db" + suffix, toPath: folder + "/case.db" + suffix) }
                Self.lock(folder)
            }
        }
        defer { chmod(withShm, 0o755); chmod(withoutShm, 0o755) }
        let before = try Self.snapshot(withShm)
        #expect((before["case.db-wal"]?.0.count ?? 0) > 0, "the copy has a log with changes")

        let note = ["hunt", "--sql", "-", "--db", withShm + "/case.db", "--format", "csv"]
        let sql = "SELECT value FROM meta WHERE key = 'evidence_note'"
        let r = try CLI.run(note, stdin: sql)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("only in the log"), "the change still in the log is read")
        #expect(try Self.snapshot(withShm)["case.db"]?.0 == before["case.db"]?.0, "the database file is unchanged")

        if let prefix = Self.asNobody {
            let ok = try CLI.run(note, stdin: sql, executable: "/usr/bin/setpriv", prefix: prefix)
            #expect(ok.status == 0 && ok.stdout.contains("only in the log"), "as nobody, with -shm: \(ok.stderr)")
            let refused = try CLI.run(["db", "info", "--db", withoutShm + "/case.db"], executable: "/usr/bin/setpriv", prefix: prefix)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("write-ahead log (case.db-wal)") && refused.stderr.contains("writable folder"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("SQLite error") && !refused.stderr.contains("unable to open"), "\(refused.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: withoutShm).sorted() == ["case.db", "case.db-wal"])
        }
    }
}
