import Foundation

/// Which evidence a `mailscope run` hands to the rules, and which day its reports are filed
/// under. A nightly run loads only the new exports; looking at everything again each night
/// would make the job grow with the database. So the rules see the new data's time range plus
/// a look-back before it (long enough for a click today on yesterday's mail, or an EDR export
/// that arrives a day late). Findings are keyed by rule and evidence row, so overlapping
/// windows never duplicate anything.
public struct DetectionWindow: Sendable, Equatable {
    /// Evidence at or after this time (ms UTC) is checked; nil means the whole database.
    public var since: Int64?
    /// The time range of the data this run loaded (or, when it loaded nothing, of the newest
    /// data in the database); nil when the database holds no events at all.
    public var dataStart: Int64?
    public var dataEnd: Int64?
    /// One line for the log: why this window.
    public var explanation: String

    /// The look-back when neither the config nor `--lookback` says.
    public static let defaultLookback = TimeSpan("7d")!

    /// Decides the window. `newFiles` are the SHA-256 of the files this run loaded or finished
    /// loading; `since` (an explicit `--since`) and `full` override the rule above.
    public static func decide(_ db: Database, newFiles: [String], lookback: TimeSpan?, since explicit: Int64?, full: Bool) throws -> DetectionWindow {
        let back = (lookback ?? defaultLookback).milliseconds
        var window = DetectionWindow(since: nil, dataStart: nil, dataEnd: nil, explanation: "")
        if !newFiles.isEmpty {
            let list = try db.prepare("SELECT MIN(first_ts), MAX(last_ts) FROM input_file WHERE sha256 IN (SELECT value FROM json_each(?))")
            let json = String(decoding: try JSONSerialization.data(withJSONObject: newFiles), as: UTF8.self)
            try list.bind([.text(json)])
            if try list.step() { window.dataStart = list.value(at: 0).intValue; window.dataEnd = list.value(at: 1).intValue }
            list.reset()
        }
        let loadedNew = window.dataStart != nil
        if !loadedNew, let row = try db.query("SELECT MAX(last_ts) FROM input_file WHERE last_ts IS NOT NULL").first, let end = row[0].intValue {
            window.dataEnd = end
            window.dataStart = end
        }
        if full {
            window.explanation = "whole database (--full)"
        } else if let explicit {
            window.since = explicit
            window.explanation = "evidence since \(TimeParser.iso8601(explicit)) (--since)"
        } else if let start = window.dataStart {
            window.since = start - back
            let what = loadedNew ? "the new data" : "nothing new loaded; the newest data"
            window.explanation = "\(what) from \(TimeParser.iso8601(loadedNew ? start : window.dataEnd!)) and a look-back of \(lookback ?? defaultLookback) (evidence since \(TimeParser.iso8601(start - back)))"
        } else {
            window.explanation = "whole database (it holds no dated events)"
        }
        return window
    }

    /// `YYYY-MM-DD` (UTC) of the end of the data window: the folder a dated report goes to.
    public var day: String? {
        dataEnd.map { String(TimeParser.iso8601($0).prefix(10)) }
    }
}
