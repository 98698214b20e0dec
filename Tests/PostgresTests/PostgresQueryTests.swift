import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// `mailscope query … --db postgresql://…`, `triage --list` and `db info`: every investigation
/// reads a PostgreSQL copy of the scenario through the same library code, in a READ ONLY
/// snapshot, and returns what it returns from the SQLite file.
@Suite(.serialized) struct PostgresQueryTests {
    @Test func everyInvestigationReadsTheSameFromBothStores() throws {
        let path = try ScenarioDatabase.path.get()
        let sqlite = try Database.openForReading(path: path)
        try PostgresTestServer.with { server in
            try PostgresCopier.copy(from: sqlite, to: try server.connect())
            let pg = try PostgresReader.open(server.conninfo, application: "mailscope query (test)")
            let all = try InvestigationFilter(user: nil, sender: nil, domain: nil, url: nil, messageID: nil, since: nil, until: nil)
            let user = try sqlite.rows("SELECT user FROM finding WHERE user IS NOT NULL ORDER BY id LIMIT 1").first?.text("user") ?? ""
            let message = try sqlite.rows("SELECT message_id FROM finding WHERE message_id IS NOT NULL ORDER BY id LIMIT 1").first?.text("message_id") ?? ""
            let host = try sqlite.rows("SELECT host FROM incident_host ORDER BY incident_id, host LIMIT 1").first?.text("host") ?? ""
            #expect(!user.isEmpty && !message.isEmpty && !host.isEmpty)
            let investigations: [(String, (Database) throws -> String)] = [
                ("url", { "\(try InvestigationQuery.urlClicks(includingEntryScans: true).run($0, filter: all, limit: 0))" }),
                ("attachment", { "\(try InvestigationQuery.attachments.run($0, filter: all, limit: 0))" }),
                ("impersonation", { "\(try InvestigationQuery.impersonations.run($0, filter: all, limit: 0))" }),
                ("message", { "\(try MessageTrace.run($0, messageID: message, limit: 0))" }),
                ("threat-activity", { "\(try ThreatActivity.run($0, filter: all, top: 10, limit: 0))" }),
                ("user", { "\(try UserProfile.run($0, user: user, period: all, top: 10, limit: 0))" }),
                ("incidents", { "\(try IncidentDetail.list($0, limit: 0))" }),
                ("incident 1", { "\(try IncidentDetail.run($0, incident: "1", limit: 0))" }),
                ("incident 4", { "\(try IncidentDetail.run($0, incident: "#4", limit: 0))" }),
                ("host", { "\(try HostActivity.timeline($0, host: host, since: nil, until: nil))" }),
                ("triage", { "\(try Triage.list($0, all: true, history: false))" }),
            ]
            for (name, investigation) in investigations {
                let expected = try investigation(sqlite)
                #expect(expected.count > 200, "\(name) shows too little for the comparison to mean much")
                #expect(try investigation(pg) == expected, "\(name) differs")
            }
            #expect(try DatabaseInfo.describe(pg).contains("Schema version: \(Schema.currentVersion)"))
            // The snapshot is read-only: nothing can be written through it.
            #expect { try pg.run("DELETE FROM finding") } throws: { "\($0)".contains("read-only transaction") }
        }
    }
}
