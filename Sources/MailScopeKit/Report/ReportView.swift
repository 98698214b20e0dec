import Foundation

/// The model shaped for the HTML and Markdown templates: long tables capped (with "and N
/// more"; the full lists are in report.json and iocs.csv), display strings ready, and the
/// SVG timelines drawn. Every value here is raw text: the templates' content type escapes it
/// for HTML or Markdown, so attacker-written text is never markup. The only pre-rendered
/// fragments are the SVG timelines (built from escaped text) and Markdown code spans, which
/// the templates insert with triple braces.
enum ReportView {
    static let cap = 25

    static func capped<T>(_ items: [T], _ map: (T) -> [String: Any]) -> (rows: [[String: Any]], more: Int) {
        (items.prefix(cap).map(map), max(0, items.count - cap))
    }

    static func dictionary(_ m: ReportModel, format: Format) -> [String: Any] {
        let summary = "\(count(m.summary.findings, "finding", "findings")); \(count(m.summary.recipients, "recipient", "recipients")), "
            + "\(count(m.summary.interactedUsers, "user who interacted", "users who interacted")), \(count(m.summary.hosts, "host touched", "hosts touched")); "
            + "\(count(m.summary.duetQuestions, "question", "questions")) for the customer."
        var root: [String: Any] = [
            "tool": "\(m.tool.name) \(m.tool.version)",
            "public_suffix_list": m.tool.publicSuffixList ?? "unknown",
            "generated_at": time(m.generatedAt),
            "command": m.command ?? "",
            "has_command": m.command != nil,
            "window_first": time(m.dataWindow.firstSeen),
            "window_last": time(m.dataWindow.lastSeen),
            "incident_count": m.summary.incidents,
            "incidents_noun": m.summary.incidents == 1 ? "incident" : "incidents",
            "recipients_noun": m.summary.recipients == 1 ? "recipient" : "recipients",
            "interacted_noun": m.summary.interactedUsers == 1 ? "user interacted" : "users interacted",
            "hosts_noun": m.summary.hosts == 1 ? "host touched" : "hosts touched",
            "findings_text": Self.count(m.summary.findings, "finding", "findings"),
            "summary_text": summary,
            "highest": m.summary.highestSeverity?.rawValue ?? "none",
            "findings": m.summary.findings,
            "duet_count": m.summary.duetQuestions,
            "recipients": m.summary.recipients,
            "interacted": m.summary.interactedUsers,
            "hosts": m.summary.hosts,
            "has_incidents": !m.incidents.isEmpty,
            "act_now": m.summary.actNow.map { ["line": $0] },
            "has_act_now": !m.summary.actNow.isEmpty,
            "severity_counts": Rule.Severity.allCases.reversed().compactMap { s -> [String: Any]? in
                guard let n = m.summary.bySeverity[s.rawValue] else { return nil }
                return ["severity": s.rawValue, "count": n]
            },
        ]
        root["incidents"] = m.incidents.map { incident(m, $0, format: format) }
        root["duet"] = m.duet.map { d -> [String: Any] in
            ["rule": "\(d.ruleId)@\(d.ruleVersion)", "incident": d.incident.map { "#\($0)" } ?? "—", "ts": time(d.ts),
             "user": d.user ?? "—", "question": d.question, "summary": d.summary,
             "evidence": d.evidence.map(evidenceText).joined(separator: "; ")]
        }
        root["has_duet"] = !m.duet.isEmpty
        let indicators = capped(m.indicators) { i in
            ["type": Self.indicatorType(i), "value": i.value, "value_code": MarkdownText.code(i.value), "incident": i.incident.map { "#\($0)" } ?? "",
             "recipients": i.recipients, "hosts": i.hosts, "first": time(i.firstSeen), "last": time(i.lastSeen), "feeds": i.feeds ?? ""]
        }
        root["indicators"] = indicators.rows
        root["indicators_more"] = indicators.more
        root["has_indicators_more"] = indicators.more > 0
        root["inputs"] = m.inputs.map { i -> [String: Any] in
            ["path": i.path, "path_code": MarkdownText.code(i.path), "sha256": i.sha256, "format": i.format, "bytes": i.bytes,
             "records": i.records, "rows": i.rows, "duplicates": i.duplicates, "rejected": i.rejected,
             "first": time(i.firstSeen), "last": time(i.lastSeen)]
        }
        root["rejects_total"] = m.rejects.total
        root["rejects"] = m.rejects.byReason.sorted { $0.key < $1.key }.map { ["reason": $0.key, "count": $0.value] }
        root["has_rejects"] = m.rejects.total > 0
        root["rules"] = m.rules.map { r -> [String: Any] in
            ["id": r.id, "version": r.version, "kind": r.kind.rawValue, "severity": r.severity.rawValue, "sha256": r.sha256, "title": r.title,
             "attack": r.attack.joined(separator: ", "), "findings": r.findings,
             "params": r.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")]
        }
        root["feeds"] = m.feeds.map { f -> [String: Any] in
            ["name": f.name, "path": f.path ?? "—", "sha256": f.sha256 ?? "—", "format": f.format ?? "—", "indicators": f.indicators]
        }
        root["has_feeds"] = !m.feeds.isEmpty
        root["watch_lists"] = m.watchLists.map { ["name": $0.name, "path": $0.path, "sha256": $0.sha256, "people": $0.people] }
        root["has_watch_lists"] = !m.watchLists.isEmpty
        root["coverage"] = m.coverage.map { c -> [String: Any] in
            ["log": c.log, "days": c.days, "first": c.firstDay ?? "—", "last": c.lastDay ?? "—", "rows": c.rows,
             "gaps": c.days == 0 ? "not in the data: conclusions that need it say unknown"
                 : c.gaps.isEmpty ? "none" : (c.gaps.prefix(10).joined(separator: ", ") + (c.gaps.count > 10 ? " and \(c.gaps.count - 10) more" : "")),
             "hosts": c.hosts.map(String.init) ?? ""]
        }
        root["rows_by_table"] = m.statistics.rowsByTable.sorted { $0.key < $1.key }.map { ["table": $0.key, "rows": $0.value] }
        root["findings_by_rule"] = m.statistics.findingsByRule.sorted { $0.key < $1.key }.map { ["rule": $0.key, "count": $0.value] }
        root["identities"] = m.statistics.identities
        root["identity_issues"] = m.statistics.identityIssues.sorted { $0.key < $1.key }.map { ["kind": $0.key, "count": $0.value] }
        return root
    }

    enum Format { case html, markdown }

    static func evidenceText(_ e: ReportModel.Evidence) -> String {
        guard let file = e.file else { return "\(e.table) row \(e.row)" }
        return "\(EvidenceLocator.text(file: file, line: e.line ?? 0, record: e.record)) (sha256 \(e.sha256.map { String($0.prefix(12)) } ?? "?")…)"
    }

    static func incident(_ m: ReportModel, _ i: ReportModel.Incident, format: Format) -> [String: Any] {
        let people = capped(i.people.sorted { ($1.stage, $0.user) < ($0.stage, $1.user) }) { p in
            ["user": p.user, "stage": p.stage.rawValue, "delivered": p.delivered ? "yes" : "no", "interacted": p.interacted ? "yes" : "no",
             "evidence": p.stageEvidence.map(evidenceText) ?? "—"]
        }
        let hosts = capped(i.hostDetails) { h in
            ["host": h.host, "user": h.user ?? "—", "stage": h.stage.rawValue, "first": time(h.firstSeen), "rows": h.evidenceRows]
        }
        let indicators = capped(i.indicatorDetails) { d in
            ["type": Self.indicatorType(d), "value": d.value, "value_code": MarkdownText.code(d.value), "recipients": d.recipients, "hosts": d.hosts,
             "first": time(d.firstSeen), "last": time(d.lastSeen), "feeds": d.feeds ?? ""]
        }
        let findings = capped(i.findings) { f in
            ["ts": time(f.ts), "rule": "\(f.ruleId)@\(f.ruleVersion)", "severity": f.severity.rawValue, "stage": f.stage?.rawValue ?? "—", "user": f.user ?? "—",
             "host": f.host ?? "", "summary": f.summary, "match": f.matchKey.map { "\($0) (\(f.matchStrength ?? "?"))" } ?? "",
             "evidence": f.evidence.map(evidenceText).joined(separator: "; ")]
        }
        return [
            "id": i.id, "title": i.title, "severity": i.severity.rawValue, "stage": i.stage.rawValue, "key": i.key,
            "subjects": i.subjects.prefix(5).map { ["text": $0] }, "has_subjects": !i.subjects.isEmpty,
            "subjects_more": max(0, i.subjects.count - 5), "has_subjects_more": i.subjects.count > 5,
            "senders": i.indicators.senders.prefix(5).joined(separator: ", "), "has_senders": !i.indicators.senders.isEmpty,
            "attack": i.attack.joined(separator: ", "), "first": time(i.firstSeen), "last": time(i.lastSeen),
            "reasons": i.reasons.map { ["text": $0] }, "actions": i.actions.map { ["text": $0] },
            "recipient_count": i.recipients.count, "delivered_count": i.deliveredTo.count, "interacted_count": i.interactedUsers.count,
            "host_count": i.hosts.count, "message_count": i.messages.count, "finding_count": i.findings.count,
            "counts": [Self.count(i.recipients.count, "recipient", "recipients"), "\(i.deliveredTo.count) delivered", "\(i.interactedUsers.count) interacted",
                       Self.count(i.hosts.count, "host", "hosts"), Self.count(i.messages.count, "message", "messages"),
                       Self.count(i.findings.count, "finding", "findings")].map { ["text": $0] },
            "people": people.rows, "people_more": people.more, "has_people_more": people.more > 0,
            "host_rows": hosts.rows, "hosts_more": hosts.more, "has_hosts": !i.hostDetails.isEmpty, "has_hosts_more": hosts.more > 0,
            "indicator_rows": indicators.rows, "indicators_more": indicators.more, "has_indicators_more": indicators.more > 0,
            "finding_rows": findings.rows, "findings_more": findings.more, "has_findings_more": findings.more > 0,
            "timeline_svg": format == .html ? TimelineSVG.render(i) : "",
        ]
    }

    /// A time as the reports show it.
    static func time(_ t: Timestamp) -> String { t.iso }
    static func time(_ t: Timestamp?) -> String { t.map(time) ?? "—" }

    /// "1 finding", "2 findings".
    static func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
}

/// A small inline SVG of an incident's findings over time, one lane per stage.
enum TimelineSVG {
    static let lanes: [Rule.Stage] = [.delivery, .interaction, .download, .execution, .commandAndControl]
    static let colours: [Rule.Stage: String] = [.delivery: "#6b7280", .interaction: "#2563eb", .download: "#d97706", .execution: "#dc2626",
                                                .commandAndControl: "#7f1d1d"]

    static func render(_ i: ReportModel.Incident) -> String {
        let points = i.findings.map { f -> (Int64, Rule.Stage, String) in
            let lane = f.stage.flatMap { lanes.contains($0) ? $0 : nil } ?? .delivery
            return (f.ts.milliseconds, lane, "\(ReportView.time(f.ts)) \(f.ruleId): \(f.summary)")
        }
        guard let first = points.map(\.0).min(), let last = points.map(\.0).max() else { return "" }
        let width = 720.0, left = 150.0, right = 20.0, laneHeight = 22.0
        let span = Double(max(last - first, 1))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(laneHeight * Double(lanes.count) + 30))\" role=\"img\" aria-label=\"timeline of incident \(i.id)\">"
        for (n, lane) in lanes.enumerated() {
            let y = 15 + Double(n) * laneHeight
            svg += "<text x=\"4\" y=\"\(y + 4)\" class=\"lane\">\(lane.rawValue)</text><line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\" class=\"axis\"/>"
        }
        var seen = Set<String>()
        for (ms, lane, label) in points {
            let x = left + (width - left - right) * Double(ms - first) / span
            let y = 15 + Double(lanes.firstIndex(of: lane) ?? 0) * laneHeight
            let key = "\(Int(x))/\(lane.rawValue)"
            if !seen.insert(key).inserted { continue }
            svg += "<circle cx=\"\(String(format: "%.1f", x))\" cy=\"\(y)\" r=\"5\" fill=\"\(colours[lane] ?? "#000")\"><title>\(HTMLText.escape(label))</title></circle>"
        }
        let bottom = 15 + Double(lanes.count) * laneHeight
        svg += "<text x=\"\(left)\" y=\"\(bottom + 8)\" class=\"tick\">\(HTMLText.escape(ReportView.time(Timestamp(first))))</text>"
        svg += "<text x=\"\(width - right)\" y=\"\(bottom + 8)\" class=\"tick\" text-anchor=\"end\">\(HTMLText.escape(ReportView.time(Timestamp(last))))</text></svg>"
        return svg
    }
}

/// HTML text and attribute escaping that also makes control and bidirectional-override
/// characters visible, so a subject cannot reorder or hide what is around it.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in TerminalText.safe(text, keepNewlines: true) {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

}

extension ReportView {
    /// An indicator's type as shown, saying when it is shared infrastructure (not to block).
    static func indicatorType(_ i: ReportModel.IndicatorRow) -> String {
        i.shared ? "\(i.type) — shared infrastructure (mail from \(i.senderDomains) sender domains); context, not to block" : i.type
    }
}
