import Foundation

/// The model shaped for the HTML and Markdown templates: every row of every table (an
/// auditor's record leaves nothing out; long tables are collapsed on screen and opened by the
/// print stylesheet), display strings ready, and the SVG timelines drawn. Every value here is
/// raw text: the templates' content type escapes it for HTML or Markdown, so attacker-written
/// text is never markup. The only pre-rendered fragments are the SVG timelines and evidence
/// locators (built from escaped text) and Markdown code spans, which the templates insert with
/// triple braces.
enum ReportView {
    /// Tables with more rows than this are collapsed on screen (`<details>`, `*_long`).
    static let collapseAfter = 10

    /// Every item as a template row, and whether the table is long enough to collapse on screen.
    static func table<T>(_ items: [T], _ map: (T) -> [String: Any]) -> (rows: [[String: Any]], long: Bool) {
        (items.map(map), items.count > collapseAfter)
    }

    static func dictionary(_ m: ReportModel, format: Format) -> [String: Any] {
        let zone = m.displayTimeZone
        let summary = "\(count(m.summary.findings, "finding", "findings")); \(count(m.summary.recipients, "recipient", "recipients")), "
            + "\(count(m.summary.interactedUsers, "user who interacted", "users who interacted")), \(count(m.summary.hosts, "host touched", "hosts touched")); "
            + "\(count(m.summary.duetQuestions, "question", "questions")) for the customer."
        var root: [String: Any] = [
            "tool": "\(m.tool.name) \(m.tool.version)",
            "public_suffix_list": m.tool.publicSuffixList ?? "unknown",
            "generated_at": time(m.generatedAt, zone),
            "command": m.command ?? "",
            "has_command": m.command != nil,
            "display_tz": zone.name,
            "has_display_tz": !zone.isUTC,
            "edr_tz": m.edrTimeZone ?? "",
            "has_edr_tz": m.edrTimeZone != nil,
            "window_first": time(m.dataWindow.firstSeen, zone),
            "window_last": time(m.dataWindow.lastSeen, zone),
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
            ["rule": "\(d.ruleId)@\(d.ruleVersion)", "incident": d.incident.map { "#\($0)" } ?? "—", "ts": time(d.ts, zone),
             "user": d.user ?? "—", "question": d.question, "summary": d.summary,
             "evidence": d.evidence.map(evidenceText).joined(separator: "; "), "evidence_items": d.evidence.map(evidenceItem)]
        }
        root["has_duet"] = !m.duet.isEmpty
        let indicators = table(m.indicators) { i in
            ["type": Self.indicatorType(i), "value": i.value, "value_code": MarkdownText.code(i.value), "incident": i.incident.map { "#\($0)" } ?? "",
             "recipients": i.recipients, "hosts": i.hosts, "first": time(i.firstSeen, zone), "last": time(i.lastSeen, zone), "feeds": i.feeds ?? ""]
        }
        root["indicators"] = indicators.rows
        root["indicators_long"] = indicators.long
        root["indicator_count"] = m.indicators.count
        root["inputs"] = m.inputs.map { i -> [String: Any] in
            ["path": i.path, "path_html": locatorHTML(i.path), "path_code": MarkdownText.code(i.path), "sha256": i.sha256, "format": i.format, "bytes": i.bytes,
             "records": i.records, "rows": i.rows, "duplicates": i.duplicates, "rejected": i.rejected,
             "first": time(i.firstSeen, zone), "last": time(i.lastSeen, zone)]
        }
        root["rejects_total"] = m.rejects.total
        root["rejects"] = m.rejects.byReason.sorted { $0.key < $1.key }.map { ["reason": $0.key, "count": $0.value] }
        root["has_rejects"] = m.rejects.total > 0
        root["rules"] = m.rules.map { r -> [String: Any] in
            ["id": r.id, "version": r.version, "kind": r.kind.rawValue, "severity": r.severity.rawValue, "sha256": r.sha256, "title": r.title,
             "attack": r.attack.joined(separator: ", "), "findings": r.findings,
             "params": r.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "), "has_params": !r.params.isEmpty]
        }
        root["feeds"] = m.feeds.map { f -> [String: Any] in
            ["name": f.name, "path": f.path ?? "—", "sha256": f.sha256 ?? "—", "format": f.format ?? "—", "indicators": f.indicators]
        }
        root["has_feeds"] = !m.feeds.isEmpty
        root["watch_lists"] = m.watchLists.map { ["name": $0.name, "path": $0.path, "sha256": $0.sha256, "people": $0.people] }
        root["has_watch_lists"] = !m.watchLists.isEmpty
        root["suppressions"] = suppressions(m)
        root["has_suppressions"] = !(m.suppressions ?? []).isEmpty
        root["coverage"] = m.coverage.map { c -> [String: Any] in
            ["log": c.log, "days": c.days, "first": c.firstDay ?? "—", "last": c.lastDay ?? "—", "rows": c.rows,
             "gaps": c.days == 0 ? "not in the data: conclusions that need it say unknown"
                 : c.gaps.isEmpty ? "none" : c.gaps.joined(separator: ", "),
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

    /// One evidence row for the HTML: its locator (pre-rendered, see ``locatorHTML(_:)``) and
    /// the first 12 hex digits of its file's SHA-256.
    static func evidenceItem(_ e: ReportModel.Evidence) -> [String: Any] {
        guard let file = e.file else { return ["locator_html": HTMLText.escape("\(e.table) row \(e.row)"), "sha": ""] }
        return ["locator_html": locatorHTML(EvidenceLocator.text(file: file, line: e.line ?? 0, record: e.record)),
                "sha": e.sha256.map { String($0.prefix(12)) + "…" } ?? "", "has_sha": e.sha256 != nil]
    }

    /// A path or `file:line#record` that wraps only after a `/` or `\\`, never inside a name:
    /// each piece is escaped and kept whole (`<span class="seg">`, nowrap), with a `<wbr>`
    /// between. A copy of the text is the path as it was, with nothing inserted.
    static func locatorHTML(_ text: String) -> String {
        var pieces: [Substring] = []
        var start = text.startIndex
        for i in text.indices where text[i] == "/" || text[i] == "\\" {
            pieces.append(text[start...i])
            start = text.index(after: i)
        }
        if start < text.endIndex || pieces.isEmpty { pieces.append(text[start...]) }
        return pieces.map { "<span class=\"seg\">\(HTMLText.escape(String($0)))</span>" }.joined(separator: "<wbr>")
    }

    static func incident(_ m: ReportModel, _ i: ReportModel.Incident, format: Format) -> [String: Any] {
        let zone = m.displayTimeZone
        let people = table(i.people.sorted { ($1.stage, $0.user) < ($0.stage, $1.user) }) { p in
            ["user": p.user, "awareness": p.awareness?.text ?? "", "has_awareness": p.awareness != nil, "stage": p.stage.rawValue, "delivered": p.delivery?.text ?? (p.delivered ? "yes" : "no"), "interacted": p.interacted ? "yes" : "no",
             "evidence": p.stageEvidence.map(evidenceText) ?? "—", "evidence_items": p.stageEvidence.map { [evidenceItem($0)] } ?? []]
        }
        let hosts = table(i.hostDetails) { h in
            ["host": h.host, "user": h.user ?? "—", "stage": h.stage.rawValue, "first": time(h.firstSeen, zone), "rows": h.evidenceRows]
        }
        let indicators = table(i.indicatorDetails) { d in
            ["type": Self.indicatorType(d), "value": d.value, "value_code": MarkdownText.code(d.value), "recipients": d.recipients, "hosts": d.hosts,
             "first": time(d.firstSeen, zone), "last": time(d.lastSeen, zone), "feeds": d.feeds ?? ""]
        }
        let findings = table(i.findings) { f in
            ["finding": "F\(f.id)", "ts": time(f.ts, zone), "rule": "\(f.ruleId)@\(f.ruleVersion)", "severity": f.severity.rawValue, "stage": f.stage?.rawValue ?? "—", "user": f.user ?? "—",
             "host": f.host ?? "", "summary": f.summary, "match": f.matchKey.map { "\($0) (\(f.matchStrength ?? "?"))" } ?? "", "has_match": f.matchKey != nil,
             "evidence": f.evidence.map(evidenceText).joined(separator: "; "), "evidence_items": f.evidence.map(evidenceItem)]
        }
        return [
            "id": i.id, "title": i.title, "severity": i.severity.rawValue, "stage": i.stage.rawValue, "key": i.key,
            "triage": triage(i.triage, incident: i, zone: zone),
            "subjects": i.subjects.map { ["text": $0] }, "has_subjects": !i.subjects.isEmpty,
            "senders": i.indicators.senders.joined(separator: ", "), "has_senders": !i.indicators.senders.isEmpty,
            "attack": i.attack.joined(separator: ", "), "first": time(i.firstSeen, zone), "last": time(i.lastSeen, zone),
            "reasons": i.reasons.map { ["text": $0] }, "actions": i.actions.map { ["text": $0] },
            "recipient_count": i.recipients.count, "delivered_count": i.deliveredTo.count, "interacted_count": i.interactedUsers.count,
            "host_count": i.hosts.count, "message_count": i.messages.count, "finding_count": i.findings.count,
            "counts": [Self.count(i.recipients.count, "recipient", "recipients"), "\(i.deliveredTo.count) delivered", "\(i.interactedUsers.count) interacted",
                       Self.count(i.hosts.count, "host", "hosts"), Self.count(i.messages.count, "message", "messages"),
                       Self.count(i.findings.count, "finding", "findings")].map { ["text": $0] },
            "people": people.rows, "people_long": people.long, "people_count": i.people.count, "has_people": !i.people.isEmpty,
            "has_indicators": !i.indicatorDetails.isEmpty,
            "host_rows": hosts.rows, "has_hosts": !i.hostDetails.isEmpty, "hosts_long": hosts.long,
            "indicator_rows": indicators.rows, "indicators_long": indicators.long, "indicator_count": i.indicatorDetails.count,
            "finding_rows": findings.rows, "findings_long": findings.long,
            "timeline_svg": format == .html ? TimelineSVG.render(i, zone: zone) : "",
            "graph_svg": format == .html ? IncidentGraphSVG.render(i.graph, incident: i.id, zone: zone) : "",
            "graph_landscape": format == .html && IncidentGraphSVG.isWide(i.graph),
            "has_graph": !i.graph.nodes.isEmpty, "graph_nodes": i.graph.nodes.count, "graph_edges": i.graph.edges.count,
            "graph_links": graphLinks(i.graph, zone: zone),
            "delivered_copies": i.deliveredCopies.map { ["message_id": $0.messageId, "message_id_code": MarkdownText.code($0.messageId),
                                                         "recipients": $0.recipients.joined(separator: ", ")] },
            "has_delivered_copies": !i.deliveredCopies.isEmpty,
            "administration": i.administration.map { a in
                ["ts": time(a.time, zone), "account": a.account ?? "—", "role": a.role, "action": a.action.replacingOccurrences(of: "-", with: " "),
                 "detail": a.detail, "source_ip": a.sourceIp ?? "—", "rule": a.ruleId ?? "—",
                 "evidence": a.evidence.map(evidenceText) ?? "—", "evidence_items": a.evidence.map { [evidenceItem($0)] } ?? []] as [String: Any]
            },
            "has_administration": !i.administration.isEmpty, "administration_count": i.administration.count,
            "host_stories": i.hostActivity.filter { !$0.events.isEmpty }.map { hostStory($0, zone: zone) },
        ]
    }

    /// The graph's links as rows (the Markdown report's "How it moved" table): each end as
    /// its kind and label, what happened, when, the rules it rests on and the link's strength.
    static func graphLinks(_ graph: IncidentGraph, zone: TimeZoneOffsets) -> [[String: Any]] {
        let nodes = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) })
        func text(_ id: String) -> String {
            guard let n = nodes[id] else { return id }
            let extra = n.kind == .process || n.kind == .host ? n.detail.map { " (\($0))" } ?? "" : ""
            return IncidentGraphLayout.tag(n.kind) + " " + n.label + extra
        }
        // In the order things happened; the links with no time (where the mail came from) first.
        let ordered = graph.edges.sorted { ($0.ts?.milliseconds ?? .min, $0.from, $0.to) < ($1.ts?.milliseconds ?? .min, $1.from, $1.to) }
        return ordered.map { e in
            var what = IncidentGraphSVG.words(e.relation)
            if what.isEmpty { what = "sent from" }
            if let n = e.count { what += " ×\(n)" }
            return ["from": text(e.from), "to": text(e.to), "what": what, "when": time(e.ts, zone),
                    "rules": e.rules.joined(separator: ", "), "strength": e.strength == .strong ? "exact" : "weak"]
        }
    }

    /// One host's activity in an incident, for the templates: what ran, from what, and what it
    /// touched or reached, each row with its input line; rows that are a finding's evidence
    /// are marked.
    static func hostStory(_ story: ReportModel.HostStory, zone: TimeZoneOffsets) -> [String: Any] {
        ["host": story.host, "event_count": story.events.count,
         "events": story.events.map { e -> [String: Any] in
             let target = [e.file, e.remote].compactMap { $0 }.joined(separator: " → ")
             func code(_ s: String?) -> String { (s ?? "").isEmpty ? "" : MarkdownText.code(s!) }
             return ["ts": time(e.ts, zone), "action": e.action, "process": e.process ?? "", "process_code": code(e.process),
                     "command_line": e.commandLine ?? "", "command_line_code": code(e.commandLine),
                     "parent": e.parentProcess ?? "", "target": target, "target_code": code(target),
                     "process_html": locatorHTML(e.process ?? ""), "parent_html": locatorHTML(e.parentProcess ?? ""),
                     "target_html": locatorHTML(target),
                     "linked": e.linked, "via": e.linked ? "finding evidence" : (e.via ?? ""),
                     "locator_html": locatorHTML(e.evidence), "evidence": e.evidence]
         }]
    }

    /// A time as the HTML and Markdown reports show it: ISO 8601 in the display zone with the
    /// offset in force at that moment (`2026-11-02T10:14:03.120+01:00`), or in UTC
    /// (`2026-11-02T09:14:03.120Z`, as report.json writes it) when no zone was asked for.
    static func time(_ t: Timestamp, _ zone: TimeZoneOffsets) -> String { zone.iso8601(t.milliseconds) }
    static func time(_ t: Timestamp?, _ zone: TimeZoneOffsets) -> String { t.map { time($0, zone) } ?? "—" }

    /// "1 finding", "2 findings".
    static func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
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
        i.own ? "\(i.type) — our own domain; context, never to block"
            : i.shared ? "\(i.type) — shared infrastructure (mail from \(i.senderDomains) sender domains); context, not to block" : i.type
    }
}
