import Foundation

/// Reads one input file and turns it into batches of rows and rejects: lines (NDJSON and
/// legacy key=value) or the records of a JSON document, each checked (UTF-8, NUL bytes, size)
/// and handed to the Mimecast record parsers. Runs on the parsing thread; the batches go to
/// the writer through `queue`.
final class FileParser {
    /// How the file's content is laid out.
    enum Layout: String, Sendable {
        case lines
        case document
        case empty
        case unrecognized
    }

    let path: String
    let label: String
    let seed: (UInt64, UInt64)
    let maxLineBytes: Int
    let batchUnits: Int
    /// Units already committed by an earlier, interrupted run: skipped, not re-parsed.
    let skipUnits: Int
    let report: (String) -> Void
    let progress: (Int) -> Void

    private(set) var formats = Set<String>()
    private var unit = 0
    private var batch = RowBatch()
    private var ctx: ParseContext
    private let record = Record()
    private var messagesShown = 0
    private var messagesHidden = 0
    static let messageLimit = 20

    init(path: String, label: String, seed: (UInt64, UInt64), maxLineBytes: Int, batchUnits: Int, skipUnits: Int,
         report: @escaping (String) -> Void, progress: @escaping (Int) -> Void) {
        self.path = path
        self.label = label
        self.seed = seed
        self.maxLineBytes = maxLineBytes
        self.batchUnits = batchUnits
        self.skipUnits = skipUnits
        self.report = report
        self.progress = progress
        let hint = LegacySIEMType.fromFileName((path as NSString).lastPathComponent)
        self.ctx = ParseContext(batch: batch, seed: seed, fileLabel: label, fileNameTypeHint: hint)
    }

    /// Decides the layout from the first bytes of content (never the file name).
    static func sniff(path: String) throws(IngestError) -> (layout: Layout, firstLine: [UInt8], gzip: Bool) {
        let source = try ByteSource(path: path)
        var head = [UInt8](repeating: 0, count: 65_536)
        var count = 0
        while count < head.count {
            let n = head.withUnsafeMutableBufferPointer { source.read(into: $0.baseAddress! + count, capacity: $0.count - count) }
            if n == 0 { break }
            count += n
        }
        head.removeSubrange(count...)
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[i]) { i += 1 }
        if i >= head.count { return (.empty, [], source.isGzip) }
        // The first non-blank lines of the head (the last one may be cut off by the 64 KiB).
        var lines: [ArraySlice<UInt8>] = []
        var s = i
        while s < head.count, lines.count < 50 {
            let e = head[s...].firstIndex(of: 0x0A) ?? head.count
            var t = e
            while t > s, [0x20, 0x09, 0x0D].contains(head[t - 1]) { t -= 1 }
            if t > s { lines.append(head[s..<t]) }
            s = e + 1
        }
        let firstLine = Array(lines.first ?? [])
        if firstLine.first == UInt8(ascii: "[") { return (.document, firstLine, source.isGzip) }
        if firstLine.first == UInt8(ascii: "{") {
            // A record per line → lines; an envelope, or an object spread over several lines →
            // a document. A first line that is broken but complete is just a bad line.
            let probe = Record()
            let scanned = firstLine.withUnsafeBufferPointer { (try? JSONScanner.scanObject($0, into: probe)) != nil }
            if scanned {
                if MimecastRecordParser.classify(probe) != nil { return (.lines, firstLine, source.isGzip) }
                let envelope = probe.fields.contains { f in
                    let k = String(decoding: probe.keyBytesOf(f), as: UTF8.self)
                    return ["data", "objects", "meta"].contains(k) && (f.kind == .array || f.kind == .object)
                }
                return (envelope ? .document : .lines, firstLine, source.isGzip)
            }
            let looksComplete = firstLine.last == UInt8(ascii: "}") && firstLine.count > 1
            return (looksComplete ? .lines : .document, firstLine, source.isGzip)
        }
        // Junk first: lines mode when any early line looks like a record.
        let anyRecord = lines.contains { line in
            line.first == UInt8(ascii: "{") || Array(line).withUnsafeBufferPointer { KeyValueScanner.looksLikeKeyValue($0) }
        }
        return (anyRecord ? .lines : .unrecognized, firstLine, source.isGzip)
    }

    /// Parses the whole file into `queue`; returns the last batch's counters via the queue.
    func run(layout: Layout, queue: BoundedQueue<RowBatch>) throws(IngestError) {
        let source = try ByteSource(path: path)
        switch layout {
        case .lines:
            let reader = GzipLineReader(source: source, maxLineBytes: maxLineBytes)
            var lastReport = 0
            reader.forEach { event in
                switch event {
                case .line(let bytes, let number):
                    handleUnit(bytes, line: number, physicalLines: 1)
                case .tooLong(let number, let length, let prefix):
                    if beginUnit(physicalLines: 1) {
                        reject(line: number, .lineTooLong, "line of \(length) bytes is over the \(maxLineBytes)-byte cap", prefix, length: length)
                    }
                case .issue(let issue, let number, let partial):
                    if beginUnit(physicalLines: partial == nil ? 0 : 1) {
                        reject(line: number, issue.reason, issue.detail, partial, length: partial?.count ?? 0)
                    }
                }
                flushIfFull(queue: queue, source: source)
                if source.bytesIn - lastReport > 4 << 20 { lastReport = source.bytesIn; progress(source.bytesIn) }
                return true
            }
        case .document:
            var splitter = JSONDocumentSplitter(maxRecordBytes: maxLineBytes)
            let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
            defer { chunk.deallocate() }
            var lineAtLastIssue: Int64 = 1
            while true {
                let n = source.read(into: chunk, capacity: 1 << 20)
                splitter.feed(UnsafeBufferPointer(start: chunk, count: n)) { output in
                    switch output {
                    case .record(let bytes, let line):
                        lineAtLastIssue = line
                        handleUnit(bytes, line: line, physicalLines: 0)
                    case .tooLong(let line, let length, let prefix):
                        if beginUnit(physicalLines: 0) {
                            reject(line: line, .lineTooLong, "record of \(length) bytes is over the \(maxLineBytes)-byte cap", prefix, length: length)
                        }
                    }
                    flushIfFull(queue: queue, source: source)
                }
                for issue in source.takeIssues().issues where beginUnit(physicalLines: 0) {
                    reject(line: lineAtLastIssue, issue.reason, issue.detail, nil, length: 0)
                }
                progress(source.bytesIn)
                if n == 0 { break }
            }
            if !splitter.isComplete, beginUnit(physicalLines: 0) {
                let unfinished = splitter.unfinishedRecord()
                let line = unfinished?.line ?? lineAtLastIssue
                let bytes = unfinished?.bytes ?? []
                bytes.withUnsafeBufferPointer {
                    reject(line: line, .malformedJSON, "the JSON document ends before it is closed (file cut off?)", $0, length: bytes.count)
                }
            }
        case .empty, .unrecognized:
            break
        }
        batch.bytesOut = source.bytesOut - batchBytesOutBase
        batch.bytesIn = source.bytesIn
        for notice in batch.notices { report(notice) }
        if messagesHidden > 0 {
            report("\(label): \(messagesHidden) more rejected lines not shown (see `mailscope` summary or the reject table)")
        }
        queue.push(batch)
    }

    private var batchBytesOutBase = 0

    private func flushIfFull(queue: BoundedQueue<RowBatch>, source: ByteSource) {
        guard batch.units >= batchUnits || batch.arena.count >= 8 << 20 else { return }
        batch.bytesOut = source.bytesOut - batchBytesOutBase
        batchBytesOutBase = source.bytesOut
        for notice in batch.notices { report(notice) }
        queue.push(batch)
        batch = RowBatch()
        ctx = ParseContext(batch: batch, seed: seed, fileLabel: label, fileNameTypeHint: ctx.fileNameTypeHint, unknownTypes: ctx.unknownTypes)
    }

    /// Counts a unit; false when it was committed by an earlier run and must be skipped.
    private func beginUnit(physicalLines: Int) -> Bool {
        unit += 1
        guard unit > skipUnits else { return false }
        batch.units += 1
        batch.lines += physicalLines
        return true
    }

    private func reject(line: Int64, _ reason: RejectReason, _ detail: String, _ bytes: UnsafeBufferPointer<UInt8>?, length: Int) {
        batch.reject(line: line, reason: reason, detail: detail, bytes: bytes, lineBytes: length)
        if messagesShown < FileParser.messageLimit {
            messagesShown += 1
            report("\(label):\(line): \(reason.rawValue): \(detail) — kept in rejects")
        } else {
            messagesHidden += 1
        }
    }

    private func handleUnit(_ raw: UnsafeBufferPointer<UInt8>, line: Int64, physicalLines: Int) {
        guard beginUnit(physicalLines: physicalLines) else { return }
        var bytes = raw
        if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
        var s = 0, e = bytes.count
        while s < e, bytes[s] == 0x20 || bytes[s] == 0x09 { s += 1 }
        while e > s, bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09 || bytes[e - 1] == 0x0D { e -= 1 }
        if s == e { return }   // a blank line is not a record
        bytes = UnsafeBufferPointer(rebasing: bytes[s..<e])
        batch.records += 1
        if memchr(bytes.baseAddress!, 0, bytes.count) != nil {
            reject(line: line, .nulByte, "NUL bytes in the line (binary data?)", bytes, length: bytes.count)
            return
        }
        if let bad = UTF8Validator.firstInvalidOffset(bytes) {
            reject(line: line, .invalidUTF8, "invalid UTF-8 at byte \(bad + 1)", bytes, length: bytes.count)
            return
        }
        let format: MimecastRecordParser.Format
        if bytes[0] == UInt8(ascii: "{") {
            do {
                try JSONScanner.scanObject(bytes, into: record)
            } catch {
                reject(line: line, error.reason, error.message, bytes, length: bytes.count)
                return
            }
            guard let f = MimecastRecordParser.classify(record) else {
                reject(line: line, .unrecognizedRecord, "a JSON object of no Mimecast export format MailScope knows", bytes, length: bytes.count)
                return
            }
            format = f
        } else if KeyValueScanner.scan(bytes, into: record), SIEMv1Parser.matches(record) {
            format = .siemV1KeyValue
        } else if KeyValueScanner.looksLikeKeyValue(bytes) {
            reject(line: line, .badKeyValueLine, "key=value line without a datetime or recognisable legacy SIEM fields", bytes, length: bytes.count)
            return
        } else {
            reject(line: line, .unrecognizedRecord, "neither a JSON object nor a key=value line", bytes, length: bytes.count)
            return
        }
        do {
            try MimecastRecordParser.parse(record, as: format, line: line, ctx: ctx)
            formats.insert(format == .siemV1JSON && !record.isJSON ? MimecastRecordParser.Format.siemV1KeyValue.rawValue : format.rawValue)
        } catch {
            reject(line: line, error.reason, error.detail, bytes, length: bytes.count)
        }
    }
}
