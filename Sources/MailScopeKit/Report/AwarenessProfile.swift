import Foundation

/// What Mimecast Awareness Training says of a person, shown beside them in an incident: their
/// latest SafeScore (the risk grade A–F and its parts) and how many watch lists name them, each
/// as of the export it came from. Absent when no Awareness Training export names the person —
/// which says nothing about their risk.
public struct AwarenessProfile: Codable, Sendable, Equatable {
    /// SafeScore risk grade (A best … F worst) and its parts, from the latest SafeScore export.
    public var risk: String?
    public var humanError: String?
    public var sentiment: String?
    public var engagement: String?
    public var knowledge: String?
    public var scoredAt: Timestamp?
    /// Watch lists naming the person, from the latest watchlist export.
    public var watchlists: Int?
    public var listedAt: Timestamp?

    enum CodingKeys: String, CodingKey {
        case risk, humanError = "human_error", sentiment, engagement, knowledge, scoredAt = "scored_at", watchlists
        case listedAt = "listed_at"
    }

    /// "SafeScore F (human error C, sentiment A, engagement F, knowledge F); on 12 watch lists".
    public var text: String {
        var parts: [String] = []
        if let risk {
            let detail = [("human error", humanError), ("sentiment", sentiment), ("engagement", engagement), ("knowledge", knowledge)]
                .compactMap { name, grade in grade.map { "\(name) \($0)" } }
            parts.append("SafeScore \(risk)" + (detail.isEmpty ? "" : " (\(detail.joined(separator: ", ")))"))
        }
        if let watchlists { parts.append("on \(watchlists) watch \(watchlists == 1 ? "list" : "lists")") }
        return parts.joined(separator: "; ")
    }

    /// The profile of each of `users` that an Awareness Training export names (by address, as
    /// ingest normalizes it): the latest SafeScore row and the latest watchlist row.
    static func read(_ db: Database, users: [String]) throws -> [String: AwarenessProfile] {
        var out: [String: AwarenessProfile] = [:]
        for user in users {
            var p = AwarenessProfile()
            if let r = try db.rows("""
                SELECT risk, human_error, sentiment, engagement, knowledge, ts FROM user_risk
                WHERE user = ? AND kind = 'safescore' ORDER BY ts DESC, id DESC LIMIT 1
                """, [.text(user.lowercased())]).first {
                p.risk = r.text("risk"); p.humanError = r.text("human_error"); p.sentiment = r.text("sentiment")
                p.engagement = r.text("engagement"); p.knowledge = r.text("knowledge"); p.scoredAt = r.int("ts").map(Timestamp.init)
            }
            if let r = try db.rows("""
                SELECT watchlist_count, ts FROM user_risk
                WHERE user = ? AND kind = 'watchlist' ORDER BY ts DESC, id DESC LIMIT 1
                """, [.text(user.lowercased())]).first {
                p.watchlists = r.int("watchlist_count").map { Int($0) }; p.listedAt = r.int("ts").map(Timestamp.init)
            }
            if p != AwarenessProfile() { out[user] = p }
        }
        return out
    }
}
