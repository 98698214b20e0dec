import Foundation

/// An incident as a user names it: `3` or `#3` (the number the reports show) or its stable key
/// (`hash:…`, `domain:…`, `message:…` — the same across rebuilds, when numbers may change), or
/// any other campaign key it holds (`incident_key`): a key that named it before new evidence
/// gave it another (a click turning `message:…` into `domain:…`) still finds it.
public enum IncidentReference {
    /// The incident's id and key.
    public struct Resolved: Sendable, Equatable {
        public var id: Int64
        public var key: String
    }

    public static func resolve(_ text: String, in db: Database) throws -> Resolved {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = Int64(trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed)
        let row = try number.map { try db.rows("SELECT id, key FROM incident WHERE id = ?", [.integer($0)]).first }
            ?? db.rows("SELECT id, key FROM incident WHERE key = ? OR id = (SELECT incident_id FROM incident_key WHERE key = ?)",
                       [.text(trimmed), .text(trimmed)]).first
        guard let row, let id = row.int("id"), let key = row.text("key") else {
            let count = try db.scalar("SELECT COUNT(*) FROM incident")?.intValue ?? 0
            throw InvestigationError.noSuchIncident(trimmed, incidents: Int(count))
        }
        return Resolved(id: id, key: key)
    }
}
