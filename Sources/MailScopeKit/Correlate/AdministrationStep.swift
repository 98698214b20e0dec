import Foundation

/// One thing an account did that touched an incident, as the administration logs tell it: a
/// held copy released or rejected (release log), a sign-in after failures, a vendor support
/// login, an allow entry for the campaign's sender, an archive search or view of a recipient's
/// mailbox, and what a suspicious session changed next (audit log). Incidents list them in
/// time order under "Administration", with the log row that says so.
public struct AdministrationStep: Sendable, Equatable {
    /// Who acted, as far as the log tells.
    public enum Role: String, Sendable, CaseIterable {
        /// Someone with console or held-queue rights acting on others' mail or settings.
        case admin
        /// The recipient releasing their own copy.
        case recipient
        /// Mimecast's own support staff.
        case support
        /// An account whose rights the log does not say.
        case account
    }

    /// What was done.
    public enum Action: String, Sendable, CaseIterable {
        case released, rejected
        case signedIn = "signed-in"
        case signInFailures = "sign-in-failures"
        case supportLogin = "support-login"
        case allowEntry = "allow-entry"
        case archiveSearch = "archive-search"
        case archiveView = "archive-view"
        /// Any other audited change (a policy edit, an export, a role change).
        case change
    }

    public var ts: Int64?
    public var account: String?
    public var role: Role
    public var action: Action
    /// What the log says, in one line (attacker text: escape where shown).
    public var detail: String
    public var sourceIP: String?
    /// Whom or what it acted on: the recipient of a released copy, the domain an allow entry
    /// names (MS-ADM-003's indicator).
    public var target: String?
    /// The rule whose finding brought the step in; nil for a release linked to the message.
    public var ruleID: String?
    public var evidence: EvidenceRow

    public init(ts: Int64?, account: String?, role: Role, action: Action, detail: String, sourceIP: String? = nil,
                target: String? = nil, ruleID: String? = nil, evidence: EvidenceRow) {
        self.ts = ts
        self.account = account
        self.role = role
        self.action = action
        self.detail = detail
        self.sourceIP = sourceIP
        self.target = target
        self.ruleID = ruleID
        self.evidence = evidence
    }

    /// The longest detail kept: eventInfo can run to kilobytes (embedded JSON, Java dumps).
    static let detailLimit = 240

    static func clip(_ text: String) -> String {
        let one = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return one.count <= detailLimit ? one : String(one.prefix(detailLimit - 1)) + "…"
    }

    /// The action an audit row records, from its audit type and the rule that cited it.
    static func auditAction(type: String?, ruleID: String?) -> Action {
        if ruleID == "MS-ADM-003" { return .allowEntry }
        switch (type ?? "").lowercased() {
        case "user logged on": return .signedIn
        case "logon authentication failed": return .signInFailures
        case "mimecast support login": return .supportLogin
        default: return .change
        }
    }

    /// Who acted on an audit row: Mimecast support, an administrator (the administration
    /// console, or any change), or an account whose rights the row does not show.
    static func auditRole(action: Action, application: String?) -> Role {
        if action == .supportLogin { return .support }
        if action == .change || action == .allowEntry { return .admin }
        return (application ?? "").lowercased().contains("administration console") ? .admin : .account
    }
}

extension IncidentBuilder {
    /// Reads an incident's administration steps: the audit and archive rows its findings cite,
    /// the releases linked to its messages, and what a session signed in after failures
    /// changed in the `followUp` after it (from the same address).
    enum AdministrationReader {
        /// How long after a suspicious sign-in the session's changes are listed: a console
        /// session times out well within a day.
        static let followUp: Int64 = 24 * 3_600_000

        /// Findings whose user is the account that acted, not a recipient of mail.
        static let tables: Set<String> = [EventTable.auditEvent.rawValue, EventTable.archiveAccess.rawValue]

        static func read(_ db: Database, findings: [Finding], messages: [String]) throws -> [AdministrationStep] {
            var steps: [AdministrationStep] = []
            var seen = Set<EvidenceRow>()
            func add(_ s: AdministrationStep) { if seen.insert(s.evidence).inserted { steps.append(s) } }
            for f in findings.sorted(by: { $0.id < $1.id }) where tables.contains(f.table) {
                if f.table == EventTable.auditEvent.rawValue, var s = try audit(db, rowid: f.rowid, ruleID: f.ruleID) {
                    if s.action == .allowEntry { s.target = f.indicator }
                    add(s)
                    if s.action == .signedIn, f.ruleID == "MS-ADM-001", let ts = s.ts {
                        for next in try session(db, account: s.account, ip: s.sourceIP, from: ts) { add(next) }
                    }
                } else if let s = try archive(db, rowid: f.rowid, ruleID: f.ruleID) {
                    add(s)
                }
            }
            for m in messages {
                for s in try releases(db, message: m) { add(s) }
            }
            // Releases a finding cites that no message was linked to.
            for f in findings where f.table == EventTable.messageRelease.rawValue {
                for s in try releases(db, rowid: f.rowid) { add(s) }
            }
            return steps.sorted { ($0.ts ?? .min, $0.evidence.table, $0.evidence.rowid) < ($1.ts ?? .min, $1.evidence.table, $1.evidence.rowid) }
        }

        /// The audit columns a step is made of (`auditStep`).
        static let auditColumns = "id, ts, user, audit_type, summary, event_info, source_ip, application"

        static func audit(_ db: Database, rowid: Int64, ruleID: String?) throws -> AdministrationStep? {
            guard let r = try db.cachedRows("SELECT \(auditColumns) FROM audit_event WHERE id = ?", [.integer(rowid)]).first else { return nil }
            return auditStep(r, ruleID: ruleID)
        }

        static func auditStep(_ r: Row, ruleID: String?) -> AdministrationStep {
            let type = r.text("audit_type")
            let action = AdministrationStep.auditAction(type: type, ruleID: ruleID)
            let text = r.text("summary") ?? r.text("event_info") ?? ""
            // The summary often repeats the type ("White URL Created: URL: …"): say it once.
            let repeats = type.map { text.lowercased().hasPrefix($0.lowercased()) } ?? false
            let detail = repeats ? text : [type, text.isEmpty ? nil : text].compactMap { $0 }.joined(separator: ": ")
            return AdministrationStep(ts: r.int("ts"), account: r.text("user"), role: AdministrationStep.auditRole(action: action, application: r.text("application")),
                                      action: action, detail: AdministrationStep.clip(detail), sourceIP: r.text("source_ip"), ruleID: ruleID,
                                      evidence: EvidenceRow(table: EventTable.auditEvent.rawValue, rowid: r.int("id") ?? 0))
        }

        /// What the account changed from `ip` in the follow-up after signing in: audited
        /// actions other than sign-ins, by a person (not an API account).
        static func session(_ db: Database, account: String?, ip: String?, from ts: Int64) throws -> [AdministrationStep] {
            guard let account, let ip else { return [] }
            return try db.cachedRows("""
                SELECT \(auditColumns) FROM audit_event
                WHERE user = ? AND source_ip = ? AND machine = 0 AND ts > ? AND ts <= ?
                  AND COALESCE(audit_type, '') NOT IN ('User Logged On', 'Logon Authentication Failed', 'Logon Requires Challenge')
                ORDER BY ts, id
                """, [.text(account), .text(ip), .integer(ts), .integer(ts + followUp)]).map { auditStep($0, ruleID: nil) }
        }

        static func archive(_ db: Database, rowid: Int64, ruleID: String?) throws -> AdministrationStep? {
            guard let r = try db.cachedRows("""
                SELECT id, ts, kind, user, description, search_text, recipient, subject, is_admin FROM archive_access WHERE id = ?
                """, [.integer(rowid)]).first else { return nil }
            let view = r.text("kind") == "view"
            let what = view
                ? "viewed \"\(r.text("subject") ?? "")\" in the archive of \(r.text("recipient") ?? "?")"
                : "searched the archive" + (r.text("description").map { " (\($0))" } ?? "") + (r.text("search_text").map { " for \($0)" } ?? "")
            return AdministrationStep(ts: r.int("ts"), account: r.text("user"), role: r.int("is_admin") == 1 ? .admin : .account,
                                      action: view ? .archiveView : .archiveSearch, detail: AdministrationStep.clip(what), ruleID: ruleID,
                                      evidence: EvidenceRow(table: EventTable.archiveAccess.rawValue, rowid: r.int("id") ?? 0))
        }

        /// The release columns a step is made of (`releaseStep`).
        static let releaseColumns = "id, ts, status, operator, operator_role, recipient, held_reason, verdict"

        /// Releases and rejections of message `m`'s held copies (`ReleaseLinker`).
        static func releases(_ db: Database, message m: String) throws -> [AdministrationStep] {
            try db.cachedRows("SELECT \(releaseColumns) FROM message_release WHERE message_id_linked = ? ORDER BY id", [.text(m)]).compactMap(releaseStep)
        }

        /// The release row `rowid`.
        static func releases(_ db: Database, rowid: Int64) throws -> [AdministrationStep] {
            try db.cachedRows("SELECT \(releaseColumns) FROM message_release WHERE id = ?", [.integer(rowid)]).compactMap(releaseStep)
        }

        static func releaseStep(_ r: Row) -> AdministrationStep? {
            let status = r.text("status")
            guard status == "released" || status == "rejected" else { return nil }
            let action: AdministrationStep.Action = status == "released" ? .released : .rejected
            let role: AdministrationStep.Role = r.text("operator_role") == MessageReleaseParser.OperatorRole.recipient.rawValue ? .recipient
                : r.text("operator_role") == MessageReleaseParser.OperatorRole.admin.rawValue ? .admin : .account
            var detail = "\(action.rawValue) the copy held for \(r.text("recipient") ?? "?")"
            if let reason = r.text("held_reason") { detail += ", held as \(reason)" }
            if let verdict = r.text("verdict") { detail += ", verdict \(verdict)" }
            return AdministrationStep(ts: r.int("ts"), account: r.text("operator"), role: role, action: action,
                                      detail: AdministrationStep.clip(detail), target: r.text("recipient"),
                                      evidence: EvidenceRow(table: EventTable.messageRelease.rawValue, rowid: r.int("id") ?? 0))
        }
    }
}
