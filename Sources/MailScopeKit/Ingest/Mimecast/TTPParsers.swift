/// Targeted Threat Protection logs (`/api/ttp/url|attachment|impersonation/get-logs`, API 1.0
/// and 2.0 alike): records from `clickLogs`, `attachmentLogs` and `impersonationLogs`, or one
/// per line. Dates look like `2021-10-16T14:07:38+0000`.
enum TTPURLParser {
    static func matches(_ r: Record) -> Bool {
        r.has(.url) && (r.has(.userEmailAddress) || r.has(.ttpDefinition) || r.has(.creationMethod))
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.date])
        let b = ctx.batch
        b.beginRow(.urlClick, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "ttp_url")
        // "Entry Scan" is Mimecast scanning the URL on arrival: not a click (formats §3).
        let method = r.string(.creationMethod)
        b.set(.creation_method, method)
        b.set(.is_click, Int64(method.map { $0.lowercased() == "entry scan" ? 0 : 1 } ?? 1))
        b.setAddress(.user, domain: .user_domain, r, given: nil, keys: [.userEmailAddress])
        b.setSender(r, .fromUserEmailAddress)
        b.setRaw(.subject, r, .subject)
        b.setMessageID(r, .messageId)
        b.setURL(r, .url)
        b.setLowercased(.action, r, .action)
        b.setRaw(.actions, r, .actions)
        b.setRaw(.admin_override, r, .adminOverride)
        b.setRaw(.user_override, r, .userOverride)
        b.setRaw(.user_awareness_action, r, .userAwarenessAction)
        b.setLowercased(.scan_result, r, .scanResult)
        b.setRaw(.category, r, .category)
        b.setRaw(.ttp_definition, r, .ttpDefinition)
        b.set(.sending_ip, Host.normalizedIP(r.string(.sendingIp)))
        if let ip = r.string(.sendingIp), Host.normalizedIP(ip) == nil, let i = r.fields.firstIndex(where: { $0.key == Int16(FieldKey.sendingIp.index) }) {
            r.consumed[i] = false   // "Internal IP" and the like: kept in extra, not as an address
        }
        b.setLowercased(.route, r, .route)
        b.setJSON(.email_parts, r, .emailPartsDescription)
        b.setJSON(.credential_theft, r, .advancedPhishingResult)
        b.setJSON(.tag_map, r, .tagMap)
        b.setExtra(r)
        b.endRow()
    }
}

enum TTPAttachmentParser {
    static func matches(_ r: Record) -> Bool {
        r.has(.fileHash) || (r.has(.result) && r.has(.recipientAddress) && r.has(.fileName))
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.date])
        let b = ctx.batch
        b.beginRow(.attachmentScan, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "ttp_attachment")
        b.setSender(r, .senderAddress)
        b.setEmail(.recipient, domain: .recipient_domain, r, .recipientAddress)
        b.setRaw(.subject, r, .subject)
        b.setMessageID(r, .messageId)
        b.setFileName(r, name: .fileName, ext: nil)
        b.setRaw(.file_mime, r, .fileType)
        b.setHash(.sha256, r, .fileHash)
        b.setLowercased(.result, r, .result)
        b.setRaw(.action_triggered, r, .actionTriggered)
        b.setRaw(.details, r, .details)
        b.setRaw(.definition, r, .definition)
        b.setLowercased(.route, r, .route)
        b.setExtra(r)
        b.endRow()
    }
}

enum TTPImpersonationParser {
    static func matches(_ r: Record) -> Bool {
        (r.has(.identifiers) || r.has(.impersonationResults)) && (r.has(.senderAddress) || r.has(.recipientAddress))
    }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.eventTime, .date])
        let b = ctx.batch
        b.beginRow(.impersonation, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "ttp_impersonation")
        b.setRaw(.event_id, r, .id)
        b.setSender(r, .senderAddress)
        b.setEmail(.recipient, domain: .recipient_domain, r, .recipientAddress)
        b.set(.sender_ip, r.string(.senderIpAddress))
        b.setRaw(.subject, r, .subject)
        b.setMessageID(r, .messageId)
        b.setRaw(.definition, r, .definition)
        b.set(.hits, r.int(.hits))
        b.setLowercased(.action, r, .action)
        var identifiers: [String] = []
        if let f = r.field(.identifiers) {
            r.consume(.identifiers)
            if f.kind == .array {
                identifiers = JSONScanner.stringArray(r.valueBytes(f))
            } else if let s = r.string(of: f) {
                // CSV exports flatten the array into a JSON string.
                var copy = s
                identifiers = copy.withUTF8 { JSONScanner.stringArray($0) }
            }
        }
        let flags = ImpersonationFlags(identifiers: identifiers, taggedExternal: r.bool(.taggedExternal), taggedMalicious: r.bool(.taggedMalicious))
        flags.write(to: b, identifiers: identifiers)
        if let f = r.field(.impersonationResults) {
            b.setJSON(.impersonation_results, r, .impersonationResults)
            b.set(.similar_to, similarTo(r, f, scratch: ctx.nested))
        }
        b.setExtra(r)
        b.endRow()
    }

    /// The first `similarDomain` (or `stringSimilarToDomain`) of the results: what the sender imitates.
    static func similarTo(_ r: Record, _ f: Record.Field, scratch: Record) -> String? {
        var bytes: [UInt8]
        if f.kind == .array {
            bytes = Array(r.valueBytes(f))
        } else if let s = r.string(of: f) {
            bytes = Array(s.utf8)
        } else {
            return nil
        }
        return bytes.withUnsafeBufferPointer { buf -> String? in
            guard let elements = try? JSONScanner.arrayElements(buf) else { return nil }
            for range in elements {
                let element = UnsafeBufferPointer(rebasing: buf[range])
                guard (try? JSONScanner.scanObject(element, into: scratch)) != nil else { continue }
                if let v = scratch.string(.similarDomain) ?? scratch.string(.stringSimilarToDomain), !v.isEmpty { return v }
            }
            return nil
        }
    }
}
