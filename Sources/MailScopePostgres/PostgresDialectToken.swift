import Foundation

/// One token of SQL as MailScope's rules write it (SQLite's lexical rules), with where it starts
/// in the rule text. `PostgresDialect` rewrites tokens, never raw text, so nothing inside a
/// string literal, a quoted identifier or a comment is ever touched.
struct PostgresDialectToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// Spaces, tabs, newlines.
        case whitespace
        /// `-- …` up to the end of the line, or `/* … */`.
        case comment
        /// `'…'`, a doubled `''` inside it is one quote.
        case string
        /// `"…"`, a doubled `""` inside it is one quote.
        case quotedIdentifier
        /// `12`, `3.5`, `1e3`, `0x1F`.
        case number
        /// A keyword, a name or a function name (`SELECT`, `ts`, `strftime`).
        case word
        /// `:name`, `@name`, `$name`, `?` or `?NNN`.
        case parameter
        /// An operator or punctuation: `(`, `)`, `,`, `.`, `||`, `::`, `<=`, `=` …
        case punctuation
    }

    let kind: Kind
    let text: String
    /// 1-based line and column (in characters) of the token's first character.
    let line: Int
    let column: Int

    var isTrivia: Bool { kind == .whitespace || kind == .comment }

    /// The word in lower case (keywords and names compare case-insensitively), or nil.
    var word: String? { kind == .word ? text.lowercased() : nil }

    func isPunctuation(_ symbol: String) -> Bool { kind == .punctuation && text == symbol }

    /// The tokens of `sql`. Throws on an unterminated string, quoted identifier or comment.
    static func tokens(_ sql: String) throws(PostgresDialectError) -> [PostgresDialectToken] {
        let chars = Array(sql)
        var tokens: [PostgresDialectToken] = []
        var i = 0, line = 1, column = 1

        func isWordStart(_ c: Character) -> Bool { c == "_" || c.isLetter }
        func isWordPart(_ c: Character) -> Bool { c == "_" || c == "$" || c.isLetter || c.isNumber }
        func at(_ k: Int) -> Character? { k < chars.count ? chars[k] : nil }

        while i < chars.count {
            let start = i, startLine = line, startColumn = column
            let c = chars[i]
            let kind: Kind
            if c.isWhitespace {
                while let n = at(i), n.isWhitespace { i += 1 }
                kind = .whitespace
            } else if c == "-", at(i + 1) == "-" {
                while let n = at(i), !n.isNewline { i += 1 }
                kind = .comment
            } else if c == "/", at(i + 1) == "*" {
                i += 2
                while i < chars.count, !(chars[i] == "*" && at(i + 1) == "/") { i += 1 }
                guard i < chars.count else {
                    throw PostgresDialectError(problem: .malformed("a /* comment is not closed"), line: startLine, column: startColumn)
                }
                i += 2
                kind = .comment
            } else if c == "'" || c == "\"" {
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == c {
                        if at(i + 1) == c { i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    i += 1
                }
                guard closed else {
                    let what = c == "'" ? "a string literal" : "a quoted identifier"
                    throw PostgresDialectError(problem: .malformed("\(what) is not closed"), line: startLine, column: startColumn)
                }
                kind = c == "'" ? .string : .quotedIdentifier
            } else if c.isASCII, c.isNumber || (c == "." && (at(i + 1)?.isASCII ?? false) && (at(i + 1)?.isNumber ?? false)) {
                if c == "0", let x = at(i + 1), x == "x" || x == "X" {
                    i += 2
                    while let n = at(i), n.isHexDigit { i += 1 }
                } else {
                    while let n = at(i), n.isASCII, n.isNumber || n == "." { i += 1 }
                    if let e = at(i), e == "e" || e == "E" {
                        var k = i + 1
                        if let s = at(k), s == "+" || s == "-" { k += 1 }
                        if let d = at(k), d.isASCII, d.isNumber {
                            i = k
                            while let n = at(i), n.isASCII, n.isNumber { i += 1 }
                        }
                    }
                }
                kind = .number
            } else if isWordStart(c) {
                while let n = at(i), isWordPart(n) { i += 1 }
                kind = .word
            } else if (c == ":" || c == "@" || c == "$"), let n = at(i + 1), isWordStart(n) {
                i += 1
                while let n = at(i), isWordPart(n) { i += 1 }
                kind = .parameter
            } else if c == "?" {
                i += 1
                while let n = at(i), n.isASCII, n.isNumber { i += 1 }
                kind = .parameter
            } else {
                let two = at(i + 1).map { String([c, $0]) } ?? ""
                let three = at(i + 2).map { two + String($0) } ?? ""
                if three == "->>" {
                    i += 3
                } else if ["::", "||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"].contains(two) {
                    i += 2
                } else {
                    i += 1
                }
                kind = .punctuation
            }
            let text = String(chars[start..<i])
            tokens.append(PostgresDialectToken(kind: kind, text: text, line: startLine, column: startColumn))
            for ch in text {
                if ch.isNewline { line += 1; column = 1 } else { column += 1 }
            }
        }
        return tokens
    }
}

extension PostgresDialectToken {
    /// The statements of `sql`, split at the semicolons outside strings, identifiers and
    /// comments, each without its semicolon; empty ones left out.
    static func statements(_ sql: String) throws(PostgresDialectError) -> [String] {
        var out: [String] = []
        var current = ""
        for token in try tokens(sql) {
            if token.kind == .punctuation && token.text == ";" {
                if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append(current) }
                current = ""
            } else {
                current += token.text
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append(current) }
        return out
    }
}
