import Foundation

/// Dated report folders for nightly runs: `OUT/2026-11-02/` holds the reports of the run whose
/// data ends on that day, and `OUT/latest` is a symbolic link to the newest one, swapped in one
/// `rename` so a reader (a web server, a mail script) never sees it missing or half-changed.
public enum ReportFolder {
    /// Why the folders could not be set up.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// Creates `folder` if missing and checks a file can be written in it.
    public static func checkWritable(_ folder: String) throws(Error) {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Error(path: folder, problem: "cannot create the report folder (\(error.localizedDescription))")
        }
        let probe = (folder as NSString).appendingPathComponent(".mailscope-write-test-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw Error(path: folder, problem: "cannot write reports here (\(String(cString: strerror(errno))))")
        }
        close(fd)
        unlink(probe)
    }

    /// `OUT/DAY`, created if missing.
    public static func dated(out: String, day: String) throws -> String {
        let folder = (out as NSString).appendingPathComponent(day)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Points `OUT/latest` at `OUT/DAY` (a relative link, so the tree can be moved or copied),
    /// unless it already points at a later day (a late export filed under an older day must not
    /// move `latest` back). Returns the day `latest` points at afterwards.
    @discardableResult
    public static func pointLatest(out: String, day: String) throws(Error) -> String {
        let latest = (out as NSString).appendingPathComponent("latest")
        var info = stat()
        if lstat(latest, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK {
            throw Error(path: latest, problem: "exists and is not a symbolic link; move it away so mailscope can point it at the newest reports")
        }
        if let current = try? FileManager.default.destinationOfSymbolicLink(atPath: latest), current.count == 10, current > day,
           FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent(current)) {
            return current
        }
        let temporary = (out as NSString).appendingPathComponent(".latest-\(getpid())")
        unlink(temporary)
        guard symlink(day, temporary) == 0 else {
            throw Error(path: temporary, problem: "cannot create a symbolic link (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, latest) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Error(path: latest, problem: "cannot replace it (\(reason))")
        }
        return day
    }
}
