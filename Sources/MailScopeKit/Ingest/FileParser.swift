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
        /// CSV: an EDR export or an identity directory (decided from the header).
        case csv
        /// One flat JSON object per line of EDR telemetry (CrowdStrike FDR, SentinelOne Cloud Funnel).
        case edrLines
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
    /// Threads that parse lines in parallel (the reader and the writer have their own).
    let workers: Int
    let progress: (Int) -> Void
    private let hint: LegacySIEMType?

    /// Formats seen, for `input_file.format` (complete once `run` returns).
    private(set) var formats = Set<String>()

    init(path: String, label: String, seed: (UInt64, UInt64), maxLineBytes: Int, batchUnits: Int, skipUnits: Int,
         workers: Int, progress: @escaping (Int) -> Void) {
        self.path = path
        self.label = label
        self.seed = seed
        self.maxLineBytes = maxLineBytes
        self.batchUnits = batchUnits
        self.skipUnits = skipUnits
        self.workers = max(1, workers)
        self.progress = progress
        self.hint = LegacySIEMType.fromFileName((path as NSString).lastPathComponent)
    }

    /// How much of a first line `sniff` reads to see where it ends (beyond that it is judged
    /// from its start).
    static let sniffLineLimit = 16 << 20

    /// Decides the layout from the first bytes of content (never the file name). `damage` is
    /// what the gzip layer reported when there was no content at all (a file cut off inside
    /// the gzip header is not an empty file).
    static func sniff(path: String) throws(IngestError) -> (layout: Layout, firstLine: [UInt8], gzip: Bool, damage: [StreamIssue]) {
        let source = try ByteSource(path: path)
        var head = [UInt8](repeating: 0, count: 65_536)
        var count = 0
        var ended = false
        func fill() {
            while count < head.count {
                let n = head.withUnsafeMutableBufferPointer { source.read(into: $0.baseAddress! + count, capacity: $0.count - count) }
                if n == 0 { ended = true; break }
                count += n
            }
        }
        fill()
        // The first line decides the layout, so read all of it: a one-line JSON document is
        // often longer than 64 KiB, and cut at a "}" it would look like a complete record.
        func firstLineEnds() -> Bool {
            guard let start = head[0..<count].firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) else { return false }
            return head[start..<count].contains(0x0A)
        }
        while !ended && !firstLineEnds() && head.count < sniffLineLimit {
            head.append(contentsOf: [UInt8](repeating: 0, count: head.count))
            fill()
        }
        head.removeSubrange(count...)
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[i]) { i += 1 }
        if i >= head.count { return (.empty, [], source.isGzip, source.takeIssues().issues) }
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
        if firstLine.first == UInt8(ascii: "[") { return (.document, firstLine, source.isGzip, []) }
        if firstLine.first == UInt8(ascii: "{") {
            // A record per line → lines; an envelope, or an object spread over several lines →
            // a document. A first line that is broken but complete is just a bad line.
            let probe = Record()
            let scanned = firstLine.withUnsafeBufferPointer { (try? JSONScanner.scanObject($0, into: probe)) != nil }
            if scanned {
                // An empty or failed API page first (a collector's poll that found nothing) is a
                // line of a per-line file too: skipped or rejected there, not read as a document.
                if MimecastRecordParser.classify(probe) != nil || MimecastRecordParser.isEmptyPage(probe)
                    || MimecastRecordParser.isFailurePage(probe) { return (.lines, firstLine, source.isGzip, []) }
                let keys = probe.fields.map { String(decoding: probe.keyBytesOf($0), as: UTF8.self) }
                if EDRFileParser.profile(forJSONKeys: keys, options: IngestOptions()) != nil { return (.edrLines, firstLine, source.isGzip, []) }
                let envelope = probe.fields.contains { f in
                    let k = String(decoding: probe.keyBytesOf(f), as: UTF8.self)
                    return ["data", "objects", "meta"].contains(k) && (f.kind == .array || f.kind == .object)
                }
                return (envelope ? .document : .lines, firstLine, source.isGzip, [])
            }
            // Only a line that ended (a newline, or the end of the file) can look complete.
            let lineEnded = ended || head[i...].contains(0x0A)
            let looksComplete = lineEnded && firstLine.last == UInt8(ascii: "}") && firstLine.count > 1
            return (looksComplete ? .lines : .document, firstLine, source.isGzip, [])
        }
        // A header row: comma- or tab-separated names.
        if firstLine.contains(UInt8(ascii: ",")) || firstLine.contains(0x09),
           !firstLine.contains(where: { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20) }),
           firstLine.withUnsafeBufferPointer({ UTF8Validator.firstInvalidOffset($0) == nil }),
           !firstLine.withUnsafeBufferPointer({ KeyValueScanner.looksLikeKeyValue($0) }) {
            return (.csv, firstLine, source.isGzip, [])
        }
        // Junk first: lines mode when any early line looks like a record.
        let anyRecord = lines.contains { line in
            line.first == UInt8(ascii: "{") || Array(line).withUnsafeBufferPointer { KeyValueScanner.looksLikeKeyValue($0) }
        }
        return (anyRecord ? .lines : .unrecognized, firstLine, source.isGzip, [])
    }

    /// Parses the whole file into `queue` as batches numbered from 0 (`sequence`); the
    /// consumer writes them in that order.
    func run(layout: Layout, queue: BoundedQueue<RowBatch>) throws(IngestError) {
        let source = try ByteSource(path: path)
        switch layout {
        case .lines: runLines(source: source, queue: queue)
        case .document: runDocument(source: source, queue: queue)
        case .empty, .unrecognized, .csv, .edrLines: break
        }
    }

    /// Lines: this thread inflates and splits them into chunks; `workers` threads parse the
    /// chunks in parallel.
    private func runLines(source: ByteSource, queue: BoundedQueue<RowBatch>) {
        let work = BoundedQueue<LineChunk>(capacity: workers * 2)
        let done = DispatchGroup()
        let allFormats = FormatSet()
        for _ in 0..<workers {
            let parser = UnitParser(label: label, seed: seed, fileNameTypeHint: hint)
            let box = ParserBox(parser: parser)
            done.enter()
            let thread = Thread {
                while let chunk = work.pop() {
                    queue.push(chunk.parse(with: box.parser))
                    chunk.clear()
                    chunkPool.put(chunk)
                }
                allFormats.add(box.parser.formats)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        let reader = GzipLineReader(source: source, maxLineBytes: maxLineBytes)
        var chunk = LineChunk()
        var unitIndex = 0
        var sequencer = BatchSequencer()
        var lastReport = 0
        func flush() {
            (chunk.sequence, chunk.bytesOut) = sequencer.advance(bytesOut: source.bytesOut)
            work.push(chunk)
            chunk = chunkPool.take() ?? LineChunk()
        }
        reader.forEach { event in
            unitIndex += 1
            if unitIndex > skipUnits { chunk.append(event) }
            if chunk.units.count >= batchUnits || chunk.bytes.count >= 2 << 20 { flush() }
            if source.bytesIn - lastReport > 4 << 20 { lastReport = source.bytesIn; progress(source.bytesIn) }
            return true
        }
        flush()
        work.close()
        done.wait()
        formats = allFormats.all
        progress(source.bytesIn)
    }

    /// A JSON document: records are split out as the bytes stream in, on this thread.
    private func runDocument(source: ByteSource, queue: BoundedQueue<RowBatch>) {
        let parser = UnitParser(label: label, seed: seed, fileNameTypeHint: hint)
        var splitter = JSONDocumentSplitter(maxRecordBytes: maxLineBytes)
        var unitIndex = 0
        var sequencer = BatchSequencer()
        var lastLine: Int64 = 1
        func next() -> Bool {
            unitIndex += 1
            guard unitIndex > skipUnits else { return false }
            parser.beginUnit(physicalLines: 0)
            return true
        }
        func flush(force: Bool) {
            guard force || parser.batch.units >= batchUnits || parser.batch.arena.count >= 8 << 20 else { return }
            let batch = parser.takeBatch()
            sequencer.stamp(batch, source: source)
            queue.push(batch)
        }
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
        defer { chunk.deallocate() }
        func handle(_ output: JSONDocumentSplitter.Output) {
            switch output {
            case .record(let bytes, let line, let index):
                lastLine = line
                if next() { parser.parse(bytes, line: line, record: index) }
            case .tooLong(let line, let index, let length, let prefix):
                if next() { parser.reject(line: line, record: index, .lineTooLong, "record of \(length) bytes is over the \(maxLineBytes)-byte cap", prefix, length: length) }
            }
            flush(force: false)
        }
        while true {
            let n = source.read(into: chunk, capacity: 1 << 20)
            if n == 0 { splitter.finish(handle) }
            splitter.feed(UnsafeBufferPointer(start: chunk, count: n), handle)
            for issue in source.takeIssues().issues where next() {
                parser.reject(line: lastLine, issue.reason, issue.detail, nil, length: 0)
            }
            progress(source.bytesIn)
            if n == 0 { break }
        }
        if !splitter.isComplete, next() {
            let unfinished = splitter.unfinishedRecord()
            let bytes = unfinished?.bytes ?? []
            bytes.withUnsafeBufferPointer {
                parser.reject(line: unfinished?.line ?? lastLine, record: unfinished?.index, .malformedJSON, "the JSON document ends before it is closed (file cut off?)", $0, length: bytes.count)
            }
        }
        if splitter.strayBytes > 0, next() {
            parser.reject(line: lastLine, .trailingGarbage, "\(splitter.strayBytes) bytes outside the JSON document were not JSON; ignored", nil, length: splitter.strayBytes)
        }
        flush(force: true)
        formats = parser.formats
    }
}

/// The formats the worker threads saw, merged under a lock.
private final class FormatSet: @unchecked Sendable {
    private let lock = NSLock()
    private var formats = Set<String>()
    func add(_ more: Set<String>) { lock.lock(); formats.formUnion(more); lock.unlock() }
    var all: Set<String> { lock.lock(); defer { lock.unlock() }; return formats }
}

/// Parsed chunks handed back for the reader to fill again, in this file or the next: their
/// buffers (1–2 MB each) are reused rather than freed and allocated afresh. Holds at most a
/// few (the chunks a load has in flight).
private let chunkPool = BufferPool<LineChunk>(limit: 6) { $0.bytes.capacity <= 8 << 20 }

/// Carries a parser into its thread.
private final class ParserBox: @unchecked Sendable {
    let parser: UnitParser
    init(parser: UnitParser) { self.parser = parser }
}

/// A run of consecutive lines (and stream events) copied out of the reader's buffer, parsed
/// as one batch by a worker thread.
final class LineChunk: @unchecked Sendable {
    enum Unit {
        case line(start: Int, count: Int, number: Int64)
        case tooLong(number: Int64, length: Int, prefixStart: Int, prefixCount: Int)
        case issue(StreamIssue, number: Int64, partialStart: Int, partialCount: Int, hasPartial: Bool)
    }

    var sequence = 0
    var bytes: [UInt8] = []
    var units: [Unit] = []
    var bytesOut = 0

    init() {
        bytes.reserveCapacity(1 << 20)
        units.reserveCapacity(4096)
    }

    func append(_ event: GzipLineReader.Event) {
        switch event {
        case .line(let b, let number):
            let start = bytes.count
            bytes.append(contentsOf: b)
            units.append(.line(start: start, count: b.count, number: number))
        case .tooLong(let number, let length, let prefix):
            let start = bytes.count
            bytes.append(contentsOf: prefix)
            units.append(.tooLong(number: number, length: length, prefixStart: start, prefixCount: prefix.count))
        case .issue(let issue, let number, let partial):
            let start = bytes.count
            if let partial { bytes.append(contentsOf: partial) }
            units.append(.issue(issue, number: number, partialStart: start, partialCount: partial?.count ?? 0, hasPartial: partial != nil))
        }
    }

    /// Empties the chunk for another run of lines, keeping its buffers.
    func clear() {
        sequence = 0
        bytesOut = 0
        bytes.removeAll(keepingCapacity: true)
        units.removeAll(keepingCapacity: true)
    }

    /// Parses every unit into one batch.
    func parse(with parser: UnitParser) -> RowBatch {
        bytes.withUnsafeBufferPointer { buf in
            for unit in units {
                switch unit {
                case .line(let start, let count, let number):
                    parser.beginUnit(physicalLines: 1)
                    parser.parse(UnsafeBufferPointer(rebasing: buf[start..<(start + count)]), line: number)
                case .tooLong(let number, let length, let start, let count):
                    parser.beginUnit(physicalLines: 1)
                    parser.reject(line: number, .lineTooLong, "line of \(length) bytes is over the line-length cap",
                                  UnsafeBufferPointer(rebasing: buf[start..<(start + count)]), length: length)
                case .issue(let issue, let number, let start, let count, let hasPartial):
                    parser.beginUnit(physicalLines: hasPartial ? 1 : 0)
                    parser.reject(line: number, issue.reason, issue.detail,
                                  hasPartial ? UnsafeBufferPointer(rebasing: buf[start..<(start + count)]) : nil, length: count)
                }
            }
        }
        let batch = parser.takeBatch()
        batch.sequence = sequence
        batch.bytesOut = bytesOut
        return batch
    }
}
