/// What `--db` names: an SQLite file, or a `postgresql://` URL. A command that does not work on
/// PostgreSQL yet recognises the URL so that it is refused with a message instead of being taken for a file name
/// (which made a reader say the database "does not exist" and a writer fail on a lock file in
/// a folder called `postgresql:`).
public enum DatabaseLocation {
    /// Whether `value` is a PostgreSQL connection URL (`postgresql://…`, `postgres://…`).
    public static func isPostgresURL(_ value: String) -> Bool {
        let lower = value.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// `value` without a password: `postgresql://user:secret@host/db` → `postgresql://user@host/db`.
    public static func withoutPassword(_ value: String) -> String {
        guard let scheme = value.range(of: "://") else { return value }
        let rest = value[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return value }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return value }
        return String(value[..<scheme.upperBound]) + userInfo[..<colon] + rest[at...]
    }

    /// The message for a PostgreSQL URL given to a command that works on an SQLite file only.
    public static func postgresNotYetMessage(_ value: String) -> String {
        "\(withoutPassword(value)) is a PostgreSQL database; this command works on an SQLite file only so far "
            + "(on PostgreSQL: `mailscope db copy` puts a database there, `mailscope report` and `mailscope hunt` read it; "
            + "docs/scaling.md, \"PostgreSQL for bigger tenants\") — give a file, e.g. --db case.db"
    }
}
