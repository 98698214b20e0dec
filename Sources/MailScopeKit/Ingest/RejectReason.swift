/// Why a line or record was not loaded. The raw value is the stable code stored in
/// `reject.reason` and counted in summaries and reports.
public enum RejectReason: String, CaseIterable, Sendable, Codable {
    case malformedJSON = "malformed_json"
    case duplicateKey = "duplicate_key"
    case jsonTooDeep = "json_too_deep"
    case invalidUTF8 = "invalid_utf8"
    case lineTooLong = "line_too_long"
    case nulByte = "nul_byte"
    case missingTimestamp = "missing_timestamp"
    case badTimestamp = "bad_timestamp"
    case timestampOutOfRange = "timestamp_out_of_range"
    case missingField = "missing_field"
    case badKeyValueLine = "bad_key_value_line"
    case unrecognizedRecord = "unrecognized_record"
    case unrecognizedFormat = "unrecognized_format"
    case truncatedGzip = "truncated_gzip"
    case corruptGzip = "corrupt_gzip"
    case trailingGarbage = "trailing_garbage"
    case unreadableFile = "unreadable_file"
    case wrongColumnCount = "wrong_column_count"
    case unbalancedQuote = "unbalanced_quote"

    /// What it means, for summaries.
    public var explanation: String {
        switch self {
        case .malformedJSON: return "the line is not valid JSON"
        case .duplicateKey: return "a JSON object names the same key twice"
        case .jsonTooDeep: return "JSON nested too deeply"
        case .invalidUTF8: return "the line is not valid UTF-8"
        case .lineTooLong: return "the line is longer than the line-length cap"
        case .nulByte: return "the line contains NUL bytes (binary data)"
        case .missingTimestamp: return "the event has no time"
        case .badTimestamp: return "the event's time cannot be read"
        case .timestampOutOfRange: return "the event's time is before 1990 or after 2100"
        case .missingField: return "a field the event type requires is missing"
        case .badKeyValueLine: return "a key=value line without recognisable fields"
        case .unrecognizedRecord: return "a record of no Mimecast export format MailScope knows"
        case .unrecognizedFormat: return "the file is in no format MailScope knows"
        case .truncatedGzip: return "the gzip stream ends early (file cut off)"
        case .corruptGzip: return "the gzip stream is damaged"
        case .trailingGarbage: return "bytes after the end of the gzip data"
        case .unreadableFile: return "the file cannot be read"
        case .wrongColumnCount: return "a CSV row with the wrong number of columns"
        case .unbalancedQuote: return "a CSV field with an unclosed quote"
        }
    }
}
