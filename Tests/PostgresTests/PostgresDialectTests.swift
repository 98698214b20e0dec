import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// SQLite SQL as the rules write it, turned into PostgreSQL's form token by token: each rewrite,
/// and what must never be rewritten (string literals, comments, quoted identifiers).
struct PostgresDialectTests {
    @Test(arguments: [
        // Parameters: the same name is the same $n; whole-number ones (since, until) are bigint.
        ("SELECT * FROM t WHERE ts BETWEEN :since AND :until AND x = :name OR ts > :since",
         "SELECT * FROM t WHERE ts BETWEEN $1::bigint AND $2::bigint AND x = $3 OR ts > $1::bigint"),
        ("SELECT ?, ?, x::text FROM t", "SELECT $1, $2, x::text FROM t"),
        ("SELECT :name::text", "SELECT $1::text"),
        // user: bare, qualified, as an alias, inside functions.
        ("SELECT user, c.user, COALESCE(user, '?') AS user FROM url_click c",
         #"SELECT "user", c."user", COALESCE("user", '?') AS "user" FROM url_click c"#),
        ("SELECT COUNT(DISTINCT f.USER) FROM finding f", #"SELECT COUNT(DISTINCT f."user") FROM finding f"#),
        // strftime in UTC, with integer seconds as the rules pass them.
        ("SELECT strftime('%Y-%m-%d', r.first_ts / 1000, 'unixepoch') AS d",
         "SELECT to_char(to_timestamp(r.first_ts / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d"),
        ("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', MIN(ts) / 1000, 'unixepoch')",
         #"SELECT to_char(to_timestamp(MIN(ts) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#),
        ("SELECT STRFTIME( '%j %%', (a + (b * 2)) / 1000 , 'UNIXEPOCH')",
         "SELECT to_char(to_timestamp((a + (b * 2)) / 1000) AT TIME ZONE 'UTC', 'DDD %')"),
        // json_each as a table source, with or without AS, and without an alias.
        ("SELECT j.value FROM m p CROSS JOIN json_each(p.attachment_names) j WHERE j.value <> ''",
         "SELECT j.value FROM m p CROSS JOIN jsonb_array_elements_text((p.attachment_names)::jsonb) AS j(value) WHERE j.value <> ''"),
        ("SELECT a.value FROM json_each(:list) AS a", "SELECT a.value FROM jsonb_array_elements_text(($1)::jsonb) AS a(value)"),
        ("SELECT value FROM json_each(x) WHERE value = 1", "SELECT value FROM jsonb_array_elements_text((x)::jsonb) AS json_each(value) WHERE value = 1"),
        // Renamed functions, with nested parentheses in their arguments.
        ("SELECT instr(lower(COALESCE(a, (b))), '@') FROM t", "SELECT strpos(lower(COALESCE(a, (b))), '@') FROM t"),
        ("SELECT ifnull(a, 0)", "SELECT coalesce(a, 0)"),
        // SQLite's NOCASE is a collation of the schema (PostgresSchema.preamble); INDEXED BY, WITHOUT
        // ROWID and a unary plus are SQLite's planner and layout hints; temp. is pg_temp.
        ("SELECT 1 FROM e WHERE file_name COLLATE NOCASE = ?", "SELECT 1 FROM e WHERE file_name COLLATE NOCASE = $1"),
        ("SELECT 1 FROM m INDEXED BY m_sender WHERE +sender = ? AND +x IN (SELECT value FROM temp.wanted)",
         "SELECT 1 FROM m  WHERE sender = $1 AND x IN (SELECT value FROM pg_temp.wanted)"),
        ("SELECT a + 1, (c) + 1 FROM t WHERE +d = 2", "SELECT a + 1, (c) + 1 FROM t WHERE d = 2"),
        ("CREATE TEMP TABLE w (value TEXT PRIMARY KEY) WITHOUT ROWID", "CREATE TEMP TABLE w (value TEXT PRIMARY KEY) "),
        ("SELECT COALESCE(json_extract(options, '$.kind'), 'run')", "SELECT COALESCE(((options)::jsonb ->> 'kind'), 'run')"),
        ("SELECT substr(h, instr(h, '@') + 1)", "SELECT substr(h, strpos(h, '@') + 1)"),
        ("SELECT group_concat(DISTINCT j.value), group_concat(n), group_concat(n, '; ')",
         "SELECT string_agg(DISTINCT (j.value)::text, ',' ORDER BY (j.value)::text), string_agg((n)::text, ','), string_agg((n)::text, '; ')"),
        // LIKE ignores ASCII case in SQLite and has no escape character; the pattern ends where its operand does.
        ("SELECT 1 WHERE a LIKE '%x%' AND b NOT LIKE 'y%'", "SELECT 1 WHERE a ILIKE '%x%' ESCAPE '' AND b NOT ILIKE 'y%' ESCAPE ''"),
        ("SELECT 1 WHERE (s LIKE '%@' || e.domain OR s LIKE '%.' || lower(e.domain))",
         "SELECT 1 WHERE (s ILIKE '%@' || e.domain ESCAPE '' OR s ILIKE '%.' || lower(e.domain) ESCAPE '')"),
        ("SELECT CASE WHEN a LIKE '%' || f.stem || ' (%).' || f.ext THEN 1 END",
         "SELECT CASE WHEN a ILIKE '%' || f.stem || ' (%).' || f.ext ESCAPE '' THEN 1 END"),
        ("SELECT 1 WHERE a LIKE :p -- the pattern\n  AND b = 1", "SELECT 1 WHERE a ILIKE $1 ESCAPE '' -- the pattern\n  AND b = 1"),
        ("SELECT 1 WHERE a LIKE 'x!%' ESCAPE '!'", "SELECT 1 WHERE a ILIKE 'x!%' ESCAPE '!'"),
        ("SELECT 1 WHERE a LIKE x::text", "SELECT 1 WHERE a ILIKE x::text ESCAPE ''"),
        // SQLite's IS compares any two values.
        ("SELECT 1 WHERE a IS b AND c IS NOT d AND e IS NULL AND f IS NOT NULL",
         "SELECT 1 WHERE a IS NOT DISTINCT FROM b AND c IS DISTINCT FROM d AND e IS NULL AND f IS NOT NULL"),
        // A subquery in FROM gets the alias PostgreSQL 15 requires; an aliased one keeps its own.
        ("SELECT s FROM (SELECT s FROM a UNION ALL SELECT s FROM b) GROUP BY s",
         "SELECT s FROM (SELECT s FROM a UNION ALL SELECT s FROM b) AS subquery_1 GROUP BY s"),
        ("SELECT s FROM (SELECT s FROM a) x JOIN (SELECT 1) ON 1 = 1",
         "SELECT s FROM (SELECT s FROM a) x JOIN (SELECT 1) AS subquery_1 ON 1 = 1"),
        ("SELECT 1 WHERE x IN (SELECT a FROM b) AND EXISTS (SELECT 1)", "SELECT 1 WHERE x IN (SELECT a FROM b) AND EXISTS (SELECT 1)"),
        // INSERT OR IGNORE.
        ("INSERT OR IGNORE INTO t (a) VALUES (:a);", "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING;"),
        ("SELECT 1 WHERE a == b", "SELECT 1 WHERE a = b"),
        // extra is text in both stores: read and written as written.
        ("SELECT ' ' || COALESCE(a.extra, '') AS extra FROM t a", "SELECT ' ' || COALESCE(a.extra, '') AS extra FROM t a"),
        ("INSERT INTO t (a, extra) VALUES (?, ?)", "INSERT INTO t (a, extra) VALUES ($1, $2)"),
        // What both databases share passes unchanged.
        ("WITH x AS MATERIALIZED (SELECT lower(trim(a)), rtrim(a, 'b'), ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS n FROM t) SELECT * FROM x",
         "WITH x AS MATERIALIZED (SELECT lower(trim(a)), rtrim(a, 'b'), ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS n FROM t) SELECT * FROM x"),
    ])
    func translates(_ sqlite: String, _ postgres: String) throws {
        #expect(try PostgresDialect.translate(sqlite).sql == postgres)
    }

    /// Hostile text: what looks like a parameter, `user`, a function or a comment inside a string
    /// literal, a comment or a quoted identifier is never rewritten.
    @Test(arguments: [
        "SELECT ':since user strftime(''%Y'', 1, ''unixepoch'') -- LIKE json_each(x)' AS s",
        "SELECT 1 -- :since user strftime('%Y', 1, 'unixepoch') LIKE instr(",
        "SELECT 1 /* :since \n user group_concat(x) LIKE 'a */ AS \"user\"",
        #"SELECT "user", "strftime(:since)" FROM "json_each""#,
        "SELECT 'it''s a user''s :until' || '--' AS \"a \"\"user\"\"\"",
        "SELECT 1 -- it's :since, don't\n  , 2 /* 'user' */",
    ])
    func leavesLiteralsCommentsAndQuotedIdentifiersAlone(_ sql: String) throws {
        let translated = try PostgresDialect.translate(sql)
        #expect(translated.sql == sql)
        #expect(translated.parameterNames.isEmpty)
    }

    @Test func namesParametersInOrderOfFirstUse() throws {
        let t = try PostgresDialect.translate("SELECT :b, :a, :b, :c", integerParameters: ["a"])
        #expect(t.sql == "SELECT $1, $2::bigint, $1, $3")
        #expect(t.parameterNames == ["b", "a", "c"])
        #expect(t.arguments(["a": .integer(Int64.min), "b": .text("x")]) == [.text("x"), .integer(-PostgresDialect.integerBound), .null])
        #expect(t.arguments(["a": .integer(5)])[1] == .integer(5))
    }

    /// A SQLite-only function or construct with no translation is an error naming it and its place.
    @Test(arguments: [
        ("SELECT ts,\n  printf('%d', x) FROM t", "printf", 2, 3),
        ("SELECT julianday(ts) FROM t", "julianday", 1, 8),
        ("SELECT json_extract(extra, '$.a.b') FROM t", "json_extract", 1, 8),
        ("SELECT max(a, b) FROM t", "scalar max", 1, 8),
        ("SELECT MIN(a, b, c) FROM t", "scalar min", 1, 8),
        ("SELECT strftime('%w', ts / 1000, 'unixepoch')", "strftime", 1, 8),
        ("SELECT strftime('%Y-%m-%d', 'now')", "strftime", 1, 8),
        ("SELECT 1 FROM json_each(x, '$.a')", "json_each", 1, 15),
    ])
    func refusesUntranslatedFunctions(_ sql: String, _ name: String, _ line: Int, _ column: Int) {
        do {
            _ = try PostgresDialect.translate(sql)
            Issue.record("translated \(sql)")
        } catch {
            guard case .unsupportedFunction(let found, _) = error.problem else {
                Issue.record("\(error)")
                return
            }
            #expect(found == name)
            #expect(error.line == line && error.column == column)
            #expect(error.description.contains("\(name)()"))
        }
    }

    @Test(arguments: [
        ("SELECT 1 WHERE a GLOB 'x*'", "GLOB operator"),
        ("SELECT rowid FROM t", "rowid column"),
        ("INSERT OR REPLACE INTO t VALUES (1)", "INSERT OR REPLACE"),
        ("SELECT extra ->> '$.a' FROM t", "->> operator"),
    ])
    func refusesUntranslatedSyntax(_ sql: String, _ what: String) {
        do {
            _ = try PostgresDialect.translate(sql)
            Issue.record("translated \(sql)")
        } catch {
            guard case .unsupportedSyntax(let found, _) = error.problem else {
                Issue.record("\(error)")
                return
            }
            #expect(found == what)
        }
    }

    @Test(arguments: [
        ("SELECT 'open", 1, 8),
        ("SELECT 1 /* open", 1, 10),
        ("SELECT (1", 1, 8),
        ("SELECT 1)\n", 1, 9),
        ("SELECT \"open", 1, 8),
    ])
    func reportsSQLItCannotRead(_ sql: String, _ line: Int, _ column: Int) {
        do {
            _ = try PostgresDialect.translate(sql)
            Issue.record("translated \(sql)")
        } catch {
            if case .malformed = error.problem {} else { Issue.record("\(error)") }
            #expect(error.line == line && error.column == column)
        }
    }

    @Test func aRuleIsTranslatedInTheFormTheRunnerRunsAndItsErrorsNameTheRuleFile() throws {
        let catalog = try RuleCatalog.bundled()
        let rule = try #require(catalog.rules.first { $0.id == "MS-ATT-030" })
        let translated = try PostgresDialect.translate(rule)
        #expect(translated.sql.hasPrefix("WITH rule_rows AS MATERIALIZED ("))
        #expect(translated.sql.contains("jsonb_array_elements_text((p.attachment_names)::jsonb) AS j(value)"))
        #expect(translated.sql.contains("$\((translated.parameterNames.firstIndex(of: "new_days") ?? -1) + 1)::bigint * 86400000"))
        #expect(Set(translated.parameterNames) == ["since", "until", "new_days", "min_history_hours"])

        let yaml = """
            id: MS-TEST-001
            title: t
            version: 1
            kind: hunt
            severity: low
            description: d
            triage: t
            sql: |
              SELECT ts, user,
                     printf('%d', id) AS n FROM url_click
            """
        let bad = try Rule(yaml: yaml, source: "rules/MS-TEST-001.yml")
        #expect(throws: PostgresDialectError(problem: .unsupportedFunction(name: "printf", hint: "build the text with ||"),
                                             line: 2, column: 8, source: "rules/MS-TEST-001.yml")) {
            try PostgresDialect.translate(bad)
        }
    }

    /// What each rewrite is for: the same value from SQLite and from PostgreSQL (through the
    /// dialect), on a real server, including the cases where a plain copy of the SQL would give
    /// another answer (case in LIKE, a backslash in a pattern, IS between values, a negative
    /// time, an unsorted DISTINCT list).
    @Test func translatedExpressionsGiveWhatSQLiteGives() throws {
        let expressions = [
            "SELECT 'Invoice.ISO' LIKE '%.iso' AS v",
            "SELECT 'Invoice.ISO' NOT LIKE '%.iso' AS v",
            #"SELECT 'C:\Users\ana\a.lnk' LIKE '%\ana\%' AS v"#,
            "SELECT 'a_b' LIKE 'a_b' AS v",
            "SELECT 'É' LIKE 'é' AS v",
            "SELECT lower('ÉCOLE Straße') AS v",
            "SELECT 'b' < 'a' OR 'B' < 'a' AS v",
            "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 1793664000999 / 1000, 'unixepoch') AS v",
            "SELECT strftime('%Y-%m-%d %H:%M:%S', -1500 / 1000, 'unixepoch') AS v",
            "SELECT strftime('%j', 1798675200000 / 1000, 'unixepoch') AS v",
            "SELECT strftime('%Y-%m-%d', NULL / 1000, 'unixepoch') AS v",
            "SELECT instr('ana@acme.example', '@') AS v",
            "SELECT instr('no at sign', '@') AS v",
            "SELECT substr('ana@acme.example', instr('ana@acme.example', '@') + 1) AS v",
            "SELECT substr('abc', 0, 1) AS v",
            "SELECT rtrim('report.final.xlsm', replace('report.final.xlsm', '.', '')) AS v",
            "SELECT -7 / 2 AS v",
            "SELECT 'x' || NULL AS v",
            "SELECT 'n=' || (7 / 2) AS v",
            "SELECT ifnull(NULL, 'dflt') AS v",
            "SELECT 2 IS 2 AS v",
            "SELECT 2 IS NOT NULL AS v",
            "SELECT NULL IS 3 AS v",
            "SELECT group_concat(DISTINCT x) AS v FROM (SELECT x FROM (SELECT 'b.lnk' AS x UNION ALL SELECT 'a.iso' UNION ALL SELECT 'b.lnk') ORDER BY x)",
            "SELECT group_concat(j.value) AS v FROM json_each('[\"z\",\"a\"]') j WHERE j.value <> ''",
            "SELECT COUNT(*) AS v FROM (SELECT 1 UNION ALL SELECT 2)",
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-pgdialect-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try Database(path: folder.appendingPathComponent("s.db").path)
        try PostgresTestServer.with { server in
            let pg = try server.connect()
            // Times are formatted in UTC whatever the session's zone.
            try pg.execute("SET TIME ZONE 'Pacific/Chatham'")
            for sql in expressions {
                let expected = try sqlite.rows(sql).first?["v"]
                let translated = try PostgresDialect.translate(sql)
                let got = try pg.rows(translated.sql).first?["v"]
                #expect(got == expected, "\(sql)\n  PostgreSQL: \(translated.sql)")
            }
        }
    }

    /// Rule SQL cut and spliced at random (a fixed seed, so a failure repeats): the translator
    /// returns SQL or a `PostgresDialectError`, never traps, and the same input gives the same answer.
    @Test func mangledRuleSQLIsTranslatedOrRefusedNeverACrash() throws {
        let sources = try RuleCatalog.bundled().rules.map(\.sql)
        let pieces = ["'", "\"", "(", ")", "--", "/*", "*/", ":", "::", "?", "$", "@", ",", " LIKE ", "user", "strftime(",
                      "json_each(", "group_concat(DISTINCT ", "\n", "é", "\r\n", "0x", "1e", "IS", " FROM (SELECT 1)"]
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(max(bound, 1)))
        }
        var translated = 0, refused = 0
        for _ in 0..<1500 {
            var chars = Array(sources[next(sources.count)])
            for _ in 0..<(1 + next(4)) {
                let at = next(chars.count + 1)
                if next(2) == 0, at < chars.count {
                    chars.removeSubrange(at..<min(chars.count, at + 1 + next(12)))
                } else {
                    chars.insert(contentsOf: pieces[next(pieces.count)], at: at)
                }
            }
            let sql = String(chars)
            do {
                let first = try PostgresDialect.translate(sql)
                #expect(try PostgresDialect.translate(sql) == first)
                translated += 1
            } catch {
                refused += 1
            }
        }
        #expect(translated > 100 && refused > 100, "translated \(translated), refused \(refused)")
    }
}
