import Foundation
@testable import MailScopeKit
import Testing

@Suite struct RunConfigTests {
    @Test func everyKeyIsReadAndRelativePathsFollowTheConfigFile() throws {
        let config = try RunConfig.parse("""
            db: state/case.db
            out: /srv/reports
            inputs: [exports, /abs/edr]
            identities: ids.csv
            edr_map: map.yml
            edr_tz: "+01:00"
            ti: [abuse=feeds/a.csv, feeds/b.txt]
            rules: my-rules
            enable: [MS-URL-060]
            watch_lists: {vip: vip.txt}
            params: {window_ms: 86400000, label: x}
            lookback: 36h
            fail_on: High
            dated_reports: yes
            formats: html,json
            templates: t
            display_tz: Europe/Berlin
            """, source: "m.yml", baseDirectory: "/etc/mailscope")
        #expect(config.db == "/etc/mailscope/state/case.db")
        #expect(config.out == "/srv/reports")
        #expect(config.inputs == ["/etc/mailscope/exports", "/abs/edr"])
        #expect(config.identities == ["/etc/mailscope/ids.csv"])
        #expect(config.edrMap == "/etc/mailscope/map.yml")
        #expect(config.edrTz == "+01:00")
        #expect(config.ti == ["abuse=/etc/mailscope/feeds/a.csv", "/etc/mailscope/feeds/b.txt"])
        #expect(config.rules == "/etc/mailscope/my-rules")
        #expect(config.enable == ["MS-URL-060"])
        #expect(config.watchLists == ["vip=/etc/mailscope/vip.txt"])
        #expect(config.params == ["window_ms": .integer(86_400_000), "label": .text("x")])
        #expect(config.lookback?.milliseconds == Int64(36 * 3_600_000))
        #expect(config.failOn == .high)
        #expect(config.datedReports == true)
        #expect(config.formats == ["html", "json"])
        #expect(config.templates == "/etc/mailscope/t")
        #expect(config.displayTz == "Europe/Berlin")
    }

    @Test func anEmptyFileIsAnEmptyConfig() throws {
        #expect(try RunConfig.parse("# nothing yet\n", source: "m.yml", baseDirectory: "/") == RunConfig())
    }

    @Test(arguments: [
        ("out: r\ndatabase: x\n", 2, "unknown key \"database\"; allowed: db, out, inputs"),
        ("lookbak: 7d\n", 1, "unknown key \"lookbak\" (did you mean \"lookback\"?)"),
        ("db: a\ndb: b\n", 2, "key \"db\": given twice"),
        ("fail_on: severe\n", 1, "key \"fail_on\": \"severe\" is not one of info, low, medium, high, critical"),
        ("lookback: a week\n", 1, "key \"lookback\": \"a week\" is not a number followed by w, d, h, m or s"),
        ("edr_tz: CET\n", 1, "key \"edr_tz\": \"CET\" is an abbreviation, not a zone: give the place's IANA zone"),
        ("display_tz: Europe/Berln\n", 1, "key \"display_tz\": \"Europe/Berln\" is not a time zone (did you mean Europe/Berlin?)"),
        ("watch_lists: [vip.txt]\n", 1, "key \"watch_lists\": expected a NAME: path mapping"),
        ("inputs: [[a]]\n", 1, "key \"inputs\": expected a list of paths; an item is not a plain value"),
        ("dated_reports: often\n", 1, "key \"dated_reports\": expected true or false"),
        ("formats: [html, docx]\n", 1, "key \"formats\": \"docx\" is not one of html, md, json, csv, timeline, stix, misp, ocsf, pdf"),
        ("db: x\ntlp: white\n", 2, "key \"tlp\": \"white\" is not a TLP 2.0 label: clear, green, amber, amber+strict, red (TLP 2.0 renamed white to clear)"),
        ("db: ''\n", 1, "key \"db\": expected a path"),
        ("- db\n", 1, "expected key: value lines at the top level"),
        ("db: [x\n", 2, "not valid YAML"),
    ])
    func aBadConfigNamesLineKeyAndWhatIsAllowed(text: String, line: Int, message: String) {
        do {
            _ = try RunConfig.parse(text, source: "m.yml", baseDirectory: "/")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("m.yml:\(line): "), "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: RunConfig.Error.self) { try RunConfig.load(path: "/nonexistent/mailscope.yml") }
    }

    @Test(arguments: [("tlp: amber+strict\n", TLP.amberStrict), ("tlp: TLP:CLEAR\n", .clear), ("tlp: red\n", .red)])
    func tlpTakesTheTLP2Labels(text: String, label: TLP) throws {
        #expect(try RunConfig.parse(text, source: "m.yml", baseDirectory: "/").tlp == label)
    }
}
