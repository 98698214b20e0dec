import Foundation

/// Writes a report file so that a reader, or a crash, never sees half of it: the bytes go to
/// `NAME.tmp-PID` beside it, then one `rename` replaces the old file. A process killed between
/// the two leaves its temporary behind; the next write of the same file removes temporaries
/// whose process is gone (a live one may be another writer's, and is left alone).
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    public static func write(_ data: Data, to path: String) throws {
        removeStaleTemporaries(of: path)
        let tmp = path + ".tmp-\(getpid())"
        try data.write(to: URL(fileURLWithPath: tmp))
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw IngestError.cannotOpen(path: path, reason: reason)
        }
    }

    /// Deletes `NAME.tmp-PID` siblings of `path` whose process no longer exists.
    static func removeStaleTemporaries(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink((folder as NSString).appendingPathComponent(name))
            }
        }
    }
}
