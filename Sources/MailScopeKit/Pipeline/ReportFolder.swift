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
        let advice = "give --out a folder this user can write to, or make this one writable"
        if let problem = makeFolder(folder) {
            throw Error(path: folder, problem: "cannot create the report folder (\(problem)) — \(advice)")
        }
        let probe = (folder as NSString).appendingPathComponent(".mailscope-write-test-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw Error(path: folder, problem: "cannot write reports here (\(String(cString: strerror(errno)))) — \(advice)")
        }
        close(fd)
        unlink(probe)
    }

    /// Creates `folder` and its missing parents (`mkdir -p`); returns why it could not, in the
    /// operating system's words and naming the part in the way, or nil.
    static func makeFolder(_ folder: String) -> String? {
        var path = folder.hasPrefix("/") ? "" : "."
        for part in folder.split(separator: "/") {
            path += "/" + part
            var info = stat()
            if stat(path, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR { return "\(path) is a file, not a folder" }
                continue
            }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                return "\(path): \(String(cString: strerror(errno)))"
            }
        }
        return nil
    }

    /// A failed file operation in the operating system's words ("Permission denied", "No space
    /// left on device"), not Foundation's `Error Domain=…` dump.
    public static func reason(_ error: any Swift.Error) -> String {
        var current = error as NSError
        while true {
            if current.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(current.code))) }
            guard let underlying = current.userInfo[NSUnderlyingErrorKey] as? NSError else { break }
            current = underlying
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if case IngestError.cannotOpen(_, let reason)? = error as? IngestError { return reason }
        return (error as NSError).localizedDescription
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
