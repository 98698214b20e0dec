#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the lines of a file, gzip or plain, with flat memory: a 1 MiB buffer plus the
/// longest line allowed. CRLF and bare LF both end a line (the CR is dropped). A line longer
/// than `maxLineBytes` is skipped without being held in memory and reported.
final class GzipLineReader {
    /// What the reader hands to its consumer.
    enum Event {
        /// A line's bytes (valid only during the callback) and its 1-based number.
        case line(UnsafeBufferPointer<UInt8>, number: Int64)
        /// A line over the cap: its number, full length, and its first bytes for the excerpt.
        case tooLong(number: Int64, length: Int, prefix: UnsafeBufferPointer<UInt8>)
        /// A problem with the stream, reported at the line where it happened. `partial` holds
        /// the bytes of a line the problem cut off.
        case issue(StreamIssue, number: Int64, partial: UnsafeBufferPointer<UInt8>?)
    }

    /// The default cap on one line: real Mimecast lines are a few KB.
    static let defaultMaxLineBytes = 4 << 20

    let source: ByteSource
    let maxLineBytes: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let chunk = 1 << 20

    init(source: ByteSource, maxLineBytes: Int = GzipLineReader.defaultMaxLineBytes) {
        self.source = source
        self.maxLineBytes = maxLineBytes
        self.capacity = 2 << 20
        self.buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Reads every line, calling `body` for each event; `body` returns false to stop early.
    func forEach(_ body: (Event) throws -> Bool) rethrows {
        var start = 0          // start of the current (unfinished) line in the buffer
        var end = 0            // end of valid data
        var lineNo: Int64 = 1
        var skipping = false   // inside an overlong line
        var skippedLength = 0
        var prefix: [UInt8] = []

        func emitIssues() throws -> Bool {
            let (issues, gap) = source.takeIssues()
            if gap && (end > start || skipping) {
                // Bytes before the gap cannot be joined to bytes after it.
                let partial = UnsafeBufferPointer(start: buffer + start, count: end - start)
                let detail = issues.first?.detail ?? "data lost"
                if try !body(.issue(StreamIssue(reason: issues.first?.reason ?? .corruptGzip, detail: "line cut off: " + detail), number: lineNo, partial: partial)) { return false }
                lineNo += 1
                start = end
                skipping = false
                for issue in issues.dropFirst() {
                    if try !body(.issue(issue, number: lineNo, partial: nil)) { return false }
                }
                return true
            }
            for issue in issues {
                if try !body(.issue(issue, number: lineNo, partial: nil)) { return false }
            }
            return true
        }

        while true {
            // Make room: move the unfinished line to the front, grow up to the cap.
            if start > 0 {
                if end > start { memmove(buffer, buffer + start, end - start) }
                end -= start
                start = 0
            }
            if capacity - end < chunk {
                let wanted = min(max(capacity * 2, end + chunk), maxLineBytes + 2 * chunk)
                if wanted > capacity {
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: wanted)
                    memcpy(bigger, buffer, end)
                    buffer.deallocate()
                    buffer = bigger
                    capacity = wanted
                }
            }
            let n = source.read(into: buffer + end, capacity: capacity - end)
            if try !emitIssues() { return }
            if n == 0 {
                // End of content: a last line without a newline.
                if skipping {
                    let p = prefix
                    try p.withUnsafeBufferPointer { _ = try body(.tooLong(number: lineNo, length: skippedLength + end - start, prefix: $0)) }
                } else if end > start {
                    var e = end
                    if buffer[e - 1] == 0x0D { e -= 1 }
                    _ = try body(.line(UnsafeBufferPointer(start: buffer + start, count: e - start), number: lineNo))
                }
                return
            }
            let scanFrom = end
            end += n
            var cursor = scanFrom
            while cursor < end {
                guard let nl = memchr(buffer + cursor, 0x0A, end - cursor) else { break }
                let nlIndex = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                if skipping {
                    let p = prefix
                    if try p.withUnsafeBufferPointer({ try !body(.tooLong(number: lineNo, length: skippedLength + nlIndex - start, prefix: $0)) }) { return }
                    skipping = false
                } else {
                    var e = nlIndex
                    if e > start, buffer[e - 1] == 0x0D { e -= 1 }
                    if e - start > maxLineBytes {
                        let pre = UnsafeBufferPointer(start: buffer + start, count: min(e - start, RowBatch.excerptLimit))
                        if try !body(.tooLong(number: lineNo, length: e - start, prefix: pre)) { return }
                    } else if try !body(.line(UnsafeBufferPointer(start: buffer + start, count: e - start), number: lineNo)) {
                        return
                    }
                }
                lineNo += 1
                start = nlIndex + 1
                cursor = start
            }
            // An unfinished line past the cap: keep its first bytes, drop the rest.
            if end - start > maxLineBytes || (skipping && end > start) {
                if !skipping {
                    prefix = Array(UnsafeBufferPointer(start: buffer + start, count: min(end - start, RowBatch.excerptLimit)))
                    skippedLength = 0
                    skipping = true
                }
                skippedLength += end - start
                start = end
            }
        }
    }
}
