/// Email addresses as join keys: trimmed, angle brackets and a display name removed,
/// lowercased. `"John Doe" <John.Doe@Example.COM>` → `john.doe@example.com`.
/// The work is done on UTF-8 bytes in place (`normalize(_:in:)`), which ingest runs on its
/// batch arena several times per event without allocating.
public enum EmailAddress {
    /// The normalized address, or nil when the text holds none (`<>`, empty).
    public static func normalize(_ text: String?) -> String? {
        ByteNormalization.apply(text, normalize)
    }

    /// Normalizes the address in `bytes[range]` in place and returns the sub-range it now
    /// occupies, or nil when there is none. Non-ASCII letters are lowercased by rewriting the
    /// range (rare: internationalised addresses).
    static func normalize(_ bytes: inout [UInt8], in range: Range<Int>) -> Range<Int>? {
        var s = range.lowerBound, e = range.upperBound
        func trim() {
            while s < e, isSpace(bytes[s]) { s += 1 }
            while e > s, isSpace(bytes[e - 1]) { e -= 1 }
        }
        trim()
        if let open = bytes[s..<e].lastIndex(of: UInt8(ascii: "<")),
           let close = bytes[(open + 1)..<e].firstIndex(of: UInt8(ascii: ">")) {
            s = open + 1
            e = close
            trim()
        }
        if e - s >= 7, (bytes[s] | 0x20) == UInt8(ascii: "m"), (bytes[s + 1] | 0x20) == UInt8(ascii: "a"),
           (bytes[s + 2] | 0x20) == UInt8(ascii: "i"), (bytes[s + 3] | 0x20) == UInt8(ascii: "l"),
           (bytes[s + 4] | 0x20) == UInt8(ascii: "t"), (bytes[s + 5] | 0x20) == UInt8(ascii: "o"), bytes[s + 6] == UInt8(ascii: ":") {
            s += 7
        }
        guard e > s else { return nil }
        var ascii = true
        for k in s..<e {
            let c = bytes[k]
            if c >= 0x80 { ascii = false } else if c >= 0x41 && c <= 0x5A { bytes[k] = c | 0x20 }
        }
        if !ascii {
            let lowered = Array(String(decoding: bytes[s..<e], as: UTF8.self).lowercased().utf8)
            let start = bytes.count
            bytes.append(contentsOf: lowered)
            return start..<bytes.count
        }
        return s..<e
    }

    /// The SMTP null reverse-path (`MAIL FROM:<>`) of bounces and delivery reports, as Mimecast
    /// logs it (`Sender`, `senderEnvelope`, a TTP Attachment `senderAddress`). It is stored as
    /// the sender, so such a message is not mistaken for one whose sender was not logged; it has
    /// no domain (`sender_domain` stays NULL), so nothing that joins on the domain matches it,
    /// and correlation never treats it as a campaign's sender or an indicator to block.
    public static let nullSender = "<>"

    /// A sender address: normalized like any address, or `nullSender` for `<>`.
    public static func normalizeSender(_ text: String?) -> String? {
        if let text, isNullSender(Array(text.utf8)[...]) { return nullSender }
        return normalize(text)
    }

    /// True when the bytes, blanks aside, are exactly `<>`.
    static func isNullSender(_ bytes: ArraySlice<UInt8>) -> Bool {
        var s = bytes.startIndex, e = bytes.endIndex
        while s < e, isSpace(bytes[s]) { s += 1 }
        while e > s, isSpace(bytes[e - 1]) { e -= 1 }
        return e - s == 2 && bytes[s] == UInt8(ascii: "<") && bytes[s + 1] == UInt8(ascii: ">")
    }

    /// The domain part of a normalized address (after the last `@`).
    public static func domain(_ address: String?) -> String? {
        guard let address else { return nil }
        let utf8 = address.utf8
        guard let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let d = address[address.utf8.index(after: at)...]
        return d.isEmpty ? nil : String(d)
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}

/// Runs an in-place byte normalizer (`(inout bytes, range) -> range?`) on a String.
enum ByteNormalization {
    static func apply(_ text: String?, _ normalizer: (inout [UInt8], Range<Int>) -> Range<Int>?) -> String? {
        guard let text else { return nil }
        var bytes = Array(text.utf8)
        guard let range = normalizer(&bytes, 0..<bytes.count) else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }
}
