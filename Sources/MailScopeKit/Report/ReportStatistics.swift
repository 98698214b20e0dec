import Foundation

/// The numbers behind the report: the data window, rows per table, findings per rule, the
/// identity map's size and problems, rejects by reason, and which log types cover which days.
struct ReportStatistics {
    var window = ReportModel.Window(firstSeen: nil, lastSeen: nil)
    var statistics = ReportModel.Statistics(rowsByTable: [:], findingsByRule: [:], identities: 0, identityIssues: [:])
    var rejects = ReportModel.Rejects(total: 0, byReason: [:])
    var coverage: [ReportModel.CoverageRow] = []

    static func read(_ db: Database, findingsByRule: [String: Int]) throws -> ReportStatistics {
        var out = ReportStatistics()
        var rowsByTable: [String: Int64] = [:]
        for table in EventTable.allCases {
            let n = try db.scalar("SELECT COUNT(*) FROM \(table.rawValue)")?.intValue ?? 0
            if n > 0 || !table.isAdministrationExport { rowsByTable[table.rawValue] = n }
        }
        var issues: [String: Int] = [:]
        for r in try db.rows("SELECT kind, COUNT(*) AS n FROM identity_issue GROUP BY kind ORDER BY kind") { issues[r.text("kind") ?? ""] = Int(r.int("n") ?? 0) }
        out.statistics = ReportModel.Statistics(rowsByTable: rowsByTable, findingsByRule: findingsByRule,
                                                identities: Int(try db.scalar("SELECT COUNT(*) FROM identity")?.intValue ?? 0), identityIssues: issues)
        var byReason: [String: Int] = [:]
        for r in try db.rows("SELECT reason, COUNT(*) AS n FROM reject GROUP BY reason ORDER BY reason") { byReason[r.text("reason") ?? ""] = Int(r.int("n") ?? 0) }
        out.rejects = ReportModel.Rejects(total: byReason.values.reduce(0, +), byReason: byReason)
        let window = try db.rows("SELECT MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM input_file").first
        out.window = ReportModel.Window(firstSeen: window?.int("first_ts").map(Timestamp.init), lastSeen: window?.int("last_ts").map(Timestamp.init))
        out.coverage = try coverage(db)
        return out
    }

    /// The mail log types a conclusion may need, listed even when the data has none of them.
    static let expectedLogs = ["receipt", "process", "delivery", "url_click", "attachment_scan", "impersonation"]

    /// `log_coverage` per log type: days, gaps between the first and last day, EDR hosts.
    static func coverage(_ db: Database) throws -> [ReportModel.CoverageRow] {
        var days: [String: [(Int64, Int64)]] = [:]
        for r in try db.rows("SELECT log, day, SUM(rows) AS rows FROM log_coverage GROUP BY log, day ORDER BY log, day") {
            guard let log = r.text("log"), let day = r.int("day") else { continue }
            days[log, default: []].append((day, r.int("rows") ?? 0))
        }
        var hosts: [String: Int] = [:]
        for r in try db.rows("SELECT log, COUNT(DISTINCT host) AS hosts FROM log_coverage WHERE host <> '' GROUP BY log") {
            if let log = r.text("log") { hosts[log] = Int(r.int("hosts") ?? 0) }
        }
        let order = expectedLogs + Set(days.keys).subtracting(expectedLogs).sorted { ($0.hasPrefix("edr:") ? 1 : 0, $0) < ($1.hasPrefix("edr:") ? 1 : 0, $1) }
        return order.map { log in
            let seen = days[log] ?? []
            guard let first = seen.first?.0, let last = seen.last?.0 else {
                return ReportModel.CoverageRow(log: log, days: 0, firstDay: nil, lastDay: nil, rows: 0, gaps: [], hosts: nil)
            }
            let present = Set(seen.map(\.0))
            let gaps = (first...last).filter { !present.contains($0) }.map(LogCoverage.dayText)
            return ReportModel.CoverageRow(log: log, days: present.count, firstDay: LogCoverage.dayText(first), lastDay: LogCoverage.dayText(last),
                                           rows: seen.reduce(0) { $0 + $1.1 }, gaps: gaps, hosts: log.hasPrefix("edr:") ? hosts[log] ?? 0 : nil)
        }
    }
}
