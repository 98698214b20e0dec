import Foundation
#if canImport(FoundationNetworking)
// On Linux URLSession lives here and is built on libcurl: the binary then needs libcurl4.
import FoundationNetworking
#endif

/// POSTs the webhook alert: one JSON document, `Content-Type: application/json`, each try
/// bounded by `timeout`, up to `tries` tries with a growing pause between them (a tenth of the
/// timeout, then a fifth, …). A 2xx answer is delivered; anything else (no answer, refused,
/// 4xx, 5xx) is a failed try. Proxy settings come from the usual environment variables
/// (`https_proxy`, `no_proxy`), as libcurl reads them.
public struct WebhookSender: Sendable {
    public var target: WebhookTarget
    /// Seconds one try may take.
    public var timeout: Double
    public var tries: Int

    public init(target: WebhookTarget, timeout: Double, tries: Int = 3) {
        self.target = target
        self.timeout = timeout
        self.tries = max(1, tries)
    }

    /// How the POST ended: how many tries it took and, when it failed, the last try's reason.
    public struct Outcome: Sendable, Equatable {
        public var attempts: Int
        public var failure: String?
    }

    public func post(_ body: Data) -> Outcome {
        var reason = ""
        for attempt in 1...tries {
            if attempt > 1 { Thread.sleep(forTimeInterval: timeout / 10 * Double(1 << (attempt - 2))) }
            guard let failure = postOnce(body) else { return Outcome(attempts: attempt, failure: nil) }
            reason = failure
        }
        return Outcome(attempts: tries, failure: "\(tries) tr\(tries == 1 ? "y" : "ies"), the last: \(reason)")
    }

    /// One POST; nil when the server answered 2xx, else why not.
    func postOnce(_ body: Data) -> String? {
        var request = URLRequest(url: target.url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("mailscope/\(MailScopeVersion.string)", forHTTPHeaderField: "User-Agent")
        request.httpBody = body
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { _, response, error in
            if let error {
                result.set(error.localizedDescription)
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                result.set("HTTP \(http.statusCode) \(HTTPURLResponse.localizedString(forStatusCode: http.statusCode))")
            } else if response == nil {
                result.set("no answer")
            }
            done.signal()
        }
        task.resume()
        // URLSession's own timeout should end the task; this bounds it should it not.
        if done.wait(timeout: .now() + timeout + 2) == .timedOut {
            task.cancel()
            return "no answer within \(SyslogSender.seconds(timeout))"
        }
        return result.value
    }

    /// The reason a completion handler found, handed to the waiting thread.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: String?
        func set(_ reason: String) { lock.lock(); stored = reason; lock.unlock() }
        var value: String? { lock.lock(); defer { lock.unlock() }; return stored }
    }
}
