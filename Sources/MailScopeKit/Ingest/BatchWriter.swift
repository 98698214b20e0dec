/// The single SQLite writer of an ingest: inserts each batch's rows and rejects for one file,
/// and commits every `commitRows` rows together with the file's resume point and counters,
/// so a kill at any moment leaves the file either resumable or loaded — never half-counted.
final class BatchWriter {
    let db: Database
    let fileID: Int64
    let commitRows: Int
    /// Per table (by index): its INSERT and each column's parameter position (0 = absent).
    private var inserts: [(Statement, [Int32])] = []
    private let rejectInsert: Statement
    private let progressUpdate: Statement
    private var inTransaction = false
    /// (host, account, domain, UPN) of EDR rows stored since the last commit, for `edr_account`.
    private var accountsSeen: [EDRAccountKey: (events: Int, line: Int64, product: String)] = [:]
    private let accountUpsert: Statement
    /// Rows stored per (log type, host, UTC day) since the last commit, for `log_coverage`.
    private var coverageSeen: [LogCoverageKey: (rows: Int, first: Int64, last: Int64)] = [:]
    private let coverageUpsert: Statement
    /// Rows inserted per table in this run (folded into `counters` at each commit).
    private var rowsByTableIndex = [Int](repeating: 0, count: EventTable.allCases.count)
    private var sinceCommit = 0

    /// Counters for the file, starting from what earlier (interrupted) runs committed.
    var counters: FileCounters

    init(db: Database, fileID: Int64, counters: FileCounters, commitRows: Int) throws {
        self.db = db
        self.fileID = fileID
        self.counters = counters
        self.commitRows = commitRows
        for table in EventTable.allCases {
            let columns = try db.rows("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table.rawValue)])
                .compactMap { $0.text("name") }
                .filter { $0 != "id" }
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ",")
            let statement = try db.prepare("INSERT OR IGNORE INTO \(table.rawValue) (\(columns.joined(separator: ","))) VALUES (\(placeholders))")
            var positions = [Int32](repeating: 0, count: Column.allCases.count)
            for (i, name) in columns.enumerated() {
                if let column = Column(rawValue: name) { positions[column.index] = Int32(i + 1) }
            }
            precondition(inserts.count == table.index)
            inserts.append((statement, positions))
        }
        // Checkpoints (each syncs the database file) run on the `Checkpointer` thread instead.
        try db.execute("PRAGMA wal_autocheckpoint=0")
        accountUpsert = try db.prepare("""
            INSERT INTO edr_account (host, account, account_domain, user_email, product, events, first_file_id, first_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (host, account, account_domain, user_email) DO UPDATE SET events = edr_account.events + excluded.events
            """)
        coverageUpsert = try db.prepare("""
            INSERT INTO log_coverage (log, host, day, rows, first_ts, last_ts) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (log, host, day) DO UPDATE SET rows = log_coverage.rows + excluded.rows,
                first_ts = CASE WHEN excluded.first_ts < log_coverage.first_ts THEN excluded.first_ts ELSE log_coverage.first_ts END,
                last_ts = CASE WHEN excluded.last_ts > log_coverage.last_ts THEN excluded.last_ts ELSE log_coverage.last_ts END
            """)
        rejectInsert = try db.prepare("INSERT INTO reject (file_id, line_no, record_no, reason, detail, excerpt, line_bytes) VALUES (?,?,?,?,?,?,?)")
        progressUpdate = try db.prepare("""
            UPDATE input_file SET units_committed = ?, lines = ?, records = ?, rows = ?, duplicates = ?, rejected = ?,
                rows_by_table = ?, bytes_uncompressed = ?, first_ts = ?, last_ts = ?
            WHERE id = ?
            """)
    }

    /// Writes one batch (its rows, rejects and counters) inside the open transaction.
    func write(_ batch: RowBatch) throws {
        if !inTransaction {
            try db.execute("BEGIN IMMEDIATE")
            inTransaction = true
        }
        try batch.arena.withUnsafeBufferPointer { arena in
            for row in batch.rows {
                let (statement, positions) = inserts[row.table.index]
                statement.clearBindings()
                try statement.bindInt(fileID, at: 1)
                try statement.bindInt(row.lineNo, at: 2)
                if let recordNo = row.recordNo, positions[Column.record_no.index] > 0 {
                    try statement.bindInt(recordNo, at: positions[Column.record_no.index])
                }
                var key = row.dedup.storageKey(ts: row.ts)
                try withUnsafeBytes(of: &key) { try statement.bindBlob($0, at: 3) }
                for c in Int(row.cellStart)..<Int(row.cellEnd) {
                    let cell = batch.cells[c]
                    let position = positions[cell.column.index]
                    precondition(position > 0, "column \(cell.column.rawValue) is not in table \(row.table.rawValue)")
                    switch cell.value {
                    case .null: try statement.bindNull(at: position)
                    case .int(let v): try statement.bindInt(v, at: position)
                    case .text(let start, let count):
                        try statement.bindText(arena.baseAddress! + Int(start), count: Int(count), at: position)
                    }
                }
                try statement.step()
                if db.changes > 0 {
                    if row.table == .edrEvent { noteAccount(row, batch: batch, arena: arena) }
                    noteCoverage(row, batch: batch, arena: arena)
                    counters.rows += 1
                    rowsByTableIndex[row.table.index] += 1
                    if let ts = row.ts {
                        counters.firstTS = min(counters.firstTS ?? ts, ts)
                        counters.lastTS = max(counters.lastTS ?? ts, ts)
                    }
                } else {
                    counters.duplicates += 1
                }
            }
        }
        for reject in batch.rejects {
            try rejectInsert.bind([.integer(fileID), .integer(reject.lineNo), reject.recordNo.sql, .text(reject.reason.rawValue),
                                   .text(reject.detail), .text(reject.excerpt), .integer(Int64(reject.lineBytes))])
            try rejectInsert.step()
            counters.rejected += 1
        }
        counters.units += batch.units
        counters.lines += batch.lines
        counters.records += batch.records
        counters.bytesUncompressed += batch.bytesOut
        sinceCommit += batch.rows.count + batch.rejects.count
        if sinceCommit >= commitRows { try commit() }
    }

    private func noteAccount(_ row: RowBatch.Row, batch: RowBatch, arena: UnsafeBufferPointer<UInt8>) {
        var key = EDRAccountKey()
        var product = ""
        for c in Int(row.cellStart)..<Int(row.cellEnd) {
            let cell = batch.cells[c]
            guard case .text(let start, let count) = cell.value else { continue }
            let text = { String(decoding: UnsafeBufferPointer(rebasing: arena[Int(start)..<Int(start + count)]), as: UTF8.self) }
            switch cell.column {
            case .host: key.host = text()
            case .account: key.account = text()
            case .account_domain: key.domain = text()
            case .user_email: key.email = text()
            case .product: product = text()
            default: break
            }
        }
        guard !key.host.isEmpty, !key.account.isEmpty || !key.email.isEmpty else { return }
        if let seen = accountsSeen[key] {
            accountsSeen[key] = (seen.events + 1, seen.line, seen.product)
        } else {
            accountsSeen[key] = (1, row.lineNo, product)
        }
    }

    /// Counts the row for its log type, host and day.
    private func noteCoverage(_ row: RowBatch.Row, batch: RowBatch, arena: UnsafeBufferPointer<UInt8>) {
        guard let ts = row.ts else { return }
        var key = LogCoverageKey(day: TimeParser.utcDay(ts))
        func text(_ column: Column) -> String? {
            for c in Int(row.cellStart)..<Int(row.cellEnd) where batch.cells[c].column == column {
                guard case .text(let start, let count) = batch.cells[c].value else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: arena[Int(start)..<Int(start + count)]), as: UTF8.self)
            }
            return nil
        }
        switch row.table {
        case .mailMessage:
            // Cloud Integrated's entities are receipts of another product: a log family of their own.
            key.log = text(.source) == LogCoverage.cloudIntegrated ? LogCoverage.cloudIntegrated : text(.event) ?? "mail_message"
        case .messageRelease: key.log = LogCoverage.messageRelease
        case .urlClick: key.log = "url_click"
        case .attachmentScan: key.log = "attachment_scan"
        case .impersonation: key.log = "impersonation"
        case .mailEvent: key.log = "mail_event:" + (text(.event_type) ?? "unknown")
        case .edrEvent:
            key.log = "edr:" + (text(.product) ?? "unknown")
            key.host = text(.host) ?? ""
        case .auditEvent: key.log = "audit"
        case .dlpEvent: key.log = "dlp"
        case .archiveAccess: key.log = "archive_" + (text(.kind) ?? "search")
        case .userRisk: key.log = "awareness"
        case .ioc, .directoryEntry: return
        }
        if let seen = coverageSeen[key] {
            coverageSeen[key] = (seen.rows + 1, min(seen.first, ts), max(seen.last, ts))
        } else {
            coverageSeen[key] = (1, ts, ts)
        }
    }

    /// Records the counters and resume point, and commits.
    func commit() throws {
        guard inTransaction else { return }
        for (key, seen) in coverageSeen {
            try coverageUpsert.bind([.text(key.log), .text(key.host), .integer(key.day), .integer(Int64(seen.rows)),
                                     .integer(seen.first), .integer(seen.last)])
            try coverageUpsert.step()
        }
        coverageSeen.removeAll(keepingCapacity: true)
        for (key, seen) in accountsSeen {
            try accountUpsert.bind([.text(key.host), .text(key.account), .text(key.domain), .text(key.email), .text(seen.product),
                                    .integer(Int64(seen.events)), .integer(fileID), .integer(seen.line)])
            try accountUpsert.step()
        }
        accountsSeen.removeAll(keepingCapacity: true)
        for table in EventTable.allCases where rowsByTableIndex[table.index] > 0 {
            counters.rowsByTable[table.rawValue, default: 0] += rowsByTableIndex[table.index]
            rowsByTableIndex[table.index] = 0
        }
        try progressUpdate.bind([
            .integer(Int64(counters.units)), .integer(Int64(counters.lines)), .integer(Int64(counters.records)),
            .integer(Int64(counters.rows)), .integer(Int64(counters.duplicates)), .integer(Int64(counters.rejected)),
            .text(counters.rowsByTableJSON), .integer(Int64(counters.bytesUncompressed)),
            counters.firstTS.sql, counters.lastTS.sql, .integer(fileID),
        ])
        try progressUpdate.step()
        try db.execute("COMMIT")
        inTransaction = false
        sinceCommit = 0
    }

    /// Gives up the open transaction (after an error): the file stays resumable.
    func rollback() {
        if inTransaction { try? db.execute("ROLLBACK") }
        inTransaction = false
    }
}

/// A file's running counts, persisted in `input_file` at every commit.
struct FileCounters: Sendable {
    var units = 0
    var lines = 0
    var records = 0
    var rows = 0
    var duplicates = 0
    var rejected = 0
    var bytesUncompressed = 0
    var firstTS: Int64?
    var lastTS: Int64?
    var rowsByTable: [String: Int] = [:]

    var rowsByTableJSON: String {
        "{" + rowsByTable.sorted { $0.key < $1.key }.map { "\(JSONScanner.quote($0.key)):\($0.value)" }.joined(separator: ",") + "}"
    }
}

/// One log type on one day (and EDR host).
struct LogCoverageKey: Hashable {
    var log = ""
    var host = ""
    var day: Int64
}

/// Who an EDR row says was on a host.
struct EDRAccountKey: Hashable {
    var host = ""
    var account = ""
    var domain = ""
    var email = ""
}
