/// Email addresses as join keys: trimmed, angle brackets and a display name removed,
/// lowercased. `"John Doe" <John.Doe@Example.COM>` → `john.doe@example.com`.
public enum EmailAddress {
    /// The normalized address, or nil when the text holds none (`<>`, empty, no `@`).
    public static func normalize(_ text: String?) -> String? {
        guard var s = text?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty else { return nil }
        if let open = s.lastIndex(of: "<"), let close = s[open...].firstIndex(of: ">") {
            s = String(s[s.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        if s.lowercased().hasPrefix("mailto:") { s = String(s.dropFirst(7)) }
        guard !s.isEmpty, s.contains("@") else { return s.isEmpty ? nil : s.lowercased() }
        return s.lowercased()
    }

    /// The domain part of a normalized address (after the last `@`).
    public static func domain(_ address: String?) -> String? {
        guard let address, let at = address.lastIndex(of: "@") else { return nil }
        let d = address[address.index(after: at)...]
        return d.isEmpty ? nil : String(d)
    }
}

import Foundation
