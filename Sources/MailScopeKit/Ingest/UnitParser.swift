import Foundation

/// Turns one unit of input (a line, or a record of a JSON document) into rows or a reject in
/// a `RowBatch`: checks it (NUL bytes, UTF-8), scans it (JSON or key=value), decides its
/// Mimecast format and runs that format's parser. One per parsing thread; messages for the
/// user travel in the batch so the writer prints them in file order.
final class UnitParser {
    let label: String
    let seed: (UInt64, UInt64)
    let fileNameTypeHint: LegacySIEMType?
    private(set) var batch: RowBatch
    private var ctx: ParseContext
    private let record = Record()
    /// Formats seen, for `input_file.format`.
    var formats = Set<String>()

    init(label: String, seed: (UInt64, UInt64), fileNameTypeHint: LegacySIEMType?) {
        self.label = label
        self.seed = seed
        self.fileNameTypeHint = fileNameTypeHint
        batch = RowBatch()
        ctx = ParseContext(batch: batch, seed: seed, fileLabel: label, fileNameTypeHint: fileNameTypeHint)
    }

    /// Hands over the current batch and starts a new one.
    func takeBatch() -> RowBatch {
        let full = batch
        batch = RowBatch()
        ctx = ParseContext(batch: batch, seed: seed, fileLabel: label, fileNameTypeHint: fileNameTypeHint, unknownTypes: ctx.unknownTypes)
        return full
    }

    /// Counts a unit in the batch.
    func beginUnit(physicalLines: Int) {
        batch.units += 1
        batch.lines += physicalLines
    }

    /// Records a reject and its message (`record`: the index within a multi-record line).
    func reject(line: Int64, record: Int64? = nil, _ reason: RejectReason, _ detail: String, _ bytes: UnsafeBufferPointer<UInt8>?, length: Int) {
        batch.recordNo = record
        batch.reject(in: label, line: line, reason: reason, detail: detail, bytes: bytes, lineBytes: length)
        batch.recordNo = nil
    }

    /// Row builders of the EDR products whose events were found in this file, by profile.
    private var edrBuilders: [String: EDRRowBuilder] = [:]
    private let edrFields = EDRSourceRow()

    /// Loads the scanned record as an EDR event when an EDR profile knows its keys; false when
    /// none does (the record is then rejected as unknown).
    private func parseEDR(line: Int64, record index: Int64?, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let keys = record.fields.map { String(decoding: record.keyBytesOf($0), as: UTF8.self) }
        guard let profile = EDRFileParser.profile(forJSONKeys: keys, options: IngestOptions()) else { return false }
        let builder = edrBuilders[profile.name] ?? EDRRowBuilder(profile: profile, productLabel: profile.name)
        edrBuilders[profile.name] = builder
        do {
            try EDRFileParser.build(record, builder: builder, fields: edrFields, line: line, seed: seed, into: batch)
            formats.insert("edr_" + profile.name + "_json")
        } catch {
            reject(line: line, record: index, error.reason, error.detail, bytes, length: bytes.count)
        }
        return true
    }

    /// A line without surrounding blanks (and a trailing CR), or nil when nothing is left.
    static func content(of raw: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var s = 0, e = raw.count
        while s < e, raw[s] == 0x20 || raw[s] == 0x09 { s += 1 }
        while e > s, raw[e - 1] == 0x20 || raw[e - 1] == 0x09 || raw[e - 1] == 0x0D { e -= 1 }
        return s == e ? nil : UnsafeBufferPointer(rebasing: raw[s..<e])
    }

    /// Parses one line or record (the unit has been counted by the caller). `record` is the
    /// record's index within its line when the line holds several (rows and rejects keep it).
    func parse(_ raw: UnsafeBufferPointer<UInt8>, line: Int64, record index: Int64? = nil) {
        batch.recordNo = index
        defer { batch.recordNo = nil }
        var bytes = raw
        if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
        guard let content = UnitParser.content(of: bytes) else { return }   // a blank line is not a record
        bytes = content
        batch.records += 1
        if memchr(bytes.baseAddress!, 0, bytes.count) != nil {
            reject(line: line, record: index, .nulByte, "NUL bytes in the line (binary data?)", bytes, length: bytes.count)
            return
        }
        if let bad = UTF8Validator.firstInvalidOffset(bytes) {
            reject(line: line, record: index, .invalidUTF8, "invalid UTF-8 at byte \(bad + 1)", bytes, length: bytes.count)
            return
        }
        let format: MimecastRecordParser.Format
        if bytes[0] == UInt8(ascii: "{") {
            do {
                try JSONScanner.scanObject(bytes, into: record)
            } catch {
                reject(line: line, record: index, error.reason, error.message, bytes, length: bytes.count)
                return
            }
            if MimecastRecordParser.isEmptyPage(record) {
                batch.records -= 1   // an empty API page (end of a poll) holds no record
                return
            }
            guard let f = MimecastRecordParser.classify(record) else {
                // An EDR event inside a JSON document (a SentinelOne Deep Visibility API page).
                if parseEDR(line: line, record: index, bytes) { return }
                if MimecastRecordParser.isFailurePage(record) {
                    reject(line: line, record: index, .unrecognizedRecord,
                           "a Mimecast API error page (its \"fail\" list is not empty): the collector's request failed, so this poll's records are missing — collect that period again",
                           bytes, length: bytes.count)
                    return
                }
                reject(line: line, record: index, .unrecognizedRecord, "a JSON object of no Mimecast or EDR export format MailScope knows", bytes, length: bytes.count)
                return
            }
            format = f
        } else if KeyValueScanner.scan(bytes, into: record), SIEMv1Parser.matches(record) {
            format = .siemV1KeyValue
        } else if KeyValueScanner.looksLikeKeyValue(bytes) {
            reject(line: line, record: index, .badKeyValueLine, "key=value line without a datetime or recognisable legacy SIEM fields", bytes, length: bytes.count)
            return
        } else {
            reject(line: line, record: index, .unrecognizedRecord, "neither a JSON object nor a key=value line", bytes, length: bytes.count)
            return
        }
        do {
            try MimecastRecordParser.parse(record, as: format, line: line, ctx: ctx)
            formats.insert(format.rawValue)
        } catch {
            reject(line: line, record: index, error.reason, error.detail, bytes, length: bytes.count)
        }
    }
}
