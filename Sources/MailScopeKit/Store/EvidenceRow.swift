/// One stored row, named by its table and rowid: the evidence behind a finding or a person's
/// stage. Kept as two columns (`*_table`, `*_rowid`) in the database, never as joined text.
public struct EvidenceRow: Hashable, Sendable {
    public var table: String
    public var rowid: Int64

    public init(table: String, rowid: Int64) {
        self.table = table
        self.rowid = rowid
    }

    /// An endpoint (EDR) row: at the same stage, the better proof than a mail-side row.
    public var isEndpoint: Bool { table == EventTable.edrEvent.rawValue }
}
