import Foundation

/// A small inline SVG of an incident's findings over time, one lane per stage. Every point is
/// labelled in the drawing itself (its time, and the host or user it happened to), so the
/// timeline reads on paper where hover tooltips do not exist. Findings too close to tell apart
/// at the drawing's width share one point and one label ("+2 more", "(3)"). Labels sit in
/// rows under their lane, each joined to its point by a leader line, and never overlap; a
/// label is drawn over a patch of the background, so a leader never runs through its text.
enum TimelineSVG {
    static let lanes: [Rule.Stage] = [.delivery, .interaction, .download, .execution, .commandAndControl]
    static let colours: [Rule.Stage: String] = [.delivery: "#6b7280", .interaction: "#2563eb", .download: "#d97706", .execution: "#dc2626",
                                                .commandAndControl: "#7f1d1d"]

    static let width = 720.0, left = 150.0, right = 20.0
    /// Findings closer than this (in drawing units) share a point.
    static let sameSpot = 6.0
    /// Label text: monospace, so its width is known without a font (0.6 em a character).
    static let fontSize = 9.0, charWidth = 5.4, lineHeight = 11.0
    static let axisGap = 12.0, labelGap = 8.0

    /// One drawn point: the findings it stands for, where it is, and its two label lines.
    struct Mark: Equatable {
        var lane: Rule.Stage
        var x: Double
        var findings: [Int64]
        var lines: [String]
        var tooltip: String
        /// The label's extent on the x axis, whether it ends at the point (near the right edge)
        /// rather than starting there, and its row under the lane (0 = first).
        var labelStart = 0.0, labelEnd = 0.0, endAnchored = false, row = 0
    }

    /// The points of `incident`, grouped and labelled (times in `zone`), lane by lane and left
    /// to right.
    static func marks(_ incident: ReportModel.Incident, zone: TimeZoneOffsets) -> [Mark] {
        let findings = incident.findings.sorted { ($0.ts, $0.id) < ($1.ts, $1.id) }
        guard let first = findings.first?.ts.milliseconds, let last = findings.last?.ts.milliseconds else { return [] }
        let span = Double(max(last - first, 1))
        func x(_ f: ReportModel.Finding) -> Double { left + (width - left - right) * Double(f.ts.milliseconds - first) / span }
        func lane(_ f: ReportModel.Finding) -> Rule.Stage { f.stage.flatMap { lanes.contains($0) ? $0 : nil } ?? .delivery }
        var marks: [Mark] = []
        for stage in lanes {
            var groups: [[ReportModel.Finding]] = []
            for f in findings where lane(f) == stage {
                if let head = groups.last?.first, x(f) - x(head) < sameSpot { groups[groups.count - 1].append(f) } else { groups.append([f]) }
            }
            for group in groups {
                let head = group[0]
                var who: [String] = []
                for f in group { if let w = f.host ?? f.user, !who.contains(w) { who.append(w) } }
                let time = ReportView.time(head.ts, zone) + (group.count > 1 ? " (\(group.count))" : "")
                let subject = who.isEmpty ? head.ruleId : who[0] + (who.count > 1 ? " +\(who.count - 1) more" : "")
                let tooltip = group.map { "\(ReportView.time($0.ts, zone)) \($0.ruleId): \($0.summary)" }.joined(separator: "\n")
                marks.append(Mark(lane: stage, x: x(head), findings: group.map(\.id), lines: [time, subject], tooltip: tooltip))
            }
        }
        return place(marks)
    }

    /// Gives each label its extent and a row under its lane. A label starts at its point, or
    /// ends there when it would run past the right edge. Placed from the right: a label goes
    /// below every later point it reaches over (so their leaders stop above it) and into the
    /// first such row where it overlaps no other label — earlier points step down like stairs.
    static func place(_ marks: [Mark]) -> [Mark] {
        var placed: [Mark] = []
        for var mark in marks.reversed() {
            let textWidth = Double(mark.lines.map(\.count).max() ?? 0) * charWidth
            if mark.x + 3 + textWidth > width - 2 {
                mark.endAnchored = true
                mark.labelEnd = mark.x
                mark.labelStart = mark.x - textWidth - 3
            } else {
                mark.labelStart = mark.x
                mark.labelEnd = mark.x + textWidth + 3
            }
            let lane = placed.filter { $0.lane == mark.lane }
            var row = (lane.filter { $0.x >= mark.labelStart - 2 && $0.x <= mark.labelEnd + 2 }.map(\.row).max() ?? -1) + 1
            while lane.contains(where: { $0.row == row && $0.labelStart < mark.labelEnd + labelGap && mark.labelStart < $0.labelEnd + labelGap }) {
                row += 1
            }
            mark.row = row
            placed.append(mark)
        }
        return placed.reversed()
    }

    static func render(_ i: ReportModel.Incident, zone: TimeZoneOffsets) -> String {
        let marks = marks(i, zone: zone)
        guard let first = i.findings.map(\.ts).min(), let last = i.findings.map(\.ts).max() else { return "" }
        let rowHeight = lineHeight * 2 + 4
        // Each lane: its axis, then as many label rows as its busiest stretch needs.
        var laneTop: [Rule.Stage: Double] = [:]
        var y = 6.0
        for lane in lanes {
            laneTop[lane] = y
            let rows = (marks.filter { $0.lane == lane }.map(\.row).max() ?? -1) + 1
            y += axisGap + Double(rows) * rowHeight + 6
        }
        let height = y + 14
        func num(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"timeline of incident \(i.id)\">"
        for lane in lanes {
            let axis = (laneTop[lane] ?? 0) + 6
            svg += "<text x=\"4\" y=\"\(num(axis + 4))\" class=\"lane\">\(lane.rawValue)</text><line x1=\"\(left)\" y1=\"\(num(axis))\" x2=\"\(width - right)\" y2=\"\(num(axis))\" class=\"axis\"/>"
        }
        // Leaders first, then points, then labels: a label's patch covers any leader behind it.
        var leaders = "", points = "", labels = ""
        for mark in marks {
            let axis = (laneTop[mark.lane] ?? 0) + 6
            let top = axis + axisGap + Double(mark.row) * rowHeight
            let colour = colours[mark.lane] ?? "#000"
            leaders += "<line x1=\"\(num(mark.x))\" y1=\"\(num(axis))\" x2=\"\(num(mark.x))\" y2=\"\(num(top + lineHeight * 2 - 2))\" class=\"leader\" stroke=\"\(colour)\"/>"
            points += "<circle cx=\"\(num(mark.x))\" cy=\"\(num(axis))\" r=\"4.5\" fill=\"\(colour)\"><title>\(HTMLText.escape(mark.tooltip))</title></circle>"
            let textX = mark.endAnchored ? mark.x - 3 : mark.x + 3
            let anchor = mark.endAnchored ? " text-anchor=\"end\"" : ""
            // The patch leaves the label's own leader (along its point's side) visible.
            let patch = mark.endAnchored ? (mark.labelStart, mark.labelEnd - 1.5) : (mark.labelStart + 1.5, mark.labelEnd)
            labels += "<rect x=\"\(num(patch.0))\" y=\"\(num(top))\" width=\"\(num(patch.1 - patch.0))\" height=\"\(num(lineHeight * 2))\" class=\"halo\"/>"
            for (n, line) in mark.lines.enumerated() {
                labels += "<text x=\"\(num(textX))\" y=\"\(num(top + lineHeight * Double(n + 1) - 2))\" class=\"\(n == 0 ? "when" : "who")\"\(anchor)>\(HTMLText.escape(line))</text>"
            }
        }
        svg += leaders + points + labels
        svg += "<text x=\"\(left)\" y=\"\(num(height - 4))\" class=\"tick\">\(HTMLText.escape(ReportView.time(first, zone)))</text>"
        svg += "<text x=\"\(width - right)\" y=\"\(num(height - 4))\" class=\"tick\" text-anchor=\"end\">\(HTMLText.escape(ReportView.time(last, zone)))</text></svg>"
        return svg
    }
}
