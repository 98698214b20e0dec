import Foundation

/// Draws an ``IncidentGraph`` as inline SVG for the HTML report (and so the PDF): boxes in
/// layers left to right (``IncidentGraphLayout``), each with a tag saying what it is, its label
/// and a detail line, outlined in its stage's colour; edges as curves in the colour of the
/// stage they lead to, solid for a strong link and dashed for a weak one, each labelled at its
/// end with what happened, the rules whose findings rest on it and when. Everything is written
/// as text on the drawing (paper has no tooltips), every string escaped, no script; the same
/// graph and zone give the same bytes.
enum IncidentGraphSVG {
    /// Stage colours: the timeline's, with a grey for people only targeted.
    static func colour(_ stage: Rule.Stage?) -> String {
        guard let stage else { return "#94a3b8" }
        return TimelineSVG.colours[stage] ?? "#94a3b8"
    }
    static let edgeFontSize = 8.0, edgeCharWidth = 4.8

    /// What an edge's label says happened.
    static func words(_ r: IncidentGraph.Relation) -> String {
        switch r {
        case .sentFrom: ""
        case .sent: "sent"
        case .delivered: "delivered"
        case .stopped: "held or blocked"
        case .notDelivered: "not delivered"
        case .deliveryUnknown: "delivery unknown"
        case .clicked: "clicked"
        case .uses: "their computer"
        case .ran: "ran"
        case .started: "started"
        case .wrote: "wrote"
        case .downloaded: "downloaded"
        case .resolved: "resolved"
        case .connected: "connected"
        case .loggedOn: "logged on"
        case .triggered: "triggered"
        case .released: "released"
        case .permitted: "permitted"
        }
    }

    /// Edge times as the labels show them: the time of day when every edge falls on one day
    /// in `zone` (the day is said under the drawing), else month-day and minutes.
    static func timeFormatter(_ graph: IncidentGraph, zone: TimeZoneOffsets) -> (caption: String, format: (Timestamp) -> String) {
        let stamps = graph.edges.compactMap(\.ts).map { zone.iso8601($0.milliseconds) }
        let days = Set(stamps.map { String($0.prefix(10)) })
        let zoneName = zone.isUTC ? "UTC" : zone.name
        if days.count <= 1 {
            let day = days.first ?? ""
            return (day.isEmpty ? "" : "Times on \(day), \(zoneName).", { t in
                String(zone.iso8601(t.milliseconds).dropFirst(11).prefix(8))
            })
        }
        return ("Times in \(zoneName) (month-day hour:minute).", { t in
            let s = zone.iso8601(t.milliseconds)
            return String(s.dropFirst(5).prefix(5)) + " " + String(s.dropFirst(11).prefix(5))
        })
    }

    /// One panel's edges, boxes and labels, from (0, 0).
    static func draw(_ graph: IncidentGraph, _ layout: IncidentGraphLayout, when: (Timestamp) -> String) -> String {
        let byID = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) })
        func num(_ v: Double) -> String { String(format: "%.1f", v) }
        func esc(_ s: String) -> String { HTMLText.escape(s) }
        // Ports: a node's incoming edges spread down its left side, its outgoing edges down
        // its right side, each in the order of the node at the other end.
        let edges = graph.edges.filter { layout.boxes[$0.from] != nil && layout.boxes[$0.to] != nil }
        func centreY(_ id: String) -> Double { let b = layout.boxes[id]!; return b.y + b.height / 2 }
        var inPort: [Int: Double] = [:], outPort: [Int: Double] = [:]
        for (ends, port) in [(\IncidentGraph.Edge.to, 0), (\IncidentGraph.Edge.from, 1)] {
            let other: KeyPath<IncidentGraph.Edge, String> = port == 0 ? \.from : \.to
            let grouped = Dictionary(grouping: edges.indices, by: { edges[$0][keyPath: ends] })
            for (id, list) in grouped {
                let b = layout.boxes[id]!
                let sorted = list.sorted { (centreY(edges[$0][keyPath: other]), edges[$0][keyPath: other]) < (centreY(edges[$1][keyPath: other]), edges[$1][keyPath: other]) }
                let top = b.y + IncidentGraphLayout.padding / 2, span = b.height - IncidentGraphLayout.padding
                for (k, e) in sorted.enumerated() {
                    let y = top + span * (Double(k) + 0.5) / Double(sorted.count)
                    if port == 0 { inPort[e] = y } else { outPort[e] = y }
                }
            }
        }

        // Edges under the boxes, labels over everything.
        var lines = "", labels = ""
        for (k, e) in edges.enumerated() {
            let a = layout.boxes[e.from]!, b = layout.boxes[e.to]!
            let x1 = a.x + a.width, y1 = outPort[k] ?? centreY(e.from)
            let x2 = b.x, y2 = inPort[k] ?? centreY(e.to)
            let colour = colour(byID[e.to]?.stage)
            let dash = e.strength == .weak ? " stroke-dasharray=\"5 3\"" : ""
            let bend = max((x2 - x1) / 2, 30)
            lines += "<path d=\"M\(num(x1)) \(num(y1)) C\(num(x1 + bend)) \(num(y1)) \(num(x2 - bend)) \(num(y2)) \(num(x2 - 4)) \(num(y2))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.3\"\(dash)/>"
            lines += "<path d=\"M\(num(x2 - 5)) \(num(y2 - 3)) L\(num(x2)) \(num(y2)) L\(num(x2 - 5)) \(num(y2 + 3)) Z\" fill=\"\(colour)\"/>"
            // Three lines ending at the arrow: what happened, when, the rules it rests on.
            var first = words(e.relation)
            if let n = e.count { first += first.isEmpty ? "×\(n)" : " ×\(n)" }
            let texts = [first, e.ts.map(when) ?? "", e.rules.isEmpty ? "" : e.rules[0] + (e.rules.count > 1 ? " +\(e.rules.count - 1)" : "")]
                .filter { !$0.isEmpty }
            // Centred on the arrow: above it, and below for the third line.
            let offsets: [Double] = texts.count == 3 ? [-12, -3, 9] : texts.count == 2 ? [-3, 9] : [-3]
            for (text, dy) in zip(texts, offsets) {
                let y = y2 + dy
                let w = Double(text.count) * edgeCharWidth
                labels += "<rect x=\"\(num(x2 - 7 - w))\" y=\"\(num(y - edgeFontSize + 1))\" width=\"\(num(w + 2))\" height=\"\(num(edgeFontSize + 1))\" fill=\"#ffffff\" opacity=\"0.85\"/>"
                labels += "<text x=\"\(num(x2 - 6))\" y=\"\(num(y))\" text-anchor=\"end\" font-size=\"\(num(edgeFontSize))\" fill=\"#374151\">\(esc(text))</text>"
            }
        }
        var boxes = ""
        for n in graph.nodes {
            guard let b = layout.boxes[n.id] else { continue }
            let stroke = colour(n.stage)
            let dashed = n.kind == .recipients || n.kind == .more ? " stroke-dasharray=\"3 2\"" : ""
            boxes += "<rect x=\"\(num(b.x))\" y=\"\(num(b.y))\" width=\"\(num(b.width))\" height=\"\(num(b.height))\" rx=\"4\" fill=\"#ffffff\" stroke=\"\(stroke)\" stroke-width=\"\(n.stage == nil ? "1" : "2")\"\(dashed)/>"
            let left = b.x + IncidentGraphLayout.padding
            var y = b.y + IncidentGraphLayout.padding / 2 + IncidentGraphLayout.lineHeight - 3
            boxes += "<text x=\"\(num(left))\" y=\"\(num(y))\" font-size=\"\(num(IncidentGraphLayout.smallFontSize))\" fill=\"#6b7280\">\(esc(b.tag + (n.stage.map { " · \($0.rawValue)" } ?? "")))</text>"
            for line in b.lines {
                y += IncidentGraphLayout.lineHeight
                boxes += "<text x=\"\(num(left))\" y=\"\(num(y))\" font-size=\"\(num(IncidentGraphLayout.fontSize))\" fill=\"#111827\">\(esc(line))</text>"
            }
            if let d = b.detail {
                y += IncidentGraphLayout.lineHeight
                boxes += "<text x=\"\(num(left))\" y=\"\(num(y))\" font-size=\"\(num(IncidentGraphLayout.smallFontSize))\" fill=\"#4b5563\">\(esc(d))</text>"
            }
        }
        return lines + boxes + labels
    }

    /// A drawing wider than this is split into two panels, one above the other: the mail
    /// (sender to recipients) and the computers (the recipients who went further, their hosts
    /// and what ran there), so each stays legible on a landscape page.
    static let splitWidth = 1300.0
    static let panelTitleHeight = 18.0

    /// The panels `graph` is drawn in: itself, or its mail side and its endpoint side, each
    /// with the recipients that join them.
    static func panels(_ graph: IncidentGraph) -> [(title: String?, graph: IncidentGraph)] {
        let join = IncidentGraphBuilder.Column.recipient
        guard graph.nodes.contains(where: { $0.column > join }), IncidentGraphLayout(graph).width > splitWidth else { return [(nil, graph)] }
        let columnOf = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0.column) })
        func sub(_ keep: (IncidentGraph.Node) -> Bool) -> IncidentGraph {
            let nodes = graph.nodes.filter(keep)
            let ids = Set(nodes.map(\.id))
            return IncidentGraph(nodes: nodes, edges: graph.edges.filter { ids.contains($0.from) && ids.contains($0.to) })
        }
        let mail = sub { $0.column <= join }
        // The people who lead on to a computer or a click, then everything beyond them.
        let leading = Set(graph.edges.filter { columnOf[$0.from] == join && (columnOf[$0.to] ?? 0) > join }.map(\.from))
        let endpoint = sub { $0.column > join || leading.contains($0.id) }
        return [("The mail: who sent what to whom", mail), ("On the computers: what the people who went further did, and what followed", endpoint)]
    }

    static let legendHeight = 34.0, minimumWidth = 900.0

    /// The drawing's size: the widest panel, and the panels stacked with their titles and the legend.
    static func size(_ panels: [(title: String?, graph: IncidentGraph, layout: IncidentGraphLayout)]) -> (width: Double, height: Double) {
        (max(panels.map(\.layout.width).max() ?? 0, minimumWidth),
         panels.reduce(legendHeight) { $0 + $1.layout.height + ($1.title == nil ? 0 : panelTitleHeight) })
    }

    static func laidOut(_ graph: IncidentGraph) -> [(title: String?, graph: IncidentGraph, layout: IncidentGraphLayout)] {
        panels(graph).map { (title: $0.title, graph: $0.graph, layout: IncidentGraphLayout($0.graph)) }
    }

    /// Wider than a portrait page's proportions: printed on a landscape page of its own.
    static func isWide(_ graph: IncidentGraph) -> Bool {
        guard !graph.nodes.isEmpty else { return false }
        let s = size(laidOut(graph))
        return s.width / s.height > 1.3
    }

    static func render(_ graph: IncidentGraph, incident: Int, zone: TimeZoneOffsets) -> String {
        guard !graph.nodes.isEmpty else { return "" }
        let (caption, when) = timeFormatter(graph, zone: zone)
        func num(_ v: Double) -> String { String(format: "%.1f", v) }
        func esc(_ s: String) -> String { HTMLText.escape(s) }
        let panels = laidOut(graph)
        let (width, height) = size(panels)
        var top = 0.0, drawing = ""
        for panel in panels {
            if let title = panel.title {
                drawing += "<text x=\"\(num(IncidentGraphLayout.margin))\" y=\"\(num(top + 13))\" font-size=\"10\" font-weight=\"bold\" fill=\"#111827\">\(esc(title))</text>"
                top += panelTitleHeight
            }
            drawing += "<g transform=\"translate(0 \(num(top)))\">" + draw(panel.graph, panel.layout, when: when) + "</g>"
            top += panel.layout.height
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" width=\"\(Int(width.rounded(.up)))\" height=\"\(Int(height.rounded(.up)))\""
        svg += " viewBox=\"0 0 \(Int(width.rounded(.up))) \(Int(height.rounded(.up)))\" role=\"img\" aria-label=\"graph of incident \(incident)\""
        svg += " font-family=\"ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace\">" + drawing
        // Legend: the stage colours, solid and dashed, and the time convention.
        var x = IncidentGraphLayout.margin
        let y = top + 12
        for stage in [Rule.Stage.targeted] + TimelineSVG.lanes {
            svg += "<rect x=\"\(num(x))\" y=\"\(num(y - 8))\" width=\"10\" height=\"10\" rx=\"2\" fill=\"#ffffff\" stroke=\"\(colour(stage))\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(num(x + 14))\" y=\"\(num(y))\" font-size=\"8.5\" fill=\"#374151\">\(stage.rawValue)</text>"
            x += 14 + Double(stage.rawValue.count) * 5.1 + 12
        }
        svg += "<line x1=\"\(num(x))\" y1=\"\(num(y - 3))\" x2=\"\(num(x + 24))\" y2=\"\(num(y - 3))\" stroke=\"#374151\" stroke-width=\"1.3\"/>"
        svg += "<text x=\"\(num(x + 28))\" y=\"\(num(y))\" font-size=\"8.5\" fill=\"#374151\">exact link</text>"
        x += 28 + 10 * 5.1 + 12
        svg += "<line x1=\"\(num(x))\" y1=\"\(num(y - 3))\" x2=\"\(num(x + 24))\" y2=\"\(num(y - 3))\" stroke=\"#374151\" stroke-width=\"1.3\" stroke-dasharray=\"5 3\"/>"
        svg += "<text x=\"\(num(x + 28))\" y=\"\(num(y))\" font-size=\"8.5\" fill=\"#374151\">weak link (a name, a domain, a time window)</text>"
        svg += "<text x=\"\(num(IncidentGraphLayout.margin))\" y=\"\(num(y + 16))\" font-size=\"8.5\" fill=\"#374151\">\(esc(caption + " Edge labels: what happened, when, and the first rule whose findings rest on it (+n more). Long names are shortened here; the tables and report.json carry them whole."))</text>"
        return svg + "</svg>"
    }
}
