/// Impersonation Protect's findings in both of Mimecast's shapes: the TTP log's
/// `identifiers` array and the SIEM logs' true/false flags. Each row gets both, derived from
/// whichever the export had, so rules can use either.
struct ImpersonationFlags {
    var taggedExternal: Bool?
    var taggedMalicious: Bool?
    var internalUserName: Bool?
    var newDomain: Bool?
    var replyMismatch: Bool?
    var similarInternalDomain: Bool?
    var similarCustomExternalDomain: Bool?
    var similarMimecastExternalDomain: Bool?
    var customNameMatch: Bool?
    var customThreatDictionary: Bool?
    var mimecastThreatDictionary: Bool?

    /// Identifier names as the TTP log writes them, and the flag each one sets.
    static var identifierNames: [(String, WritableKeyPath<ImpersonationFlags, Bool?>)] { [
        ("internal_user_name", \.internalUserName),
        ("newly_observed_domain", \.newDomain),
        ("reply_address_mismatch", \.replyMismatch),
        ("similar_internal_domain", \.similarInternalDomain),
        ("similar_custom_external_domain", \.similarCustomExternalDomain),
        ("similar_mimecast_external_domain", \.similarMimecastExternalDomain),
        ("custom_name_list", \.customNameMatch),
        ("targeted_threat_dictionary", \.customThreatDictionary),
        ("mimecast_threat_dictionary", \.mimecastThreatDictionary),
    ] }

    /// Flags from a TTP `identifiers` list (unlisted detectors are false, not unknown).
    init(identifiers: [String], taggedExternal: Bool?, taggedMalicious: Bool?) {
        self.taggedExternal = taggedExternal
        self.taggedMalicious = taggedMalicious
        let present = Set(identifiers.map { $0.lowercased() })
        for (name, path) in ImpersonationFlags.identifierNames {
            self[keyPath: path] = present.contains(name)
        }
    }

    init(taggedExternal: Bool?, taggedMalicious: Bool?, internalUserName: Bool?, newDomain: Bool?,
         replyMismatch: Bool?, similarInternalDomain: Bool?, similarCustomExternalDomain: Bool?,
         similarMimecastExternalDomain: Bool?, customNameMatch: Bool?, customThreatDictionary: Bool?,
         mimecastThreatDictionary: Bool?) {
        self.taggedExternal = taggedExternal
        self.taggedMalicious = taggedMalicious
        self.internalUserName = internalUserName
        self.newDomain = newDomain
        self.replyMismatch = replyMismatch
        self.similarInternalDomain = similarInternalDomain
        self.similarCustomExternalDomain = similarCustomExternalDomain
        self.similarMimecastExternalDomain = similarMimecastExternalDomain
        self.customNameMatch = customNameMatch
        self.customThreatDictionary = customThreatDictionary
        self.mimecastThreatDictionary = mimecastThreatDictionary
    }

    /// Writes the flag columns and `identifiers` (the given list, or one derived from the flags).
    func write(to b: RowBatch, identifiers: [String]?) {
        b.set(.tagged_external, taggedExternal)
        b.set(.tagged_malicious, taggedMalicious)
        b.set(.internal_user_name, internalUserName)
        b.set(.new_domain, newDomain)
        b.set(.reply_mismatch, replyMismatch)
        b.set(.similar_internal_domain, similarInternalDomain)
        b.set(.similar_custom_external_domain, similarCustomExternalDomain)
        b.set(.similar_mimecast_external_domain, similarMimecastExternalDomain)
        b.set(.custom_name_match, customNameMatch)
        b.set(.custom_threat_dictionary, customThreatDictionary)
        b.set(.mimecast_threat_dictionary, mimecastThreatDictionary)
        let list = identifiers ?? ImpersonationFlags.identifierNames.compactMap { name, path in
            self[keyPath: path] == true ? name : nil
        }
        b.set(.identifiers, JSONScanner.arrayLiteral(list))
    }
}
