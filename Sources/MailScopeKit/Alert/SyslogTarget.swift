import Foundation

/// Where syslog alerts go (`alert_syslog:`, `--alert-syslog`): the local syslog daemon's Unix
/// datagram socket, a collector over UDP (RFC 5426: one message per datagram) or TCP (RFC 6587
/// octet counting), or a file the SIEM's agent tails (one message per line, appended).
public enum SyslogTarget: Sendable, Equatable, CustomStringConvertible {
    case unixSocket(path: String)
    case udp(host: String, port: UInt16)
    case tcp(host: String, port: UInt16)
    case file(path: String)

    /// What may be written, for messages.
    public static let allowed = "unix:/dev/log, udp://HOST:PORT, tcp://HOST:PORT or file:PATH"

    /// Parses `unix:PATH`, `udp://HOST:PORT`, `tcp://HOST:PORT` (IPv6 hosts in brackets) or
    /// `file:PATH`; `resolve` makes a relative file path absolute (config files resolve against
    /// their folder). Throws a sentence saying what is wrong.
    public init(parsing text: String, resolve: (String) -> String = { $0 }) throws(ParseError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("unix:") {
            let path = String(t.dropFirst(5))
            guard !path.isEmpty else { throw ParseError("\"\(text)\" names no socket; expected e.g. unix:/dev/log") }
            self = .unixSocket(path: resolve(path))
        } else if t.hasPrefix("file:") {
            let path = String(t.dropFirst(5))
            guard !path.isEmpty else { throw ParseError("\"\(text)\" names no file; expected e.g. file:/var/log/mailscope-alerts.log") }
            self = .file(path: resolve(path))
        } else if t.hasPrefix("udp://") || t.hasPrefix("tcp://") {
            let rest = String(t.dropFirst(6))
            let host: String, portText: String
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                guard after.hasPrefix(":") else { throw ParseError("\"\(text)\" has no port; expected e.g. \(t.prefix(6))[::1]:514") }
                portText = String(after.dropFirst())
            } else {
                let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw ParseError("\"\(text)\" is not HOST:PORT; expected e.g. \(t.prefix(6))127.0.0.1:514") }
                host = String(parts[0])
                portText = String(parts[1])
            }
            guard !host.isEmpty, !host.contains("/") else { throw ParseError("\"\(text)\" names no host; expected e.g. \(t.prefix(6))127.0.0.1:514") }
            guard let port = UInt16(portText), port > 0 else { throw ParseError("\"\(text)\": \"\(portText)\" is not a port (1–65535)") }
            self = t.hasPrefix("udp") ? .udp(host: host, port: port) : .tcp(host: host, port: port)
        } else {
            throw ParseError("\"\(text)\" is not \(Self.allowed)")
        }
    }

    /// The destination as written back (`udp://127.0.0.1:514`): how log lines and the
    /// delivery record name it.
    public var description: String {
        func hostPort(_ host: String, _ port: UInt16) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        switch self {
        case .unixSocket(let path): return "unix:\(path)"
        case .udp(let host, let port): return "udp://\(hostPort(host, port))"
        case .tcp(let host, let port): return "tcp://\(hostPort(host, port))"
        case .file(let path): return "file:\(path)"
        }
    }

    /// Why an `alert_syslog` value cannot be used.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
