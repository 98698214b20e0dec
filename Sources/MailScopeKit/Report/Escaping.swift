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
            let isBidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
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
