/// A streaming RFC 4180 CSV reader: quoted fields with commas, doubled quotes and line breaks
/// inside, a UTF-8 BOM, CRLF or LF (and a bare CR inside quotes), a cap on the size of a row.
/// Memory stays flat: one row is held at a time. Rows are reported with the physical line
/// they start on, so rejects and evidence point at the right line of the file.
final class CSVReader {
    /// One parsed row: the fields' bytes (quotes removed, `""` unescaped) in `bytes`.
    struct Row {
        var bytes: [UInt8] = []
        var ends: [Int] = []          // end offset of each field in `bytes`
        var line: Int64 = 0           // physical line the row starts on (1-based)
        var count: Int { ends.count }
        func field(_ i: Int) -> ArraySlice<UInt8> {
            let start = i == 0 ? 0 : ends[i - 1]
            return bytes[start..<ends[i]]
        }
        func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }
    }

    enum Event {
        case row(Row)
        /// A row over the size cap, or a quote left open at the end of the file.
        case bad(line: Int64, reason: RejectReason, detail: String, excerpt: [UInt8])
        case issue(StreamIssue, line: Int64)
    }

    let source: ByteSource
    let maxRowBytes: Int
    let delimiter: UInt8

    /// A rejected row's fields joined by the delimiter (quotes not restored), capped.
    private func excerpt(_ row: Row) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<row.count {
            if i > 0 { out.append(delimiter) }
            out.append(contentsOf: row.field(i))
            if out.count >= RowBatch.excerptLimit { break }
        }
        return Array(out.prefix(RowBatch.excerptLimit))
    }

    init(source: ByteSource, maxRowBytes: Int, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.source = source
        self.maxRowBytes = maxRowBytes
        self.delimiter = delimiter
    }

    /// Reads every row; `body` returns false to stop.
    func forEach(_ body: (Event) throws -> Bool) rethrows {
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
        defer { chunk.deallocate() }
        var row = Row()
        var line: Int64 = 1
        var rowLine: Int64 = 1
        var inQuotes = false
        var quoteInQuoted = false       // saw a quote inside quotes: end, or first of ""
        var fieldStart = true
        var atRowStart = true
        var overflow = false
        var first = true
        var pendingCR = false

        /// Appends `count` plain bytes as the byte-at-a-time loop would: each byte first checks
        /// the cap (`overflow` once the row holds `maxRowBytes`), then is kept unless over it.
        func appendRun(_ start: UnsafeMutablePointer<UInt8>, _ count: Int) {
            guard count > 0, !overflow else { return }
            let room = maxRowBytes - row.bytes.count
            if count <= room {
                row.bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
            } else {
                if room > 0 { row.bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: room)) }
                overflow = true
            }
        }
        func endField() {
            row.ends.append(row.bytes.count)
            fieldStart = true
        }
        func emitRow() throws -> Bool {
            defer {
                row.bytes.removeAll(keepingCapacity: true)
                row.ends.removeAll(keepingCapacity: true)
                atRowStart = true
                fieldStart = true
                overflow = false
            }
            if overflow {
                return try body(.bad(line: rowLine, reason: .lineTooLong, detail: "CSV row over the \(maxRowBytes)-byte cap", excerpt: excerpt(row)))
            }
            row.line = rowLine
            return try body(.row(row))
        }

        while true {
            let n = source.read(into: chunk, capacity: 1 << 20)
            for issue in source.takeIssues().issues {
                if try !body(.issue(issue, line: line)) { return }
            }
            if n == 0 { break }
            var i = 0
            if first {
                first = false
                if n >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { i = 3 }
            }
            while i < n {
                let c = chunk[i]
                i += 1
                if pendingCR {
                    pendingCR = false
                    if c == 0x0A { continue }   // the LF of a CRLF: the CR already ended the row
                }
                if atRowStart {
                    atRowStart = false
                    rowLine = line
                }
                if row.bytes.count >= maxRowBytes { overflow = true }
                if inQuotes {
                    if quoteInQuoted {
                        quoteInQuoted = false
                        if c == 0x22 {            // "" → "
                            if !overflow { row.bytes.append(0x22) }
                            continue
                        }
                        inQuotes = false          // closing quote; fall through to handle c
                    } else if c == 0x22 {
                        quoteInQuoted = true
                        continue
                    } else {
                        if c == 0x0A { line += 1 }
                        if !overflow { row.bytes.append(c) }
                        // The rest of the quoted run up to the next quote, in one copy.
                        var j = i
                        while j < n && chunk[j] != 0x22 {
                            if chunk[j] == 0x0A { line += 1 }
                            j += 1
                        }
                        appendRun(chunk + i, j - i)
                        i = j
                        continue
                    }
                }
                switch c {
                case delimiter:
                    endField()
                case 0x0A, 0x0D:
                    endField()
                    pendingCR = c == 0x0D
                    line += 1
                    if try !emitRow() { return }
                case 0x22 where fieldStart:
                    inQuotes = true
                    fieldStart = false
                default:
                    fieldStart = false
                    if !overflow { row.bytes.append(c) }
                    // The rest of the unquoted field (a quote inside it is a literal), in one copy.
                    var j = i
                    while j < n {
                        let d = chunk[j]
                        if d == delimiter || d == 0x0A || d == 0x0D { break }
                        j += 1
                    }
                    appendRun(chunk + i, j - i)
                    i = j
                }
            }
        }
        if inQuotes && !quoteInQuoted {
            row.ends.append(row.bytes.count)
            _ = try body(.bad(line: rowLine, reason: .unbalancedQuote, detail: "a quoted field is never closed: the file ends inside it", excerpt: excerpt(row)))
            return
        }
        if !atRowStart {
            endField()
            _ = try emitRow()
        }
    }
}
