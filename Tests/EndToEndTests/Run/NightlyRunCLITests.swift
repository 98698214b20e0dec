import Foundation
import MailScopeKit
import Testing

/// `mailscope run --config` as cron runs it: night after night over a growing export folder,
/// with dated report folders, `--fail-on`, the run lock and `prune`.
@Suite(.serialized) struct NightlyRunCLITests {
    /// How many rules a run executes (the bundled catalog's default set), so a new rule does not
    /// break the output checks below.
    static func rulesByDefault() throws -> Int { try RuleCatalog.bundled().enabled([]).count }

    /// A scratch folder with an inbox, a config naming it, and the config's path.
    struct Setup {
        var dir: String
        var inbox: String { dir + "/inbox" }
        var config: String { dir + "/mailscope.yml" }
        var db: String { dir + "/state/case.db" }
        var reports: String { dir + "/reports" }

        init(_ label: String) throws {
            dir = CLI.scratch(label)
            try FileManager.default.createDirectory(atPath: dir + "/inbox", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            let scenario = CLI.root.appendingPathComponent("fixtures/scenario").path
            // Relative paths are relative to the config file; the rest are absolute.
            try """
            db: state/case.db
            out: reports
            inputs: [inbox]
            identities: [\(scenario)/identities.csv]
            watch_lists: {vip: \(scenario)/watch-vip.txt}
            lookback: 7d
            fail_on: high

            """.write(toFile: dir + "/mailscope.yml", atomically: true, encoding: .utf8)
        }

        /// Copies scenario files or folders (relative to fixtures/scenario) into the inbox.
        func deliver(_ paths: [String]) throws {
            for p in paths {
                let source = CLI.root.appendingPathComponent("fixtures/scenario/" + p).path
                let target = inbox + "/" + p.replacingOccurrences(of: "/", with: "_")
                try FileManager.default.copyItem(atPath: source, toPath: target)
            }
        }

        func run(_ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(["run", "--config", config] + extra, environment: ["SOURCE_DATE_EPOCH": "1793664000"])
        }
    }

    // No dated_reports key: a config run dates its reports by default, by the run: every test
    // night runs with SOURCE_DATE_EPOCH 2026-11-03, so nights go to 2026-11-03, 2026-11-03-2, …
    static let day1 = ["siem_v1", "edr/mde_advanced_hunting_2026-10-30.csv"]
    static let day2 = ["siem_v2", "ttp", "edr/mde_advanced_hunting_2026-11-02.csv", "edr/crowdstrike_events_2026-11-02.csv", "edr/sentinelone_dv_2026-11-02.csv"]

    /// What the incidents say, comparable across databases (row ids differ with load order).
    static func incidents(_ path: String) throws -> [String] {
        let db = try Database(path: path, mode: .readOnly)
        var out = try db.query("SELECT key, severity, stage, recipients, delivered, interacted, hosts, findings FROM incident ORDER BY key").map { $0.map(\.description).joined(separator: "|") }
        out += try db.query("""
            SELECT i.key, u.user, u.received, u.delivered, u.interacted, u.stage FROM incident_user u JOIN incident i ON i.id = u.incident_id ORDER BY i.key, u.user
            """).map { $0.map(\.description).joined(separator: "|") }
        return out
    }

    static func findings(_ path: String) throws -> [String] {
        let db = try Database(path: path, mode: .readOnly)
        return try db.query("SELECT rule_id, COALESCE(user, ''), ts, summary FROM finding ORDER BY 1, 2, 3, 4").map { $0.map(\.description).joined(separator: "|") }
    }

    @Test func nightAfterNightEqualsOneRunOverEverythingAndAddsNothingTwice() throws {
        let setup = try Setup("nightly")
        try setup.deliver(Self.day1)
        let night1 = try setup.run()
        #expect(night1.status == 0, "\(night1.stderr)")
        #expect(night1.stderr.contains("Detection window: the data not yet checked from 2026-10-30"))
        #expect(FileManager.default.fileExists(atPath: setup.reports + "/2026-11-03/report.html"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: setup.reports + "/latest") == "2026-11-03")

        try setup.deliver(Self.day2)
        let night2 = try setup.run()
        // Day 2 brings the planted attacks: high and critical incidents → exit 3, reports first.
        #expect(night2.status == 3, "\(night2.stderr)")
        #expect(night2.stderr.contains(/ALERT critical incident #\d+ hash:ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83 \(command-and-control\)/))
        #expect(night2.stderr.contains(/ALERT critical incident #\d+ domain:acme-c0rp-secure.com \(execution\)/))
        #expect(!night2.stderr.contains("ALERT low"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: setup.reports + "/latest") == "2026-11-03-2")
        let html = try String(contentsOfFile: setup.reports + "/latest/report.html", encoding: .utf8)
        #expect(html.contains("INV-88341.xlsm"))
        #expect(FileManager.default.fileExists(atPath: setup.reports + "/2026-11-03/report.html"), "the earlier night's reports stay")

        // Incremental nights find exactly what one run over everything finds.
        let oneShot = try ScenarioRun.copy().db
        #expect(try Self.findings(setup.db) == Self.findings(oneShot))
        #expect(try Self.incidents(setup.db) == Self.incidents(oneShot))

        // The same night again: nothing new loaded, nothing new found, no alert.
        let before = try Self.findings(setup.db)
        let again = try setup.run()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("nothing new to check"))
        #expect(again.stderr.contains("\(try Self.rulesByDefault()) rules run, 0 new findings"))
        #expect(!again.stderr.contains("ALERT"))
        #expect(try Self.findings(setup.db) == before)
        let db = try Database(path: setup.db, mode: .readOnly)
        #expect(try db.scalar("SELECT COUNT(*) FROM (SELECT rule_id, evidence_table, evidence_rowid FROM finding GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)")?.intValue == 0)
        #expect(try db.scalar("SELECT COUNT(*) FROM (SELECT sha256 FROM input_file GROUP BY sha256 HAVING COUNT(*) > 1)")?.intValue == 0)
        #expect(try db.scalar("SELECT COUNT(*) FROM run WHERE status = 'finished'")?.intValue == 3)
        let options = try db.scalar("SELECT options FROM run ORDER BY id DESC LIMIT 1")?.stringValue ?? ""
        #expect(options.contains("\"lookback\":\"7d\""))

        // Pruning the first day keeps every finding and incident as they were, after a rebuild.
        let incidentsBefore = try Self.incidents(setup.db)
        let prune = try CLI.run(["prune", "--before", "2026-11-02T12:00:00Z", "--db", setup.db])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.contains("mail_message"))
        let afterPrune = try Database(path: setup.db, mode: .readOnly)
        #expect(try afterPrune.scalar("SELECT COUNT(*) FROM mail_message WHERE ts < 1793620800000")?.intValue ?? 0 > 0, "incident mail is kept")
        #expect(try afterPrune.scalar("""
            SELECT COUNT(*) FROM mail_message WHERE ts < 1793620800000
            AND message_id NOT IN (SELECT message_id FROM incident_message)
            AND id NOT IN (SELECT evidence_rowid FROM finding WHERE evidence_table = 'mail_message')
            AND id NOT IN (SELECT related_rowid FROM finding WHERE related_table = 'mail_message')
            """)?.intValue == 0, "other old mail is gone")
        #expect(try afterPrune.scalar("SELECT COUNT(*) FROM input_file")?.intValue == db.scalar("SELECT COUNT(*) FROM input_file")?.intValue)
        #expect(try afterPrune.scalar("PRAGMA integrity_check")?.stringValue == "ok")
        let rerun = try setup.run(["--full"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Self.findings(setup.db) == before)
        #expect(try Self.incidents(setup.db) == incidentsBefore)
        // Pruned exports are still known by their SHA-256 and not loaded again.
        #expect(rerun.stderr.contains("0 rows stored"))
    }

    @Test func aSecondRunOnTheSameDatabaseExitsAndAStaleLockIsTakenOver() throws {
        let setup = try Setup("lock")
        try setup.deliver(["siem_v1"])
        let lock = try RunLock(databasePath: setup.db, command: "mailscope run --config test")
        let busy = try setup.run()
        #expect(busy.status == 4)
        #expect(busy.stderr.contains("is in use: another mailscope process (pid \(getpid())"))
        #expect(busy.stderr.contains("mailscope run --config test"))
        #expect(!FileManager.default.fileExists(atPath: setup.db), "nothing was written")
        for command in [["detect", "--db", setup.db], ["prune", "--older-than", "90d", "--db", setup.db], ["ingest", setup.inbox, "--db", setup.db]] {
            try? FileManager.default.removeItem(atPath: setup.db)
            _ = FileManager.default.createFile(atPath: setup.db, contents: nil)
            #expect(try CLI.run(command).status == 4, "\(command[0]) must respect the lock")
        }
        try FileManager.default.removeItem(atPath: setup.db)
        lock.release()

        // A run killed with the lock held leaves its description behind; the next run says so
        // and goes on, and marks the killed run as interrupted.
        let first = try setup.run()
        #expect(first.status == 0, "\(first.stderr)")
        let database = try Database(path: setup.db)
        try database.run("INSERT INTO run (started_at, command, version, status) VALUES (1, 'mailscope run (killed)', 'x', 'running')")
        try "pid 999999 on elsewhere, started 2026-11-22T02:30:00.000Z: mailscope run --config x".write(toFile: setup.db + ".lock", atomically: false, encoding: .utf8)
        let second = try setup.run()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("taking over a stale lock"))
        #expect(second.stderr.contains("pid 999999 on elsewhere"))
        #expect(try database.scalar("SELECT status FROM run WHERE command = 'mailscope run (killed)'")?.stringValue == "interrupted")
        #expect(try String(contentsOfFile: setup.db + ".lock", encoding: .utf8).isEmpty, "a clean run leaves the lock file empty")
    }

    @Test(arguments: [
        ("dbb: x", "unknown key \"dbb\" (did you mean \"db\"?)"),
        ("lookback: 7 days", "key \"lookback\": \"7 days\" is not a number followed by w, d, h, m or s"),
        ("fail_on: severe", "key \"fail_on\": \"severe\" is not one of info, low, medium, high, critical"),
        ("inputs: {a: b}", "key \"inputs\": expected a list of paths"),
        ("db: [x", "not valid YAML"),
    ])
    func aConfigErrorNamesTheFileLineAndKey(line: String, message: String) throws {
        let dir = CLI.scratch("config")
        try "out: reports\n\(line)\n".write(toFile: dir + "/bad.yml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--config", dir + "/bad.yml"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(dir + "/bad.yml:2") || r.stderr.contains(dir + "/bad.yml:3"), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func anUnknownRuleOrParameterInTheConfigNamesItsLine() throws {
        let dir = CLI.scratch("config-rules")
        for (line, message) in [("enable: [MS-URL-999]", "c.yml:4: key \"enable\": no rule named MS-URL-999"),
                                ("params: {colour: red}", "c.yml:4: key \"params\": no rule takes the parameter colour")] {
            try "db: x.db\nout: r\ninputs: [\(CLI.root.path)/fixtures/scenario/ttp]\n\(line)\n".write(toFile: dir + "/c.yml", atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", "--config", dir + "/c.yml"])
            #expect(r.status == 1)
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test func missingSettingsAndBadFlagsExitOneWithAMessage() throws {
        let noOut = try CLI.run(["run", "--db", CLI.scratch() + "/x.db", "--input", "fixtures/scenario/ttp"])
        #expect(noOut.status == 1)
        #expect(noOut.stderr.contains("no report folder: give --out DIR"))
        let badSeverity = try CLI.run(["run", "--fail-on", "severe", "--db", "x.db", "--out", "x", "--input", "x"])
        #expect(badSeverity.status == 1)
        let badParam = try CLI.run(["detect", "--db", CLI.scratch() + "/x.db", "--param", "colour=red"])
        #expect(badParam.status == 1)
        #expect(badParam.stderr.contains("no rule takes the parameter colour"))
    }

    @Test func theExampleConfigInScriptsIsValid() throws {
        let config = try RunConfig.load(path: CLI.root.appendingPathComponent("scripts/nightly/mailscope.yml").path)
        #expect(config.db == "/var/lib/mailscope/acme.db")
        #expect(config.failOn == .high)
        #expect(config.lookback?.milliseconds == Int64(7 * 86_400_000))
        #expect(config.watchLists == ["vip=" + CLI.root.appendingPathComponent("scripts/nightly/vip.txt").path,
                                     "finance=" + CLI.root.appendingPathComponent("scripts/nightly/finance.txt").path])
        #expect(config.datedReports == true)
        #expect(config.tlp == .amber)
        #expect(config.formats?.contains("ocsf") == true)
    }

    @Test(arguments: ["", "ingest", "run", "detect", "report", "rules", "rules list", "rules validate", "rules test", "hunt", "query",
                      "query url", "query attachment", "query impersonation", "query message", "query threat-activity", "query user",
                      "triage", "triage list", "prune", "db", "db info"])
    func everyCommandsHelpHasExamples(_ command: String) throws {
        let r = try CLI.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Example"), "mailscope \(command) --help has no example")
        #expect(r.stdout.contains("mailscope \(command)"), "the examples show the command itself")
    }

    @Test func completionsAndNoColor() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try CLI.run(["--generate-completion-script", shell])
            #expect(r.status == 0)
            #expect(r.stdout.contains("query") && r.stdout.contains("prune"), "\(shell) completion lists the commands")
        }
        // Under cron (no terminal) and with NO_COLOR, messages carry no escape sequences.
        let r = try CLI.run(["run", "--config", "/nonexistent.yml"], environment: ["NO_COLOR": "1"])
        #expect(r.status == 1)
        #expect(!r.stderr.contains("\u{1b}"))
    }

    /// The state a run killed between loading and its identity rebuild or its detection leaves:
    /// files loaded but not checked, no identity map. The next run — even with a look-back of
    /// a day and nothing new to load — checks those files and finds what one clean run finds.
    @Test func filesAKilledRunLoadedAreCheckedByTheNextRun() throws {
        let setup = try Setup("killed")
        try setup.deliver(Self.day1 + Self.day2)
        let load = try CLI.run(["ingest", setup.inbox, CLI.root.appendingPathComponent("fixtures/scenario/identities.csv").path, "--db", setup.db])
        #expect(load.status == 0)
        let database = try Database(path: setup.db)
        try database.run("DELETE FROM identity")
        try database.run("DELETE FROM meta WHERE key = 'identity_built_for'")
        try String(contentsOfFile: setup.config, encoding: .utf8).replacingOccurrences(of: "lookback: 7d", with: "lookback: 1d")
            .write(toFile: setup.config, atomically: true, encoding: .utf8)
        let next = try setup.run()
        #expect(next.status == 3, "\(next.stderr)")
        #expect(next.stderr.contains("ALERT critical"))
        #expect(next.stderr.contains("Detection window: the data not yet checked from 2026-10-30"), "\(next.stderr)")
        #expect(next.stderr.contains("Identity map:"), "the identity map is rebuilt")
        let oneShot = try ScenarioRun.copy().db
        #expect(try Self.findings(setup.db) == Self.findings(oneShot))
        #expect(try Self.incidents(setup.db) == Self.incidents(oneShot))
        #expect(try database.scalar("SELECT COUNT(*) FROM input_file WHERE detected = 0")?.intValue == 0)
    }

    @Test func reportsNameTheRulesAndParametersTheRunUsed() throws {
        let setup = try Setup("methodology")
        try setup.deliver(Self.day1 + Self.day2)
        let first = try setup.run(["--enable", "MS-URL-060", "--param", "window_ms=1"])
        #expect(first.status == 3, "\(first.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.reports + "/latest/report.json"))) as? [String: Any]
        let rules = (json?["rules"] as? [[String: Any]]) ?? []
        #expect(rules.contains { $0["id"] as? String == "MS-URL-060" }, "an enabled opt-in rule is listed")
        let cor = rules.first { $0["id"] as? String == "MS-COR-001" }
        #expect((cor?["params"] as? [String: String])?["window_ms"] == "1", "\(String(describing: cor))")
        let database = try Database(path: setup.db, mode: .readOnly)
        #expect(try database.scalar("SELECT json_extract(options, '$.params.window_ms') FROM run ORDER BY id DESC LIMIT 1")?.intValue == 1)

        // A prune is recorded, but the report still names the detection run.
        #expect(try CLI.run(["prune", "--older-than", "3650d", "--db", setup.db]).status == 0)
        let report = try CLI.run(["report", "--db", setup.db, "--out", setup.dir + "/again", "--format", "json"])
        #expect(report.status == 0)
        let command = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.dir + "/again/report.json"))) as? [String: Any])?["command"] as? String
        #expect(command?.hasPrefix("mailscope run --config") == true, "\(command ?? "nil")")
    }

    /// The nightly failure this fixes: a night whose EDR export reached further than the next
    /// night's data, then the next night (which alerted on new critical incidents) filed its
    /// report under an older day and latest/ kept showing the stale one. Reports are dated by
    /// the run now, each keeps its data window, and latest/ is always the last run's.
    @Test func latestIsTheLastRunsReportEvenWhenItsDataEndsEarlier() throws {
        let setup = try Setup("backwards")
        try setup.deliver(Self.day2)
        let first = try setup.run()
        #expect(first.status == 3, "\(first.stderr)")
        #expect(first.stderr.contains("Detection window: the data not yet checked from 2026-11-02"), "\(first.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: setup.reports + "/latest") == "2026-11-03")

        // The next night brings older data (Sunday's mail and an EDR export of the Friday before).
        try setup.deliver(Self.day1)
        let second = try setup.run()
        #expect(second.stderr.contains("Detection window: the data not yet checked from 2026-10-30"), "\(second.stderr)")
        #expect(second.stderr.contains("ALERT critical"), "this night alerts too: \(second.stderr)")
        #expect(second.stdout.contains("Reports written to \(setup.reports)/2026-11-03-2"), "\(second.stdout)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: setup.reports + "/latest") == "2026-11-03-2")

        func inputs(_ folder: String) throws -> [String] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.reports + "/" + folder + "/report.json"))) as? [String: Any]
            return ((json?["inputs"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        }
        #expect(try inputs("latest").contains { $0.contains("siem_v1") }, "latest/ is the second night's report")
        #expect(try !inputs("2026-11-03").contains { $0.contains("siem_v1") }, "the first night's report stays as it was")
        let window = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.reports + "/latest/report.json"))) as? [String: Any])?["data_window"] as? [String: Any]
        #expect((window?["first_seen"] as? String)?.hasPrefix("2026-10-30") == true, "the report still says which data it covers: \(String(describing: window))")
    }

    @Test func aMissingInputOrAnUnwritableReportFolderStopsTheRunBeforeItStarts() throws {
        let setup = try Setup("preflight")
        let missing = try setup.run(["--input", setup.dir + "/not-mounted"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("not-mounted: no such file or folder (an input of this run; is the export folder mounted?)"))
        #expect(!FileManager.default.fileExists(atPath: setup.db))
        try setup.deliver(["siem_v1"])
        let unwritable = try setup.run(["--out", "/proc/mailscope-reports"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("/proc/mailscope-reports: cannot"))
        #expect(!FileManager.default.fileExists(atPath: setup.db), "nothing was loaded")
    }

    /// A run killed after its detection but before alerting: the next run raises the alert.
    @Test func anAlertIsNotLostWhenTheRunThatFoundItIsKilled() throws {
        let setup = try Setup("alert")
        try setup.deliver(Self.day1 + Self.day2)
        // Detection committed, alerting never happened (as if killed while writing reports).
        let detect = try CLI.run(["ingest", setup.inbox, CLI.root.appendingPathComponent("fixtures/scenario/identities.csv").path, "--db", setup.db])
        #expect(detect.status == 0)
        #expect(try CLI.run(["detect", "--db", setup.db, "--watch-list", "vip=" + CLI.root.appendingPathComponent("fixtures/scenario/watch-vip.txt").path]).status == 0)
        let next = try setup.run()
        #expect(next.status == 3, "\(next.stderr)")
        #expect(next.stderr.contains("Detection: \(try Self.rulesByDefault()) rules run, 0 new findings"))
        #expect(next.stderr.contains(/ALERT critical incident #\d+ domain:acme-c0rp-secure.com/))
        let again = try setup.run()
        #expect(again.status == 0, "alerted once: \(again.stderr)")
    }
}
