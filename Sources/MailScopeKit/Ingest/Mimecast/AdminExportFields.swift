/// Field rules shared by the audit, archive and awareness parsers.
enum AdminExportFields {
    /// The acting user: the normalized address, or the logged text lowercased when it is no
    /// address (`johndoe@example`, `<>`); nil for "".
    static func user(_ text: String?) -> String? {
        guard let text, !text.trimmingASCIISpaceString().isEmpty else { return nil }
        if text.trimmingASCIISpaceString() == EmailAddress.nullSender { return EmailAddress.nullSender }
        return EmailAddress.normalize(text) ?? text.lowercased()
    }

    /// Sets `user` and `user_domain` of the row begun in `b` from the acting person in field
    /// `key` of `r` (consumed); returns the address.
    @discardableResult
    static func setActor(_ b: RowBatch, _ r: Record, _ key: FieldKey) -> String? {
        let address = user(r.string(key))
        r.consume(key)
        b.set(.user, address)
        b.set(.user_domain, EmailAddress.domain(address))
        return address
    }

    /// An API service account (`api-<uuid>@…`): machine traffic that dominates these logs
    /// (mimecast-more.md §6.6), kept apart from people.
    static func isMachine(_ address: String?) -> Bool {
        guard let address else { return false }
        return address.hasPrefix("api-") && address.contains("@")
    }
}

extension String {
    /// The string without leading and trailing ASCII blanks (itself, not a copy, when it has
    /// none: the usual case on the ingest path).
    func trimmingASCIISpaceString() -> String {
        func blank(_ c: UInt8?) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        guard blank(utf8.first) || blank(utf8.last) else { return self }
        return String(Substring(self).trimmingASCIISpace())
    }
}
