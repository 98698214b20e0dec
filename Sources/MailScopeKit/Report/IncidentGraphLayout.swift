import Foundation

/// Where each node of an ``IncidentGraph`` goes: a layered drawing, left to right by kill-chain
/// stage (the node's column), each column's nodes ordered to keep edges short and straight
/// (barycentre sweeps, ties broken by node id) and placed level with what they connect to.
/// Text is measured as monospace (0.6 em a character), so the layout needs no font and is the
/// same on every machine.
struct IncidentGraphLayout: Equatable {
    static let fontSize = 10.0, charWidth = 6.0, lineHeight = 12.0
    static let smallFontSize = 8.5, smallCharWidth = 5.1
    /// Label wrapping: characters per line and lines per label (the rest elided; the tables
    /// and report.json carry every value whole).
    static let lineChars = 24, maxLines = 3
    static let padding = 6.0, nodeGap = 10.0, columnGap = 106.0, margin = 10.0
    /// Room on a node's left side for each incoming edge's three-line label.
    static let portSpacing = 32.0

    struct Box: Equatable {
        var x: Double, y: Double, width: Double, height: Double
        /// The label's lines (wrapped), the detail line and the kind tag.
        var lines: [String]
        var detail: String?
        var tag: String
    }

    var boxes: [String: Box] = [:]
    var width = 0.0, height = 0.0

    /// The lines `text` wraps to: at most ``lineChars`` characters each, breaking after a
    /// separator where one is near the end of the line, at most ``maxLines`` (the last ending
    /// in "…" when text is left over).
    static func wrap(_ text: String, chars: Int = lineChars, lines maxLines: Int = maxLines) -> [String] {
        var rest = Substring(text.isEmpty ? " " : text)
        var lines: [String] = []
        while !rest.isEmpty && lines.count < maxLines {
            if rest.count <= chars { lines.append(String(rest)); rest = ""; break }
            var cut = rest.index(rest.startIndex, offsetBy: chars)
            let window = rest[rest.index(rest.startIndex, offsetBy: chars / 2)..<cut]
            if let sep = window.lastIndex(where: { " /\\.@-_?&=,;:".contains($0) }) { cut = rest.index(after: sep) }
            lines.append(String(rest[..<cut]).trimmingCharacters(in: .whitespaces))
            rest = rest[cut...]
        }
        if !rest.isEmpty, let last = lines.popLast() {
            lines.append(String(last.prefix(chars - 1)) + "…")
        }
        return lines
    }

    /// The short tag shown above a node's label: what kind of thing it is.
    static func tag(_ kind: IncidentGraph.Kind) -> String {
        switch kind {
        case .senderIP: "sender IP"
        case .senderDomain: "sender domain"
        case .sender: "sender"
        case .message: "messages"
        case .recipient: "recipient"
        case .recipients: "recipients"
        case .url: "clicked URL"
        case .host: "host"
        case .process: "process"
        case .file: "file"
        case .destination: "destination"
        case .more: "not drawn"
        case .sourceIP: "source IP"
        case .account: "account"
        case .policy: "DLP policy"
        }
    }

    init(_ graph: IncidentGraph) {
        // Columns in use, renumbered without gaps.
        let used = Array(Set(graph.nodes.map(\.column))).sorted()
        let columnOf = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        var columns: [[String]] = Array(repeating: [], count: used.count)
        var col: [String: Int] = [:]
        for n in graph.nodes { let c = columnOf[n.column]!; columns[c].append(n.id); col[n.id] = c }
        var preds: [String: [String]] = [:], succs: [String: [String]] = [:]
        var incoming: [String: Int] = [:]
        for e in graph.edges {
            guard let a = col[e.from], let b = col[e.to] else { continue }
            incoming[e.to, default: 0] += 1
            if a < b { preds[e.to, default: []].append(e.from); succs[e.from, default: []].append(e.to) }
        }
        // Order: two barycentre sweeps, forward then backward, ties by id.
        var position: [String: Double] = [:]
        func number(_ c: Int) { for (i, id) in columns[c].enumerated() { position[id] = Double(i) } }
        for c in columns.indices { columns[c].sort(); number(c) }
        func sweep(_ order: [Int], _ neighbours: [String: [String]]) {
            for c in order {
                func key(_ id: String) -> Double {
                    let ps = (neighbours[id] ?? []).compactMap { position[$0] }
                    return ps.isEmpty ? (position[id] ?? 0) : ps.reduce(0, +) / Double(ps.count)
                }
                columns[c] = columns[c].map { ($0, key($0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
                number(c)
            }
        }
        for _ in 0..<2 {
            sweep(Array(columns.indices.dropFirst()), preds)
            sweep(Array(columns.indices.reversed().dropFirst()), succs)
        }
        // Sizes.
        let byID = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) })
        var x = Self.margin
        for c in columns.indices {
            var made: [String: Box] = [:]
            for id in columns[c] {
                let n = byID[id]!
                let lines = Self.wrap(n.label)
                let detail = n.detail.map { Self.wrap($0, chars: Self.lineChars + 4, lines: 1)[0] }
                let textWidth = max(Double(lines.map(\.count).max() ?? 0) * Self.charWidth,
                                    Double(detail?.count ?? 0) * Self.smallCharWidth, Double(Self.tag(n.kind).count + (n.stage.map { $0.rawValue.count + 3 } ?? 0)) * Self.smallCharWidth)
                let textHeight = Self.lineHeight * Double(lines.count + 1 + (detail == nil ? 0 : 1))
                let height = max(textHeight + Self.padding, Double(incoming[id] ?? 0) * Self.portSpacing + Self.padding)
                made[id] = Box(x: x, y: 0, width: textWidth + 2 * Self.padding, height: height, lines: lines, detail: detail, tag: Self.tag(n.kind))
            }
            let columnWidth = made.values.map(\.width).max() ?? 0
            for id in columns[c] { made[id]!.width = columnWidth; boxes[id] = made[id] }
            x += columnWidth + Self.columnGap
        }
        // Heights: forward, each node level with the middle of what leads to it, never
        // above the one before; then the mail side (sender to messages), right to left,
        // level with what it leads to.
        func centre(_ ids: [String]) -> Double? {
            let ys = ids.compactMap { boxes[$0].map { $0.y + $0.height / 2 } }
            return ys.isEmpty ? nil : ys.reduce(0, +) / Double(ys.count)
        }
        func stack(_ c: Int, _ wanted: (String) -> Double?) {
            var next = Self.margin
            for id in columns[c] {
                var b = boxes[id]!
                b.y = max(next, (wanted(id).map { $0 - b.height / 2 }) ?? next)
                boxes[id] = b
                next = b.y + b.height + Self.nodeGap
            }
        }
        for c in columns.indices { stack(c) { centre(preds[$0] ?? []) } }
        let mailSide: Set<IncidentGraph.Kind> = [.senderIP, .senderDomain, .sender, .message]
        for c in columns.indices.reversed() where columns[c].allSatisfy({ mailSide.contains(byID[$0]!.kind) }) {
            stack(c) { centre(succs[$0] ?? []) }
        }
        width = x - Self.columnGap + Self.margin
        height = (boxes.values.map { $0.y + $0.height }.max() ?? 0) + Self.margin
    }
}
