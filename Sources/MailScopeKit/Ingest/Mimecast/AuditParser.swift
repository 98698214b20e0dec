/// The audit log (`/api/audit/get-audit-events`, records in `data[]`, or one per line):
/// `audit_event` rows. The time is `eventTime` (UTC), never the local Date/Time written
/// inside `eventInfo` (they disagree in real data, mimecast-more.md §1).
enum AuditParser {
    static func matches(_ r: Record) -> Bool { r.has(.auditType) && r.has(.eventInfo) }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.eventTime])
        let b = ctx.batch
        // Keyed on the whole record (id, eventTime, auditType, eventInfo, user, category): ids
        // are reused across different events.
        b.beginRow(.auditEvent, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "mimecast_audit")
        b.setRaw(.event_id, r, .id)
        let address = AdminExportFields.setActor(b, r, .user)
        let type = r.string(.auditType)
        b.setRaw(.audit_type, r, .auditType)
        b.setRaw(.category, r, .category)
        let infoText = r.string(.eventInfo)
        b.setRaw(.event_info, r, .eventInfo)
        if let infoText {
            let info = AuditEventInfo(parsing: infoText)
            b.set(.summary, info.summary)
            b.set(.source_ip, info.ip.map { Host.normalizedIP($0) ?? $0 })
            b.set(.application, info.application)
            b.set(.method, info.method)
            b.set(.two_factor, info.twoFactor)
            b.set(.reason, info.reason)
            b.set(.local_time, info.localTime)
        }
        b.set(.machine, Int64(AdminExportFields.isMachine(address) || type == "Threat Intel Feed Download" ? 1 : 0))
        b.setExtra(r)
        b.endRow()
    }
}
