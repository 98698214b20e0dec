import Foundation

/// The webhook's JSON document: the tool and version, the threshold, the run's reports and
/// one entry per incident alerted (or retried) to this webhook. Keys are sorted and control and
/// bidirectional characters in attacker text are `\u` escapes (`JSONText`), so a receiver that
/// logs the body raw shows them as text.
///
/// ```json
/// {"fail_on": "high", "generated_at": "2026-11-03T00:00:00.000Z",
///  "incidents": [{"number": 2, "key": "domain:acme-c0rp-secure.com", "title": "…",
///                 "severity": "critical", "stage": "execution", "rule": "MS-COR-010",
///                 "first_seen": "…", "last_seen": "…",
///                 "counts": {"recipients": 4, "delivered": 4, "interacted": 2, "hosts": 1, "findings": 9},
///                 "sender": "…", "user": "…", "host": "…", "url": "…",
///                 "report": "/var/lib/mailscope/reports/2026-11-03/report.html#incident-2"}],
///  "reports": {"folder": "/var/lib/mailscope/reports/2026-11-03", "files": ["…/report.html", …]},
///  "tool": {"name": "mailscope", "version": "0.1.0"}}
/// ```
public enum WebhookPayload {
    public static func json(incidents: [AlertIncident], threshold: Rule.Severity, generatedAt: Int64,
                            reportFolder: String?, reportFiles: [String], version: String = MailScopeVersion.string) -> Data {
        let entries: [[String: Any]] = incidents.map { i in
            var entry: [String: Any] = [
                "number": i.number, "key": i.key, "title": i.title, "severity": i.severity.rawValue, "stage": i.stage.rawValue,
                "rule": i.ruleID, "first_seen": TimeParser.iso8601(i.firstSeen), "last_seen": TimeParser.iso8601(i.lastSeen),
                "counts": ["recipients": i.recipients, "delivered": i.delivered, "interacted": i.interacted, "hosts": i.hosts, "findings": i.findings],
            ]
            let pivots: [(String, String?)] = [("sender", i.sender), ("sender_ip", i.senderIP), ("user", i.user), ("host", i.host),
                                               ("file_name", i.fileName), ("sha256", i.sha256), ("url", i.url),
                                               ("report", AlertReport.link(incident: i.number, files: reportFiles))]
            for (key, value) in pivots { if let value { entry[key] = value } }
            return entry
        }
        var reports: [String: Any] = ["files": reportFiles]
        if let reportFolder { reports["folder"] = reportFolder }
        let document: [String: Any] = [
            "tool": ["name": "mailscope", "version": version], "fail_on": threshold.rawValue,
            "generated_at": TimeParser.iso8601(generatedAt), "reports": reports, "incidents": entries,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Data(JSONText.safe(String(decoding: data, as: UTF8.self)).utf8)
    }
}
