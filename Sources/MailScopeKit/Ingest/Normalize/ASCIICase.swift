extension String {
    /// `lowercased()`, without making a new string when there is nothing to lower (ASCII with
    /// no `A`–`Z`, as most host names, hashes and accounts are already exported). Anything
    /// else goes through `lowercased()`, Unicode case mapping included.
    var lowercasedIfNeeded: String {
        for c in utf8 where c >= 0x80 || (c >= 0x41 && c <= 0x5A) { return lowercased() }
        return self
    }
}
