import Foundation
import Testing
@testable import MailScopeKit

/// Rows read by column name: a SELECT that gains or reorders columns reads the same values.
@Suite struct RowTests {
    @Test func columnsAreReadByNameWhateverTheirOrder() throws {
        let db = try Database(path: TestPaths.scratch() + "/rows.db")
        try db.execute("CREATE TABLE t (a TEXT, b INTEGER, c INTEGER); INSERT INTO t VALUES ('x', 7, 1), (NULL, NULL, 0)")
        let first = try db.rows("SELECT a, b, c FROM t ORDER BY rowid")
        let reordered = try db.rows("SELECT c, 'added' AS extra_column, b, a FROM t ORDER BY rowid")
        for rows in [first, reordered] {
            #expect(rows[0].text("a") == "x")
            #expect(rows[0].int("b") == 7)
            #expect(rows[0].bool("c"))
            #expect(rows[1].text("a") == nil)
            #expect(rows[1].int("b") == nil)
            #expect(!rows[1].bool("c"))
        }
        #expect(reordered[0]["extra_column"].stringValue == "added")
    }
}

/// A read of a column the SELECT lacks is a programming error: it stops, naming the column.
@Suite struct RowMissingColumnTests {
    @Test func readingAColumnTheSelectLacksStopsAndNamesIt() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let db = try Database(path: NSTemporaryDirectory() + "mailscope-row-missing-\(UUID().uuidString).db")
            let rows = try db.rows("SELECT 'x' AS url, 'clean' AS verdict")
            _ = rows[0]["scan_result"]
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("no column \"scan_result\" in this result (columns: url, verdict)"), "\(stderr)")
    }
}

/// Outside `Store/`, no code reads a result row by position (`db.query(…)`, `row[3].intValue`,
/// `$0.first?.stringValue`): a SELECT that gains a column would silently shift the values.
/// Rows are read by name (`db.rows`, `db.cachedRows`, `Row.swift`).
@Suite struct PositionalRowReadTests {
    /// What a positional read looks like in the source.
    static var patterns: [(name: String, regex: Regex<Substring>)] { [
        ("db.query(…) returns rows of values read by position", /\bquery\(/),
        ("db.cachedQuery(…) returns rows of values read by position", /\bcachedQuery\(/),
        ("a value read by its position in a row", /\[\s*[0-9]+\s*\]\s*\.\s*(?:stringValue|intValue|isNull)\b/),
        ("the first value of the first row", /\.first\?\.first\b/),
        ("a row's first value", /(?:\$[0-9]|\brow|\br)\.first\?\.(?:stringValue|intValue)\b/),
        ("a statement's column read by a fixed position", /\bvalue\(at:\s*[0-9]+\s*\)/),
    ] }

    /// Files allowed a number of positional reads, each with why. Lower or remove an entry when
    /// its file is converted.
    static let allowed: [String: (count: Int, reason: String)] = [:]

    /// Every Swift file under Sources/ except Store/, where `Row` is made from values.
    static var sourceFiles: [String] {
        let sources = TestPaths.root.appendingPathComponent("Sources").path
        let names = (FileManager.default.enumerator(atPath: sources)?.allObjects as? [String]) ?? []
        return names.filter { $0.hasSuffix(".swift") && !$0.hasPrefix("MailScopeKit/Store/") }.sorted()
    }

    /// The positional reads in `source`, as "line: what".
    static func positionalReads(in source: String) -> [String] {
        var found: [String] = []
        for (n, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
            // Simple word boundaries: the default (Unicode's) sees no boundary inside `db.query`.
            if let hit = patterns.first(where: { line.contains($0.regex.wordBoundaryKind(.simple)) }) { found.append("\(n + 1): \(hit.name)") }
        }
        return found
    }

    @Test func noCodeOutsideStoreReadsRowsByPosition() throws {
        let files = Self.sourceFiles
        #expect(files.count > 50, "found only \(files.count) source files under \(TestPaths.root.path)/Sources")
        for file in files {
            let source = try String(contentsOfFile: TestPaths.root.appendingPathComponent("Sources/" + file).path, encoding: .utf8)
            let reads = Self.positionalReads(in: source)
            let allowance = Self.allowed[file]?.count ?? 0
            #expect(reads.count <= allowance, """
                \(file) reads rows by position — use db.rows / db.cachedRows and read by column name \
                (SELECT COUNT(*) AS n …, row.int("n")):
                \(reads.joined(separator: "\n"))
                """)
        }
    }

    @Test(arguments: [
        "for r in try db.query(\"SELECT a FROM t\") {",
        "let x = try db.cachedQuery(sql, args)",
        "guard let s = r[0].stringValue else { continue }",
        "c.units = Int(row[10].intValue ?? 0)",
        "try query(sql, arguments).first?.first",
        ".compactMap { $0.first?.stringValue }",
        "total = Int(counter.value(at: 0).intValue ?? 0)",
    ])
    func positionalReadsAreFound(_ line: String) {
        #expect(Self.positionalReads(in: line).count == 1)
    }

    @Test(arguments: [
        "for r in try db.rows(\"SELECT a FROM t\") {",
        "let x = try db.cachedRows(sql, args)",
        "if !sawData, fields[0].lowercased() == \"email\" { continue }",
        "cur[0] = i",
        "section.table.values($0)?.first?.intValue ?? 0",
        "row.append(statement.value(at: i))",
        "public static let attachments = InvestigationQuery(",
        "// a comment about row[3].intValue",
    ])
    func ordinaryCodeIsNotFlagged(_ line: String) {
        #expect(Self.positionalReads(in: line).isEmpty)
    }
}
