/// What a format parser needs besides the record: where rows go, how to key them, and what the
/// file told us about itself.
final class ParseContext {
    let batch: RowBatch
    let seed: (UInt64, UInt64)
    /// The file as named in messages.
    let fileLabel: String
    /// The legacy SIEM log type implied by the file name (`receipt_2021….json`), used only when
    /// a row's own keys do not tell.
    let fileNameTypeHint: LegacySIEMType?
    /// Scratch records for nested JSON (reused, never escapes a call).
    let nested = Record()
    let nested2 = Record()
    /// Unknown event types seen in this file, with their first line (for one notice each).
    var unknownTypes: [String: Int64] = [:]

    init(batch: RowBatch, seed: (UInt64, UInt64), fileLabel: String, fileNameTypeHint: LegacySIEMType?,
         unknownTypes: [String: Int64] = [:]) {
        self.unknownTypes = unknownTypes
        self.batch = batch
        self.seed = seed
        self.fileLabel = fileLabel
        self.fileNameTypeHint = fileNameTypeHint
    }
}

/// A record that cannot be loaded: the reason code and a message for the user.
struct ParseFailure: Error {
    var reason: RejectReason
    var detail: String
}

/// Helpers every Mimecast parser uses to fill the common columns the same way.
extension RowBatch {
    /// Message-ID: the normalized join key (a sub-range of the same bytes when nothing needs
    /// rewriting) and the value as logged, the latter only when it is not `<` + key + `>`: the
    /// form nearly every export logs (99.7 % of the rows of the scale set), so storing it again
    /// cost 57 bytes per mail_message row (issue 20). A reader wanting the logged form reads
    /// `COALESCE(message_id_raw, '<' || message_id || '>')`.
    func setMessageID(_ record: Record, _ key: FieldKey) {
        guard let raw = appendValue(record, key) else { return }
        let id = MessageID.normalize(&arena, in: raw)
        if let id {
            cells.append(Cell(column: .message_id, value: .text(start: Int32(id.lowerBound), count: Int32(id.count))))
        }
        if let id, MessageID.isBracketed(arena, raw, id) { return }
        cells.append(Cell(column: .message_id_raw, value: .text(start: Int32(raw.lowerBound), count: Int32(raw.count))))
    }

    /// An address column and its domain column, normalized in the arena (no String made).
    func setEmail(_ column: Column, domain domainColumn: Column?, _ record: Record, _ key: FieldKey) {
        guard let raw = appendValue(record, key) else { return }
        let exportedCount = raw.count
        guard let address = EmailAddress.normalize(&arena, in: raw) else { return }
        // A header with a display name ("Billing Dept <billing@…>") keeps its whole text in
        // extra; the column holds the address.
        if exportedCount > address.count + 2 { record.release(key) }
        cells.append(Cell(column: column, value: .text(start: Int32(address.lowerBound), count: Int32(address.count))))
        guard let domainColumn, let at = arena[address].lastIndex(of: UInt8(ascii: "@")), at + 1 < address.upperBound else { return }
        cells.append(Cell(column: domainColumn, value: .text(start: Int32(at + 1), count: Int32(address.upperBound - at - 1))))
    }

    /// The envelope sender and its domain, like `setEmail`, except that the null sender `<>`
    /// is kept as `EmailAddress.nullSender` (with no domain) instead of dropped.
    func setSender(_ record: Record, _ key: FieldKey) {
        guard let raw = appendValue(record, key) else { return }
        guard EmailAddress.isNullSender(arena[raw]) else {
            guard let address = EmailAddress.normalize(&arena, in: raw) else { return }
            cells.append(Cell(column: .sender, value: .text(start: Int32(address.lowerBound), count: Int32(address.count))))
            guard let at = arena[address].lastIndex(of: UInt8(ascii: "@")), at + 1 < address.upperBound else { return }
            cells.append(Cell(column: .sender_domain, value: .text(start: Int32(at + 1), count: Int32(address.upperBound - at - 1))))
            return
        }
        arena.removeSubrange(raw)   // the value as logged, perhaps with blanks: store the canonical form
        set(.sender, EmailAddress.nullSender)
    }

    /// Lowercased text (verdicts, actions, directions, whose case varies between exports).
    func setLowercased(_ column: Column, _ record: Record, _ key: FieldKey) {
        guard let r = appendValue(record, key) else { return }
        var ascii = true
        for k in r {
            let c = arena[k]
            if c >= 0x80 { ascii = false } else if c >= 0x41 && c <= 0x5A { arena[k] = c | 0x20 }
        }
        if ascii {
            cells.append(Cell(column: column, value: .text(start: Int32(r.lowerBound), count: Int32(r.count))))
        } else {
            let lowered = String(decoding: arena[r], as: UTF8.self).lowercased()
            arena.removeSubrange(r)
            set(column, lowered)
        }
    }

    /// Appends a field's text to the arena (JSON escapes decoded, numbers and booleans as
    /// text) and returns its range; nil (nothing appended) for missing, null or empty values.
    /// Marks the key consumed.
    func appendValue(_ record: Record, _ key: FieldKey) -> Range<Int>? {
        record.consume(key)
        guard let f = record.field(key), f.kind != .null else { return nil }
        let start = arena.count
        switch f.kind {
        case .string where f.escaped:
            JSONScanner.unescape(record.valueBytes(f), into: &arena)
        case .bool:
            arena.append(contentsOf: f.boolValue ? "true".utf8 : "false".utf8)
        default:
            arena.append(contentsOf: record.valueBytes(f))
        }
        return arena.count > start ? start..<arena.count : nil
    }

    /// The three hash columns (lowercase hex; empty or all-zero values store nothing).
    func setHashes(_ record: Record, sha256: FieldKey, sha1: FieldKey, md5: FieldKey) {
        setHash(.sha256, record, sha256)
        setHash(.sha1, record, sha1)
        setHash(.md5, record, md5)
    }

    /// `file_name`, and `file_ext` from the export's own extension field or else the name.
    func setFileName(_ record: Record, name nameKey: FieldKey, ext extKey: FieldKey?) {
        let name = record.string(nameKey)
        set(.file_name, name)
        set(.file_ext, extKey.flatMap { record.string($0)?.lowercased() } ?? FieldDecoding.fileExtension(name))
    }

    /// An address (recipient, clicking user) and its domain: `given` when a multi-recipient
    /// event was fanned out, else the record's `recipients`/`recipient` field.
    func setAddress(_ column: Column, domain domainColumn: Column, _ record: Record, given: String??, keys: [FieldKey]) {
        for key in keys { record.consume(key) }
        let value: String?
        if case .some(let address) = given {
            value = address
        } else {
            value = keys.lazy.compactMap { record.string($0) }.first
        }
        let address = EmailAddress.normalize(value)
        set(column, address)
        set(domainColumn, EmailAddress.domain(address))
    }

    /// Lowercased hex hash, or nothing for empty or all-zero values.
    func setHash(_ column: Column, _ record: Record, _ key: FieldKey) {
        set(column, Hashes.normalize(record.string(key)))
    }

    /// A URL as seen plus (in `url_click`) its unwrapped form and host, and its registrable domain.
    func setURL(_ record: Record, _ key: FieldKey) {
        let raw = record.string(key)
        set(.url, raw)
        guard let n = URLNormalizer.normalize(raw) else { return }
        if currentTable == .urlClick {
            set(.url_unwrapped, n.url)
            set(.url_host, n.host)
            set(.url_resource, n.resource)
        }
        set(.url_domain, n.domain)
    }

    /// The raw JSON text of a nested value (objects, arrays), or a JSON-in-string value decoded
    /// once; "null" strings become NULL.
    func setJSON(_ column: Column, _ record: Record, _ key: FieldKey) {
        record.consume(key)
        guard let f = record.field(key) else { return }
        switch f.kind {
        case .object, .array:
            setBytes(column, record.valueBytes(f))
        case .string, .text:
            guard let s = record.string(of: f), !s.isEmpty, s != "null" else { return }
            set(column, s)
        default:
            return
        }
    }

    /// Everything in `record` no column took, as a JSON object in `extra` (nothing is dropped):
    /// the API 2.0 stream's `_offset` and `_partition` too, which locate the event in
    /// Mimecast's stream (they stay out of the dedup key, so a re-downloaded batch still matches).
    func setExtra(_ record: Record, ignoring ignored: [FieldKey] = []) {
        for key in ignored { record.consume(key) }
        var first = true
        var start: Int32 = 0
        for (i, f) in record.fields.enumerated() where !record.consumed[i] {
            if first {
                start = Int32(arena.count)
                arena.append(UInt8(ascii: "{"))
                first = false
            } else {
                arena.append(UInt8(ascii: ","))
            }
            appendJSONKey(record, f)
            arena.append(UInt8(ascii: ":"))
            switch f.kind {
            case .string:
                arena.append(UInt8(ascii: "\""))
                arena.append(contentsOf: record.valueBytes(f))
                arena.append(UInt8(ascii: "\""))
            case .text:
                let s = record.string(of: f) ?? ""
                arena.append(contentsOf: Array(JSONScanner.quote(s).utf8))
            default:
                arena.append(contentsOf: record.valueBytes(f))
            }
        }
        guard !first else { return }
        arena.append(UInt8(ascii: "}"))
        cells.append(Cell(column: .extra, value: .text(start: start, count: Int32(arena.count) - start)))
    }

    private func appendJSONKey(_ record: Record, _ f: Record.Field) {
        if record.isJSON {
            arena.append(UInt8(ascii: "\""))
            arena.append(contentsOf: record.keyBytesOf(f))
            arena.append(UInt8(ascii: "\""))
        } else {
            let key = String(decoding: record.keyBytesOf(f), as: UTF8.self)
            arena.append(contentsOf: Array(JSONScanner.quote(key).utf8))
        }
    }
}

/// Hash values as join keys.
public enum Hashes {
    /// Lowercase hex of the right length (32, 40, 64 or 128), or nil for empty, all-zero or
    /// non-hex values.
    public static func normalize(_ text: String?) -> String? {
        guard let text else { return nil }
        if isNormalized(text) { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for c in text.utf8 where c != 0x20 {
            switch c {
            case 0x30...0x39, 0x61...0x66: bytes.append(c)
            case 0x41...0x46: bytes.append(c | 0x20)
            default: return nil
            }
        }
        guard [32, 40, 64, 128].contains(bytes.count), bytes.contains(where: { $0 != 0x30 }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Already what `normalize` returns (lowercase hex of a hash's length, not all zeros):
    /// most exports write hashes so, and the text is then kept without a copy.
    static func isNormalized(_ text: String) -> Bool {
        let count = text.utf8.count
        guard count == 32 || count == 40 || count == 64 || count == 128 else { return false }
        func check(_ u: some Sequence<UInt8>) -> Bool {
            var nonZero = false
            for c in u {
                switch c {
                case 0x30: break
                case 0x31...0x39, 0x61...0x66: nonZero = true
                default: return false
                }
            }
            return nonZero
        }
        return text.utf8.withContiguousStorageIfAvailable(check) ?? check(text.utf8)
    }
}

import Foundation
