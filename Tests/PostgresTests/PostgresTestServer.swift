import Foundation
import MailScopePostgres

/// A throwaway PostgreSQL server for one test: `initdb` in a fresh temporary folder, started on
/// a Unix socket in that folder only (`listen_addresses = ''`), stopped and removed by `stop()`
/// (call it in a `defer`, so it also runs when the test fails). initdb and postgres refuse to
/// run as root, so under root both run as `nobody` (through `runuser`), owning the folder.
/// No test needs a server that a developer started by hand.
final class PostgresTestServer {
    /// Why a server could not be started.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    let folder: URL
    let bindir: String
    /// libpq's connection string for the server's superuser `postgres` and database `postgres`.
    var conninfo: String { "host=\(folder.path) port=5432 user=postgres dbname=postgres" }

    /// The server binaries' folder (`pg_config --bindir`, else Debian's /usr/lib/postgresql/N/bin).
    static func findBindir() -> String? {
        if let out = try? run(["pg_config", "--bindir"]).output.trimmingCharacters(in: .whitespacesAndNewlines),
           FileManager.default.isExecutableFile(atPath: out + "/initdb") {
            return out
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// Runs `body` with a fresh server and always stops it. Where PostgreSQL is not installed
    /// the test is skipped with a message, except on CI (CI=true), where scripts/install-deps
    /// installs it and a missing server fails the test.
    static func with(_ body: (PostgresTestServer) throws -> Void) throws {
        guard findBindir() != nil || ProcessInfo.processInfo.environment["CI"] == "true" else {
            print("skipped: PostgreSQL's server binaries are not installed (scripts/install-deps installs postgresql)")
            return
        }
        let server = try start()
        defer { server.stop() }
        try body(server)
    }

    private init(folder: URL, bindir: String) {
        self.folder = folder
        self.bindir = bindir
    }

    /// Initialises and starts a server; throws `Unavailable` with the command's output when it cannot.
    static func start() throws -> PostgresTestServer {
        guard let bindir = findBindir() else {
            throw Unavailable(description: "PostgreSQL's server binaries are not installed (scripts/install-deps installs them)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let server = PostgresTestServer(folder: folder, bindir: bindir)
        do {
            if geteuid() == 0 {
                guard let nobody = getpwnam("nobody") else { throw Unavailable(description: "running as root and there is no user nobody to run PostgreSQL as") }
                guard chown(folder.path, nobody.pointee.pw_uid, nobody.pointee.pw_gid) == 0 else {
                    throw Unavailable(description: "cannot give \(folder.path) to nobody: errno \(errno)")
                }
            }
            let data = folder.appendingPathComponent("data").path
            try server.asServerUser(["\(bindir)/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
            try server.asServerUser(["\(bindir)/pg_ctl", "-D", data, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60",
                                     "-o", "-c listen_addresses='' -k \(folder.path) -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                                     "start"])
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Stops the server (immediately: it holds nothing worth keeping) and removes its folder.
    func stop() {
        let data = folder.appendingPathComponent("data").path
        if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            _ = try? asServerUser(["\(bindir)/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A connection to the server as `postgres`.
    func connect(applicationName: String = "mailscope-test") throws -> PostgresConnection {
        try PostgresConnection(PostgresTarget(conninfo), applicationName: applicationName)
    }

    private func asServerUser(_ command: [String]) throws {
        let full = geteuid() == 0 ? ["runuser", "-u", "nobody", "--"] + command : command
        let result = try Self.run(full)
        guard result.status == 0 else {
            throw Unavailable(description: "\(command.joined(separator: " ")) failed (\(result.status)): \(result.output)")
        }
    }

    /// Runs `command` and returns its exit status and output. Spawned and reaped directly
    /// (posix_spawn, waitpid) with its output in a file: `pg_ctl start` leaves the server running
    /// with the descriptors it inherited, and Foundation's Process then never reports the exit
    /// (measured: waitUntilExit hung with runuser already a zombie).
    private static func run(_ command: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pg-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else { throw Unavailable(description: "cannot run \(command[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // The exit code when it exited, else 128 + the signal that ended it.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, output)
    }
}
