/// Awareness Training exports (SafeScore and watchlist details, as Sentinel stores them):
/// `user_risk` rows. They are snapshots with no event time; the collector's `TimeGenerated`
/// says when the score held (mimecast-more.md §5).
enum AwarenessParser {
    static func matches(_ r: Record) -> Bool { r.has(.humanError) || r.has(.watchlistCount) }

    static func parse(_ r: Record, line: Int64, ctx: ParseContext) throws(ParseFailure) {
        let watchlist = r.has(.watchlistCount)
        let ts: Int64
        do {
            ts = try EventTime.require(r, [.timeGenerated])
        } catch where error.reason == .missingTimestamp {
            throw ParseFailure(reason: .missingTimestamp,
                               detail: "Awareness Training snapshot without \"TimeGenerated [UTC]\": MailScope cannot tell when the score held — export it with the collection time")
        }
        let b = ctx.batch
        b.beginRow(.userRisk, line: line, dedup: ContentKey.of(r, seed: ctx.seed))
        b.setTimestamp(ts)
        b.set(.source, "mimecast_awareness")
        b.set(.kind, watchlist ? "watchlist" : "safescore")
        let key: FieldKey = r.has(.emailAddress) ? .emailAddress : .email
        AdminExportFields.setActor(b, r, key)
        b.setRaw(.name, r, .name)
        b.setRaw(.department, r, .department)
        b.setRaw(.user_state, r, .userState)
        b.setRaw(.risk, r, .risk)
        b.setRaw(.human_error, r, .humanError)
        b.setRaw(.sentiment, r, .sentiment)
        b.setRaw(.engagement, r, .engagement)
        b.setRaw(.knowledge, r, .knowledge)
        if r.hasValue(.watchlistCount) {
            if let n = r.int(.watchlistCount) { b.set(.watchlist_count, n) } else { r.release(.watchlistCount) }
        }
        b.setRaw(.user_id, r, .userId)
        b.setExtra(r)
        b.endRow()
    }
}
