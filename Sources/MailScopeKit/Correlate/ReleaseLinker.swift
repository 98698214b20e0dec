import Foundation

/// Links each held-message release (`message_release`) to the message it released. The release
/// log has no Message-ID (mimecast-more.md §3, §6.7), so the link is made from what both logs
/// carry: the envelope sender (or the header sender), the recipient, the subject and the time.
///
/// The tolerance: the message must have been logged (received, processed, held) no more than
/// ``holdWindow`` before the release and no more than ``clockSkew`` after it. Mimecast keeps a
/// held message in the hold queue 14 days, 30 for accounts provisioned before October 2014
/// ("Queue Retention Periods", community.mimecast.com DOC-1362: "Held Messages — 14 days (30
/// days for customers provisioned before October 2014)"); after that housekeeping expires it
/// and nobody can release it. So 30 days covers every release; the skew covers the two logs'
/// clocks and second-rounded `released` times.
///
/// A release that matches one message is linked; one that matches several (a newsletter sent
/// twice with the same subject) is linked only when exactly one of them was held, since only a
/// held message can be released; otherwise it is left unlinked as `ambiguous` and counted —
/// never guessed. Every run recomputes every link: a message loaded later can turn a unique
/// match into an ambiguous one.
public enum ReleaseLinker {
    /// How long before a release its message may have been logged (the longest hold).
    public static let holdWindow: Int64 = 30 * 86_400_000
    /// How long after a release its message may have been logged (clock skew between logs).
    public static let clockSkew: Int64 = 5 * 60_000

    /// What became of each release row.
    public enum LinkState: String, Sendable, CaseIterable {
        case linked
        /// Several messages matched and no single one of them was held.
        case ambiguous
        /// No message in the window matched (its receipt may not be loaded).
        case noCandidate = "no-candidate"
        /// The row has no `released` time.
        case noTime = "no-time"
        /// The row has no sender or no recipient.
        case noAddress = "no-address"
    }

    /// Counts by state after a relink.
    public struct Summary: Sendable, Codable, Equatable {
        public var linked = 0
        public var ambiguous = 0
        public var noCandidate = 0
        public var noTime = 0
        public var noAddress = 0
        public var total: Int { linked + ambiguous + noCandidate + noTime + noAddress }

        /// `releases: 3 linked to their message, 1 ambiguous (left unlinked), …`.
        public var text: String {
            var parts = ["\(linked) linked to their message"]
            if ambiguous > 0 { parts.append("\(ambiguous) ambiguous (several messages matched; left unlinked)") }
            if noCandidate > 0 { parts.append("\(noCandidate) with no matching message loaded") }
            if noTime > 0 { parts.append("\(noTime) without a release time") }
            if noAddress > 0 { parts.append("\(noAddress) without sender or recipient") }
            return "releases: " + parts.joined(separator: ", ")
        }
    }

    /// What the link rests on, as stored in `link_method`.
    static let method = "sender, recipient, subject and time (message logged up to 30 days before the release)"
    static let methodHeld = method + "; the only held one of several"

    /// One candidate: a message that matches a release, and whether it was held.
    struct Candidate: Equatable {
        var messageID: String
        var held: Bool
    }

    /// The decision for one release from its candidates (pure; tested directly).
    static func decide(_ candidates: [Candidate]) -> (state: LinkState, messageID: String?, method: String?) {
        var byID: [String: Bool] = [:]
        for c in candidates { byID[c.messageID] = (byID[c.messageID] ?? false) || c.held }
        if byID.isEmpty { return (.noCandidate, nil, nil) }
        if byID.count == 1, let only = byID.keys.first { return (.linked, only, method) }
        let held = byID.filter(\.value).keys
        if held.count == 1, let only = held.first { return (.linked, only, methodHeld) }
        return (.ambiguous, nil, nil)
    }

    /// Recomputes every release's link; nil when the database holds no releases.
    @discardableResult
    public static func relink(_ db: Database) throws -> Summary? {
        guard try db.scalar("SELECT EXISTS (SELECT 1 FROM message_release)")?.intValue == 1 else { return nil }
        var candidates: [Int64: [Candidate]] = [:]
        for r in try db.rows(candidateSQL, [.integer(holdWindow), .integer(clockSkew)]) {
            guard let rid = r.int("release_id"), let mid = r.text("message_id") else { continue }
            candidates[rid, default: []].append(Candidate(messageID: mid, held: r.int("held") == 1))
        }
        var summary = Summary()
        try db.transaction {
            for r in try db.rows("SELECT id, ts, sender, sender_header, recipient FROM message_release ORDER BY id") {
                guard let id = r.int("id") else { continue }
                let decision: (state: LinkState, messageID: String?, method: String?)
                if r.int("ts") == nil {
                    decision = (.noTime, nil, nil)
                } else if r.text("recipient") == nil || (r.text("sender") == nil && r.text("sender_header") == nil) {
                    decision = (.noAddress, nil, nil)
                } else {
                    decision = decide(candidates[id] ?? [])
                }
                let count = Set((candidates[id] ?? []).map(\.messageID)).count
                try db.run("""
                    UPDATE message_release SET message_id_linked = ?, link_state = ?, link_method = ?, link_candidates = ? WHERE id = ?
                    """, [decision.messageID.map { .text($0) } ?? .null, .text(decision.state.rawValue),
                          decision.method.map { .text($0) } ?? .null, .integer(Int64(count)), .integer(id)])
                switch decision.state {
                case .linked: summary.linked += 1
                case .ambiguous: summary.ambiguous += 1
                case .noCandidate: summary.noCandidate += 1
                case .noTime: summary.noTime += 1
                case .noAddress: summary.noAddress += 1
                }
            }
        }
        return summary
    }

    /// Every (release, message) pair that matches, with whether that message was held (any of
    /// its rows, such as the process row that carries no recipient, says Hld or a hold reason). Subjects compare as
    /// logged (both empty counts as equal); senders by envelope or, failing that, header.
    static let candidateSQL = """
        WITH held AS (
            SELECT DISTINCT message_id FROM mail_message
            WHERE message_id IS NOT NULL AND (hold_reason IS NOT NULL OR action = 'Hld')
        )
        SELECT DISTINCT r.id AS release_id, m.message_id AS message_id, (h.message_id IS NOT NULL) AS held
        FROM message_release r
        JOIN mail_message m ON m.recipient = r.recipient
        LEFT JOIN held h ON h.message_id = m.message_id
        WHERE r.ts IS NOT NULL AND m.message_id IS NOT NULL
          AND m.ts BETWEEN r.ts - ? AND r.ts + ?
          AND m.subject IS r.subject
          AND (m.sender = r.sender OR (r.sender_header IS NOT NULL AND m.sender_header = r.sender_header))
        ORDER BY r.id, m.message_id
        """
}
