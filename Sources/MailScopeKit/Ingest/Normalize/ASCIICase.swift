extension String {
    /// `lowercased()`, without making a new string when there is nothing to lower (ASCII with
    /// no `A`–`Z`, as most host names, hashes and accounts are already exported). Anything
    /// else goes through `lowercased()`, Unicode case mapping included.
    var lowercasedIfNeeded: String {
        func inForm(_ bytes: some Sequence<UInt8>) -> Bool {
            for c in bytes where c >= 0x80 || (c >= 0x41 && c <= 0x5A) { return false }
            return true
        }
        return utf8.withContiguousStorageIfAvailable(inForm) ?? inForm(utf8) ? self : lowercased()
    }
}
