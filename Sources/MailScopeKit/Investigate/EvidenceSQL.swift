import Foundation

/// The input `file:line[#record]` of a row named by a (table, rowid) column pair, as an SQL
/// expression: what every investigation shows as a row's evidence.
enum EvidenceSQL {
    /// A finding's evidence row (`f.evidence_table`, `f.evidence_rowid`).
    static let finding = locator(tableColumn: "f.evidence_table", rowidColumn: "f.evidence_rowid")
    /// The row proving a person's stage in an incident (`u.stage_evidence_table`, `…_rowid`).
    static let stage = locator(tableColumn: "u.stage_evidence_table", rowidColumn: "u.stage_evidence_rowid")
    /// The log row of an incident's administration step (`a.evidence_table`, `a.evidence_rowid`).
    static let administration = locator(tableColumn: "a.evidence_table", rowidColumn: "a.evidence_rowid")

    static func locator(tableColumn: String, rowidColumn: String) -> String {
        let tables = [EventTable.mailMessage, .urlClick, .attachmentScan, .impersonation, .mailEvent, .edrEvent, .messageRelease,
                      .auditEvent, .dlpEvent, .archiveAccess].map(\.rawValue)
        return "CASE \(tableColumn) " + tables.map { table in
            "WHEN '\(table)' THEN (SELECT fi.path || ':' || t.line_no || COALESCE('#' || t.record_no, '') FROM \(table) t JOIN input_file fi ON fi.id = t.file_id WHERE t.id = \(rowidColumn))"
        }.joined(separator: " ") + " END"
    }
}
