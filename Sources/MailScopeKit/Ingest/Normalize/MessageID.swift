/// Message-IDs as join keys: whitespace and the enclosing `<>` removed, including the
/// `\u003c…\u003e` escaped forms seen in real exports. Case is kept (the local part of a
/// Message-ID is case-sensitive).
public enum MessageID {
    public static func normalize(_ text: String?) -> String? {
        guard var s = text?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty else { return nil }
        for (escaped, plain) in [("\\u003c", "<"), ("\\u003e", ">"), ("\\u003C", "<"), ("\\u003E", ">")] {
            s = s.replacingOccurrences(of: escaped, with: plain)
        }
        while let first = s.first, first == "<" || first == ">" || first == " " { s.removeFirst() }
        while let last = s.last, last == ">" || last == "<" || last == " " { s.removeLast() }
        return s.isEmpty ? nil : s
    }
}

import Foundation
