import Foundation
import Testing
@testable import MailScopeKit

/// Rows read by column name: a SELECT that gains or reorders columns reads the same values.
@Suite struct RowTests {
    @Test func columnsAreReadByNameWhateverTheirOrder() throws {
        let db = try Database(path: TestPaths.scratch() + "/rows.db")
        try db.execute("CREATE TABLE t (a TEXT, b INTEGER, c INTEGER); INSERT INTO t VALUES ('x', 7, 1), (NULL, NULL, 0)")
        let first = try db.rows("SELECT a, b, c FROM t ORDER BY rowid")
        let reordered = try db.rows("SELECT c, 'added' AS extra_column, b, a FROM t ORDER BY rowid")
        for rows in [first, reordered] {
            #expect(rows[0].text("a") == "x")
            #expect(rows[0].int("b") == 7)
            #expect(rows[0].bool("c"))
            #expect(rows[1].text("a") == nil)
            #expect(rows[1].int("b") == nil)
            #expect(!rows[1].bool("c"))
        }
        #expect(reordered[0]["extra_column"].stringValue == "added")
    }
}
