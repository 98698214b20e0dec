import Foundation
import MailScopeKit

/// The PostgreSQL form of a rule's SQL, chosen by the backend: the bundled rules are written once,
/// for SQLite, and this turns each into what PostgreSQL runs with the same results. There is no
/// second copy of any rule.
///
/// It works on tokens (`PostgresDialectToken`) grouped by parentheses, never on raw text, so a
/// string literal, a quoted identifier or a comment that happens to hold `:since`, `user` or
/// `strftime(` stays as it is. What it rewrites:
///
/// | SQLite | PostgreSQL |
/// |---|---|
/// | `:name` (and `?`, `@name`, `$name`) | `$n`, the same name the same `$n`; `$n::bigint` for a whole-number parameter |
/// | the column `user` (`x.user`, `AS user`) | `"user"` (bare `user` is PostgreSQL's `current_user`) |
/// | `strftime('%Y-%m-%dT%H:%M:%SZ', X, 'unixepoch')` | `to_char(to_timestamp(X) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` |
/// | `json_each(X) j` in FROM | `jsonb_array_elements_text((X)::jsonb) AS j(value)` |
/// | `instr(a, b)`, `ifnull(a, b)` | `strpos(a, b)`, `coalesce(a, b)` |
/// | `group_concat(x[, sep])` | `string_agg((x)::text, sep or ',')` |
/// | `group_concat(DISTINCT x)` | `string_agg(DISTINCT (x)::text, ',' ORDER BY (x)::text)` (a rule feeds SQLite the values sorted) |
/// | `a [NOT] LIKE p` | `a [NOT] ILIKE p ESCAPE ''` (SQLite's LIKE ignores ASCII case and has no escape character) |
/// | `a IS b`, `a IS NOT b` (b not NULL/TRUE/FALSE) | `a IS NOT DISTINCT FROM b`, `a IS DISTINCT FROM b` |
/// | `FROM (SELECT …)` without an alias | `FROM (SELECT …) AS subquery_n` (PostgreSQL 15 requires one) |
/// | `INSERT OR IGNORE INTO …` | `INSERT INTO … ON CONFLICT DO NOTHING` |
/// | `==` | `=` |
///
/// `X` in `strftime` is what the rule passes, `ts / 1000`: an integer division in both databases
/// (truncated alike), so both format the same whole second, in UTC whatever the session's time
/// zone. Functions both databases share (`lower`, `substr` with positive arguments, `replace`,
/// `rtrim`, `length`, `abs`, `coalesce`, window functions) pass unchanged; a SQLite-only function
/// this does not translate (`printf`, `julianday`, `json_extract`, scalar `max(a, b)`, …) is a
/// `PostgresDialectError` naming it and its place in the rule, never a silently different result.
///
/// Same results also need a database created with the C collation and character type (the
/// test server's `initdb --no-locale`): SQLite compares, sorts and lower-cases text by bytes
/// and ASCII only, and so does PostgreSQL under C.
public enum PostgresDialect {
    /// A statement in PostgreSQL's form and the names of its `$1`, `$2`, … in order.
    public struct Translated: Sendable, Equatable {
        /// The statement, with `$1`, `$2`, … where the rule had `:name`.
        public let sql: String
        /// `parameterNames[0]` is bound to `$1`; a positional `?` is named by its number.
        public let parameterNames: [String]

        /// The values for `$1`, `$2`, … from values by name (a missing name binds NULL, as SQLite
        /// does). Whole numbers are clamped to ±2^62: the runner's unbounded window is Int64.min
        /// and Int64.max, and `:since - :window_ms` would overflow PostgreSQL's bigint (an error)
        /// where SQLite silently turns it into a float. No event time comes near 2^62 ms.
        public func arguments(_ values: [String: SQLValue]) -> [SQLValue] {
            parameterNames.map { name in
                switch values[name] ?? .null {
                case .integer(let v): return .integer(Swift.min(Swift.max(v, -PostgresDialect.integerBound), PostgresDialect.integerBound))
                case let other: return other
                }
            }
        }
    }

    /// The largest whole number bound to a parameter (`Translated.arguments`).
    public static let integerBound: Int64 = 1 << 62

    /// The PostgreSQL form of `sql`. Parameters named in `integerParameters` are cast to bigint
    /// (`$1::bigint`): libpq sends values untyped, and PostgreSQL would otherwise guess `integer`
    /// from a literal beside it (`:new_days * 86400000` overflows it) or fail on `$1 - $2`.
    public static func translate(_ sql: String, integerParameters: Set<String> = RuleRunner.builtInParameters)
        throws(PostgresDialectError) -> Translated {
        let tree = try Node.tree(PostgresDialectToken.tokens(sql))
        let translator = Translator(integers: integerParameters)
        let text = try translator.render(tree, topLevel: true)
        return Translated(sql: text, parameterNames: translator.names)
    }

    /// The statement the runner runs for `rule` (`RuleRunner.ordered`: a detection wrapped so its
    /// rows come in evidence order; a hunt as written), in PostgreSQL's form. The rule's whole-number
    /// parameters and the window are bound as bigint. An error names the rule file and the place
    /// in the rule's own SQL.
    public static func translate(_ rule: Rule) throws(PostgresDialectError) -> Translated {
        let integers = RuleRunner.builtInParameters.union(rule.params.compactMap { name, value in
            if case .integer = value { return name } else { return nil }
        })
        do {
            _ = try translate(rule.sql, integerParameters: integers)
        } catch {
            throw error.located(in: rule.source)
        }
        return try translate(RuleRunner.ordered(rule), integerParameters: integers)
    }
}

extension PostgresDialect {
    /// A token, or a parenthesised group of them: the translator works one level at a time, so a
    /// function's arguments and a subquery are units it can replace or look past.
    indirect enum Node {
        case token(PostgresDialectToken)
        case group(open: PostgresDialectToken, children: [Node], close: PostgresDialectToken)

        var isTrivia: Bool { if case .token(let t) = self { t.isTrivia } else { false } }
        var token: PostgresDialectToken? { if case .token(let t) = self { t } else { nil } }
        var word: String? { token?.word }
        var isGroup: Bool { if case .group = self { true } else { false } }

        /// Where the node starts in the SQL.
        var position: (line: Int, column: Int) {
            switch self {
            case .token(let t): return (t.line, t.column)
            case .group(let open, _, _): return (open.line, open.column)
            }
        }

        /// The SQL the node was read from.
        var text: String {
            switch self {
            case .token(let t): return t.text
            case .group(let open, let children, let close): return open.text + children.map(\.text).joined() + close.text
            }
        }

        static func tree(_ tokens: [PostgresDialectToken]) throws(PostgresDialectError) -> [Node] {
            var stack: [(open: PostgresDialectToken?, nodes: [Node])] = [(nil, [])]
            for token in tokens {
                if token.isPunctuation("(") {
                    stack.append((token, []))
                } else if token.isPunctuation(")") {
                    guard stack.count > 1, let level = stack.popLast(), let open = level.open else {
                        throw PostgresDialectError(problem: .malformed("this ) closes no ("), line: token.line, column: token.column)
                    }
                    stack[stack.count - 1].nodes.append(.group(open: open, children: level.nodes, close: token))
                } else {
                    stack[stack.count - 1].nodes.append(.token(token))
                }
            }
            if stack.count > 1, let open = stack.last?.open {
                throw PostgresDialectError(problem: .malformed("this ( is not closed"), line: open.line, column: open.column)
            }
            return stack[0].nodes
        }
    }
}
