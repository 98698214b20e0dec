/// Decides, record by record, which Mimecast export a record belongs to (from its keys, never
/// the file name alone) and hands it to that format's parser. Deciding per record means a
/// file that mixes formats still loads.
enum MimecastRecordParser {
    /// The export formats, as recorded in `input_file.format`.
    enum Format: String, CaseIterable {
        case siemV2 = "mimecast_siem_v2"
        case siemV1JSON = "mimecast_siem_v1_json"
        case siemV1KeyValue = "mimecast_siem_v1_kv"
        case ttpURL = "mimecast_ttp_url"
        case ttpAttachment = "mimecast_ttp_attachment"
        case ttpImpersonation = "mimecast_ttp_impersonation"
        case threatIntel = "mimecast_threat_intel_stix"
        case messageTracking = "mimecast_message_tracking"
        // Held-message release and Cloud Integrated logs (issue 22)
        case messageRelease = "mimecast_message_release"
        case cloudIntegrated = "mimecast_cloud_integrated"
    }

    /// The format of a scanned JSON record, or nil when it is none we know.
    static func classify(_ r: Record) -> Format? {
        // Before SIEM v2 (CI events also carry type + aggregateId) and message tracking (release
        // records also carry fromEnv/to).
        if CloudIntegratedParser.matches(r) { return .cloudIntegrated }
        if MessageReleaseParser.matches(r) { return .messageRelease }
        if SIEMv2Parser.matches(r) { return .siemV2 }
        if SIEMv1Parser.matches(r) { return .siemV1JSON }
        if TTPURLParser.matches(r) { return .ttpURL }
        if TTPAttachmentParser.matches(r) { return .ttpAttachment }
        if TTPImpersonationParser.matches(r) { return .ttpImpersonation }
        if ThreatIntelParser.matches(r) { return .threatIntel }
        if MessageTrackingParser.matches(r) { return .messageTracking }
        return nil
    }

    /// Parses a scanned record of `format` into rows of `ctx.batch`.
    static func parse(_ r: Record, as format: Format, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        switch format {
        case .siemV2: try SIEMv2Parser.parse(r, line: line, ctx: ctx)
        case .siemV1JSON, .siemV1KeyValue: try SIEMv1Parser.parse(r, line: line, ctx: ctx)
        case .ttpURL: try TTPURLParser.parse(r, line: line, ctx: ctx)
        case .ttpAttachment: try TTPAttachmentParser.parse(r, line: line, ctx: ctx)
        case .ttpImpersonation: try TTPImpersonationParser.parse(r, line: line, ctx: ctx)
        case .threatIntel: try ThreatIntelParser.parse(r, line: line, ctx: ctx)
        case .messageTracking: try MessageTrackingParser.parse(r, line: line, ctx: ctx)
        case .messageRelease: try MessageReleaseParser.parse(r, line: line, ctx: ctx)
        case .cloudIntegrated: try CloudIntegratedParser.parse(r, line: line, ctx: ctx)
        }
    }
}
