import Foundation
@testable import MailScopeKit

/// Where the project's fixtures and the shared real samples are, and scratch space.
enum TestPaths {
    /// The package root: the nearest folder above this file that holds Package.swift (so moving
    /// a test folder does not silently point every fixture path somewhere else).
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static func fixture(_ relative: String) -> String {
        root.appendingPathComponent("fixtures").appendingPathComponent(relative).path
    }

    /// `../shared/samples/mimecast` beside the project, when present.
    static let sharedMimecast: String = root.deletingLastPathComponent().appendingPathComponent("shared/samples/mimecast").path

    /// True when the shared samples are there; tests that read them are skipped otherwise.
    static var sharedSamplesAvailable: Bool {
        FileManager.default.fileExists(atPath: sharedMimecast)
    }

    static func shared(_ name: String) -> String { (sharedMimecast as NSString).appendingPathComponent(name) }

    /// `../shared/samples/edr` beside the project.
    static let sharedEDR: String = root.deletingLastPathComponent().appendingPathComponent("shared/samples/edr").path
    static var sharedEDRAvailable: Bool { FileManager.default.fileExists(atPath: sharedEDR) }

    /// A fresh empty folder under the system temp folder, inside this test process's scratch
    /// folder (removed when the process exits).
    static func scratch(_ label: String = #function) -> String {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        let path = scratchRoot + "/\(safe)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static let scratchRoot: String = {
        let path = NSTemporaryDirectory() + "mailscope-tests/r-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestPaths.scratchRoot) }
        return path
    }()
}

/// Loads files into a fresh database and answers questions about the rows.
struct LoadedDatabase {
    let db: Database
    let summary: IngestSummary
    let messages: [String]

    init(_ paths: [String], dbPath: String? = nil, options: IngestOptions = IngestOptions()) throws {
        let path = dbPath ?? (TestPaths.scratch("db") + "/test.db")
        // As `mailscope ingest` loads: the files, then the identity map.
        let job = Job(command: "test")
        let collected = MessageLog()
        job.onEvent = { if case .message(let text) = $0 { collected.append(text) } }
        summary = try job.ingest(paths, database: path, options: options)
        messages = collected.all
        db = try Database(path: path)
    }

    /// Rows of `sql` as dictionaries column → value.
    func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[String: SQLValue]] {
        let statement = try db.prepare(sql)
        try statement.bind(arguments)
        var out: [[String: SQLValue]] = []
        while try statement.step() {
            var row: [String: SQLValue] = [:]
            for i in 0..<statement.columnCount { row[statement.columnName(i)] = statement.value(at: i) }
            out.append(row)
        }
        return out
    }

    func count(_ table: String, _ whereClause: String = "1", _ arguments: [SQLValue] = []) throws -> Int {
        Int(try db.scalar("SELECT COUNT(*) FROM \(table) WHERE \(whereClause)", arguments)?.intValue ?? -1)
    }
}

final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

extension Dictionary where Key == String, Value == SQLValue {
    func text(_ key: String) -> String? { self[key]?.stringValue }
    func int(_ key: String) -> Int64? { self[key]?.intValue }
}
