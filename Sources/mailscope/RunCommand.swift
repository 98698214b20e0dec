import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope run`: the whole job, by hand or nightly from cron with `--config`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job: load the inputs, detect, correlate, scope incidents and write the reports.",
        discussion: """
        Loads every input not yet loaded (by SHA-256, so a folder of exports can be given every \
        night), runs the detection and correlation rules over the new data plus a look-back \
        window (--lookback, default 7d; --full for the whole database), groups the findings \
        into incidents, and writes report.html, report.md, report.json, iocs.csv, \
        timeline.jsonl, iocs.stix.json, iocs.misp.json, findings.ocsf.jsonl and the ingest \
        summary into --out. With --dated-reports (the default \
        with --config) each run writes them to a folder of its own, OUT/YYYY-MM-DD/ (the UTC day \
        the run started; OUT/YYYY-MM-DD-2/ … for a later run that day), and OUT/latest points at \
        this run's folder, whatever data it covered (the report states its data window).

        Every option can come from a YAML file (--config); a value on the command line wins. \
        Keys: db, out, inputs, identities, edr_map, edr_tz, edr_date_order, ti, rules, enable, watch_lists, \
        params, lookback, fail_on, dated_reports, formats, templates, suppress, display_tz, tlp, alert_syslog, alert_webhook, \
        alert_timeout (see the README). \
        Relative paths in the file are relative to the file's folder.

        One run at a time per database: a second run exits 4 at once; a lock left by a killed \
        run is taken over with a note.

        --db (or db: in the config) may name a PostgreSQL database instead of a file: \
        postgresql://USER@HOST:PORT/DBNAME, the password from ~/.pgpass or PGPASSWORD, never the \
        command line. An empty database gets MailScope's schema (event tables partitioned by \
        month); the same job runs there, with the same findings, incidents and reports; the \
        database's advisory lock keeps a second writer out (exit 4). docs/scaling.md has the figures.

        Exit codes: 0 done; 1 bad options or config; 2 an input is missing, nothing could be \
        read, or the reports cannot be written; 3 --fail-on matched (an incident at or above \
        that severity gained findings since the last completed run, unless it is triaged \
        false-positive or benign and reached no higher stage since; the reports are written \
        first and OUT/latest points at them); 4 another run holds the database.

        With --fail-on, --alert-syslog sends one RFC 5424 syslog message with a CEF payload per \
        alerting incident and --alert-webhook POSTs one JSON document per run. A destination that \
        fails is reported and retried by the next run, never changing the exit code; what a \
        destination received is not sent again unless the incident gains new evidence.

        Examples:
          mailscope run --input fixtures/scenario/siem_v2 --input fixtures/scenario/ttp --db case.db --out reports/
          mailscope run --input exports/ --input edr/ --identities identities.csv --watch-list vip=vip.txt --ti feed.csv --db case.db --out reports/
          mailscope run --config /etc/mailscope/mailscope.yml --fail-on high      # nightly, from cron
          mailscope run --config mailscope.yml --fail-on high --alert-syslog udp://siem.example.com:514
          mailscope run --input exports/ --db postgresql://mailscope@db.example/acme --out reports/
        """
    )

    @Option(name: .long, help: ArgumentHelp("A YAML config file with any of the options below.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "An input file or folder (repeatable; replaces the config's inputs).")
    var input: [String] = []

    @Option(name: .long, help: "The SQLite database (created if missing), or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME; an empty database gets the schema).")
    var db: String?

    @Option(name: .long, help: "Folder for the reports.")
    var out: String?

    @Option(name: .long, help: ArgumentHelp("How far before the new data the rules look again (default 7d).", valueName: "span"))
    var lookback: TimeSpan?

    @Option(name: .long, help: ArgumentHelp("Check evidence from this time on, instead of the new data and look-back.", valueName: "time"))
    var since: TimeArgument?

    @Flag(name: .long, help: "Run the rules over the whole database (e.g. after adding a threat-intel feed or a rule).")
    var full = false

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when an incident at or above this severity gained findings since the last completed run (not one triaged false-positive or benign, unless it reached a higher stage).", valueName: "severity"))
    var failOn: Rule.Severity?

    @Option(name: .customLong("alert-syslog"), help: ArgumentHelp("With --fail-on: send each alerting incident as RFC 5424 syslog with a CEF payload to unix:PATH, udp://HOST:PORT, tcp://HOST:PORT or file:PATH.", valueName: "destination"))
    var alertSyslog: String?

    @Option(name: .customLong("alert-webhook"), help: ArgumentHelp("With --fail-on: POST the alerting incidents as one JSON document to this http(s) URL (the run record and reports show it without its path and query).", valueName: "url"))
    var alertWebhook: String?

    @Option(name: .customLong("alert-timeout"), help: ArgumentHelp("How long each alert connect, send or HTTP try may take (default 10s; the webhook tries 3 times).", valueName: "span"))
    var alertTimeout: String?

    @Flag(name: .customLong("dated-reports"), inversion: .prefixedNo, help: "Write the reports to OUT/YYYY-MM-DD/ (the run's UTC day, -2, -3 … for a later run that day) and point OUT/latest at them (default with --config; otherwise straight into OUT).")
    var datedReports: Bool?

    @OptionGroup var edr: EDROptions

    @OptionGroup var detection: DetectionOptions

    @OptionGroup var output: ReportOptions

    func validate() throws {
        try edr.validate()
        try detection.validate()
        try output.validate()
        if full && since != nil { throw ValidationError("give --full or --since, not both") }
        if let alertSyslog {
            do { _ = try SyslogTarget(parsing: alertSyslog) } catch { throw ValidationError("--alert-syslog: \(error.description)") }
        }
        if let alertWebhook {
            do { _ = try WebhookTarget(parsing: alertWebhook) } catch { throw ValidationError("--alert-webhook: \(error.description)") }
        }
        if let alertTimeout, AlertSettings.timeout(alertTimeout) == nil {
            throw ValidationError("--alert-timeout: \"\(alertTimeout)\" is not a number of seconds followed by s, e.g. 10s (1s to 300s)")
        }
    }

    /// The job's settings: the config file fills in what the command line left out.
    func settings() throws -> Job.RunSettings {
        let file = try config.map { try RunConfig.load(path: $0) } ?? RunConfig()
        func missing(_ flag: String, _ key: String, _ what: String) -> JobError {
            .missingSetting(what: what, flag: flag, key: key, config: config)
        }
        guard let db = db ?? file.db else { throw missing("--db FILE", "db", "database") }
        guard let out = out ?? file.out else { throw missing("--out DIR", "out", "report folder") }
        let inputs = input.isEmpty ? file.inputs ?? [] : input
        if inputs.isEmpty { throw missing("at least one --input file or folder", "inputs", "inputs") }
        let edr = edr.merged(with: file)
        try edr.validate()
        let output = output.merged(with: file)
        try output.validate()
        var s = Job.RunSettings(inputs: inputs, database: db, out: out)
        s.lookback = lookback ?? file.lookback
        s.since = since?.start
        s.full = full
        s.failOn = failOn ?? file.failOn
        s.datedReports = datedReports ?? file.datedReports ?? (config != nil)
        s.ingest = try edr.ingestOptions()
        s.identities = edr.identities
        s.detection = detection.merged(with: file).settings
        s.report = try output.settings
        s.alerting = try alertSettings(file, failOn: s.failOn)
        s.configPath = config
        return s
    }

    /// The alert destinations: a flag wins over its config key.
    func alertSettings(_ file: RunConfig, failOn: Rule.Severity?) throws -> AlertSettings {
        var alerting = AlertSettings(syslog: try alertSyslog.map { try SyslogTarget(parsing: $0) } ?? file.alertSyslog,
                                     webhook: try alertWebhook.map { try WebhookTarget(parsing: $0) } ?? file.alertWebhook)
        if let span = alertTimeout.flatMap(AlertSettings.timeout) ?? file.alertTimeout { alerting.timeout = Double(span.milliseconds) / 1000 }
        if !alerting.isEmpty && failOn == nil {
            let origin = alertSyslog == nil && alertWebhook == nil ? file.origins["alert_syslog"] ?? file.origins["alert_webhook"] : nil
            throw JobError.alertWithoutThreshold(origin: origin)
        }
        return alerting
    }

    func run() throws {
        let job = Job(command: RunRecord.commandLine(WebhookTarget.redacting(CommandLine.arguments)))
        let progress = Progress()
        job.onProgress = { progress.update(index: $0, count: $1, path: $2, bytes: $3, size: $4) }
        job.onEvent = { event in JobPrinter.show(event, progress: progress) }
        defer { progress.finish() }
        let settings = try settings()
        try WritableStore.with(settings.database, job: job, application: "mailscope run", create: true) {
            try job.run(settings)
        }
    }
}
