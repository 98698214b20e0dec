import Foundation

extension PostgresDialect {
    /// Renders one statement's token tree in PostgreSQL's form (`PostgresDialect` lists the rewrites).
    /// One instance per statement: it numbers the parameters as it meets them.
    final class Translator {
        let integers: Set<String>
        private(set) var names: [String] = []
        private var positional = 0
        private var subqueries = 0

        init(integers: Set<String>) { self.integers = integers }

        /// Words that may stand before a parenthesised group without calling a function.
        static let keywordsBeforeGroup: Set<String> = [
            "in", "exists", "as", "over", "values", "and", "or", "not", "on", "from", "join", "where", "using", "select",
            "with", "materialized", "when", "then", "else", "case", "between", "like", "ilike", "is", "into", "by", "having",
            "returning", "union", "all", "any", "some", "filter", "within", "set", "except", "intersect", "distinct",
            "recursive", "lateral", "limit", "offset", "end",
        ]
        /// Words that may follow a FROM item, so are not its alias.
        static let afterFromItem: Set<String> = [
            "where", "group", "order", "having", "limit", "offset", "union", "except", "intersect", "join", "left", "right",
            "inner", "outer", "cross", "full", "natural", "on", "using", "window", "fetch", "for", "returning",
            "then", "else", "end", "when", "and", "or",
        ]
        /// What may follow `IS` / `IS NOT` in PostgreSQL itself.
        static let isOperands: Set<String> = ["null", "true", "false", "distinct", "unknown", "json", "document", "normalized", "nfc", "nfd", "nfkc", "nfkd", "of"]

        /// SQLite functions with no translation, and what to write instead.
        static let unsupported: [String: String] = {
            let dates = "compute with the millisecond columns (ts / 86400000 is the UTC day) or strftime(…, ts / 1000, 'unixepoch')"
            let json = "json_each(x) in FROM is the one JSON function translated; read a JSON array with it"
            var map: [String: String] = [
                "printf": "build the text with ||",
                "format": "build the text with ||",
                "iif": "write CASE WHEN … THEN … ELSE … END",
                "typeof": "compare with IS NULL or test the value",
                "total": "write COALESCE(SUM(x), 0)",
                "glob": "write LIKE with % and _",
                "likelihood": "drop the planner hint", "likely": "drop the planner hint", "unlikely": "drop the planner hint",
                "hex": "compare the value itself", "unhex": "compare the value itself", "quote": "bind the value",
                "char": "write the character in a string literal", "unicode": "compare the character itself",
                "zeroblob": "it has no use in a rule", "randomblob": "a rule must be deterministic",
                "last_insert_rowid": "it has no use in a rule", "changes": "it has no use in a rule", "total_changes": "it has no use in a rule",
                "sqlite_version": "it has no use in a rule", "soundex": "it has no use in a rule",
                "json_tree": json,
            ]
            for name in ["julianday", "date", "time", "datetime", "unixepoch", "timediff"] { map[name] = dates }
            for name in ["json", "json_extract", "json_array", "json_object", "json_array_length", "json_type", "json_valid",
                         "json_quote", "json_group_array", "json_group_object", "json_insert", "json_replace", "json_set",
                         "json_remove", "json_patch"] { map[name] = json }
            return map
        }()

        /// Words after which a `+` is unary (`WHERE +x = 1`, `AND +x IN (…)`).
        static let beforeUnaryPlus: Set<String> = ["where", "and", "or", "not", "on", "when", "then", "else", "select", "by", "having", "case"]

        // MARK: - Rendering

        /// What the pattern of a LIKE just read is waiting for (the pattern ends where the operand does,
        /// and `ESCAPE ''` goes there).
        private enum PatternState { case none, operand, afterOperand, typeName }

        func render(_ nodes: [Node], topLevel: Bool = false) throws(PostgresDialectError) -> String {
            var out: [String] = []
            var pattern = PatternState.none
            var patternEnd = 0          // out index just after the pattern's last significant piece
            var lastSignificantEnd = 0  // out index just after the last significant piece
            var previousWord: String?   // the previous significant unit, when it was a word
            var onConflict = false      // INSERT OR IGNORE read: ON CONFLICT DO NOTHING is due
            var i = 0

            func nextSignificant(after k: Int) -> Int? {
                var j = k + 1
                while j < nodes.count, nodes[j].isTrivia { j += 1 }
                return j < nodes.count ? j : nil
            }

            while i < nodes.count {
                let node = nodes[i]
                if node.isTrivia {
                    out.append(node.text)
                    i += 1
                    continue
                }
                // The unit starting here: a function call is its name and its group.
                var unitEnd = i
                var call: (name: String, group: Int)?
                if let w = node.word, !Self.keywordsBeforeGroup.contains(w), let g = nextSignificant(after: i), nodes[g].isGroup {
                    call = (w, g)
                    unitEnd = g
                }

                // Does this unit continue the LIKE pattern or end it?
                if pattern != .none {
                    let token = call == nil ? node.token : nil
                    switch pattern {
                    case .operand:
                        if let t = token, t.isPunctuation("+") || t.isPunctuation("-") { break }
                        pattern = .afterOperand
                    case .typeName:
                        pattern = .afterOperand
                    case .afterOperand:
                        if let t = token, t.kind == .punctuation, ["||", "+", "-", "*", "/", "%", "."].contains(t.text) {
                            pattern = .operand
                        } else if let t = token, t.isPunctuation("::") {
                            pattern = .typeName
                        } else {
                            if token?.word != "escape" { out.insert(" ESCAPE ''", at: patternEnd) }
                            pattern = .none
                        }
                    case .none:
                        break
                    }
                }

                var piece: String
                var nextPattern = pattern
                if let call {
                    piece = try renderCall(call.name, nodes: nodes, at: i, group: call.group, unitEnd: &unitEnd, nextSignificant: nextSignificant)
                } else if case .group(_, let children, _) = node {
                    piece = "(" + (try render(children)) + ")"
                    // PostgreSQL 15 wants an alias on a subquery in FROM; SQLite does not.
                    if previousWord == "from" || previousWord == "join",
                       let first = children.first(where: { !$0.isTrivia })?.word, ["select", "with", "values"].contains(first) {
                        let following = nextSignificant(after: i).map { nodes[$0] }
                        let aliased: Bool
                        if let following, let w = following.word {
                            aliased = !Self.afterFromItem.contains(w)
                        } else {
                            aliased = following?.token?.kind == .quotedIdentifier
                        }
                        if !aliased {
                            subqueries += 1
                            piece += " AS subquery_\(subqueries)"
                        }
                    }
                } else if let token = node.token {
                    switch token.kind {
                    case .parameter:
                        piece = parameter(token)
                    case .punctuation:
                        if token.text == "->" || token.text == "->>" {
                            throw PostgresDialectError(problem: .unsupportedSyntax(what: token.text + " operator", hint: "json_each(x) in FROM is the one JSON form translated"),
                                                       line: token.line, column: token.column)
                        }
                        if token.text == "+", previousWord.map(Self.beforeUnaryPlus.contains) ?? (lastSignificantEnd == 0) {
                            // SQLite's `+column` (keeps the planner off that column's index) is a
                            // no-op there; PostgreSQL's unary + takes numbers only.
                            piece = ""
                        } else {
                            piece = token.text == "==" ? "=" : token.text
                        }
                    case .word:
                        let w = token.text.lowercased()
                        switch w {
                        case "user":
                            piece = "\"user\""
                        case "like":
                            piece = "ILIKE"
                            nextPattern = .operand
                        case "glob", "regexp", "match":
                            throw PostgresDialectError(problem: .unsupportedSyntax(what: token.text.uppercased() + " operator", hint: "write LIKE with % and _"),
                                                       line: token.line, column: token.column)
                        case "indexed" where nextSignificant(after: i).map({ nodes[$0].word == "by" }) ?? false:
                            // SQLite's planner hint `INDEXED BY name`: PostgreSQL plans for itself.
                            guard let by = nextSignificant(after: i), let name = nextSignificant(after: by) else {
                                throw PostgresDialectError(problem: .malformed("INDEXED BY without an index name"), line: token.line, column: token.column)
                            }
                            piece = ""
                            unitEnd = name
                        case "without" where nextSignificant(after: i).map({ nodes[$0].word == "rowid" }) ?? false:
                            // A table layout of SQLite's (`WITHOUT ROWID`): PostgreSQL has none.
                            piece = ""
                            unitEnd = nextSignificant(after: i) ?? i
                        case "temp" where nextSignificant(after: i).map({ nodes[$0].token?.isPunctuation(".") ?? false }) ?? false:
                            // SQLite's schema of temporary tables, `temp.name`, is PostgreSQL's `pg_temp`.
                            piece = "pg_temp"
                        case "limit" where nextSignificant(after: i).map({ nodes[$0].token?.kind == .parameter }) ?? false:
                            // SQLite reads a negative LIMIT as none; PostgreSQL refuses it (NULL is none).
                            guard let n = nextSignificant(after: i), let value = nodes[n].token else { piece = token.text; break }
                            piece = token.text + " NULLIF(GREATEST(" + parameter(value) + ", -1), -1)"
                            unitEnd = n
                        case "rowid", "_rowid_", "oid":
                            throw PostgresDialectError(problem: .unsupportedSyntax(what: token.text + " column", hint: "read the table's id column"),
                                                       line: token.line, column: token.column)
                        case "insert" where topLevel:
                            if let o = nextSignificant(after: i), nodes[o].word == "or", let a = nextSignificant(after: o) {
                                guard nodes[a].word == "ignore" else {
                                    throw PostgresDialectError(problem: .unsupportedSyntax(what: "INSERT OR " + nodes[a].text.uppercased(),
                                                                                           hint: "write INSERT OR IGNORE (ON CONFLICT DO NOTHING)"),
                                                               line: token.line, column: token.column)
                                }
                                onConflict = true
                                unitEnd = a
                            }
                            piece = token.text
                        case "returning" where onConflict:
                            out.insert(" ON CONFLICT DO NOTHING", at: lastSignificantEnd)
                            onConflict = false
                            piece = token.text
                        case "is":
                            // SQLite's IS compares any two values, NULL-safe; PostgreSQL's only with NULL/TRUE/FALSE.
                            var target = nextSignificant(after: i)
                            let negated = target.map { nodes[$0].word == "not" } ?? false
                            if negated, let t = target { target = nextSignificant(after: t) }
                            if let t = target, !Self.isOperands.contains(nodes[t].word ?? "") {
                                piece = negated ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM"
                                if negated, let n = nextSignificant(after: i) { unitEnd = n }
                            } else {
                                piece = token.text
                            }
                        default:
                            piece = token.text
                        }
                    default:
                        piece = token.text
                    }
                } else {
                    piece = node.text
                }

                out.append(piece)
                lastSignificantEnd = out.count
                previousWord = call == nil ? node.word : nil
                pattern = nextPattern
                if pattern == .afterOperand { patternEnd = out.count }
                i = unitEnd + 1
            }
            if pattern == .afterOperand { out.insert(" ESCAPE ''", at: patternEnd) }
            if onConflict {
                // Before a trailing semicolon and whitespace.
                var at = out.count
                while at > 0, out[at - 1].allSatisfy({ $0.isWhitespace || $0 == ";" }) { at -= 1 }
                out.insert(" ON CONFLICT DO NOTHING", at: at)
            }
            return out.joined()
        }

        private func parameter(_ token: PostgresDialectToken) -> String {
            let name: String
            if token.text.hasPrefix("?") {
                if token.text.count > 1 {
                    name = String(token.text.dropFirst())
                    positional = max(positional, Int(name) ?? positional)
                } else {
                    positional += 1
                    name = String(positional)
                }
            } else {
                name = String(token.text.dropFirst())
            }
            let number: Int
            if let known = names.firstIndex(of: name) {
                number = known + 1
            } else {
                names.append(name)
                number = names.count
            }
            return integers.contains(name) ? "$\(number)::bigint" : "$\(number)"
        }

        // MARK: - Functions

        /// A function call's arguments, split at the commas of its own level.
        private func arguments(_ children: [Node]) -> [[Node]] {
            var args: [[Node]] = [[]]
            for child in children {
                if child.token?.isPunctuation(",") == true { args.append([]) } else { args[args.count - 1].append(child) }
            }
            if args.count == 1, args[0].allSatisfy(\.isTrivia) { return [] }
            return args
        }

        private func renderArgument(_ nodes: [Node]) throws(PostgresDialectError) -> String {
            try render(nodes).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        private func renderCall(_ name: String, nodes: [Node], at i: Int, group g: Int, unitEnd: inout Int,
                                nextSignificant: (Int) -> Int?) throws(PostgresDialectError) -> String {
            guard case .group(_, let children, _) = nodes[g], let nameToken = nodes[i].token else { return "" }
            let between = nodes[(i + 1)..<g].map(\.text).joined()
            /// The alias a table-valued call is given (`AS j`, or `j`), taken into the unit, or
            /// `name` when it has none.
            func tableAlias(default name: String) -> String {
                guard let a = nextSignificant(g) else { return name }
                if nodes[a].word == "as", let n = nextSignificant(a), let t = nodes[n].token, t.kind == .word || t.kind == .quotedIdentifier {
                    unitEnd = n
                    return t.text
                }
                if let t = nodes[a].token, (t.kind == .word && !Self.afterFromItem.contains(t.text.lowercased())) || t.kind == .quotedIdentifier {
                    unitEnd = a
                    return t.text
                }
                return name
            }
            func fail(_ problem: PostgresDialectError.Problem) -> PostgresDialectError {
                PostgresDialectError(problem: problem, line: nameToken.line, column: nameToken.column)
            }
            let args = arguments(children)
            switch name {
            case "strftime":
                return try strftime(args, fail: fail)
            case "char":
                // char(31) → chr(31); several code points are concatenated.
                guard !args.isEmpty else { throw fail(.malformed("char() takes at least one argument")) }
                var codes: [String] = []
                for arg in args { codes.append("chr(" + (try renderArgument(arg)) + ")") }
                return "(" + codes.joined(separator: " || ") + ")"
            case "pragma_table_info":
                // SQLite's table-valued function listing a table's columns: PostgreSQL's catalog,
                // with the columns the code reads (name, cid, type, notnull, pk).
                guard args.count == 1 else { throw fail(.malformed("pragma_table_info() takes one argument")) }
                let pragmaTable = try renderArgument(args[0]), pragmaAlias = tableAlias(default: "pragma_table_info")
                return "(SELECT a.attname::text AS name, a.attnum - 1 AS cid, format_type(a.atttypid, a.atttypmod) AS type, "
                    + "a.attnotnull::int AS \"notnull\", NULL::text AS dflt_value, 0 AS pk FROM pg_attribute a "
                    + "WHERE a.attrelid = to_regclass((\(pragmaTable))::text) AND a.attnum > 0 AND NOT a.attisdropped) AS \(pragmaAlias)"
            case "json_each":
                guard args.count == 1 else {
                    throw fail(.unsupportedFunction(name: "json_each", hint: "only json_each(x) over a JSON array is translated, not json_each(x, path)"))
                }
                // Its alias (AS j, or j) gets the column list `(value)`.
                let alias = tableAlias(default: "json_each")
                return "jsonb_array_elements_text((\(try renderArgument(args[0])))::jsonb) AS \(alias)(value)"
            case "instr":
                return "strpos" + between + "(" + (try render(children)) + ")"
            case "ifnull":
                return "coalesce" + between + "(" + (try render(children)) + ")"
            case "json_extract":
                // json_extract(X, '$.key'): one member of a JSON object, read as text. SQLite
                // returns a number as a number; ->> returns its text, so a comparison with a
                // number fails on the server rather than differing silently.
                let path = args.count == 2 ? args[1].filter { !$0.isTrivia } : []
                guard path.count == 1, let literal = path[0].token, literal.kind == .string,
                      let key = literal.text.dropFirst().dropLast().wholeMatch(of: #/\$\.([A-Za-z_][A-Za-z0-9_]*)/#)?.1 else {
                    throw fail(.unsupportedFunction(name: "json_extract", hint: "only json_extract(x, '$.name') (one member of an object) is translated"))
                }
                return "((\(try renderArgument(args[0])))::jsonb ->> '\(key)')"
            case "group_concat":
                guard args.count == 1 || args.count == 2 else {
                    throw fail(.malformed("group_concat() takes one or two arguments"))
                }
                var value = args[0]
                var distinct = false
                if let d = value.firstIndex(where: { !$0.isTrivia }), value[d].word == "distinct" {
                    distinct = true
                    value.removeSubrange(...d)
                }
                let separator = args.count == 2 ? try renderArgument(args[1]) : "','"
                let text = "(\(try renderArgument(value)))::text"
                // DISTINCT values in their order, spelled out (PostgreSQL sorts them to find the
                // duplicates anyway); SQLite keeps the order they come in, so a rule feeds it sorted.
                return !distinct ? "string_agg(\(text), \(separator))" : "string_agg(DISTINCT \(text), \(separator) ORDER BY \(text))"
            case "max" where args.count > 1, "min" where args.count > 1:
                let other = name == "max" ? "greatest" : "least"
                throw fail(.unsupportedFunction(name: "scalar \(name)", hint: "it returns NULL when an argument is NULL and \(other)() does not; write CASE WHEN … THEN … ELSE … END"))
            default:
                if let hint = Self.unsupported[name] {
                    throw fail(.unsupportedFunction(name: name, hint: hint))
                }
                return nameToken.text + between + "(" + (try render(children)) + ")"
            }
        }

        /// `strftime(format, X, 'unixepoch')` as `to_char(to_timestamp(X) AT TIME ZONE 'UTC', pattern)`.
        private func strftime(_ args: [[Node]], fail: (PostgresDialectError.Problem) -> PostgresDialectError) throws(PostgresDialectError) -> String {
            func literal(_ nodes: [Node]) -> String? {
                let significant = nodes.filter { !$0.isTrivia }
                guard significant.count == 1, let t = significant[0].token, t.kind == .string else { return nil }
                return String(t.text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            }
            guard args.count == 3, let format = literal(args[0]), literal(args[2])?.lowercased() == "unixepoch" else {
                throw fail(.unsupportedFunction(name: "strftime", hint: "only strftime('<format literal>', seconds, 'unixepoch') is translated"))
            }
            let letters: [Character: String] = ["Y": "YYYY", "m": "MM", "d": "DD", "H": "HH24", "M": "MI", "S": "SS", "j": "DDD"]
            var pattern = "", literalRun = ""
            func flush() {
                guard !literalRun.isEmpty else { return }
                if literalRun.allSatisfy({ "-:/ .,_%".contains($0) }) {
                    pattern += literalRun
                } else {
                    pattern += "\"" + literalRun.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                }
                literalRun = ""
            }
            var chars = Array(format)[...]
            while let c = chars.popFirst() {
                guard c == "%" else { literalRun.append(c); continue }
                guard let letter = chars.popFirst() else {
                    throw fail(.unsupportedFunction(name: "strftime", hint: "the format ends with a lone %"))
                }
                if letter == "%" { literalRun.append("%"); continue }
                guard let field = letters[letter] else {
                    throw fail(.unsupportedFunction(name: "strftime", hint: "format %\(letter) is not translated (translated: %Y %m %d %H %M %S %j %%)"))
                }
                flush()
                pattern += field
            }
            flush()
            let seconds = try renderArgument(args[1])
            return "to_char(to_timestamp(\(seconds)) AT TIME ZONE 'UTC', '\(pattern.replacingOccurrences(of: "'", with: "''"))')"
        }
    }
}
