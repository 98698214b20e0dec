/// Mimecast Cloud Integrated (CI, Microsoft 365 API-based protection) batch events
/// (`GET /siem/v1/batch/events/ci?type=entities|mailflow|urlclick`): one JSON object per line
/// with JSON types (arrays, booleans, epoch-millisecond `timestamp`) (formats:
/// mimecast-more.md §5).
///
/// - `entities`: a message and Mimecast's verdict on it → `mail_message` (event `receipt`,
///   source `cloud_integrated`), one row per recipient, with the verdict tags `threat_state`,
///   `threat_type`, `policies_applied` and `tags`. A final threat state is also the copy's
///   delivery, as the gateway's delivery log says it: a second row per recipient with event
///   `delivery` and `delivered` 1 for DELIVERED, 0 for BLOCKED or QUARANTINED (the copy was
///   kept from or taken out of the mailbox); DELIVERY_IN_PROGRESS and unknown states say
///   nothing yet and get no delivery row.
/// - `mailflow`: a Message-ID and its SPF/DKIM/DMARC results (no sender or recipient) →
///   `mail_event` `ci_mailflow` with `spf`/`dkim`/`dmarc`.
/// - `urlclick` (no public sample; fields from Elastic's list) and any other type →
///   `mail_event` `ci_<type>`, the record kept whole in `raw`.
///
/// CI events carry `type` and `aggregateId` like the `/cg` stream, so they are recognised
/// first, by the keys only CI has.
enum CloudIntegratedParser {
    static func matches(_ r: Record) -> Bool {
        r.has(.policiesApplied) || r.has(.threatState) || r.has(.authResults) || (r.has(.originalUrl) && r.has(.aggregateId))
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.timestamp])
        let type = (r.string(.type) ?? "").lowercased()
        let key = ContentKey.of(r, seed: ctx.seed)
        let b = ctx.batch
        switch type {
        case "entities":
            var recipients: [String?] = []
            if let f = r.field(.recipients), f.kind == .array {
                recipients = JSONScanner.stringArray(r.valueBytes(f)).map { EmailAddress.normalize($0) }
            } else if let one = r.string(.recipients) {
                recipients = [EmailAddress.normalize(one)]
            }
            r.consume(.recipients)
            if recipients.isEmpty { recipients = [nil] }
            for (i, recipient) in recipients.enumerated() {
                b.beginRow(.mailMessage, line: line, dedup: key.fanOut(i))
                b.set(.event, "receipt")
                fillEntity(r, ts: ts, recipient: recipient, b: b)
                b.endRow()
            }
            if let delivered = delivered(threatState: r.string(.threatState)) {
                for (i, recipient) in recipients.enumerated() {
                    b.beginRow(.mailMessage, line: line, dedup: key.fanOut(recipients.count + i))
                    b.set(.event, "delivery")
                    b.set(.delivered, delivered)
                    fillEntity(r, ts: ts, recipient: recipient, b: b)
                    b.endRow()
                }
            }
        default:
            b.beginRow(.mailEvent, line: line, dedup: key)
            b.setTimestamp(ts)
            b.set(.source, "cloud_integrated")
            b.set(.event_type, "ci_" + (type.isEmpty ? "unknown" : String(type.prefix(64))))
            b.set(.known_type, Int64(type == "mailflow" || type == "urlclick" ? 1 : 0))
            SIEMv2Parser.common(r, b: b)
            if type == "mailflow" {
                let auth = authResults(r, ctx: ctx)
                b.set(.spf, auth["spf"])
                b.set(.dkim, auth["dkim"])
                b.set(.dmarc, auth["dmarc"])
            }
            b.setLowercased(.action, r, .action)
            if r.hasValue(.originalUrl) { b.setURL(r, .originalUrl) }
            b.setRaw(.sender_ip, r, .sourceIp)
            b.setBytes(.raw, UnsafeBufferPointer(start: r.base, count: r.count))
            b.endRow()
        }
    }

    /// Whether a CI threat state says the copy is in the mailbox: true for DELIVERED, false for
    /// BLOCKED and QUARANTINED, nil while delivery is in progress or for a state not known.
    static func delivered(threatState: String?) -> Bool? {
        switch threatState?.lowercased() {
        case "delivered": true
        case "blocked", "quarantined": false
        default: nil
        }
    }

    static func fillEntity(_ r: Record, ts: Int64, recipient: String?, b: RowBatch) {
        b.setTimestamp(ts)
        b.set(.source, "cloud_integrated")
        SIEMv2Parser.common(r, b: b)
        r.release(.type)   // `entities`: the row's event says receipt, so the CI type stays in extra
        b.setRaw(.subtype, r, .subtype)
        b.setSender(r, .senderEnvelope)
        b.setEmail(.sender_header, domain: nil, r, .senderHeader)
        b.setRaw(.sender_ip, r, .senderIp)
        b.set(.recipient, recipient)
        b.set(.recipient_domain, EmailAddress.domain(recipient))
        b.setRaw(.subject, r, .subject)
        b.setLowercased(.direction, r, .direction)   // INBOUND, once "Inbound"
        if let f = r.field(.attachments), f.kind == .array {
            let names = JSONScanner.stringArray(r.valueBytes(f))
            b.set(.attachment_count, Int64(names.count))
            if !names.isEmpty { b.set(.attachment_names, JSONScanner.arrayLiteral(names)) }
            r.consume(.attachments)
        }
        b.setLowercased(.threat_state, r, .threatState)
        b.setLowercased(.threat_type, r, .threatType)
        b.setJSON(.policies_applied, r, .policiesApplied)
        b.setJSON(.tags, r, .tags)
        b.setExtra(r)
    }

    /// `authResults[{type SPF|DKIM|DMARC, result, aligned}]` → result by lowercased type.
    static func authResults(_ r: Record, ctx: ParseContext) -> [String: String] {
        r.consume(.authResults)
        guard let f = r.field(.authResults), f.kind == .array, let ranges = try? JSONScanner.arrayElements(r.valueBytes(f)) else { return [:] }
        let bytes = r.valueBytes(f)
        var out: [String: String] = [:]
        for range in ranges {
            guard (try? JSONScanner.scanObject(UnsafeBufferPointer(rebasing: bytes[range]), into: ctx.nested)) != nil,
                  let type = ctx.nested.string(.type)?.lowercased(), let result = ctx.nested.string(.result)?.lowercased() else { continue }
            out[type] = out[type] ?? result
        }
        return out
    }
}
