import Foundation

/// One RFC 5424 syslog message carrying a CEF event:
/// `<PRI>1 TIMESTAMP HOSTNAME mailscope PROCID - - CEF:0|…`, with no MSGID or structured data
/// (the CEF payload carries everything) and no BOM (CEF collectors read the MSG as text).
public struct SyslogMessage: Sendable, Equatable {
    public var severity: Rule.Severity
    /// When the alert was made, ms UTC (the run's report time: SOURCE_DATE_EPOCH when set).
    public var time: Int64
    public var hostname: String
    public var processID: Int32
    /// The message text (the CEF line: one line, already escaped).
    public var text: String

    public init(severity: Rule.Severity, time: Int64, hostname: String, processID: Int32, text: String) {
        self.severity = severity
        self.time = time
        self.hostname = hostname
        self.processID = processID
        self.text = text
    }

    /// The message as RFC 5424 writes it.
    public var formatted: String {
        "<\(AlertSeverity.pri(severity))>1 \(TimeParser.iso8601(time)) \(Self.headerField(hostname, limit: 255)) mailscope \(processID) - - \(text)"
    }

    /// The message with RFC 6587 octet-counting framing, for syslog over TCP: its length in
    /// bytes, a space, the message — no trailer, so a newline inside cannot split it.
    public var octetCounted: Data {
        let body = Data(formatted.utf8)
        return Data("\(body.count) ".utf8) + body
    }

    /// A HOSTNAME/APP-NAME field: printable US-ASCII without spaces (RFC 5424's PRINTUSASCII),
    /// at most `limit` characters, `-` when empty.
    static func headerField(_ text: String, limit: Int) -> String {
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value > 32 && $0.value < 127 }).prefix(limit))
        return kept.isEmpty ? "-" : kept
    }

    /// This machine's name, as the HOSTNAME field.
    public static var localHostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "-" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
