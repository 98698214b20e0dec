import Foundation
import Testing
@testable import MailScopeKit

@Suite struct WatchListTests {
    @Test func readsAddressesAndNamesSkippingCommentsHeaderAndRepeats() throws {
        let dir = TestPaths.scratch()
        let path = dir + "/vip.txt"
        try Data("\u{FEFF}email,display_name\n# executives\nDana.Whitfield@ACME-corp.example, \"Dana Whitfield\"\n\nana.lima@acme-corp.example\ndana.whitfield@acme-corp.example\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let list = try WatchList.load(argument: "vip=\(path)")
        #expect(list.name == "vip")
        #expect(list.entries.map(\.address) == ["dana.whitfield@acme-corp.example", "ana.lima@acme-corp.example"])
        #expect(list.entries.map(\.displayName) == ["Dana Whitfield", nil])
        #expect(list.entries.map(\.line) == [3, 5])
        #expect(list.sha256.count == 64)
        let db = try Database(path: dir + "/t.db")
        try Schema.migrate(db)
        try list.store(in: db)
        try list.store(in: db)  // loading again replaces, never duplicates
        #expect(try db.query("SELECT address, local_part, display_name FROM watch_list ORDER BY address").map { $0.map { $0.stringValue ?? "-" } }
                == [["ana.lima@acme-corp.example", "ana.lima", "-"], ["dana.whitfield@acme-corp.example", "dana.whitfield", "dana whitfield"]])
    }

    @Test func badInputNamesFileLineAndProblem() throws {
        let dir = TestPaths.scratch()
        let path = dir + "/vip.txt"
        try Data("ana.lima@acme-corp.example\nDana Whitfield\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: WatchList.Error(path: path, line: 2, problem: "\"Dana Whitfield\" is not an email address")) {
            try WatchList.load(name: "vip", path: path)
        }
        #expect(throws: WatchList.Error.self) { try WatchList.load(argument: "=\(path)") }
        #expect(throws: WatchList.Error.self) { try WatchList.load(name: "vip list", path: path) }
        #expect(throws: WatchList.Error.self) { try WatchList.load(name: "vip", path: dir + "/missing.txt") }
    }
}
