import Foundation

/// What a job reports while it works, for the command line (or any caller) to show. The job
/// decides what happened; the caller decides how it reads.
public enum JobEvent: Sendable {
    /// The run lock was left by a run that ended without releasing it; taking it over.
    case staleLock(database: String, holder: String)
    /// A line from ingest: a file's result, a warning, an identity-map problem.
    case message(String)
    /// The inputs are loaded.
    case ingested(IngestSummary)
    /// The evidence the rules will check, and why.
    case window(DetectionWindow)
    /// A watch list was stored for DUET rules.
    case watchListStored(name: String, people: Int, path: String)
    /// A threat-intel feed was stored (`newIndicators` nil: the same file was already loaded).
    case feedStored(ThreatIntelFeed, newIndicators: Int?)
    /// The suppression list was stored (it replaces the one before).
    case suppressionsStored(SuppressionList)
    /// The rules ran and the incidents are rebuilt.
    case detected(DetectionResult)
    /// The reports are in `folder`.
    case reportsWritten(folder: String, paths: [String])
    /// An incident matched `--fail-on`.
    case alert(IncidentAlert.Match)
    /// An incident triaged false positive or benign matched `--fail-on` at a higher stage than
    /// when it was decided: new evidence re-opened it, and it alerts.
    case alertReopened(IncidentAlert.Match, Triage.Decision)
    /// An incident matched `--fail-on` but is triaged false positive or benign (and reached no
    /// higher stage since): no alert.
    case alertSilenced(IncidentAlert.Match, Triage.Decision)
    /// The alert reached a syslog or webhook destination (`AlertDelivery`) for these
    /// incidents (#n).
    case alertDelivered(destination: String, incidents: [Int64])
    /// The alert could not be delivered to a destination: the failure is recorded and counted,
    /// the next run tries again, and the exit code stays what `--fail-on` decided.
    case alertDeliveryFailed(destination: String, incidents: [Int64], reason: String)
}
