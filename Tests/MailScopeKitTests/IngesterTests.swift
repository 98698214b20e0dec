import Foundation
import Testing
@testable import MailScopeKit

/// The bad-input catalog and the load guarantees: nothing lost, nothing silent, nothing twice.
@Suite struct IngesterTests {
    /// Good real-format lines to surround each bad one with.
    static let goodLines: [String] = {
        let text = (try? String(contentsOfFile: TestPaths.fixture("mimecast/siem_v2_events.ndjson"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }()

    static var good: [UInt8] { Array((goodLines.prefix(4).joined(separator: "\n") + "\n").utf8) }

    /// One bad-input case: the bytes of the file, its name, and what must come out.
    struct BadInput: CustomTestStringConvertible, Sendable {
        var name: String
        var fileName: String
        var bytes: @Sendable () -> [UInt8]
        var reason: RejectReason?
        var goodRows: Int
        var testDescription: String { name }
    }

    static let catalog: [BadInput] = [
        BadInput(name: "plain text named .gz", fileName: "batch.json.gz", bytes: { good }, reason: nil, goodRows: 4),
        BadInput(name: "truncated gzip", fileName: "cut.json.gz", bytes: {
            let many = (0..<300).flatMap { _ in good }
            let gz = Gzip.compress(many)
            return Array(gz[0..<(gz.count - 40)])
        }, reason: .truncatedGzip, goodRows: 4),
        BadInput(name: "corrupt gzip member between good ones", fileName: "corrupt.json.gz", bytes: {
            var middle = Gzip.compress(Array((goodLines[4] + "\n").utf8) + Array(repeating: UInt8(ascii: " "), count: 4000))
            for i in 12..<40 { middle[i] ^= 0xA5 }
            return Gzip.compress(Array((goodLines[0] + "\n").utf8)) + middle + Gzip.compress(Array((goodLines[1] + "\n").utf8))
        }, reason: .corruptGzip, goodRows: 2),
        BadInput(name: "malformed JSON line", fileName: "m.ndjson", bytes: {
            Array((goodLines[0] + "\n{\"type\":\"receipt\",\"timestamp\": broken\n" + goodLines[1] + "\n").utf8)
        }, reason: .malformedJSON, goodRows: 2),
        BadInput(name: "key=value line without a time", fileName: "kv.log", bytes: {
            Array("acc=C0A0|Act=Acc|Rcpt=a@b.example|Dir=Inbound\ndatetime=2026-11-01T09:12:44+0100|aCode=x|acc=C0A0|Act=Acc|Rcpt=a@b.example|Dir=Inbound\n".utf8)
        }, reason: .badKeyValueLine, goodRows: 1),
        BadInput(name: "invalid UTF-8", fileName: "u.ndjson", bytes: {
            Array((goodLines[0] + "\n").utf8) + Array(goodLines[1].utf8.prefix(40)) + [0xC3, 0x28, 0xFF] + Array(goodLines[1].utf8.dropFirst(40)) + [0x0A] + Array((goodLines[2] + "\n").utf8)
        }, reason: .invalidUTF8, goodRows: 2),
        BadInput(name: "overlong UTF-8 encoding", fileName: "o.ndjson", bytes: {
            Array("{\"subject\":\"".utf8) + [0xC0, 0xAF] + Array("\"}\n".utf8) + Array((goodLines[2] + "\n").utf8)
        }, reason: .invalidUTF8, goodRows: 1),
        BadInput(name: "NUL bytes", fileName: "n.ndjson", bytes: {
            [0x00, 0x00, 0x01, 0x0A] + Array((goodLines[2] + "\n").utf8)
        }, reason: .nulByte, goodRows: 1),
        BadInput(name: "event without a timestamp", fileName: "t.ndjson", bytes: {
            Array((goodLines[0].replacingOccurrences(of: "\"timestamp\":1793615401123,", with: "") + "\n" + goodLines[1] + "\n").utf8)
        }, reason: .missingTimestamp, goodRows: 1),
        BadInput(name: "timestamp far in the future", fileName: "f.ndjson", bytes: {
            Array((goodLines[0].replacingOccurrences(of: "1793615401123", with: "9993615401123") + "\n" + goodLines[1] + "\n").utf8)
        }, reason: .timestampOutOfRange, goodRows: 1),
        BadInput(name: "unparseable legacy date", fileName: "d.ndjson", bytes: {
            Array("{\"acc\":\"C0A0\",\"aCode\":\"x\",\"Rcpt\":\"a@b.example\",\"Act\":\"Acc\",\"datetime\":\"yesterday\"}\n".utf8) + Array((goodLines[1] + "\n").utf8)
        }, reason: .badTimestamp, goodRows: 1),
        BadInput(name: "JSON of no Mimecast format", fileName: "x.ndjson", bytes: {
            Array("{\"hello\":\"world\"}\n".utf8) + Array((goodLines[1] + "\n").utf8)
        }, reason: .unrecognizedRecord, goodRows: 1),
        BadInput(name: "duplicate JSON key", fileName: "k.ndjson", bytes: {
            Array((goodLines[1].replacingOccurrences(of: "\"subject\":", with: "\"subject\":\"first\",\"subject\":") + "\n" + goodLines[2] + "\n").utf8)
        }, reason: .duplicateKey, goodRows: 1),
        BadInput(name: "10 MB line", fileName: "big.ndjson", bytes: {
            Array((goodLines[0] + "\n").utf8) + Array("{\"subject\":\"".utf8) + Array(repeating: UInt8(ascii: "A"), count: 10 << 20) + Array("\"}\n".utf8) + Array((goodLines[1] + "\n").utf8)
        }, reason: .lineTooLong, goodRows: 2),
        BadInput(name: "binary garbage file", fileName: "garbage.gz", bytes: {
            (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
        }, reason: .unrecognizedFormat, goodRows: 0),
        BadInput(name: "JSON document cut off", fileName: "mta.json", bytes: {
            let text = (try? String(contentsOfFile: TestPaths.fixture("mimecast/siem_v1_mta.json"), encoding: .utf8)) ?? ""
            return Array(text.utf8.prefix(text.utf8.count - 200))
        }, reason: .malformedJSON, goodRows: 1),
        BadInput(name: "garbage after a JSON document", fileName: "mta2.json", bytes: {
            let text = (try? String(contentsOfFile: TestPaths.fixture("mimecast/siem_v1_mta.json"), encoding: .utf8)) ?? ""
            return Array((text + "\nthis trailing text is not JSON\n").utf8)
        }, reason: .trailingGarbage, goodRows: 2),
        BadInput(name: "blank lines and a BOM", fileName: "bom.ndjson", bytes: {
            [0xEF, 0xBB, 0xBF] + Array((goodLines[0] + "\n\n   \n" + goodLines[1] + "\r\n").utf8)
        }, reason: nil, goodRows: 2),
    ]

    @Test(arguments: catalog)
    func badInputIsRejectedWithItsReasonAndTheGoodLinesStillLoad(_ input: BadInput) throws {
        let dir = TestPaths.scratch()
        let path = dir + "/" + input.fileName
        try input.bytes().write(to: path)
        let db = try LoadedDatabase([path])
        let file = try #require(db.summary.files.first)
        #expect(file.rows == input.goodRows, "\(input.name): rows")
        if let reason = input.reason {
            #expect(try db.count("reject", "reason = ?", [.text(reason.rawValue)]) >= 1, "\(input.name): no \(reason) reject; got \(file.rejectsByReason)")
            #expect(file.rejected >= 1)
            // The message names the file and a line.
            #expect(db.messages.contains { $0.contains(path) }, "\(input.name): \(db.messages)")
        } else {
            #expect(file.rejected == 0, "\(input.name): \(file.rejectsByReason)")
        }
        #expect(try db.db.scalar("PRAGMA integrity_check")?.stringValue == "ok")
    }

    @Test func rejectedLinesKeepFileLineAndExcerpt() throws {
        let path = TestPaths.scratch() + "/m.ndjson"
        try Array((Self.goodLines[0] + "\n{\"broken\n").utf8).write(to: path)
        let db = try LoadedDatabase([path])
        let reject = try #require(try db.rows("SELECT * FROM v_reject").first)
        #expect(reject.text("file_path") == path)
        #expect(reject.int("line_no") == 2)
        #expect(reject.text("reason") == "malformed_json")
        #expect(reject.text("excerpt") == "{\"broken")
        #expect(reject.text("file_sha256")?.count == 64)
    }

    @Test func emptyFileIsReportedAndNothingReadMeansExitTwo() throws {
        let path = TestPaths.scratch() + "/empty.json.gz"
        try [UInt8]().write(to: path)
        let db = try LoadedDatabase([path])
        #expect(db.summary.files.first?.status == .empty)
        #expect(db.summary.nothingRead)
        #expect(db.messages.contains { $0.contains("empty file") })
    }

    @Test func rerunningSkipsLoadedFilesAndAddsNothing() throws {
        let dir = TestPaths.scratch()
        let dbPath = dir + "/case.db"
        let inputs = [TestPaths.fixture("mimecast/siem_v2_events.ndjson"), TestPaths.fixture("mimecast/ttp_url_logs.json")]
        let first = try LoadedDatabase(inputs, dbPath: dbPath)
        let rowsBefore = try first.count("mail_message") + first.count("url_click") + first.count("mail_event")
        let second = try LoadedDatabase(inputs, dbPath: dbPath)
        #expect(second.summary.files.allSatisfy { $0.status == .alreadyLoaded })
        #expect(second.summary.rows == 0)
        #expect(!second.summary.nothingRead)
        #expect(try second.count("mail_message") + second.count("url_click") + second.count("mail_event") == rowsBefore)
        #expect(second.messages.contains { $0.contains("already loaded (same SHA-256") })
    }

    @Test func theSameEventsInAnotherBatchFileAreStoredOnce() throws {
        let dir = TestPaths.scratch()
        // A re-export: same events, other transport offsets, other key order for one line.
        let original = Self.goodLines.prefix(5).joined(separator: "\n") + "\n"
        let reexport = original.replacingOccurrences(of: "\"_partition\":7", with: "\"_partition\":9")
            .replacingOccurrences(of: "\"_offset\":100", with: "\"_offset\":900")
        try Array(original.utf8).write(to: dir + "/a.ndjson")
        try Gzip.compress(reexport).write(to: dir + "/b.ndjson.gz")
        let db = try LoadedDatabase([dir])
        #expect(db.summary.rows == 5)
        #expect(db.summary.duplicates == 5)
        #expect(try db.count("input_file", "status = 'loaded'") == 2)
    }

    @Test func changedContentIsNotADuplicate() throws {
        let dir = TestPaths.scratch()
        try Array((Self.goodLines[0] + "\n").utf8).write(to: dir + "/a.ndjson")
        try Array((Self.goodLines[0].replacingOccurrences(of: "Invoice INV-88341 overdue", with: "Invoice INV-88342 overdue") + "\n").utf8).write(to: dir + "/b.ndjson")
        let db = try LoadedDatabase([dir])
        #expect(db.summary.rows == 2)
        #expect(db.summary.duplicates == 0)
    }

    @Test func anInterruptedLoadResumesWithoutDuplicates() throws {
        // A clean load for reference.
        let dir = TestPaths.scratch()
        let source = dir + "/day.ndjson"
        let lines = (0..<3000).map { i in Self.goodLines[i % 5].replacingOccurrences(of: "\"_offset\":", with: "\"seq\":\(i),\"_offset\":") }
        try Array((lines.joined(separator: "\n") + "\n").utf8).write(to: source)
        var options = IngestOptions()
        options.batchUnits = 100
        options.commitRows = 500
        let clean = try LoadedDatabase([source], options: options)

        // The state a kill after a commit leaves: the file 'loading', rows up to the resume point.
        let crashed = dir + "/crashed.db"
        let partial = try LoadedDatabase([source], dbPath: crashed, options: options)
        let cut: Int64 = 1200
        try partial.db.transaction {
            for table in EventTable.allCases where table != .ioc {
                try partial.db.run("DELETE FROM \(table.rawValue) WHERE line_no > ?", [.integer(cut)])
            }
            let kept = try partial.count("mail_message") + partial.count("url_click") + partial.count("attachment_scan") + partial.count("impersonation") + partial.count("mail_event")
            try partial.db.run("UPDATE input_file SET status = 'loading', units_committed = ?, records = ?, lines = ?, rows = ?", [.integer(cut), .integer(cut), .integer(cut), .integer(Int64(kept))])
        }
        let resumed = try LoadedDatabase([source], dbPath: crashed, options: options)
        #expect(resumed.summary.files.first?.status == .resumed)
        #expect(resumed.messages.contains { $0.contains("resuming an interrupted load after 1200 lines") })
        for table in ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event"] {
            #expect(try resumed.count(table) == clean.count(table), "\(table)")
        }
        let file = try #require(try resumed.rows("SELECT * FROM input_file").first)
        #expect(file.text("status") == "loaded")
        #expect(file.int("rows") == Int64(clean.summary.rows))
        #expect(file.int("records") == 3000)
    }

    @Test func folderWalkIsSortedAndSkipsHiddenFiles() throws {
        let dir = TestPaths.scratch()
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try Array((Self.goodLines[0] + "\n").utf8).write(to: dir + "/sub/b.ndjson")
        try Array((Self.goodLines[1] + "\n").utf8).write(to: dir + "/a.ndjson")
        try Array("junk".utf8).write(to: dir + "/.hidden")
        try FileManager.default.createSymbolicLink(atPath: dir + "/sub/loop", withDestinationPath: dir)
        let (files, problems) = InputCollector.collect([dir])
        #expect(files == [dir + "/a.ndjson", dir + "/sub/b.ndjson"])
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("symlink loop") == true)
    }

    @Test func missingInputIsAnError() throws {
        let dbPath = TestPaths.scratch() + "/x.db"
        #expect(throws: IngestError.self) { try Ingester(databasePath: dbPath).ingest(paths: []) }
        let summary = try Ingester(databasePath: dbPath).ingest(paths: ["/nonexistent/path.gz"])
        #expect(summary.files.first?.status == .unreadable)
        #expect(summary.nothingRead)
    }
}
