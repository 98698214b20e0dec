import Foundation
import Testing
@testable import MailScopeKit

/// The drawing: text only (attacker names escaped, no script), boxes that never overlap, long
/// names wrapped and shortened with a mark, a wide graph split into a mail panel and a
/// computers panel, the same bytes for the same graph.
@Suite struct IncidentGraphSVGTests {
    @Test(arguments: [
        ("short", ["short"]),
        ("betty.carter@acme-corp.example", ["betty.carter@acme-corp.", "example"]),
        (String(repeating: "a", count: 80), [String(repeating: "a", count: 24), String(repeating: "a", count: 24), String(repeating: "a", count: 23) + "…"]),
        ("", [" "]),
    ])
    func labelsWrapAtSeparatorsAndAreShortenedWithAMark(text: String, lines: [String]) {
        #expect(IncidentGraphLayout.wrap(text) == lines)
    }

    @Test func hostileNamesRenderAsTextOnly() {
        let (base, baseFacts) = IncidentGraphBuilderTests.attachmentIncident()
        var i = base, facts = baseFacts
        let hostile = "<script>alert(1)</script>\"'&\u{202E}\n<img src=x onerror=alert(2)>"
        facts.groups[0].subject = hostile
        i.findings = i.findings.map { var f = $0; f.subject = hostile; return f }
        i.hostActivity[0].events.append(IncidentGraphBuilderTests.event(300, minutes: 40, "process_start", process: "C:\\x\\" + hostile, pid: "99",
                                                                        parent: "powershell.exe", ppid: "30"))
        let g = IncidentGraphBuilder.build(i, facts: facts)
        #expect(g.node("message:1")?.label == hostile, "report.json keeps the text as sent")
        let svg = IncidentGraphSVG.render(g, incident: 7, zone: .utc)
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("<img"))
        #expect(svg.contains("&lt;script&gt;"))
        // Every element is one of the drawing's own.
        let tags = Set(svg.matches(of: /<([a-z]+)[\s>]/).map { String($0.output.1) })
        #expect(tags.isSubset(of: ["svg", "g", "path", "rect", "text", "line"]), "\(tags)")
    }

    @Test func boxesNeverOverlapAndColumnsRunLeftToRight() {
        let (base, baseFacts) = IncidentGraphBuilderTests.attachmentIncident()
        var i = base, facts = baseFacts
        for n in 0..<40 {
            let user = "person.with.a.long.name\(n)@acme-corp.example"
            i.people.append(IncidentGraphBuilderTests.person(user, .delivered, stage: n < 12 ? .interaction : .delivery))
            facts.groups[0].recipients.insert(user)
        }
        let g = IncidentGraphBuilder.build(i, facts: facts)
        let layout = IncidentGraphLayout(g)
        let boxes = Array(layout.boxes.values)
        for (n, a) in boxes.enumerated() {
            for b in boxes[(n + 1)...] {
                let apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y
                #expect(apart, "\(a.lines) overlaps \(b.lines)")
            }
        }
        let column = Dictionary(uniqueKeysWithValues: g.nodes.map { ($0.id, $0.column) })
        for e in g.edges where column[e.from]! < column[e.to]! {
            #expect(layout.boxes[e.from]!.x + layout.boxes[e.from]!.width < layout.boxes[e.to]!.x)
        }
        #expect(layout.boxes.values.allSatisfy { $0.x >= 0 && $0.y >= 0 && $0.x + $0.width <= layout.width && $0.y + $0.height <= layout.height })
    }

    @Test func aWideGraphIsDrawnAsTheMailAndTheComputers() throws {
        let (incident, facts) = IncidentGraphBuilderTests.attachmentIncident()
        let g = IncidentGraphBuilder.build(incident, facts: facts)
        let panels = IncidentGraphSVG.panels(g)
        try #require(panels.count == 2, "the attachment campaign spans 8 columns")
        #expect(panels[0].graph.nodes.allSatisfy { $0.column <= IncidentGraphBuilder.Column.recipient })
        // The person who went further appears on both panels; those who did not, on the first only.
        #expect(panels[1].graph.nodes.filter { $0.kind == .recipient }.map(\.label) == ["helen.ashby@acme-corp.example"])
        #expect(panels[1].graph.node("host:ws-0221") != nil)
        let svg = IncidentGraphSVG.render(g, incident: 7, zone: .utc)
        #expect(svg.contains(">The mail: who sent what to whom</text>"))
        #expect(IncidentGraphSVG.isWide(g))
        // A mail-only incident stays one panel.
        var mailOnly = incident
        mailOnly.hostDetails = []
        mailOnly.hostActivity = []
        #expect(IncidentGraphSVG.panels(IncidentGraphBuilder.build(mailOnly, facts: facts)).count == 1)
    }

    @Test func edgesAreLabelledWithWhatHappenedWhenAndTheRules() throws {
        let (incident, facts) = IncidentGraphBuilderTests.attachmentIncident()
        let svg = IncidentGraphSVG.render(IncidentGraphBuilder.build(incident, facts: facts), incident: 7, zone: .utc)
        #expect(svg.contains(">their computer</text>"))
        #expect(svg.contains(">10:20:00</text>"), "one day: the time of day")
        #expect(svg.contains(">MS-COR-001 +2</text>"))
        #expect(svg.contains(">held or blocked</text>"))
        #expect(svg.contains("Times on 2026-11-02, UTC."))
        #expect(svg.contains("stroke-dasharray=\"5 3\""), "the weak link is dashed")
        let berlin = try TimeZoneOffsets(parsing: "Europe/Berlin")
        let local = IncidentGraphSVG.render(IncidentGraphBuilder.build(incident, facts: facts), incident: 7, zone: berlin)
        #expect(local.contains(">11:20:00</text>"))
        #expect(local.contains("Times on 2026-11-02, Europe/Berlin."))
    }
}
