import Foundation
import MailScopeKit

/// How the job's events read on the terminal: progress, notes and alerts on stderr, where the
/// reports went on stdout. Input text (paths, titles) is made safe for the terminal here.
enum JobPrinter {
    static func show(_ event: JobEvent, progress: Progress) {
        switch event {
        case .staleLock(let database, let holder):
            Terminal.write(TerminalText.safe("note: taking over a stale lock on \(database): the run that held it (\(holder)) ended without releasing it") + "\n")
        case .message(let text):
            progress.message(text)
        case .ingested(let summary):
            progress.finish()
            Terminal.write(TerminalText.safe(SummaryPrinter.text(summary), keepNewlines: true))
        case .window(let window):
            Terminal.write(TerminalText.safe("Detection window: \(window.explanation)") + "\n")
        case .watchListStored(let name, let people, let path):
            Terminal.write(TerminalText.safe("watch list \(name): \(people) people from \(path)") + "\n")
        case .feedStored(let feed, let new):
            for r in feed.rejects.prefix(20) {
                Terminal.write(TerminalText.safe("\(feed.path):\(r.line): \(r.reason): \(r.detail)") + "\n")
            }
            if feed.rejects.count > 20 { Terminal.write(TerminalText.safe("\(feed.path): \(feed.rejects.count - 20) more lines rejected (see the reject table)") + "\n") }
            let what = new.map { "\(feed.entries.count) indicators, \($0) new" } ?? "already loaded (same SHA-256), skipped"
            Terminal.write(TerminalText.safe("threat-intel feed \(feed.name) (\(feed.format)): \(what), \(feed.rejects.count) lines rejected, from \(feed.path)") + "\n")
        case .suppressionsStored(let list):
            Terminal.write(TerminalText.safe("suppression list: \(list.entries.count) entr\(list.entries.count == 1 ? "y" : "ies") from \(list.path)") + "\n")
        case .detected(let result):
            Terminal.write("Detection: \(result.outcomes.count) rules run, \(result.new) new findings (\(result.found) rows matched); \(result.incidents.description)\n")
            Terminal.write("Detection " + result.timing.lowercased() + "\n")
        case .reportsWritten(let folder, _):
            print("Reports written to \(TerminalText.safe(folder))")
        case .alert(let m):
            Terminal.write(TerminalText.safe("ALERT \(m.severity.rawValue) incident #\(m.id) \(m.key) (\(m.stage.rawValue)): \(m.title)") + "\n")
        case .alertReopened(let m, let d):
            Terminal.write(TerminalText.safe("ALERT \(m.severity.rawValue) incident #\(m.id) \(m.key) (\(m.stage.rawValue)): \(m.title) — re-opened by new evidence: was triaged \(d.summary)") + "\n")
        case .alertSilenced(let m, let d):
            Terminal.write(TerminalText.safe("note: incident #\(m.id) \(m.key) (\(m.stage.rawValue)) gained findings but is triaged \(d.summary) (\"\(d.note)\"): not alerted") + "\n")
        case .alertDelivered(let destination, let incidents):
            Terminal.write(TerminalText.safe("alert delivered to \(destination): \(numbers(incidents))") + "\n")
        case .alertDeliveryFailed(let destination, let incidents, let reason):
            Terminal.write(TerminalText.safe("warning: alert not delivered to \(destination): \(reason) (\(numbers(incidents))); the next run tries again") + "\n")
        }
    }

    /// "incident #2" / "incidents #2, #5".
    static func numbers(_ ids: [Int64]) -> String {
        "incident\(ids.count == 1 ? "" : "s") " + ids.map { "#\($0)" }.joined(separator: ", ")
    }
}
