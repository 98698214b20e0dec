/// Which computers belong to which mailbox: the `identity` table (email ↔ account ↔ host),
/// rebuilt from scratch after each ingest so the same inputs always give the same map.
///
/// Sources, strongest first:
/// - `directory`: the identities CSV a user supplies (email, upn, account, host), exact;
/// - `edr_upn`: EDR rows whose account carries a UPN equal to an email address, exact;
/// - `edr_local_part`: an EDR account (`ACME\alima`, `alima`) whose name equals the local part
///   of exactly one known mailbox, inferred;
/// - `directory_account`: an account the directory (or a UPN) names, seen on another host: the
///   same person on a second computer, inferred;
/// - `edr_name_pattern`: failing that, an account that is the usual first-initial + last-name
///   form of exactly one `first.last` mailbox, digits included (`alima` ↔ `ana.lima@`,
///   `acosta2` ↔ `ana.costa2@`, never `acosta2` ↔ `ana.costa@`), inferred.
/// An inference is never used when it contradicts the directory or UPN data (the account is
/// known there as another mailbox's, or the mailbox is known with another account): that goes
/// to `identity_issue` as a conflict. When several mailboxes fit, nothing is guessed: the case
/// goes there as ambiguous. An account mapped to two different mailboxes by different sources
/// is reported as a conflict.
public enum IdentityMap {
    /// What the rebuild found.
    public struct Summary: Sendable, Equatable, Codable {
        public var identities = 0
        public var bySource: [String: Int] = [:]
        public var ambiguous = 0
        public var conflicts = 0
        public var unresolvedAccounts = 0
    }

    /// Rebuilds the map when the loaded data changed since it was last built (a fingerprint of
    /// the input manifest kept in `meta`), so a run killed after loading but before the rebuild
    /// gets it rebuilt next time. Returns nil when nothing needed rebuilding (or there is no
    /// endpoint or directory data to map).
    @discardableResult
    public static func rebuildIfStale(_ db: Database) throws -> Summary? {
        let endpointDataExists = try db.scalar("SELECT EXISTS (SELECT 1 FROM edr_event) OR EXISTS (SELECT 1 FROM directory_entry)")?.intValue == 1
        let fingerprint = try db.scalar("SELECT COUNT(*) || ':' || COALESCE(SUM(rows), 0) FROM input_file")?.stringValue ?? ""
        let builtFor = try db.scalar("SELECT value FROM meta WHERE key = 'identity_built_for'")?.stringValue
        guard endpointDataExists && builtFor != fingerprint else { return nil }
        let summary = try rebuild(db)
        try db.run("INSERT INTO meta (key, value) VALUES ('identity_built_for', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [.text(fingerprint)])
        return summary
    }

    /// One problem the map found (an account that fits several mailboxes, or sources that
    /// disagree).
    public struct Issue: Sendable, Equatable {
        public var kind: String
        public var account: String?
        public var host: String?
        public var detail: String
    }

    /// The problems of the kinds given, by account and host.
    public static func issues(_ db: Database, kinds: [String]) throws -> [Issue] {
        let placeholders = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
        return try db.rows("SELECT kind, account, host, detail FROM identity_issue WHERE kind IN (\(placeholders)) ORDER BY account, host",
                           kinds.map { .text($0) }).map {
            Issue(kind: $0.text("kind") ?? "", account: $0.text("account"), host: $0.text("host"), detail: $0.text("detail") ?? "")
        }
    }

    /// Rebuilds `identity` and `identity_issue` from `directory_entry`, `edr_event` and the
    /// mailboxes seen in mail; returns counts for the summary.
    @discardableResult
    public static func rebuild(_ db: Database) throws -> Summary {
        try db.transaction {
            try db.execute("DELETE FROM identity; DELETE FROM identity_issue;")
            // 1. The directory: email (or UPN) ↔ account ↔ host.
            // Each (email, account, host) once, citing its first line (the earliest file's on a tie).
            try db.execute("""
                INSERT INTO identity (email, account, host, source, confidence, evidence)
                SELECT email, account, host, 'directory', 'exact', 'identities file ' || path || ' line ' || line_no
                FROM (SELECT COALESCE(d.email, d.upn) AS email, d.account, d.host, f.path, d.line_no,
                             ROW_NUMBER() OVER (PARTITION BY COALESCE(d.email, d.upn), d.account, d.host ORDER BY d.line_no, f.path) AS pick
                      FROM directory_entry d JOIN input_file f ON f.id = d.file_id
                      WHERE COALESCE(d.email, d.upn) IS NOT NULL) AS entries
                WHERE pick = 1
                """)
            // A directory UPN that differs from the email maps that UPN too.
            try db.execute("""
                INSERT INTO identity (email, account, host, source, confidence, evidence)
                SELECT DISTINCT d.email, d.upn, d.host, 'directory', 'exact', 'identities file UPN ' || d.upn
                FROM directory_entry d
                WHERE d.email IS NOT NULL AND d.upn IS NOT NULL AND d.upn <> d.email
                  AND NOT EXISTS (SELECT 1 FROM identity i WHERE i.email = d.email AND i.account = d.upn AND i.host IS d.host)
                """)
            // 2. EDR rows carrying a UPN: exact.
            try db.execute("""
                INSERT INTO identity (email, account, host, source, confidence, evidence)
                SELECT user_email, NULLIF(account, ''), host, 'edr_upn', 'exact',
                       events || ' ' || product || ' events with UPN ' || user_email || ', first ' || path || ' line ' || first_line
                FROM (SELECT a.user_email, a.account, a.host, f.path, a.first_line,
                             SUM(a.events) OVER accounts AS events, MIN(a.product) OVER accounts AS product,
                             ROW_NUMBER() OVER (PARTITION BY a.user_email, a.account, a.host ORDER BY a.first_line, f.path) AS pick
                      FROM edr_account a JOIN input_file f ON f.id = a.first_file_id
                      WHERE a.user_email <> ''
                      WINDOW accounts AS (PARTITION BY a.user_email, a.account, a.host)) AS seen
                WHERE pick = 1
                ORDER BY user_email, account, host
                """)
        }
        try inferFromAccounts(db)
        return try summary(db)
    }

    /// Accounts seen on hosts without a UPN: matched to a mailbox's local part when exactly
    /// one mailbox fits; otherwise reported.
    private static func inferFromAccounts(_ db: Database) throws {
        let mailboxes = try db.rows("""
            SELECT recipient AS mailbox FROM mail_message WHERE recipient IS NOT NULL
            UNION SELECT user FROM url_click WHERE user IS NOT NULL
            UNION SELECT recipient FROM attachment_scan WHERE recipient IS NOT NULL
            UNION SELECT email FROM identity
            """).compactMap { $0.text("mailbox") }
        var byLocalPart: [String: [String]] = [:]
        var byNamePattern: [String: [String]] = [:]
        for address in mailboxes {
            guard let at = address.lastIndex(of: "@") else { continue }
            let local = String(address[..<at])
            byLocalPart[local, default: []].append(address)
            if let pattern = namePattern(local) { byNamePattern[pattern, default: []].append(address) }
        }
        // What the directory and the UPNs say, whatever the host: account → mailboxes, mailbox → accounts.
        var mailboxesOfAccount: [String: Set<String>] = [:], accountsOfMailbox: [String: Set<String>] = [:]
        for r in try db.rows("SELECT DISTINCT email, account FROM identity WHERE account IS NOT NULL AND source IN ('directory', 'edr_upn')") {
            guard let email = r.text("email"), let raw = r.text("account") else { continue }
            let account = EDRRowBuilder.splitAccount(raw, domain: nil).name ?? raw
            if account.contains("@") { continue }   // a UPN, not an account name
            mailboxesOfAccount[account, default: []].insert(email)
            accountsOfMailbox[email, default: []].insert(account)
        }
        let accounts = try db.rows("""
            SELECT a.account, MIN(NULLIF(a.account_domain, '')) AS account_domain, a.host, SUM(a.events) AS events,
                   MIN(a.first_line) AS first_line, MIN(f.path) AS path
            FROM edr_account a JOIN input_file f ON f.id = a.first_file_id
            WHERE a.account <> '' AND a.user_email = ''
            GROUP BY a.account, a.host
            ORDER BY a.account, a.host
            """)
        try db.transaction {
            for row in accounts {
                guard let account = row.text("account"), let host = row.text("host") else { continue }
                let domain = row.text("account_domain")
                if EDRRowBuilder.isServiceAccount(account, domain: domain) || account.contains("@") { continue }
                // Already known for this host (directory or UPN rows)?
                let known = try db.rows("SELECT DISTINCT email FROM identity WHERE account = ? AND (host = ? OR host IS NULL)",
                                        [.text(account), .text(host)]).compactMap { $0.text("email") }
                if known.count == 1 { continue }
                if known.count > 1 {
                    try issue(db, "conflict", account, host, known, "account \(account) on \(host) maps to several mailboxes in the directory or UPN data")
                    continue
                }
                let evidence = "\(row["events"]) events as \(domain.map { $0 + "\\" } ?? "")\(account) on \(host), first \(row["path"]) line \(row["first_line"])"
                var candidates: [String]
                var source: String, rule: String
                if let named = mailboxesOfAccount[account] {
                    // The directory knows this account: its mailbox, on another computer.
                    candidates = named.sorted()
                    source = "directory_account"
                    rule = "the directory or a UPN names this account's mailbox; seen here on another computer"
                } else {
                    candidates = Array(Set(byLocalPart[account] ?? [])).sorted()
                    source = "edr_local_part"
                    rule = "account equals the mailbox's local part"
                    if candidates.isEmpty {
                        candidates = Array(Set(byNamePattern[account] ?? [])).sorted()
                        source = "edr_name_pattern"
                        rule = "account is the first-initial + last-name form of the mailbox's first.last (digits included)"
                    }
                    // A mailbox the directory knows under another account is not this account's.
                    let contradicted = candidates.filter { accountsOfMailbox[$0].map { !$0.contains(account) } ?? false }
                    if !contradicted.isEmpty {
                        try issue(db, "conflict", account, host, contradicted,
                                  "account \(account) on \(host) would be \(contradicted.joined(separator: ", ")) by \(source), but the directory or UPN data gives that mailbox another account: not used")
                        continue
                    }
                }
                if candidates.isEmpty, source == "edr_name_pattern", account.last?.isNumber == true {
                    // A numbered account (`dlopez2`) is, by the usual directory convention, a
                    // second person with the same name as `dlopez`: never that person's mailbox.
                    let stem = String(account.reversed().drop(while: \.isNumber).reversed())
                    let near = Array(Set((byLocalPart[stem] ?? []) + (byNamePattern[stem] ?? []))).sorted()
                    if !near.isEmpty {
                        try issue(db, "ambiguous", account, host, near,
                                  "account \(account) on \(host) is a numbered form of \(stem), which fits \(near.joined(separator: ", ")); a numbered account is another person of that name: not guessing; add the user to an identities CSV")
                        continue
                    }
                }
                switch candidates.count {
                case 1:
                    try db.run("INSERT INTO identity (email, account, host, source, confidence, evidence) VALUES (?, ?, ?, ?, 'inferred', ?)",
                               [.text(candidates[0]), .text(account), .text(host), .text(source), .text(evidence + "; " + rule)])
                case 0:
                    try issue(db, "unresolved", account, host, [], "no mailbox has the local part \(account); add the user to an identities CSV")
                default:
                    try issue(db, "ambiguous", account, host, candidates, "account \(account) on \(host) fits \(candidates.count) mailboxes (\(candidates.joined(separator: ", "))): not guessing; add the user to an identities CSV")
                }
            }
        }
    }

    /// `first.last` (or `first_last`, `first-last`) → `flast`; a number after the last name stays
    /// (`ana.costa2` → `acosta2`), so a second person's account never maps to the first.
    static func namePattern(_ localPart: String) -> String? {
        let parts = localPart.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" })
        guard parts.count == 2, let initial = parts[0].first, parts[0].allSatisfy(\.isLetter) else { return nil }
        let last = parts[1]
        let letters = last.prefix(while: \.isLetter), digits = last.dropFirst(letters.count)
        guard letters.count >= 2, digits.allSatisfy(\.isNumber) else { return nil }
        return String(initial) + last
    }

    private static func issue(_ db: Database, _ kind: String, _ account: String, _ host: String, _ candidates: [String], _ detail: String) throws {
        try db.run("INSERT INTO identity_issue (kind, account, host, candidates, detail) VALUES (?, ?, ?, ?, ?)",
                   [.text(kind), .text(account), .text(host), .text(JSONScanner.arrayLiteral(candidates)), .text(detail)])
    }

    private static func summary(_ db: Database) throws -> Summary {
        var s = Summary()
        for row in try db.rows("SELECT source, COUNT(*) AS n FROM identity GROUP BY source") {
            s.bySource[row.text("source") ?? ""] = Int(row.int("n") ?? 0)
        }
        s.identities = s.bySource.values.reduce(0, +)
        for row in try db.rows("SELECT kind, COUNT(*) AS n FROM identity_issue GROUP BY kind") {
            let n = Int(row.int("n") ?? 0)
            switch row.text("kind") {
            case "ambiguous": s.ambiguous = n
            case "conflict": s.conflicts = n
            default: s.unresolvedAccounts = n
            }
        }
        return s
    }

    /// The hosts of a mailbox, strongest evidence first.
    public static func hosts(of email: String, in db: Database) throws -> [String] {
        try db.rows("""
            SELECT host FROM identity WHERE email = ? AND host IS NOT NULL
            GROUP BY host ORDER BY MIN(CASE source WHEN 'directory' THEN 0 WHEN 'edr_upn' THEN 1 WHEN 'directory_account' THEN 2 ELSE 3 END), host
            """, [.text(email.lowercased())]).compactMap { $0.text("host") }
    }
}
