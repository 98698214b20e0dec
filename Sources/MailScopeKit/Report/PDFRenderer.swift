import Foundation

/// Prints a report's HTML to PDF with a headless Chromium: the same page a reader's browser
/// shows, with the print stylesheet's page header and footer (report id, input manifest hash,
/// page n / m). MailScope has no PDF engine of its own; Chromium's is the one that implements
/// the CSS paged media the report uses, and Debian ships it (`apt-get install chromium`).
///
/// The browser runs with a throw-away profile, no sandbox (containers and root have none to
/// give; the page is MailScope's own escaped HTML whose Content-Security-Policy forbids
/// scripts and fetches) and the background services that would reach the network turned off.
public struct PDFRenderer: Sendable {
    /// The Debian package that provides the browser, named when none is found.
    public static let package = "chromium"
    /// The browser names looked for on PATH, in order.
    public static let browsers = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    /// The environment variable that names a browser executable instead.
    public static let browserVariable = "MAILSCOPE_CHROMIUM"

    /// The browser executable.
    public var browser: String
    /// How long one print may take before the browser is stopped. The example report
    /// (9 incidents, 166 findings, 29 A4 pages) prints in 2.2–2.7 s on 2 cores (the other
    /// formats take 0.4 s), so 120 s is a hung browser, not a big report.
    public var timeout: TimeInterval = 120

    public init(browser: String, timeout: TimeInterval = 120) {
        self.browser = browser
        self.timeout = timeout
    }

    /// Why report.pdf was not written. The other report files are written before it, so they
    /// are in place whatever this says.
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        /// No browser on PATH (or the one `MAILSCOPE_CHROMIUM` names is not executable).
        case browserMissing(named: String?)
        case timedOut(browser: String, seconds: Int)
        case failed(browser: String, status: Int32, detail: String)

        public var description: String {
            switch self {
            case .browserMissing(let named?):
                return "report.pdf not written: \(PDFRenderer.browserVariable)=\(named) is not an executable browser; "
                    + "point it at Chromium or install Debian's \(PDFRenderer.package) package (apt-get install \(PDFRenderer.package))"
            case .browserMissing(nil):
                return "report.pdf not written: no Chromium found on PATH (looked for \(PDFRenderer.browsers.joined(separator: ", "))); "
                    + "install Debian's \(PDFRenderer.package) package (apt-get install \(PDFRenderer.package)), "
                    + "or leave pdf out of --format (the other reports are written)"
            case .timedOut(let browser, let seconds):
                return "report.pdf not written: \(browser) did not finish printing within \(seconds) s and was stopped"
            case .failed(let browser, let status, let detail):
                return "report.pdf not written: \(browser) exited \(status) without a PDF" + (detail.isEmpty ? "" : ": \(detail)")
            }
        }
    }

    /// The browser `MAILSCOPE_CHROMIUM` names, else the first of ``browsers`` on PATH.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PDFRenderer {
        let files = FileManager.default
        if let named = environment[browserVariable], !named.isEmpty {
            guard files.isExecutableFile(atPath: named) else { throw Error.browserMissing(named: named) }
            return PDFRenderer(browser: named)
        }
        let folders = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in browsers {
            for folder in folders where !folder.isEmpty {
                let path = (folder as NSString).appendingPathComponent(name)
                if files.isExecutableFile(atPath: path) { return PDFRenderer(browser: path) }
            }
        }
        throw Error.browserMissing(named: nil)
    }

    /// Prints `html` (a whole, self-contained page) and returns the PDF. Chromium stamps the
    /// PDF with the time it printed; that stamp is replaced by `date` (the report's own time)
    /// so the same report prints to the same bytes with the same browser and fonts.
    public func render(html: String, date: Timestamp) throws -> Data {
        let files = FileManager.default
        let work = files.temporaryDirectory.appendingPathComponent("mailscope-pdf-\(getpid())-\(UUID().uuidString)")
        try files.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: work) }
        let page = work.appendingPathComponent("report.html"), pdf = work.appendingPathComponent("report.pdf")
        let log = work.appendingPathComponent("browser.log")
        try Data(html.utf8).write(to: page)
        guard files.createFile(atPath: log.path, contents: nil) else { throw Error.failed(browser: browser, status: -1, detail: "cannot write \(log.path)") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + work.appendingPathComponent("profile").path,
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--no-pdf-header-footer", "--print-to-pdf=" + pdf.path, page.absoluteString,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        process.standardError = logHandle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            throw Error.failed(browser: browser, status: -1, detail: "cannot start: \(error.localizedDescription)")
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if done.wait(timeout: .now() + 5) == .timedOut { kill(process.processIdentifier, SIGKILL); done.wait() }
            throw Error.timedOut(browser: browser, seconds: Int(timeout))
        }
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: pdf), data.starts(with: Data("%PDF".utf8)) else {
            let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: " | ") ?? ""
            throw Error.failed(browser: browser, status: process.terminationStatus, detail: lines)
        }
        return Self.stamp(data, with: date)
    }

    /// `data` with the Info dictionary's `/CreationDate` and `/ModDate` set to `date` (UTC).
    /// The new value has the length of Chromium's (`D:YYYYMMDDHHMMSS+HH'MM'`), so no byte
    /// offset in the file moves; a value of any other length is left as it is.
    static func stamp(_ data: Data, with date: Timestamp) -> Data {
        var seconds = time_t(date.milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let value = String(format: "D:%04d%02d%02d%02d%02d%02d+00'00'", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                           Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        var out = data
        for key in ["/CreationDate (", "/ModDate ("] {
            guard let start = out.range(of: Data(key.utf8))?.upperBound,
                  let end = out[start...].firstIndex(of: UInt8(ascii: ")")), end - start == value.utf8.count else { continue }
            out.replaceSubrange(start..<end, with: Data(value.utf8))
        }
        return out
    }
}
