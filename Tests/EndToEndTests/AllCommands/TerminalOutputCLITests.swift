import Foundation
import MailScopeKit
import Testing

/// Attacker-written text (an OSC 8 hyperlink, a bell, CSI colour codes, C1 controls, the
/// right-to-left override U+202E) in query and hunt results: on a terminal every format shows
/// it escaped, as the table always did; to a file or pipe CSV keeps the exact value, and JSON
/// always writes it `\uXXXX` — exact and inert. timeline.jsonl and report.json likewise.
@Suite struct TerminalOutputCLITests {
    /// The hostile value: ESC ] 8 ;; URL BEL (a terminal hyperlink), CSI, C1 CSI, RLO.
    static let hostile = "Invoice \u{1B}]8;;http://evil.example/\u{07}click\u{1B}]8;;\u{07} \u{1B}[31mred\u{1B}[0m \u{9B}2J \u{202E}gpj.exe"
    static let raw: [String] = ["\u{1B}", "\u{07}", "\u{9B}", "\u{202E}"]

    /// A database holding one malicious click whose subject and category are `hostile` (the
    /// category is quoted in the finding's summary, so it reaches the reports), detected.
    static let database: (dir: String, db: String)? = {
        let dir = CLI.scratch("terminal")
        let subject = String(decoding: (try? JSONSerialization.data(withJSONObject: [hostile], options: [])) ?? Data("[\"\"]".utf8), as: UTF8.self).dropFirst().dropLast()
        let line = #"{"userEmailAddress":"ana.lima@acme-corp.example","fromUserEmailAddress":"boss@evil-payroll.example","url":"https://evil-payroll.example/pay","ttpDefinition":"d","subject":\#(subject),"action":"allow","adminOverride":"N/A","userOverride":"None","scanResult":"malicious","category":\#(subject),"sendingIp":"203.0.113.5","userAwarenessAction":"N/A","date":"2026-11-02T09:55:00+0000","actions":"Allow","route":"inbound","creationMethod":"User Click","emailPartsDescription":["Body"],"messageId":"<x1@evil-payroll.example>"}"#
        try? Data((line + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/ttp.ndjson"))
        let db = dir + "/case.db"
        guard (try? CLI.run(["ingest", dir + "/ttp.ndjson", "--db", db]))?.status == 0,
              (try? CLI.run(["detect", "--db", db]))?.status == 0 else { return nil }
        return (dir, db)
    }()

    /// `mailscope ARGUMENTS` with stdout on a pseudo-terminal (util-linux `script`), or nil
    /// where `script` is missing.
    static func onTerminal(_ arguments: [String]) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return nil }
        let command = ([CLI.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let r = try CLI.run([], executable: "/usr/bin/script", prefix: ["-qec", command, "/dev/null"])
        #expect(r.status == 0, "\(arguments): \(r.stdout)")
        return r.stdout
    }

    static let queries: [[String]] = [["query", "url"], ["query", "user", "ana.lima@acme-corp.example"],
                                      ["hunt", "--sql", "SUBJECTS"]]

    func arguments(_ base: [String], _ db: String, _ dir: String, format: String) throws -> [String] {
        var args = base
        if let i = args.firstIndex(of: "SUBJECTS") {
            try Data("SELECT subject FROM url_click".utf8).write(to: URL(fileURLWithPath: dir + "/subjects.sql"))
            args[i] = dir + "/subjects.sql"
        }
        return args + ["--db", db, "--format", format]
    }

    @Test(arguments: ["csv", "json", "table"])
    func aTerminalNeverReceivesControlOrBidiCharacters(format: String) throws {
        let (dir, db) = try #require(Self.database)
        for base in Self.queries {
            let args = try arguments(base, db, dir, format: format)
            guard let shown = try Self.onTerminal(args) else {
                print("note: no /usr/bin/script; terminal output not checked")
                return
            }
            #expect(shown.contains("Invoice"), "\(args): the subject is shown, escaped")
            for c in Self.raw { #expect(!shown.contains(c), "\(args) sends \(c.debugDescription) to the terminal") }
        }
    }

    @Test func aFileOrPipeGetsTheExactValue() throws {
        let (dir, db) = try #require(Self.database)
        for base in Self.queries {
            let csv = try CLI.run(try arguments(base, db, dir, format: "csv"))
            #expect(csv.status == 0)
            #expect(csv.stdout.contains(Self.hostile), "\(base): CSV to a pipe keeps the value byte for byte")

            let json = try CLI.run(try arguments(base, db, dir, format: "json"))
            #expect(json.status == 0)
            for c in Self.raw { #expect(!json.stdout.contains(c), "\(base): raw \(c.debugDescription) in JSON") }
            #expect(json.stdout.contains("\\u202e") && json.stdout.contains("\\u001b"))
            let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
            #expect(String(describing: parsed).contains("gpj.exe"))
            #expect(Self.strings(in: parsed).contains(Self.hostile), "\(base): JSON decodes to the exact value")
        }
    }

    @Test func reportJSONTimelineMISPAndOCSFWriteControlCharactersEscaped() throws {
        let (dir, db) = try #require(Self.database)
        let r = try CLI.run(["report", "--db", db, "--out", dir + "/out", "--format", "json,timeline,misp,ocsf"])
        #expect(r.status == 0, "\(r.stderr)")
        for file in ["report.json", "timeline.jsonl", "iocs.misp.json", "findings.ocsf.jsonl"] {
            let text = try String(contentsOfFile: dir + "/out/" + file, encoding: .utf8)
            for c in Self.raw { #expect(!text.contains(c), "\(file) carries raw \(c.debugDescription)") }
            let lines = file.hasSuffix(".jsonl") ? text.split(separator: "\n").map(String.init) : [text]
            var values: [String] = []
            for line in lines { values += Self.strings(in: try JSONSerialization.jsonObject(with: Data(line.utf8))) }
            #expect(values.contains { $0.contains("\u{202E}gpj.exe") && $0.contains("\u{1B}]8;;") }, "\(file) keeps the exact text")
        }
    }

    /// Every string anywhere in a parsed JSON value.
    static func strings(in value: Any) -> [String] {
        switch value {
        case let s as String: return [s]
        case let a as [Any]: return a.flatMap { strings(in: $0) }
        case let d as [String: Any]: return d.values.flatMap { strings(in: $0) }
        default: return []
        }
    }
}
