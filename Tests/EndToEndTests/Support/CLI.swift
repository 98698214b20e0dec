import Foundation
import Testing

/// Runs the built `mailscope` binary: `MAILSCOPE_BIN` when set, else the one built beside this
/// test bundle (whatever `--scratch-path` built it), else `.build/debug/mailscope`.
enum CLI {
    /// The package root: the nearest folder above this file that holds Package.swift.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["MAILSCOPE_BIN"] { return path }
        // The test runner (`…/debug/MailScopePackageTests.xctest`) sits in the products folder
        // the mailscope binary was built into.
        let runner = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("mailscope").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            if folder.lastPathComponent.hasSuffix(".xctest") || folder.lastPathComponent == "Contents" || folder.lastPathComponent == "MacOS" {
                folder.deleteLastPathComponent()
            } else {
                break
            }
        }
        return root.appendingPathComponent(".build/debug/mailscope").path
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs mailscope with `arguments` from the package root and waits for it.
    /// `executable` and `prefix` run something else (e.g. python3 wrapping mailscope).
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                    executable: String? = nil, prefix: [String] = []) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("no mailscope binary at \(binary): run `swift build --product mailscope` first (scripts/test does)")
            return Result(status: -1, stdout: "", stderr: "")
        }
        let process = start(prefix + arguments, environment: environment)
        if let executable { process.executableURL = URL(fileURLWithPath: executable) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A configured, not yet started process.
    static func start(_ arguments: [String], environment: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        return process
    }

    /// A fresh empty folder for one test, under this test process's scratch folder.
    static func scratch(_ label: String = #function) -> String {
        let path = scratchRoot + "/\(label.filter { $0.isLetter })-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every scratch folder of one test process, removed when the process exits (a full run
    /// writes hundreds of megabytes; left behind, repeated runs fill the disk).
    private static let scratchRoot: String = {
        // Short: a test's Unix socket path under it must stay within sun_path's 108 bytes.
        let path = NSTemporaryDirectory() + "mailscope-e2e/s-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: CLI.scratchRoot) }
        return path
    }()
}
