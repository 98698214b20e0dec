/// Splits a legacy SIEM key=value line (`datetime=…|aCode=…|Subject=\message subject\|…`)
/// into a record. A value ends at a `|` followed by `Key=`; values wrapped in backslashes
/// (Mimecast's quoting for values with spaces) and JSON values (`SpamProcessingDetail={…}`)
/// may contain `|` and are read to their end.
enum KeyValueScanner {
    /// True when `bytes` starts like a key=value line (`identifier=`).
    static func looksLikeKeyValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count, isKeyByte(bytes[i], first: i == 0) { i += 1 }
        return i > 0 && i < bytes.count && bytes[i] == UInt8(ascii: "=") && bytes.contains(UInt8(ascii: "|"))
    }

    @inline(__always)
    static func isKeyByte(_ c: UInt8, first: Bool) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            || (!first && ((c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-")))
    }

    /// The length of `Key=` at `i` (key and '='), or 0 when none starts there.
    private static func keyLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        var j = i
        while j < p.count, isKeyByte(p[j], first: j == i) { j += 1 }
        return j > i && j < p.count && p[j] == UInt8(ascii: "=") ? j - i + 1 : 0
    }

    /// Scans `bytes` into `record`; false when the line has no key=value pair at all.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, into record: Record) -> Bool {
        record.reset(base: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: bytes.count)
        record.isJSON = false
        var n = bytes.count
        while n > 0, bytes[n - 1] == 0x20 || bytes[n - 1] == 0x0D { n -= 1 }
        var i = 0
        var any = false
        while i < n {
            let kl = keyLength(bytes, at: i)
            guard kl > 0 else { return any }
            let keyStart = i, keyEnd = i + kl - 1
            var vs = i + kl
            var ve: Int
            var kind: Record.Kind = .text
            if vs < n, bytes[vs] == UInt8(ascii: "\\") {
                // \value with spaces\ — ends at a backslash followed by '|' or the end.
                var j = vs + 1
                while j < n, !(bytes[j] == UInt8(ascii: "\\") && (j + 1 == n || bytes[j + 1] == UInt8(ascii: "|"))) { j += 1 }
                if j < n {
                    vs += 1
                    ve = j
                    i = j + 1
                } else {
                    ve = nextSeparator(bytes, from: vs, end: n)
                    i = ve
                }
            } else if vs < n, bytes[vs] == UInt8(ascii: "{") || bytes[vs] == UInt8(ascii: "[") {
                let close = matchingBracket(bytes, from: vs, end: n)
                if let close, close + 1 == n || bytes[close + 1] == UInt8(ascii: "|") {
                    ve = close + 1
                    kind = bytes[vs] == UInt8(ascii: "{") ? .object : .array
                } else {
                    ve = nextSeparator(bytes, from: vs, end: n)
                }
                i = ve
            } else {
                ve = nextSeparator(bytes, from: vs, end: n)
                i = ve
            }
            let keyBuffer = UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd])
            let field = Record.Field(keyStart: Int32(keyStart), keyEnd: Int32(keyEnd),
                                     key: FieldKeyTable.shared.index(of: keyBuffer), kind: kind, escaped: false,
                                     boolValue: false, valueStart: Int32(vs), valueEnd: Int32(ve))
            if !record.append(field) { return false }
            any = true
            if i < n, bytes[i] == UInt8(ascii: "|") { i += 1 }
        }
        return any
    }

    /// The index of the next `|` that starts a `Key=`, or `end`.
    private static func nextSeparator(_ p: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int {
        var j = from
        while j < end {
            if p[j] == UInt8(ascii: "|"), keyLength(p, at: j + 1) > 0 { return j }
            j += 1
        }
        return end
    }

    /// The index of the bracket closing the one at `from`, string-aware.
    private static func matchingBracket(_ p: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
        var depth = 0
        var inString = false
        var j = from
        while j < end {
            let c = p[j]
            if inString {
                if c == UInt8(ascii: "\\") { j += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return j }
            }
            j += 1
        }
        return nil
    }
}
