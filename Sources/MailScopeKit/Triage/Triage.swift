import Foundation

/// An analyst's decisions on incidents (`mailscope triage N --status … --note …`): open,
/// confirmed, false positive or benign, with a note, who decided and when.
///
/// Incidents are rebuilt from the findings after every detection and their numbers (#n) can
/// change, so a decision is kept against the incident's stable key, in the `triage` table that
/// rebuilds and `prune` never touch. It still finds its incident when new evidence gives the
/// incident another key (a click on the campaign's link adds a domain key that outranks the
/// Message-ID's; two campaigns found to share a hash become one): the rebuild keeps every
/// campaign key of each incident in `incident_key`, and a key belongs to one incident only.
///
/// Decisions are never changed or deleted: a new decision on an incident is a new row, the
/// latest one is in force and the earlier ones are its history. Each records the incident's
/// stage when it was made, so a false positive that later reaches a higher stage (a click,
/// then a run on the host) is re-opened by that evidence (`verdict(_:stageNow:)`).
public enum Triage {
    /// What the analyst decided.
    public enum Status: String, CaseIterable, Sendable, Codable {
        /// Still to be looked at, or looked at again (alerts as an untriaged incident does).
        case open
        /// A real incident: alerts as before, so new findings on it still page someone.
        case confirmed
        /// Not an attack: no `--fail-on` alert until it reaches a higher stage.
        case falsePositive = "false-positive"
        /// An attack that did no harm or a test: no alert until it reaches a higher stage.
        case benign

        /// Whether a decision with this status holds back `--fail-on` alerts.
        public var silencesAlerts: Bool { self == .falsePositive || self == .benign }
    }

    /// One decision, as recorded.
    public struct Decision: Sendable, Equatable {
        public var id: Int64
        /// The incident's key when decided.
        public var key: String
        public var status: Status
        public var note: String
        /// Who decided (`--by`, or the login name).
        public var by: String
        /// When, ms UTC.
        public var at: Int64
        /// The incident's furthest stage when decided: a higher stage later re-opens it.
        public var stage: Rule.Stage
        public var severity: Rule.Severity
        /// The incident's number and title when decided, for the record (numbers change).
        public var incident: Int64?
        public var title: String

        public init(id: Int64 = 0, key: String, status: Status, note: String, by: String, at: Int64, stage: Rule.Stage,
                    severity: Rule.Severity, incident: Int64? = nil, title: String = "") {
            self.id = id
            self.key = key
            self.status = status
            self.note = note
            self.by = by
            self.at = at
            self.stage = stage
            self.severity = severity
            self.incident = incident
            self.title = title
        }

        /// "false-positive by jb on 2026-11-03T09:12:00.000Z at stage interaction".
        public var summary: String {
            "\(status.rawValue) by \(by) on \(TimeParser.iso8601(at)) at stage \(stage.rawValue)"
        }
    }

    /// An incident as the database holds it now.
    public struct IncidentRef: Sendable, Equatable {
        /// Its number (#n) in the current incidents.
        public var id: Int64
        public var key: String
        public var title: String
        public var severity: Rule.Severity
        public var stage: Rule.Stage
    }

    /// A decision that could not be recorded (an incident that does not exist is
    /// `InvestigationError.noSuchIncident`, as for every command that names one).
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case emptyNote

        public var description: String {
            switch self {
            case .emptyNote:
                return "--note is empty: say why (it is kept with the decision for whoever reads the report)"
            }
        }
    }

    // MARK: the alert decision

    /// How `--fail-on` treats an incident that gained findings, under its decision.
    public enum AlertVerdict: Sendable, Equatable {
        /// Untriaged, open or confirmed: alerts as always.
        case alert
        /// Triaged false positive or benign, but now at a higher stage than when decided: alerts,
        /// and the reports say new evidence re-opened it.
        case reopened(Decision)
        /// Triaged false positive or benign, no higher stage since: no alert.
        case silenced(Decision)
    }

    /// The verdict for an incident at `stageNow` under `decision` (nil: none).
    public static func verdict(_ decision: Decision?, stageNow: Rule.Stage) -> AlertVerdict {
        guard let decision, decision.status.silencesAlerts else { return .alert }
        return stageNow > decision.stage ? .reopened(decision) : .silenced(decision)
    }

    /// Whether new evidence re-opened a false positive or benign decision.
    public static func reopened(_ decision: Decision?, stageNow: Rule.Stage) -> Bool {
        if case .reopened = verdict(decision, stageNow: stageNow) { return true }
        return false
    }

    // MARK: reading

    /// The incident `reference` names now (`IncidentReference`): `#3` or `3` (its number in the
    /// database, as the latest report shows it), or a key (`domain:acme-c0rp-secure.com`), the
    /// incident's own or any of its campaign keys.
    public static func incident(_ db: Database, reference: String) throws -> IncidentRef {
        let resolved = try IncidentReference.resolve(reference, in: db)
        let row = try db.rows("SELECT id, key, title, severity, stage FROM incident WHERE id = ?", [.integer(resolved.id)]).first
        return row.map(incidentRef) ?? IncidentRef(id: resolved.id, key: resolved.key, title: "", severity: .info, stage: .targeted)
    }

    static func incidentRef(_ r: Row) -> IncidentRef {
        IncidentRef(id: r.int("id") ?? 0, key: r.text("key") ?? "", title: r.text("title") ?? "",
                    severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info,
                    stage: r.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted)
    }

    static func decision(_ r: Row) -> Decision {
        Decision(id: r.int("id") ?? 0, key: r.text("key") ?? "", status: r.text("status").flatMap(Status.init(rawValue:)) ?? .open,
                 note: r.text("note") ?? "", by: r.text("decided_by") ?? "", at: r.int("decided_at") ?? 0,
                 stage: r.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted,
                 severity: r.text("severity").flatMap(Rule.Severity.init(rawValue:)) ?? .info,
                 incident: r.int("incident_id"), title: r.text("title") ?? "")
    }

    /// The decision in force for each current incident, by incident number: the latest
    /// decision made under any of the incident's keys.
    public static func current(_ db: Database) throws -> [Int64: Decision] {
        var out: [Int64: Decision] = [:]
        for r in try db.rows("""
            SELECT k.incident_id AS current_incident, t.id, t.key, t.status, t.note, t.decided_by, t.decided_at, t.stage, t.severity,
                   t.incident_id, t.title
            FROM triage t JOIN incident_key k ON k.key = t.key ORDER BY t.id
            """) {
            out[r.int("current_incident") ?? 0] = decision(r)
        }
        return out
    }

    /// Every decision ever recorded, oldest first.
    public static func history(_ db: Database) throws -> [Decision] {
        try db.rows("""
            SELECT id, key, status, note, decided_by, decided_at, stage, severity, incident_id, title FROM triage ORDER BY id
            """).map(decision)
    }

    // MARK: recording

    /// Records `status` with `note` on the incident `reference` names (see `incident(_:reference:)`),
    /// against its key, with its stage now; returns the decision and the incident.
    @discardableResult
    public static func record(_ db: Database, reference: String, status: Status, note: String, by: String,
                              at: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> (Decision, IncidentRef) {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw Error.emptyNote }
        let incident = try incident(db, reference: reference)
        var d = Decision(key: incident.key, status: status, note: note, by: by, at: at, stage: incident.stage,
                         severity: incident.severity, incident: incident.id, title: incident.title)
        try db.run("""
            INSERT INTO triage (key, status, note, decided_by, decided_at, stage, severity, incident_id, title)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(d.key), .text(status.rawValue), .text(note), .text(by), .integer(at), .text(d.stage.rawValue),
                  .text(d.severity.rawValue), .integer(incident.id), .text(incident.title)])
        d.id = db.lastInsertRowID
        return (d, incident)
    }

    /// The name a decision is recorded under when `--by` is not given: the login name.
    public static func defaultDecider(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        // The person behind sudo first: `sudo -u mailscope mailscope triage …` is still them.
        for name in ["SUDO_USER", "USER", "LOGNAME"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    // MARK: listing

    /// `mailscope triage list`: the decision in force for each incident (and each decision whose
    /// incident is gone, without a number), newest first; with `all`, also the incidents without
    /// a decision; with `history`, every decision ever made instead.
    public static func list(_ db: Database, all: Bool = false, history includeHistory: Bool = false) throws -> InvestigationTable {
        let columns = ["incident", "key", "title", "status", "note", "by", "at", "stage_when_decided", "stage_now", "reopened", "severity"]
        let compact = ["incident", "key", "status", "by", "at", "note", "stage_now", "reopened"]
        var incidents: [Int64: IncidentRef] = [:]
        for r in try db.rows("SELECT id, key, title, severity, stage FROM incident") {
            let ref = incidentRef(r)
            incidents[ref.id] = ref
        }
        var incidentOfKey: [String: Int64] = [:]
        for r in try db.rows("SELECT incident_id, key FROM incident_key") { incidentOfKey[r.text("key") ?? ""] = r.int("incident_id") }
        func incident(of d: Decision) -> IncidentRef? { incidentOfKey[d.key].flatMap { incidents[$0] } }
        func row(_ d: Decision, incident: IncidentRef?) -> [SQLValue] {
            [incident.map { .text("#\($0.id)") } ?? .null, .text(incident?.key ?? d.key), .text(incident?.title ?? d.title),
             .text(d.status.rawValue), .text(d.note), .text(d.by), .text(TimeParser.iso8601(d.at)), .text(d.stage.rawValue),
             incident.map { .text($0.stage.rawValue) } ?? .null,
             .text(reopened(d, stageNow: incident?.stage ?? d.stage) ? "yes" : "no"), .text((incident?.severity ?? d.severity).rawValue)]
        }
        let decisions = try Self.history(db)
        if includeHistory {
            let rows = decisions.reversed().map { row($0, incident: incident(of: $0)) }
            return InvestigationTable(columns: columns, compactColumns: compact, rows: rows)
        }
        // The latest decision per current incident, then per key of an incident that is gone.
        var inForce: [String: Decision] = [:]
        for d in decisions {
            let owner = incidentOfKey[d.key].map { "#\($0)" } ?? d.key
            inForce[owner] = d
        }
        var rows = inForce.values.sorted { $0.id > $1.id }.map { row($0, incident: incident(of: $0)) }
        if all {
            for ref in incidents.values.sorted(by: { $0.id < $1.id }) where inForce["#\(ref.id)"] == nil {
                rows.append([.text("#\(ref.id)"), .text(ref.key), .text(ref.title), .text("untriaged"), .null, .null, .null, .null,
                             .text(ref.stage.rawValue), .text("no"), .text(ref.severity.rawValue)])
            }
        }
        return InvestigationTable(columns: columns, compactColumns: compact, rows: rows)
    }
}
