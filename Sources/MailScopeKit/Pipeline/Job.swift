import Foundation

/// The jobs of the command-line tool, each one library call: the whole nightly `run` (ingest →
/// identity map → detection window → detection and incidents → reports → alerts), and its
/// stages on their own (`ingest`, `detect`, `report`, `prune`). A job takes the run lock for
/// the database it writes, records itself in the `run` table, reports progress through
/// `onEvent`, and throws `ExitCoded` errors that say how the process should end.
public final class Job: @unchecked Sendable {
    /// The command line as the user typed it (kept in the run table and the lock file).
    public let command: String
    /// What the job reports while it works (called on the job's thread, or the ingest
    /// writer's).
    public var onEvent: @Sendable (JobEvent) -> Void = { _ in }
    /// Ingest progress: (file index, file count, path, bytes read, file size).
    public var onProgress: @Sendable (Int, Int, String, Int, Int) -> Void = { _, _, _, _, _ in }

    /// The job's database when it is already open, its writer lock held by whoever opened it:
    /// a PostgreSQL database (MailScopePostgres' `PostgresStore`). Nil for an SQLite file, which
    /// the job checks, creates, locks and opens itself from the path it is given.
    public var openDatabase: Database?

    public init(command: String) {
        self.command = command
    }

    /// The job's database: the one already open, or the SQLite file at `path`.
    func database(_ path: String) throws -> Database {
        try openDatabase ?? Database(path: path)
    }

    // MARK: run

    /// Everything `mailscope run` needs, after the config file and the command line are merged.
    public struct RunSettings: Sendable {
        public var inputs: [String]
        public var database: String
        public var out: String
        /// How far before the new data the rules look again (nil: the default 7 days).
        public var lookback: TimeSpan?
        /// Check evidence from this time on instead (`--since`).
        public var since: Int64?
        /// Check the whole database (`--full`).
        public var full = false
        public var failOn: Rule.Severity?
        /// Where a `--fail-on` match is delivered besides the ALERT lines (syslog, webhook).
        public var alerting = AlertSettings()
        /// Reports into OUT/YYYY-MM-DD (the UTC day the run started; `-2`, `-3` … for a later
        /// run that day) with OUT/latest pointing at this run's folder.
        public var datedReports = false
        public var ingest = IngestOptions()
        /// Identity directory CSVs, loaded with the inputs.
        public var identities: [String] = []
        public var detection = DetectionSettings()
        public var report = ReportSettings()
        /// The config file the settings came from, recorded with the run.
        public var configPath: String?

        public init(inputs: [String], database: String, out: String) {
            self.inputs = inputs
            self.database = database
            self.out = out
        }
    }

    /// What a run did.
    public struct RunOutcome: Sendable {
        public var ingest: IngestSummary
        public var window: DetectionWindow
        public var detection: DetectionResult
        /// Where the reports went.
        public var folder: String
        /// Incidents that matched `--fail-on`.
        public var alerts: [IncidentAlert.Match]
    }

    /// The whole job. Checks everything it can before loading (inputs there, database and
    /// report folder writable, rules, watch lists and feeds valid), so an unattended run does
    /// not load for an hour and then fail. Throws `JobError.alert` after the reports are
    /// written when `--fail-on` matched, `JobError.nothingRead` when no input could be read.
    @discardableResult
    public func run(_ s: RunSettings) throws -> RunOutcome {
        let missing = s.inputs.filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty { throw JobError.missingInputs(missing) }
        let loading = s.inputs + s.identities
        try Ingester.checkInputs(loading, database: s.database)
        if openDatabase == nil { try Database.checkForWriting(path: s.database) }
        try ReportFolder.checkWritable(s.out)
        let prepared = try s.detection.prepare()
        let lock = try takeLock(s.database)
        defer { lock?.release() }
        // The run's time names its report folder (SOURCE_DATE_EPOCH when set, as the reports' time).
        let started = Int64(ReportModel.Options.reportTime().timeIntervalSince1970 * 1000)

        let summary = try load(loading, database: s.database, options: s.ingest)
        onEvent(.ingested(summary))
        let database = try self.database(s.database)
        let window = try DetectionWindow.decide(database, lookback: s.lookback, since: s.since, full: s.full)
        onEvent(.window(window))
        var recorded = s.detection.recorded
        recorded["config"] = s.configPath.map { $0 as Any } ?? NSNull()
        recorded["since"] = window.since.map { $0 as Any } ?? NSNull()
        recorded["lookback"] = (s.lookback ?? DetectionWindow.defaultLookback).text
        recorded["full"] = s.full
        if let zone = s.ingest.edrTimeZone { recorded["edr_tz"] = zone.name }
        let runID = try RunRecord.start(database, kind: .run, command: command, options: recorded)
        let mark = try IncidentAlert.findingMark(database)
        let detection = try prepared.run(on: database, since: window.since, event: onEvent)
        try window.markChecked(database)
        onEvent(.detected(detection))

        let folder = s.datedReports ? try ReportFolder.forRun(out: s.out, startedAt: started) : s.out
        try IngestReport.write(database: database, to: folder)
        try RunRecord.finish(database, runID)
        let paths = try Self.writeReports(database, rules: prepared.catalog, to: folder, settings: s.report)
        if s.datedReports { try ReportFolder.pointLatest(out: s.out, at: folder) }
        onEvent(.reportsWritten(folder: folder, paths: paths))
        let matches = try s.failOn.map { try IncidentAlert.matches(database, atLeast: $0, findingsAfter: mark) } ?? []
        let alerts = try triaged(matches, database: database)
        if let threshold = s.failOn, !s.alerting.isEmpty {
            // Stamped when sent (SOURCE_DATE_EPOCH when set, as the reports' time).
            let sent = Int64(ReportModel.Options.reportTime().timeIntervalSince1970 * 1000)
            let context = AlertDelivery.Context(alerts: alerts, threshold: threshold, time: sent,
                                                reportFolder: Self.absolute(folder), reportFiles: paths.map(Self.absolute), runID: runID)
            let counts = try AlertDelivery.deliver(database, settings: s.alerting, context: context, event: onEvent)
            try RunRecord.countDeliveries(database, runID, counts)
        }
        try IncidentAlert.markChecked(database)
        if summary.nothingRead { throw JobError.nothingRead }
        if let threshold = s.failOn, !alerts.isEmpty { throw JobError.alert(incidents: alerts.count, threshold: threshold) }
        return RunOutcome(ingest: summary, window: window, detection: detection, folder: folder, alerts: alerts)
    }

    // MARK: stages on their own

    /// `mailscope ingest`: loads `paths` and rebuilds the identity map. Throws
    /// `JobError.nothingRead` after the summary when nothing at all could be read.
    public func ingest(_ paths: [String], database: String, options: IngestOptions) throws -> IngestSummary {
        try Ingester.checkInputs(paths, database: database)
        let lock = try takeLock(database)
        defer { lock?.release() }
        return try load(paths, database: database, options: options)
    }

    /// `mailscope detect`: runs the rules over evidence in [since, until] and rebuilds the
    /// incidents. Without `until`, everything from `since` on counts as checked for the next run.
    public func detect(database path: String, settings: DetectionSettings, since: Int64?, until: Int64?) throws -> DetectionResult {
        let prepared = try settings.prepare()
        // Detection over a database that was never loaded would create an empty one.
        if openDatabase == nil { try Database.checkExists(path: path) }
        let lock = try takeLock(path)
        defer { lock?.release() }
        let database = try database(path)
        var options = settings.recorded
        options["since"] = since.map { $0 as Any } ?? NSNull()
        options["until"] = until.map { $0 as Any } ?? NSNull()
        let runID = try RunRecord.start(database, kind: .detect, command: command, options: options)
        let result = try prepared.run(on: database, since: since, until: until, event: onEvent)
        if until == nil {
            try DetectionWindow.decide(database, lookback: nil, since: since, full: since == nil).markChecked(database)
        }
        try RunRecord.finish(database, runID)
        return result
    }

    /// `mailscope report`: writes the reports of the database at `path` (opened read-only) into
    /// `out`, describing its last detection.
    public static func report(database path: String, out: String, ruleFolder: String?, settings: ReportSettings) throws -> [String] {
        try report(out: out, ruleFolder: ruleFolder, settings: settings) { try Database.openForReading(path: path) }
    }

    /// `mailscope report` over the database `open` opens (an SQLite file read-only, or a
    /// PostgreSQL snapshot: MailScopePostgres' `PostgresReader.open`): the rules and the report
    /// folder are checked first.
    public static func report(out: String, ruleFolder: String?, settings: ReportSettings,
                              open: () throws -> Database) throws -> [String] {
        let catalog = try RuleCatalog.load(userDirectory: ruleFolder)
        let database = try open()
        try ReportFolder.checkWritable(out)
        return try writeReports(database, rules: catalog.rules, to: out, settings: settings)
    }

    /// `mailscope prune`: removes events before `cutoff` (keeping evidence), optionally
    /// vacuuming the file afterwards.
    public func prune(database path: String, before cutoff: Int64, dryRun: Bool, vacuum: Bool) throws -> [Pruner.Outcome] {
        if openDatabase == nil { try Database.checkExists(path: path) }
        let lock = try takeLock(path)
        defer { lock?.release() }
        let database = try self.database(path)
        let runID = dryRun ? nil : try RunRecord.start(database, kind: .prune, command: command, options: ["before": cutoff])
        let outcomes = try Pruner(db: database).prune(before: cutoff, dryRun: dryRun)
        if let runID { try RunRecord.finish(database, runID) }
        if vacuum && !dryRun { try database.execute("VACUUM") }
        return outcomes
    }

    /// `mailscope triage N --status … --note …`: records a decision on the incident `reference`
    /// names (#n or key), under the run lock: a run rebuilding the incidents meanwhile could
    /// renumber them between the lookup and the record.
    public func triage(database path: String, reference: String, status: Triage.Status, note: String,
                       by: String) throws -> (decision: Triage.Decision, incident: Triage.IncidentRef) {
        if openDatabase == nil { try Database.checkExists(path: path) }
        let lock = try takeLock(path)
        defer { lock?.release() }
        return try Triage.record(try database(path), reference: reference, status: status, note: note, by: by)
    }

    // MARK: steps

    /// The `--fail-on` matches that alert once triage decisions are applied (a false positive
    /// or benign incident alerts only when it reached a higher stage since), each reported.
    func triaged(_ matches: [IncidentAlert.Match], database: Database) throws -> [IncidentAlert.Match] {
        guard !matches.isEmpty else { return [] }
        let decisions = try Triage.current(database)
        return matches.filter { match in
            switch Triage.verdict(decisions[match.id], stageNow: match.stage) {
            case .alert: onEvent(.alert(match))
            case .reopened(let decision): onEvent(.alertReopened(match, decision))
            case .silenced(let decision):
                onEvent(.alertSilenced(match, decision))
                return false
            }
            return true
        }
    }

    /// `path` made absolute against the working directory: alerts leave the machine's context.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Takes the one-writer lock. A file that is not a MailScope database is refused before
    /// the lock file is made.
    /// Takes the SQLite file's run lock; nil when the database is already open (its opener
    /// holds its writer lock).
    func takeLock(_ database: String) throws -> RunLock? {
        if openDatabase != nil { return nil }
        try Database.checkForWriting(path: database)
        let lock = try RunLock(databasePath: database, command: command)
        if let stale = lock.staleHolder { onEvent(.staleLock(database: database, holder: stale)) }
        return lock
    }

    /// Loads `paths`, then rebuilds the identity map when the loaded data changed (ingest
    /// loads; correlation follows from what is loaded).
    func load(_ paths: [String], database path: String, options: IngestOptions) throws -> IngestSummary {
        let ingester = Ingester(databasePath: path, options: options)
        ingester.openDatabase = openDatabase
        let event = onEvent
        ingester.onMessage = { event(.message($0)) }
        ingester.onProgress = onProgress
        var summary = try ingester.ingest(paths: paths)
        let database = try self.database(path)
        // Releases carry no Message-ID: link them (again: newly loaded mail can change a match).
        if let releases = try ReleaseLinker.relink(database) {
            summary.releases = releases
            onEvent(.message(releases.text))
        }
        if let identities = try IdentityMap.rebuildIfStale(database) {
            summary.identities = identities
            for issue in try IdentityMap.issues(database, kinds: ["ambiguous", "conflict"]) {
                onEvent(.message("identity: \(issue.kind): \(issue.detail)"))
            }
        }
        return summary
    }

    /// Writes the reports of `database` into `folder`, describing its last detection.
    /// Writes the reports of `database` into `folder`.
    public static func writeReports(_ database: Database, rules: [Rule], to folder: String, settings: ReportSettings) throws -> [String] {
        let last = try RunRecord.lastDetection(database)
        let one = try settings.incident.map { try IncidentReference.resolve($0, in: database) }
        var model = try ReportModel.build(database, options: .init(generatedAt: ReportModel.Options.reportTime(), command: last.command,
                                                                   rules: rules, enabled: last.enabled, parameters: last.parameters,
                                                                   edrTimeZone: last.edrTimeZone, displayTimeZone: settings.displayTimeZone))
        if let one { model = model.only(incident: Int(one.id)) }
        do {
            return try ReportWriter.write(model, to: folder, formats: settings.formats, templates: settings.templates, tlp: settings.tlp)
        } catch let error as ReportWriter.TemplateError {
            throw error
        } catch let error as PDFRenderer.Error {
            throw error
        } catch {
            throw JobError.reportsNotWritten(folder: folder, reason: ReportFolder.reason(error))
        }
    }
}

/// Which report files to write and with which templates.
public struct ReportSettings: Sendable {
    public var formats: [ReportWriter.Format] = ReportWriter.Format.defaults
    /// A folder of templates that replace the bundled ones.
    public var templates: String?
    /// The zone the HTML and Markdown reports show times in (`--display-tz`); report.json
    /// keeps UTC.
    public var displayTimeZone: TimeZoneOffsets = .utc
    /// Only this incident (its number, `#n`, or its key): a report to hand over on its own.
    public var incident: String?
    /// How far the STIX and MISP indicators may be shared (`tlp:`, `--tlp`).
    public var tlp: TLP = .default
    public init() {}
}
