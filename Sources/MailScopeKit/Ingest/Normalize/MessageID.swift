/// Message-IDs as join keys: whitespace and the enclosing `<>` removed, including the
/// `\u003c…\u003e` escaped forms seen in real exports. Case is kept (the local part of a
/// Message-ID is case-sensitive). Works on UTF-8 bytes: it runs for most events.
public enum MessageID {
    public static func normalize(_ text: String?) -> String? {
        ByteNormalization.apply(text, normalize)
    }

    /// The range of `bytes[range]` that is the normalized Message-ID (a sub-range when nothing
    /// needs rewriting; else new bytes appended to `bytes`), or nil when it is empty.
    static func normalize(_ bytes: inout [UInt8], in range: Range<Int>) -> Range<Int>? {
        var s = range.lowerBound, e = range.upperBound
        if bytes[s..<e].contains(UInt8(ascii: "\\")) {
            let rewritten = unescapeAngles(bytes[s..<e])
            s = bytes.count
            bytes.append(contentsOf: rewritten)
            e = bytes.count
        }
        func strippable(_ c: UInt8) -> Bool { c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || EmailAddress.isSpace(c) }
        while s < e, strippable(bytes[s]) { s += 1 }
        while e > s, strippable(bytes[e - 1]) { e -= 1 }
        return e > s ? s..<e : nil
    }

    /// True when the logged bytes `bytes[raw]` are exactly `<` + `bytes[id]` + `>`, so the
    /// logged form need not be stored beside the normalized one.
    static func isBracketed(_ bytes: [UInt8], _ raw: Range<Int>, _ id: Range<Int>) -> Bool {
        guard raw.count == id.count + 2, bytes[raw.lowerBound] == UInt8(ascii: "<"),
              bytes[raw.upperBound - 1] == UInt8(ascii: ">") else { return false }
        return bytes[(raw.lowerBound + 1)..<(raw.upperBound - 1)].elementsEqual(bytes[id])
    }

    /// Replaces literal `\u003c` / `\u003e` (any hex case) with `<` / `>`.
    private static func unescapeAngles(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if i + 6 <= bytes.endIndex, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] | 0x20 == UInt8(ascii: "u"),
               bytes[i + 2] == UInt8(ascii: "0"), bytes[i + 3] == UInt8(ascii: "0"), bytes[i + 4] == UInt8(ascii: "3") {
                switch bytes[i + 5] | 0x20 {
                case UInt8(ascii: "c"): out.append(UInt8(ascii: "<")); i += 6; continue
                case UInt8(ascii: "e"): out.append(UInt8(ascii: ">")); i += 6; continue
                default: break
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
