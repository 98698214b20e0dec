import Foundation
import Testing
@testable import MailScopeKit

/// Ad-hoc and saved hunts: read-only, one statement, parameters bound, every refusal a message
/// that says what to change.
@Suite struct HuntTests {
    static func database() throws -> Database {
        let db = try Database(path: TestPaths.scratch() + "/h.db")
        try db.run("INSERT INTO watch_list (list, address, local_part, source_path, source_sha256, source_line) VALUES ('vip', 'ana@acme.example', 'ana', 'vip.txt', 'x', 1)")
        return db
    }

    @Test func sqlRunsWithParametersBound() throws {
        let db = try Self.database()
        let r = try Hunt.run(sql: "SELECT address FROM watch_list WHERE list = :list", source: "q.sql", on: db, parameters: ["list": .text("vip")])
        #expect(r.columns == ["address"] && r.rows == [[.text("ana@acme.example")]])
    }

    @Test(arguments: [
        ("", Hunt.Error.noSQL),
        ("DELETE FROM watch_list", .writes),
        ("SELECT 1; SELECT 2", .moreThanOneStatement(rest: "SELECT 2")),
        ("SELECT 1; -- a note\n", nil),
    ] as [(String, Hunt.Error?)])
    func refusals(sql: String, expected: Hunt.Error?) throws {
        let db = try Self.database()
        do {
            _ = try Hunt.run(sql: sql, source: "q.sql", on: db, parameters: [:])
            #expect(expected == nil)
        } catch let error as Hunt.Error {
            #expect(error == expected)
        }
        #expect(try db.scalar("SELECT COUNT(*) FROM watch_list")?.intValue == 1, "nothing was changed")
    }

    @Test func aSyntaxErrorPointsAtTheLineAndColumn() throws {
        let db = try Self.database()
        #expect {
            _ = try Hunt.run(sql: "SELECT 1\nFROM nowhere WHERE", source: "q.sql", on: db, parameters: [:])
        } throws: { error in
            guard case Hunt.Error.doesNotPrepare(let source, _, _, _, _) = error else { return false }
            return source == "q.sql" && (error as! Hunt.Error).description.hasPrefix("q.sql")
        }
    }

    @Test func savedHuntsNeedTheirTextParametersAndRefuseUnknownOnes() throws {
        let db = try Self.database()
        let hunt = try Rule(yaml: """
            id: MS-HUNT-PEOPLE-ON-LIST
            title: People on a list
            version: 1
            kind: hunt
            severity: info
            description: d
            triage: Read the rows.
            params: {list: vip, max_rows: 10}
            sql: SELECT address FROM watch_list WHERE list = :list LIMIT :max_rows
            """, source: "h.yml")
        #expect(try Hunt.find("people-on-list", in: [hunt]).id == hunt.id)
        #expect(throws: Hunt.Error.unknownHunt("nope")) { try Hunt.find("nope", in: [hunt]) }
        #expect(throws: Hunt.Error.missingParameters(hunt: "people-on-list", names: ["list"], example: "--param list=vip")) {
            try Hunt.run(hunt, named: "people-on-list", on: db, parameters: [:], since: nil, until: nil)
        }
        #expect(throws: Hunt.Error.unknownParameter(hunt: "people-on-list", parameter: "color", takes: ["list", "max_rows"])) {
            try Hunt.run(hunt, named: "people-on-list", on: db, parameters: ["list": .text("vip"), "color": .text("red")], since: nil, until: nil)
        }
        let r = try Hunt.run(hunt, named: "people-on-list", on: db, parameters: ["list": .text("vip")], since: nil, until: nil)
        #expect(r.rows.count == 1)
    }
}
