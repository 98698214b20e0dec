import Testing
@testable import MailScopeKit

/// Records split out of JSON documents, with the line each starts on and its index on that
/// line when the line holds several (`file:line#n`).
@Suite struct JSONDocumentSplitterTests {
    struct Split: Equatable, CustomStringConvertible {
        var text: String
        var line: Int64
        var index: Int64?
        var description: String { "\(line)#\(index.map(String.init) ?? "-") \(text)" }
    }

    /// Feeds `document` in chunks of `chunk` bytes and collects what comes out.
    static func split(_ document: String, chunk: Int = 1 << 20) -> [Split] {
        var splitter = JSONDocumentSplitter(maxRecordBytes: 1 << 20)
        var out: [Split] = []
        let emit = { (o: JSONDocumentSplitter.Output) in
            switch o {
            case .record(let b, let line, let index): out.append(Split(text: String(decoding: b, as: UTF8.self), line: line, index: index))
            case .tooLong(let line, let index, _, _): out.append(Split(text: "too long", line: line, index: index))
            }
        }
        let bytes = Array(document.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            bytes[start..<end].withUnsafeBufferPointer { splitter.feed($0, emit) }
            start = end
        }
        splitter.finish(emit)
        return out
    }

    @Test func recordsOfAOneLinePageAreNumberedWithinTheLine() {
        let page = #"{"meta":{"status":200},"data":[{"clickLogs":[{"a":1},{"a":2},{"a":3}]}],"fail":[]}"# + "\n"
        let expected = [Split(text: #"{"a":1}"#, line: 1, index: 1), Split(text: #"{"a":2}"#, line: 1, index: 2), Split(text: #"{"a":3}"#, line: 1, index: 3)]
        #expect(Self.split(page) == expected)
        // The same whatever the read boundaries.
        #expect(Self.split(page, chunk: 1) == expected)
        #expect(Self.split(page, chunk: 7) == expected)
    }

    @Test func aRecordAloneOnItsLineHasNoIndex() {
        #expect(Self.split(#"{"data":[{"a":1}]}"#) == [Split(text: #"{"a":1}"#, line: 1, index: nil)])
        let pretty = "{\n  \"type\": \"MTA\",\n  \"data\": [\n    {\n      \"a\": 1\n    },\n    {\"a\": 2},\n    {\"a\": 3}\n  ]\n}\n"
        #expect(Self.split(pretty).map { "\($0.line)#\($0.index.map(String.init) ?? "-")" } == ["4#-", "7#-", "8#-"])
        #expect(Self.split(pretty, chunk: 3).map(\.index) == [nil, nil, nil])
    }

    @Test func eachPageLineNumbersItsOwnRecords() {
        let pages = #"{"data":[{"clickLogs":[{"a":1},{"a":2}]}]}"# + "\n" + #"{"data":[{"clickLogs":[{"a":3}]}]}"# + "\n"
            + #"{"data":[{"clickLogs":[{"a":4},{"a":5}]}]}"#
        #expect(Self.split(pages).map { "\($0.line)#\($0.index.map(String.init) ?? "-")" } == ["1#1", "1#2", "2#-", "3#1", "3#2"])
    }

    @Test func aRecordStartingWhereAnotherEndsIsFirstOnItsLine() {
        // The first record spans lines 1-2; the second starts on line 2 and is the only one to.
        let doc = "[{\"a\":\n1}, {\"b\":2}]"
        #expect(Self.split(doc).map { "\($0.line)#\($0.index.map(String.init) ?? "-")" } == ["1#-", "2#-"])
        let three = "[{\"a\":\n1}, {\"b\":2}, {\"c\":3}]"
        #expect(Self.split(three).map { "\($0.line)#\($0.index.map(String.init) ?? "-")" } == ["1#-", "2#1", "2#2"])
    }

    @Test func aRecordCutOffAtTheEndKeepsItsIndex() {
        var splitter = JSONDocumentSplitter(maxRecordBytes: 1 << 20)
        var seen: [Int64?] = []
        Array(#"{"data":[{"a":1},{"a":2},{"a":"#.utf8).withUnsafeBufferPointer {
            splitter.feed($0) { if case .record(_, _, let index) = $0 { seen.append(index) } }
        }
        splitter.finish { if case .record(_, _, let index) = $0 { seen.append(index) } }
        #expect(seen == [1, 2])
        #expect(splitter.unfinishedRecord()?.index == 3)
    }
}
