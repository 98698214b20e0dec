import Foundation
import Testing
@testable import MailScopeKit

/// The diagnostic SQL trace (`MAILSCOPE_SQL_TRACE`) that `scripts/index-usage` plans.
@Suite struct SQLTraceTests {
    @Test func eachDistinctStatementIsWrittenOnceWithItsFirstBoundValues() throws {
        let folder = TestPaths.scratch()
        let db = try Database(path: folder + "/t.db")
        let path = folder + "/trace.jsonl"
        let trace = try #require(SQLTrace.start(on: db.handle, path: path))
        try db.execute("CREATE TABLE t (a TEXT)")
        for value in ["it's", "second"] {
            try db.run("INSERT INTO t (a) VALUES (?)", [.text(value)])
        }
        _ = try db.rows("SELECT a FROM t WHERE a = ?", [.text("x")])
        withExtendedLifetime(trace) {}
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let entries = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]) }
        #expect(entries.map { $0["sql"] } == ["CREATE TABLE t (a TEXT)", "INSERT INTO t (a) VALUES (?)", "SELECT a FROM t WHERE a = ?"])
        #expect(entries.map { $0["expanded"] } == ["CREATE TABLE t (a TEXT)", "INSERT INTO t (a) VALUES ('it''s')", "SELECT a FROM t WHERE a = 'x'"])
    }

    @Test func withoutAFileNothingIsTraced() throws {
        let db = try Database(path: TestPaths.scratch() + "/t.db")
        #expect(SQLTrace.start(on: db.handle, path: nil) == nil)
        #expect(SQLTrace.start(on: db.handle, path: "") == nil)
    }
}
