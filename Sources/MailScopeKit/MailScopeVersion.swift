import CSQLite

/// The tool's version, printed by `--version` and recorded in reports and the `run` table.
public enum MailScopeVersion {
    public static let string = "0.1.0"

    /// The SQLite library this process runs with (`sqlite3_libversion()`), which on a server is
    /// the distribution's libsqlite3, not the headers it was built against: `--version` prints it
    /// so a report of odd behaviour names the SQLite in use.
    public static var sqliteLibrary: String {
        String(cString: sqlite3_libversion())
    }
}
