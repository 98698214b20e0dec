import Foundation

/// Expands the paths given on the command line into input files: folders are walked
/// recursively in a stable (sorted) order, symlink loops are detected, hidden files skipped.
enum InputCollector {
    struct Problem {
        var path: String
        var message: String
    }

    static func collect(_ paths: [String]) -> (files: [String], problems: [Problem]) {
        var files: [String] = []
        var problems: [Problem] = []
        var seen = Set<String>()
        let fm = FileManager.default

        func walk(_ path: String, visiting: Set<String>) {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                problems.append(Problem(path: path, message: "\(path): no such file or folder"))
                return
            }
            let real = (path as NSString).resolvingSymlinksInPath
            if isDir.boolValue {
                if visiting.contains(real) {
                    problems.append(Problem(path: path, message: "\(path): symlink loop back to \(real) — not followed"))
                    return
                }
                let entries: [String]
                do { entries = try fm.contentsOfDirectory(atPath: path) } catch {
                    problems.append(Problem(path: path, message: "\(path): cannot list the folder (\(error.localizedDescription))"))
                    return
                }
                for name in entries.sorted() where !name.hasPrefix(".") {
                    walk((path as NSString).appendingPathComponent(name), visiting: visiting.union([real]))
                }
            } else {
                guard !seen.contains(real) else { return }
                seen.insert(real)
                guard fm.isReadableFile(atPath: path) else {
                    problems.append(Problem(path: path, message: "\(path): cannot read it (permission denied) — skipped"))
                    return
                }
                files.append(path)
            }
        }
        for path in paths { walk(path, visiting: []) }
        return (files, problems)
    }
}
