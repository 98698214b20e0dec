import CLibPQ
import MailScopeKit

/// Where a PostgreSQL connection goes, as `--db postgresql://user@host:port/dbname` or libpq's
/// `key=value` form, and how it is shown to a user: never with its password.
public struct PostgresTarget: Sendable, Equatable {
    /// The connection string as given; libpq reads it (with the PG* environment variables and
    /// ~/.pgpass for what it leaves out).
    public let conninfo: String
    /// `user@host:port/dbname` from the parts the string gives; a password is never shown.
    public let display: String
    /// Whether the string holds a password. Commands refuse one (``requireNoPassword()``): a
    /// command line is visible to every user of the machine (`ps`) and kept in shell history,
    /// and MailScope records its command line in the run table.
    public let hasPassword: Bool

    /// Parses `conninfo` with libpq's own parser; throws when libpq cannot read it.
    public init(_ conninfo: String) throws {
        self.conninfo = conninfo
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &error) else {
            let message = error.map { String(cString: $0) } ?? "unreadable connection string"
            if let error { PQfreemem(error) }
            // The string itself may hold a password: only its scheme is echoed.
            throw PostgresError(kind: .connection, message: message, target: PostgresTarget.scheme(of: conninfo))
        }
        defer { PQconninfoFree(options) }
        var parts: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { parts[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        display = PostgresTarget.display(parts)
        hasPassword = !(parts["password"] ?? "").isEmpty
    }

    /// Throws when the connection string holds a password, saying where it belongs instead.
    public func requireNoPassword() throws {
        guard hasPassword else { return }
        throw PostgresError(kind: .refused,
                            message: "the connection string holds a password, which a command line shows to every user of this machine; "
                                + "leave it out and put it in ~/.pgpass (chmod 600) or the PGPASSWORD variable",
                            target: display)
    }

    /// `user@host:port/dbname`, each part only when given (libpq fills the rest from PG*
    /// variables and its defaults at connect time).
    static func display(_ parts: [String: String]) -> String {
        var text = "postgresql://"
        if let user = parts["user"], !user.isEmpty { text += user + "@" }
        if let host = parts["host"] ?? parts["hostaddr"], !host.isEmpty { text += host.hasPrefix("/") ? "[socket \(host)]" : host }
        if let port = parts["port"], !port.isEmpty { text += ":" + port }
        if let db = parts["dbname"], !db.isEmpty { text += "/" + db }
        return text
    }

    private static func scheme(of conninfo: String) -> String {
        DatabaseLocation.isPostgresURL(conninfo) ? String(conninfo.prefix { $0 != ":" }) + "://…" : "the given connection string"
    }
}
