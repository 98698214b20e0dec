/// A small, strict scanner for one JSON object per line: it records each top-level member as
/// a range of the line (nested objects and arrays are validated and kept as raw text) instead
/// of building a dictionary, which is what makes ingest several times faster than
/// `JSONSerialization`. Tests compare it against Foundation's parser on the real samples.
struct JSONScanner {
    /// Why a line is not a JSON object we can load.
    enum Failure: Error, Equatable {
        case notAnObject
        case malformed(offset: Int, expected: String)
        case duplicateKey(String)
        case tooDeep
        case trailingData(offset: Int)

        var reason: RejectReason {
            switch self {
            case .duplicateKey: return .duplicateKey
            case .tooDeep: return .jsonTooDeep
            default: return .malformedJSON
            }
        }

        var message: String {
            switch self {
            case .notAnObject: return "not a JSON object (does not start with '{')"
            case .malformed(let offset, let expected): return "malformed JSON at byte \(offset + 1): expected \(expected)"
            case .duplicateKey(let key): return "JSON object has the key \"\(key)\" twice; refusing to guess which value is right"
            case .tooDeep: return "JSON nested more than \(JSONScanner.maxDepth) levels"
            case .trailingData(let offset): return "unexpected data after the JSON object at byte \(offset + 1)"
            }
        }
    }

    static let maxDepth = 64

    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.p = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!
        self.n = bytes.count
    }

    /// Scans `bytes` (one JSON object) into `record`.
    static func scanObject(_ bytes: UnsafeBufferPointer<UInt8>, into record: Record) throws(Failure) {
        var scanner = JSONScanner(bytes)
        record.reset(base: scanner.p, count: scanner.n)
        try scanner.scanTopLevel(record)
    }

    private mutating func scanTopLevel(_ record: Record) throws(Failure) {
        skipWhitespace()
        guard i < n, p[i] == UInt8(ascii: "{") else { throw .notAnObject }
        i += 1
        skipWhitespace()
        if i < n, p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                guard i < n, p[i] == UInt8(ascii: "\"") else { throw .malformed(offset: i, expected: "a quoted key") }
                let (keyStart, keyEnd, keyEscaped) = try scanString()
                skipWhitespace()
                guard i < n, p[i] == UInt8(ascii: ":") else { throw .malformed(offset: i, expected: "':'") }
                i += 1
                skipWhitespace()
                var field = Record.Field(keyStart: Int32(keyStart), keyEnd: Int32(keyEnd), key: -1, kind: .null,
                                         escaped: false, boolValue: false, valueStart: 0, valueEnd: 0)
                if !keyEscaped {
                    field.key = FieldKeyTable.shared.index(of: UnsafeBufferPointer(start: p + keyStart, count: keyEnd - keyStart))
                } else {
                    var decoded: [UInt8] = []
                    JSONScanner.unescape(UnsafeBufferPointer(start: p + keyStart, count: keyEnd - keyStart), into: &decoded)
                    field.key = decoded.withUnsafeBufferPointer { FieldKeyTable.shared.index(of: $0) }
                }
                try scanValue(&field, depth: 1)
                if !record.append(field) {
                    throw .duplicateKey(String(decoding: UnsafeBufferPointer(start: p + keyStart, count: keyEnd - keyStart), as: UTF8.self))
                }
                skipWhitespace()
                guard i < n else { throw .malformed(offset: i, expected: "',' or '}'") }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                throw .malformed(offset: i, expected: "',' or '}'")
            }
        }
        skipWhitespace()
        if i != n { throw .trailingData(offset: i) }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 } else { break }
        }
    }

    /// Scans a string starting at the opening quote; returns the content range and whether it
    /// holds escapes. Rejects raw control characters and bad escapes.
    private mutating func scanString() throws(Failure) -> (Int, Int, Bool) {
        i += 1
        let start = i
        var escaped = false
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                let end = i
                i += 1
                return (start, end, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < n else { break }
                let e = p[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < n, (2...5).allSatisfy({ JSONScanner.hexValue(p[i + $0]) != nil }) else {
                        throw .malformed(offset: i, expected: "four hex digits after \\u")
                    }
                    i += 6
                default:
                    throw .malformed(offset: i, expected: "a valid escape")
                }
                continue
            }
            if c < 0x20 { throw .malformed(offset: i, expected: "no raw control character inside a string") }
            i += 1
        }
        throw .malformed(offset: n, expected: "a closing quote")
    }

    private mutating func scanValue(_ field: inout Record.Field, depth: Int) throws(Failure) {
        guard i < n else { throw .malformed(offset: i, expected: "a value") }
        let c = p[i]
        switch c {
        case UInt8(ascii: "\""):
            let (s, e, esc) = try scanString()
            field.kind = .string
            field.escaped = esc
            field.valueStart = Int32(s)
            field.valueEnd = Int32(e)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = i
            try skipNested(depth: depth)
            field.kind = c == UInt8(ascii: "{") ? .object : .array
            field.valueStart = Int32(start)
            field.valueEnd = Int32(i)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            field.kind = .bool
            field.boolValue = true
            field.valueStart = Int32(i - 4); field.valueEnd = Int32(i)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            field.kind = .bool
            field.valueStart = Int32(i - 5); field.valueEnd = Int32(i)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            field.kind = .null
            field.valueStart = Int32(i - 4); field.valueEnd = Int32(i)
        default:
            let start = i
            try scanNumber()
            field.kind = .number
            field.valueStart = Int32(start)
            field.valueEnd = Int32(i)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard i + count <= n else { throw .malformed(offset: i, expected: "\(literal)") }
        let lp = literal.utf8Start
        for k in 0..<count where p[i + k] != lp[k] {
            throw .malformed(offset: i, expected: "\(literal)")
        }
        i += count
    }

    private mutating func scanNumber() throws(Failure) {
        let start = i
        if i < n, p[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < n, p[i] >= 0x30, p[i] <= 0x39 { i += 1; digits += 1 }
        guard digits > 0 else { throw .malformed(offset: start, expected: "a value") }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            var frac = 0
            while i < n, p[i] >= 0x30, p[i] <= 0x39 { i += 1; frac += 1 }
            guard frac > 0 else { throw .malformed(offset: i, expected: "digits after '.'") }
        }
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            var exp = 0
            while i < n, p[i] >= 0x30, p[i] <= 0x39 { i += 1; exp += 1 }
            guard exp > 0 else { throw .malformed(offset: i, expected: "exponent digits") }
        }
    }

    /// Skips a nested object or array, validating its syntax.
    private mutating func skipNested(depth: Int) throws(Failure) {
        guard depth <= JSONScanner.maxDepth else { throw .tooDeep }
        let open = p[i]
        let close: UInt8 = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        i += 1
        skipWhitespace()
        if i < n, p[i] == close { i += 1; return }
        var scratch = Record.Field(keyStart: 0, keyEnd: 0, key: -1, kind: .null, escaped: false, boolValue: false, valueStart: 0, valueEnd: 0)
        while true {
            skipWhitespace()
            if open == UInt8(ascii: "{") {
                guard i < n, p[i] == UInt8(ascii: "\"") else { throw .malformed(offset: i, expected: "a quoted key") }
                _ = try scanString()
                skipWhitespace()
                guard i < n, p[i] == UInt8(ascii: ":") else { throw .malformed(offset: i, expected: "':'") }
                i += 1
                skipWhitespace()
            }
            if i < n, p[i] == UInt8(ascii: "{") || p[i] == UInt8(ascii: "[") {
                try skipNested(depth: depth + 1)
            } else {
                try scanValue(&scratch, depth: depth + 1)
            }
            skipWhitespace()
            guard i < n else { throw .malformed(offset: i, expected: "',' or a closing bracket") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == close { i += 1; return }
            throw .malformed(offset: i, expected: "',' or a closing bracket")
        }
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Decodes the escapes of a JSON string's content (already validated) into UTF-8 bytes.
    /// Unpaired surrogates become U+FFFD so the result is always valid UTF-8.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = bytes.count
        out.reserveCapacity(out.count + n)
        while i < n {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\"), i + 1 < n else { out.append(c); i += 1; continue }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = readHex4(bytes, at: i) ?? 0xFFFD
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    if i + 6 <= n, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                       let low = readHex4(bytes, at: i + 2), (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)   // \" \\ \/
            }
        }
    }

    private static func readHex4(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let h = hexValue(bytes[i + k]) else { return nil }
            v = v << 4 | h
        }
        return v
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}

extension JSONScanner {
    /// The byte ranges of the elements of a JSON array (validated), relative to `bytes`.
    static func arrayElements(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [Range<Int>] {
        var s = JSONScanner(bytes)
        s.skipWhitespace()
        guard s.i < s.n, s.p[s.i] == UInt8(ascii: "[") else { throw .malformed(offset: s.i, expected: "'['") }
        s.i += 1
        var out: [Range<Int>] = []
        s.skipWhitespace()
        if s.i < s.n, s.p[s.i] == UInt8(ascii: "]") { return out }
        var scratch = Record.Field(keyStart: 0, keyEnd: 0, key: -1, kind: .null, escaped: false, boolValue: false, valueStart: 0, valueEnd: 0)
        while true {
            s.skipWhitespace()
            let start = s.i
            if s.i < s.n, s.p[s.i] == UInt8(ascii: "{") || s.p[s.i] == UInt8(ascii: "[") {
                try s.skipNested(depth: 1)
                out.append(start..<s.i)
            } else {
                try s.scanValue(&scratch, depth: 1)
                // Strings are returned without their quotes.
                out.append(scratch.kind == .string ? Int(scratch.valueStart)..<Int(scratch.valueEnd) : start..<s.i)
            }
            s.skipWhitespace()
            guard s.i < s.n else { throw .malformed(offset: s.i, expected: "',' or ']'") }
            if s.p[s.i] == UInt8(ascii: ",") { s.i += 1; continue }
            if s.p[s.i] == UInt8(ascii: "]") { return out }
            throw .malformed(offset: s.i, expected: "',' or ']'")
        }
    }

    /// The strings of a JSON array of strings (other elements as their JSON text).
    static func stringArray(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        guard let ranges = try? arrayElements(bytes) else { return [] }
        return ranges.map { r in
            var out: [UInt8] = []
            unescape(UnsafeBufferPointer(rebasing: bytes[r]), into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Encodes `s` as a JSON string literal, quotes included.
    static func quote(_ s: String) -> String {
        var copy = s
        return copy.withUTF8 { utf8 in
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 2)
            quote(utf8, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends `bytes` (valid UTF-8) as a JSON string literal, quotes included, to `out`:
    /// the bytes of `quote(String)`, written without a String per value (the EDR `extra` of
    /// every row is built this way). `"`, `\`, control characters and the line and paragraph
    /// separators U+2028/U+2029 are escaped; every other byte is copied as it is.
    static func quote(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(0x22)
        var runStart = 0
        var i = 0
        let n = bytes.count
        func flush(_ end: Int) {
            if end > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<end])) }
        }
        while i < n {
            let c = bytes[i]
            let escape: StaticString?
            var width = 1
            switch c {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0xE2 where i + 2 < n && bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA8:
                escape = "\\u2028"; width = 3
            case 0xE2 where i + 2 < n && bytes[i + 1] == 0x80 && bytes[i + 2] == 0xA9:
                escape = "\\u2029"; width = 3
            case 0..<0x20:
                flush(i)
                func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
                out.append(0x5C); out.append(0x75); out.append(0x30); out.append(0x30)
                out.append(hex(c >> 4)); out.append(hex(c & 0x0F))
                i += 1
                runStart = i
                continue
            default:
                escape = nil
            }
            if let escape {
                flush(i)
                out.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                i += width
                runStart = i
            } else {
                i += 1
            }
        }
        flush(n)
        out.append(0x22)
    }

    /// A JSON array literal of strings.
    static func arrayLiteral(_ items: [String]) -> String {
        "[" + items.map(quote).joined(separator: ",") + "]"
    }
}
