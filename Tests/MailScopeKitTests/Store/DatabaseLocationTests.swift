import Foundation
import Testing
@testable import MailScopeKit

/// A `postgresql://` URL given as `--db` is refused with a message that never shows its
/// password, before anything is created on disk.
@Suite struct DatabaseLocationTests {
    @Test(arguments: [
        ("postgresql://analyst@db.example/cases", true),
        ("POSTGRES://db/cases", true),
        ("case.db", false),
        ("/evidence/postgresql-case.db", false),
        ("postgresql:case.db", false),
    ])
    func postgresURLsAreRecognised(_ value: String, _ expected: Bool) {
        #expect(DatabaseLocation.isPostgresURL(value) == expected)
    }

    @Test(arguments: [
        ("postgresql://analyst:s3cret@db.example:5433/cases", "postgresql://analyst@db.example:5433/cases"),
        ("postgresql://analyst:p%40ss:w@db/cases?sslmode=require", "postgresql://analyst@db/cases?sslmode=require"),
        ("postgresql://analyst@db/cases", "postgresql://analyst@db/cases"),
        ("postgresql://db/cases?user=a", "postgresql://db/cases?user=a"),
        ("postgresql://a:b@/cases?host=/run/pg", "postgresql://a@/cases?host=/run/pg"),
    ])
    func passwordsAreLeftOut(_ value: String, _ expected: String) {
        #expect(DatabaseLocation.withoutPassword(value) == expected)
    }

    @Test func readersAndWritersRefuseItBeforeTouchingTheDisk() {
        let url = "postgresql://analyst:s3cret@localhost/cases"
        let read = #expect(throws: DatabaseReadError.self) { _ = try Database.openForReading(path: url) }
        #expect(read == .postgresNotYet(path: url))
        // Every writer checks before it takes its lock (Job.takeLock), and `run` before it makes
        // its report folder; detect, prune and triage first check the database is there.
        let write = #expect(throws: DatabaseReadError.self) { try Database.checkForWriting(path: url) }
        #expect(write == .postgresNotYet(path: url))
        let existing = #expect(throws: DatabaseReadError.self) { try Database.checkExists(path: url) }
        #expect(existing == .postgresNotYet(path: url))
        for message in [read?.description, write?.description] {
            #expect(message?.contains("postgresql://analyst@localhost/cases is a PostgreSQL database") == true)
            #expect(message?.contains("s3cret") == false)
        }
        // Taken for a relative file name, the URL would have named a folder `postgresql:` here.
        #expect(!FileManager.default.fileExists(atPath: "postgresql:"))
    }
}
