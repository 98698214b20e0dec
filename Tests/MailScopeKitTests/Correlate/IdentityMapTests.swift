import Foundation
import Testing
@testable import MailScopeKit

/// email ↔ account ↔ host: from the directory, from UPNs, inferred from local parts only
/// when unambiguous.
@Suite struct IdentityMapTests {
    /// Mail for a set of mailboxes, and an MDE export for accounts on hosts.
    private func load(mailboxes: [String], edrRows: [(host: String, account: String, upn: String)], directory: String? = nil) throws -> LoadedDatabase {
        let dir = TestPaths.scratch()
        let template = try String(contentsOfFile: TestPaths.fixture("mimecast/siem_v2_events.ndjson"), encoding: .utf8)
            .split(separator: "\n").first.map(String.init) ?? ""
        let mail = mailboxes.enumerated().map { i, address in
            template.replacingOccurrences(of: "Ana.Lima@Acme-Corp.example", with: address).replacingOccurrences(of: "PrcRcpt0001", with: "P\(i)")
        }.joined(separator: "\n")
        try Array((mail + "\n").utf8).write(to: dir + "/mail.ndjson")
        var csv = "Timestamp,DeviceName,ActionType,FileName,InitiatingProcessAccountDomain,InitiatingProcessAccountName,InitiatingProcessAccountUpn\n"
        for (i, r) in edrRows.enumerated() {
            csv += "2026-11-02T10:00:\(String(format: "%02d", i % 60))Z,\(r.host),FileCreated,f\(i).txt,ACME,\(r.account),\(r.upn)\n"
        }
        try Array(csv.utf8).write(to: dir + "/edr.csv")
        if let directory { try Array(directory.utf8).write(to: dir + "/identities.csv") }
        return try LoadedDatabase([dir])
    }

    @Test func upnInEDRIsAnExactMapping() throws {
        let db = try load(mailboxes: ["ana.lima@acme-corp.example"], edrRows: [("ws-0042.corp.acme-corp.example", "alima", "Ana.Lima@acme-corp.example")])
        #expect(try IdentityMap.hosts(of: "ana.lima@acme-corp.example", in: db.db) == ["ws-0042"])
        #expect(try db.rows("SELECT source, confidence FROM identity").first?.text("source") == "edr_upn")
    }

    @Test func directoryResolvesAccountsWhoseNameIsNotTheLocalPart() throws {
        let db = try load(mailboxes: ["ana.lima@acme-corp.example"], edrRows: [("WS-0042", "alima", "")],
                          directory: "email,upn,account,host\nana.lima@acme-corp.example,,alima,WS-0042\n")
        #expect(try IdentityMap.hosts(of: "ana.lima@acme-corp.example", in: db.db) == ["ws-0042"])
        #expect(try db.count("identity_issue") == 0)
        #expect(db.summary.identities?.bySource["directory"] == 1)
    }

    @Test func uniqueLocalPartIsInferredAndMarkedSo() throws {
        let db = try load(mailboxes: ["tbaker@acme-corp.example"], edrRows: [("ws-0200", "tbaker", "")])
        let row = try #require(try db.rows("SELECT * FROM identity").first)
        #expect(row.text("email") == "tbaker@acme-corp.example")
        #expect(row.text("host") == "ws-0200")
        #expect(row.text("source") == "edr_local_part")
        #expect(row.text("confidence") == "inferred")
        #expect(row.text("evidence")?.contains("acme\\tbaker on ws-0200") == true)
    }

    @Test func ambiguousLocalPartIsReportedNotGuessed() throws {
        let db = try load(mailboxes: ["jsmith@acme-corp.example", "jsmith@partner.example"], edrRows: [("ws-0300", "jsmith", "")])
        #expect(try db.count("identity") == 0)
        let issue = try #require(try db.rows("SELECT * FROM identity_issue").first)
        #expect(issue.text("kind") == "ambiguous")
        #expect(issue.text("candidates") == #"["jsmith@acme-corp.example","jsmith@partner.example"]"#)
        #expect(db.summary.identities?.ambiguous == 1)
        #expect(db.messages.contains { $0.contains("identity: ambiguous") && $0.contains("jsmith") })
    }

    @Test func firstInitialLastNameIsInferredOnlyWhenOneMailboxFits() throws {
        let db = try load(mailboxes: ["ana.lima@acme-corp.example", "daniel.lopez@acme-corp.example", "donna.lopez@acme-corp.example"],
                          edrRows: [("ws-0042", "alima", ""), ("ws-0793", "dlopez", ""), ("ws-0214", "dlopez2", "")])
        let ana = try #require(try db.rows("SELECT * FROM identity WHERE account = 'alima'").first)
        #expect(ana.text("email") == "ana.lima@acme-corp.example")
        #expect(ana.text("source") == "edr_name_pattern")
        let issues = try db.rows("SELECT account, kind, candidates FROM identity_issue ORDER BY account")
        #expect(issues.map { $0.text("account") } == ["dlopez", "dlopez2"])
        #expect(issues.allSatisfy { $0.text("kind") == "ambiguous" && $0.text("candidates") == #"["daniel.lopez@acme-corp.example","donna.lopez@acme-corp.example"]"# })
        #expect(IdentityMap.namePattern("ana.lima") == "alima")
        #expect(IdentityMap.namePattern("alima") == nil)
    }

    @Test func serviceAccountsAndUnknownAccountsMapNothing() throws {
        let db = try load(mailboxes: ["ana.lima@acme-corp.example"], edrRows: [("ws-0042", "system", ""), ("ws-0042", "zz_unknown", "")])
        #expect(try db.count("identity") == 0)
        #expect(try db.count("identity_issue", "kind = 'unresolved' AND account = 'zz_unknown'") == 1)
        #expect(try db.count("identity_issue", "account = 'system'") == 0)
    }

    @Test func conflictingDirectoryEntriesAreReported() throws {
        let db = try load(mailboxes: ["a@acme-corp.example", "b@acme-corp.example"], edrRows: [("ws-1", "shared", "")],
                          directory: "email,upn,account,host\na@acme-corp.example,,shared,ws-1\nb@acme-corp.example,,shared,ws-1\n")
        #expect(try db.count("identity_issue", "kind = 'conflict' AND account = 'shared'") == 1)
    }

    /// The issue's case: `acosta2` is Ana Costa 2's account, never Ana Costa's.
    @Test(arguments: [
        // mailboxes, account → expected mailbox (nil: not used), issue kind
        (["ana.costa@acme-corp.example", "ana.costa2@acme-corp.example"], "acosta2", "ana.costa2@acme-corp.example" as String?, nil as String?),
        (["ana.costa@acme-corp.example"], "acosta2", nil as String?, "ambiguous" as String?),
        (["ana.costa@acme-corp.example"], "acosta", "ana.costa@acme-corp.example" as String?, nil as String?),
    ] as [([String], String, String?, String?)])
    func aNumberedAccountIsNeverTheUnnumberedPersons(mailboxes: [String], account: String, expected: String?, issueKind: String?) throws {
        let db = try load(mailboxes: mailboxes, edrRows: [("ws-0500", account, "")])
        let mapped = try db.rows("SELECT email FROM identity WHERE account = ?", [.text(account)]).compactMap { $0.text("email") }
        #expect(mapped == (expected.map { [$0] } ?? []))
        #expect(try db.rows("SELECT kind FROM identity_issue WHERE account = ?", [.text(account)]).first?.text("kind") == issueKind)
        #expect(IdentityMap.namePattern("ana.costa2") == "acosta2")
    }

    /// The directory wins: an inference that contradicts it is reported, not used; an account
    /// the directory knows, seen on another computer, is that mailbox's (and says so).
    @Test func anInferenceThatContradictsTheDirectoryIsReportedNotUsed() throws {
        let directory = "email,upn,account,host\nana.costa@acme-corp.example,,acosta,ws-0001\nana.costa2@acme-corp.example,,acosta2,ws-0002\n"
        let db = try load(mailboxes: ["ana.costa@acme-corp.example", "ana.costa2@acme-corp.example", "acosta9@acme-corp.example"],
                          edrRows: [("ws-0003", "acosta2", ""), ("ws-0004", "ana.costa", "")],
                          directory: directory)
        // acosta2 on a third computer: the directory names its mailbox.
        let second = try #require(try db.rows("SELECT email, source FROM identity WHERE account = 'acosta2' AND host = 'ws-0003'").first)
        #expect(second.text("email") == "ana.costa2@acme-corp.example")
        #expect(second.text("source") == "directory_account")
        // "ana.costa" as an account would be ana.costa@ by its local part, but the directory
        // gives ana.costa@ the account acosta: a contradiction, reported and not used.
        #expect(try db.count("identity", "account = 'ana.costa'") == 0)
        #expect(try db.count("identity_issue", "kind = 'conflict' AND account = 'ana.costa'") == 1)
        #expect(db.summary.identities?.bySource["directory_account"] == 1)
    }
}
