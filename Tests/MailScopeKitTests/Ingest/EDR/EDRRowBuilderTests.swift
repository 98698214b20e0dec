import Foundation
import Testing
@testable import MailScopeKit

@Suite struct EDRRowBuilderTests {
    /// (path, base name, is a path): ASCII is answered on bytes, other text Character-wise,
    /// where a separator followed by a combining mark is one character and no separator.
    static let paths: [(String, String, Bool)] = [
        ("", "", false),
        ("cmd.exe", "cmd.exe", false),
        ("C:\\Windows\\System32\\cmd.exe", "cmd.exe", true),
        ("/usr/bin/python3", "python3", true),
        ("C:\\dir\\", "C:\\dir\\", true),
        ("/", "/", true),
        ("\\\\?\\C:\\a/b", "b", true),
        ("C:\\Users\\élève\\café.exe", "café.exe", true),
        ("C:\\x\\\u{301}y.exe", "x\\\u{301}y.exe", true),
        ("x\\\u{301}y", "x\\\u{301}y", false),
        ("a\r\n\\b", "b", true),
        ("😀/😀", "😀", true),
    ]

    @Test(arguments: paths.indices)
    func baseNameAndIsPath(_ index: Int) {
        let (path, base, isPath) = Self.paths[index]
        #expect(EDRRowBuilder.baseName(path) == base)
        #expect(EDRRowBuilder.isPath(path) == isPath)
    }

    /// (a, b, same ignoring case), checked against Foundation's `caseInsensitiveCompare` too.
    static let names: [(String, String, Bool)] = [
        ("cmd.exe", "cmd.exe", true),
        ("CMD.EXE", "cmd.exe", true),
        ("cmd.exe", "cmd.ex", false),
        ("a@b", "A`b", false),        // '@' and '`' differ by 0x20 but are no letters
        ("[x]", "{x}", false),
        ("", "", true),
        ("Élève.exe", "élève.exe", true),
        ("e\u{301}.exe", "\u{E9}.exe", true),
        ("tab\there", "TAB\tHERE", true),
    ]

    @Test(arguments: names.indices)
    func sameIgnoringCaseAgreesWithFoundation(_ index: Int) {
        let (a, b, same) = Self.names[index]
        #expect(EDRRowBuilder.sameIgnoringCase(a, b) == same)
        #expect((a.caseInsensitiveCompare(b) == .orderedSame) == same)
    }
}
