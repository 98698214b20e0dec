import Foundation
@testable import MailScopeKit
import Testing

/// RFC 5424 formatting and RFC 6587 octet-counting framing.
@Suite struct SyslogMessageTests {
    let message = SyslogMessage(severity: .high, time: 1_793_664_000_000, hostname: "mail-forensics", processID: 4242,
                                text: "CEF:0|MailScope|mailscope|0.1.0|MS-URL-003|t|8|msg=x")

    @Test func formatsTheRFC5424HeaderBeforeTheCEFPayload() {
        #expect(message.formatted == "<35>1 2026-11-03T00:00:00.000Z mail-forensics mailscope 4242 - - CEF:0|MailScope|mailscope|0.1.0|MS-URL-003|t|8|msg=x")
    }

    @Test func octetCountingPrefixesTheLengthInBytes() {
        var m = message
        m.text = "msg=Grüße"   // ü and ß are two bytes each in UTF-8
        let framed = String(decoding: m.octetCounted, as: UTF8.self)
        let body = m.formatted
        #expect(framed == "\(body.utf8.count) \(body)")
        #expect(body.utf8.count == body.count + 2)
    }

    @Test func twoFramesOnOneStreamSplitAtTheirCounts() {
        let stream = message.octetCounted + message.octetCounted
        var rest = Substring(String(decoding: stream, as: UTF8.self)).utf8
        var frames: [String] = []
        while let space = rest.firstIndex(of: UInt8(ascii: " ")), let count = Int(String(decoding: rest[..<space], as: UTF8.self)) {
            let start = rest.index(after: space)
            let end = rest.index(start, offsetBy: count)
            frames.append(String(decoding: rest[start..<end], as: UTF8.self))
            rest = rest[end...]
        }
        #expect(frames == [message.formatted, message.formatted])
    }

    @Test func hostnameKeepsOnlyPrintableASCIIWithoutSpaces() {
        #expect(SyslogMessage.headerField("host name\u{1B}[2J\n", limit: 255) == "hostname[2J")
        #expect(SyslogMessage.headerField("", limit: 255) == "-")
        #expect(SyslogMessage.headerField(String(repeating: "h", count: 300), limit: 255).count == 255)
    }

    @Test func aHostileIncidentGivesOneLineMessage() {
        var incident = AlertIncidentFixture.make()
        incident.title = "a\nb\r\n<13>1 2026-01-01T00:00:00Z forged - - - -"
        let m = SyslogMessage(severity: incident.severity, time: 0, hostname: "h", processID: 1,
                              text: CEFEvent(incident: incident, report: nil).line)
        #expect(!m.formatted.contains("\n") && !m.formatted.contains("\r"))
        #expect(m.formatted.hasPrefix("<34>1 1970-01-01T00:00:00.000Z h mailscope 1 - - CEF:0|MailScope|mailscope|"))
    }
}
