import Foundation
import MailScopeKit
import Testing

/// Absent evidence is not evidence of absence: the scenario with a log type removed must say
/// "unknown" where the full data says "not delivered".
@Suite struct MissingLogsScenarioTests {
    @Test func withoutDeliveryLogsNoIncidentSaysTheCopiesWereStopped() throws {
        let work = CLI.scratch()
        let copy = work + "/scenario"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("fixtures/scenario").path, toPath: copy)
        // Every delivery log: the typed files, and the delivery events inside the mixed batch.
        let fm = FileManager.default
        for folder in ["siem_v2/2026-11-02", "siem_v1/2026-11-01"] {
            for name in try fm.contentsOfDirectory(atPath: copy + "/" + folder) where name.hasPrefix("delivery_") {
                try fm.removeItem(atPath: copy + "/" + folder + "/" + name)
            }
        }
        let mixed = copy + "/siem_v2/2026-11-02/mixed_0001.json.gz"
        let filter = Process()
        filter.executableURL = URL(fileURLWithPath: "/bin/sh")
        filter.arguments = ["-c", "gzip -dc \"$1\" | grep -v '\"type\":\"delivery\"' | gzip -n > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"", "sh", mixed]
        try filter.run()
        filter.waitUntilExit()
        #expect(filter.terminationStatus == 0)

        let db = work + "/case.db"
        let out = work + "/out"
        let result = try CLI.run(["run", "--input", copy + "/siem_v2", "--input", copy + "/siem_v1", "--input", copy + "/ttp",
                                  "--input", copy + "/edr", "--identities", copy + "/identities.csv", "--db", db, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let database = try Database(path: db, mode: .readOnly)
        #expect(try database.scalar("SELECT COUNT(*) FROM log_coverage WHERE log = 'delivery'")?.intValue == 0)
        let notes = try database.query("SELECT incident_id, text FROM incident_note").compactMap { $0[1].stringValue }
        #expect(!notes.contains { $0.hasPrefix("no copy was delivered") }, "absence of delivery logs read as 'not delivered'")
        #expect(!notes.contains { $0.hasPrefix("No mailbox holds it") })
        #expect(notes.contains { $0.hasPrefix("delivery unknown for") && $0.contains("no delivery logs for 2026-11-02") })
        #expect(notes.contains { $0.hasPrefix("Find out whether") })
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(!report.contains("every copy was stopped"))
        // The Data coverage section says the delivery log is not there at all.
        #expect(report.contains("| delivery | 0 | — | — | 0 | not in the data: conclusions that need it say unknown |  |"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let delivery = (json["coverage"] as? [[String: Any]] ?? []).first { $0["log"] as? String == "delivery" }
        #expect(delivery?["days"] as? Int == 0)
        // The people and the graph say "delivery unknown" for copies nothing shows delivered,
        // never "not delivered" or "held".
        let people = (json["incidents"] as? [[String: Any]] ?? []).flatMap { $0["people"] as? [[String: Any]] ?? [] }
        let states = Set(people.compactMap { $0["delivery"] as? String })
        #expect(states.contains("unknown"))
        #expect(!states.contains("not-delivered"), "absence of delivery logs read as 'not delivered'")
        let relations = Set((json["incidents"] as? [[String: Any]] ?? []).flatMap { (($0["graph"] as? [String: Any])?["edges"] as? [[String: Any]]) ?? [] }
            .compactMap { $0["relation"] as? String })
        #expect(relations.contains("delivery_unknown"))
        #expect(!relations.contains("not_delivered"))
    }

    @Test func withTheDeliveryLogsTheStoppedCopiesAreSaidToBeStopped() throws {
        // The same conclusion is drawn when the data supports it (the full scenario).
        let scenario = try ScenarioRun.copy()
        let database = try Database(path: scenario.db, mode: .readOnly)
        let notes = try database.query("SELECT text FROM incident_note").compactMap { $0[0].stringValue }
        #expect(notes.contains { $0.hasPrefix("no copy was delivered") })
        #expect(!notes.contains { $0.hasPrefix("delivery unknown") })
        // The writer's coverage equals what the tables hold, per log type and day.
        let kept = try database.query("SELECT log, host, day, rows, first_ts, last_ts FROM log_coverage ORDER BY 1, 2, 3").map { $0.map(\.description) }
        let counted = try database.query("""
            SELECT * FROM (
              SELECT event AS log, '' AS host, ts / 86400000 AS day, COUNT(*), MIN(ts), MAX(ts) FROM mail_message GROUP BY 1, 3
              UNION ALL SELECT 'url_click', '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM url_click GROUP BY 3
              UNION ALL SELECT 'attachment_scan', '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM attachment_scan GROUP BY 3
              UNION ALL SELECT 'impersonation', '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM impersonation GROUP BY 3
              UNION ALL SELECT 'mail_event:' || event_type, '', ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM mail_event GROUP BY event_type, 3
              UNION ALL SELECT 'edr:' || product, COALESCE(host, ''), ts / 86400000, COUNT(*), MIN(ts), MAX(ts) FROM edr_event GROUP BY product, 2, 3
            ) ORDER BY 1, 2, 3
            """).map { $0.map(\.description) }
        #expect(kept == counted)
        // The report shows each log type's days and the days missing in between (the scenario's
        // earlier MDE export is three days before the main day).
        let report = try String(contentsOfFile: scenario.out + "/report.md", encoding: .utf8)
        #expect(report.contains("| edr:mde | 2 | 2026-10-30 | 2026-11-02 | 2437 | 2026-10-31, 2026-11-01 | 134 |"))
    }
}
