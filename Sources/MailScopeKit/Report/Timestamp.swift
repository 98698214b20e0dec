import Foundation

/// A moment in the report model: milliseconds since the epoch (UTC), as stored. It is turned
/// into text only when rendered; report.json writes it as ISO 8601 UTC
/// (`2026-11-02T08:14:03.120Z`) and reads that form back.
public struct Timestamp: Codable, Sendable, Hashable, Comparable {
    public var milliseconds: Int64

    public init(_ milliseconds: Int64) { self.milliseconds = milliseconds }

    /// ISO 8601 in UTC, as report.json, iocs.csv and timeline.jsonl write it.
    public var iso: String { TimeParser.iso8601(milliseconds) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let ms = TimeParser.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time: \(text)"))
        }
        milliseconds = ms
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

extension Rule.Severity: Codable {}
extension Rule.Stage: Codable {}
extension Rule.Kind: Codable {}
