import Crypto
import Foundation

/// Options for an ingest run.
public struct IngestOptions: Sendable {
    /// Longest line or record loaded; longer ones are rejected without being held in memory.
    public var maxLineBytes = GzipLineReader.defaultMaxLineBytes
    /// Lines per batch handed from the parser to the writer.
    public var batchUnits = 2048
    /// Rows (and rejects) per committed transaction.
    public var commitRows = 50_000
    /// The zone of EDR times exported without one (`--edr-tz`): a fixed offset or an IANA
    /// zone, whose offset at each row's local time applies.
    public var edrTimeZone: TimeZoneOffsets?
    /// `--edr-date-order`: how EDR exports' `02/11/2026` dates read; nil decides per file from
    /// its own dates (a day over 12 in either place) and notes when it cannot tell.
    public var edrDateOrder: TimeParser.SlashDateOrder?
    /// A mapping for an EDR product without a built-in profile (`--edr-map`).
    public var edrMapping: GenericMapping?
    public init() {}
}

/// The outcome of `mailscope ingest`.
public struct IngestSummary: Sendable, Codable {
    public var files: [FileResult] = []
    public var seconds: Double = 0
    /// The identity map after this ingest (when EDR or directory data was loaded and changed),
    /// filled by the job that rebuilds it.
    public var identities: IdentityMap.Summary?
    /// How the held-message releases were linked to their messages (when there are any),
    /// filled by the job after the load.
    public var releases: ReleaseLinker.Summary?
    public var bytesIn = 0
    public var bytesUncompressed = 0

    public var rows: Int { files.reduce(0) { $0 + $1.rows } }
    public var duplicates: Int { files.reduce(0) { $0 + $1.duplicates } }
    public var rejected: Int { files.reduce(0) { $0 + $1.rejected } }
    public var records: Int { files.reduce(0) { $0 + $1.records } }

    public var rowsByTable: [String: Int] {
        files.reduce(into: [:]) { acc, f in for (k, v) in f.rowsByTable { acc[k, default: 0] += v } }
    }
    public var rejectsByReason: [String: Int] {
        files.reduce(into: [:]) { acc, f in for (k, v) in f.rejectsByReason { acc[k, default: 0] += v } }
    }

    /// True when nothing at all could be read (every input unreadable, empty or unrecognised,
    /// and nothing already loaded): `mailscope ingest` then exits 2.
    public var nothingRead: Bool {
        !files.contains { [.loaded, .resumed, .alreadyLoaded].contains($0.status) && ($0.rows + $0.duplicates > 0 || $0.status == .alreadyLoaded) }
    }
}

/// Loads Mimecast exports into the database: one file at a time, parsing on one thread while
/// a single writer inserts on another, each file resumable after a crash and never loaded twice.
public final class Ingester: @unchecked Sendable {
    public let databasePath: String
    public let options: IngestOptions
    /// Messages for the user (stderr): warnings, rejects, per-file results.
    public var onMessage: @Sendable (String) -> Void = { _ in }
    /// Progress: (file index, file count, path, bytes read, file size).
    public var onProgress: @Sendable (Int, Int, String, Int, Int) -> Void = { _, _, _, _, _ in }

    /// The database when it is already open (another engine's: PostgreSQL); nil to open the
    /// SQLite file at `databasePath`.
    public var openDatabase: Database?

    /// Set when a write failed for lack of space: the run stops after that file.
    private var diskFull = false

    public init(databasePath: String, options: IngestOptions = IngestOptions()) {
        self.databasePath = databasePath
        self.options = options
    }

    /// Checks, before the database or its lock is touched, that `paths` hold at least one file
    /// to load, so a command that cannot load anything leaves no database (nor lock) behind.
    public static func checkInputs(_ paths: [String], database: String) throws(IngestError) {
        let (files, problems) = InputCollector.collect(paths)
        guard files.isEmpty else { return }
        throw problems.isEmpty ? .noInputs(paths) : .nothingToLoad(problems: problems.map(\.message), database: database)
    }

    /// Loads every file under `paths` (files or folders, recursively).
    public func ingest(paths: [String]) throws -> IngestSummary {
        let start = Date()
        let (files, problems) = InputCollector.collect(paths)
        var summary = IngestSummary()
        for problem in problems {
            onMessage(problem.message)
            summary.files.append(FileResult(path: problem.path, sha256: nil, status: .unreadable, format: "unknown", bytes: 0,
                                            records: 0, rows: 0, duplicates: 0, rejected: 0, rowsByTable: [:],
                                            rejectsByReason: [:], message: problem.message))
        }
        if files.isEmpty && problems.isEmpty { throw IngestError.noInputs(paths) }
        let db = try openDatabase ?? Database(path: databasePath)
        let seed = try Ingester.seed(db)
        // Background checkpoints of SQLite's write-ahead log; another engine has none.
        let checkpointer = db.engine == nil ? Checkpointer(path: databasePath) : nil
        checkpointer?.start()
        for (index, path) in files.enumerated() {
            let result = loadFile(path, index: index, count: files.count, db: db, seed: seed)
            if let message = result.message { onMessage(message) }
            if diskFull {
                checkpointer?.stop()
                throw IngestError.diskFull(database: databasePath, file: path)
            }
            summary.files.append(result)
        }
        checkpointer?.stop()
        if let error = checkpointer?.error {
            onMessage("background WAL checkpoint failed (\(error)); the data is safe in the write-ahead log and SQLite will checkpoint it later")
        }
        try db.execute("PRAGMA wal_autocheckpoint=1000")
        try db.engine?.finishLoad()
        // Secondary indexes are not built here: building them once after a bulk load is faster
        // than maintaining them per row, and the stages that query (`run`, detect, report)
        // call `Schema.ensureIndexes` first. Indexes that already exist are kept up to date.
        summary.seconds = Date().timeIntervalSince(start)
        summary.bytesIn = summary.files.reduce(0) { $0 + ($1.status == .alreadyLoaded ? 0 : $1.bytes) }
        summary.bytesUncompressed = try Int(db.scalar("SELECT COALESCE(SUM(bytes_uncompressed),0) FROM input_file WHERE sha256 IN (SELECT value FROM json_each(?))",
                                                       [.text(JSONScanner.arrayLiteral(summary.files.filter { $0.status != .alreadyLoaded }.compactMap(\.sha256)))])?.intValue ?? 0)
        return summary
    }

    /// The per-database secret that keys content fingerprints (created on first use).
    static func seed(_ db: Database) throws -> (UInt64, UInt64) {
        if let text = try db.scalar("SELECT value FROM meta WHERE key = 'dedup_seed'")?.stringValue {
            let parts = text.split(separator: ":").compactMap { UInt64($0, radix: 16) }
            if parts.count == 2 { return (parts[0], parts[1]) }
        }
        let seed = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
        try db.run("INSERT INTO meta (key, value) VALUES ('dedup_seed', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [.text(String(seed.0, radix: 16) + ":" + String(seed.1, radix: 16))])
        return seed
    }

    /// SHA-256 (hex) and size of a file, streamed.
    static func fingerprint(_ path: String) throws(IngestError) -> (String, Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while true {
            let data: Data
            do { data = try handle.read(upToCount: 4 << 20) ?? Data() } catch {
                throw IngestError.cannotOpen(path: path, reason: "\(error)")
            }
            if data.isEmpty { break }
            size += data.count
            hasher.update(data: data)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), size)
    }

    /// Loads one file and says what became of it: already loaded, damaged, empty,
    /// unrecognized, loaded (or resumed), or failed. Never throws: a file that cannot be
    /// loaded is a result with a message, and the run goes on with the next one.
    private func loadFile(_ path: String, index: Int, count: Int, db: Database, seed: (UInt64, UInt64)) -> FileResult {
        var sha: String?
        var size = 0
        var status = FileResult.Status.unreadable
        do {
            (sha, size) = try Ingester.fingerprint(path)
            let sha256 = sha!
            let existing = try db.rows("SELECT id, status, path, format FROM input_file WHERE sha256 = ?", [.text(sha256)]).first
            if let existing, existing.text("status") == "loaded" {
                return .alreadyLoaded(path: path, sha256: sha256, bytes: size, format: existing.text("format") ?? "unknown",
                                      originalPath: existing.text("path") ?? "?")
            }
            let sniff = try FileParser.sniff(path: path)
            let (fileID, counters, opened) = try openManifestRow(path: path, sha256: sha256, size: size, gzip: sniff.gzip, existing: existing, db: db)
            status = opened
            if !sniff.gzip && path.lowercased().hasSuffix(".gz") {
                onMessage("\(path): not gzip-compressed although named .gz — read as plain text")
                try appendNote(db, fileID: fileID, "not gzip-compressed although named .gz; read as plain text")
            }
            var csvKind: CSVKind?
            switch sniff.layout {
            case .empty where !sniff.damage.isEmpty:
                try markDamaged(db, fileID: fileID, damage: sniff.damage)
                return .damaged(path: path, sha256: sha256, bytes: size, status: status, damage: sniff.damage.map { ($0.reason.rawValue, $0.detail) })
            case .empty:
                try db.run("UPDATE input_file SET status = 'loaded', format = 'empty', notes = COALESCE(notes || '; ', '') || 'empty file' WHERE id = ?", [.integer(fileID)])
                return .empty(path: path, sha256: sha256, bytes: size)
            case .unrecognized:
                try markUnrecognized(db, fileID: fileID, detail: "the file is in no format MailScope knows (Mimecast SIEM v1/v2, TTP logs, threat intel, message tracking, EDR CSV or NDJSON, identity directory CSV)", excerpt: sniff.firstLine)
                return .unrecognized(path: path, sha256: sha256, bytes: size, detail: nil)
            case .csv:
                let kind = try EDRFileParser.kind(ofCSV: path, options: options)
                if case .unknown(let header) = kind {
                    let detail = CSVKind.unknownMessage(header, mapping: options.edrMapping)
                    try markUnrecognized(db, fileID: fileID, detail: detail, excerpt: sniff.firstLine)
                    return .unrecognized(path: path, sha256: sha256, bytes: size, detail: detail)
                }
                csvKind = kind
            case .lines, .document, .edrLines:
                break
            }
            let counted = try load(path: path, fileID: fileID, layout: sniff.layout, csvKind: csvKind, firstLine: sniff.firstLine,
                                   db: db, seed: seed, counters: counters,
                                   progress: { [onProgress] bytes in onProgress(index, count, path, bytes, size) })
            return .loaded(path: path, sha256: sha256, bytes: size, status: status, format: counted.format, counters: counted.counters,
                           rejectsByReason: try rejectsByReason(db, fileID: fileID))
        } catch let error as IngestError {
            return .failed(path: path, sha256: sha, bytes: size, status: status, message: error.description)
        } catch let error as DatabaseError where error.isDiskFull {
            diskFull = true
            return .failed(path: path, sha256: sha, bytes: size, status: status,
                           message: "\(path): \(error.message) (\(String(cString: strerror(error.systemErrno))))")
        } catch {
            return .failed(path: path, sha256: sha, bytes: size, status: .unreadable, message: "\(path): \(error)")
        }
    }

    /// The file's row in the input manifest: the one an interrupted load left (resumed where it
    /// stopped), or a new one (an earlier unrecognized attempt is replaced, so this version
    /// tries again). Returns its id, the counters to resume from, and the file's status.
    private func openManifestRow(path: String, sha256: String, size: Int, gzip: Bool, existing: Row?,
                                 db: Database) throws -> (Int64, FileCounters, FileResult.Status) {
        if let existing, existing.text("status") == "loading" {
            let fileID = existing.int("id") ?? 0
            let counters = try loadCounters(db, fileID: fileID)
            onMessage("\(path): resuming an interrupted load after \(counters.units) lines")
            return (fileID, counters, .resumed)
        }
        if let existing {
            let id = existing.int("id") ?? 0
            try db.transaction {
                try db.run("DELETE FROM reject WHERE file_id = ?", [.integer(id)])
                try db.run("DELETE FROM input_file WHERE id = ?", [.integer(id)])
            }
        }
        try db.run("""
            INSERT INTO input_file (path, sha256, bytes, compression, format, status, loaded_at)
            VALUES (?, ?, ?, ?, ?, 'loading', ?)
            """, [.text(path), .text(sha256), .integer(Int64(size)), .text(gzip ? "gzip" : "none"), .text("unknown"),
                  .integer(Int64(Date().timeIntervalSince1970 * 1000))])
        return (db.lastInsertRowID, FileCounters(), .loaded)
    }

    /// Nothing readable because the gzip data is cut off or damaged: a reject per problem,
    /// not an empty file.
    private func markDamaged(_ db: Database, fileID: Int64, damage: [StreamIssue]) throws {
        try db.transaction {
            for issue in damage {
                try db.run("INSERT INTO reject (file_id, line_no, reason, detail, excerpt, line_bytes) VALUES (?, 1, ?, ?, '', 0)",
                           [.integer(fileID), .text(issue.reason.rawValue), .text(issue.detail)])
            }
            try db.run("UPDATE input_file SET status = 'loaded', format = 'unknown', rejected = ? WHERE id = ?", [.integer(Int64(damage.count)), .integer(fileID)])
        }
    }

    private func markUnrecognized(_ db: Database, fileID: Int64, detail: String, excerpt bytes: [UInt8]) throws {
        let excerpt = bytes.withUnsafeBufferPointer { RowBatch.excerpt(UnsafeBufferPointer(rebasing: $0[0..<min($0.count, 2000)])) }
        try db.transaction {
            try db.run("INSERT INTO reject (file_id, line_no, reason, detail, excerpt, line_bytes) VALUES (?, 1, ?, ?, ?, ?)",
                       [.integer(fileID), .text(RejectReason.unrecognizedFormat.rawValue), .text(detail),
                        .text(excerpt), .integer(Int64(bytes.count))])
            try db.run("UPDATE input_file SET status = 'unrecognized', format = 'unknown', rejected = 1 WHERE id = ?", [.integer(fileID)])
        }
    }

    private func appendNote(_ db: Database, fileID: Int64, _ note: String) throws {
        try db.run("UPDATE input_file SET notes = COALESCE(notes || '; ', '') || ? WHERE id = ?", [.text(note), .integer(fileID)])
    }

    private func loadCounters(_ db: Database, fileID: Int64) throws -> FileCounters {
        guard let row = try db.rows("""
            SELECT units_committed, lines, records, rows, duplicates, rejected, rows_by_table, bytes_uncompressed, first_ts, last_ts
            FROM input_file WHERE id = ?
            """, [.integer(fileID)]).first else { return FileCounters() }
        var c = FileCounters()
        c.units = Int(row.int("units_committed") ?? 0)
        c.lines = Int(row.int("lines") ?? 0)
        c.records = Int(row.int("records") ?? 0)
        c.rows = Int(row.int("rows") ?? 0)
        c.duplicates = Int(row.int("duplicates") ?? 0)
        c.rejected = Int(row.int("rejected") ?? 0)
        if let json = row.text("rows_by_table"), let data = json.data(using: .utf8),
           let dict = try? JSONDecoder().decode([String: Int].self, from: data) {
            c.rowsByTable = dict
        }
        c.bytesUncompressed = Int(row.int("bytes_uncompressed") ?? 0)
        c.firstTS = row.int("first_ts")
        c.lastTS = row.int("last_ts")
        return c
    }

    private func rejectsByReason(_ db: Database, fileID: Int64) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.rows("SELECT reason, COUNT(*) AS n FROM reject WHERE file_id = ? GROUP BY reason", [.integer(fileID)]) {
            if let reason = row.text("reason") { out[reason] = Int(row.int("n") ?? 0) }
        }
        return out
    }

    /// Parses on this thread and writes on another, then marks the file loaded.
    private func load(path: String, fileID: Int64, layout: FileParser.Layout, csvKind: CSVKind?, firstLine: [UInt8], db: Database,
                      seed: (UInt64, UInt64), counters: FileCounters, progress: @escaping (Int) -> Void) throws -> (format: String, counters: FileCounters) {
        let workers = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let queue = BoundedQueue<RowBatch>(capacity: workers * 3)
        let writer = try BatchWriter(db: db, fileID: fileID, counters: counters, commitRows: options.commitRows)
        let box = WriterBox(writer: writer, printer: NoticePrinter(label: path, report: onMessage))
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            // Batches parsed in parallel arrive out of order; write them in file order.
            var pending: [Int: RowBatch] = [:]
            var next = 0
            while let batch = queue.pop() {
                pending[batch.sequence] = batch
                while let ready = pending.removeValue(forKey: next) {
                    next += 1
                    box.printer.show(ready.notices)
                    if box.error != nil { continue }   // keep draining so the parser never blocks
                    do { try box.writer.write(ready) } catch { box.error = error }
                }
            }
            if box.error == nil {
                do { try box.writer.commit() } catch { box.error = error }
            }
            box.printer.finish()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        let parser = FileParser(path: path, label: path, seed: seed, maxLineBytes: options.maxLineBytes,
                                batchUnits: options.batchUnits, skipUnits: counters.units, workers: workers,
                                progress: progress)
        var parseError: Error?
        var edrFormat: String?
        do {
            switch layout {
            case .csv, .edrLines:
                let edr = EDRFileParser(path: path, label: path, seed: seed, options: options, skipUnits: counters.units, progress: progress)
                if layout == .csv, let csvKind {
                    try edr.runCSV(kind: csvKind, queue: queue)
                } else if let profile = Ingester.jsonProfile(firstLine, options: options) {
                    try edr.runJSONLines(profile: profile, queue: queue)
                }
                edrFormat = edr.format
                for note in edr.notes {
                    onMessage(note)
                    try appendNote(db, fileID: fileID, note)
                }
            default:
                try parser.run(layout: layout, queue: queue)
            }
        } catch { parseError = error }
        queue.close()
        done.wait()
        if let error = box.error {
            writer.rollback()
            throw error
        }
        if let parseError { throw parseError }
        let format = edrFormat ?? parser.formats.sorted().joined(separator: "+")
        try db.run("UPDATE input_file SET status = 'loaded', format = ? WHERE id = ?",
                   [.text(format.isEmpty ? "none" : format), .integer(fileID)])
        return (format.isEmpty ? "none" : format, writer.counters)
    }
}

extension Ingester {
    /// The EDR profile of a flat JSON telemetry file, from its first object's keys.
    static func jsonProfile(_ firstLine: [UInt8], options: IngestOptions) -> EDRProfile? {
        let record = Record()
        return firstLine.withUnsafeBufferPointer { buf -> EDRProfile? in
            guard (try? JSONScanner.scanObject(buf, into: record)) != nil else { return nil }
            let keys = record.fields.map { String(decoding: record.keyBytesOf($0), as: UTF8.self) }
            return EDRFileParser.profile(forJSONKeys: keys, options: options)
        }
    }
}

/// Carries the writer and its error across the thread boundary.
private final class WriterBox: @unchecked Sendable {
    let writer: BatchWriter
    let printer: NoticePrinter
    var error: Error?
    init(writer: BatchWriter, printer: NoticePrinter) {
        self.writer = writer
        self.printer = printer
    }
}

/// Shows a file's messages in file order: each warning key once, the first
/// `rejectLimit` rejects, then how many more there were.
final class NoticePrinter {
    static let rejectLimit = 20
    let label: String
    let report: (String) -> Void
    private var seenKeys = Set<String>()
    private var rejectsShown = 0
    private var rejectsHidden = 0

    init(label: String, report: @escaping (String) -> Void) {
        self.label = label
        self.report = report
    }

    func show(_ notices: [RowBatch.Notice]) {
        for notice in notices {
            if let key = notice.key {
                guard seenKeys.insert(key).inserted else { continue }
            }
            if notice.kind == .reject {
                guard rejectsShown < NoticePrinter.rejectLimit else { rejectsHidden += 1; continue }
                rejectsShown += 1
            }
            report(notice.text)
        }
    }

    func finish() {
        if rejectsHidden > 0 {
            report("\(label): \(rejectsHidden) more rejected lines not shown — see the summary and the reject table")
        }
    }
}
