import Foundation
import Testing
@testable import MailScopeKit

/// The bad-input catalog: the worst of what exports look like after a cut-off download, an edit
/// in Excel or an attacker's hand. For every case the load completes, the bad part is rejected
/// with its reason (kept in `reject`, counted in the summary, named with file and line in a
/// message), every good line around it is loaded, and the database stays sound.
@Suite struct BadInputTests {
    static var mimecast: [String] { IngesterTests.goodLines }
    static var good: [UInt8] { Array((mimecast.prefix(4).joined(separator: "\n") + "\n").utf8) }
    static func lines(_ l: [String]) -> [UInt8] { Array((l.joined(separator: "\n") + "\n").utf8) }

    /// The hand-written and generated EDR exports: header and rows.
    static func csv(_ fixture: String) -> (header: String, rows: [String]) {
        let text = (try? String(contentsOfFile: TestPaths.fixture(fixture), encoding: .utf8)) ?? ""
        let all = text.split(whereSeparator: \.isNewline).map(String.init)
        return (all.first ?? "", Array(all.dropFirst()))
    }
    static var falcon: (header: String, rows: [String]) { csv("edr/crowdstrike_events.csv") }
    static var s1: (header: String, rows: [String]) { csv("edr/sentinelone_dv.csv") }
    static var mde: (header: String, rows: [String]) { csv("scenario/edr/mde_advanced_hunting_2026-10-30.csv") }

    /// One case: the file's bytes and name, the reject reason expected (nil: none), and how
    /// many rows the good lines must give.
    struct BadInput: CustomTestStringConvertible, Sendable {
        var name: String
        var fileName: String
        var bytes: @Sendable () -> [UInt8]
        var reason: RejectReason?
        var goodRows: Int
        var testDescription: String { name }
    }

    static let mimecastCases: [BadInput] = [
        BadInput(name: "plain text named .gz", fileName: "batch.json.gz", bytes: { good }, reason: nil, goodRows: 4),
        BadInput(name: "truncated gzip", fileName: "cut.json.gz", bytes: {
            let many = (0..<300).flatMap { _ in good }
            let gz = Gzip.compress(many)
            return Array(gz[0..<(gz.count - 40)])
        }, reason: .truncatedGzip, goodRows: 4),
        BadInput(name: "gzip cut inside its header", fileName: "header.json.gz", bytes: {
            Array(Gzip.compress(good).prefix(6))
        }, reason: .truncatedGzip, goodRows: 0),
        BadInput(name: "corrupt gzip member between good ones", fileName: "corrupt.json.gz", bytes: {
            var middle = Gzip.compress(Array((mimecast[4] + "\n").utf8) + Array(repeating: UInt8(ascii: " "), count: 4000))
            for i in 12..<40 { middle[i] ^= 0xA5 }
            return Gzip.compress(Array((mimecast[0] + "\n").utf8)) + middle + Gzip.compress(Array((mimecast[1] + "\n").utf8))
        }, reason: .corruptGzip, goodRows: 2),
        BadInput(name: "concatenated gzip members", fileName: "multi.json.gz", bytes: {
            Gzip.compress(lines([mimecast[0], mimecast[1]])) + Gzip.compress(lines([mimecast[2]])) + Gzip.compress(lines([mimecast[3]]))
        }, reason: nil, goodRows: 4),
        BadInput(name: "gzip followed by garbage", fileName: "tail.json.gz", bytes: {
            Gzip.compress(lines([mimecast[0], mimecast[1]])) + Array("this is not gzip at all, it was appended by a broken download".utf8)
        }, reason: .trailingGarbage, goodRows: 2),
        BadInput(name: "gzip of an empty file", fileName: "empty.json.gz", bytes: { Gzip.compress([UInt8]()) }, reason: nil, goodRows: 0),
        BadInput(name: "malformed JSON line", fileName: "m.ndjson", bytes: {
            Array((mimecast[0] + "\n{\"type\":\"receipt\",\"timestamp\": broken\n" + mimecast[1] + "\n").utf8)
        }, reason: .malformedJSON, goodRows: 2),
        BadInput(name: "JSON line cut mid-string", fileName: "cut.ndjson", bytes: {
            Array((mimecast[0] + "\n" + String(mimecast[1].prefix(120)) + "\n" + mimecast[2] + "\n").utf8)
        }, reason: .malformedJSON, goodRows: 2),
        BadInput(name: "a JSON number, array and string as lines", fileName: "scalars.ndjson", bytes: {
            Array((mimecast[0] + "\n42\n[1,2,3]\n\"text\"\n" + mimecast[1] + "\n").utf8)
        }, reason: .unrecognizedRecord, goodRows: 2),
        BadInput(name: "JSON nested 5000 deep", fileName: "deep.ndjson", bytes: {
            Array((mimecast[0] + "\n" + String(repeating: "{\"a\":", count: 5000) + "1" + String(repeating: "}", count: 5000) + "\n" + mimecast[1] + "\n").utf8)
        }, reason: .jsonTooDeep, goodRows: 2),
        BadInput(name: "timestamp of the wrong type", fileName: "type.ndjson", bytes: {
            Array((mimecast[0].replacingOccurrences(of: "\"timestamp\":1793615401123", with: "\"timestamp\":{\"ms\":1793615401123}") + "\n" + mimecast[1] + "\n").utf8)
        }, reason: .badTimestamp, goodRows: 1),
        BadInput(name: "huge number as timestamp", fileName: "huge.ndjson", bytes: {
            Array((mimecast[0].replacingOccurrences(of: "1793615401123", with: "179361540112300000000000000000000000000") + "\n" + mimecast[1] + "\n").utf8)
        }, reason: .badTimestamp, goodRows: 1),
        BadInput(name: "timestamp in 1970", fileName: "past.ndjson", bytes: {
            Array((mimecast[0].replacingOccurrences(of: "1793615401123", with: "86400000") + "\n" + mimecast[1] + "\n").utf8)
        }, reason: .timestampOutOfRange, goodRows: 1),
        BadInput(name: "key=value line without a time", fileName: "kv.log", bytes: {
            Array("acc=C0A0|Act=Acc|Rcpt=a@b.example|Dir=Inbound\ndatetime=2026-11-01T09:12:44+0100|aCode=x|acc=C0A0|Act=Acc|Rcpt=a@b.example|Dir=Inbound\n".utf8)
        }, reason: .badKeyValueLine, goodRows: 1),
        BadInput(name: "key=value line with an impossible date", fileName: "kvdate.log", bytes: {
            Array("datetime=2026-13-45T99:99:99+0100|aCode=y|acc=C0A0|Act=Acc|Rcpt=a@b.example|Dir=Inbound\ndatetime=2026-11-01T09:12:44+0100|aCode=x|acc=C0A0|Act=Acc|Rcpt=a@b.example|Dir=Inbound\n".utf8)
        }, reason: .badTimestamp, goodRows: 1),
        BadInput(name: "invalid UTF-8", fileName: "u.ndjson", bytes: {
            Array((mimecast[0] + "\n").utf8) + Array(mimecast[1].utf8.prefix(40)) + [0xC3, 0x28, 0xFF] + Array(mimecast[1].utf8.dropFirst(40)) + [0x0A] + Array((mimecast[2] + "\n").utf8)
        }, reason: .invalidUTF8, goodRows: 2),
        BadInput(name: "overlong UTF-8 encoding", fileName: "o.ndjson", bytes: {
            Array("{\"subject\":\"".utf8) + [0xC0, 0xAF] + Array("\"}\n".utf8) + Array((mimecast[2] + "\n").utf8)
        }, reason: .invalidUTF8, goodRows: 1),
        BadInput(name: "UTF-8 surrogate half", fileName: "s.ndjson", bytes: {
            Array("{\"subject\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}\n".utf8) + Array((mimecast[2] + "\n").utf8)
        }, reason: .invalidUTF8, goodRows: 1),
        BadInput(name: "UTF-16 file with its BOM", fileName: "utf16.json", bytes: {
            [0xFF, 0xFE] + Array(mimecast[0].utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        }, reason: .unrecognizedFormat, goodRows: 0),
        BadInput(name: "NUL bytes", fileName: "n.ndjson", bytes: {
            [0x00, 0x00, 0x01, 0x0A] + Array((mimecast[2] + "\n").utf8)
        }, reason: .nulByte, goodRows: 1),
        BadInput(name: "event without a timestamp", fileName: "t.ndjson", bytes: {
            Array((mimecast[0].replacingOccurrences(of: "\"timestamp\":1793615401123,", with: "") + "\n" + mimecast[1] + "\n").utf8)
        }, reason: .missingTimestamp, goodRows: 1),
        BadInput(name: "timestamp far in the future", fileName: "f.ndjson", bytes: {
            Array((mimecast[0].replacingOccurrences(of: "1793615401123", with: "9993615401123") + "\n" + mimecast[1] + "\n").utf8)
        }, reason: .timestampOutOfRange, goodRows: 1),
        BadInput(name: "unparseable legacy date", fileName: "d.ndjson", bytes: {
            Array("{\"acc\":\"C0A0\",\"aCode\":\"x\",\"Rcpt\":\"a@b.example\",\"Act\":\"Acc\",\"datetime\":\"yesterday\"}\n".utf8) + Array((mimecast[1] + "\n").utf8)
        }, reason: .badTimestamp, goodRows: 1),
        BadInput(name: "JSON of no Mimecast format", fileName: "x.ndjson", bytes: {
            Array("{\"hello\":\"world\"}\n".utf8) + Array((mimecast[1] + "\n").utf8)
        }, reason: .unrecognizedRecord, goodRows: 1),
        BadInput(name: "duplicate JSON key", fileName: "k.ndjson", bytes: {
            Array((mimecast[1].replacingOccurrences(of: "\"subject\":", with: "\"subject\":\"first\",\"subject\":") + "\n" + mimecast[2] + "\n").utf8)
        }, reason: .duplicateKey, goodRows: 1),
        BadInput(name: "10 MB line", fileName: "big.ndjson", bytes: {
            Array((mimecast[0] + "\n").utf8) + Array("{\"subject\":\"".utf8) + Array(repeating: UInt8(ascii: "A"), count: 10 << 20) + Array("\"}\n".utf8) + Array((mimecast[1] + "\n").utf8)
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
        BadInput(name: "blank lines, CRLF and a BOM", fileName: "bom.ndjson", bytes: {
            [0xEF, 0xBB, 0xBF] + Array((mimecast[0] + "\n\n   \n" + mimecast[1] + "\r\n").utf8)
        }, reason: nil, goodRows: 2),
        BadInput(name: "addresses and URLs that are not", fileName: "notemail.json", bytes: {
            let text = (try? String(contentsOfFile: TestPaths.fixture("mimecast/ttp_url_logs.json"), encoding: .utf8)) ?? ""
            return Array(text.replacingOccurrences(of: "Maria.Gomez@acme-corp.example", with: "not an address <>")
                .replacingOccurrences(of: "https:\\/\\/login.acme-c0rp-secure.com\\/owa\\/auth.php?session=17", with: "ht!tp:\\/\\/[::1\\/%zz").utf8)
        }, reason: nil, goodRows: 3),
        BadInput(name: "an unknown event type is kept, not dropped", fileName: "unknown.ndjson", bytes: {
            Array((mimecast[0].replacingOccurrences(of: "\"type\":\"receipt\"", with: "\"type\":\"quantum_protect\"") + "\n" + mimecast[1] + "\n").utf8)
        }, reason: nil, goodRows: 2),
        BadInput(name: "a zero-byte file", fileName: "zero.ndjson", bytes: { [] }, reason: nil, goodRows: 0),
    ]

    static let edrCases: [BadInput] = [
        BadInput(name: "CSV row with too few columns", fileName: "falcon.csv", bytes: {
            lines([falcon.header, falcon.rows[0], "1793616300999,ProcessRollup2,4f1c", falcon.rows[1]])
        }, reason: .wrongColumnCount, goodRows: 2),
        BadInput(name: "CSV row with too many columns", fileName: "s1.csv", bytes: {
            lines([s1.header, s1.rows[0] + ",extra,columns", s1.rows[1]])
        }, reason: .wrongColumnCount, goodRows: 1),
        BadInput(name: "CSV with an unclosed quote at the end", fileName: "quote.csv", bytes: {
            lines([falcon.header, falcon.rows[0], falcon.rows[1], "1793616309999,ProcessRollup2,4f1c,WS-1,ACME\\x,\"cmd /c unfinished"])
        }, reason: .unbalancedQuote, goodRows: 2),
        BadInput(name: "CSV field with embedded newlines", fileName: "newline.csv", bytes: {
            lines([s1.header, s1.rows[0].replacingOccurrences(of: "--type=utility", with: "--type=utility\nsecond line\r\nthird"), s1.rows[1]])
        }, reason: nil, goodRows: 2),
        BadInput(name: "CSV header of no known product", fileName: "unknown.csv", bytes: {
            lines(["when,where,what", "2026-11-02,WS-1,something"])
        }, reason: .unrecognizedFormat, goodRows: 0),
        BadInput(name: "CSV saved by Excel with semicolons", fileName: "excel.csv", bytes: {
            lines([mde.header.replacingOccurrences(of: ",", with: ";"), mde.rows[0].replacingOccurrences(of: ",", with: ";")])
        }, reason: .unrecognizedFormat, goodRows: 0),
        BadInput(name: "CSV row with an unreadable time", fileName: "time.csv", bytes: {
            lines([s1.header, s1.rows[0].replacingOccurrences(of: "2026-11-02T09:41:07.123Z", with: "last Tuesday"), s1.rows[1]])
        }, reason: .badTimestamp, goodRows: 1),
        BadInput(name: "CSV row dated 2150", fileName: "future.csv", bytes: {
            lines([s1.header, s1.rows[0].replacingOccurrences(of: "2026-11-02T09:41:07.123Z", with: "2150-01-01T00:00:00Z"), s1.rows[1]])
        }, reason: .timestampOutOfRange, goodRows: 1),
        BadInput(name: "CSV with only a header", fileName: "header.csv", bytes: { lines([mde.header]) }, reason: nil, goodRows: 0),
        BadInput(name: "CSV with invalid UTF-8 in a row", fileName: "utf8.csv", bytes: {
            Array((falcon.header + "\n" + falcon.rows[0] + "\n").utf8) + Array(falcon.rows[1].utf8.prefix(30)) + [0xFF, 0xFE] + Array(falcon.rows[1].utf8.dropFirst(30)) + [0x0A] + Array((falcon.rows[2] + "\n").utf8)
        }, reason: .invalidUTF8, goodRows: 2),
        BadInput(name: "CSV with a NUL in a row", fileName: "nul.csv", bytes: {
            Array((s1.header + "\n" + s1.rows[0] + "\n").utf8) + [0x00] + Array((s1.rows[1] + "\n").utf8) + Array((s1.rows[2] + "\n").utf8)
        }, reason: .nulByte, goodRows: 2),
        BadInput(name: "CSV with a BOM and CRLF lines (Excel)", fileName: "bom.csv", bytes: {
            [0xEF, 0xBB, 0xBF] + Array(([mde.header] + mde.rows.prefix(3)).joined(separator: "\r\n").utf8) + [0x0D, 0x0A]
        }, reason: nil, goodRows: 3),
        BadInput(name: "gzipped CSV cut off", fileName: "mde.csv.gz", bytes: {
            let text = ([mde.header] + mde.rows).joined(separator: "\n") + "\n"
            let gz = Gzip.compress(Array(String(repeating: "", count: 1).utf8) + Array(text.utf8))
            return Array(gz.prefix(gz.count * 2 / 3))
        }, reason: .truncatedGzip, goodRows: -1),
        BadInput(name: "CSV row of a 50 KB command line", fileName: "long.csv", bytes: {
            lines([s1.header, s1.rows[0].replacingOccurrences(of: "--type=utility", with: String(repeating: "A", count: 50_000)), s1.rows[1]])
        }, reason: nil, goodRows: 2),
    ]

    static let catalog = mimecastCases + edrCases

    @Test func theCatalogHasAtLeastFortyCases() {
        #expect(Self.catalog.count + 3 >= 40)   // + the three file-system cases below
    }

    @Test(arguments: catalog)
    func badInputIsRejectedWithItsReasonAndTheGoodLinesStillLoad(_ input: BadInput) throws {
        let dir = TestPaths.scratch()
        let path = dir + "/" + input.fileName
        try input.bytes().write(to: path)
        let db = try LoadedDatabase([path])
        let file = try #require(db.summary.files.first)
        if input.goodRows >= 0 {
            #expect(file.rows == input.goodRows, "\(input.name): rows")
        } else {
            #expect(file.rows > 0, "\(input.name): the rows before the cut are loaded")
        }
        // What the summary says was stored is what is in the tables.
        let stored = try ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "ioc", "edr_event", "directory_entry"].reduce(0) { $0 + (try db.count($1)) }
        #expect(stored == file.rows, "\(input.name): rows stored")
        if let reason = input.reason {
            #expect(try db.count("reject", "reason = ?", [.text(reason.rawValue)]) >= 1, "\(input.name): no \(reason) reject; got \(file.rejectsByReason)")
            #expect(file.rejected >= 1)
            #expect(file.rejected == (try db.count("reject")), "\(input.name): every reject is counted")
            // The message names the file and a line.
            #expect(db.messages.contains { $0.contains(path) }, "\(input.name): \(db.messages)")
        } else {
            #expect(file.rejected == 0, "\(input.name): \(file.rejectsByReason)")
        }
        #expect(try db.db.scalar("PRAGMA integrity_check")?.stringValue == "ok")
    }

    @Test func aDirectorySymlinkLoopIsWalkedOnce() throws {
        let dir = TestPaths.scratch()
        try FileManager.default.createDirectory(atPath: dir + "/exports/sub", withIntermediateDirectories: true)
        try Self.good.write(to: dir + "/exports/sub/a.ndjson")
        try FileManager.default.createSymbolicLink(atPath: dir + "/exports/sub/loop", withDestinationPath: "..")
        let db = try LoadedDatabase([dir + "/exports"])
        #expect(db.summary.files.filter { $0.status == .loaded }.count == 1)
        #expect(db.summary.rows == 4)
    }

    @Test func aDanglingLinkIsReportedAndTheRestLoads() throws {
        let dir = TestPaths.scratch()
        try Self.good.write(to: dir + "/a.ndjson")
        try FileManager.default.createSymbolicLink(atPath: dir + "/gone.ndjson", withDestinationPath: dir + "/nowhere.ndjson")
        let db = try LoadedDatabase([dir])
        #expect(db.summary.rows == 4)
        #expect(db.messages.contains { $0.contains("gone.ndjson") }, "\(db.messages)")
    }

    @Test func anUnreadableFileIsReportedAndTheRestLoads() throws {
        let dir = TestPaths.scratch()
        try Self.good.write(to: dir + "/a.ndjson")
        try Self.good.write(to: dir + "/secret.ndjson")
        chmod(dir + "/secret.ndjson", 0)
        defer { chmod(dir + "/secret.ndjson", 0o644) }
        if access(dir + "/secret.ndjson", R_OK) == 0 {
            // Root reads anything: a file that cannot be read is then a directory named like one.
            try FileManager.default.removeItem(atPath: dir + "/secret.ndjson")
            try FileManager.default.createDirectory(atPath: dir + "/secret.ndjson/x", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/b.ndjson", withDestinationPath: "/proc/self/mem")
        }
        let db = try LoadedDatabase([dir])
        #expect(db.summary.rows == 4)
        #expect(try db.db.scalar("PRAGMA integrity_check")?.stringValue == "ok")
        if getuid() != 0 {
            #expect(db.messages.contains { $0.contains("secret.ndjson") }, "\(db.messages)")
        } else {
            #expect(db.messages.contains { $0.contains("b.ndjson") }, "\(db.messages)")
        }
    }
}
