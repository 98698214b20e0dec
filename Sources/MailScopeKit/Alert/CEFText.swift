import Foundation

/// Escaping for ArcSight Common Event Format (CEF) fields, the payload of the syslog alerts.
///
/// A CEF line is `CEF:0|vendor|product|version|signature|name|severity|key=value key=value…`:
/// a `|` in a header field or a `=` in an extension value would move every field after it, and
/// a newline would end the event early. Attacker text (subjects, file names, URLs) reaches the
/// line, so each field is escaped as the CEF specification says — in headers `\` → `\\` and
/// `|` → `\|`; in extension values `\` → `\\`, `=` → `\=`, newline → `\n`, carriage return → `\r`
/// — and, because SIEM consoles and `tail -f` show these lines on terminals, every other
/// control character (ESC, C1, DEL, tab) and every bidirectional override becomes visible text
/// (`\u{1B}`, with its backslash escaped like any other), as `TerminalText` writes them.
public enum CEFText {
    /// A header field (vendor, product, version, signature id, name). Newlines have no escape
    /// in a header: they become visible `\u{A}` text like the other controls.
    public static func header(_ text: String) -> String { escape(text, headerEscapes) }

    /// An extension value.
    public static func value(_ text: String) -> String { escape(text, valueEscapes) }

    static let headerEscapes: [Unicode.Scalar: String] = ["\\": "\\\\", "|": "\\|"]
    static let valueEscapes: [Unicode.Scalar: String] = ["\\": "\\\\", "=": "\\=", "\n": "\\n", "\r": "\\r"]

    /// `text` with each scalar of `table` replaced by its escape, and the other controls made visible.
    static func escape(_ text: String, _ table: [Unicode.Scalar: String]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let escaped = table[scalar] { out += escaped } else { append(scalar, to: &out) }
        }
        return out
    }

    /// `scalar` as is, or as visible `\\u{…}` (an escaped backslash, so it decodes to the text
    /// `\u{…}`) when it is a control or bidirectional formatting character.
    static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) || TerminalText.isBidiControl(v) || v == 0x2028 || v == 0x2029 {
            out += "\\\\u{" + String(v, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
}
