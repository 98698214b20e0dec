/// The organisation's own mail domains: the registrable domains of the recipients of inbound
/// mail, kept in `own_domain` for rules that ask "is this one of ours" (spoofing of an own
/// domain, look-alikes of it). Rebuilt before each detection run from the data itself.
public enum OwnDomains {
    /// The own domains as the data gives them now (without writing), sorted.
    public static func read(_ db: Database) throws -> [String] {
        let recipients = try db.rows("""
            SELECT DISTINCT recipient_domain FROM mail_message
            WHERE event = 'receipt' AND direction = 'inbound' AND recipient_domain IS NOT NULL
            """).compactMap { $0.text("recipient_domain") }
        return Set(recipients.compactMap { PublicSuffixList.shared.registrableDomain($0) }).sorted()
    }

    /// Rebuilds `own_domain`; returns the domains, sorted.
    @discardableResult
    public static func rebuild(_ db: Database) throws -> [String] {
        let domains = try read(db)
        try db.transaction {
            try db.execute("DELETE FROM own_domain")
            for d in domains { try db.run("INSERT OR IGNORE INTO own_domain (domain) VALUES (?)", [.text(d)]) }
        }
        return domains
    }
}
