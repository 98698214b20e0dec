import Foundation

/// Dated report folders for nightly runs: `OUT/2026-11-03/` holds the reports of the run that
/// started on that UTC day (`OUT/2026-11-03-2/` a second run that day), and `OUT/latest` is a
/// symbolic link to the last run's folder, swapped in one `rename` so a reader (a web server,
/// a mail script) never sees it missing or half-changed.
///
/// Dated by the run, not by the data: a folder named after the day the data ends put a night
/// whose EDR export reached less far than the night before into an older folder, and `latest`
/// (which then refused to move back) showed the stale report while the run alerted on new
/// incidents. Each report still says which data it covers (its data window).
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

    /// `YYYY-MM-DD`, the UTC day of `time` (ms since the epoch): the name of a run's folder.
    public static func day(of time: Int64) -> String {
        String(TimeParser.iso8601(time).prefix(10))
    }

    /// Creates and returns the folder for a run that started at `startedAt` (ms UTC):
    /// `OUT/YYYY-MM-DD`, or `OUT/YYYY-MM-DD-2`, `-3` … when an earlier run of that day has its
    /// folder, so a second run (a re-run after fixing an input) never overwrites the first's
    /// reports. `mkdir` refuses a folder that exists, so two runs never get the same one.
    public static func forRun(out: String, startedAt: Int64) throws(Error) -> String {
        if let problem = makeFolder(out) { throw Error(path: out, problem: "cannot create the report folder (\(problem))") }
        let day = day(of: startedAt)
        var n = 1
        while true {
            let folder = (out as NSString).appendingPathComponent(n == 1 ? day : "\(day)-\(n)")
            if mkdir(folder, 0o755) == 0 { return folder }
            if errno != EEXIST { throw Error(path: folder, problem: "cannot create the report folder (\(String(cString: strerror(errno))))") }
            n += 1
        }
    }

    /// Points `OUT/latest` at `folder` (a folder inside `OUT`; the link is relative, so the tree
    /// can be moved or copied): always the run that just wrote its reports, whatever its data.
    public static func pointLatest(out: String, at folder: String) throws(Error) {
        let latest = (out as NSString).appendingPathComponent("latest")
        var info = stat()
        if lstat(latest, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK {
            throw Error(path: latest, problem: "exists and is not a symbolic link; move it away so mailscope can point it at the newest reports")
        }
        let target = (folder as NSString).lastPathComponent
        let temporary = (out as NSString).appendingPathComponent(".latest-\(getpid())")
        unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw Error(path: temporary, problem: "cannot create a symbolic link (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, latest) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Error(path: latest, problem: "cannot replace it (\(reason))")
        }
    }
}
