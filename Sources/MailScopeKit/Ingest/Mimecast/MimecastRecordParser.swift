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
        // Administration exports (mimecast-more.md §1, §2, §4, §5)
        case audit = "mimecast_audit"
        case dlp = "mimecast_dlp"
        case archiveSearch = "mimecast_archive_search"
        case archiveView = "mimecast_archive_view"
        case awareness = "mimecast_awareness"
    }

    /// True for an API reply page that holds no records (`{"meta":…,"data":[],"fail":[]}`):
    /// collectors write one at the end of a poll (mimecast-more.md §0); it is skipped, not
    /// rejected. A page whose `fail` is not empty is no empty page: it is rejected as an error.
    static func isEmptyPage(_ r: Record) -> Bool {
        var sawData = false
        for f in r.fields {
            let key = String(decoding: r.keyBytesOf(f), as: UTF8.self)
            let value = r.valueBytes(f)
            let empty = f.kind == .array && !value.contains(where: { $0 != 0x5B && $0 != 0x5D && $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
            switch key {
            case "data": guard empty else { return false }; sawData = true
            case "fail": guard empty || f.kind == .null else { return false }
            case "meta": continue
            default: return false
            }
        }
        return sawData
    }

    /// True for an API reply whose `fail` list holds errors (sent with HTTP 200 too).
    static func isFailurePage(_ r: Record) -> Bool {
        r.fields.contains { f in
            f.kind == .array && String(decoding: r.keyBytesOf(f), as: UTF8.self) == "fail"
                && r.valueBytes(f).contains(UInt8(ascii: "{"))
        }
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
        // Administration exports
        if AuditParser.matches(r) { return .audit }
        if DLPParser.matches(r) { return .dlp }
        if ArchiveSearchParser.matches(r) { return .archiveSearch }
        if ArchiveViewParser.matches(r) { return .archiveView }
        if AwarenessParser.matches(r) { return .awareness }
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
        // Administration exports
        case .audit: try AuditParser.parse(r, line: line, ctx: ctx)
        case .dlp: try DLPParser.parse(r, line: line, ctx: ctx)
        case .archiveSearch: try ArchiveSearchParser.parse(r, line: line, ctx: ctx)
        case .archiveView: try ArchiveViewParser.parse(r, line: line, ctx: ctx)
        case .awareness: try AwarenessParser.parse(r, line: line, ctx: ctx)
        }
    }
}
