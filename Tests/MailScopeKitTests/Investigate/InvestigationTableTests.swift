import Foundation
import Testing
@testable import MailScopeKit

@Suite struct InvestigationTableTests {
    func numbers() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/t.db")
        try db.execute("CREATE TABLE n (v INTEGER)")
        for v in 1...5 { try db.run("INSERT INTO n VALUES (?)", [.integer(Int64(v))]) }
        return db
    }

    @Test func aLimitKeepsTheFirstRowsAndCountsTheRest() throws {
        let db = try numbers()
        let cut = try InvestigationTable.fetch(db, sql: "SELECT v FROM n WHERE v >= :min ORDER BY v", parameters: ["min": 2], limit: 2)
        #expect(cut.rows == [[2], [3]])
        #expect(cut.totalRows == 4)
        #expect(cut.isTruncated)
        let all = try InvestigationTable.fetch(db, sql: "SELECT v FROM n ORDER BY v", parameters: [:], limit: 0)
        #expect(all.rows.count == 5 && !all.isTruncated)
        let exact = try InvestigationTable.fetch(db, sql: "SELECT v FROM n ORDER BY v", parameters: [:], limit: 5)
        #expect(exact.rows.count == 5 && !exact.isTruncated)
    }

    @Test func valuesAreShownInTheirFormat() {
        #expect(InvestigationTable.format(.integer(1_793_611_265_000), .time) == .text("2026-11-02T09:21:05.000Z"))
        #expect(InvestigationTable.format(.text("[\"reply_address_mismatch\",\"internal_user_name\"]"), .jsonList)
                == .text("reply_address_mismatch, internal_user_name"))
        #expect(InvestigationTable.format(.text("not json ["), .jsonList) == .text("not json ["))
        #expect(InvestigationTable.format(.text("b@x\u{1F}a@x\u{1F}b@x"), .list) == .text("a@x, b@x"))
        #expect(InvestigationTable.format(.null, .time) == .null)
    }

    @Test func theCompactViewKeepsItsColumnsInOrder() {
        let t = InvestigationTable(columns: ["a", "b", "c"], compactColumns: ["c", "a"], rows: [[1, 2, 3]])
        #expect(t.compact.columns == ["c", "a"])
        #expect(t.compact.rows == [[3, 1]])
        #expect(t.values("b") == [2])
    }
}
