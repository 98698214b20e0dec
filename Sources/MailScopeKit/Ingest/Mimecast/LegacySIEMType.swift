/// The log types of the legacy SIEM API (1.0). Rows carry no type field: it comes from the
/// row's keys (the order follows Elastic's v1 pipeline), else from the file-name prefix.
enum LegacySIEMType: String, CaseIterable {
    case receipt, process, delivery, journal, av, spam, internalEmailProtect, impersonation, ttpURL, attachmentProtect

    /// File-name prefixes (`receipt_20211018093329655.json`) and the type each one means.
    static let fileNamePrefixes: [(String, LegacySIEMType)] = [
        ("receipt_", .receipt), ("process_", .process), ("delivery_", .delivery), ("jrnl_", .journal),
        ("journal_", .journal), ("av_", .av), ("spam_", .spam), ("ttp_url_", .ttpURL), ("ttp_ap_", .attachmentProtect),
        ("ttp_ip_", .impersonation), ("impersonation_", .impersonation),
        ("internal_email_protect_", .internalEmailProtect), ("iep_", .internalEmailProtect),
    ]

    /// The type a file name implies, if any.
    static func fromFileName(_ name: String) -> LegacySIEMType? {
        let lower = name.lowercased()
        return fileNamePrefixes.first { lower.hasPrefix($0.0) }?.1
    }

    /// The type a row's keys imply, if any.
    static func infer(_ r: Record) -> LegacySIEMType? {
        if r.has(.RcptActType) { return .journal }
        if r.has(.Delivered) || r.has(.Attempt) || r.has(.Latency) || r.has(.Snt) { return .delivery }
        if r.has(.Hld) || r.has(.MsgSize) || r.has(.AttNames) { return .process }
        if r.has(.SpamScore) || r.has(.SpamLimit) { return .receipt }
        if r.has(.CustomerIP) || r.has(.MimecastIP) || r.has(.Virus) && r.has(.fileName) { return .av }
        if r.has(.Hits) || r.has(.TaggedMalicious) || r.has(.InternalName) { return .impersonation }
        if r.has(.reason) || (r.has(.url) && r.has(.sourceIp)) { return .ttpURL }
        if r.has(.ScanResultInfo) { return .internalEmailProtect }
        if r.has(.fileName) || r.has(.sha256) { return .attachmentProtect }
        if r.has(.SourceIP) && r.has(.Recipient) { return .spam }
        if r.has(.Rcpt) && (r.has(.Act) || r.has(.Dir)) { return .receipt }
        return nil
    }
}
