/// Decoding of Mimecast's composite values: attachment-name lists, the SPF/DKIM/DMARC verdicts
/// inside `spamProcessingDetail`, aggregate ids, times.
enum FieldDecoding {
    /// `"\"a.pdf\", \"b.png\""` → ["a.pdf", "b.png"]; a JSON array or a plain comma list works too.
    static func attachmentNames(_ text: String?) -> [String] {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return [] }
        if t.hasPrefix("[") {
            var copy = t
            let names = copy.withUTF8 { JSONScanner.stringArray($0) }
            if !names.isEmpty { return names }
        }
        if t.contains("\"") {
            var names: [String] = []
            var current = ""
            var inside = false
            for ch in t {
                if ch == "\"" {
                    if inside { names.append(current); current = "" }
                    inside.toggle()
                } else if inside {
                    current.append(ch)
                }
            }
            if inside, !current.isEmpty { names.append(current) }
            return names
        }
        return t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The `info` verdicts of spf, dkim and dmarc in a spamProcessingDetail value, which may be
    /// an object, a JSON string, or a JSON string of a JSON string.
    static func authVerdicts(_ record: Record, _ key: FieldKey, scratch: Record, scratch2: Record) -> (spf: String?, dkim: String?, dmarc: String?) {
        guard let f = record.field(key) else { return (nil, nil, nil) }
        var json: [UInt8] = []
        switch f.kind {
        case .object:
            json.append(contentsOf: record.valueBytes(f))
        case .string where f.escaped:
            JSONScanner.unescape(record.valueBytes(f), into: &json)
            // Double-encoded: a string whose content is again a JSON string.
            if json.first == UInt8(ascii: "\""), json.count >= 2 {
                var once: [UInt8] = []
                json[1..<(json.count - 1)].withUnsafeBufferPointer { JSONScanner.unescape($0, into: &once) }
                json = once
            }
        case .string, .text:
            json.append(contentsOf: record.valueBytes(f))
        default:
            return (nil, nil, nil)
        }
        return json.withUnsafeBufferPointer { buf -> (String?, String?, String?) in
            guard (try? JSONScanner.scanObject(buf, into: scratch)) != nil else { return (nil, nil, nil) }
            func info(_ k: FieldKey) -> String? {
                guard let sub = scratch.field(k), sub.kind == .object else { return nil }
                let bytes = scratch.valueBytes(sub)
                guard (try? JSONScanner.scanObject(bytes, into: scratch2)) != nil else { return nil }
                return scratch2.string(.info)?.lowercased()
            }
            return (info(.spf), info(.dkim), info(.dmarc))
        }
    }

    /// API 2.0 aggregateId without the optional `_<epoch seconds>` suffix, so the same message
    /// joins whether or not an export added it.
    static func aggregateID(_ raw: String?) -> (normalized: String?, hadSuffix: Bool) {
        guard let raw, !raw.isEmpty else { return (nil, false) }
        let bytes = Array(raw.utf8)
        let range = aggregateIDRange(bytes, 0..<bytes.count)
        return (String(decoding: bytes[range], as: UTF8.self), range.count != bytes.count)
    }

    /// The aggregateId in `bytes[range]` without its `_<9–11 digits>` suffix (a sub-range).
    static func aggregateIDRange(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        guard let underscore = bytes[range].lastIndex(of: UInt8(ascii: "_")), underscore > range.lowerBound else { return range }
        let digits = range.upperBound - underscore - 1
        guard (9...11).contains(digits), bytes[(underscore + 1)..<range.upperBound].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return range }
        return range.lowerBound..<underscore
    }

    /// The `_<digits>` suffix that `aggregateIDRange` cut from `bytes[raw]` (leaving
    /// `bytes[id]`), as a number; nil when there is none or when the number would not print
    /// back as the same digits (a leading zero).
    static func aggregateIDSuffix(_ bytes: [UInt8], _ raw: Range<Int>, _ id: Range<Int>) -> Int64? {
        guard id.upperBound + 1 < raw.upperBound, id.lowerBound == raw.lowerBound else { return nil }
        let digits = bytes[(id.upperBound + 1)..<raw.upperBound]
        guard let first = digits.first, first != UInt8(ascii: "0") else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    /// The file extension of a file name, lowercased, without the dot.
    static func fileExtension(_ name: String?) -> String? {
        guard let name, let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        guard !ext.isEmpty, ext.count <= 16, !ext.contains("/"), !ext.contains("\\"), !ext.contains(" ") else { return nil }
        return ext.lowercased()
    }
}

/// Reads an event's time, turning a missing or unreadable value into a reject.
struct EventTime {
    static func require(_ record: Record, _ keys: [FieldKey]) throws(ParseFailure) -> Int64 {
        for key in keys where record.hasValue(key) {
            record.consume(key)
            guard let f = record.field(key) else { continue }
            let ms: Int64?
            switch f.kind {
            case .number, .string, .text:
                if f.kind == .string, f.escaped {
                    ms = record.string(of: f).flatMap { TimeParser.parse($0) }
                } else {
                    ms = TimeParser.parse(bytes: record.valueBytes(f))
                }
            default:
                ms = nil
            }
            guard let ms else {
                let shown = record.string(of: f).map { String($0.prefix(60)) } ?? "?"
                throw ParseFailure(reason: .badTimestamp, detail: "\(key.rawValue) \"\(shown)\" is not a date MailScope can read")
            }
            guard TimeParser.plausibleRange.contains(ms) else {
                throw ParseFailure(reason: .timestampOutOfRange, detail: "\(key.rawValue) \(TimeParser.iso8601(ms)) is outside 1990–2100")
            }
            return ms
        }
        throw ParseFailure(reason: .missingTimestamp, detail: "no \(keys.map(\.rawValue).joined(separator: "/")) field")
    }
}

import Foundation
