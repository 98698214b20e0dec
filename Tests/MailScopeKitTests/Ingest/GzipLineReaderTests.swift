import Foundation
import Testing
@testable import MailScopeKit

@Suite struct GzipLineReaderTests {
    struct Seen {
        var lines: [String] = []
        var numbers: [Int64] = []
        var tooLong: [(Int64, Int)] = []
        var issues: [(RejectReason, Int64)] = []
    }

    private func read(_ bytes: [UInt8], maxLine: Int = 1 << 20) throws -> Seen {
        let path = TestPaths.scratch() + "/input"
        try bytes.write(to: path)
        let reader = GzipLineReader(source: try ByteSource(path: path), maxLineBytes: maxLine)
        var seen = Seen()
        reader.forEach { event in
            switch event {
            case .line(let b, let n):
                seen.lines.append(String(decoding: b, as: UTF8.self))
                seen.numbers.append(n)
            case .tooLong(let n, let length, _): seen.tooLong.append((n, length))
            case .issue(let issue, let n, _): seen.issues.append((issue.reason, n))
            }
            return true
        }
        return seen
    }

    @Test func plainTextWithCRLFAndNoFinalNewline() throws {
        let seen = try read(Array("a\r\nb\n\nc".utf8))
        #expect(seen.lines == ["a", "b", "", "c"])
        #expect(seen.numbers == [1, 2, 3, 4])
        #expect(seen.issues.isEmpty)
    }

    @Test func concatenatedGzipMembersReadAsOneStream() throws {
        let seen = try read(Gzip.compress("one\ntwo\n") + Gzip.compress("three\n"))
        #expect(seen.lines == ["one", "two", "three"])
        #expect(seen.issues.isEmpty)
    }

    @Test func truncatedGzipKeepsEarlierLinesAndReportsTheCut() throws {
        let text = (1...2000).map { "line number \($0) with some padding to make it longer" }.joined(separator: "\n") + "\n"
        let gz = Gzip.compress(text)
        let seen = try read(Array(gz[0..<(gz.count * 2 / 3)]))
        #expect(seen.lines.count > 100)
        #expect(seen.lines.count < 2000)
        #expect(seen.lines.allSatisfy { $0.hasPrefix("line number ") })
        #expect(seen.issues.map(\.0).contains(.truncatedGzip))
    }

    @Test func corruptMemberIsSkippedToTheNextMember() throws {
        var middle = Gzip.compress((1...500).map { "damaged \($0)" }.joined(separator: "\n") + "\n")
        for i in 20..<60 { middle[i] ^= 0x5A }
        let seen = try read(Gzip.compress("first\n") + middle + Gzip.compress("last\n"))
        #expect(seen.lines.first == "first")
        #expect(seen.lines.last == "last")
        #expect(seen.issues.map(\.0).contains(.corruptGzip))
    }

    @Test func trailingGarbageAfterGzipIsReported() throws {
        let seen = try read(Gzip.compress("ok\n") + Array("this is not gzip".utf8))
        #expect(seen.lines == ["ok"])
        #expect(seen.issues.map(\.0) == [.trailingGarbage])
    }

    @Test func overlongLineIsSkippedWithoutStoppingTheRest() throws {
        let long = String(repeating: "x", count: 3 << 20)
        let seen = try read(Array("before\n\(long)\nafter\n".utf8), maxLine: 1 << 20)
        #expect(seen.lines == ["before", "after"])
        #expect(seen.tooLong.count == 1)
        #expect(seen.tooLong.first?.0 == 2)
        #expect(seen.tooLong.first?.1 == 3 << 20)
        #expect(seen.numbers == [1, 3])
    }
}
