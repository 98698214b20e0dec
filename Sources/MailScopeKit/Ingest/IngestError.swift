import Foundation

/// Why ingest could not read an input at all (line-level problems are rejects, not errors).
public enum IngestError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case noInputs([String])
    case nothingReadable
    /// None of the inputs exists or can be read: stopped before the database was touched.
    case nothingToLoad(problems: [String], database: String)
    /// The database could not grow (disk, quota or file-size limit): the run stops.
    case diskFull(database: String, file: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot read it (\(reason)) — check the path and its permissions"
        case .noInputs(let paths):
            return "no input files found in \(paths.joined(separator: ", ")) — give files or folders of Mimecast exports"
        case .nothingReadable:
            return "none of the inputs could be read — see the messages above"
        case .nothingToLoad(let problems, let database):
            return problems.joined(separator: "; ") + "; nothing to load, so \(database) was not created or changed — check the paths (is the export folder mounted?)"
        case .diskFull(let database, let file):
            return "\(database): the database could not be written while loading \(file) (the disk is full, a quota or file-size limit was reached, or the disk failed); the run stopped. Nothing loaded is lost: free space and run again — finished files are skipped and \((file as NSString).lastPathComponent) resumes where it stopped"
        }
    }
}
