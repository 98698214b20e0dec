import Foundation
import Testing

/// `mailscope query user` on the administration exports: attacker-controlled text (an audit
/// log's policy text, a DLP subject) reaches the terminal and JSON escaped; CSV written to a
/// pipe or file keeps the value as data (it is escaped only for a terminal, as everywhere).
@Suite struct AdministrationExportQueryCLITests {
    private func database() throws -> String {
        let db = CLI.scratch() + "/admin.db"
        let ingest = try CLI.run(["ingest", "fixtures/mimecast/admin_exports.ndjson", "fixtures/mimecast/dlp_logs_page.json", "--db", db])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return db
    }

    @Test func hostileAuditAndDLPTextIsEscapedInEveryFormat() throws {
        let db = try database()
        for user in ["api-3f2b6c1e-0000-4000-8000-000000000001@acme-corp.example", "helen.price@acme-corp.example"] {
            for format in ["table", "json"] {
                let r = try CLI.run(["query", "user", user, "--db", db, "--format", format, "--limit", "0"])
                #expect(r.status == 0, "\(user) \(format): \(r.stderr)")
                #expect(!r.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(user) \(format): raw control characters")
            }
        }
        let table = try CLI.run(["query", "user", "api-3f2b6c1e-0000-4000-8000-000000000001@acme-corp.example", "--db", db])
        #expect(table.stdout.contains("White URL Created"))
        #expect(table.stdout.contains("\\u{1B}[31m"))   // shown, not obeyed
        let json = try CLI.run(["query", "user", "helen.price@acme-corp.example", "--db", db, "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let dlp = try #require(doc["dlp"] as? [[String: Any]])
        #expect(dlp.contains { ($0["subject"] as? String) == "\u{1B}]8;;http://evil.example/\u{7}Payroll Q4" })   // JSON keeps the value, escaped
        #expect(dlp.count == 3)
        let admin = try #require(doc["admin_activity"] as? [[String: Any]])
        #expect(admin.map { $0["time"] as? String } == ["2026-11-02T09:15:00.000Z", "2026-11-02T09:16:30.000Z"])
    }

    /// The person's held copies released or rejected, and who did it (the recipient or an
    /// admin), with the message each release is linked to.
    @Test func queryUserListsTheReleasesOfTheirHeldMail() throws {
        let db = CLI.scratch() + "/release.db"
        let ingest = try CLI.run(["ingest", "fixtures/mimecast/release_join", "--db", db])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let json = try CLI.run(["query", "user", "ana.lima@acme-corp.example", "--db", db, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let releases = try #require(doc["releases"] as? [[String: Any]])
        #expect(releases.map { $0["status"] as? String } == ["rejected", "released"])
        #expect(releases.allSatisfy { $0["operator"] as? String == "it.admin@acme-corp.example" && $0["operator_role"] as? String == "admin" })
        #expect(releases.contains { $0["link"] as? String == "linked" && ($0["message_id"] as? String) != nil })
        // The admin's own query lists the releases they made for others.
        let admin = try CLI.run(["query", "user", "it.admin@acme-corp.example", "--db", db, "--format", "json"])
        let adminDoc = try #require(try JSONSerialization.jsonObject(with: Data(admin.stdout.utf8)) as? [String: Any])
        #expect((adminDoc["releases"] as? [[String: Any]])?.count == releases.count)
    }
}
