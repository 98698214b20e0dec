import Testing
@testable import MailScopeKit

@Suite struct ContentKeyTests {
    static let pairs: [(name: [UInt8], value: ArraySlice<UInt8>)] = [
        (Array("Timestamp".utf8), ArraySlice("2026-08-05T00:56:04.0053583Z".utf8)),
        (Array("DeviceName".utf8), ArraySlice("ws-01.corp.example".utf8)),
        (Array("Empty".utf8), []),
        (Array("Cmd".utf8), ArraySlice("\"C:\\x.exe\" é".utf8)),
    ]

    /// Dedup keys are stored: the same row must keep its key from one version to the next
    /// (this value was computed with an independent port of the hash, not with this code).
    @Test func aCSVRowKeepsItsStoredKey() {
        let key = ContentKey.of(pairs: Self.pairs, seed: (1, 2))
        #expect(key == ContentKey(high: 0x7832_85E0_797A_A901, low: 0x6B63_2B1D_4A55_4D73))
    }

    @Test func summingPrecomputedNamesGivesThePairsKey() {
        let seed: (UInt64, UInt64) = (0xDEAD_BEEF, 42)
        var sum = ContentKey.Sum()
        for (name, value) in Self.pairs.reversed() {   // order-independent
            let lanes = name.withUnsafeBufferPointer { ContentKey.nameLanes($0, seed: seed) }
            value.withUnsafeBufferPointer { sum.add(value: $0, after: lanes) }
        }
        #expect(sum.key == ContentKey.of(pairs: Self.pairs, seed: seed))
        #expect(sum.key != ContentKey.of(pairs: Self.pairs, seed: (0xDEAD_BEEF, 43)))
    }

    @Test func emptyValuesAddNothing() {
        var sum = ContentKey.Sum()
        let lanes = Array("Empty".utf8).withUnsafeBufferPointer { ContentKey.nameLanes($0, seed: (1, 2)) }
        sum.add(value: UnsafeBufferPointer(start: nil, count: 0), after: lanes)
        #expect(sum.key == ContentKey(high: 0, low: 0))
        #expect(ContentKey.of(pairs: [Self.pairs[2]], seed: (1, 2)) == ContentKey(high: 0, low: 0))
    }
}
