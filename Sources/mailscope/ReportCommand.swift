import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope report --db FILE --out DIR`: write the reports from the database.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the incident reports (HTML, Markdown, JSON, IOC CSV, timeline, STIX, MISP, OCSF, PDF) from the database.",
        discussion: """
        Reads the incidents, findings and inputs already in the database (see mailscope run and \
        mailscope detect) and writes report.html (one self-contained file; each incident with its \
        timeline and a graph of how the attack moved, from the sender to what ran on the hosts), \
        report.md, \
        report.json (docs/report-schema.json), iocs.csv, timeline.jsonl (Timesketch), and for \
        other tools iocs.stix.json (STIX 2.1 bundle), iocs.misp.json (MISP events, tagged with \
        the --tlp label) and findings.ocsf.jsonl (OCSF 1.5.0 Detection and Incident Findings). The \
        same database gives the same bytes; the report time is SOURCE_DATE_EPOCH when set. \
        --format pdf also prints report.html to report.pdf with headless Chromium (Debian's \
        chromium package; without it the other files are written and the command exits 2), with \
        the report id, the input manifest hash and page numbers on every page.

        Examples:
          mailscope report --db case.db --out reports/
          mailscope report --db case.db --out reports/ --format html,json
          mailscope report --db case.db --out incident-3/ --incident 3
          mailscope report --db postgresql://analyst@db.example/acme --out reports/
          mailscope report --db case.db --out reports/ --format pdf
          mailscope report --db case.db --out share/ --format stix,misp --tlp green
          SOURCE_DATE_EPOCH=1793664000 mailscope report --db case.db --out reports/ --templates my-templates/
        """
    )

    @Option(name: .long, help: "The SQLite database, or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME; read in a READ ONLY snapshot).")
    var db: String

    @Option(name: .long, help: "Folder for the reports (created if missing).")
    var out: String

    @OptionGroup var output: ReportOptions

    @Option(name: .long, help: ArgumentHelp("Only this incident: its number as the reports show it (3 or #3) or its key. Every format, one incident, to hand over.", valueName: "n"))
    var incident: String?

    @OptionGroup var ruleFolder: RuleFolderOption

    func validate() throws { try output.validate() }

    func run() throws {
        var settings = try output.settings
        settings.incident = incident
        let paths = try Job.report(out: out, ruleFolder: ruleFolder.rules, settings: settings) {
            try ReadableStore.open(db, application: "mailscope report")
        }
        for p in paths { print(TerminalText.safe(p)) }
    }
}

/// `--format` and `--templates`, shared by `report` and `run`.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Which files to write, comma-separated: html, md, json, csv (iocs.csv), timeline (timeline.jsonl), stix (iocs.stix.json, STIX 2.1 bundle), misp (iocs.misp.json, MISP events), ocsf (findings.ocsf.jsonl, OCSF 1.5.0 Detection and Incident Findings), pdf (report.pdf, printed from report.html by headless Chromium: Debian's chromium package). Default: all but pdf.", valueName: "list"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("The TLP 2.0 label of the exported indicators in iocs.stix.json and iocs.misp.json: \(TLP.allowed). Default: amber.", valueName: "label"))
    var tlp: String?

    @Option(name: .long, help: ArgumentHelp("A folder of report.html.mustache / report.md.mustache that replace the bundled templates.", valueName: "dir"))
    var templates: String?

    @Option(name: .customLong("display-tz"), help: ArgumentHelp("Show the HTML and Markdown reports' times in this zone, each with its UTC offset: an IANA zone such as Europe/Berlin or a fixed offset such as +02:00. report.json, iocs.csv and timeline.jsonl stay UTC. Default: UTC.", valueName: "zone"))
    var displayTz: String?

    static let defaultFormats = ReportWriter.Format.defaults.map(\.rawValue).joined(separator: ",")

    var formats: [ReportWriter.Format] {
        (format ?? Self.defaultFormats).split(separator: ",").compactMap { ReportWriter.Format(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        _ = try displayTimeZone()
        _ = try tlpLabel()
        for f in (format ?? Self.defaultFormats).split(separator: ",") where ReportWriter.Format(rawValue: f.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("--format: \(f) is not one of \(ReportWriter.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// These options with the config file's values where the command line gave none.
    func merged(with config: RunConfig) -> ReportOptions {
        var copy = self
        if copy.format == nil, let f = config.formats { copy.format = f.joined(separator: ",") }
        if copy.templates == nil { copy.templates = config.templates }
        if copy.displayTz == nil { copy.displayTz = config.displayTz }
        if copy.tlp == nil { copy.tlp = config.tlp?.rawValue }
        return copy
    }

    /// `--display-tz` read as a zone; a name that is none is refused with what would do.
    func displayTimeZone() throws -> TimeZoneOffsets? {
        guard let displayTz else { return nil }
        do { return try TimeZoneOffsets(parsing: displayTz) } catch { throw ValidationError("--display-tz: \(error)") }
    }

    /// `--tlp` read as a label (`tlp:` prefix and case ignored); amber when not given.
    func tlpLabel() throws -> TLP {
        guard let tlp else { return .default }
        guard let label = TLP(label: tlp) else { throw ValidationError("--tlp: " + TLP.refusal(tlp)) }
        return label
    }

    /// The library's report settings from these options.
    var settings: ReportSettings {
        get throws {
            var s = ReportSettings()
            s.formats = formats
            s.templates = templates
            s.displayTimeZone = try displayTimeZone() ?? .utc
            s.tlp = try tlpLabel()
            return s
        }
    }
}
