import ArgumentParser
import MailScopeKit

/// Opening the database for a command that only reads (`report`, `query`, `hunt`, `db info`):
/// read-only, nothing created beside it, and a missing, foreign or unreadable file is one
/// sentence on stderr and exit 2 (the input stopped the command).
enum ReadOnlyDatabase {
    static func open(_ path: String, requireCurrentSchema: Bool = true) throws -> Database {
        do {
            return try Database.openForReading(path: path, requireCurrentSchema: requireCurrentSchema)
        } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
    }
}
