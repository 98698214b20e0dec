import Foundation
@testable import MailScopeKit
import Testing

/// CEF escaping: attacker text cannot add a field, end the event or drive a terminal.
@Suite struct CEFTextTests {
    @Test(arguments: [
        ("a=b", "a\\=b"),
        ("C:\\Users\\x", "C:\\\\Users\\\\x"),
        ("line1\nline2\r\n", "line1\\nline2\\r\\n"),
        ("pipe|stays", "pipe|stays"),
        ("\\=", "\\\\\\="),
        ("plain text ü 東京", "plain text ü 東京"),
    ])
    func extensionValuesEscapeBackslashEqualsAndNewlines(raw: String, escaped: String) {
        #expect(CEFText.value(raw) == escaped)
    }

    @Test(arguments: [
        ("a|b", "a\\|b"),
        ("C:\\x", "C:\\\\x"),
        ("key=value", "key=value"),
        ("two\nlines", "two\\\\u{A}lines"),
    ])
    func headerFieldsEscapeBackslashAndPipe(raw: String, escaped: String) {
        #expect(CEFText.header(raw) == escaped)
    }

    @Test func terminalEscapesAndBidiOverridesBecomeVisibleText() {
        let hostile = "Invoice \u{1B}[31mRED\u{1B}[0m \u{202E}fdp.exe \u{9B}2J\u{7F}\tend"
        for escaped in [CEFText.value(hostile), CEFText.header(hostile)] {
            #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
            #expect(escaped.contains("\\\\u{1B}[31mRED"))
            #expect(escaped.contains("\\\\u{202E}fdp.exe"))
            #expect(escaped.contains("\\\\u{9B}2J\\\\u{7F}\\\\u{9}end"))
        }
    }

    /// A hostile title, URL and file name give an event a CEF parser reads back into exactly
    /// our fields: seven header fields, our extension keys, and the text as it was (controls
    /// shown as `\u{…}`).
    @Test func hostileFieldsCannotAddFieldsOrExtensions() throws {
        var incident = AlertIncidentFixture.make()
        incident.title = "Pay now | CEF:0|x|y|1|2|3|10| msg=owned\nCEF:0|evil \\"
        incident.url = "https://evil.example/?a=b c=d\\"
        incident.fileName = "inv\u{1B}]0;title\u{7}.xlsm"
        let event = CEFEvent(incident: incident, report: "/r/report.html#incident-3")
        let line = event.line
        #expect(!line.contains("\n") && !line.contains("\r"))
        let parsed = try #require(Self.parse(line))
        #expect(parsed.header == ["CEF:0", "MailScope", "mailscope", MailScopeVersion.string, "MS-COR-010", incident.title.replacingOccurrences(of: "\n", with: "\\u{A}"), "10"])
        #expect(parsed.extensions.map(\.key) == event.extensions.map(\.key))
        let values = Dictionary(parsed.extensions, uniquingKeysWith: { a, _ in a })
        #expect(values["msg"] == incident.title)
        #expect(values["request"] == incident.url)
        #expect(values["fname"] == "inv\\u{1B}]0;title\\u{7}.xlsm")
    }

    /// A strict reading of a CEF line as a SIEM parser does it: the header split on unescaped
    /// pipes, extension keys found before unescaped `=`, values unescaped. Nil when malformed.
    static func parse(_ line: String) -> (header: [String], extensions: [(key: String, value: String)])? {
        var header: [String] = [], field = "", chars = Array(line), i = 0
        while i < chars.count && header.count < 7 {
            if chars[i] == "\\", i + 1 < chars.count, chars[i + 1] == "\\" || chars[i + 1] == "|" { field.append(chars[i + 1]); i += 2; continue }
            if chars[i] == "|" { header.append(field); field = ""; i += 1; continue }
            field.append(chars[i]); i += 1
        }
        guard header.count == 7 else { return nil }
        // Extension: split at unescaped "=", the key being the last word before it.
        var raw: [(key: String, value: String)] = []
        var current = ""
        while i < chars.count {
            if chars[i] == "\\", i + 1 < chars.count { current.append(chars[i]); current.append(chars[i + 1]); i += 2; continue }
            if chars[i] == "=" {
                let space = current.lastIndex(of: " ")
                let key = String(space.map { current[current.index(after: $0)...] } ?? current[...])
                if !raw.isEmpty { raw[raw.count - 1].value = space.map { String(current[..<$0]) } ?? "" }
                guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
                raw.append((key, ""))
                current = ""
                i += 1
                continue
            }
            current.append(chars[i]); i += 1
        }
        if !raw.isEmpty { raw[raw.count - 1].value = current }
        return (header, raw.map { ($0.key, unescape($0.value)) })
    }

    static func unescape(_ value: String) -> String {
        var out = "", escaping = false
        for ch in value {
            if escaping {
                out += ch == "n" ? "\n" : ch == "r" ? "\r" : String(ch)
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

/// An incident with every alert field set, for alert tests to change.
enum AlertIncidentFixture {
    static func make() -> AlertIncident {
        AlertIncident(number: 3, key: "domain:acme-c0rp-secure.com", title: "Credential phish from acme-c0rp-secure.com",
                      severity: .critical, stage: .execution, ruleID: "MS-COR-010",
                      firstSeen: 1_793_520_000_000, lastSeen: 1_793_606_400_000,
                      recipients: 4, delivered: 4, interacted: 2, hosts: 1, findings: 9,
                      sender: "billing@acme-c0rp-secure.com", senderIP: "203.0.113.9", user: "ana@acme.example", host: "ws-ana",
                      fileName: "INV-88341.xlsm", sha256: String(repeating: "ab", count: 32), url: "https://acme-c0rp-secure.com/login",
                      findingMark: 120)
    }
}
