import Foundation
import Testing
@testable import MailScopeKit

@Suite struct JSONScannerTests {
    private func scan(_ text: String) throws -> Record {
        let record = Record()
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buf in
            try JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)
        }
        // Keep the bytes alive for the caller by copying values out immediately.
        return record
    }

    /// Every top-level value the scanner reads equals what Foundation's parser reads, on every
    /// line of the real samples (the reference the fast path is checked against).
    @Test(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples is absent"))
    func agreesWithFoundationOnEveryRealSampleLine() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestPaths.sharedMimecast).filter { $0.hasSuffix(".ndjson") }.sorted()
        #expect(files.count >= 8)
        var checked = 0
        for file in files {
            let text = try String(contentsOfFile: TestPaths.shared(file), encoding: .utf8)
            for line in text.split(separator: "\n") where !line.isEmpty {
                let reference = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                var bytes = Array(line.utf8)
                let record = Record()
                try bytes.withUnsafeMutableBufferPointer { buf in
                    try JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)
                    #expect(record.fields.count == reference?.count, "\(file): field count")
                    for field in record.fields {
                        let key = String(decoding: record.keyBytesOf(field), as: UTF8.self)
                        let expected = reference?[key]
                        switch expected {
                        case let s as String: #expect(record.string(of: field) == s, "\(file): \(key)")
                        case is NSNull: #expect(field.kind == .null, "\(file): \(key)")
                        case let n as NSNumber where field.kind == .bool: #expect(field.boolValue == n.boolValue)
                        case let n as NSNumber: #expect(Double(record.string(of: field) ?? "") == n.doubleValue, "\(file): \(key)")
                        case is [Any]: #expect(field.kind == .array, "\(file): \(key)")
                        case is [String: Any]: #expect(field.kind == .object, "\(file): \(key)")
                        default: Issue.record("\(file): unexpected value for \(key)")
                        }
                    }
                }
                checked += 1
            }
        }
        #expect(checked >= 40)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        var bytes = Array(#"{"subject":"Caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n","x":1}"#.utf8)
        let record = Record()
        try bytes.withUnsafeMutableBufferPointer { buf in
            try JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)
            #expect(record.string(.subject) == "Café 😀 \"q\" \\ / \n")
        }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        var bytes = Array(#"{"subject":"a\ud800b"}"#.utf8)
        let record = Record()
        try bytes.withUnsafeMutableBufferPointer { buf in
            try JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)
            #expect(record.string(.subject) == "a\u{FFFD}b")
        }
    }

    @Test(arguments: [
        (#"{"a":1"#, RejectReason.malformedJSON),
        (#"{"a":}"#, .malformedJSON),
        (#"{"a":tru}"#, .malformedJSON),
        (#"{"a":"x"} trailing"#, .malformedJSON),
        (#"{"a":"unterminated}"#, .malformedJSON),
        (#"{"a":"bad \q escape"}"#, .malformedJSON),
        (#"["not","an","object"]"#, .malformedJSON),
        (#"{"subject":"x","subject":"y"}"#, .duplicateKey),
        ("{\"a\":\"raw\u{01}control\"}", .malformedJSON),
        (String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70), .jsonTooDeep),
        (#"{"a":01x}"#, .malformedJSON),
    ])
    func rejectsMalformedObjects(text: String, reason: RejectReason) {
        var bytes = Array(text.utf8)
        let record = Record()
        bytes.withUnsafeMutableBufferPointer { buf in
            do {
                try JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)
                Issue.record("accepted: \(text)")
            } catch let error as JSONScanner.Failure {
                #expect(error.reason == reason)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func keepsNestedValuesAsRawJSON() throws {
        var bytes = Array(#"{"tagMap":{"A":{"B":["x","y"]}},"emailPartsDescription":["Body"],"n":-1.5e3,"t":true,"z":null}"#.utf8)
        let record = Record()
        try bytes.withUnsafeMutableBufferPointer { buf in
            try JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)
            #expect(record.string(.tagMap) == #"{"A":{"B":["x","y"]}}"#)
            #expect(JSONScanner.stringArray(record.valueBytes(record.field(.emailPartsDescription)!)) == ["Body"])
            #expect(record.fields.count == 5)
        }
    }

    @Test func quotesStringsForJSONOutput() {
        #expect(JSONScanner.quote("a\"b\\c\n\u{01}") == #""a\"b\\c\n\u0001""#)
    }

    /// (text, its JSON literal): what `quote` wrote when it went scalar by scalar.
    static let quoteCases: [(String, String)] = [
        ("", #""""#),
        ("plain", #""plain""#),
        ("\"", #""\"""#),
        ("\\", #""\\""#),
        ("C:\\Windows\\x.exe \"a b\"", #""C:\\Windows\\x.exe \"a b\"""#),
        ("\n\r\t", #""\n\r\t""#),
        ("\u{00}\u{01}\u{08}\u{0B}\u{0C}\u{1F}", #""\u0000\u0001\u0008\u000b\u000c\u001f""#),
        ("\u{7F} ~", "\"\u{7F} ~\""),
        ("a\u{2028}b\u{2029}c", #""a\u2028b\u2029c""#),
        ("\u{2027}\u{202A}\u{20AC}", "\"\u{2027}\u{202A}\u{20AC}\""),
        ("élève 😀 e\u{301}", "\"élève 😀 e\u{301}\""),
        ("</script><b onclick=\"x\">", #""</script><b onclick=\"x\">""#),
    ]

    @Test(arguments: quoteCases.indices)
    func quotesTextAndBytesAlike(_ index: Int) {
        let (text, literal) = Self.quoteCases[index]
        #expect(JSONScanner.quote(text) == literal)
        var out: [UInt8] = [0x7B]
        Array(text.utf8).withUnsafeBufferPointer { JSONScanner.quote($0, into: &out) }
        #expect(out == [0x7B] + Array(literal.utf8))   // appended after what was there
    }

    @Test func quotingCutUTF8CopiesTheBytesWithoutReadingPastTheEnd() {
        // Not valid UTF-8 (callers pass checked text), but the tail of a separator must not be read past the end.
        for bytes: [UInt8] in [[0xE2], [0xE2, 0x80], [0x61, 0xE2, 0x80], [0xFF, 0x22]] {
            var out: [UInt8] = []
            bytes.withUnsafeBufferPointer { JSONScanner.quote($0, into: &out) }
            let escaped = bytes.flatMap { $0 == 0x22 ? [0x5C, 0x22] : [$0] }
            #expect(out == [0x22] + escaped + [0x22])
        }
    }
}
