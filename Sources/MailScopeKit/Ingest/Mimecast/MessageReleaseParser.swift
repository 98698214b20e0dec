/// Held-message release logs (`POST /api/gateway/get-held-release-logs`, records in
/// `data[0].heldReleaseLogs[]`, or one per line as Elastic stores them): who released or
/// rejected a held message, when, and Mimecast's verdict on it. One `message_release` row per
/// recipient in `to[]` (formats: mimecast-more.md §3).
///
/// The format drifts (§3, §6.3): `operator` is a string, `{"emailAddress":…}` or
/// `{"email":…}`; the verdict sits under `spamVerdict` (old) or `verdict` (new); `released`
/// ends in `+00:00` or `+0000` and is missing from some rows. There is no Message-ID: the
/// release is linked to its message later, by `ReleaseLinker`.
enum MessageReleaseParser {
    /// The recognition keys (§0): `released`, `operator` or `heldReason`, on a record with
    /// the envelope's address objects (no other Mimecast export has both).
    static func matches(_ r: Record) -> Bool {
        (r.has(.released) || r.has(.operator) || r.has(.heldReason)) && (r.has(.fromEnv) || r.has(.fromHdr) || r.has(.to))
    }

    /// One recipient of `to[]`: the address and its display name.
    struct Recipient {
        var address: String?
        var name: String?
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        // Some rows lack `released` (the Elastic test data has one): the release is still
        // evidence of who acted, so it is kept with no time (and cannot be linked by time).
        let ts: Int64? = r.hasValue(.released) ? try EventTime.require(r, [.released]) : nil
        r.consume(.released)
        let heldID = r.string(.id)
        let sender = nested(r, .fromEnv, ctx: ctx, normalize: EmailAddress.normalizeSender)
        let header = nested(r, .fromHdr, ctx: ctx, normalize: EmailAddress.normalize)
        let recipients = recipientList(r, ctx: ctx)
        guard heldID != nil || sender.address != nil || recipients.contains(where: { $0.address != nil }) else {
            throw ParseFailure(reason: .missingField, detail: "a release record with no id, sender (fromEnv) or recipient (to)")
        }
        let op = operatorAddress(r, ctx: ctx)
        let status = r.string(.status)?.lowercased()
        let verdict = spamVerdict(r, ctx: ctx)
        let auth = r.hasValue(.spamProcessingDetail)
            ? FieldDecoding.authVerdicts(r, .spamProcessingDetail, scratch: ctx.nested, scratch2: ctx.nested2) : (nil, nil, nil)
        let b = ctx.batch
        let rows = recipients.isEmpty ? [Recipient()] : recipients
        for (i, recipient) in rows.enumerated() {
            b.beginRow(.messageRelease, line: line, dedup: dedupKey(heldID: heldID, status: status, released: ts, recipient: recipient.address, seed: ctx.seed)
                .fanOut(recipient.address == nil ? i : 0))
            if let ts { b.setTimestamp(ts) }
            b.set(.source, "release_log")
            b.set(.held_id, heldID)
            b.set(.status, status)
            b.set(.operator, op)
            b.set(.operator_role, role(operator: op, recipient: recipient.address)?.rawValue)
            b.set(.sender, sender.address)
            b.set(.sender_domain, EmailAddress.domain(sender.address))
            b.set(.sender_name, sender.name)
            b.set(.sender_header, header.address)
            b.set(.sender_header_name, header.name)
            b.set(.recipient, recipient.address)
            b.set(.recipient_domain, EmailAddress.domain(recipient.address))
            b.set(.recipient_name, recipient.name)
            b.set(.recipient_count, Int64(recipients.count))
            b.setRaw(.subject, r, .subject)
            b.setRaw(.held_reason, r, .heldReason)
            b.setRaw(.held_group, r, .heldGroup)
            b.setRaw(.reject_reason, r, .rejectReason)
            b.setRaw(.message_info, r, .messageInfo)
            b.setRaw(.policy, r, .policy)
            b.set(.has_attachments, r.bool(.attachments))
            b.setLowercased(.route, r, .route)
            b.set(.size_bytes, r.int(.size))
            b.set(.spam_score, r.int(.spamScore))
            b.setLowercased(.spam_detection_level, r, .detectionLevel)
            b.set(.spf, auth.0)
            b.set(.dkim, auth.1)
            b.set(.dmarc, auth.2)
            b.set(.verdict, verdict.decision)
            b.set(.verdict_risk, verdict.risk)
            b.set(.verdict_categories, verdict.categories)
            b.setJSON(.spam_processing_detail, r, .spamProcessingDetail)
            b.setExtra(r)
            b.endRow()
        }
    }

    /// Who released a copy, relative to that copy's recipient.
    enum OperatorRole: String {
        /// The recipient released their own copy (from a digest or the personal portal).
        case recipient
        /// Someone else did: an administrator (or a delegate with the held-queue permission).
        case admin
    }

    /// nil when nobody is named, or the operator is no address (a system name such as
    /// housekeeping): then no person released it.
    static func role(operator op: String?, recipient: String?) -> OperatorRole? {
        guard let op, op.contains("@") else { return nil }
        return op == recipient ? .recipient : .admin
    }

    /// EI fingerprints (`id`, timestamp) (§3): the held message's id and the release time, plus
    /// the status and the recipient since each recipient is a row of its own. A re-export that
    /// only adds a display name (the Elastic test data has one) is the same release.
    static func dedupKey(heldID: String?, status: String?, released: Int64?, recipient: String?, seed: (UInt64, UInt64)) -> ContentKey {
        var pairs: [(name: [UInt8], value: ArraySlice<UInt8>)] = []
        func add(_ name: String, _ value: String?) {
            if let value { pairs.append((Array(name.utf8), ArraySlice(value.utf8))) }
        }
        add("id", heldID)
        add("status", status)
        add("released", released.map(String.init))
        add("recipient", recipient)
        add("table", "message_release")
        return ContentKey.of(pairs: pairs, seed: seed)
    }

    /// An address object (`fromEnv`, `fromHdr`): its address and display name. The object stays
    /// in `extra` as logged (the columns hold its parts).
    static func nested(_ r: Record, _ key: FieldKey, ctx: ParseContext, normalize: (String?) -> String?) -> Recipient {
        guard let f = r.field(key), f.kind == .object,
              (try? JSONScanner.scanObject(r.valueBytes(f), into: ctx.nested)) != nil else { return Recipient() }
        return Recipient(address: normalize(ctx.nested.string(.emailAddress) ?? ctx.nested.string(.email)),
                         name: ctx.nested.string(.displayableName).flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The recipients of `to[]` in order (each an address object); the list stays in `extra`.
    static func recipientList(_ r: Record, ctx: ParseContext) -> [Recipient] {
        guard let f = r.field(.to), f.kind == .array, let ranges = try? JSONScanner.arrayElements(r.valueBytes(f)) else { return [] }
        let bytes = r.valueBytes(f)
        var list: [Recipient] = []
        for range in ranges {
            guard (try? JSONScanner.scanObject(UnsafeBufferPointer(rebasing: bytes[range]), into: ctx.nested)) != nil else { continue }
            let address = EmailAddress.normalize(ctx.nested.string(.emailAddress) ?? ctx.nested.string(.email))
            list.append(Recipient(address: address, name: ctx.nested.string(.displayableName).flatMap { $0.isEmpty ? nil : $0 }))
        }
        return list
    }

    /// `operator` as a string, or the address inside `{"emailAddress":…}` / `{"email":…}`
    /// (the object form stays in `extra`, so the drift is visible in the evidence).
    static func operatorAddress(_ r: Record, ctx: ParseContext) -> String? {
        guard let f = r.field(.operator) else { return nil }
        if f.kind == .object {
            guard (try? JSONScanner.scanObject(r.valueBytes(f), into: ctx.nested)) != nil else { return nil }
            return EmailAddress.normalize(ctx.nested.string(.emailAddress) ?? ctx.nested.string(.email))
        }
        let text = r.string(.operator)
        return EmailAddress.normalize(text) ?? text.flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    /// The verdict inside spamProcessingDetail: `spamVerdict` (old) or `verdict` (new) →
    /// decision, risk and the categories as JSON.
    static func spamVerdict(_ r: Record, ctx: ParseContext) -> (decision: String?, risk: String?, categories: String?) {
        guard let f = r.field(.spamProcessingDetail), f.kind == .object,
              (try? JSONScanner.scanObject(r.valueBytes(f), into: ctx.nested)) != nil,
              let v = ctx.nested.field(.verdict) ?? ctx.nested.field(.spamVerdict), v.kind == .object,
              (try? JSONScanner.scanObject(ctx.nested.valueBytes(v), into: ctx.nested2)) != nil else { return (nil, nil, nil) }
        let inner = ctx.nested2
        var categories: String?
        if let c = inner.field(.categories), c.kind == .array {
            categories = String(decoding: inner.valueBytes(c), as: UTF8.self)
        }
        return (inner.string(.decision)?.lowercased(), inner.string(.risk)?.lowercased(), categories)
    }
}
