/// Legacy SIEM logs (API 1.0 `get-siem-logs`), JSON rows and key=value lines alike: CamelCase
/// keys, `datetime` with a `+0100`-style offset, `aCode` as the per-message id.
enum SIEMv1Parser {
    /// True when the record has the shape of a legacy SIEM row.
    static func matches(_ r: Record) -> Bool {
        r.has(.datetime) && (r.has(.acc) || r.has(.aCode) || LegacySIEMType.infer(r) != nil)
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        // Read without consuming it: the header stays in extra with the rest of the record.
        let hint = r.field(.contentDisposition).flatMap(r.string(of:)).flatMap(fileName(fromContentDisposition:)).flatMap(LegacySIEMType.fromFileName)
        guard let type = LegacySIEMType.infer(r) ?? hint ?? ctx.fileNameTypeHint else {
            throw ParseFailure(reason: .unrecognizedRecord, detail: "legacy SIEM row of unknown log type (no telling keys, no type in the file name)")
        }
        let ts = try EventTime.require(r, [.datetime])
        let key = ContentKey.of(r, seed: ctx.seed)
        let b = ctx.batch
        switch type {
        case .receipt, .process, .delivery:
            b.beginRow(.mailMessage, line: line, dedup: key)
            b.set(.event, type.rawValue)
            fillMessage(r, type: type, ts: ts, ctx: ctx)
        case .ttpURL:
            b.beginRow(.urlClick, line: line, dedup: key)
            fillURL(r, ts: ts, b: b)
        case .attachmentProtect:
            b.beginRow(.attachmentScan, line: line, dedup: key)
            fillAttachment(r, ts: ts, b: b)
        case .impersonation:
            b.beginRow(.impersonation, line: line, dedup: key)
            fillImpersonation(r, ts: ts, b: b)
        case .journal, .av, .spam, .internalEmailProtect:
            b.beginRow(.mailEvent, line: line, dedup: key)
            fillEvent(r, type: type, ts: ts, b: b)
        }
        b.endRow()
    }

    static func fileName(fromContentDisposition value: String) -> String? {
        guard let range = value.range(of: "filename=") else { return nil }
        return String(value[range.upperBound...].filter { $0 != "\"" })
    }

    private static func common(_ r: Record, ts: Int64, b: RowBatch) {
        b.setTimestamp(ts)
        b.set(.source, "siem_v1")
        b.setRaw(.account_id, r, .acc)
        b.setRaw(.aggregate_id, r, .aCode)
        b.setMessageID(r, r.has(.MsgId) ? .MsgId : .msgid)
        b.setRaw(.subject, r, r.has(.Subject) ? .Subject : .subject)
    }

    private static func recipient(_ r: Record, b: RowBatch) {
        let key: FieldKey = r.has(.Rcpt) ? .Rcpt : (r.has(.Recipient) ? .Recipient : .recipient)
        b.setEmail(.recipient, domain: .recipient_domain, r, key)
    }

    private static func sender(_ r: Record, b: RowBatch) {
        let key: FieldKey = r.has(.Sender) ? .Sender : .sender
        b.setSender(r, key)
        if !r.hasValue(.Sender) && !r.hasValue(.sender) {
            b.set(.sender_domain, (r.string(.SenderDomain) ?? r.string(.senderDomain))?.lowercased())
        } else if EmailAddress.normalizeSender(r.string(key)) != EmailAddress.nullSender {
            // The address's domain, already in sender_domain (a null sender's stays in extra).
            r.consume(.SenderDomain)
            r.consume(.senderDomain)
        }
    }

    static func fillMessage(_ r: Record, type: LegacySIEMType, ts: Int64, ctx: ParseContext) {
        let b = ctx.batch
        common(r, ts: ts, b: b)
        sender(r, b: b)
        recipient(r, b: b)
        b.setEmail(.sender_header, domain: nil, r, .headerFrom)
        if type == .delivery {
            b.set(.destination_ip, r.string(.IP))
        } else {
            b.set(.sender_ip, r.string(.IP))
        }
        b.setLowercased(.direction, r, .Dir)
        b.setRaw(.action, r, .Act)
        b.setRaw(.hold_reason, r, .Hld)
        b.setRaw(.route, r, .Route)
        b.set(.attachment_count, r.int(.AttCnt))
        let names = FieldDecoding.attachmentNames(r.string(.AttNames))
        if !names.isEmpty { b.set(.attachment_names, JSONScanner.arrayLiteral(names)) }
        b.set(.attachments_bytes, r.int(.AttSize))
        b.set(.size_bytes, r.int(type == .delivery ? .Snt : .MsgSize))
        b.set(.spam_score, r.int(.SpamScore))
        b.setJSON(.spam_info, r, .SpamInfo)
        if r.hasValue(.SpamProcessingDetail) {
            let v = FieldDecoding.authVerdicts(r, .SpamProcessingDetail, scratch: ctx.nested, scratch2: ctx.nested2)
            b.set(.spf, v.spf)
            b.set(.dkim, v.dkim)
            b.set(.dmarc, v.dmarc)
        }
        b.setRaw(.tls_version, r, .TlsVer)
        b.setRaw(.tls_cipher, r, .Cphr)
        b.setRaw(.virus_found, r, .Virus)
        b.setRaw(.rejection_type, r, .RejType)
        b.setRaw(.rejection_code, r, .RejCode)
        b.setRaw(.rejection_info, r, .RejInfo)
        b.set(.delivered, r.bool(.Delivered))
        b.set(.delivery_attempts, r.int(.Attempt))
        b.set(.delivery_time_ms, r.int(.Latency))
        b.setExtra(r)
    }

    static func fillURL(_ r: Record, ts: Int64, b: RowBatch) {
        common(r, ts: ts, b: b)
        b.set(.is_click, Int64(1))
        b.setAddress(.user, domain: .user_domain, r, given: nil, keys: [.recipient, .Recipient])
        sender(r, b: b)
        b.setURL(r, r.has(.url) ? .url : .URL)
        b.setLowercased(.action, r, .action)
        b.setLowercased(.scan_result, r, .reason)
        b.setRaw(.block_reason, r, .reason)
        b.setRaw(.category, r, .urlCategory)
        b.set(.sending_ip, r.string(.sourceIp))
        b.setRaw(.route, r, .route)
        b.setJSON(.credential_theft, r, .credentialTheft)
        b.setExtra(r)
    }

    static func fillAttachment(_ r: Record, ts: Int64, b: RowBatch) {
        common(r, ts: ts, b: b)
        sender(r, b: b)
        recipient(r, b: b)
        b.set(.sender_ip, r.string(.IP))
        b.setFileName(r, name: .fileName, ext: .fileExt)
        b.setRaw(.file_mime, r, .fileMime)
        b.set(.size_bytes, r.int(.Size))
        b.setHashes(r, sha256: .sha256, sha1: .sha1, md5: .md5)
        b.setRaw(.route, r, .Route)
        b.setExtra(r)
    }

    static func fillImpersonation(_ r: Record, ts: Int64, b: RowBatch) {
        common(r, ts: ts, b: b)
        sender(r, b: b)
        recipient(r, b: b)
        b.set(.sender_ip, r.string(.IP))
        b.setRaw(.definition, r, .Definition)
        b.set(.hits, r.int(.Hits))
        b.setLowercased(.action, r, .Action)
        b.setRaw(.route, r, .Route)
        let flags = ImpersonationFlags(
            taggedExternal: r.bool(.TaggedExternal), taggedMalicious: r.bool(.TaggedMalicious),
            internalUserName: r.bool(.InternalName), newDomain: r.bool(.NewDomain),
            replyMismatch: r.bool(.ReplyMismatch), similarInternalDomain: r.bool(.SimilarInternalDomain),
            similarCustomExternalDomain: r.bool(.SimilarCustomExternalDomain),
            similarMimecastExternalDomain: r.bool(.SimilarMimecastExternalDomain),
            customNameMatch: r.bool(.CustomName), customThreatDictionary: r.bool(.CustomThreatDictionary),
            mimecastThreatDictionary: r.bool(.ThreatDictionary))
        flags.write(to: b, identifiers: nil)
        b.setExtra(r)
    }

    static func fillEvent(_ r: Record, type: LegacySIEMType, ts: Int64, b: RowBatch) {
        let name: String
        switch type {
        case .journal: name = "journal"
        case .av: name = "av"
        case .spam: name = "spam"
        default: name = "iep"
        }
        b.set(.event_type, name)
        b.set(.known_type, Int64(1))
        common(r, ts: ts, b: b)
        sender(r, b: b)
        recipient(r, b: b)
        b.set(.sender_ip, r.string(.IP) ?? r.string(.SourceIP))
        b.setLowercased(.direction, r, .Dir)
        b.setRaw(.route, r, .Route)
        b.setRaw(.verdict, r, type == .av ? .Virus : .ScanResultInfo)
        b.setRaw(.category, r, .UrlCategory)
        b.setFileName(r, name: .fileName, ext: .fileExt)
        b.setHashes(r, sha256: .sha256, sha1: .sha1, md5: .md5)
        if r.hasValue(.URL) { b.setURL(r, .URL) }
        b.setBytes(.raw, UnsafeBufferPointer(start: r.base, count: r.count))
    }
}
