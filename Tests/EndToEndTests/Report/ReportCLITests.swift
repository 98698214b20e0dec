import Foundation
import MailScopeKit
import Testing

/// `mailscope run` / `mailscope report`: the report files, their reproducibility, their
/// contract, and what they do with attacker-written text.
@Suite struct ReportCLITests {
    /// The standard run's report time: a `report` rendered with it must equal the run's own.
    static let epoch = ScenarioRun.environment
    static let files = ["report.html", "report.md", "report.json", "iocs.csv", "timeline.jsonl"]

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func sameDatabaseGivesTheSameBytes() throws {
        let scenario = try ScenarioRun.copy()
        let (dir, db) = (scenario.folder, scenario.db)
        for out in ["a", "b"] {
            let r = try CLI.run(["report", "--db", db, "--out", dir + "/" + out], environment: Self.epoch)
            #expect(r.status == 0, "\(r.stderr)")
        }
        for file in Self.files {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a/\(file)"))
            #expect(a.count > 100, "\(file) is empty")
            #expect(a == (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b/\(file)"))), "\(file) differs between two renders")
            #expect(a == (try Data(contentsOf: URL(fileURLWithPath: "\(scenario.out)/\(file)"))), "\(file) from run differs from report")
        }
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a").filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func reportSaysWhatTheGroundTruthSays() throws {
        let out = try ScenarioRun.copy().out
        let md = try read(out + "/report.md")
        #expect(md.contains("Generated 2026-11-03T00:00:00.000Z"))
        #expect(md.contains("Malicious attachment INV-88341.xlsm from billing@halvorsen-billing.example"))
        #expect(md.contains("executed on 1 host \\(ws-0221\\)"))
        #expect(md.contains("| helen.ashby@acme-corp.example | command-and-control | delivered | yes | fixtures/scenario/edr/mde\\_advanced\\_hunting\\_2026-11-02.csv:1803"))
        #expect(md.contains("| grace.lindholm@acme-corp.example | targeted | held or blocked | no | fixtures/scenario/siem\\_v2/2026-11-02/receipt\\_0002.json.gz:419"))
        #expect(md.contains("## Questions for the customer (DUET)"))
        let html = try read(out + "/report.html")
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        // The JSON follows its schema and its first incident is the most severe.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
        let incidents = json?["incidents"] as? [[String: Any]] ?? []
        #expect(incidents.count == 9)
        #expect(incidents.first?["severity"] as? String == "critical")
        let first = incidents.first { ($0["key"] as? String)?.hasPrefix("hash:") == true }
        let findings = first?["findings"] as? [[String: Any]] ?? []
        let evidence = findings.flatMap { $0["evidence"] as? [[String: Any]] ?? [] }
        #expect(evidence.contains { ($0["file"] as? String)?.hasSuffix("edr/mde_advanced_hunting_2026-11-02.csv") == true && $0["line"] as? Int == 1803 })
        #expect(evidence.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
        // Rows read from one-line pages and envelopes carry their index on the line; rows from
        // lines of one record (NDJSON, CSV) do not.
        let allEvidence = incidents.flatMap { ($0["findings"] as? [[String: Any]] ?? []).flatMap { $0["evidence"] as? [[String: Any]] ?? [] } }
        let paged = allEvidence.filter { $0["record"] != nil }
        #expect(!paged.isEmpty && paged.allSatisfy { ($0["record"] as? Int ?? 0) >= 1 && ($0["file"] as? String)?.contains(".json") == true })
        #expect(allEvidence.filter { ($0["file"] as? String)?.hasSuffix(".csv") == true || ($0["file"] as? String)?.contains(".ndjson") == true }
            .allSatisfy { $0["record"] == nil })
        let clickLocators = paged.map { "\($0["file"] ?? ""):\($0["line"] ?? "")#\($0["record"] ?? "")" }
        // Markdown escapes _ and #.
        #expect(clickLocators.contains { md.contains($0.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "#", with: "\\#")) }, "\(clickLocators)")
        try Self.validateAgainstSchema(out + "/report.json")
        // Timesketch lines.
        let line = try #require(try read(out + "/timeline.jsonl").split(separator: "\n").first)
        let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        for key in ["message", "datetime", "timestamp", "timestamp_desc"] { #expect(event?[key] != nil, "timeline lacks \(key)") }
        #expect(try read(out + "/iocs.csv").hasPrefix("type,value,incident,first_seen,last_seen,recipients,hosts,feeds\r\n"))
    }

    /// Validates with Python's jsonschema (scripts/test installs it).
    static func validateAgainstSchema(_ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))
            jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
            """, CLI.root.appendingPathComponent("docs/report-schema.json").path, path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "report.json does not follow docs/report-schema.json: \(message.suffix(1500))")
    }

    /// Subjects, file names, URLs and display names carrying HTML/JS, Markdown, CSV formulas,
    /// terminal escapes and bidi overrides go through the whole pipeline and come out inert.
    @Test func hostileTextIsInertInEveryFormat() throws {
        let dir = CLI.scratch()
        let subject = #"<script>alert(1)</script> [click](javascript:alert(2)) | =HYPERLINK(\"http://evil.example\") \u001b[31mred \u202Egnp.exe"#
        let lines = [
            #"{"senderAddress":"\"<img src=x onerror=alert(3)>\" <boss@evil-payroll.example>","recipientAddress":"ana.lima@acme-corp.example","fileName":"<svg onload=alert(4)>=cmd|' /C calc'!A0.xlsm","fileType":"application/vnd.ms-excel","result":"malicious","actionTriggered":"user release, none","date":"2026-11-02T09:50:00+0000","details":"MALICIOUS","route":"inbound","messageId":"<x1@evil-payroll.example>","subject":"\#(subject)","fileHash":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8","definition":"d"}"#,
            #"{"userEmailAddress":"ana.lima@acme-corp.example","fromUserEmailAddress":"boss@evil-payroll.example","url":"javascript:alert(5)//<b>x</b>","ttpDefinition":"d","subject":"\#(subject)","action":"allow","adminOverride":"N/A","userOverride":"None","scanResult":"malicious","category":"Phishing & Fraud","sendingIp":"203.0.113.5","userAwarenessAction":"N/A","date":"2026-11-02T09:55:00+0000","actions":"Allow","route":"inbound","creationMethod":"User Click","emailPartsDescription":["Body"],"messageId":"<x1@evil-payroll.example>"}"#,
            #"{"userEmailAddress":"raj.patel@acme-corp.example","fromUserEmailAddress":"boss@evil-payroll.example","url":"https://=1+1.evil-payroll.example/[x](y)","ttpDefinition":"d","subject":"@SUM(1+1)*cmd","action":"allow","adminOverride":"N/A","userOverride":"None","scanResult":"malicious","category":"Phishing & Fraud","sendingIp":"203.0.113.5","userAwarenessAction":"N/A","date":"2026-11-02T09:56:00+0000","actions":"Allow","route":"inbound","creationMethod":"User Click","emailPartsDescription":["Body"],"messageId":"<x2@evil-payroll.example>"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/ttp.ndjson"))
        // The message was delivered, and the attachment landed on ana's computer with a hostile
        // file name and command line (HTML, an OSC 8 terminal hyperlink, a formula, bidi).
        let delivery = #"{"aggregateId":"ZXZpbF8x_1793613000","processingId":"PrcEvil0001_1793613000","accountId":"C0A0","delivered":"true","direction":"Inbound","messageId":"<x1@evil-payroll.example>","recipients":"ana.lima@acme-corp.example","senderEnvelope":"boss@evil-payroll.example","subject":"<b>bold</b>","timestamp":1793613000000,"type":"delivery"}"#
        try Data((delivery + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/siem.ndjson"))
        let command = "\"powershell -enc <script>alert(7)</script> \u{1b}]8;;http://evil\u{07}link =HYPERLINK(\"\"x\"\") \u{202E}fdp.exe\""
        let mde = """
            Timestamp,DeviceName,ActionType,FileName,FolderPath,SHA256,AccountDomain,AccountName,AccountUpn,ProcessCommandLine,InitiatingProcessFileName,InitiatingProcessCommandLine
            2026-11-02T10:05:00Z,ws-ana.corp.acme-corp.example,FileCreated,"<img src=x onerror=alert(6)>.xlsm",C:\\Users\\alima\\Downloads\\x.xlsm,5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8,acme,alima,ana.lima@acme-corp.example,\(command),outlook.exe,\(command)

            """
        try Data(mde.utf8).write(to: URL(fileURLWithPath: dir + "/mde.csv"))
        try Data("email,upn,account,host\nana.lima@acme-corp.example,ana.lima@acme-corp.example,alima,WS-ANA\n".utf8).write(to: URL(fileURLWithPath: dir + "/identities.csv"))
        let r = try CLI.run(["run", "--input", dir + "/ttp.ndjson", "--input", dir + "/siem.ndjson", "--input", dir + "/mde.csv", "--identities", dir + "/identities.csv",
                             "--db", dir + "/case.db", "--out", dir + "/out"], environment: Self.epoch)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("\u{1b}[31m") && !r.stderr.contains("\u{1b}[31m"))
        let database = try Database(path: dir + "/case.db", mode: .readOnly)
        #expect(try database.scalar("SELECT COUNT(*) FROM finding WHERE rule_id = 'MS-COR-001' AND host = 'ws-ana'")?.intValue == 1, "the hostile endpoint row correlates")
        #expect(try database.scalar("SELECT command_line FROM edr_event")?.stringValue?.contains("\u{1b}]8;;") == true, "stored as it came")
        // Terminal output of the same rows: no escape, bell or bidi character reaches the terminal.
        for format in ["table", "csv", "json"] {
            let hunt = try CLI.run(["hunt", "--sql", "-", "--db", dir + "/case.db", "--format", format], stdin: "SELECT file_name, command_line FROM edr_event")
            #expect(hunt.status == 0)
            if format == "table" {
                #expect(!hunt.stdout.contains("\u{1b}") && !hunt.stdout.contains("\u{07}") && !hunt.stdout.contains("\u{202E}"), "raw control characters in \(format)")
            }
            if format == "csv" { #expect(!hunt.stdout.contains("\n\"=") && !hunt.stdout.contains(",=")) }
        }
        let html = try read(dir + "/out/report.html")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the subject is in the report, escaped")
        for bad in ["<script", "<img", "<svg onload", "href=\"javascript", "\u{202E}", "\u{1b}"] {
            #expect(!html.contains(bad), "report.html contains \(bad.debugDescription)")
        }
        // Every element and attribute in the HTML comes from the template, none from input.
        let tags = Set(html.matches(of: /<([a-zA-Z][a-zA-Z0-9]*)/).map { String($0.1).lowercased() })
        #expect(tags.isSubset(of: ["html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "div", "b", "span", "p",
                                   "ul", "ol", "li", "strong", "section", "svg", "text", "line", "circle", "table", "thead", "tbody", "tr",
                                   "th", "td", "details", "summary", "code", "br", "q", "rect", "wbr", "colgroup", "col",
                                   "figure", "figcaption", "g", "path"]), "unexpected tags \(tags)")
        for tag in html.matches(of: /<[a-zA-Z][^>]*>/) {
            #expect(!String(tag.0).contains(/\son[a-zA-Z]+\s*=/), "an event handler attribute in \(tag.0)")
            #expect(!String(tag.0).lowercased().contains("javascript:"), "a javascript: URL in \(tag.0)")
        }
        let md = try read(dir + "/out/report.md")
        #expect(!md.contains("[click](javascript"), "a live Markdown link from input")
        #expect(md.contains("\\[click\\]\\(javascript:alert\\(2\\)\\)"))
        #expect(!md.contains("\u{202E}") && !md.contains("\u{1b}"))
        #expect(!md.contains(" | =HYPERLINK"), "a pipe from input splits a table cell")
        let csv = try read(dir + "/out/iocs.csv")
        for line in csv.split(separator: "\r\n").dropFirst() {
            for cell in line.split(separator: ",") {
                let c = cell.hasPrefix("\"") ? cell.dropFirst() : cell
                #expect(!["=", "+", "-", "@"].contains(c.first.map(String.init) ?? ""), "formula cell \(cell)")
            }
        }
        #expect(csv.contains("'=1+1.evil-payroll.example/[x](y)"), "the URL is kept, made inert")
        // What a real browser builds from it (where Chromium is installed): no script element,
        // no event handler, the payload shown as text.
        if let dom = try Self.chromiumDOM(dir + "/out/report.html") {
            #expect(!dom.lowercased().contains("<script"))
            #expect(!dom.contains(/<[^>]*\son[a-zA-Z]+=/))
            #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    /// The DOM headless Chromium builds from `path`, or nil (with a note) when there is no Chromium.
    static func chromiumDOM(_ path: String) throws -> String? {
        guard let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("note: no Chromium installed; the browser check is skipped (apt-get install -y chromium)")
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func theExampleReportRendersInABrowser() throws {
        let out = try ScenarioRun.copy().out
        guard let dom = try Self.chromiumDOM(out + "/report.html") else { return }
        #expect(dom.contains("Malicious attachment INV-88341.xlsm from billing@halvorsen-billing.example"))
        #expect(dom.contains("<svg"))
    }
}
