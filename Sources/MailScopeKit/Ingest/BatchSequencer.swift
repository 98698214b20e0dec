/// Numbers the pieces of one file (row batches, or chunks of lines and CSV rows parsed on
/// worker threads) in file order, and says how many uncompressed bytes each piece covers,
/// so the writer can put them back in order and the summary can report MB/s.
struct BatchSequencer {
    private var next = 0
    private var bytesSeen = 0

    /// The next piece's number and the uncompressed bytes read since the previous piece.
    mutating func advance(bytesOut total: Int) -> (sequence: Int, bytesOut: Int) {
        defer { next += 1; bytesSeen = total }
        return (next, total - bytesSeen)
    }

    /// Numbers `batch` as the next piece of `source`.
    mutating func stamp(_ batch: RowBatch, source: ByteSource) {
        (batch.sequence, batch.bytesOut) = advance(bytesOut: source.bytesOut)
    }
}
