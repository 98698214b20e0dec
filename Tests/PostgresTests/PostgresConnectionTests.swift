import Foundation
import MailScopeKit
import Testing
@testable import MailScopePostgres

/// The libpq client against a real server each test starts and stops (PostgresTestServer).
/// Where PostgreSQL is not installed the suite is skipped with a message, except on CI, where
/// scripts/install-deps installs it and a missing server fails.
@Suite(.serialized) struct PostgresConnectionTests {
    @Test func parametersAndTypesRoundTripHostileText() throws {
        try PostgresTestServer.with { server in
            let db = try server.connect()
            #expect(db.serverVersion >= 150000)
            try db.execute("CREATE TABLE t (id bigint, name text, score double precision, ok boolean)")
            let hostile = "x'); DROP TABLE t; -- <script>alert(1)</script> \u{202E}évil\t\n\\N"
            try db.execute("INSERT INTO t VALUES ($1, $2, $3, $4)", [.integer(Int64.max), .text(hostile), .real(0.25), .integer(1)])
            try db.execute("INSERT INTO t VALUES ($1, $2, $3, $4)", [.integer(-7), .null, .null, .integer(0)])
            let rows = try db.rows("SELECT id, name, score, ok FROM t ORDER BY id DESC")
            #expect(rows.count == 2)
            #expect(rows[0]["id"] == .integer(Int64.max))
            #expect(rows[0].text("name") == hostile)
            #expect(rows[0]["score"] == .real(0.25))
            #expect(rows[0].int("ok") == 1)
            #expect(rows[1]["name"] == .null)
            #expect(rows[1].int("ok") == 0)
            let nul = #expect(throws: PostgresError.self) { try db.execute("SELECT $1::text", [.text("a\u{0}b")]) }
            #expect(nul?.message.contains("NUL") == true)
            let bad = #expect(throws: PostgresError.self) { try db.rows("SELECT nope FROM t") }
            #expect(bad?.sqlState == "42703")
            #expect(bad?.description.contains("SELECT nope FROM t") == true)
            // The connection is still usable after a failed statement.
            #expect(try db.rows("SELECT count(*) AS n FROM t").first?.int("n") == 2)
        }
    }

    @Test func copyLoadsEveryValueAsItWasAndAllOrNothing() throws {
        try PostgresTestServer.with { server in
            let db = try server.connect()
            try db.execute("CREATE TABLE ev (id bigint PRIMARY KEY, ts bigint NOT NULL, txt text, r double precision)")
            let awkward = ["back\\slash", "tab\there", "line\nbreak", "cr\rhere", "\\N", "", "日本語 ✓", "quote\"'"]
            var rows: [[SQLValue]] = []
            for i in 0..<5_000 {
                let text: SQLValue = i % 9 == 8 ? .null : .text(awkward[i % 8] + String(i))
                let real: SQLValue = i % 2 == 0 ? .real(Double(i) / 3) : .null
                rows.append([.integer(Int64(i)), .integer(1_793_664_000_000 + Int64(i)), text, real])
            }
            #expect(try db.copy(into: "ev", columns: ["id", "ts", "txt", "r"], rows: rows) == 5_000)
            let back = try db.rows("SELECT id, ts, txt, r FROM ev ORDER BY id")
            #expect(back.count == 5_000)
            for (row, sent) in zip(back, rows) {
                #expect(row["id"] == sent[0] && row["ts"] == sent[1] && row["txt"] == sent[2])
                if case .real(let v) = sent[3] { #expect(row["r"] == .real(v)) } else { #expect(row["r"] == .null) }
            }
            // A duplicate key fails the whole COPY: nothing of it is stored, and the connection stays usable.
            let again: [[SQLValue]] = [[.integer(10_000), .integer(1), .text("new"), .null], [.integer(3), .integer(1), .text("dup"), .null]]
            let duplicate = #expect(throws: PostgresError.self) { try db.copy(into: "ev", columns: ["id", "ts", "txt", "r"], rows: again) }
            #expect(duplicate?.kind == .copy && duplicate?.sqlState == "23505")
            #expect(try db.rows("SELECT count(*) AS n FROM ev").first?.int("n") == 5_000)
            // A value COPY cannot carry stops the load before anything is committed.
            let nul: [[SQLValue]] = [[.integer(20_000), .integer(1), .text("a\u{0}b"), .null]]
            let refused = #expect(throws: PostgresError.self) { try db.copy(into: "ev", columns: ["id", "ts", "txt", "r"], rows: nul) }
            #expect(refused?.message.contains("row 1, column txt") == true)
            #expect(try db.rows("SELECT count(*) AS n FROM ev").first?.int("n") == 5_000)
        }
    }

    @Test func oneWriterAtATimeAndTheHolderIsNamed() throws {
        try PostgresTestServer.with { server in
            let first = try server.connect(applicationName: "mailscope run")
            try PostgresWriterLock.acquire(first)
            let second = try server.connect()
            let locked = #expect(throws: PostgresError.self) { try PostgresWriterLock.acquire(second) }
            #expect(locked?.kind == .locked)
            #expect(locked?.description.contains("process \(first.backendPID) (mailscope run, user postgres") == true)
            // Released when the holder lets go, and when its connection ends (a killed run).
            try PostgresWriterLock.release(first)
            try PostgresWriterLock.acquire(second)
            let third = try server.connect()
            #expect(throws: PostgresError.self) { try PostgresWriterLock.acquire(third) }
            _ = consume second
            var taken = false
            for _ in 0..<50 where !taken {
                taken = (try? PostgresWriterLock.acquire(third)) != nil
                if !taken { Thread.sleep(forTimeInterval: 0.1) }
            }
            #expect(taken)
        }
    }

    @Test func aFailedConnectionNamesTheTargetButNeverThePassword() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-no-server-\(UUID().uuidString.prefix(8))")
        let target = try PostgresTarget("postgresql://analyst:s3cret-pw@localhost:1/cases?host=\(folder.path)")
        #expect(target.display == "postgresql://analyst@[socket \(folder.path)]:1/cases")
        let error = #expect(throws: PostgresError.self) { _ = try PostgresConnection(target) }
        #expect(error?.kind == .connection)
        #expect(error?.description.contains("postgresql://analyst@") == true)
        #expect(error?.description.contains("s3cret-pw") == false)
        let unreadable = #expect(throws: PostgresError.self) { _ = try PostgresTarget("postgresql://u:pw@host:notaport:x/db?bogus=1") }
        #expect(unreadable?.description.contains("pw") == false)
        #expect(DatabaseLocation.isPostgresURL("postgres://x/y") && DatabaseLocation.isPostgresURL("POSTGRESQL://x") && !DatabaseLocation.isPostgresURL("case.db"))
    }

    @Test func valuesAreTypedByTheColumnsType() {
        #expect(PostgresConnection.value("42", type: 20) == .integer(42))
        #expect(PostgresConnection.value("t", type: 16) == .integer(1))
        #expect(PostgresConnection.value("f", type: 16) == .integer(0))
        #expect(PostgresConnection.value("1.5", type: 701) == .real(1.5))
        #expect(PostgresConnection.value("12", type: 1700) == .integer(12))
        #expect(PostgresConnection.value("12.5", type: 1700) == .real(12.5))
        #expect(PostgresConnection.value("0042", type: 25) == .text("0042"))
        #expect(PostgresConnection.value("{\"a\":1}", type: 3802) == .text("{\"a\":1}"))
    }
}

/// What docs/scaling.md says PostgreSQL does that SQLite does not (measured in
/// scripts/store-experiment): a join's condition reaches inside a time-partitioned table, so a
/// correlation that looks up endpoint rows by host and time reads one index range of the
/// partition that can match, not every partition.
@Suite(.serialized) struct PostgresPartitionTests {
    @Test func aJoinIntoAPartitionedTableUsesEachPartitionsIndexAndSkipsTheOthers() throws {
        try PostgresTestServer.with { server in
            let db = try server.connect()
            let month: Int64 = 30 * 86_400_000
            try db.execute("""
                CREATE TABLE edr_event (id bigint, ts bigint NOT NULL, host text, action text) PARTITION BY RANGE (ts);
                CREATE TABLE edr_event_m1 PARTITION OF edr_event FOR VALUES FROM (0) TO (\(month));
                CREATE TABLE edr_event_m2 PARTITION OF edr_event FOR VALUES FROM (\(month)) TO (\(2 * month));
                CREATE TABLE edr_event_m3 PARTITION OF edr_event FOR VALUES FROM (\(2 * month)) TO (\(3 * month));
                CREATE INDEX edr_event_host ON edr_event (host, ts);
                CREATE TABLE url_click (id bigint, ts bigint, host text);
                """)
            var rows: [[SQLValue]] = []
            for i in 0..<90_000 {
                rows.append([.integer(Int64(i)), .integer(Int64(i) * (3 * month / 90_000)), .text("ws-\(i % 500)"), .text("network_connect")])
            }
            try db.copy(into: "edr_event", columns: ["id", "ts", "host", "action"], rows: rows)
            try db.execute("INSERT INTO url_click VALUES (1, $1, 'ws-7'), (2, $2, 'ws-9')", [.integer(2 * month + 1_000), .integer(2 * month + 5_000_000)])
            try db.execute("ANALYZE")
            let plan = try db.rows("""
                EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
                SELECT e.id FROM url_click c JOIN edr_event e ON e.host = c.host AND e.ts BETWEEN c.ts AND c.ts + 3600000
                """).compactMap { $0.text("QUERY PLAN") }.joined(separator: "\n")
            #expect(!plan.contains("Seq Scan on edr_event"), "\(plan)")
            let m3 = plan.split(separator: "\n").filter { $0.contains("edr_event_m3_host_ts_idx") }
            #expect(m3.count == 1 && m3[0].contains("Index") && !m3[0].contains("never executed"), "\(plan)")
            // Run-time pruning: the months no click falls in are never read.
            for partition in ["edr_event_m1", "edr_event_m2"] {
                let lines = plan.split(separator: "\n").filter { $0.contains(partition) }
                #expect(!lines.isEmpty && lines.allSatisfy { $0.contains("(never executed)") }, "\(plan)")
            }
        }
    }
}
