import Foundation

/// Which evidence a `mailscope run` hands to the rules (its reports are filed under the day of
/// the run, not of this window: `ReportFolder`). A nightly run loads only the new exports;
/// looking at everything again each night would make the job grow with the database. So the
/// rules see the new data's time range plus a look-back before it (long enough for a click
/// today on yesterday's mail, or an EDR export that arrives a day late). "New" means not yet
/// checked by a run that finished (`input_file.detected`), so a killed run's files are checked
/// by the next one. Findings are keyed by rule and evidence row, so overlapping windows never
/// duplicate anything.
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

    /// The largest input_file id this window covers: files up to it are marked checked once
    /// detection completes (`markChecked`).
    public var lastFileID: Int64 = 0

    /// Decides the window from the files the rules have not looked at yet (`input_file.detected`
    /// = 0: loaded by this run, or by a run that was killed before its detection finished);
    /// `since` (an explicit `--since`) and `full` override it.
    public static func decide(_ db: Database, lookback: TimeSpan?, since explicit: Int64?, full: Bool) throws -> DetectionWindow {
        let back = (lookback ?? defaultLookback).milliseconds
        var window = DetectionWindow(since: nil, dataStart: nil, dataEnd: nil, explanation: "")
        window.lastFileID = try db.scalar("SELECT COALESCE(MAX(id), 0) FROM input_file")?.intValue ?? 0
        if let row = try db.rows("SELECT MIN(first_ts) AS data_start, MAX(last_ts) AS data_end FROM input_file WHERE detected = 0 AND first_ts IS NOT NULL").first {
            window.dataStart = row.int("data_start")
            window.dataEnd = row.int("data_end")
        }
        let pending = window.dataStart != nil
        if !pending, let row = try db.rows("SELECT MAX(last_ts) AS data_end FROM input_file WHERE last_ts IS NOT NULL").first, let end = row.int("data_end") {
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
            let what = pending ? "the data not yet checked" : "nothing new to check; the newest data"
            window.explanation = "\(what) from \(TimeParser.iso8601(pending ? start : window.dataEnd ?? start)) and a look-back of \(lookback ?? defaultLookback) (evidence since \(TimeParser.iso8601(start - back)))"
        } else {
            window.explanation = "whole database (it holds no dated events)"
        }
        return window
    }

    /// Marks the files this window covered as checked by the rules. Call it after detection
    /// and incident building have committed: a run killed before leaves them for the next run.
    public func markChecked(_ db: Database) throws {
        try db.run("UPDATE input_file SET detected = 1 WHERE detected = 0 AND id <= ? AND (first_ts IS NULL OR first_ts >= ?)",
                   [.integer(lastFileID), .integer(since ?? Int64.min)])
    }
}
