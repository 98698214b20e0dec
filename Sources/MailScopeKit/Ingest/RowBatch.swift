/// A batch of parsed rows and rejects handed from the parsing thread to the writer. Text
/// lives in one byte arena, so a row costs no allocation of its own; the writer binds the
/// arena's bytes to SQLite directly.
final class RowBatch: @unchecked Sendable {
    enum Value {
        case null
        case int(Int64)
        case text(start: Int32, count: Int32)
    }

    struct Cell {
        var column: Column
        var value: Value
    }

    struct Row {
        var table: EventTable
        var lineNo: Int64
        /// The record's 1-based index within its line, or nil when the line holds one record.
        var recordNo: Int64?
        var dedup: ContentKey
        var ts: Int64?
        var cellStart: Int32
        var cellEnd: Int32
    }

    /// A line or record that was not loaded.
    struct PendingReject {
        var lineNo: Int64
        var recordNo: Int64?
        var reason: RejectReason
        var detail: String
        var excerpt: String
        var lineBytes: Int
    }

    var arena: [UInt8] = []
    var cells: [Cell] = []
    var rows: [Row] = []
    var rejects: [PendingReject] = []
    /// Lines or records fully handled by this batch (the resume point advances by this).
    var units = 0
    /// Physical lines consumed.
    var lines = 0
    /// Events seen (rows may be more when one event fans out to several recipients).
    var records = 0
    /// Uncompressed and compressed bytes consumed, for progress and MB/s.
    var bytesOut = 0
    var bytesIn = 0
    /// A message for the user, already formatted with file and line.
    struct Notice: Sendable {
        enum Kind: Sendable { case reject, warning }
        var kind: Kind
        /// Notices with the same key are shown once per file (e.g. one unknown event type).
        var key: String?
        var text: String
    }

    /// Messages (rejects, unknown event types…), printed by the writer in file order.
    var notices: [Notice] = []
    /// The batch's place in the file, so batches parsed in parallel are written in order.
    var sequence = 0

    private var rowStart: Int32 = 0
    private var current: Row?

    init() {
        if let spare = RowBatch.spares.take() {
            (arena, cells, rows) = spare
            arena.removeAll(keepingCapacity: true)
            cells.removeAll(keepingCapacity: true)
            rows.removeAll(keepingCapacity: true)
        } else {
            // Room for a batch of 2,048 EDR rows (about 1.2 MB of text and 45,000 cells)
            // without growing: growth copies the arrays into new memory.
            arena.reserveCapacity(1 << 22)
            cells.reserveCapacity(1 << 16)
            rows.reserveCapacity(1 << 11)
        }
    }

    /// A written batch's buffers go back to a pool for the next batch to fill: memory the
    /// process has already touched, where a fresh allocation of that size costs a page fault
    /// per 4 KiB written (page faults were about a tenth of ingest CPU).
    deinit {
        RowBatch.spares.put((arena, cells, rows))
    }

    /// At most a dozen sets of buffers (about the batches a load holds in flight). Buffers a
    /// huge record made grow (a JSON document's batch may hold tens of MB) are freed, not
    /// kept: the pool holds at most about 12 × 10 MB of memory.
    private static let spares = BufferPool<(arena: [UInt8], cells: [Cell], rows: [Row])>(limit: 12) {
        $0.arena.capacity <= 8 << 20 && $0.cells.capacity <= 1 << 17 && $0.rows.capacity <= 1 << 14
    }

    /// The index within its line of the record being parsed (nil: the line holds one record);
    /// rows and rejects made meanwhile carry it.
    var recordNo: Int64?

    /// The table of the row being built.
    var currentTable: EventTable? { current?.table }


    // MARK: building rows

    func beginRow(_ table: EventTable, line: Int64, dedup: ContentKey) {
        current = Row(table: table, lineNo: line, recordNo: recordNo, dedup: dedup, ts: nil, cellStart: Int32(cells.count), cellEnd: 0)
    }

    /// Finishes the row begun last; returns its index.
    @discardableResult
    func endRow() -> Int {
        guard var row = current else { return rows.count - 1 }
        row.cellEnd = Int32(cells.count)
        rows.append(row)
        current = nil
        return rows.count - 1
    }

    /// Drops the row begun last (a parser found it must be rejected after all).
    func abandonRow() {
        if let row = current {
            cells.removeSubrange(Int(row.cellStart)...)
        }
        current = nil
    }

    func setTimestamp(_ ts: Int64) {
        current?.ts = ts
        cells.append(Cell(column: .ts, value: .int(ts)))
    }

    func set(_ column: Column, _ value: Int64?) {
        guard let value else { return }
        cells.append(Cell(column: column, value: .int(value)))
    }

    func set(_ column: Column, _ value: Bool?) {
        guard let value else { return }
        cells.append(Cell(column: column, value: .int(value ? 1 : 0)))
    }

    func set(_ column: Column, _ value: String?) {
        guard let value else { return }
        let start = Int32(arena.count)
        if value.utf8.withContiguousStorageIfAvailable({ arena.append(contentsOf: $0) }) == nil {
            var copy = value
            copy.withUTF8 { arena.append(contentsOf: $0) }
        }
        cells.append(Cell(column: column, value: .text(start: start, count: Int32(arena.count) - start)))
    }

    /// Copies a field's bytes straight from the record (decoding JSON escapes), skipping the
    /// String round trip; empty strings and null store nothing (NULL).
    func setRaw(_ column: Column, _ record: Record, _ key: FieldKey) {
        guard let r = appendValue(record, key) else { return }
        cells.append(Cell(column: column, value: .text(start: Int32(r.lowerBound), count: Int32(r.count))))
    }

    /// Appends raw bytes as a text cell.
    func setBytes(_ column: Column, _ bytes: UnsafeBufferPointer<UInt8>) {
        let start = Int32(arena.count)
        arena.append(contentsOf: bytes)
        cells.append(Cell(column: column, value: .text(start: start, count: Int32(arena.count) - start)))
    }

    // MARK: rejects

    func reject(line: Int64, reason: RejectReason, detail: String, bytes: UnsafeBufferPointer<UInt8>?, lineBytes: Int? = nil) {
        abandonRow()
        rejects.append(PendingReject(lineNo: line, recordNo: recordNo, reason: reason, detail: detail,
                                     excerpt: bytes.map(RowBatch.excerpt) ?? "",
                                     lineBytes: lineBytes ?? bytes?.count ?? 0))
    }

    /// A reject plus the message that reports it (`file:line: reason: detail`, or
    /// `file:line#n: …` for the n-th record of a line).
    func reject(in label: String, line: Int64, reason: RejectReason, detail: String, bytes: UnsafeBufferPointer<UInt8>?, lineBytes: Int) {
        reject(line: line, reason: reason, detail: detail, bytes: bytes, lineBytes: lineBytes)
        let locator = EvidenceLocator.text(file: label, line: line, record: recordNo)
        notices.append(Notice(kind: .reject, key: nil, text: "\(locator): \(reason.rawValue): \(detail) — kept in rejects"))
    }

    /// The first 64 KiB of a rejected line as text, invalid UTF-8 replaced by U+FFFD and NUL
    /// shown as U+2400, so the evidence is kept but cannot break the database or a terminal.
    static let excerptLimit = 65_536
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let cut = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, excerptLimit)])
        let text = String(decoding: cut, as: UTF8.self)
        return text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "\u{2400}") : text
    }
}

import Foundation
