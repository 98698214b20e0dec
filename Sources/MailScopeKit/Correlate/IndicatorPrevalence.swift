import Foundation

extension IncidentBuilder {
    /// How common each incident indicator is in the environment (people who received or clicked
    /// it, hosts that saw it, first and last sight, threat-intel feeds naming it), measured for
    /// the indicators of all incidents at once.
    ///
    /// Why at once: asked one value at a time, each question follows an index to every matching
    /// row — a random page read per row. With tens of thousands of incidents the questions
    /// together touch most of a table in random order (at 10 M mail + 10 M EDR events that was
    /// most of a five-minute rebuild, nearly all of it the kernel copying pages). So for a
    /// question asked about many values, one sequential pass over the table answers all of
    /// them (from `scanThreshold` values on, 2000 by default: `IncidentBuilder.rebuild`); for a
    /// few values, the indexed lookups stay cheaper.
    enum IndicatorPrevalence {
        /// `senderDomains`: how many sender domains' ordinary mail (accepted; clicked clean)
        /// carried it: a relay or link host that ordinary mail from many senders uses is shared
        /// infrastructure, not the campaign's (a spam botnet's IP, rejected, is not).
        typealias Value = (recipients: Int, hosts: Int, first: Int64?, last: Int64?, feeds: String?, senderDomains: Int)
        static let none: Value = (0, 0, nil, nil, nil, 0)

        /// One question: over which rows, what is counted, and which column holds the value.
        struct Question {
            var indicator: String      // indicator type
            var side: Side
            var table: String
            var keyColumn: String      // compared with the indicator's value
            var countedColumn: String  // COUNT(DISTINCT …)
            var condition: String      // extra filter ("1 = 1" for none)
            /// Also counted: the distinct sender domains of the ordinary mail among the rows
            /// (accepted, or clicked with a clean verdict); `NULL` where not asked.
            var spreadColumn: String? = nil
            var spreadExpression: String { spreadColumn ?? "CAST(NULL AS TEXT)" }
            /// An index holds every column the question reads (`Schema.coveringTimeIndexes`): a
            /// lookup per value reads index pages in order, cheaper than any scan.
            var covered = false
            /// No index leads to the value: each lookup would read the whole table, so even a few
            /// values are answered by one scan (a sender IP: 396 s of lookups on the 7-day set).
            var indexed = true
            /// The index a lookup must use (SQLite would pick a narrower one and read the table).
            var index: String?
            /// Values compare without case (file names: Windows paths keep the case they were
            /// typed in; the index is NOCASE).
            var caseInsensitive = false
            var keyExpression: String { caseInsensitive ? keyColumn + " COLLATE NOCASE" : keyColumn }
            /// What the scan groups by: the value, or its lowercase form.
            var groupKey: String { caseInsensitive ? "lower(" + keyColumn + ")" : keyColumn }
            var lookupSource: String { index.map { "\(table) INDEXED BY \($0)" } ?? table }
            /// The indexed form for one value (the scan form is derived from the same parts).
            /// A sender is looked up through its domain (the indexed column).
            var throughDomain: Bool { keyColumn == "sender" }
            var single: String {
                throughDomain
                    ? "SELECT COUNT(DISTINCT \(countedColumn)) AS counted, MIN(ts) AS first_ts, MAX(ts) AS last_ts, COUNT(DISTINCT \(spreadExpression)) AS sender_domains FROM \(lookupSource) WHERE \(condition) AND sender_domain = ? AND \(keyColumn) = ?"
                    : "SELECT COUNT(DISTINCT \(countedColumn)) AS counted, MIN(ts) AS first_ts, MAX(ts) AS last_ts, COUNT(DISTINCT \(spreadExpression)) AS sender_domains FROM \(lookupSource) WHERE \(condition) AND \(keyExpression) = ?"
            }
            var scan: String {
                """
                SELECT \(groupKey) AS indicator_value, COUNT(DISTINCT \(countedColumn)) AS counted, MIN(ts) AS first_ts, MAX(ts) AS last_ts,
                       COUNT(DISTINCT \(spreadExpression)) AS sender_domains FROM \(table)
                WHERE \(condition) AND +\(keyExpression) IN (SELECT value FROM temp.prevalence_wanted) GROUP BY \(groupKey)
                """
            }
        }
        enum Side { case mail, endpoint }

        static let questions: [Question] = [
            Question(indicator: "sender", side: .mail, table: "mail_message", keyColumn: "sender", countedColumn: "recipient", condition: "event = 'receipt'", covered: true, index: "mail_message_receipt_domain_sender"),
            Question(indicator: "sender_domain", side: .mail, table: "mail_message", keyColumn: "sender_domain", countedColumn: "recipient", condition: "event = 'receipt'", covered: true, index: "mail_message_receipt_domain_sender"),
            Question(indicator: "sender_ip", side: .mail, table: "mail_message", keyColumn: "sender_ip", countedColumn: "recipient", condition: "event = 'receipt'",
                     spreadColumn: "CASE WHEN action = 'Acc' THEN sender_domain END", indexed: false),
            Question(indicator: "sha256", side: .mail, table: "attachment_scan", keyColumn: "sha256", countedColumn: "recipient", condition: "1 = 1"),
            Question(indicator: "sha256", side: .endpoint, table: "edr_event", keyColumn: "sha256", countedColumn: "host", condition: "1 = 1"),
            Question(indicator: "domain", side: .mail, table: "url_click", keyColumn: "url_domain", countedColumn: "user", condition: "1 = 1",
                     spreadColumn: "CASE WHEN scan_result = 'clean' THEN sender_domain END"),
            Question(indicator: "domain", side: .endpoint, table: "edr_event", keyColumn: "domain", countedColumn: "host", condition: "1 = 1", covered: true),
            Question(indicator: "url", side: .mail, table: "url_click", keyColumn: "url_resource", countedColumn: "user", condition: "1 = 1"),
            Question(indicator: "ip", side: .endpoint, table: "edr_event", keyColumn: "remote_ip", countedColumn: "host", condition: "1 = 1"),
            // A file name: who received an attachment of that name, which computers saw it.
            Question(indicator: "file_name", side: .mail, table: "attachment_scan", keyColumn: "file_name", countedColumn: "recipient",
                     condition: "1 = 1", indexed: false, caseInsensitive: true),
            Question(indicator: "file_name", side: .endpoint, table: "edr_event", keyColumn: "file_name", countedColumn: "host",
                     condition: "1 = 1", index: "edr_event_file_name", caseInsensitive: true),
        ]

        /// The prevalence of every indicator in `wanted`.
        static func measure(_ wanted: Set<Indicator>, db: Database, scanThreshold: Int) throws -> [Indicator: Value] {
            var mail: [Indicator: (Int, Int64?, Int64?, Int)] = [:], endpoint: [Indicator: (Int, Int64?, Int64?, Int)] = [:]
            let byType = Dictionary(grouping: wanted, by: \.type)
            for q in questions {
                let values = (byType[q.indicator] ?? []).map(\.value).sorted()
                guard !values.isEmpty else { continue }
                var answers: [String: (Int, Int64?, Int64?, Int)] = [:]
                // A covered question is always looked up (a threshold of 1 forces scans everywhere:
                // the test comparing both paths uses it).
                let scan = !q.indexed || (q.covered ? scanThreshold <= 1 : values.count >= scanThreshold)
                if scan {
                    try db.withValueTable("prevalence_wanted", values) {
                        for r in try db.rows(q.scan) {
                            guard let v = r.text("indicator_value") else { continue }
                            answers[q.caseInsensitive ? v.lowercased() : v] = answer(r)
                        }
                    }
                } else {
                    for v in values {
                        var arguments: [SQLValue] = [.text(v)]
                        if q.throughDomain {
                            guard let domain = EmailAddress.domain(v) else { continue }
                            arguments = [.text(domain), .text(v)]
                        }
                        answers[v] = try db.cachedRows(q.single, arguments).first.map(answer) ?? (0, nil, nil, 0)
                    }
                }
                for v in values {
                    let a = answers[q.caseInsensitive && scan ? v.lowercased() : v] ?? (0, nil, nil, 0)
                    if q.side == .mail { mail[Indicator(type: q.indicator, value: v)] = a } else { endpoint[Indicator(type: q.indicator, value: v)] = a }
                }
            }
            var out: [Indicator: Value] = [:]
            for i in wanted {
                let m = mail[i], e = endpoint[i]
                let firsts = [m?.1, e?.1].compactMap { $0 }, lasts = [m?.2, e?.2].compactMap { $0 }
                out[i] = (m?.0 ?? 0, e?.0 ?? 0, firsts.min(), lasts.max(), try feeds(i, db: db), m?.3 ?? 0)
            }
            return out
        }

        /// One row of a question's answer (`single` or `scan`, read by the names they give).
        static func answer(_ r: Row) -> (Int, Int64?, Int64?, Int) {
            (Int(r.int("counted") ?? 0), r.int("first_ts"), r.int("last_ts"), Int(r.int("sender_domains") ?? 0))
        }

        /// The threat-intel feeds listing an indicator (a domain also by its registrable domain).
        static func feeds(_ i: Indicator, db: Database) throws -> String? {
            let iocType: String? = ["sender": "email", "sender_domain": "domain", "domain": "domain", "sender_ip": "ip", "ip": "ip",
                                    "sha256": "sha256", "url": "url"][i.type]
            guard let t = iocType else { return nil }
            let value = t == "domain" ? (PublicSuffixList.shared.registrableDomain(i.value) ?? i.value) : i.value
            let rows = try db.cachedRows("SELECT DISTINCT feed FROM ioc WHERE type = ? AND (value = ? OR value = ?) ORDER BY feed", [.text(t), .text(i.value), .text(value)])
            let names = rows.compactMap { $0.text("feed") }
            return names.isEmpty ? nil : names.joined(separator: ", ")
        }
    }
}
