import Foundation

/// What happened to one input file.
public struct FileResult: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case loaded, resumed, alreadyLoaded = "already_loaded", empty, unrecognized, unreadable
    }
    public var path: String
    public var sha256: String?
    public var status: Status
    public var format: String
    public var bytes: Int
    public var records: Int
    public var rows: Int
    public var duplicates: Int
    public var rejected: Int
    public var rowsByTable: [String: Int]
    public var rejectsByReason: [String: Int]
    public var message: String?
}

extension FileResult {
    /// One constructor per outcome of loading a file, each saying what the summary and the
    /// message show.
    static func base(_ path: String, _ sha256: String?, _ bytes: Int, _ status: Status) -> FileResult {
        FileResult(path: path, sha256: sha256, status: status, format: "unknown", bytes: bytes, records: 0, rows: 0, duplicates: 0,
                   rejected: 0, rowsByTable: [:], rejectsByReason: [:], message: nil)
    }

    /// The same bytes were loaded before: only counted, unless seen under another name.
    static func alreadyLoaded(path: String, sha256: String, bytes: Int, format: String, originalPath: String) -> FileResult {
        var r = base(path, sha256, bytes, .alreadyLoaded)
        r.format = format
        // A nightly run over a growing export folder sees the same file again: only counted.
        // A copy under another name is worth a line.
        r.message = originalPath == path ? nil : "\(path): already loaded (same SHA-256 as \(originalPath)) — skipped"
        return r
    }

    /// Nothing readable: the gzip data is cut off or damaged. Each problem is a reject.
    static func damaged(path: String, sha256: String, bytes: Int, status: Status, damage: [(reason: String, detail: String)]) -> FileResult {
        var r = base(path, sha256, bytes, status)
        r.rejected = damage.count
        r.rejectsByReason = Dictionary(damage.map { ($0.reason, 1) }, uniquingKeysWith: +)
        r.message = damage.first.map { "\(path):1: \($0.reason): \($0.detail) — nothing could be read" }
        return r
    }

    static func empty(path: String, sha256: String, bytes: Int) -> FileResult {
        var r = base(path, sha256, bytes, .empty)
        r.format = "empty"
        r.message = "\(path): empty file — nothing to load"
        return r
    }

    /// In no format MailScope knows (`detail`: why, for a CSV whose header no profile or
    /// mapping fits). The file is kept as one reject.
    static func unrecognized(path: String, sha256: String, bytes: Int, detail: String?) -> FileResult {
        var r = base(path, sha256, bytes, .unrecognized)
        r.rejected = 1
        r.rejectsByReason = [RejectReason.unrecognizedFormat.rawValue: 1]
        r.message = detail.map { "\(path):1: unrecognized_format: \($0)" }
            ?? "\(path):1: unrecognized_format: not an export MailScope knows (Mimecast, EDR, identity directory) — file kept in rejects"
        return r
    }

    /// Loaded (or resumed and finished): what it held.
    static func loaded(path: String, sha256: String, bytes: Int, status: Status, format: String, counters: FileCounters,
                       rejectsByReason: [String: Int]) -> FileResult {
        var r = base(path, sha256, bytes, status)
        r.format = format
        r.records = counters.records
        r.rows = counters.rows
        r.duplicates = counters.duplicates
        r.rejected = counters.rejected
        r.rowsByTable = counters.rowsByTable
        r.rejectsByReason = rejectsByReason
        return r
    }

    /// The load stopped: the file could not be read, or the database could not be written.
    static func failed(path: String, sha256: String?, bytes: Int, status: Status, message: String) -> FileResult {
        var r = base(path, sha256, bytes, status)
        r.message = message
        return r
    }
}
