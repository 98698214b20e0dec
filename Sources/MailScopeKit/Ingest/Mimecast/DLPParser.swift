/// DLP logs (`/api/dlp/get-logs`, records in `data[0].dlpLogs[]`, or one per line, or
/// Sentinel's `Seg_Dlp_CL` CSV): `dlp_event` rows, one per action as Mimecast writes them (a
/// held message that also notified is two rows). Times carry their own offset (`+0700`).
enum DLPParser {
    static func matches(_ r: Record) -> Bool {
        r.has(.policy) && r.has(.action) && r.has(.recipientAddress)
            && !r.has(.fileHash) && !r.has(.definition) && !r.has(.identifiers)
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.eventTime])
        let b = ctx.batch
        b.beginRow(.dlpEvent, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "mimecast_dlp")
        b.setSender(r, .senderAddress)
        b.setEmail(.recipient, domain: .recipient_domain, r, .recipientAddress)
        b.setRaw(.subject, r, .subject)
        b.setRaw(.policy, r, .policy)
        b.setLowercased(.action, r, .action)
        b.setLowercased(.route, r, .route)
        b.setMessageID(r, .messageId)
        b.setExtra(r)
        b.endRow()
    }
}
