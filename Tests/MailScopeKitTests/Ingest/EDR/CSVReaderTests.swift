import Foundation
import Testing
@testable import MailScopeKit

@Suite struct CSVReaderTests {
    private func rows(_ text: [UInt8], maxRow: Int = 1 << 20) throws -> (rows: [[String]], lines: [Int64], bad: [(Int64, RejectReason)]) {
        let path = TestPaths.scratch() + "/in.csv"
        try text.write(to: path)
        var rows: [[String]] = [], lines: [Int64] = [], bad: [(Int64, RejectReason)] = []
        CSVReader(source: try ByteSource(path: path), maxRowBytes: maxRow).forEach { event in
            switch event {
            case .row(let r):
                rows.append((0..<r.count).map { r.string($0) })
                lines.append(r.line)
            case .bad(let line, let reason, _, _): bad.append((line, reason))
            case .issue: break
            }
            return true
        }
        return (rows, lines, bad)
    }

    @Test func quotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nplain,,end\r\n"
        let r = try rows(Array(text.utf8))
        #expect(r.rows == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\r\nlines"], ["plain", "", "end"]])
        #expect(r.lines == [1, 2, 4])   // the quoted line break moves the next row to line 4
    }

    @Test func bomLFAndAMissingFinalNewline() throws {
        let r = try rows([0xEF, 0xBB, 0xBF] + Array("h1,h2\nv1,v2".utf8))
        #expect(r.rows == [["h1", "h2"], ["v1", "v2"]])
    }

    @Test func bareCarriageReturnInsideQuotesIsKept() throws {
        let r = try rows(Array("cmd\r\n\"powershell -c\rwrite-host 1\"\r\n".utf8))
        #expect(r.rows[1] == ["powershell -c\rwrite-host 1"])
    }

    @Test func unclosedQuoteAtTheEndIsReported() throws {
        let r = try rows(Array("a,b\n1,2\n\"open,3\n4,5\n".utf8))
        #expect(r.rows == [["a", "b"], ["1", "2"]])
        #expect(r.bad.map(\.1) == [.unbalancedQuote])
        #expect(r.bad.first?.0 == 3)
    }

    @Test func overlongRowIsReportedAndTheNextOneRead() throws {
        let long = String(repeating: "x", count: 5000)
        let r = try rows(Array("a,b\n\(long),1\nok,2\n".utf8), maxRow: 1024)
        #expect(r.rows == [["a", "b"], ["ok", "2"]])
        #expect(r.bad.map(\.1) == [.lineTooLong])
    }

    @Test func gzippedCSVReadsTheSame() throws {
        let r = try rows(Gzip.compress("a,b\n\"1,2\",3\n"))
        #expect(r.rows == [["a", "b"], ["1,2", "3"]])
    }

    // The reader copies runs of plain bytes at once; these pin what the byte-at-a-time loop did.

    /// (text after a one-column header, cap, rows read, rows rejected as too long). A row is
    /// over the cap when its field bytes reach it before the row ends; the last row of a file
    /// without a final newline ends without another byte, so it may hold exactly the cap.
    static let capCases: [(String, Int, [[String]], Int)] = [
        (String(repeating: "x", count: 1023) + "\n", 1024, [[String(repeating: "x", count: 1023)]], 0),
        (String(repeating: "x", count: 1024) + "\n", 1024, [], 1),
        (String(repeating: "x", count: 1024), 1024, [[String(repeating: "x", count: 1024)]], 0),
        (String(repeating: "x", count: 1000) + "," + String(repeating: "y", count: 23) + "\n", 1024,
         [[String(repeating: "x", count: 1000), String(repeating: "y", count: 23)]], 0),
        (String(repeating: "x", count: 1000) + "," + String(repeating: "y", count: 24) + "\nok\n", 1024, [["ok"]], 1),
        ("\"" + String(repeating: "q", count: 1023) + "\"\n", 1024, [[String(repeating: "q", count: 1023)]], 0),
        ("\"" + String(repeating: "q", count: 1024) + "\"\nok\n", 1024, [["ok"]], 1),
        ("\"" + String(repeating: "q", count: 2000) + "\n\n\"\nok\n", 1024, [["ok"]], 1),
    ]

    @Test(arguments: capCases.indices)
    func rowCapIsCheckedByteByByte(_ index: Int) throws {
        let (text, cap, expected, tooLong) = Self.capCases[index]
        let r = try rows(Array(("h\n" + text).utf8), maxRow: cap)
        #expect(Array(r.rows.dropFirst()) == expected)
        #expect(r.bad.count == tooLong)
        #expect(r.bad.allSatisfy { $0.1 == .lineTooLong })
    }

    @Test func quotesInsideAnUnquotedFieldAreLiteralAndBytesAreKeptAsRead() throws {
        let bytes: [UInt8] = Array("a,b\nab\"c,d\"\"\n".utf8) + [0xFF, 0xFE, 0x2C, 0xE2, 0x80, 0xA8, 0x0A]
        let path = TestPaths.scratch() + "/in.csv"
        try bytes.write(to: path)
        var fields: [[[UInt8]]] = []
        CSVReader(source: try ByteSource(path: path), maxRowBytes: 1 << 20).forEach { event in
            if case .row(let r) = event { fields.append((0..<r.count).map { Array(r.field($0)) }) }
            return true
        }
        #expect(fields == [[Array("a".utf8), Array("b".utf8)], [Array("ab\"c".utf8), Array("d\"\"".utf8)],
                           [[0xFF, 0xFE], [0xE2, 0x80, 0xA8]]])
    }

    @Test func quotedFieldAcrossTheReadBufferKeepsItsBytesAndLines() throws {
        // The reader fills 1 MiB at a time: this field starts in the first fill and ends in the second.
        let piece = "say \"\"hi\"\"\r\n" + String(repeating: "z", count: 1000) + "\n"
        let body = String(repeating: piece, count: 1100)
        let text = "h1,h2\nfirst,\"" + body + "\"\nnext,row\n"
        let r = try rows(Array(text.utf8), maxRow: 4 << 20)
        let expected = String(repeating: "say \"hi\"\r\n" + String(repeating: "z", count: 1000) + "\n", count: 1100)
        try #require(r.rows.count == 3)
        let sameField = r.rows[1] == ["first", expected]   // not printed: 1.1 MB
        #expect(sameField)
        #expect(r.rows[2] == ["next", "row"])
        #expect(r.lines == [1, 2, 3 + 2 * 1100])
    }
}
