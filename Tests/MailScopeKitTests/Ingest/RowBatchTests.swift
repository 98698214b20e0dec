import Testing
@testable import MailScopeKit

@Suite struct RowBatchTests {
    /// Batches reuse the buffers of written ones: a new batch must start empty whatever the
    /// last one held.
    @Test func aBatchMadeAfterAnotherWasReleasedStartsEmpty() {
        for round in 0..<20 {   // more rounds than the pool keeps, so reused and new buffers both occur
            let batch = RowBatch()
            #expect(batch.arena.isEmpty && batch.cells.isEmpty && batch.rows.isEmpty)
            batch.beginRow(.edrEvent, line: Int64(round + 1), dedup: ContentKey(high: 1, low: 2))
            batch.setTimestamp(1_785_920_403_000)
            batch.set(.host, "ws-\(round)")
            batch.endRow()
            #expect(batch.rows.count == 1)
            #expect(String(decoding: batch.arena, as: UTF8.self) == "ws-\(round)")
        }
    }

    @Test func stringsAreCopiedAsTheirUTF8() {
        let batch = RowBatch()
        let values = ["", "plain", "élève 😀", "a\u{0}b", String(repeating: "x", count: 100)]
        batch.beginRow(.edrEvent, line: 1, dedup: ContentKey(high: 0, low: 0))
        for v in values { batch.set(.host, v) }
        batch.endRow()
        var texts: [String] = []
        for cell in batch.cells {
            if case .text(let start, let count) = cell.value {
                texts.append(String(decoding: batch.arena[Int(start)..<Int(start + count)], as: UTF8.self))
            }
        }
        #expect(texts == values)
    }
}
