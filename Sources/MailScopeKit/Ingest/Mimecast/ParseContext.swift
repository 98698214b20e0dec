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
    /// Message-ID: the normalized join key and the value as logged.
    func setMessageID(_ record: Record, _ key: FieldKey) {
        let raw = record.string(key)
        set(.message_id_raw, raw)
        set(.message_id, MessageID.normalize(raw))
    }

    /// An address column and its domain column, normalized.
    func setEmail(_ column: Column, domain domainColumn: Column?, _ record: Record, _ key: FieldKey) {
        let address = EmailAddress.normalize(record.string(key))
        set(column, address)
        if let domainColumn { set(domainColumn, EmailAddress.domain(address)) }
    }

    /// Lowercased text (verdicts, actions, directions, whose case varies between exports).
    func setLowercased(_ column: Column, _ record: Record, _ key: FieldKey) {
        set(column, record.string(key).flatMap { $0.isEmpty ? nil : $0.lowercased() })
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

    /// Everything in `record` no column took, as a JSON object in `extra` (nothing is dropped).
    func setExtra(_ record: Record, ignoring ignored: [FieldKey] = [.offset, .partition]) {
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
        guard let t = text?.trimmingCharacters(in: .whitespaces).lowercased(), !t.isEmpty,
              [32, 40, 64, 128].contains(t.utf8.count),
              t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
              t.utf8.contains(where: { $0 != 0x30 }) else { return nil }
        return t
    }
}

import Foundation
