import Crypto
import Foundation

/// The two fingerprints every rendering of a report carries (the HTML's header and
/// methodology, the PDF's page header and footer, the Markdown's header), so a printed page
/// can be matched to its report.json and to the evidence it was made from:
///
/// - the **report id**: the first 12 hex digits of the SHA-256 of report.json (the file the
///   same command writes, or would write with `--format json`). `sha256sum report.json`
///   checks a printout against a JSON file; the same database and options give the same id.
///   report.json does not hold its own id (it cannot); the other files are renderings of it.
/// - the **input manifest hash**: the SHA-256 of the inputs' SHA-256 digests (lowercase hex),
///   sorted, one per line, each line ended by a newline. It names the set of evidence files
///   whatever their paths: `jq -r '.inputs[].sha256' report.json | sort | sha256sum`, or
///   `sha256sum FILES | cut -d' ' -f1 | sort | sha256sum` over the original exports.
public struct ReportIdentity: Sendable, Equatable {
    public var reportID: String
    public var inputManifestSHA256: String

    /// The identity of `model` whose report.json text is `json` (``ReportWriter/json(_:)``).
    public init(model: ReportModel, json: String) {
        reportID = Self.reportID(json: json)
        inputManifestSHA256 = Self.manifestHash(model.inputs.map(\.sha256))
    }

    /// The id of the report whose report.json text is `json`.
    public static func reportID(json: String) -> String {
        String(hex(SHA256.hash(data: Data(json.utf8))).prefix(12))
    }

    /// SHA-256 over `digests` sorted, one per line with a trailing newline.
    public static func manifestHash(_ digests: [String]) -> String {
        let text = digests.map { $0.lowercased() }.sorted().map { $0 + "\n" }.joined()
        return hex(SHA256.hash(data: Data(text.utf8)))
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
