import MailScopeKit

/// One writer per PostgreSQL database, as the SQLite store allows one writer per file: a
/// session-level advisory lock that the server releases when the holding connection ends
/// (a killed run cannot leave it behind). Readers never take it.
public enum PostgresWriterLock {
    /// The advisory lock key ("MailScop" in ASCII). Advisory locks are per database, so one
    /// constant serves every MailScope database on a server.
    public static let key: Int64 = 0x4D61_696C_5363_6F70

    /// Who holds the lock: enough for a user to find the other run.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        public let pid: Int64
        public let application: String
        public let user: String
        public let client: String
        public let since: String

        public var description: String {
            "process \(pid) (\(application.isEmpty ? "no application name" : application), user \(user), from \(client), connected \(since))"
        }
    }

    /// Takes the lock on `connection`, or throws `.locked` naming the holder.
    public static func acquire(_ connection: PostgresConnection) throws {
        let taken = try connection.rows("SELECT pg_try_advisory_lock($1) AS taken", [.integer(key)])
        guard taken.first?.int("taken") != 1 else { return }
        let holder = try self.holder(connection)
        throw PostgresError(kind: .locked,
                            message: "another mailscope is writing to this database: " + (holder.map(\.description) ?? "a process that has since ended; try again")
                                + ". Wait for it to finish; readers (report, query, hunt) can run meanwhile.",
                            target: connection.target.display)
    }

    /// Releases the lock taken by `acquire` on the same connection.
    public static func release(_ connection: PostgresConnection) throws {
        try connection.execute("SELECT pg_advisory_unlock($1)", [.integer(key)])
    }

    /// The session that holds the lock in this database, if any.
    public static func holder(_ connection: PostgresConnection) throws -> Holder? {
        // A bigint advisory key is stored as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
        let rows = try connection.rows("""
            SELECT a.pid, COALESCE(a.application_name, '') AS application, COALESCE(a.usename, '') AS usename,
                   COALESCE(host(a.client_addr), 'a local socket') AS client,
                   to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, [.integer(key >> 32), .integer(key & 0xFFFF_FFFF)])
        guard let row = rows.first else { return nil }
        return Holder(pid: row.int("pid") ?? 0, application: row.text("application") ?? "", user: row.text("usename") ?? "",
                      client: row.text("client") ?? "", since: row.text("since") ?? "")
    }
}
