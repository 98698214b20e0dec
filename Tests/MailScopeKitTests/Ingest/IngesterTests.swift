import Foundation
import Testing
@testable import MailScopeKit

/// The load guarantees: nothing lost, nothing silent, nothing twice (the bad-input catalog is
/// BadInputTests).
@Suite struct IngesterTests {
    /// Good real-format lines to surround each bad one with.
    static let goodLines: [String] = {
        let text = (try? String(contentsOfFile: TestPaths.fixture("mimecast/siem_v2_events.ndjson"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }()

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
        // The same paths again are only counted (a nightly log stays short); a copy under
        // another name is named.
        #expect(!second.messages.contains { $0.contains("already loaded") })
        try FileManager.default.copyItem(atPath: inputs[0], toPath: dir + "/copy.ndjson")
        let copy = try LoadedDatabase([dir + "/copy.ndjson"], dbPath: dbPath)
        #expect(copy.messages.contains { $0.contains("copy.ndjson: already loaded (same SHA-256 as \(inputs[0]))") })
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

    /// A one-line TTP page longer than the 64 KiB sniff window, cut there right after a
    /// record's "}", was taken for one broken record and rejected whole (1,000 records lost in
    /// the scale data set). The sniffer now reads the whole first line.
    @Test func aOneLinePageCutAfterABraceAtTheSniffWindowIsStillADocument() throws {
        func record(_ i: Int, _ pad: String = "") -> String {
            #"{"senderAddress":"a@partner.example","recipientAddress":"c@acme-corp.example","fileName":"x\#(i)\#(pad).pdf","fileType":"application/pdf","result":"safe","actionTriggered":"none","date":"2026-08-07T11:33:04+0000","details":"Safe","route":"inbound","messageId":"<m\#(i)@partner.example>","subject":"s","fileHash":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8","definition":"d"}"#
        }
        var text = #"{"meta":{"status":200},"data":[{"attachmentLogs":["#
        var i = 0
        while text.utf8.count + 2 * record(i).utf8.count < 65_536 {
            text += record(i) + ","
            i += 1
        }
        // Pad the next record so its closing brace is byte 65,535, the last of the window.
        let pad = String(repeating: "p", count: 65_535 - text.utf8.count - (record(i).utf8.count - 1))
        text += record(i, pad)
        #expect(Array(text.utf8)[65_535] == UInt8(ascii: "}"))
        i += 1
        for j in i..<(i + 50) { text += "," + record(j) }
        text += "]}]}"
        let path = TestPaths.scratch() + "/ttp_attachment_logs.json"
        try Array(text.utf8).write(to: path)
        let db = try LoadedDatabase([path])
        let file = try #require(db.summary.files.first)
        #expect(file.rejected == 0, "\(file.rejectsByReason)")
        #expect(file.rows == i + 50)
    }

    // MARK: record locators (file:line#n)

    @Test func clicksFromOneTTPPageGetTheirOwnRecordNumber() throws {
        let db = try LoadedDatabase([TestPaths.fixture("mimecast/ttp_url_logs.json"), TestPaths.fixture("mimecast/siem_v1_mta.json"),
                                     TestPaths.fixture("mimecast/siem_v2_events.ndjson")])
        let clicks = try db.rows("SELECT line_no, record_no FROM url_click WHERE source = 'ttp_url' ORDER BY id")
        #expect(clicks.map { $0.int("line_no") } == [1, 1, 1])
        #expect(clicks.map { $0.int("record_no") } == [1, 2, 3])
        // A pretty-printed {"type":"MTA","data":[…]} file and NDJSON: one record per line.
        #expect(try db.count("mail_message", "record_no IS NOT NULL") == 0)
        #expect(try db.count("mail_event", "record_no IS NOT NULL") == 0)
        #expect(try db.count("mail_message") > 0)
    }

    @Test func aBadRecordInsideAPageIsRejectedWithItsRecordNumber() throws {
        let page = try String(contentsOfFile: TestPaths.fixture("mimecast/ttp_url_logs.json"), encoding: .utf8)
        #expect(page.contains(#""date":"2026-11-02T10:20:00+0100""#))
        let path = TestPaths.scratch() + "/ttp_url_logs.json"
        try Array(page.replacingOccurrences(of: #""date":"2026-11-02T10:20:00+0100""#, with: #""date":"yesterday""#).utf8).write(to: path)
        let db = try LoadedDatabase([path])
        let reject = try #require(try db.rows("SELECT line_no, record_no, reason FROM reject").first)
        #expect(reject.int("line_no") == 1)
        #expect(reject.int("record_no") == 2)
        #expect(db.messages.contains { $0.hasPrefix(path + ":1#2: ") }, "\(db.messages)")
        #expect(try db.rows("SELECT record_no FROM url_click ORDER BY id").map { $0.int("record_no") } == [1, 3])
    }

    @Test func identicalRecordsOnOneLineAreStillStoredOnce() throws {
        let page = try String(contentsOfFile: TestPaths.fixture("mimecast/ttp_url_logs.json"), encoding: .utf8)
        let start = try #require(page.range(of: #"{"userEmailAddress""#)).lowerBound
        let end = try #require(page.range(of: #",{"userEmailAddress""#)).lowerBound
        let record = page[start..<end]
        let path = TestPaths.scratch() + "/ttp_url_logs.json"
        try Array(#"{"meta":{"status":200},"data":[{"clickLogs":[\#(record),\#(record)]}],"fail":[]}"#.utf8).write(to: path)
        let db = try LoadedDatabase([path])
        #expect(db.summary.rows == 1)
        #expect(db.summary.duplicates == 1)
        #expect(try db.rows("SELECT record_no FROM url_click").map { $0.int("record_no") } == [1])
    }
}
