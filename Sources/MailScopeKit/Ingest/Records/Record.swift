/// One event as a flat set of named fields over the bytes of its line: what a JSON object, a
/// key=value line or a CSV row becomes before a format parser maps it to a table row.
///
/// Values are not decoded up front: a field is a range into the line plus its kind, and the
/// parser decodes only what it uses. The record is reused from line to line (no allocation
/// per line); it is valid only while the line's bytes are.
final class Record {
    /// The kind of a field's value.
    enum Kind: UInt8 {
        case string      // JSON string (range excludes the quotes; may hold escapes)
        case number
        case bool
        case null
        case object      // raw JSON text
        case array       // raw JSON text
        case text        // plain text from key=value or CSV: no escapes
    }

    struct Field {
        var keyStart: Int32
        var keyEnd: Int32
        var key: Int16          // index in FieldKey.allCases, -1 when unknown
        var kind: Kind
        var escaped: Bool       // a JSON string with backslash escapes
        var boolValue: Bool
        var valueStart: Int32
        var valueEnd: Int32
    }

    private(set) var base: UnsafePointer<UInt8>
    private(set) var count: Int
    var fields: [Field] = []
    /// Per known key, the index of its field in `fields`, or -1.
    private var slots: [Int32]
    /// Which fields a parser has used; the rest go to `extra`.
    var consumed: [Bool] = []
    /// True for JSON records (keys and string values are JSON text); false for key=value.
    var isJSON = true

    init() {
        self.base = UnsafePointer(bitPattern: 1)!
        self.count = 0
        self.slots = [Int32](repeating: -1, count: FieldKey.allCases.count)
        fields.reserveCapacity(64)
        consumed.reserveCapacity(64)
    }

    /// Forgets the previous line's fields and points at a new line.
    func reset(base: UnsafePointer<UInt8>, count: Int) {
        for field in fields where field.key >= 0 { slots[Int(field.key)] = -1 }
        fields.removeAll(keepingCapacity: true)
        consumed.removeAll(keepingCapacity: true)
        self.base = base
        self.count = count
        self.isJSON = true
    }

    /// Adds a field; returns false when its (known) key is already present.
    @discardableResult
    func append(_ field: Field) -> Bool {
        if field.key >= 0 {
            if slots[Int(field.key)] >= 0 { return false }
            slots[Int(field.key)] = Int32(fields.count)
        }
        fields.append(field)
        consumed.append(false)
        return true
    }

    /// The field for `key`, when present.
    @inline(__always)
    func field(_ key: FieldKey) -> Field? {
        let i = slots[key.index]
        return i < 0 ? nil : fields[Int(i)]
    }

    /// True when `key` is present (even as null).
    func has(_ key: FieldKey) -> Bool { slots[key.index] >= 0 }

    /// True when `key` is present with a value other than null or an empty string.
    func hasValue(_ key: FieldKey) -> Bool {
        guard let f = field(key) else { return false }
        if f.kind == .null { return false }
        if (f.kind == .string || f.kind == .text) && f.valueEnd == f.valueStart { return false }
        return true
    }

    /// Marks `key` as used so it does not go to `extra`.
    @inline(__always)
    func consume(_ key: FieldKey) {
        let i = slots[key.index]
        if i >= 0 { consumed[Int(i)] = true }
    }

    /// Gives a used field back, so it goes to `extra` as well (a value whose column keeps only
    /// part of it, such as an address without its display name).
    func release(_ key: FieldKey) {
        let i = slots[key.index]
        if i >= 0 { consumed[Int(i)] = false }
    }

    func valueBytes(_ field: Field) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + Int(field.valueStart), count: Int(field.valueEnd - field.valueStart))
    }

    func keyBytesOf(_ field: Field) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + Int(field.keyStart), count: Int(field.keyEnd - field.keyStart))
    }

    /// The value as a Swift string (JSON escapes decoded; numbers, bools and nested JSON as
    /// their text); nil for null or a missing key. Marks the key consumed.
    func string(_ key: FieldKey) -> String? {
        consume(key)
        guard let f = field(key) else { return nil }
        return string(of: f)
    }

    func string(of f: Field) -> String? {
        switch f.kind {
        case .null: return nil
        case .bool: return f.boolValue ? "true" : "false"
        case .string where f.escaped:
            var out: [UInt8] = []
            JSONScanner.unescape(valueBytes(f), into: &out)
            return String(decoding: out, as: UTF8.self)
        default:
            return String(decoding: valueBytes(f), as: UTF8.self)
        }
    }

    /// The value as an integer: a JSON number, or a string holding one ("31363"). Marks consumed.
    func int(_ key: FieldKey) -> Int64? {
        consume(key)
        guard let f = field(key) else { return nil }
        switch f.kind {
        case .number, .string, .text:
            return Record.parseInt(valueBytes(f))
        default:
            return nil
        }
    }

    /// The value as a boolean: JSON true/false or the strings "true"/"false"/"yes"/"no"/"1"/"0"
    /// in any case. Marks consumed.
    func bool(_ key: FieldKey) -> Bool? {
        consume(key)
        guard let f = field(key) else { return nil }
        switch f.kind {
        case .bool: return f.boolValue
        case .number, .string, .text:
            let bytes = valueBytes(f)
            func isWord(_ word: StaticString) -> Bool {
                guard bytes.count == word.utf8CodeUnitCount else { return false }
                for k in 0..<bytes.count where bytes[k] | 0x20 != word.utf8Start[k] { return false }
                return true
            }
            if isWord("true") || isWord("yes") || isWord("1") { return true }
            if isWord("false") || isWord("no") || isWord("0") { return false }
            return nil
        default: return nil
        }
    }

    static func parseInt(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = bytes.count
        while i < n, bytes[i] == 0x20 { i += 1 }
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < n else { return nil }
        var value: Int64 = 0
        var digits = 0
        while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
            if o1 || o2 { return nil }
            value = a
            i += 1
            digits += 1
        }
        // Accept a zero fraction ("5.0") but nothing else after the digits.
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] == 0x30 { i += 1 }
        }
        guard digits > 0, i == n else { return nil }
        return negative ? -value : value
    }
}

extension FieldKey {
    /// Position in `allCases`. A payload-free enum is stored as its declaration index, so this
    /// is a register move rather than a hash lookup (checked by `FieldKeyTests`).
    @inline(__always)
    var index: Int {
        MemoryLayout<FieldKey>.size == 1
            ? Int(unsafeBitCast(self, to: UInt8.self))
            : Int(unsafeBitCast(self, to: UInt16.self))
    }
}
