/// Streams the records out of a JSON *document* export — the legacy SIEM file
/// `{"type":"MTA","data":[{row},…]}`, the TTP envelope
/// `{"meta":…,"data":[{"clickLogs":[{record},…]}],"fail":[]}`, message tracking's
/// `trackedEmails`, a STIX bundle's `objects`, or a top-level array — one record at a time,
/// pretty-printed or on a single line, holding only the current record in memory.
///
/// A record is an object that is an element of a container array (`data`, `objects`, the TTP
/// log arrays, `trackedEmails`, or the top level). An element that itself holds a TTP log
/// array (the `{"clickLogs":[…]}` wrapper) is opened up instead of kept as a record.
///
/// Each record also gets its 1-based index among the records that start on its line when it
/// shares that line (a one-line TTP page or envelope), or nil when it starts on a line of its
/// own (pretty-printed files): `file:line#n` then points at exactly one record. Telling the
/// two apart needs the rest of the line, so the first record of a line is held back until the
/// line ends or a second record starts on it.
struct JSONDocumentSplitter {
    /// Keys whose array elements are records.
    static let containerKeys: Set<[UInt8]> = Set(["data", "objects", "clickLogs", "attachmentLogs",
                                                   "impersonationLogs", "trackedEmails",
                                                   "heldReleaseLogs", "dlpLogs", "logs"].map { Array($0.utf8) })
    /// Keys that make their enclosing element a wrapper rather than a record.
    /// `data` too: an API reply page inside a top-level array (`[{"meta":…,"data":[…]}]`, the
    /// archive view log as XSOAR saves it) is opened up, not kept as one record.
    static let wrapperKeys: Set<[UInt8]> = Set(["clickLogs", "attachmentLogs", "impersonationLogs", "trackedEmails",
                                                 "heldReleaseLogs", "dlpLogs", "logs", "data"].map { Array($0.utf8) })

    enum Output {
        /// A record's bytes (valid during the callback), the line it starts on and its index
        /// among the records starting on that line (nil when it is the only one).
        case record(UnsafeBufferPointer<UInt8>, line: Int64, index: Int64?)
        /// A record over the size cap, skipped.
        case tooLong(line: Int64, index: Int64?, length: Int, prefix: UnsafeBufferPointer<UInt8>)
    }

    /// A line's first record, held until it is known whether others start on the same line.
    private struct Held {
        var line: Int64
        var bytes: [UInt8]
        /// The full length when the record was over the cap (`bytes` is then its prefix).
        var overLength: Int?
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
    // Records are counted when they complete (an element that turns out to be a wrapper is
    // no record): `countedLine` is the start line of the last one, `counted` how many
    // completed records started on it.
    private var countedLine: Int64 = 0
    private var counted: Int64 = 0
    private var held: Held?
    /// Bytes outside any JSON value (garbage before, between or after documents): reported,
    /// since they are input that was not loaded.
    private(set) var strayBytes = 0

    init(maxRecordBytes: Int) {
        self.maxRecordBytes = maxRecordBytes
        capture.reserveCapacity(64 << 10)
    }

    /// True when the stack is balanced (the document was complete).
    var isComplete: Bool { stack.isEmpty && !inString }

    /// Emits the held record: with index 1 when another record started on its line, else nil.
    private mutating func releaseHeld(shared: Bool, _ emit: (Output) throws -> Void) rethrows {
        guard let h = held else { return }
        held = nil
        let index: Int64? = shared ? 1 : nil
        // One emit call per closure: Swift 6.3.1 crashes compiling two in a rethrowing closure
        // with optimization on (OSSACompleteLifetime), which breaks the release build.
        try h.bytes.withUnsafeBufferPointer { b in
            try emit(Self.output(b, line: h.line, index: index, overLength: h.overLength))
        }
    }

    /// A record, or the prefix of one over the length cap.
    private static func output(_ bytes: UnsafeBufferPointer<UInt8>, line: Int64, index: Int64?, overLength: Int?) -> Output {
        guard let overLength else { return .record(bytes, line: line, index: index) }
        return .tooLong(line: line, index: index, length: overLength,
                        prefix: UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, RowBatch.excerptLimit)]))
    }

    /// Emits a record held back at the end of the data (call once the last chunk is fed).
    mutating func finish(_ emit: (Output) throws -> Void) rethrows {
        try releaseHeld(shared: capturing && captureLine == held?.line, emit)
    }

    /// Feeds the next chunk of the document.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Output) throws -> Void) rethrows {
        for c in bytes {
            if capturing {
                if capture.count < maxRecordBytes { capture.append(c) } else { captureOverflow += 1 }
            }
            if c == 0x0A {
                line += 1
                // The held record's line is over, unless a record that started on it is still being read.
                if held != nil && !(capturing && captureLine == held?.line) { try releaseHeld(shared: false, emit) }
            }
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
                    let overLength: Int? = captureOverflow > 0 ? capture.count + captureOverflow : nil
                    if captureLine == countedLine {
                        counted += 1
                        if held != nil { try releaseHeld(shared: true, emit) }
                    } else {
                        if held != nil { try releaseHeld(shared: false, emit) }
                        countedLine = captureLine
                        counted = 1
                    }
                    if counted == 1 && captureLine == line {
                        // Whether it is alone on its line is known only when the line ends.
                        let kept = overLength == nil ? capture : Array(capture.prefix(RowBatch.excerptLimit))
                        held = Held(line: captureLine, bytes: kept, overLength: overLength)
                    } else {
                        // The n-th (n > 1) record of its line, or one that ends on a later line than it
                        // starts (the next record cannot start on its first line).
                        let index: Int64? = counted == 1 ? nil : counted
                        let recordLine = captureLine, recordOverLength = overLength
                        try capture.withUnsafeBufferPointer {
                            try emit(Self.output($0, line: recordLine, index: index, overLength: recordOverLength))
                        }
                    }
                }
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                if stack.isEmpty && c != 0xEF && c != 0xBB && c != 0xBF { strayBytes += 1 }
            }
        }
    }

    /// The record cut off by the end of the data, if one was being read, with its index on
    /// its line (nil when it is the line's first: nothing follows it).
    func unfinishedRecord() -> (line: Int64, index: Int64?, bytes: [UInt8])? {
        capturing ? (captureLine, captureLine == countedLine ? counted + 1 : nil, capture) : nil
    }
}
