import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something wrong with a file's bytes as a whole (not with one line): the reader reports it
/// at the line where it happened and goes on where it can.
struct StreamIssue: Sendable {
    var reason: RejectReason
    var detail: String
}

/// Reads a file's content, inflating gzip when the bytes say so (magic `1f 8b`, never the file
/// name). Handles multi-member gzip (concatenated batches), reports a truncated stream, skips
/// past a corrupt member to the next member header, and notes trailing garbage.
final class ByteSource {
    let path: String
    private let fd: Int32
    /// True when the content is gzip-compressed.
    let isGzip: Bool
    /// Compressed bytes read from the file so far.
    private(set) var bytesIn = 0
    /// Bytes handed out (uncompressed).
    private(set) var bytesOut = 0
    /// Problems met since the last call to `takeIssues()`; `discontinuity` is set when data
    /// was lost, so the line reader must not glue the bytes before and after together.
    private var issues: [StreamIssue] = []
    private(set) var discontinuity = false

    private var stream = z_stream()
    private var inBuffer: UnsafeMutablePointer<UInt8>
    private let inCapacity = 1 << 20
    private var inStart = 0
    private var inEnd = 0
    private var fileEOF = false
    private var memberDone = false
    private var finished = false

    /// Opens `path`; throws when it cannot be read.
    init(path: String) throws(IngestError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IngestError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        inBuffer = .allocate(capacity: inCapacity)
        var magic = [UInt8](repeating: 0, count: 2)
        let got = pread(fd, &magic, 2, 0)
        isGzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b
        if isGzip {
            let rc = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            if rc != Z_OK {
                close(fd)
                inBuffer.deallocate()
                throw IngestError.cannotOpen(path: path, reason: "zlib could not start (\(rc))")
            }
        }
    }

    deinit {
        if isGzip { inflateEnd(&stream) }
        close(fd)
        inBuffer.deallocate()
    }

    /// Problems met since the last call, and whether data was lost in between.
    func takeIssues() -> (issues: [StreamIssue], discontinuity: Bool) {
        defer { issues.removeAll(); discontinuity = false }
        return (issues, discontinuity)
    }

    private func fill() {
        if inStart > 0 && inStart == inEnd { inStart = 0; inEnd = 0 }
        if inStart > 0 && inEnd == inCapacity {
            memmove(inBuffer, inBuffer + inStart, inEnd - inStart)
            inEnd -= inStart
            inStart = 0
        }
        guard !fileEOF, inEnd < inCapacity else { return }
        let n = posixRead(fd, inBuffer + inEnd, inCapacity - inEnd)
        if n <= 0 {
            if n < 0 {
                issues.append(StreamIssue(reason: .unreadableFile, detail: "read error: \(String(cString: strerror(errno)))"))
                discontinuity = true
            }
            fileEOF = true
            return
        }
        inEnd += n
        bytesIn += n
    }

    /// Reads up to `capacity` bytes of content into `buffer`; 0 means the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        if finished { return 0 }
        if !isGzip {
            if inStart == inEnd { fill() }
            let n = min(capacity, inEnd - inStart)
            if n == 0 { finished = true; return 0 }
            memcpy(buffer, inBuffer + inStart, n)
            inStart += n
            bytesOut += n
            return n
        }
        while true {
            if memberDone {
                // Another member (concatenated gzip), padding, or garbage?
                if inEnd - inStart < 2 { fill() }
                if inStart == inEnd { finished = true; return 0 }
                if inEnd - inStart >= 2, inBuffer[inStart] == 0x1f, inBuffer[inStart + 1] == 0x8b {
                    inflateReset(&stream)
                    memberDone = false
                } else if allZero() {
                    inStart = inEnd
                    if fileEOF { finished = true; return 0 }
                    continue
                } else {
                    let at = bytesIn - (inEnd - inStart)
                    issues.append(StreamIssue(reason: .trailingGarbage, detail: "\(bytesIn - at)+ bytes after the end of the gzip data at byte \(at) were not gzip; ignored"))
                    finished = true
                    return 0
                }
            }
            if inStart == inEnd { fill() }
            stream.next_in = inBuffer + inStart
            stream.avail_in = UInt32(inEnd - inStart)
            stream.next_out = buffer
            stream.avail_out = UInt32(capacity)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let consumed = (inEnd - inStart) - Int(stream.avail_in)
            inStart += consumed
            let produced = capacity - Int(stream.avail_out)
            bytesOut += produced
            switch rc {
            case Z_STREAM_END:
                memberDone = true
                if produced > 0 { return produced }
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR where fileEOF && inStart == inEnd:
                issues.append(StreamIssue(reason: .truncatedGzip, detail: "the gzip stream ends early, after \(bytesIn) compressed bytes: the file was cut off; the last partial line is rejected"))
                finished = true
                return produced
            case Z_BUF_ERROR:
                if produced > 0 { return produced }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                let at = bytesIn - (inEnd - inStart)
                if produced > 0 {
                    // Hand out what inflated before the damage; report it on the next call.
                    pendingCorruption = (message, at)
                    return produced
                }
                resync(after: message, at: at)
                if finished { return 0 }
            }
            if fileEOF && inStart == inEnd && !memberDone && rc != Z_STREAM_END && stream.avail_out > 0 && produced == 0 {
                issues.append(StreamIssue(reason: .truncatedGzip, detail: "the gzip stream ends early, after \(bytesIn) compressed bytes: the file was cut off; the last partial line is rejected"))
                finished = true
                return 0
            }
            if let pending = pendingCorruption {
                pendingCorruption = nil
                resync(after: pending.0, at: pending.1)
                if finished { return 0 }
            }
        }
    }

    private var pendingCorruption: (String, Int)?

    private func allZero() -> Bool {
        for k in inStart..<inEnd where inBuffer[k] != 0 { return false }
        return true
    }

    /// After damage: look for the next gzip member header and go on from there.
    private func resync(after message: String, at offset: Int) {
        discontinuity = true
        inStart = min(inStart + 1, inEnd)   // the damage may be at the very end of the buffer
        while true {
            while inStart + 3 <= inEnd {
                if inBuffer[inStart] == 0x1f, inBuffer[inStart + 1] == 0x8b, inBuffer[inStart + 2] == 0x08 {
                    let resumeAt = bytesIn - (inEnd - inStart)
                    issues.append(StreamIssue(reason: .corruptGzip, detail: "gzip data damaged at compressed byte \(offset) (\(message)); skipped to the next gzip member at byte \(resumeAt)"))
                    inflateReset(&stream)
                    memberDone = false
                    return
                }
                inStart += 1
            }
            if fileEOF {
                issues.append(StreamIssue(reason: .corruptGzip, detail: "gzip data damaged at compressed byte \(offset) (\(message)); nothing readable after it"))
                finished = true
                return
            }
            // Keep the last two bytes: a header may straddle the refill.
            let keep = max(0, min(2, inEnd - inStart))
            memmove(inBuffer, inBuffer + inEnd - keep, keep)
            inStart = 0
            inEnd = keep
            fill()
        }
    }
}

/// The POSIX `read`, named apart from `ByteSource.read`.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    read(fd, buffer, count)
}
