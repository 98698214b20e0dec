import Crypto
import Foundation
import Mustache

/// Writes the report files of a `ReportModel`: report.html, report.md, report.json, iocs.csv,
/// timeline.jsonl, the exchange files (iocs.stix.json, iocs.misp.json, findings.ocsf.jsonl)
/// and, when asked, report.pdf. Each file is written to a temporary name in the
/// same folder and renamed into place, so a crash never leaves a half-written report where a
/// reader expects a whole one.
public enum ReportWriter {
    /// The files, by the name used with `--format`.
    public enum Format: String, CaseIterable, Sendable {
        case html, md, json, csv, timeline, stix, misp, ocsf, pdf
        public var fileName: String {
            switch self {
            case .html: "report.html"
            case .md: "report.md"
            case .json: "report.json"
            case .csv: "iocs.csv"
            case .timeline: "timeline.jsonl"
            case .stix: "iocs.stix.json"
            case .misp: "iocs.misp.json"
            case .ocsf: "findings.ocsf.jsonl"
            case .pdf: "report.pdf"
            }
        }

        /// What `run` and `report` write unless told otherwise: every format but pdf, which
        /// needs a Chromium on the machine (see ``PDFRenderer``) and is written only when asked.
        /// The exchange files cost milliseconds and need nothing, so a nightly run hands them
        /// to the SOC's platforms without being asked.
        public static let defaults: [Format] = [.html, .md, .json, .csv, .timeline, .stix, .misp, .ocsf]
    }

    /// A template folder that does not hold usable templates.
    public struct TemplateError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `formats` into `folder`; returns the paths written, in format order with
    /// report.pdf last: it is printed after the others are in place, so a missing browser
    /// (``PDFRenderer/Error``) costs only the PDF. `tlp` marks the STIX and MISP indicators.
    @discardableResult
    public static func write(_ model: ReportModel, to folder: String, formats: [Format] = Format.defaults,
                             templates: String? = nil, tlp: TLP = .default,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let library = try templateLibrary(override: templates)
        let jsonText = try json(model)
        let identity = ReportIdentity(model: model, json: jsonText)
        var html: String?
        var written: [String] = []
        for format in formats where format != .pdf {
            let text: String
            switch format {
            case .json: text = jsonText
            case .md: text = try render(model, identity, library, "report.md", .markdown)
            case .html: text = try render(model, identity, library, "report.html", .html); html = text
            case .csv: text = iocCSV(model)
            case .timeline: text = timeline(model)
            case .stix: text = StixBundle.text(model, tlp: tlp)
            case .misp: text = MispEvents.text(model, tlp: tlp)
            case .ocsf: text = OcsfFindings.text(model)
            case .pdf: continue
            }
            let path = (folder as NSString).appendingPathComponent(format.fileName)
            try AtomicFile.write(text, to: path)
            written.append(path)
        }
        if formats.contains(.pdf) {
            let renderer = try PDFRenderer.locate(environment: environment)
            let page = try html ?? render(model, identity, library, "report.html", .html)
            let path = (folder as NSString).appendingPathComponent(Format.pdf.fileName)
            try AtomicFile.write(try renderer.render(html: page, date: model.generatedAt), to: path)
            written.append(path)
        }
        return written
    }

    // MARK: JSON

    public static func json(_ model: ReportModel) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Bidi overrides and C1 controls from input as \uXXXX: the same values, inert on a terminal.
        return JSONText.safe(String(decoding: try encoder.encode(model), as: UTF8.self)) + "\n"
    }

    // MARK: templates

    struct MarkdownContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { MarkdownText.escape(text) }
    }
    struct SafeHTMLContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }
    static let registerContentTypes: Void = {
        MustacheContentTypes.register(MarkdownContentType(), named: "MARKDOWN")
        MustacheContentTypes.register(SafeHTMLContentType(), named: "SAFEHTML")
    }()

    /// The bundled templates, with any `NAME.mustache` in `override` taking the place of the
    /// bundled one of the same name.
    static func templateLibrary(override: String?) throws -> MustacheLibrary {
        _ = registerContentTypes
        var texts: [String: String] = [:]
        for (name, text) in BundledTemplates.files { texts[String(name.dropLast(".mustache".count))] = text }
        if let override {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: override) else {
                throw TemplateError(description: "\(override): cannot read the templates folder")
            }
            for name in names.sorted() where name.hasSuffix(".mustache") {
                let path = (override as NSString).appendingPathComponent(name)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw TemplateError(description: "\(path): cannot read the template (UTF-8 text expected)")
                }
                texts[String(name.dropLast(".mustache".count))] = text
            }
        }
        var library = MustacheLibrary()
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            do { try library.register(text, named: name) } catch {
                throw TemplateError(description: "template \(name).mustache does not parse: \(error)")
            }
        }
        return library
    }

    static func render(_ model: ReportModel, _ identity: ReportIdentity, _ library: MustacheLibrary, _ name: String,
                       _ format: ReportView.Format) throws -> String {
        var values = ReportView.dictionary(model, format: format)
        values["report_id"] = identity.reportID
        values["input_manifest_sha256"] = identity.inputManifestSHA256
        guard let text = library.render(values, withTemplate: name) else {
            throw TemplateError(description: "no template named \(name).mustache")
        }
        return text
    }

    // MARK: IOC CSV and timeline

    /// `type,value,incident,first_seen,last_seen,recipients,hosts,feeds`, CRLF, every cell that
    /// a spreadsheet would read as a formula made inert. Shared infrastructure (a relay or link
    /// host of ordinary mail) and the organisation's own domains are context, not something to
    /// block, and are left out.
    public static func iocCSV(_ model: ReportModel) -> String {
        var out = "type,value,incident,first_seen,last_seen,recipients,hosts,feeds\r\n"
        for i in model.indicators where i.blockable {
            let cells = [i.type, i.value, i.incident.map(String.init) ?? "", i.firstSeen?.iso ?? "", i.lastSeen?.iso ?? "",
                         String(i.recipients), String(i.hosts), i.feeds ?? ""]
            out += cells.map(CSVText.cell).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// One JSON object per finding in Timesketch's import format (`message`, `datetime`,
    /// `timestamp` in microseconds, `timestamp_desc`), plus MailScope's own fields, marked
    /// `mailscope_type: finding`; then the raw events around the incidents (the model's
    /// ``ReportModel/timelineEvents``), marked `mailscope_type: event`. Control and bidi
    /// characters from input are written `\uXXXX` (see ``JSONText``).
    public static func timeline(_ model: ReportModel) -> String {
        var rows: [(Timestamp, Int64, String)] = []
        for e in model.timelineEvents {
            var object: [String: Any] = [
                "message": e.message, "datetime": e.ts.iso, "timestamp": e.ts.milliseconds * 1000, "timestamp_desc": e.description,
                "mailscope_type": "event", "incidents": e.incidents, "evidence_table": e.table, "evidence": e.evidence,
            ]
            for (k, v) in e.attributes where object[k] == nil { object[k] = v }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            // Events sort after the findings of the same millisecond (a finding's row first).
            rows.append((e.ts, Int64.max / 2 + e.rowid, JSONText.safe(String(decoding: data, as: UTF8.self))))
        }
        for incident in model.incidents {
            for f in incident.findings {
                var object: [String: Any] = [
                    "message": f.summary, "datetime": f.ts.iso, "timestamp": f.ts.milliseconds * 1000, "timestamp_desc": "\(f.ruleId) finding",
                    "rule_id": f.ruleId, "rule_version": f.ruleVersion, "severity": f.severity.rawValue, "incident": incident.id,
                    "incident_title": incident.title, "kind": f.kind.rawValue, "mailscope_type": "finding",
                ]
                if let v = f.stage { object["stage"] = v.rawValue }
                if let v = f.user { object["user"] = v }
                if let v = f.host { object["host"] = v }
                if let v = f.sender { object["sender"] = v }
                if let v = f.indicator { object["indicator"] = v }
                if let e = f.evidence.first {
                    object["evidence_table"] = e.table
                    if let file = e.file { object["evidence_file"] = file }
                    if let sha = e.sha256 { object["evidence_sha256"] = sha }
                    if let line = e.line { object["evidence_line"] = line }
                    if let record = e.record { object["evidence_record"] = record }
                }
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                rows.append((f.ts, f.id, JSONText.safe(String(decoding: data, as: UTF8.self))))
            }
        }
        return rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { $0.2 + "\n" }.joined()
    }
}

/// CSV cells for spreadsheets (RFC 4180 quoting): a leading `=`, `+`, `-`, `@`, tab or CR,
/// which Excel and LibreOffice would run as a formula, is prefixed with `'` so the cell shows
/// as text. Used by iocs.csv and by `mailscope hunt --format csv`.
public enum CSVText {
    public static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
