import Foundation
import MailScopeKit

/// Writing to the terminal: stderr for messages and progress, with control characters from
/// input data neutralised (a file name or subject must not drive the terminal).
enum Terminal {
    static let stderrIsTTY = isatty(2) == 1
    /// Results on a terminal get control characters escaped in every format, not only tables.
    static let stdoutIsTTY = isatty(1) == 1
    static let colors = stderrIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func error(_ message: String) {
        write((colors ? "\u{1B}[31merror:\u{1B}[0m " : "error: ") + TerminalText.safe(message) + "\n")
    }
}

/// Progress on stderr: a bar redrawn in place on a terminal, plain lines under cron.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var barShown = false
    private var lastFile = -1

    func message(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearBar()
        Terminal.write(TerminalText.safe(text) + "\n")
    }

    func update(index: Int, count: Int, path: String, bytes: Int, size: Int) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        if Terminal.stderrIsTTY {
            guard now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let fraction = size > 0 ? min(1, Double(bytes) / Double(size)) : 1
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let name = TerminalText.safe((path as NSString).lastPathComponent)
            Terminal.write("\r\u{1B}[K[\(index + 1)/\(count)] \(bar) \(Int(fraction * 100))% \(name.prefix(40))")
            barShown = true
        } else if index != lastFile || now.timeIntervalSince(lastDraw) > 10 {
            lastFile = index
            lastDraw = now
            let mb = String(format: "%.1f", Double(bytes) / 1_048_576)
            Terminal.write("[\(index + 1)/\(count)] \(TerminalText.safe(path)): \(mb) MB read\n")
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        clearBar()
    }

    private func clearBar() {
        if barShown {
            Terminal.write("\r\u{1B}[K")
            barShown = false
        }
    }
}
