import Foundation

/// What a CSV file's header says it is.
enum CSVKind {
    case edr(EDRProfile)
    case directory
    /// Mimecast logs exported from Microsoft Sentinel (Log Analytics) as CSV.
    case sentinelMimecast
    case unknown(header: [String])

    /// The message for a header no profile knows: the known profiles and how to map one.
    static func unknownMessage(_ header: [String], mapping: GenericMapping? = nil) -> String {
        if let mapping {
            // The mapping was given: say which of its columns this header lacks.
            let names = Set(header.map(HeaderName.normalize))
            let missing = mapping.columns.sorted { $0.key.rawValue < $1.key.rawValue }
                .filter { !names.contains(HeaderName.normalize($0.value)) }.map { "\($0.key.rawValue): \($0.value)" }
            if !missing.isEmpty {
                return "the header lacks columns the --edr-map mapping for \(mapping.product) names (\(missing.joined(separator: ", "))); "
                    + "the header has \(header.prefix(12).joined(separator: ", "))\(header.count > 12 ? ", …" : ""): fix the mapping or export those columns"
            }
        }
        return "a CSV header MailScope does not know (\(header.prefix(12).joined(separator: ", "))\(header.count > 12 ? ", …" : "")): "
            + "known EDR profiles are mde (Defender for Endpoint advanced hunting: Timestamp, DeviceName, ActionType…), "
            + "crowdstrike (Falcon event search: event_simpleName, aid…), sentinelone (Deep Visibility: eventTime/Event Time, "
            + "endpointName, srcProc…), and identity directories (email, account or upn, host); for another product, "
            + "write a mapping file and pass it with --edr-map (see README: EDR mapping)"
    }
}

/// Loads EDR exports: CSV (any of the profiles, a generic mapping, or an identity directory)
/// and flat NDJSON telemetry (CrowdStrike FDR, SentinelOne Cloud Funnel). One thread parses;
/// batches go to the single writer in order.
final class EDRFileParser {
    let path: String
    let label: String
    let seed: (UInt64, UInt64)
    let options: IngestOptions
    let skipUnits: Int
    let progress: (Int) -> Void
    private(set) var format = "edr"
    /// Warnings about the file as a whole (recorded in `input_file.notes` and printed).
    private(set) var notes: [String] = []

    init(path: String, label: String, seed: (UInt64, UInt64), options: IngestOptions, skipUnits: Int, progress: @escaping (Int) -> Void) {
        self.path = path
        self.label = label
        self.seed = seed
        self.options = options
        self.skipUnits = skipUnits
        self.progress = progress
    }

    /// Reads the header row of a CSV file and decides what it is.
    static func kind(ofCSV path: String, options: IngestOptions) throws(IngestError) -> CSVKind {
        let source = try ByteSource(path: path)
        var header: [String] = []
        CSVReader(source: source, maxRowBytes: 1 << 20).forEach { event in
            if case .row(let row) = event { header = (0..<row.count).map { row.string($0) } }
            return false
        }
        return kind(ofHeader: header, options: options)
    }

    static func kind(ofHeader header: [String], options: IngestOptions) -> CSVKind {
        let names = Set(header.map(HeaderName.normalize))
        if let mapping = options.edrMapping, mapping.matches(names) { return .edr(options.edrProfile(mapping.profile)) }
        if names.contains("timegeneratedutc") && (names.contains("tenantid") || names.contains("logtype"))
            && (names.contains("aggregateid") || names.contains("senderaddress") || names.contains("useremailaddress") || names.contains("recipientaddress")) {
            return .sentinelMimecast
        }
        // Sentinel's custom-log tables of the administration exports: Seg_Dlp_CL (typed suffixes
        // senderAddress_s, eventTime_t [UTC]) and Awareness_SafeScore/Watchlist_Details_CL.
        let typed = Set(header.map { HeaderName.normalize(sentinelRename($0)) })
        if typed.contains("policy") && typed.contains("action") && typed.contains("recipientaddress") && typed.contains("eventtime") {
            return .sentinelMimecast
        }
        if names.contains("timegeneratedutc") && (names.contains("humanerror") || names.contains("watchlistcount")) {
            return .sentinelMimecast
        }
        if names.contains("email") && (names.contains("account") || names.contains("upn") || names.contains("samaccountname")) && names.contains("host") {
            return .directory
        }
        for profile in EDRProfile.builtIn where profile.recognises(names) { return .edr(options.edrProfile(profile)) }
        return .unknown(header: header)
    }

    /// A profile for a flat JSON event's keys, when one recognises them.
    static func profile(forJSONKeys keys: [String], options: IngestOptions) -> EDRProfile? {
        let names = Set(keys.map(HeaderName.normalize))
        return EDRProfile.builtIn.first { $0.recognises(names) }.map(options.edrProfile)
    }

    // MARK: CSV

    func runCSV(kind: CSVKind, queue: BoundedQueue<RowBatch>) throws(IngestError) {
        let source = try ByteSource(path: path)
        let reader = CSVReader(source: source, maxRowBytes: options.maxLineBytes)
        let builder: EDRRowBuilder?
        switch kind {
        case .edr(var profile):
            if let order = options.edrDateOrder {
                profile.slashDateOrder = order
            } else {
                let (order, note) = try EDRFileParser.slashDateOrder(path: path, profile: profile)
                profile.slashDateOrder = order
                if let note { notes.append(note) }
            }
            builder = EDRRowBuilder(profile: profile, productLabel: profile.name)
            format = "edr_" + profile.name.replacingOccurrences(of: "generic:", with: "generic_")
        case .directory:
            builder = nil
            format = "identity_directory"
        case .sentinelMimecast:
            try runSentinelMimecast(source: source, queue: queue)
            return
        case .unknown:
            return
        }
        // This thread splits rows (quote-aware); worker threads turn chunks of rows into
        // batches, which the writer puts back in file order.
        let workers = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let work = BoundedQueue<CSVChunk>(capacity: workers * 2)
        let done = DispatchGroup()
        var context: CSVRowContext?
        var unit = 0
        var chunk = CSVChunk()
        var sequencer = BatchSequencer()
        func startWorkers(_ ctx: CSVRowContext) {
            for _ in 0..<workers {
                done.enter()
                let thread = Thread {
                    while let next = work.pop() { queue.push(ctx.process(next)) }
                    done.leave()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
        }
        func flush() {
            (chunk.sequence, chunk.bytesOut) = sequencer.advance(bytesOut: source.bytesOut)
            work.push(chunk)
            chunk = CSVChunk()
            progress(source.bytesIn)
        }
        reader.forEach { event in
            unit += 1
            let counted = unit > skipUnits
            if context == nil, case .row(let row) = event {
                // The header is read again on resume, so the columns are always known.
                let header = (0..<row.count).map { Array(row.field($0)) }
                let ctx = CSVRowContext(label: label, seed: seed, header: header, builder: builder)
                context = ctx
                startWorkers(ctx)
                if counted { chunk.headerUnits += 1 }
                return true
            }
            if counted { chunk.events.append(event) }
            if chunk.events.count >= options.batchUnits { flush() }
            return true
        }
        if context == nil {
            // No header at all: still hand the (empty) work to a writer-visible batch.
            startWorkers(CSVRowContext(label: label, seed: seed, header: [], builder: builder))
        }
        flush()
        work.close()
        done.wait()
    }

    /// How the file's `N/N/YYYY` dates read, from the time column of its first rows: a first
    /// number over 12 means day first, a second over 12 month first. When every slash date
    /// could be either (or the file holds both), month first is kept and a note says so.
    static func slashDateOrder(path: String, profile: EDRProfile, sampleRows: Int = 5000) throws(IngestError) -> (TimeParser.SlashDateOrder, String?) {
        let reader = CSVReader(source: try ByteSource(path: path), maxRowBytes: 1 << 20)
        var column: Int?
        var rows = 0, slashDates = 0, dayFirst = false, monthFirst = false
        reader.forEach { event in
            guard case .row(let row) = event else { return true }
            if column == nil && rows == 0 {
                let names = (0..<row.count).map { HeaderName.normalize(row.string($0)) }
                column = (profile.aliases[.ts] ?? []).lazy.compactMap { names.firstIndex(of: $0) }.first
                rows = 1
                return column != nil
            }
            rows += 1
            if let column, column < row.count, let (a, b) = TimeParser.slashDateFields(row.string(column)) {
                slashDates += 1
                if a > 12 { dayFirst = true }
                if b > 12 { monthFirst = true }
            }
            return rows <= sampleRows
        }
        let name = (path as NSString).lastPathComponent
        switch (dayFirst, monthFirst) {
        case (true, false): return (.dayFirst, nil)
        case (false, true): return (.monthFirst, nil)
        case (true, true):
            return (.monthFirst, "\(name): its dates are written both day first and month first; read month first — check the export, or pass --edr-date-order")
        default:
            guard slashDates > 0 else { return (.monthFirst, nil) }
            return (.monthFirst, "\(name): dates such as 02/11/2026 could be day or month first; read month first (US) — pass --edr-date-order dmy if the export was written day first")
        }
    }

    /// Sentinel's CSV exports of the Mimecast connectors: each row becomes the JSON record the
    /// Mimecast API would have sent (columns renamed where Sentinel renamed them, empty
    /// flattened columns dropped) and goes through the Mimecast parsers.
    private func runSentinelMimecast(source: ByteSource, queue: BoundedQueue<RowBatch>) throws(IngestError) {
        let parser = UnitParser(label: label, seed: seed, fileNameTypeHint: nil)
        var header: [String] = []
        var unit = 0
        var sequencer = BatchSequencer()
        func flush(force: Bool) {
            guard force || parser.batch.units >= options.batchUnits else { return }
            let batch = parser.takeBatch()
            sequencer.stamp(batch, source: source)
            queue.push(batch)
        }
        CSVReader(source: source, maxRowBytes: options.maxLineBytes).forEach { event in
            unit += 1
            let counted = unit > skipUnits
            if counted { parser.beginUnit(physicalLines: 1) }
            switch event {
            case .row(let row):
                if header.isEmpty {
                    header = (0..<row.count).map { EDRFileParser.sentinelRename(row.string($0)) }
                    return true
                }
                guard counted, !(row.count == 1 && row.field(0).isEmpty) else { return true }
                guard row.count == header.count else {
                    row.bytes.withUnsafeBufferPointer {
                        parser.reject(line: row.line, .wrongColumnCount, "row has \(row.count) columns, the header has \(header.count)", $0, length: row.bytes.count)
                    }
                    return true
                }
                var object = "{"
                for i in 0..<row.count where !row.field(i).isEmpty {
                    var key = header[i]
                    var value = row.string(i)
                    if key == "Logtype" {
                        // email_journal → type journal (the API 2.0 type names).
                        key = "type"
                        value = value.hasPrefix("email_") ? String(value.dropFirst(6)).replacingOccurrences(of: "_", with: " ") : value
                    }
                    if object.count > 1 { object += "," }
                    object += JSONScanner.quote(key) + ":" + JSONScanner.quote(value)
                }
                object += "}"
                var bytes = Array(object.utf8)
                bytes.withUnsafeMutableBufferPointer { parser.parse(UnsafeBufferPointer($0), line: row.line) }
            case .bad(let line, let reason, let detail, let excerpt):
                if counted { excerpt.withUnsafeBufferPointer { parser.reject(line: line, reason, detail, $0, length: excerpt.count) } }
            case .issue(let issue, let line):
                if counted { parser.reject(line: line, issue.reason, issue.detail, nil, length: 0) }
            }
            flush(force: false)
            return true
        }
        flush(force: true)
        format = "sentinel_csv+" + parser.formats.sorted().joined(separator: "+")
    }

    /// Sentinel's column names for fields the Mimecast API names otherwise.
    static func sentinelRename(_ name: String) -> String {
        switch name {
        case "Date": return "date"
        case "eventTime [UTC]": return "eventTime"
        default:
            // Log Analytics custom-log columns carry their type: policy_s, eventTime_t [UTC].
            var n = name
            if n.hasSuffix(" [UTC]") { n = String(n.dropLast(6)) }
            for suffix in ["_s", "_t", "_d", "_b"] where n.count > 2 && n.hasSuffix(suffix) {
                return String(n.dropLast(2))
            }
            return name
        }
    }

    static func addDirectoryRow(_ row: CSVReader.Row, columns: [String: Int], key: ContentKey, into b: RowBatch) {
        func value(_ names: String...) -> String? {
            for n in names { if let i = columns[n], !row.field(i).isEmpty { return row.string(i) } }
            return nil
        }
        let account = EDRRowBuilder.splitAccount(value("account", "samaccountname", "username"), domain: nil)
        b.beginRow(.directoryEntry, line: row.line, dedup: key)
        b.set(.email, EmailAddress.normalize(value("email", "mail")))
        b.set(.upn, EmailAddress.normalize(value("upn", "userprincipalname")))
        b.set(.account, account.name)
        b.set(.host, value("host", "computer", "hostname").map(Host.shortName))
        b.endRow()
    }

    // MARK: NDJSON telemetry

    func runJSONLines(profile: EDRProfile, queue: BoundedQueue<RowBatch>) throws(IngestError) {
        format = "edr_" + profile.name + "_json"
        let source = try ByteSource(path: path)
        let reader = GzipLineReader(source: source, maxLineBytes: options.maxLineBytes)
        let builder = EDRRowBuilder(profile: profile, productLabel: profile.name)
        let record = Record()
        let fields = EDRSourceRow()
        var unit = 0
        var sequencer = BatchSequencer()
        var batch = RowBatch()
        func reject(_ line: Int64, _ reason: RejectReason, _ detail: String, _ bytes: UnsafeBufferPointer<UInt8>?, _ length: Int) {
            batch.reject(in: label, line: line, reason: reason, detail: detail, bytes: bytes, lineBytes: length)
        }
        reader.forEach { event in
            unit += 1
            guard unit > skipUnits else { return true }
            batch.units += 1
            batch.lines += 1
            switch event {
            case .line(let raw, let number):
                guard let bytes = UnitParser.content(of: raw) else { return true }
                batch.records += 1
                if memchr(bytes.baseAddress!, 0, bytes.count) != nil {
                    reject(number, .nulByte, "NUL bytes in the line (binary data?)", bytes, bytes.count)
                    break
                }
                if let bad = UTF8Validator.firstInvalidOffset(bytes) {
                    reject(number, .invalidUTF8, "invalid UTF-8 at byte \(bad + 1)", bytes, bytes.count)
                    break
                }
                do { try JSONScanner.scanObject(bytes, into: record) } catch let error as JSONScanner.Failure {
                    reject(number, error.reason, error.message, bytes, bytes.count)
                    break
                } catch {
                    reject(number, .malformedJSON, "\(error)", bytes, bytes.count)
                    break
                }
                do {
                    try EDRFileParser.build(record, builder: builder, fields: fields, line: number, seed: seed, into: batch)
                } catch let error as EDRRowBuilder.Failure {
                    reject(number, error.reason, error.detail, bytes, bytes.count)
                } catch {
                    reject(number, .unrecognizedRecord, "\(error)", bytes, bytes.count)
                }
            case .tooLong(let number, let length, let prefix):
                reject(number, .lineTooLong, "line of \(length) bytes is over the line-length cap", prefix, length)
            case .issue(let issue, let number, let partial):
                reject(number, issue.reason, issue.detail, partial, partial?.count ?? 0)
            }
            if batch.units >= options.batchUnits {
                sequencer.stamp(batch, source: source)
                queue.push(batch)
                batch = RowBatch()
            }
            return true
        }
        sequencer.stamp(batch, source: source)
        queue.push(batch)
    }
}

extension EDRFileParser {
    /// One flat JSON event (an NDJSON line, or a record of a JSON document such as a
    /// SentinelOne Deep Visibility API page) as an `edr_event` row: each key is a source, the
    /// profile's aliases pick the fields, and whatever no column takes goes to extra as written.
    static func build(_ record: Record, builder: EDRRowBuilder, fields: EDRSourceRow, line: Int64, seed: (UInt64, UInt64),
                      into batch: RowBatch) throws(EDRRowBuilder.Failure) {
        var pairs: [(name: [UInt8], value: ArraySlice<UInt8>)] = []
        var names: [String] = []
        var indexOf: [String: Int] = [:]
        for f in record.fields {
            let name = String(decoding: record.keyBytesOf(f), as: UTF8.self)
            let normalized = HeaderName.normalize(name)
            if indexOf[normalized] == nil { indexOf[normalized] = names.count }
            names.append(name)
            pairs.append((Array(record.keyBytesOf(f)), ArraySlice(record.valueBytes(f))))
        }
        fields.reset(names: names)
        for (i, f) in record.fields.enumerated() where f.kind != .null && EDRSourceRow.meaningful(record.string(of: f)) != nil {
            fields.markPresent(i)
        }
        for (field, aliases) in builder.profile.aliases {
            for alias in aliases {
                guard let i = indexOf[alias], let value = record.string(of: record.fields[i]),
                      EDRSourceRow.meaningful(value) != nil else { continue }
                fields.set(field, value, from: i)
                break
            }
        }
        // A JSON value goes to extra as written: strings quoted, numbers and objects as they
        // are (the record was checked as UTF-8, so its bytes are the text).
        let extraJSON: (Int, inout [UInt8]) -> Void = { i, out in
            let f = record.fields[i]
            if f.kind == .string { out.append(UInt8(ascii: "\"")) }
            out.append(contentsOf: record.valueBytes(f))
            if f.kind == .string { out.append(UInt8(ascii: "\"")) }
        }
        try builder.build(fields, extraJSON: extraJSON, line: line, key: ContentKey.of(pairs: pairs, seed: seed), into: batch)
    }
}

extension IngestOptions {
    /// A profile with this run's `--edr-tz` applied (a mapping file's own zone wins).
    func edrProfile(_ profile: EDRProfile) -> EDRProfile {
        var p = profile
        if p.timeZone == nil { p.timeZone = edrTimeZone }
        return p
    }
}

/// Rows split out of a CSV file, parsed together into one batch.
final class CSVChunk: @unchecked Sendable {
    var sequence = 0
    var events: [CSVReader.Event] = []
    /// The header row, when this chunk counts it (the first chunk of a fresh load).
    var headerUnits = 0
    var bytesOut = 0
    init() {
        events.reserveCapacity(2048)
    }
}

/// What every worker needs to turn CSV rows into rows of `edr_event` or `directory_entry`:
/// the header, which columns feed which field, and the builder. Read-only once made.
final class CSVRowContext: @unchecked Sendable {
    let label: String
    let seed: (UInt64, UInt64)
    let header: [[UInt8]]
    let builder: EDRRowBuilder?
    /// Per field, every column that may hold it, in priority order.
    private var columnsOf: [(EDRField, [Int])] = []
    /// The header's names as exported (the keys of `extra`), and as JSON strings.
    private let names: [String]
    private let quotedNames: [[UInt8]]
    /// Per column, the dedup hash state after its name (`ContentKey.nameLanes`).
    private let nameLanes: [(UInt64, UInt64)]
    private var directoryColumns: [String: Int] = [:]

    init(label: String, seed: (UInt64, UInt64), header: [[UInt8]], builder: EDRRowBuilder?) {
        self.label = label
        self.seed = seed
        self.header = header
        self.builder = builder
        self.names = header.map { String(decoding: $0, as: UTF8.self) }
        self.quotedNames = self.names.map { Array(JSONScanner.quote($0).utf8) }
        self.nameLanes = header.map { $0.withUnsafeBufferPointer { ContentKey.nameLanes($0, seed: seed) } }
        let names = self.names.map(HeaderName.normalize)
        if let builder {
            for field in EDRField.allCases {
                var columns: [Int] = []
                for alias in builder.profile.aliases[field] ?? [] {
                    if let i = names.firstIndex(of: alias) { columns.append(i) }
                }
                if !columns.isEmpty { columnsOf.append((field, columns)) }
            }
        } else {
            for (i, n) in names.enumerated() { directoryColumns[n] = directoryColumns[n] ?? i }
        }
    }

    /// Not empty, `-` or `null` (what exports write for "no value").
    @inline(__always)
    static func holdsValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch bytes.count {
        case 0: return false
        case 1: return bytes[0] != UInt8(ascii: "-")
        case 4: return !(bytes[0] == UInt8(ascii: "n") && bytes[1] == UInt8(ascii: "u") && bytes[2] == UInt8(ascii: "l") && bytes[3] == UInt8(ascii: "l"))
        default: return true
        }
    }

    func process(_ chunk: CSVChunk) -> RowBatch {
        let batch = RowBatch()
        let source = EDRSourceRow()
        batch.sequence = chunk.sequence
        batch.bytesOut = chunk.bytesOut
        batch.units = chunk.headerUnits
        batch.lines = chunk.headerUnits
        func reject(_ line: Int64, _ reason: RejectReason, _ detail: String, _ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { batch.reject(in: label, line: line, reason: reason, detail: detail, bytes: $0, lineBytes: bytes.count) }
        }
        let rowBuilder = builder
        for event in chunk.events {
            batch.units += 1
            switch event {
            case .row(let row):
                batch.lines += 1
                if row.count == 1 && row.field(0).isEmpty { continue }   // a blank line
                batch.records += 1
                if row.bytes.withUnsafeBufferPointer({ $0.baseAddress.map { memchr($0, 0, row.bytes.count) != nil } ?? false }) {
                    reject(row.line, .nulByte, "NUL bytes in the row (binary data?)", row.bytes)
                    continue
                }
                if row.count != header.count {
                    reject(row.line, .wrongColumnCount, "row has \(row.count) columns, the header has \(header.count)", row.bytes)
                    continue
                }
                if let bad = row.bytes.withUnsafeBufferPointer({ UTF8Validator.firstInvalidOffset($0) }) {
                    reject(row.line, .invalidUTF8, "invalid UTF-8 at byte \(bad + 1) of the row", row.bytes)
                    continue
                }
                // The row's fields as pointers into its bytes: no String nor slice per field
                // unless a column takes its value.
                row.bytes.withUnsafeBufferPointer { buf in
                    let ends = row.ends
                    @inline(__always) func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
                        UnsafeBufferPointer(rebasing: buf[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
                    }
                    var sum = ContentKey.Sum()
                    for i in 0..<ends.count { sum.add(value: field(i), after: nameLanes[i]) }
                    let key = sum.key
                    guard let builder = rowBuilder else {
                        EDRFileParser.addDirectoryRow(row, columns: directoryColumns, key: key, into: batch)
                        return
                    }
                    // Per field, the first alias with a value in this row (e.g. the target file's
                    // hash, else the process image's), decoded once.
                    source.reset(names: names, quoted: quotedNames)
                    for i in 0..<ends.count where CSVRowContext.holdsValue(field(i)) { source.markPresent(i) }
                    for (name, columns) in columnsOf {
                        for i in columns where CSVRowContext.holdsValue(field(i)) {
                            source.set(name, String(decoding: field(i), as: UTF8.self), from: i)
                            break
                        }
                    }
                    do throws(EDRRowBuilder.Failure) {
                        // The row was checked as UTF-8: its bytes are the text.
                        try builder.build(source, extraJSON: { i, out in JSONScanner.quote(field(i), into: &out) }, line: row.line, key: key, into: batch)
                    } catch {
                        reject(row.line, error.reason, error.detail, row.bytes)
                    }
                }
            case .bad(let line, let reason, let detail, let excerpt):
                batch.records += 1
                reject(line, reason, detail, excerpt)
            case .issue(let issue, let line):
                reject(line, issue.reason, issue.detail, [])
            }
        }
        return batch
    }
}
