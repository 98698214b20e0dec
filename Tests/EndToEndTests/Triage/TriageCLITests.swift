import Foundation
import MailScopeKit
import Testing

/// `mailscope triage` as an analyst uses it between nightly runs: a decision that silences
/// `--fail-on` for its incident, survives a rebuild and a prune, and gives way to evidence of a
/// higher stage.
@Suite(.serialized) struct TriageCLITests {
    typealias Setup = NightlyRunCLITests.Setup

    /// The number an ALERT line gives `key`, or nil.
    static func alertedNumber(_ stderr: String, key: String) -> String? {
        for line in stderr.split(separator: "\n") where line.hasPrefix("ALERT ") && line.contains(" \(key) ") {
            if let match = line.firstMatch(of: /incident #(\d+)\s/) { return String(match.1) }
        }
        return nil
    }

    /// The incident with `key` in latest/report.json, and the summary's act-now lines.
    static func incident(_ setup: Setup, key: String) throws -> (incident: [String: Any], actNow: [String]) {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.reports + "/latest/report.json"))) as? [String: Any])
        let incidents = report["incidents"] as? [[String: Any]] ?? []
        let incident = try #require(incidents.first { $0["key"] as? String == key })
        return (incident, (report["summary"] as? [String: Any])?["act_now"] as? [String] ?? [])
    }

    @Test func aFalsePositiveIsSilentOnTheNextNightAfterARebuildAndAPruneUntilAHigherStageReopensIt() throws {
        let setup = try Setup("triage")
        // Night 1: the mail exports, less one URL Protect event kept back for night 2.
        try setup.deliver(["siem_v1", "siem_v2", "ttp"])
        let heldBack = setup.dir + "/url_protect.json.gz"
        try FileManager.default.moveItem(atPath: setup.inbox + "/siem_v2/2026-11-02/url_protect_0001.json.gz", toPath: heldBack)
        let night1 = try setup.run()
        #expect(night1.status == 3, "\(night1.stderr)")
        #expect(night1.stderr.contains(/ALERT critical incident #\d+ domain:acme-c0rp-secure.com \(interaction\)/), "\(night1.stderr)")
        let number = try #require(Self.alertedNumber(night1.stderr, key: "domain:acme-c0rp-secure.com"))

        let decided = try CLI.run(["triage", "#" + number, "--status", "false-positive", "--note", "phishing simulation by the awareness team",
                                   "--by", "jb", "--db", setup.db])
        #expect(decided.status == 0, "\(decided.stderr)")
        #expect(decided.stdout.contains("Incident #\(number) domain:acme-c0rp-secure.com (critical, interaction)"), "\(decided.stdout)")
        #expect(decided.stdout.contains("Recorded false-positive by jb on "))
        #expect(decided.stdout.contains("--fail-on will not alert on it unless it reaches a stage above interaction."))

        // A rebuild (detect renumbers nothing here, but rebuilds every incident) and a prune.
        let detect = try CLI.run(["detect", "--db", setup.db, "--watch-list", "vip=" + CLI.root.appendingPathComponent("fixtures/scenario/watch-vip.txt").path])
        #expect(detect.status == 0, "\(detect.stderr)")
        let prune = try CLI.run(["prune", "--before", "2026-11-02T12:00:00Z", "--db", setup.db])
        #expect(prune.status == 0, "\(prune.stderr)")
        let listed = try CLI.run(["triage", "list", "--format", "json", "--db", setup.db])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["key"] as? String == "domain:acme-c0rp-secure.com")
        #expect(rows.first?["status"] as? String == "false-positive")
        #expect(rows.first?["by"] as? String == "jb")
        #expect(rows.first?["note"] as? String == "phishing simulation by the awareness team")
        #expect(rows.first?["incident"] as? String == "#" + number)

        // Night 2: the kept-back event (a later blocked click on the same campaign) adds findings
        // to the incident at the same stage: without the decision this night would alert.
        try FileManager.default.moveItem(atPath: heldBack, toPath: setup.inbox + "/late_url_protect.json.gz")
        let night2 = try setup.run()
        #expect(night2.status == 0, "\(night2.stderr)")
        #expect(night2.stderr.contains("domain:acme-c0rp-secure.com (interaction) gained findings but is triaged false-positive by jb"), "\(night2.stderr)")
        #expect(!night2.stderr.contains("ALERT"), "\(night2.stderr)")
        // Every report shows the decision; the summary no longer asks to act on it.
        let silent = try Self.incident(setup, key: "domain:acme-c0rp-secure.com")
        let triage = try #require(silent.incident["triage"] as? [String: Any])
        #expect(triage["status"] as? String == "false-positive")
        #expect(triage["by"] as? String == "jb")
        #expect(triage["note"] as? String == "phishing simulation by the awareness team")
        #expect(triage["stage_when_decided"] as? String == "interaction")
        #expect(triage["reopened"] as? Bool == false)
        #expect(!silent.actNow.contains { $0.contains("acme-c0rp-secure.com") }, "\(silent.actNow)")
        let md = try String(contentsOfFile: setup.reports + "/latest/report.md", encoding: .utf8)
        #expect(md.contains("**Triage: false-positive** by jb, "), "the Markdown report shows it")
        let html = try String(contentsOfFile: setup.reports + "/latest/report.html", encoding: .utf8)
        #expect(html.contains("<strong>Triage: false-positive</strong> by jb"), "the HTML report shows it")
        #expect(html.contains("phishing simulation by the awareness team"))

        // Night 3: the endpoint exports show the phish led to execution: new evidence of a
        // higher stage re-opens it, and the run alerts again.
        try setup.deliver(["edr/mde_advanced_hunting_2026-11-02.csv", "edr/crowdstrike_events_2026-11-02.csv", "edr/sentinelone_dv_2026-11-02.csv"])
        let night3 = try setup.run()
        #expect(night3.status == 3, "\(night3.stderr)")
        #expect(night3.stderr.contains(/ALERT critical incident #\d+ domain:acme-c0rp-secure.com \(execution\): .* — re-opened by new evidence: was triaged false-positive by jb on .* at stage interaction/),
                "\(night3.stderr)")
        let reopened = try Self.incident(setup, key: "domain:acme-c0rp-secure.com")
        #expect((reopened.incident["triage"] as? [String: Any])?["reopened"] as? Bool == true)
        #expect(reopened.actNow.contains { $0.contains("acme-c0rp-secure.com") }, "re-opened: act on it again")
        #expect(try String(contentsOfFile: setup.reports + "/latest/report.html", encoding: .utf8).contains("re-opened by new evidence"))
        try ReportCLITests.validateAgainstSchema(setup.reports + "/latest/report.json")
        let after = try CLI.run(["triage", "list", "--format", "csv", "--db", setup.db])
        #expect(after.stdout.contains(",false-positive,phishing simulation by the awareness team,jb,"), "\(after.stdout)")
        #expect(after.stdout.contains(",interaction,execution,yes,critical"), "stage then, stage now, re-opened: \(after.stdout)")
    }

    @Test func aWrongIncidentStatusOrNoteExitsOneAndAMissingDatabaseTwo() throws {
        let run = try ScenarioRun.copy()
        let noSuch = try CLI.run(["triage", "#999", "--status", "benign", "--note", "x", "--db", run.db])
        #expect(noSuch.status == 1)
        #expect(noSuch.stderr.contains("no incident #999: give its number as the reports show it (#1…#"), "\(noSuch.stderr)")
        let badStatus = try CLI.run(["triage", "1", "--status", "dismissed", "--note", "x", "--db", run.db])
        #expect(badStatus.status == 1)
        #expect(badStatus.stderr.contains("'open', 'confirmed', 'false-positive' or 'benign'"), "\(badStatus.stderr)")
        let noNote = try CLI.run(["triage", "1", "--status", "benign", "--note", " ", "--db", run.db])
        #expect(noNote.status == 1)
        #expect(noNote.stderr.contains("--note is empty"), "\(noNote.stderr)")
        let missing = try CLI.run(["triage", "1", "--status", "benign", "--note", "x", "--db", run.folder + "/nothing.db"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.folder + "/nothing.db"), "no database is made")

        // By key, then listed with the untriaged ones.
        let byKey = try CLI.run(["triage", "hash:ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83", "--status", "confirmed",
                                 "--note", "macro dropper, hosts isolated", "--db", run.db])
        #expect(byKey.status == 0, "\(byKey.stderr)")
        #expect(!byKey.stdout.contains("--fail-on will not alert"), "a confirmed incident alerts as before")
        let all = try CLI.run(["triage", "list", "--all", "--db", run.db])
        #expect(all.status == 0)
        #expect(all.stdout.contains("confirmed") && all.stdout.contains("untriaged"), "\(all.stdout)")
    }
}
