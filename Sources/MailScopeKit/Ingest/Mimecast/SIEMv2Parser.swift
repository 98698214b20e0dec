/// Mimecast API 2.0 SIEM batch events (`GET /siem/v1/batch/events/cg`): one JSON object per
/// line, every type in one stream (receipt, process, delivery, journal, spam, av, internal
/// email protect, impersonation protect, url protect, attachment protect). Numbers and
/// booleans arrive as strings; `type` was `eventType` in older exports.
enum SIEMv2Parser {
    /// True when the record has the shape of an API 2.0 SIEM event.
    static func matches(_ r: Record) -> Bool {
        (r.has(.type) || r.has(.eventType)) && (r.has(.aggregateId) || r.has(.processingId))
    }

    /// The event types, keyed by their name lowercased with spaces and underscores removed.
    enum EventType: String {
        case receipt, process, delivery, journal, spam, av
        case internalEmailProtect = "internalemailprotect"
        case impersonationProtect = "impersonationprotect"
        case urlProtect = "urlprotect"
        case attachmentProtect = "attachmentprotect"

        init?(logged: String) {
            // Case, spaces, underscores and hyphens vary between exports ("url protect").
            var key: [UInt8] = []
            key.reserveCapacity(logged.utf8.count)
            for c in logged.utf8 where c != 0x20 && c != 0x5F && c != 0x2D {
                key.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
            }
            self.init(rawValue: String(decoding: key, as: UTF8.self))
        }
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let typeText = r.string(.type) ?? r.string(.eventType) ?? ""
        let ts = try EventTime.require(r, [.timestamp])
        let key = ContentKey.of(r, seed: ctx.seed)
        let b = ctx.batch
        guard let type = EventType(logged: typeText) else {
            if ctx.unknownTypes[typeText] == nil {
                ctx.unknownTypes[typeText] = line
                b.notices.append(.init(kind: .warning, key: "type:" + typeText,
                                       text: "\(ctx.fileLabel):\(line): unknown event type \"\(typeText.prefix(80))\" — kept in mail_event with its raw JSON"))
            }
            b.beginRow(.mailEvent, line: line, dedup: key)
            b.set(.event_type, "unknown:" + typeText.prefix(64))
            b.set(.known_type, Int64(0))
            fillEventCommon(r, ts: ts)
            b.endRow()
            return
        }
        switch type {
        case .receipt, .process, .delivery:
            forEachRecipient(r, key: key) { dedup, recipient in
                b.beginRow(.mailMessage, line: line, dedup: dedup)
                b.set(.event, type.rawValue)
                fillMessage(r, ts: ts, recipient: recipient, ctx: ctx)
                b.endRow()
            }
        case .urlProtect:
            forEachRecipient(r, key: key) { dedup, recipient in
                b.beginRow(.urlClick, line: line, dedup: dedup)
                fillURLProtect(r, ts: ts, recipient: recipient, b: b)
                b.endRow()
            }
        case .attachmentProtect:
            b.beginRow(.attachmentScan, line: line, dedup: key)
            fillAttachmentProtect(r, ts: ts, b: b)
            b.endRow()
        case .impersonationProtect:
            forEachRecipient(r, key: key) { dedup, recipient in
                b.beginRow(.impersonation, line: line, dedup: dedup)
                fillImpersonation(r, ts: ts, recipient: recipient, b: b)
                b.endRow()
            }
        case .journal, .spam, .av, .internalEmailProtect:
            forEachRecipient(r, key: key) { dedup, recipient in
                b.beginRow(.mailEvent, line: line, dedup: dedup)
                b.set(.event_type, type == .internalEmailProtect ? "iep" : type.rawValue)
                b.set(.known_type, Int64(1))
                fillEventCommon(r, ts: ts, recipient: recipient)
                b.endRow()
            }
        }

        func fillEventCommon(_ r: Record, ts: Int64, recipient: String?? = nil) {
            b.setTimestamp(ts)
            b.set(.source, "siem_v2")
            common(r, b: b)
            setRecipient(r, recipient, b: b)
            b.setSender(r, .senderEnvelope)
            if !r.hasValue(.senderEnvelope) {
                b.set(.sender_domain, r.string(.senderDomain)?.lowercased())
            } else if EmailAddress.normalizeSender(r.string(.senderEnvelope)) != EmailAddress.nullSender {
                r.consume(.senderDomain)   // the envelope's domain, already in sender_domain (a null sender's stays in extra)
            }
            b.setRaw(.sender_ip, r, .senderIp)
            b.setRaw(.subject, r, .subject)
            b.setLowercased(.direction, r, .direction)
            b.setRaw(.route, r, .route)
            b.setLowercased(.action, r, .action)
            b.setRaw(.verdict, r, r.has(.virusFound) ? .virusFound : .scanResults)
            b.setRaw(.category, r, .urlCategory)
            b.setFileName(r, name: .fileName, ext: .fileExtension)
            b.setHashes(r, sha256: .sha256, sha1: .sha1, md5: .md5)
            if r.hasValue(.url) { b.setURL(r, .url) }
            b.setBytes(.raw, UnsafeBufferPointer(start: r.base, count: r.count))
        }
    }

    /// Calls `body` once per recipient: `recipients` holds one address per event, but a list
    /// (JSON array or comma-separated) is tolerated and fans out into one row each.
    static func forEachRecipient(_ r: Record, key: ContentKey, _ body: (ContentKey, String??) -> Void) {
        let field: FieldKey = r.has(.recipients) ? .recipients : .recipient
        guard let f = r.field(field) else { body(key, nil); return }
        var list: [String] = []
        if f.kind == .array {
            list = JSONScanner.stringArray(r.valueBytes(f))
        } else if r.valueBytes(f).contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }), let s = r.string(of: f) {
            list = s.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if list.count <= 1 {
            body(key, list.first.map { Optional($0) } ?? nil)
            return
        }
        for (i, address) in list.enumerated() { body(key.fanOut(i), .some(address)) }
    }

    /// The recipient column: the fanned-out address when given, else the record's own field.
    static func setRecipient(_ r: Record, _ recipient: String??, b: RowBatch) {
        b.setAddress(.recipient, domain: .recipient_domain, r, given: recipient, keys: [.recipients, .recipient])
    }

    /// accountId, aggregateId (normalized, its suffix in `aggregate_id_suffix`), processingId, messageId.
    static func common(_ r: Record, b: RowBatch) {
        b.setRaw(.account_id, r, .accountId)
        if let raw = b.appendValue(r, .aggregateId) {
            // Without the optional `_<epoch seconds>` suffix, so the message joins either way.
            // The suffix goes to its own integer column (5 bytes where the suffixed original in
            // `extra` cost ~50 per row, issue 20): aggregate_id || '_' || aggregate_id_suffix is
            // the value as logged. A suffix that would not read back the same (a leading zero),
            // an escaped value, or a row whose `raw` keeps the whole record stays as before.
            let id = FieldDecoding.aggregateIDRange(b.arena, raw)
            b.cells.append(RowBatch.Cell(column: .aggregate_id, value: .text(start: Int32(id.lowerBound), count: Int32(id.count))))
            if id != raw, let i = r.fields.firstIndex(where: { $0.key == Int16(FieldKey.aggregateId.index) }) {
                let suffix = FieldDecoding.aggregateIDSuffix(b.arena, raw, id)
                if let suffix, !r.fields[i].escaped, b.currentTable != .mailEvent {
                    b.set(.aggregate_id_suffix, suffix)
                } else {
                    r.consumed[i] = false
                }
            }
        }
        b.setRaw(.processing_id, r, .processingId)
        b.setMessageID(r, .messageId)
        r.consume(.subtype)
        r.consume(.subType)
    }

    static func fillMessage(_ r: Record, ts: Int64, recipient: String??, ctx: ParseContext) {
        let b = ctx.batch
        b.setTimestamp(ts)
        b.set(.source, "siem_v2")
        common(r, b: b)
        b.setRaw(.subtype, r, .subtype)
        b.setSender(r, .senderEnvelope)
        b.setEmail(.sender_header, domain: nil, r, .senderHeader)
        b.setRaw(.sender_ip, r, .senderIp)
        setRecipient(r, recipient, b: b)
        b.setRaw(.subject, r, .subject)
        b.setLowercased(.direction, r, .direction)
        b.setRaw(.action, r, .action)
        b.setRaw(.hold_reason, r, .holdReason)
        b.setRaw(.route, r, .route)
        b.set(.attachment_count, r.int(.numberAttachments))
        let names = FieldDecoding.attachmentNames(r.string(.attachments))
        if !names.isEmpty { b.set(.attachment_names, JSONScanner.arrayLiteral(names)) }
        b.set(.attachments_bytes, r.int(.totalSizeAttachments))
        b.set(.size_bytes, r.int(.emailSize))
        b.set(.spam_score, r.int(.spamScore))
        b.setRaw(.spam_detection_level, r, .spamDetectionLevel)
        b.setJSON(.spam_info, r, .spamInfo)
        if r.hasValue(.spamProcessingDetail) {
            // Parsed into columns; the original stays in `extra` as evidence.
            let v = FieldDecoding.authVerdicts(r, .spamProcessingDetail, scratch: ctx.nested, scratch2: ctx.nested2)
            b.set(.spf, v.spf)
            b.set(.dkim, v.dkim)
            b.set(.dmarc, v.dmarc)
        } else {
            r.consume(.spamProcessingDetail)
        }
        b.setRaw(.tls_version, r, .tlsVersion)
        b.setRaw(.tls_cipher, r, .tlsCipher)
        b.setRaw(.virus_found, r, .virusFound)
        b.setRaw(.rejection_type, r, .rejectionType)
        b.setRaw(.rejection_code, r, .rejectionCode)
        b.setRaw(.rejection_info, r, .rejectionInfo)
        b.set(.delivered, r.bool(.delivered))
        b.set(.delivery_attempts, r.int(.deliveryAttempts))
        b.set(.delivery_time_ms, r.int(.deliveryTime))
        b.setRaw(.destination_ip, r, .destinationIp)
        b.setRaw(.hostname, r, .Hostname)
        b.setExtra(r)
    }

    static func fillURLProtect(_ r: Record, ts: Int64, recipient: String??, b: RowBatch) {
        b.setTimestamp(ts)
        b.set(.source, "siem_v2")
        b.set(.is_click, Int64(1))
        common(r, b: b)
        b.setAddress(.user, domain: .user_domain, r, given: recipient, keys: [.recipients, .recipient])
        b.setSender(r, .senderEnvelope)
        r.consume(.senderDomain)
        b.setRaw(.subject, r, .subject)
        b.setURL(r, .url)
        b.setLowercased(.action, r, .action)
        b.setRaw(.block_reason, r, .blockReason)
        b.setRaw(.category, r, .urlCategory)
        if r.hasValue(.blockReason), let reason = r.string(.blockReason) { b.set(.scan_result, reason.lowercased()) }
        b.setRaw(.sending_ip, r, .sourceIp)
        b.setRaw(.route, r, .route)
        b.setJSON(.credential_theft, r, .analysis)
        b.setExtra(r)
    }

    static func fillAttachmentProtect(_ r: Record, ts: Int64, b: RowBatch) {
        b.setTimestamp(ts)
        b.set(.source, "siem_v2")
        common(r, b: b)
        setRecipient(r, nil, b: b)
        b.setSender(r, .senderEnvelope)
        r.consume(.senderDomain)
        b.setRaw(.sender_ip, r, .senderIp)
        b.setRaw(.subject, r, .subject)
        b.setFileName(r, name: .fileName, ext: .fileExtension)
        b.setRaw(.file_mime, r, .fileMime)
        b.set(.size_bytes, r.int(.sizeAttachment))
        b.setHashes(r, sha256: .sha256, sha1: .sha1, md5: .md5)
        b.setRaw(.route, r, .route)
        b.setExtra(r)
    }

    static func fillImpersonation(_ r: Record, ts: Int64, recipient: String??, b: RowBatch) {
        b.setTimestamp(ts)
        b.set(.source, "siem_v2")
        common(r, b: b)
        setRecipient(r, recipient, b: b)
        b.setSender(r, .senderEnvelope)
        b.setRaw(.sender_ip, r, .senderIp)
        b.setRaw(.subject, r, .subject)
        b.setRaw(.definition, r, .policyDefinition)
        b.set(.hits, r.int(.itemsDetected))
        b.setLowercased(.action, r, .action)
        b.setRaw(.route, r, .route)
        let flags = ImpersonationFlags(
            taggedExternal: r.bool(.taggedExternal), taggedMalicious: r.bool(.taggedMalicious),
            internalUserName: r.bool(.internalUserName), newDomain: r.bool(.newDomain),
            replyMismatch: r.bool(.replyMismatch), similarInternalDomain: r.bool(.similarInternalDomain),
            similarCustomExternalDomain: r.bool(.similarCustomExternalDomain),
            similarMimecastExternalDomain: r.bool(.similarMimecastExternalDomain),
            customNameMatch: r.bool(.customNameMatch), customThreatDictionary: r.bool(.customThreatDictionary),
            mimecastThreatDictionary: r.bool(.mimecastThreatDictionary))
        flags.write(to: b, identifiers: nil)
        b.setExtra(r)
    }
}
