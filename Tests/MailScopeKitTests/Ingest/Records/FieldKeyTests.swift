import Foundation
import Testing
@testable import MailScopeKit

@Suite struct FieldKeyTests {
    @Test func indexMatchesDeclarationOrder() {
        for (i, key) in FieldKey.allCases.enumerated() { #expect(key.index == i) }
    }

    @Test func tableFindsEveryKeyByItsBytes() {
        for key in FieldKey.allCases {
            var bytes = Array(key.rawValue.utf8)
            let found = bytes.withUnsafeMutableBufferPointer { FieldKeyTable.shared.index(of: UnsafeBufferPointer($0)) }
            #expect(found == Int16(key.index))
        }
        var unknown = Array("notAField".utf8)
        #expect(unknown.withUnsafeMutableBufferPointer { FieldKeyTable.shared.index(of: UnsafeBufferPointer($0)) } == -1)
    }
}
