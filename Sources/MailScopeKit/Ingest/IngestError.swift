/// Why ingest could not read an input at all (line-level problems are rejects, not errors).
public enum IngestError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case noInputs([String])
    case nothingReadable

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot read it (\(reason)) — check the path and its permissions"
        case .noInputs(let paths):
            return "no input files found in \(paths.joined(separator: ", ")) — give files or folders of Mimecast exports"
        case .nothingReadable:
            return "none of the inputs could be read — see the messages above"
        }
    }
}
