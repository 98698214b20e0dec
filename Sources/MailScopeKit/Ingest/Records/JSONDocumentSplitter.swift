/// Streams the records out of a JSON *document* export — the legacy SIEM file
/// `{"type":"MTA","data":[{row},…]}`, the TTP envelope
/// `{"meta":…,"data":[{"clickLogs":[{record},…]}],"fail":[]}`, message tracking's
/// `trackedEmails`, a STIX bundle's `objects`, or a top-level array — one record at a time,
/// pretty-printed or on a single line, holding only the current record in memory.
///
/// A record is an object that is an element of a container array (`data`, `objects`, the TTP
/// log arrays, `trackedEmails`, or the top level). An element that itself holds a TTP log
/// array (the `{"clickLogs":[…]}` wrapper) is opened up instead of kept as a record.
struct JSONDocumentSplitter {
    /// Keys whose array elements are records.
    static let containerKeys: Set<[UInt8]> = Set(["data", "objects", "clickLogs", "attachmentLogs",
                                                   "impersonationLogs", "trackedEmails"].map { Array($0.utf8) })
    /// Keys that make their enclosing element a wrapper rather than a record.
    static let wrapperKeys: Set<[UInt8]> = Set(["clickLogs", "attachmentLogs", "impersonationLogs", "trackedEmails"].map { Array($0.utf8) })

    enum Output {
        /// A record's bytes (valid during the callback) and the line it starts on.
        case record(UnsafeBufferPointer<UInt8>, line: Int64)
        /// A record over the size cap, skipped.
        case tooLong(line: Int64, length: Int, prefix: UnsafeBufferPointer<UInt8>)
    }

    private struct Frame {
        var isArray: Bool
        var isContainer: Bool
        var expectKey: Bool
    }

    let maxRecordBytes: Int
    private var stack: [Frame] = []
    private var inString = false
    private var escape = false
    private var stringIsKey = false
    private var key: [UInt8] = []
    private var lastKey: [UInt8] = []
    private var line: Int64 = 1
    private var capture: [UInt8] = []
    private var capturing = false
    private var captureDepth = 0       // stack count when the record's '{' was pushed
    private var captureLine: Int64 = 0
    private var captureOverflow = 0     // bytes skipped past the cap
    /// Bytes outside any JSON value (garbage before, between or after documents): reported,
    /// since they are input that was not loaded.
    private(set) var strayBytes = 0

    init(maxRecordBytes: Int) {
        self.maxRecordBytes = maxRecordBytes
        capture.reserveCapacity(64 << 10)
    }

    /// True when the stack is balanced (the document was complete).
    var isComplete: Bool { stack.isEmpty && !inString }

    /// Feeds the next chunk of the document.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Output) throws -> Void) rethrows {
        for c in bytes {
            if capturing {
                if capture.count < maxRecordBytes { capture.append(c) } else { captureOverflow += 1 }
            }
            if c == 0x0A { line += 1 }
            if inString {
                if escape {
                    escape = false
                } else if c == UInt8(ascii: "\\") {
                    escape = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                    if stringIsKey { lastKey = key }
                } else if stringIsKey, key.count < 64 {
                    key.append(c)
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                inString = true
                stringIsKey = stack.last.map { !$0.isArray && $0.expectKey } ?? false
                key.removeAll(keepingCapacity: true)
            case UInt8(ascii: ":"):
                if !stack.isEmpty, !stack[stack.count - 1].isArray { stack[stack.count - 1].expectKey = false }
            case UInt8(ascii: ","):
                if !stack.isEmpty, !stack[stack.count - 1].isArray { stack[stack.count - 1].expectKey = true }
            case UInt8(ascii: "{"):
                let parentIsContainer = stack.last.map { $0.isArray && $0.isContainer } ?? false
                if parentIsContainer && !capturing {
                    capturing = true
                    capture.removeAll(keepingCapacity: true)
                    capture.append(c)
                    captureOverflow = 0
                    captureLine = line
                    captureDepth = stack.count + 1
                }
                stack.append(Frame(isArray: false, isContainer: false, expectKey: true))
            case UInt8(ascii: "["):
                let inObject = stack.last.map { !$0.isArray } ?? false
                var container = stack.isEmpty
                if inObject {
                    if capturing && stack.count == captureDepth && JSONDocumentSplitter.wrapperKeys.contains(lastKey) {
                        // The element being captured is a wrapper: open it up instead.
                        capturing = false
                        container = true
                    } else if !capturing && JSONDocumentSplitter.containerKeys.contains(lastKey) {
                        container = true
                    }
                }
                stack.append(Frame(isArray: true, isContainer: container, expectKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
                if capturing && c == UInt8(ascii: "}") && stack.count == captureDepth - 1 {
                    capturing = false
                    if captureOverflow > 0 {
                        try capture.withUnsafeBufferPointer {
                            try emit(.tooLong(line: captureLine, length: capture.count + captureOverflow, prefix: UnsafeBufferPointer(rebasing: $0[0..<min($0.count, RowBatch.excerptLimit)])))
                        }
                    } else {
                        try capture.withUnsafeBufferPointer { try emit(.record($0, line: captureLine)) }
                    }
                }
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                if stack.isEmpty && c != 0xEF && c != 0xBB && c != 0xBF { strayBytes += 1 }
            }
        }
    }

    /// The record cut off by the end of the data, if one was being read.
    func unfinishedRecord() -> (line: Int64, bytes: [UInt8])? {
        capturing ? (captureLine, capture) : nil
    }
}
