/// Attacker-controlled text (subjects, file names, URLs, display names) made inert for each
/// place it is written to.
public enum TerminalText {
    /// Replaces control characters (ESC, C1, DEL…) and bidirectional overrides with visible
    /// `\u{…}` escapes so input cannot move the cursor, recolour or reorder a terminal.
    public static func safe(_ text: String, keepNewlines: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isControl = v < 0x20 || (0x7F...0x9F).contains(v)
            let isBidi = isBidiControl(v)
            if (isControl && !(keepNewlines && v == 0x0A) && v != 0x09) || isBidi {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Escaping for GitHub-flavoured Markdown: table cells and running text.
public enum MarkdownText {
    /// Text that renders literally: Markdown syntax, HTML and pipes are backslash-escaped,
    /// newlines become spaces, control and bidi characters become visible escapes.
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in TerminalText.safe(text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")) {
            switch ch {
            case "\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "#", "+", "!", "|", "<", ">", "~", "&":
                out.append("\\")
                out.append(ch)
            default:
                out.append(ch)
            }
        }
        return out
    }

    /// Inline code that cannot be broken out of (backticks inside are replaced).
    public static func code(_ text: String) -> String {
        "`" + TerminalText.safe(text).replacingOccurrences(of: "`", with: "ˋ").replacingOccurrences(of: "|", with: "\\|") + "`"
    }
}

/// JSON that is safe to print on a terminal and keeps every value exact.
///
/// JSON writers escape C0 controls but pass DEL, the C1 controls (U+0080–U+009F, which some
/// terminals obey as escape sequences), bidirectional overrides such as U+202E (which reorder
/// what is shown: `gnp.exe` shown as `exe.png`) and U+2028/U+2029 through raw. Written as
/// `\uXXXX` they decode to the same characters, so a file stays byte-for-byte the evidence,
/// and a terminal, pager or log viewer shows them as text instead of obeying them.
public enum JSONText {
    /// `json` (serialized JSON text) with every such character inside its strings written as
    /// `\uXXXX`. Outside strings JSON holds only ASCII, whose structural whitespace is kept.
    public static func safe(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count + 16)
        for scalar in json.unicodeScalars {
            if needsEscape(scalar) {
                out += "\\u" + String(format: "%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 { return v != 0x0A && v != 0x09 && v != 0x0D }   // structural whitespace stays
        return (0x7F...0x9F).contains(v) || TerminalText.isBidiControl(v) || v == 0x2028 || v == 0x2029
    }
}

extension TerminalText {
    /// Bidirectional formatting characters: embeddings, overrides, isolates and marks.
    static func isBidiControl(_ v: UInt32) -> Bool {
        (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }
}

extension CSVText {
    /// One CSV cell for `destination`: for a terminal, control characters and bidi overrides
    /// become visible `\u{…}` escapes as in the table format (a cell must not drive the
    /// terminal); for a file or pipe, the exact value. Formula-safe either way.
    public static func cell(_ value: String, forTerminal: Bool) -> String {
        cell(forTerminal ? TerminalText.safe(value) : value)
    }
}
