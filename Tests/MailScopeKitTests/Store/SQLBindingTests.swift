import Foundation
import Testing

/// Every value reaches SQLite as a bound parameter: no SQL text in the sources is built by
/// interpolating a value. The only interpolations allowed in SQL are identifiers and numbers
/// that come from the code itself (a table name from `EventTable`, a column list from the
/// schema, a migration number), each listed here with where it comes from.
@Suite struct SQLBindingTests {
    static let allowed: [String: String] = [
        "table": "a table name from EventTable / a constant list of table names",
        "table.rawValue": "EventTable's raw value",
        "column": "a column name from a constant list",
        "columns.joined(separator: \",\")": "the column names read from the schema",
        "placeholders": "a string of ? placeholders",
        "migration.version": "the schema version number of a migration",
        "name": "a temp table name given in code (Database.withValueTable)",
        "related": "a constant ORDER BY suffix (RuleRunner.ordered)",
        "ruleSQL": "a rule's own SQL from the catalog, wrapped to order its rows (RuleRunner.ordered)",
        "quotedTable": "a table name from the SQLite schema, quoted (PostgresSchema)",
        "quotedColumns": "the column names from the SQLite schema, each quoted, BLOBs as hex (PostgresCopier)",
        "pragmaTable": "pragma_table_info's argument as the translator rendered it: the statement's own SQL (a parameter stays $n) (PostgresDialectTranslator)",
        "pragmaAlias": "the alias the statement gave pragma_table_info, or its name (PostgresDialectTranslator)",
        "quotedNext": "a trigger name made from a table name, quoted (PostgresSchema)",
        "quotedLast": "a trigger name made from a table name, quoted (PostgresSchema)",
        "quotedDefault": "a partition name made from a table name, quoted (PostgresSchema)",
        "quotedIndex": "an index name from the SQLite schema, quoted (PostgresSchema)",
        "quotedPartition": "a month partition's name, quoted (PostgresSchema)",
        "fromMS": "an Int64 month start in milliseconds (PostgresSchema.monthPartitions)",
        "toMS": "an Int64 month end in milliseconds (PostgresSchema.monthPartitions)",
        "sorterThreads": "an Int from the processor count (Schema.ensureIndexes: PRAGMA takes no parameters)",
        "hostsOfUser": "a constant SQL fragment",
        "keyColumn": "a column of IndicatorPrevalence.questions (constants)",
        "keyExpression": "a column of IndicatorPrevalence.questions, with COLLATE NOCASE (constants)",
        "spreadExpression": "a column of IndicatorPrevalence.questions, or NULL (constants)",
        "groupKey": "a column of IndicatorPrevalence.questions, or lower() of it (constants)",
        "countedColumn": "a column of IndicatorPrevalence.questions (constants)",
        "condition": "a filter of IndicatorPrevalence.questions (constants)",
        "lookupSource": "a table and index name of IndicatorPrevalence.questions (constants)",
        "severityOrder": "a CASE over Rule.Severity's cases (IncidentDetail)",
        "IncidentDetail.severityOrder": "a CASE over Rule.Severity's cases (DatabaseInfo)",
        "stageOrder": "a CASE over Rule.Stage's cases (IncidentDetail)",
        "EvidenceSQL.stage": "a CASE over EventTable names with constant column names (EvidenceSQL.locator)",
        "EvidenceSQL.finding": "a CASE over EventTable names with constant column names (EvidenceSQL.locator)",
        "EvidenceSQL.administration": "a CASE over EventTable names with constant column names (EvidenceSQL.locator)",
        "auditColumns": "a constant column list (AdministrationReader)",
        "releaseColumns": "a constant column list (AdministrationReader)",
        "tableColumn": "a constant column name given in code (EvidenceSQL.locator)",
        "rowidColumn": "a constant column name given in code (EvidenceSQL.locator)",
        "logged": "a constant SQL fragment (Schema.valuesStoredOnceSchema)",
        "suffix": "a constant SQL fragment (Schema.valuesStoredOnceSchema)",
        "member": "a constant SQL fragment (Schema.valuesStoredOnceSchema)",
    ]

    /// A string literal found in Swift source: its text and the expressions interpolated in it.
    struct Literal {
        var file: String
        var line: Int
        var text: String
        var interpolations: [String]
    }

    /// Scans Swift source for string literals (single-line and `"""` blocks), skipping comments.
    static func literals(in source: String, file: String) -> [Literal] {
        let c = Array(source.unicodeScalars)
        var out: [Literal] = []
        var i = 0, line = 1
        func at(_ k: Int) -> Unicode.Scalar? { k < c.count ? c[k] : nil }
        // Reads a literal starting at the opening quote(s); returns it and the index after it.
        func readLiteral(_ start: Int) -> (Literal, Int) {
            let multi = at(start) == "\"" && at(start + 1) == "\"" && at(start + 2) == "\""
            var k = start + (multi ? 3 : 1)
            var text = "", interpolations: [String] = []
            let startLine = line
            while k < c.count {
                if c[k] == "\n" { line += 1 }
                if c[k] == "\\" && at(k + 1) == "(" {
                    var depth = 0, e = k + 1, expression = ""
                    while e < c.count {
                        if c[e] == "\"" {   // a string inside the interpolation
                            let (inner, next) = readLiteral(e)
                            expression += "\"" + inner.text + "\""
                            out.append(inner)
                            e = next
                            continue
                        }
                        if c[e] == "(" { depth += 1; if depth == 1 { e += 1; continue } }
                        if c[e] == ")" { depth -= 1; if depth == 0 { break } }
                        expression.unicodeScalars.append(c[e])
                        e += 1
                    }
                    interpolations.append(expression.trimmingCharacters(in: .whitespaces))
                    text += "\u{1}"
                    k = e + 1
                    continue
                }
                if c[k] == "\\" { text.unicodeScalars.append(c[k]); if let n = at(k + 1) { text.unicodeScalars.append(n) }; k += 2; continue }
                if multi ? (c[k] == "\"" && at(k + 1) == "\"" && at(k + 2) == "\"") : c[k] == "\"" {
                    return (Literal(file: file, line: startLine, text: text, interpolations: interpolations), k + (multi ? 3 : 1))
                }
                text.unicodeScalars.append(c[k])
                k += 1
            }
            return (Literal(file: file, line: startLine, text: text, interpolations: interpolations), k)
        }
        while i < c.count {
            if c[i] == "\n" { line += 1; i += 1; continue }
            if c[i] == "/" && at(i + 1) == "/" { while i < c.count && c[i] != "\n" { i += 1 }; continue }
            if c[i] == "/" && at(i + 1) == "*" {
                i += 2
                while i < c.count && !(c[i] == "*" && at(i + 1) == "/") { if c[i] == "\n" { line += 1 }; i += 1 }
                i += 2
                continue
            }
            if c[i] == "\"" {
                let (literal, next) = readLiteral(i)
                out.append(literal)
                i = next
                continue
            }
            i += 1
        }
        return out
    }

    static var sqlWords: Regex<(Substring, Substring)> { /\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|WHERE|VALUES)\b/ }

    static var sourceFiles: [String] {
        let sources = TestPaths.root.appendingPathComponent("Sources").path
        let names = (FileManager.default.enumerator(atPath: sources)?.allObjects as? [String]) ?? []
        return names.filter { $0.hasSuffix(".swift") && !$0.hasPrefix("MailScopeKit/Detect/BundledRules") && !$0.hasPrefix("MailScopeKit/Report/BundledTemplates") }
            .sorted().map { sources + "/" + $0 }
    }

    @Test func noSQLIsBuiltByInterpolatingAValue() throws {
        var sqlLiterals = 0
        for path in Self.sourceFiles {
            let source = try String(contentsOfFile: path, encoding: .utf8)
            for literal in Self.literals(in: source, file: path) where literal.text.contains(Self.sqlWords) {
                sqlLiterals += 1
                for expression in literal.interpolations {
                    #expect(Self.allowed[expression] != nil, "\((path as NSString).lastPathComponent):\(literal.line): SQL interpolates \\(\(expression)): bind it as a parameter, or add it to the allowed identifiers with where it comes from")
                }
            }
        }
        #expect(sqlLiterals > 100, "the scanner found too few SQL strings to be working")
    }

    @Test func theScannerSeesInterpolationsInBothKindsOfLiteral() {
        let source = #"""
            let a = "SELECT * FROM t WHERE x = '\(value)'"   // caught
            let b = """
                DELETE FROM \(table) WHERE id = \(id.description)
                """
            // "SELECT \(commented)" is not code
            let c = "hello \(name)"
            """#
        let found = Self.literals(in: source, file: "x.swift").filter { $0.text.contains(Self.sqlWords) }
        #expect(found.flatMap(\.interpolations) == ["value", "table", "id.description"])
    }
}
