/// Message tracking results (`/api/message-finder/search`, `trackedEmails[]`): one
/// `mail_message` row per recipient with event `tracking`. These carry no Message-ID.
enum MessageTrackingParser {
    static func matches(_ r: Record) -> Bool {
        r.has(.fromEnv) || (r.has(.received) && r.has(.to))
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.received, .sent])
        let b = ctx.batch
        let key = ContentKey.of(r, seed: ctx.seed)
        let sender = nestedAddress(r, .fromEnv, ctx: ctx, normalize: EmailAddress.normalizeSender)
        let header = nestedAddress(r, .fromHdr, ctx: ctx, normalize: EmailAddress.normalize)
        var recipients: [String?] = []
        if let f = r.field(.to), f.kind == .array, let ranges = try? JSONScanner.arrayElements(r.valueBytes(f)) {
            let bytes = r.valueBytes(f)
            for range in ranges {
                if (try? JSONScanner.scanObject(UnsafeBufferPointer(rebasing: bytes[range]), into: ctx.nested)) != nil {
                    recipients.append(EmailAddress.normalize(ctx.nested.string(.emailAddress)))
                }
            }
        }
        r.consume(.to)
        if recipients.isEmpty { recipients = [nil] }
        for (i, recipient) in recipients.enumerated() {
            b.beginRow(.mailMessage, line: line, dedup: key.fanOut(i))
            b.setTimestamp(ts)
            b.set(.source, "message_tracking")
            b.set(.event, "tracking")
            b.set(.sender, sender)
            b.set(.sender_domain, EmailAddress.domain(sender))
            b.set(.sender_header, header)
            b.set(.recipient, recipient)
            b.set(.recipient_domain, EmailAddress.domain(recipient))
            b.setRaw(.subject, r, .subject)
            b.set(.sender_ip, r.string(.senderIP))
            b.setLowercased(.route, r, .route)
            b.setRaw(.action, r, .status)
            b.set(.spam_score, r.int(.spamScore))
            b.setRaw(.spam_detection_level, r, .detectionLevel)
            b.setExtra(r)
            b.endRow()
        }
    }

    private static func nestedAddress(_ r: Record, _ key: FieldKey, ctx: ParseContext, normalize: (String?) -> String?) -> String? {
        r.consume(key)
        guard let f = r.field(key), f.kind == .object,
              (try? JSONScanner.scanObject(r.valueBytes(f), into: ctx.nested)) != nil else { return nil }
        return normalize(ctx.nested.string(.emailAddress))
    }
}
