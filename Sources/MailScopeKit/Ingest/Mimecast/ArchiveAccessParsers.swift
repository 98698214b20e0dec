/// Archive search logs (`/api/archive/get-archive-search-logs` in `data[0].logs[]`,
/// `/api/archive/get-search-logs`, or one per line): `archive_access` rows of kind `search`.
enum ArchiveSearchParser {
    static func matches(_ r: Record) -> Bool { r.has(.createTime) && r.has(.emailAddr) && r.has(.searchText) }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.createTime])
        let b = ctx.batch
        b.beginRow(.archiveAccess, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "mimecast_archive_search")
        b.set(.kind, "search")
        let user = AdminExportFields.setActor(b, r, .emailAddr)
        b.set(.machine, Int64(AdminExportFields.isMachine(user) ? 1 : 0))
        b.setRaw(.archive_source, r, .source)
        b.setRaw(.description, r, .description)
        let text = r.string(.searchText)
        b.setRaw(.search_text, r, .searchText)
        b.set(.message_id, searchedMessageID(text))
        b.setRaw(.search_reason, r, .searchReason)
        b.setRaw(.search_path, r, .searchPath)
        b.setRaw(.muse_query, r, .museQuery)
        // Documented as a Boolean, sent as the string "true" (mimecast-more.md §4).
        if r.has(.isAdmin), let admin = r.bool(.isAdmin) { b.set(.is_admin, admin) } else { r.release(.isAdmin) }
        b.setExtra(r)
        b.endRow()
    }

    /// The Message-ID searched for, when the whole search text is one (`<id@host>`).
    static func searchedMessageID(_ text: String?) -> String? {
        guard let t = text?.trimmingASCIISpaceString(), t.hasPrefix("<"), t.hasSuffix(">"), t.contains("@"),
              !t.contains(" ") else { return nil }
        return MessageID.normalize(t)
    }
}

/// Archive view logs (`/api/archive/get-view-logs`, records in `data[]`): `archive_access`
/// rows of kind `view` — who opened which archived message, and whether its content.
enum ArchiveViewParser {
    static func matches(_ r: Record) -> Bool { r.has(.viewer) && r.has(.contentViewed) }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let ts = try EventTime.require(r, [.viewed])
        let b = ctx.batch
        b.beginRow(.archiveAccess, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "mimecast_archive_view")
        b.set(.kind, "view")
        let user = AdminExportFields.setActor(b, r, .viewer)
        b.set(.machine, Int64(AdminExportFields.isMachine(user) ? 1 : 0))
        b.setRaw(.archive_source, r, .source)
        b.setEmail(.sender, domain: nil, r, .from)
        b.setEmail(.recipient, domain: nil, r, .to)
        b.setRaw(.subject, r, .subject)
        if r.hasValue(.messageDate) {
            if let date = r.string(.messageDate).flatMap({ TimeParser.parse($0) }) {
                r.consume(.messageDate)
                b.set(.message_date, date)
            }
        }
        b.set(.content_viewed, r.bool(.contentViewed))
        b.set(.discovery_case, r.bool(.discoveryCase))
        b.setExtra(r)
        b.endRow()
    }
}
