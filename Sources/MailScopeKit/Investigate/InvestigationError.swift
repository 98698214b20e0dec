/// Why an investigation query could not run. Each message says what is wrong and what to do.
public enum InvestigationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The database file does not exist.
    case noDatabase(path: String)
    /// The file is an SQLite database, but not one MailScope wrote.
    case notMailScopeDatabase(path: String)
    /// The database was written by an older or newer MailScope than this one.
    case schemaMismatch(path: String, found: Int, expected: Int)
    /// A `--since`/`--until` value that is no date.
    case badTime(option: String, value: String)
    /// `--since` is not before `--until`.
    case emptyPeriod
    /// A value that cannot be what the option asks for (an empty address, a hash of the wrong form).
    case badValue(option: String, value: String, expected: String)
    /// A filter was given to a query it means nothing to (the CLI does not offer it there).
    case filterNotApplicable(option: String, query: String)
    /// No incident has that number or key.
    case noSuchIncident(String, incidents: Int)
    /// SQLite failed while the query ran.
    case queryFailed(database: String, message: String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "\(path): no such database — build one with `mailscope ingest EXPORTS… --db \(path)` or `mailscope run`"
        case .notMailScopeDatabase(let path):
            return "\(path): not a MailScope database (no schema version) — give the file `mailscope ingest --db` wrote"
        case .schemaMismatch(let path, let found, let expected) where found < expected:
            return "\(path) has schema version \(found), this mailscope reads \(expected): run `mailscope detect --db \(path)` once to upgrade it"
        case .schemaMismatch(let path, let found, let expected):
            return "\(path) has schema version \(found), newer than this mailscope understands (\(expected)); upgrade mailscope"
        case .badTime(let option, let value):
            return "\(option) \(value): not a date — write 2026-11-02, 2026-11-02T09:00:00Z or 2026-11-02T10:00:00+01:00"
        case .emptyPeriod:
            return "--since must be before --until"
        case .badValue(let option, let value, let expected):
            return "\(option) \(value): expected \(expected)"
        case .filterNotApplicable(let option, let query):
            return "\(option) does not apply to \(query)"
        case .noSuchIncident(let text, let count):
            return count == 0 ? "no incident \(text): the database holds no incidents (run `mailscope detect` or `mailscope run` first)"
                : "no incident \(text): give its number as the reports show it (#1…#\(count)) or its key (`mailscope query incident` lists them)"
        case .queryFailed(let database, let message):
            return "\(database): the query failed: \(message)"
        }
    }
}
