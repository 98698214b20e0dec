import Foundation
import MailScopeKit
import Testing

/// `--fail-on` with `alert_syslog` and `alert_webhook`, night after night as cron runs it,
/// against a syslog socket and an HTTP server started here: one syslog message per alerting
/// incident and one webhook POST per run; nothing again without new evidence; a dead
/// destination is reported, counted and retried, and never changes the exit code.
@Suite(.serialized) struct AlertDeliveryCLITests {
    typealias Setup = NightlyRunCLITests.Setup

    /// The ALERT lines' incident numbers.
    static func alerted(_ stderr: String) -> [Int] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("ALERT "), let n = line.firstMatch(of: #/incident #(\d+) /#)?.1 else { return nil }
            return Int(n)
        }.sorted()
    }

    /// The incident numbers of CEF syslog messages (`cn1`).
    static func numbers(_ messages: [String]) -> [Int] {
        messages.compactMap { m in m.firstMatch(of: #/cn1=(\d+)/#).flatMap { Int($0.1) } }.sorted()
    }

    /// The run options that name the receivers; the CLI reaches 127.0.0.1 without a proxy.
    static func run(_ setup: Setup, syslog: String, webhook: String) throws -> CLI.Result {
        try CLI.run(["run", "--config", setup.config, "--alert-syslog", syslog, "--alert-webhook", webhook, "--alert-timeout", "2s"],
                    environment: ["SOURCE_DATE_EPOCH": "1793664000", "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"])
    }

    @Test func eachNewAlertIsDeliveredOnceAndAgainOnlyWithNewEvidence() throws {
        let setup = try Setup("alerts")
        let http = try HTTPReceiver()
        defer { http.stop() }
        let syslog = try DatagramReceiver()
        try setup.deliver(NightlyRunCLITests.day1)
        let night1 = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(night1.status == 0, "\(night1.stderr)")
        #expect(http.requests.isEmpty && syslog.drain().isEmpty, "no alert, nothing delivered")
        let markBefore = try Database(path: setup.db, mode: .readOnly).scalar("SELECT value FROM meta WHERE key = 'alerted_through'")?.intValue ?? 0

        // The mail of day 2 brings the attacks: one syslog message per alerting incident and one POST.
        try setup.deliver(["siem_v2", "ttp"])
        let night2 = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(night2.status == 3, "\(night2.stderr)")
        let alerted = Self.alerted(night2.stderr)
        #expect(!alerted.isEmpty)
        let messages = syslog.drain()
        #expect(Self.numbers(messages) == alerted)
        for m in messages {
            #expect(m.firstMatch(of: #/^<3[45]>1 2026-11-03T00:00:00\.000Z \S+ mailscope \d+ - - CEF:0\|MailScope\|mailscope\|[^|]+\|MS-[A-Z]+-\d+\|[^|]+\|(8|10)\|rt=\d+ /#) != nil, "\(m)")
            #expect(m.contains("cs1Label=Incident key cs1="))
            #expect(!m.contains("\n"))
        }
        #expect(http.requests.count == 1)
        let post = try #require(http.requests.first)
        #expect(post.head.hasPrefix("POST /hooks/mailscope?token=s3cret HTTP/1.1"))
        #expect(post.head.lowercased().contains("content-type: application/json"))
        #expect(post.incidents.compactMap { $0["number"] as? Int }.sorted() == alerted)
        #expect((post.json?["tool"] as? [String: Any])?["version"] as? String == MailScopeVersion.string)
        let first = try #require(post.incidents.first)
        for key in ["key", "title", "severity", "stage", "first_seen", "last_seen", "counts", "report"] { #expect(first[key] != nil, "\(key)") }
        #expect((first["report"] as? String)?.contains("/reports/2026-11-03-2/report.html#incident-") == true)
        #expect(night2.stderr.contains("alert delivered to webhook http://127.0.0.1:\(http.port)/… (sha256:"))
        #expect(!night2.stderr.contains("s3cret"), "the webhook's token is not logged")

        // The same night again: nothing new, nothing sent.
        let night3 = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(night3.status == 0, "\(night3.stderr)")
        #expect(syslog.drain().isEmpty)
        #expect(http.requests.count == 1)

        // A run killed after delivering but before recording its alert check: the next run alerts
        // on the same incidents again, and sends them nowhere a second time.
        try Database(path: setup.db).run("UPDATE meta SET value = ? WHERE key = 'alerted_through'", [.integer(markBefore)])
        let rerun = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(rerun.status == 3, "\(rerun.stderr)")
        #expect(Self.alerted(rerun.stderr) == alerted)
        #expect(syslog.drain().isEmpty)
        #expect(http.requests.count == 1)

        // The endpoint logs of day 2 add evidence to incidents that already alerted: those alert
        // and are delivered again, and only those.
        try setup.deliver(["edr/mde_advanced_hunting_2026-11-02.csv", "edr/crowdstrike_events_2026-11-02.csv", "edr/sentinelone_dv_2026-11-02.csv"])
        let night4 = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(night4.status == 3, "\(night4.stderr)")
        let again = Self.alerted(night4.stderr)
        #expect(!again.isEmpty)
        #expect(Self.numbers(syslog.drain()) == again)
        #expect(http.requests.count == 2)
        #expect(http.requests.last?.incidents.compactMap { $0["number"] as? Int }.sorted() == again)

        let db = try Database(path: setup.db, mode: .readOnly)
        #expect(try db.scalar("SELECT COUNT(*) FROM alert_delivery WHERE status = 'failed'")?.intValue == 0)
        #expect(try db.scalar("SELECT alerts_delivered FROM run ORDER BY id DESC LIMIT 1")?.intValue == Int64(2 * again.count))
        let command = try db.scalar("SELECT command FROM run ORDER BY id DESC LIMIT 1")?.stringValue ?? ""
        #expect(command.contains("--alert-webhook 'http://127.0.0.1:\(http.port)/…#sha256:"), "\(command)")
        #expect(!command.contains("s3cret"))
        #expect(try !String(contentsOfFile: setup.reports + "/latest/report.html", encoding: .utf8).contains("s3cret"), "the reports record the command line without the token")
    }

    @Test func aDeadDestinationIsReportedCountedAndRetriedNextRun() throws {
        let setup = try Setup("deadalerts")
        let http = try HTTPReceiver(statuses: [500])
        defer { http.stop() }
        let socketPath = setup.dir + "/syslog.sock"
        try setup.deliver(NightlyRunCLITests.day1 + NightlyRunCLITests.day2)
        let start = Date()
        let night1 = try Self.run(setup, syslog: "unix:" + socketPath, webhook: http.url)
        #expect(night1.status == 3, "the exit code is --fail-on's: \(night1.stderr)")
        let alerted = Self.alerted(night1.stderr)
        #expect(!alerted.isEmpty)
        #expect(night1.stderr.contains("warning: alert not delivered to syslog unix:\(socketPath): connect to \(socketPath): No such file or directory"))
        #expect(night1.stderr.contains(#/warning: alert not delivered to webhook http://127\.0\.0\.1:\d+/… \(sha256:[0-9a-f]{12}\): 3 tries, the last: HTTP 500/#))
        #expect(http.requests.count == 3, "three tries")
        #expect(Date().timeIntervalSince(start) < 60)
        let db = try Database(path: setup.db, mode: .readOnly)
        #expect(try db.scalar("SELECT alerts_failed FROM run ORDER BY id DESC LIMIT 1")?.intValue == Int64(2 * alerted.count))
        #expect(try db.scalar("SELECT alerts_delivered FROM run ORDER BY id DESC LIMIT 1")?.intValue == 0)

        // Both destinations are back: the next night has no new evidence and alerts nothing,
        // but delivers what failed, once — except an incident an analyst has since set aside.
        let setAside = try #require(alerted.first)
        let triage = try CLI.run(["triage", "\(setAside)", "--status", "false-positive", "--note", "test mail", "--db", setup.db])
        #expect(triage.status == 0, "\(triage.stderr)")
        let retried = alerted.filter { $0 != setAside }
        #expect(!retried.isEmpty)
        let syslog = try DatagramReceiver(unixPath: socketPath)
        http.answer([200])
        let night2 = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(night2.status == 0, "\(night2.stderr)")
        #expect(Self.alerted(night2.stderr).isEmpty)
        #expect(Self.numbers(syslog.drain()) == retried)
        #expect(http.requests.count == 4)
        #expect(http.requests.last?.incidents.compactMap { $0["number"] as? Int }.sorted() == retried)

        let night3 = try Self.run(setup, syslog: syslog.destination, webhook: http.url)
        #expect(night3.status == 0, "\(night3.stderr)")
        #expect(syslog.drain().isEmpty)
        #expect(http.requests.count == 4)
        #expect(!night3.stderr.contains("alert delivered") && !night3.stderr.contains("alert not delivered"))
    }

    @Test func aClosedPortFailsFastAndAnAlertDestinationNeedsFailOn() throws {
        let setup = try Setup("closedport")
        try setup.deliver(NightlyRunCLITests.day1 + NightlyRunCLITests.day2)
        let port = HTTPReceiver.closedPort()
        let start = Date()
        let run = try Self.run(setup, syslog: "tcp://127.0.0.1:\(port)", webhook: "http://127.0.0.1:\(port)/hook")
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("warning: alert not delivered to syslog tcp://127.0.0.1:\(port): connect to 127.0.0.1:\(port): Connection refused"))
        #expect(run.stderr.contains("warning: alert not delivered to webhook http://127.0.0.1:\(port)/… (sha256:"))
        #expect(Date().timeIntervalSince(start) < 60)

        let noThreshold = try CLI.run(["run", "--db", setup.db, "--out", setup.dir + "/x", "--input", setup.inbox, "--alert-syslog", "unix:/dev/log"])
        #expect(noThreshold.status == 1)
        #expect(noThreshold.stderr.contains("an alert destination needs --fail-on SEVERITY"))
        try "db: state/case.db\nout: reports\ninputs: [inbox]\nalert_webhook: http://127.0.0.1:9/hook\n".write(toFile: setup.config, atomically: true, encoding: .utf8)
        let noThresholdInConfig = try setup.run()
        #expect(noThresholdInConfig.status == 1)
        #expect(noThresholdInConfig.stderr.contains("\(setup.config):4: an alert destination needs --fail-on SEVERITY (or fail_on: in the config)"), "\(noThresholdInConfig.stderr)")
        let badFlag = try CLI.run(["run", "--fail-on", "high", "--db", setup.db, "--out", setup.dir + "/x", "--input", setup.inbox, "--alert-webhook", "ftp://x/y"])
        #expect(badFlag.status == 1)
        #expect(badFlag.stderr.contains("--alert-webhook: \"ftp://x/y\": the scheme must be http or https, not ftp"))
    }
}
