import Crypto
import Foundation

/// Where the webhook alert is POSTed (`alert_webhook:`, `--alert-webhook`): an http or https
/// URL. Webhook URLs often hold their secret in the path or query (Slack, Teams, Splunk HEC
/// tokens), so log lines and the delivery record show only scheme, host and port, plus a short
/// hash of the whole URL that tells two URLs on one host apart.
public struct WebhookTarget: Sendable, Equatable, CustomStringConvertible {
    public let url: URL

    /// Parses an absolute http:// or https:// URL with a host.
    public init(parsing text: String) throws(SyslogTarget.ParseError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: t), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw SyslogTarget.ParseError("\"\(text)\" is not a URL; expected e.g. https://soar.example.com/hooks/mailscope")
        }
        guard scheme == "http" || scheme == "https" else {
            throw SyslogTarget.ParseError("\"\(text)\": the scheme must be http or https, not \(scheme)")
        }
        self.url = url
    }

    /// `https://host[:port]/… (sha256:0123456789ab)`: the URL without its path, query or user.
    public var description: String {
        let digest = SHA256.hash(data: Data(url.absoluteString.utf8)).map { String(format: "%02x", $0) }.joined()
        let port = url.port.map { ":\($0)" } ?? ""
        let path = url.path.isEmpty || url.path == "/" ? "" : "/…"
        return "\(url.scheme?.lowercased() ?? "")://\(url.host ?? "")\(port)\(path) (sha256:\(digest.prefix(12)))"
    }
}
