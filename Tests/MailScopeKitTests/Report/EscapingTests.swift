import Foundation
import Testing
@testable import MailScopeKit

/// Escaping for each destination: JSON that is exact and inert, CSV cells for a terminal or a file.
@Suite struct EscapingTests {
    /// An OSC 8 hyperlink ending in BEL, CSI colour, a C1 CSI, DEL, RLO, LRI … PDI, a line separator.
    static let hostile = "a\u{1B}]8;;http://evil.example/\u{07}x\u{1B}]8;;\u{07} \u{1B}[31mred \u{9B}2J\u{7F} \u{202E}gpj.exe \u{2066}i\u{2069} \u{2028}end"

    static func serialized(_ value: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["v": value], options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }

    @Test func jsonWritesControlAndBidiCharactersAsEscapesAndKeepsTheValue() throws {
        let safe = JSONText.safe(try Self.serialized(Self.hostile))
        for scalar in safe.unicodeScalars {
            #expect(scalar.value >= 0x20 || scalar == "\n", "raw U+\(String(scalar.value, radix: 16)) left")
            #expect(!(0x7F...0x9F).contains(scalar.value) && !TerminalText.isBidiControl(scalar.value) && scalar != "\u{2028}")
        }
        #expect(safe.contains("\\u202e") && safe.contains("\\u009b") && safe.contains("\\u007f") && safe.contains("\\u2066"))
        let back = try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String]
        #expect(back?["v"] == Self.hostile, "the escapes decode to the exact value")
        #expect(safe.contains("\n  \"v\""), "the layout's newlines are kept")
    }

    @Test func jsonWithoutSuchCharactersIsUnchanged() throws {
        let plain = try Self.serialized("Password expiry notice — ünïcode ok")
        #expect(JSONText.safe(plain) == plain)
    }

    @Test func csvForATerminalEscapesWhatTheTableEscapes() {
        let cell = CSVText.cell(Self.hostile, forTerminal: true)
        for c in ["\u{1B}", "\u{07}", "\u{9B}", "\u{7F}", "\u{202E}", "\u{2066}"] { #expect(!cell.contains(c)) }
        #expect(cell.contains("\\u{1B}]8;;http://evil.example/\\u{7}") && cell.contains("\\u{202E}gpj.exe"))
        #expect(cell == CSVText.cell(TerminalText.safe(Self.hostile)))
    }

    @Test func csvForAFileKeepsTheExactValueFormulaSafe() {
        #expect(CSVText.cell(Self.hostile, forTerminal: false) == CSVText.cell(Self.hostile))
        #expect(CSVText.cell(Self.hostile, forTerminal: false).contains(Self.hostile))
        #expect(CSVText.cell("=HYPERLINK(\"x\")", forTerminal: true).hasPrefix("\"'="))
    }
}
