import Foundation

/// Matches every threat-intel indicator (`ioc`) against every event table and keeps the hits in
/// `ioc_match` (indicator, table, row, field), rebuilt from scratch before each detection run so
/// it always reflects the loaded feeds and events. Rules and incidents read the matches; the
/// feed name and the feed file's SHA-256 are one join away (`ioc.file_id` → `input_file`).
///
/// Hashes, addresses and emails match exactly; a domain indicator matches the domain and every
/// host under it (`evil.example` matches `login.evil.example`); a URL indicator matches the same
/// page (host and path, any query) in URL Protect logs and the exact URL in endpoint rows.
public enum IOCMatcher {
    /// Rebuilds `ioc_match`; returns the number of matches.
    @discardableResult
    public static func rebuild(_ db: Database) throws -> Int {
        var types = Set<String>()
        for r in try db.rows("SELECT DISTINCT type FROM ioc") { if let t = r.text("type") { types.insert(t) } }
        return try db.transaction {
            try db.execute("DELETE FROM ioc_match")
            guard !types.isEmpty else { return 0 }
            func exact(_ type: String, _ pairs: [(table: String, column: String)]) throws {
                guard types.contains(type) else { return }
                for (table, column) in pairs {
                    try db.run("""
                        INSERT OR IGNORE INTO ioc_match (ioc_id, event_table, event_rowid, field)
                        SELECT i.id, '\(table)', t.id, '\(column)' FROM ioc i JOIN \(table) t ON t.\(column) = i.value WHERE i.type = ?
                        """, [.text(type)])
                }
            }
            try exact("sha256", [("attachment_scan", "sha256"), ("edr_event", "sha256"), ("mail_event", "sha256")])
            try exact("sha1", [("attachment_scan", "sha1"), ("edr_event", "sha1")])
            try exact("md5", [("attachment_scan", "md5"), ("edr_event", "md5")])
            try exact("ip", [("mail_message", "sender_ip"), ("url_click", "sending_ip"), ("impersonation", "sender_ip"),
                             ("attachment_scan", "sender_ip"), ("edr_event", "remote_ip")])
            try exact("email", [("mail_message", "sender"), ("mail_message", "sender_header"), ("url_click", "sender"),
                                ("attachment_scan", "sender"), ("impersonation", "sender")])
            try exact("url", [("edr_event", "url"), ("edr_event", "file_origin_url")])
            if types.contains("url") { try matchURLResources(db) }
            if types.contains("domain") { try matchDomains(db) }
            return Int(try db.scalar("SELECT COUNT(*) FROM ioc_match")?.intValue ?? 0)
        }
    }

    /// URL indicators against URL Protect rows by page (host + path).
    static func matchURLResources(_ db: Database) throws {
        try db.execute("CREATE TEMP TABLE IF NOT EXISTS ioc_url_resource (resource TEXT NOT NULL, ioc_id INTEGER NOT NULL); DELETE FROM ioc_url_resource;")
        let insert = try db.prepare("INSERT INTO ioc_url_resource (resource, ioc_id) VALUES (?, ?)")
        for r in try db.rows("SELECT id, value FROM ioc WHERE type = 'url'") {
            guard let id = r.int("id"), let resource = URLNormalizer.normalize(r.text("value"))?.resource else { continue }
            try insert.bind([.text(resource), .integer(id)])
            _ = try insert.step()
        }
        try db.execute("""
            INSERT OR IGNORE INTO ioc_match (ioc_id, event_table, event_rowid, field)
            SELECT u.ioc_id, 'url_click', c.id, 'url_resource' FROM ioc_url_resource u JOIN url_click c ON c.url_resource = u.resource;
            DROP TABLE ioc_url_resource;
            """)
    }

    /// Domain indicators against every domain and host column, including subdomains: the
    /// distinct values of each column are compared in memory, then the rows of the matching
    /// values are recorded in one pass over the table.
    static func matchDomains(_ db: Database) throws {
        var indicators: [String: [Int64]] = [:]
        for r in try db.rows("SELECT id, value FROM ioc WHERE type = 'domain' ORDER BY id") {
            if let id = r.int("id"), let v = r.text("value") { indicators[v.lowercased(), default: []].append(id) }
        }
        func matching(_ value: String) -> [Int64] {
            var ids: [Int64] = []
            var candidate = Substring(value.lowercased())
            while true {
                ids += indicators[String(candidate)] ?? []
                guard let dot = candidate.firstIndex(of: ".") else { break }
                candidate = candidate[candidate.index(after: dot)...]
            }
            return ids
        }
        try db.execute("CREATE TEMP TABLE IF NOT EXISTS ioc_domain_hit (value TEXT NOT NULL, ioc_id INTEGER NOT NULL, PRIMARY KEY (value, ioc_id)) WITHOUT ROWID")
        let columns: [(table: String, column: String)] = [
            ("mail_message", "sender_domain"), ("url_click", "url_host"), ("url_click", "sender_domain"),
            ("attachment_scan", "sender_domain"), ("impersonation", "sender_domain"), ("edr_event", "url_host"), ("edr_event", "domain"),
        ]
        for (table, column) in columns {
            try db.execute("DELETE FROM ioc_domain_hit")
            let insert = try db.prepare("INSERT OR IGNORE INTO ioc_domain_hit (value, ioc_id) VALUES (?, ?)")
            var any = false
            for r in try db.rows("SELECT DISTINCT \(column) AS value FROM \(table) WHERE \(column) IS NOT NULL") {
                guard let v = r.text("value") else { continue }
                for id in matching(v) {
                    try insert.bind([.text(v), .integer(id)])
                    _ = try insert.step()
                    any = true
                }
            }
            guard any else { continue }
            try db.execute("""
                INSERT OR IGNORE INTO ioc_match (ioc_id, event_table, event_rowid, field)
                SELECT h.ioc_id, '\(table)', t.id, '\(column)' FROM ioc_domain_hit h JOIN \(table) t ON t.\(column) = h.value
                """)
        }
        try db.execute("DROP TABLE ioc_domain_hit")
    }
}
