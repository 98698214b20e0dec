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

    /// `arguments` (a command line) with the URL after `--alert-webhook` shown as
    /// `description` shows it, so the run table and the reports' methodology, which record the
    /// command line, do not keep the webhook's token.
    public static func redacting(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var next = false
        for arg in arguments {
            if next {
                out.append((try? WebhookTarget(parsing: arg))?.redacted ?? arg)
                next = false
            } else if arg == "--alert-webhook" {
                out.append(arg)
                next = true
            } else if arg.hasPrefix("--alert-webhook=") {
                let value = String(arg.dropFirst("--alert-webhook=".count))
                out.append("--alert-webhook=" + ((try? WebhookTarget(parsing: value))?.redacted ?? value))
            } else {
                out.append(arg)
            }
        }
        return out
    }

    /// The URL without path, query or user, and the short hash: `https://host/…#sha256:0123…`.
    var redacted: String {
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(url.scheme?.lowercased() ?? "")://\(url.host ?? "")\(port)/…#sha256:\(digest.prefix(12))"
    }

    var digest: String { SHA256.hash(data: Data(url.absoluteString.utf8)).map { String(format: "%02x", $0) }.joined() }

    /// `https://host[:port]/… (sha256:0123456789ab)`: the URL without its path, query or user.
    public var description: String {
        let port = url.port.map { ":\($0)" } ?? ""
        let path = (url.path.isEmpty || url.path == "/") && url.query == nil ? "" : "/…"
        return "\(url.scheme?.lowercased() ?? "")://\(url.host ?? "")\(port)\(path) (sha256:\(digest.prefix(12)))"
    }
}
