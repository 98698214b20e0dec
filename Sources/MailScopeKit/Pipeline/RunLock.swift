import Foundation

/// One writer per database: `run`, `ingest`, `detect` and `prune` hold `DB.lock` while they
/// work, so a nightly cron run and a responder's manual run cannot interleave their writes.
///
/// The lock is an advisory `flock` on `DB.lock`, which the kernel releases when the process
/// ends however it ends; the file also holds who took it (pid, host, time, command) so the
/// second run can say who is in the way. A run that is killed leaves that text behind without
/// the lock held: the next run sees it, says it is taking over a stale lock, and goes on. The
/// file is never deleted (deleting a lock file races with a third process opening it); a clean
/// release empties it.
public final class RunLock {
    /// Why the lock could not be taken.
    public enum Error: Swift.Error, CustomStringConvertible {
        /// Another live process holds it.
        case busy(path: String, holder: String)
        /// The lock file cannot be created or opened.
        case unusable(path: String, reason: String)

        public var description: String {
            switch self {
            case .busy(let path, let holder):
                let who = holder.isEmpty ? "another mailscope process" : "another mailscope process (\(holder))"
                return "\(path.dropLast(5)) is in use: \(who) is writing to it (lock file \(path)); wait for it to finish, or stop it, then run again"
            case .unusable(let path, let reason):
                return "\(path): cannot create the lock file (\(reason)); check the folder is writable"
            }
        }
    }

    public let path: String
    /// What the previous holder left in the lock file when it did not release it (a killed or
    /// crashed run), or nil when the lock was free and clean.
    public let staleHolder: String?
    private var fd: Int32

    /// Takes the lock for the database at `databasePath`, or throws `Error.busy` at once (it
    /// never waits: a cron job should fail loudly, not queue up behind a stuck run).
    public init(databasePath: String, command: String) throws(Error) {
        path = databasePath + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .unusable(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.read(fd)
            close(fd)
            throw .busy(path: path, holder: holder)
        }
        let previous = Self.read(fd)
        staleHolder = previous.isEmpty ? nil : previous
        let host = ProcessInfo.processInfo.hostName
        let started = TimeParser.iso8601(Int64(Date().timeIntervalSince1970 * 1000))
        let text = "pid \(getpid()) on \(host), started \(started): \(command)"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        _ = fsync(fd)
    }

    /// Empties the file and releases the lock. Also done when the process ends.
    public func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    private static func read(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return "" }
        return String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
