import Foundation

/// Delivers a run's alert to its syslog and webhook destinations, and remembers what each
/// destination received so the next run sends nothing twice (table `alert_delivery`).
///
/// "The same alert" is an incident with the same evidence: its key and its largest finding id
/// (`AlertIncident.findingMark`). A destination is sent an incident when
/// - the incident alerted in this run (it gained findings since the last completed run, at or
///   above `--fail-on`, not silenced by triage) and the destination has not yet received it
///   with this evidence — a run killed after delivering but before it recorded its alert check
///   alerts again, and is not resent; or
/// - an earlier delivery of the incident to this destination failed and none since succeeded
///   (a retry, with the incident as it is now, if it still exists at or above the threshold and
///   is not silenced by triage).
/// Delivery is never fatal: a failure is reported through `event`, recorded and counted, and
/// the run's exit code stays what `--fail-on` decided.
public enum AlertDelivery {
    /// How many (destination, incident) deliveries succeeded and failed in a run.
    public struct Counts: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public init(delivered: Int = 0, failed: Int = 0) {
            self.delivered = delivered
            self.failed = failed
        }
    }

    /// What a delivery needs besides the destinations: this run's alerts and where its
    /// reports are.
    public struct Context: Sendable {
        public var alerts: [IncidentAlert.Match]
        public var threshold: Rule.Severity
        /// The alert time, ms UTC (the run's report time).
        public var time: Int64
        public var reportFolder: String?
        public var reportFiles: [String]
        public var runID: Int64?
    }

    public static func deliver(_ db: Database, settings: AlertSettings, context: Context,
                               event: (JobEvent) -> Void) throws -> Counts {
        var counts = Counts()
        if let target = settings.syslog {
            let destination = "syslog \(target)"
            let incidents = try pending(db, destination: destination, context: context)
            if !incidents.isEmpty {
                let sender = SyslogSender(target: target, timeout: settings.timeout)
                let host = SyslogMessage.localHostname, pid = getpid()
                let messages = incidents.map { incident in
                    SyslogMessage(severity: incident.severity, time: context.time, hostname: host, processID: pid,
                                  text: CEFEvent(incident: incident, report: AlertReport.link(incident: incident.number, files: context.reportFiles)).line)
                }
                let (sent, failure) = sender.send(messages)
                try record(db, destination: destination, incidents: Array(incidents.prefix(sent)), attempts: 1, error: nil, runID: context.runID, time: context.time)
                if sent > 0 { event(.alertDelivered(destination: destination, incidents: incidents.prefix(sent).map(\.number))) }
                if let failure {
                    let failed = Array(incidents.dropFirst(sent))
                    try record(db, destination: destination, incidents: failed, attempts: 1, error: failure.description, runID: context.runID, time: context.time)
                    event(.alertDeliveryFailed(destination: destination, incidents: failed.map(\.number), reason: failure.description))
                }
                counts.delivered += sent
                counts.failed += incidents.count - sent
            }
        }
        if let target = settings.webhook {
            let destination = "webhook \(target)"
            let incidents = try pending(db, destination: destination, context: context)
            if !incidents.isEmpty {
                let body = WebhookPayload.json(incidents: incidents, threshold: context.threshold, generatedAt: context.time,
                                               reportFolder: context.reportFolder, reportFiles: context.reportFiles)
                let outcome = WebhookSender(target: target, timeout: settings.timeout, tries: settings.webhookTries).post(body)
                try record(db, destination: destination, incidents: incidents, attempts: outcome.attempts, error: outcome.failure, runID: context.runID, time: context.time)
                if let failure = outcome.failure {
                    event(.alertDeliveryFailed(destination: destination, incidents: incidents.map(\.number), reason: failure))
                    counts.failed += incidents.count
                } else {
                    event(.alertDelivered(destination: destination, incidents: incidents.map(\.number)))
                    counts.delivered += incidents.count
                }
            }
        }
        return counts
    }

    /// The incidents `destination` is owed, in incident order: this run's alerts it has not
    /// received with their current evidence, and the retries of earlier failures.
    static func pending(_ db: Database, destination: String, context: Context) throws -> [AlertIncident] {
        var ids = Set(context.alerts.map(\.id))
        let decisions = try Triage.current(db)
        for row in try db.rows(retrySQL, [.text(destination)]) {
            guard let id = row.int("incident_id"), let severity = row.text("severity").flatMap(Rule.Severity.init(rawValue:)),
                  severity >= context.threshold else { continue }
            let stage = row.text("stage").flatMap(Rule.Stage.init(rawValue:)) ?? .targeted
            if case .silenced = Triage.verdict(decisions[id], stageNow: stage) { continue }
            ids.insert(id)
        }
        return try ids.sorted().compactMap { id in
            guard let incident = try AlertIncident.load(db, incident: id) else { return nil }
            let received = try db.scalar(deliveredSQL, [.text(destination), .integer(id), .integer(incident.findingMark)])?.intValue ?? 0
            return received > 0 ? nil : incident
        }
    }

    /// Incidents (as they are numbered now, through any key they held) with a failed delivery
    /// to the destination that no later success with at least that evidence made good.
    static let retrySQL = """
        SELECT DISTINCT k.incident_id, i.severity, i.stage
        FROM alert_delivery f
        JOIN incident_key k ON k.key = f.incident_key
        JOIN incident i ON i.id = k.incident_id
        WHERE f.destination = ? AND f.status = 'failed'
          AND NOT EXISTS (SELECT 1 FROM alert_delivery d JOIN incident_key dk ON dk.key = d.incident_key
                          WHERE d.destination = f.destination AND d.status = 'delivered'
                            AND dk.incident_id = k.incident_id AND d.finding_mark >= f.finding_mark)
        """

    /// Whether the destination received the incident (under any key it holds) with evidence up
    /// to the given finding id.
    static let deliveredSQL = """
        SELECT COUNT(*) FROM alert_delivery d JOIN incident_key k ON k.key = d.incident_key
        WHERE d.destination = ? AND d.status = 'delivered' AND k.incident_id = ? AND d.finding_mark >= ?
        """

    static func record(_ db: Database, destination: String, incidents: [AlertIncident], attempts: Int, error: String?,
                       runID: Int64?, time: Int64) throws {
        guard !incidents.isEmpty else { return }
        try db.transaction {
            for incident in incidents {
                try db.run("""
                    INSERT INTO alert_delivery (destination, incident_key, incident_number, finding_mark, run_id, attempted_at, status, attempts, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.text(destination), .text(incident.key), .integer(incident.number), .integer(incident.findingMark),
                          runID.map { .integer($0) } ?? .null, .integer(Int64(Date().timeIntervalSince1970 * 1000)),
                          .text(error == nil ? "delivered" : "failed"), .integer(Int64(attempts)), error.map { .text($0) } ?? .null])
            }
        }
    }
}
