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
}
