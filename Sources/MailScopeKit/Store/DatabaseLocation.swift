/// What `--db` names: an SQLite file, or a `postgresql://` URL. Where only a file will do (the
/// source of `mailscope db copy`), the URL is refused with a message instead of being taken for a file name
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

    /// The message for a PostgreSQL URL given where only an SQLite file will do (the database
    /// `mailscope db copy` copies from).
    public static func postgresNotYetMessage(_ value: String) -> String {
        "\(withoutPassword(value)) is a PostgreSQL database; an SQLite file is needed here (`mailscope db copy --db FILE --to URL` "
            + "copies a file into PostgreSQL) — give a file, e.g. --db case.db"
    }
}
