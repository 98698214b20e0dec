import Testing
@testable import MailScopeKit

@Suite struct KeyValueScannerTests {
    @Test func splitsOnPipesBeforeKeysAndUnwrapsBackslashedValues() {
        var bytes = Array(#"datetime=2017-05-26T16:47:41+0100|aCode=7O7I7MvGP1mj8plHRDuHEA|Subject=\message | with pipe\|SpamProcessingDetail={"spf":{"info":"SPF_FAIL","allow":true}}|SpamScore=1"#.utf8)
        let record = Record()
        bytes.withUnsafeMutableBufferPointer { buf in
            #expect(KeyValueScanner.scan(UnsafeBufferPointer(buf), into: record))
            #expect(record.string(.datetime) == "2017-05-26T16:47:41+0100")
            #expect(record.string(.Subject) == "message | with pipe")
            #expect(record.field(.SpamProcessingDetail)?.kind == .object)
            #expect(record.string(.SpamProcessingDetail) == #"{"spf":{"info":"SPF_FAIL","allow":true}}"#)
            #expect(record.int(.SpamScore) == 1)
            #expect(record.fields.count == 5)
        }
    }

    @Test func aPipeNotFollowedByAKeyStaysInTheValue() {
        var bytes = Array("datetime=2017-05-26T16:47:41+0100|Subject=a|b c|Rcpt=x@y.example".utf8)
        let record = Record()
        bytes.withUnsafeMutableBufferPointer { buf in
            #expect(KeyValueScanner.scan(UnsafeBufferPointer(buf), into: record))
            #expect(record.string(.Subject) == "a|b c")
            #expect(record.string(.Rcpt) == "x@y.example")
        }
    }

    @Test func textIsNotKeyValue() {
        var bytes = Array("hello world, this is not a log".utf8)
        bytes.withUnsafeMutableBufferPointer { buf in
            #expect(!KeyValueScanner.looksLikeKeyValue(UnsafeBufferPointer(buf)))
        }
    }
}
