import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope ingest PATH… --db FILE`: load exports into the database.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load Mimecast exports (files or folders, gzip or plain) into the database.",
        discussion: """
        Files are recognised by their content, not their names. A file whose SHA-256 is already \
        in the database is skipped; an interrupted load resumes where it stopped. Lines that \
        cannot be loaded are kept in the `reject` table with the reason and counted below.

        EDR exports (Defender for Endpoint advanced hunting, CrowdStrike Falcon event search, \
        SentinelOne Deep Visibility CSV, or FDR / Cloud Funnel NDJSON) load into edr_event; an \
        identities CSV (email, upn, account, host) maps mailboxes to computers. The identity map \
        is rebuilt after loading; ambiguous mappings are reported, not guessed.

        Exit codes: 0 loaded (rejects are reported, not fatal); 2 nothing at all could be read; \
        4 another mailscope process is writing to the database.

        Examples:
          mailscope ingest siem/2026-11-02/ --db case.db
          mailscope ingest ttp_url_logs.json.gz receipt_20261101.log --db case.db --json
          mailscope ingest exports/ edr/ --identities directory.csv --db case.db
          mailscope ingest carbonblack.csv --edr-map carbonblack.yml --edr-tz Europe/Berlin --db case.db
          mailscope ingest exports/ --db postgresql://mailscope@db.example/acme
        """
    )

    @Argument(help: "Files or folders to load (folders are read recursively).")
    var paths: [String]

    @Option(name: .long, help: "The SQLite database (created if missing), or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME; an empty database gets the schema).")
    var db: String

    @Flag(name: .long, help: "Print the summary as JSON on stdout.")
    var json = false

    @Option(name: .long, help: "Longest line or record to load, in bytes; longer ones are rejected.")
    var maxLineBytes: Int = 4 << 20

    @OptionGroup var edr: EDROptions

    @Option(name: .long, help: ArgumentHelp("Rows per committed transaction.", visibility: .hidden))
    var commitRows: Int = 50_000

    @Option(name: .long, help: ArgumentHelp("Lines per parsed batch.", visibility: .hidden))
    var batchLines: Int = 2048

    func validate() throws {
        if maxLineBytes < 1024 { throw ValidationError("--max-line-bytes must be at least 1024") }
        if commitRows < 1 || batchLines < 1 { throw ValidationError("--commit-rows and --batch-lines must be positive") }
        try edr.validate()
    }

    func run() throws {
        var options = try edr.ingestOptions()
        options.maxLineBytes = maxLineBytes
        options.commitRows = commitRows
        options.batchUnits = batchLines
        let job = Job(command: RunRecord.commandLine(CommandLine.arguments))
        let progress = Progress()
        job.onProgress = { progress.update(index: $0, count: $1, path: $2, bytes: $3, size: $4) }
        job.onEvent = { event in JobPrinter.show(event, progress: progress) }
        let summary: IngestSummary
        do {
            defer { progress.finish() }
            summary = try WritableStore.with(db, job: job, application: "mailscope ingest", create: true) {
                try job.ingest(paths + edr.identities, database: db, options: options)
            }
        }
        if json {
            print(try SummaryPrinter.json(summary))
        } else {
            print(SummaryPrinter.text(summary), terminator: "")
        }
        if summary.nothingRead { throw JobError.nothingRead }
    }
}

/// Options for EDR exports, shared by `ingest` and `run`.
struct EDROptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("An identities CSV (email, upn, account, host) mapping mailboxes to computers (repeatable).", valueName: "file"))
    var identities: [String] = []

    @Option(name: .long, help: ArgumentHelp("A YAML mapping for an EDR export without a built-in profile.", valueName: "file"))
    var edrMap: String?

    @Option(name: .long, help: ArgumentHelp("Time zone of EDR timestamps exported without one: an IANA zone such as Europe/Berlin (each row read with the offset in force at its time, daylight saving included) or a fixed offset such as +02:00 or UTC.", valueName: "zone"))
    var edrTz: String?

    @Option(name: .long, help: ArgumentHelp("How EDR dates like 02/11/2026 read: mdy (month first) or dmy (day first, Excel on most non-US systems). Default: decided per file from its dates, with a note when it cannot tell.", valueName: "order"))
    var edrDateOrder: String?

    func validate() throws {
        _ = try edrTimeZone()
        if let edrDateOrder, TimeParser.SlashDateOrder(rawValue: edrDateOrder) == nil {
            throw ValidationError("--edr-date-order \"\(edrDateOrder)\" must be mdy (month first) or dmy (day first)")
        }
    }

    /// `--edr-tz` read as a zone; a name that is none is refused with what would do.
    func edrTimeZone() throws -> TimeZoneOffsets? {
        guard let edrTz else { return nil }
        do { return try TimeZoneOffsets(parsing: edrTz) } catch { throw ValidationError("--edr-tz: \(error)") }
    }

    /// These options with the config file's values where the command line gave none.
    func merged(with config: RunConfig) -> EDROptions {
        var copy = self
        if copy.identities.isEmpty { copy.identities = config.identities ?? [] }
        if copy.edrMap == nil { copy.edrMap = config.edrMap }
        if copy.edrTz == nil { copy.edrTz = config.edrTz }
        if copy.edrDateOrder == nil { copy.edrDateOrder = config.edrDateOrder }
        return copy
    }

    /// The ingest options these EDR options set.
    func ingestOptions() throws -> IngestOptions {
        var options = IngestOptions()
        options.edrTimeZone = try edrTimeZone()
        options.edrDateOrder = edrDateOrder.flatMap(TimeParser.SlashDateOrder.init(rawValue:))
        options.edrMapping = try edrMap.map { try GenericMapping(path: $0) }
        return options
    }
}
