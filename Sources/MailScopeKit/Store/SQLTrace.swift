import CSQLite
import Foundation

/// A diagnostic record of the SQL a run executes, for finding which statements use which index
/// (`scripts/index-usage`, issue 20): when the environment variable `MAILSCOPE_SQL_TRACE` names a
/// file, every connection appends one JSON line per distinct statement text the first time it
/// runs, `{"sql": …, "expanded": …}` (`expanded` with that first run's bound values, so
/// `EXPLAIN QUERY PLAN` can be asked of it). Off unless the variable is set; nothing else reads it.
final class SQLTrace {
    /// The environment variable that names the trace file.
    static let variable = "MAILSCOPE_SQL_TRACE"

    private let file: FileHandle
    private var seen: Set<String> = []

    private init(file: FileHandle) { self.file = file }

    /// Starts tracing `handle` into `path` (by default the variable's file; nil when unset or
    /// when the file cannot be opened). The caller keeps the returned trace alive as long as the
    /// connection: SQLite holds an unretained pointer to it.
    static func start(on handle: OpaquePointer, path: String? = ProcessInfo.processInfo.environment[variable]) -> SQLTrace? {
        guard let path, !path.isEmpty else { return nil }
        // O_APPEND: the connections of one run, and of several commands, add whole lines to one file.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        let trace = SQLTrace(file: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
        sqlite3_trace_v2(handle, UInt32(SQLITE_TRACE_STMT), { _, context, statement, _ in
            guard let context, let statement else { return 0 }
            Unmanaged<SQLTrace>.fromOpaque(context).takeUnretainedValue().record(OpaquePointer(statement))
            return 0
        }, Unmanaged.passUnretained(trace).toOpaque())
        return trace
    }

    private func record(_ statement: OpaquePointer) {
        guard let text = sqlite3_sql(statement).map({ String(cString: $0) }), seen.insert(text).inserted else { return }
        var expanded = text
        if let pointer = sqlite3_expanded_sql(statement) {
            expanded = String(cString: pointer)
            sqlite3_free(pointer)
        }
        guard var line = try? JSONSerialization.data(withJSONObject: ["sql": text, "expanded": expanded], options: [.sortedKeys]) else { return }
        line.append(0x0A)
        file.write(line)
    }
}
