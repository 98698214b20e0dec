import Foundation
import Testing
@testable import MailScopeKit

/// EDR profiles on real-format exports, the generic mapping, timestamps and bad rows.
@Suite struct EDRIngestTests {
    private func one(_ db: LoadedDatabase, _ sql: String) throws -> [String: SQLValue] {
        let rows = try db.rows(sql)
        #expect(rows.count == 1, "\(sql) → \(rows.count) rows")
        return try #require(rows.first)
    }

    @Test(.enabled(if: TestPaths.sharedEDRAvailable, "../shared/samples/edr is absent"))
    func defenderAdvancedHuntingExportLoadsEveryRow() throws {
        let db = try LoadedDatabase([TestPaths.sharedEDR + "/mde/plaso_advanced_hunting_test.csv"])
        let file = try #require(db.summary.files.first)
        #expect(file.format == "edr_mde")
        #expect(file.rejected == 0)
        #expect(file.rows == 129)
        let process = try #require(try db.rows("SELECT * FROM edr_event WHERE event_type = 'ProcessCreated' ORDER BY ts").first)
        #expect(process.text("process") == "CompatTelRunner.exe")
        #expect(process.text("file_path") == #"C:\Windows\System32\CompatTelRunner.exe"#)
        #expect(process.text("parent_process") == "svchost.exe")
        #expect(process.text("host") == "test-hostname")
        #expect(process.text("account") == "system")
        #expect(process.text("account_domain") == "nt authority")
        #expect(process.text("sha256")?.count == 64)
        // Both ends of the process start: the started process and the one that started it.
        #expect(process.text("command_line") == "compattelrunner.exe -m:aemarebackup.dll -f:BackupMareData -cv:0RBipvQH80qe5eV2.0.1.4")
        #expect(process.text("process_id") == "11080")
        #expect(process.text("parent_command_line") == "svchost.exe -k InvSvcGroup -p -s InventorySvc")
        #expect(process.text("parent_process_path") == #"c:\windows\system32\svchost.exe"#)
        #expect(process.text("parent_process_id") == "10608")
        #expect(process.text("parent_process_sha256") == "949bfb5b4c7d58d92f3f9c5f8ec7ca4ceaffd10ec5f0020f0a987c472d61c54b")
        // A parent exported as an NT device path keeps its path; its name is the last part.
        #expect(try db.count("edr_event", #"parent_process = 'explorer.exe' AND parent_process_path = '\Device\HarddiskVolume3\Windows\explorer.exe'"#) > 0)
        // The antivirus verdict and the ASR rule are columns; AdditionalFields stays whole in extra.
        #expect(try db.count("edr_event", "action = 'av_detection' AND threat_name = 'Virus:Win32/Virut.BN'") == 1)
        #expect(try db.count("edr_event", "json_extract(extra, '$.AdditionalFields.ThreatName') = 'Virus:Win32/Virut.BN'") == 1)
        #expect(try db.count("edr_event", "event_type LIKE 'Asr%Blocked' AND action = 'asr_block' AND edr_rule IS NOT NULL") == 12)
        // The blocked child of an Office app is the process of its ASR row, Word its parent.
        #expect(try db.count("edr_event", #"event_type = 'AsrOfficeChildProcessBlocked' AND process = 'control.exe' AND command_line = '"C:\WINDOWS\system32\control.exe" input.dll' AND parent_process = 'WINWORD.EXE'"#) == 1)
        // Failed logons and connections are their own actions; the target account is kept apart.
        #expect(try db.count("edr_event", "event_type = 'LogonFailed' AND action = 'logon_failed'") == 2)
        #expect(try db.count("edr_event", "event_type = 'ConnectionFailed' AND action = 'network_connect_failed'") == 2)
        #expect(try db.count("edr_event", "event_type = 'LogonAttempted' AND account = 'test-hostname$' AND target_account = 'test-user@test-company.tld'") == 2)
        #expect(try db.count("edr_event", "event_type = 'UserAccountCreated' AND target_account = 'lenovo_tmp_psgtbdwk' AND target_account_domain = 'test-hostname'") == 1)
        #expect(try db.count("edr_event", "action = 'dns_query' AND domain = 'snapchat.com' AND url_host = 'tr.snapchat.com'") == 1)
        #expect(try db.count("edr_event", "action = 'network_connect' AND remote_ip = '46.228.174.117' AND remote_port = 443 AND user_email = 'test-user@test-company.tld'") == 1)
        #expect(try db.count("edr_event", "ts < 1600000000000 OR ts > 1800000000000") == 0)
        // Every exported column is somewhere: mapped, or in extra.
        #expect(try db.count("edr_event", "extra IS NULL") == 0)
    }

    @Test(.enabled(if: TestPaths.sharedEDRAvailable, "../shared/samples/edr is absent"))
    func crowdStrikeFDRAndSentinelOneCloudFunnelTelemetry() throws {
        let cs = try LoadedDatabase([TestPaths.sharedEDR + "/crowdstrike_fdr/elastic_test-fdr_selected.ndjson"])
        #expect(cs.summary.files.first?.format == "edr_crowdstrike_json")
        #expect(cs.summary.rows == 8)
        #expect(try cs.count("edr_event", "action = 'process_start'") == 3)
        #expect(try cs.count("edr_event", "action = 'file_created'") == 2)
        #expect(try cs.count("edr_event", "action = 'dns_query' AND url_host = 'jss.dom1.com'") == 1)
        // ContextTimeStamp (sensor seconds with a fraction) wins over the cloud timestamp.
        #expect(try cs.count("edr_event", "ts = 1625677521137 AND process = 'sh'") == 1)
        let s1 = try LoadedDatabase([TestPaths.sharedEDR + "/sentinelone_cloud_funnel"])
        #expect(s1.summary.rows == 3)
        #expect(s1.summary.rejected == 0)
        #expect(try s1.count("edr_event", "product = 'sentinelone' AND action = 'file_created' AND file_path IS NOT NULL") == 1)
        #expect(try s1.count("edr_event", "action = 'dns_query' AND domain IS NOT NULL") == 1)
        #expect(try s1.count("edr_event", "action = 'http_request' AND url IS NOT NULL") == 1)
        // The acting process is the source process, with its pid (not the storyline id) and
        // image path; the file row's hash would be the file's, never chrome.exe's image hash.
        let file = try one(s1, "SELECT * FROM edr_event WHERE action = 'file_created'")
        #expect(file.text("process") == "chrome.exe")
        #expect(file.text("process_id") == "7660")
        #expect(file.text("process_path") == #"C:\ProgramFiles(x86)\Google\Chrome\Application\chrome.exe"#)
        #expect(file.text("process_sha256")?.count == 64)
        #expect(file.text("sha256") == nil)
        #expect(file.text("parent_process_path") == #"C:\PROGRAMFILES\MediaMonitors\MediaMonitors.WebCrawler.Desktop.exe"#)
        #expect(file.text("parent_process_id") != nil)
        #expect(try s1.count("edr_event", "json_extract(extra, '$.\"src.process.storyline.id\"') = '4041C4202623D4E6'") == 1)
        // Cloud Funnel's `timestamp` (time of day only) is never used as the time.
        #expect(try s1.count("edr_event", "ts < 1600000000000") == 0)
    }

    @Test func crowdStrikeEventSearchCSV() throws {
        let db = try LoadedDatabase([TestPaths.fixture("edr/crowdstrike_events.csv")])
        #expect(db.summary.files.first?.format == "edr_crowdstrike")
        #expect(db.summary.rows == 5)
        let excel = try one(db, "SELECT * FROM edr_event WHERE action = 'process_start'")
        #expect(excel.text("host") == "ws-0042")
        #expect(excel.text("account") == "alima")
        #expect(excel.text("account_domain") == "acme")
        #expect(excel.text("process") == "EXCEL.EXE")
        #expect(excel.text("parent_process") == "OUTLOOK.EXE")
        #expect(excel.text("command_line")?.hasPrefix("\"C:\\Program Files") == true)
        #expect(excel.int("ts") == 1_793_616_300_123)
        let write = try one(db, "SELECT * FROM edr_event WHERE action = 'file_created'")
        #expect(write.text("file_name") == "INV-88341.xlsm")
        #expect(write.text("sha256") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        let dns = try one(db, "SELECT * FROM edr_event WHERE action = 'dns_query'")
        #expect(dns.text("url_host") == "login.acme-c0rp-secure.com")
        #expect(dns.text("domain") == "acme-c0rp-secure.com")
        #expect(try db.count("edr_event", "action = 'network_connect' AND remote_ip = '198.51.100.66' AND remote_port = 443") == 1)
        #expect(try db.count("edr_event", "action = 'other' AND event_type = 'UnknownFutureEvent'") == 1)
    }

    @Test func sentinelOneDeepVisibilityCSV() throws {
        let db = try LoadedDatabase([TestPaths.fixture("edr/sentinelone_dv.csv")])
        #expect(db.summary.files.first?.format == "edr_sentinelone")
        #expect(db.summary.rows == 4)
        let write = try one(db, "SELECT * FROM edr_event WHERE action = 'file_created'")
        #expect(write.text("file_name") == "update.exe")
        #expect(write.text("process") == "chrome.exe")
        #expect(write.text("account") == "rpatel")
        #expect(write.text("host") == "ws-0107")
        #expect(try db.count("edr_event", "action = 'process_start' AND sha256 = '3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d'") == 1)
        // Process Creation: the started process is the target, the source process its parent.
        let start = try one(db, "SELECT * FROM edr_event WHERE action = 'process_start'")
        #expect(start.text("process") == "update.exe")
        #expect(start.text("command_line") == #"C:\Users\rpatel\Downloads\update.exe /silent"#)
        #expect(start.text("process_id") == "7312")
        #expect(start.text("parent_process") == "explorer.exe")
        #expect(start.text("parent_command_line") == #"C:\WINDOWS\Explorer.EXE"#)
        #expect(start.text("parent_process_id") == "4412")
        #expect(start.text("account") == "rpatel")
        #expect(try db.count("edr_event", "action = 'http_request' AND domain = 'acme-c0rp-secure.com' AND url LIKE 'https://login.%'") == 1)
        #expect(try db.count("edr_event", "action = 'dns_query' AND domain = 'acme-c0rp-secure.com'") == 1)
    }

    /// A Deep Visibility API page: EDR events inside a JSON document, each with its record index.
    @Test func sentinelOneDeepVisibilityAPIPage() throws {
        let db = try LoadedDatabase([TestPaths.fixture("edr/sentinelone_dv_api.json")])
        #expect(db.summary.rejected == 0)
        #expect(db.summary.rows == 2)
        let start = try one(db, "SELECT * FROM edr_event WHERE action = 'process_start'")
        #expect(start.text("product") == "sentinelone")
        #expect(start.text("process") == "wscript.exe")
        #expect(start.text("process_id") == "7316")
        #expect(start.text("parent_process") == "WINWORD.EXE")
        #expect(start.text("parent_command_line")?.contains("Order-5521.docm") == true)
        #expect(start.int("record_no") == 1)
        let dns = try one(db, "SELECT * FROM edr_event WHERE action = 'dns_query'")
        #expect(dns.text("url_host") == "cdn.order-portal.example")
        #expect(dns.int("record_no") == 2)
        #expect(try db.count("edr_event", "json_extract(extra, '$.srcProcStorylineId') = '4041C4202623D4E6'") == 2)
    }

    @Test func genericMappingLoadsAnUnknownProductInItsTimeZone() throws {
        var options = IngestOptions()
        options.edrMapping = try GenericMapping(path: TestPaths.fixture("edr/carbonblack.yml"))
        let db = try LoadedDatabase([TestPaths.fixture("edr/carbonblack_events.csv")], options: options)
        #expect(db.summary.files.first?.format == "edr_generic_carbonblack")
        // What the ingest said, should a row go missing (seen once under a loaded full run).
        #expect(db.summary.files.first?.rows == 2 && db.summary.files.first?.rejected == 0,
                "rows \(db.summary.files.first?.rows ?? -1), rejected \(db.summary.files.first?.rejected ?? -1): \(db.messages)")
        let modify = try one(db, "SELECT * FROM edr_event WHERE action = 'file_modified'")
        #expect(modify.text("product") == "generic:carbonblack")
        #expect(modify.int("ts") == 1_793_610_300_000)   // 10:05 at +01:00 = 09:05Z
        #expect(modify.text("host") == "ws-0200")
        #expect(modify.text("file_name") == "menu.pdf")
        #expect(try db.count("edr_event", "action = 'network_connect' AND domain = 'example.com' AND url_host = 'canteen.example.com'") == 1)
    }

    /// A mapped export whose process "names" are full paths keeps the paths, and maps the
    /// child it started as the process started (its acting process as the parent).
    @Test func mappedProcessNamesThatArePathsKeepTheirPaths() throws {
        var options = IngestOptions()
        options.edrMapping = try GenericMapping(path: TestPaths.fixture("edr/carbonblack_process.yml"))
        let db = try LoadedDatabase([TestPaths.fixture("edr/carbonblack_process.csv")], options: options)
        let start = try one(db, "SELECT * FROM edr_event")
        #expect(start.text("action") == "process_start")
        #expect(start.text("process") == "cmd.exe")
        #expect(start.text("process_path") == #"c:\windows\system32\cmd.exe"#)
        #expect(start.text("process_id") == "7316")
        #expect(start.text("command_line") == "cmd.exe /c powershell -w hidden -enc SQBFAFgA")
        #expect(start.text("parent_process") == "winword.exe")
        #expect(start.text("parent_process_path") == #"c:\program files\microsoft office\root\office16\winword.exe"#)
        #expect(start.text("parent_process_id") == "4412")
        #expect(start.text("parent_command_line")?.contains("Order-5521.docm") == true)
        #expect(start.text("sha256") == "0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829")
    }

    @Test(arguments: [
        ("product: x\ncolumns:\n  when: t\n", "columns.when is not a canonical field"),
        ("product: x\ncolumns:\n  host: h\n", "columns.ts (the time column) is required"),
        ("columns:\n  ts: t\n  host: h\n", "product:"),
        ("product: x\ncolumns:\n  ts: t\n  host: h\nactions:\n  a: explode\n", "actions.a must be one of"),
        ("product: x\ncolumns:\n  ts: t\n  host: h\ncolour: red\n", "unknown key \"colour\""),
        ("product: x\ncolumns:\n  ts: t\n  host: h\ntime_zone: Mars\n", "time_zone: \"Mars\" is not a time zone"),
    ])
    func badMappingFilesNameTheKey(yaml: String, message: String) throws {
        let path = TestPaths.scratch() + "/map.yml"
        try Array(yaml.utf8).write(to: path)
        do {
            _ = try GenericMapping(path: path)
            Issue.record("accepted: \(yaml)")
        } catch let error as GenericMapping.Error {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func unknownHeaderIsAClearErrorListingTheProfiles() throws {
        let path = TestPaths.scratch() + "/mystery.csv"
        try Array("when,what,who\n2026-11-02T10:00:00Z,thing,someone\n".utf8).write(to: path)
        let db = try LoadedDatabase([path])
        #expect(db.summary.files.first?.status == .unrecognized)
        let message = try #require(db.messages.first { $0.contains("unrecognized_format") })
        #expect(message.contains("mde"))
        #expect(message.contains("crowdstrike"))
        #expect(message.contains("sentinelone"))
        #expect(message.contains("--edr-map"))
    }

    @Test func badRowsAreRejectedWithFileAndLine() throws {
        let source = try String(contentsOfFile: TestPaths.fixture("edr/sentinelone_dv.csv"), encoding: .utf8)
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("2026-11-02T09:42:00Z,WS-0107,x,File Creation,too,few", at: 2)                       // line 3
        lines.insert("not a date,WS-0107,x,File Creation,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", at: 3)         // line 4
        lines.insert(",WS-0107,x,File Creation,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", at: 4)                   // line 5
        let path = TestPaths.scratch() + "/s1.csv"
        try Array(lines.joined(separator: "\n").utf8).write(to: path)
        let db = try LoadedDatabase([path])
        #expect(db.summary.rows == 4)
        let rejects = try db.rows("SELECT line_no, reason FROM reject ORDER BY line_no")
        #expect(rejects.map { $0.int("line_no") } == [3, 4, 5])
        #expect(rejects.map { $0.text("reason") } == ["wrong_column_count", "bad_timestamp", "missing_timestamp"])
        #expect(db.messages.contains { $0.contains("s1.csv:3: wrong_column_count: row has 6 columns, the header has 20") })
    }

    @Test func zonelessTimestampsUseEdrTz() throws {
        let path = TestPaths.scratch() + "/mde.csv"
        try Array("Timestamp,DeviceName,ActionType,FileName\n2026-11-02 10:00:00,ws-1,FileCreated,a.txt\n".utf8).write(to: path)
        var options = IngestOptions()
        options.edrTimeZone = try TimeZoneOffsets(parsing: "-05:00")
        let db = try LoadedDatabase([path], options: options)
        #expect(try db.rows("SELECT ts FROM edr_event").first?.int("ts") == 1_793_631_600_000)   // 10:00-05:00 = 15:00Z
    }

    /// An export in Berlin local time (no zone on its times) read with --edr-tz Europe/Berlin:
    /// each row with the offset in force at its local time, across both 2026 changes; the
    /// skipped spring hour with the offset before it, the repeated autumn hour as its first
    /// (summer-time) occurrence; a time that states its zone keeps it.
    @Test func anIANAZoneReadsEachRowWithItsOwnOffset() throws {
        var options = IngestOptions()
        options.edrTimeZone = try TimeZoneOffsets(parsing: "Europe/Berlin")
        let db = try LoadedDatabase([TestPaths.fixture("edr/mde_local_time_berlin.csv")], options: options)
        #expect(db.summary.rejected == 0)
        let expected = [
            "winter.txt": "2026-01-15T11:00:00.000Z", "before-spring.txt": "2026-03-29T00:59:59.000Z",
            "skipped-hour.txt": "2026-03-29T01:30:00.000Z", "after-spring.txt": "2026-03-29T01:00:00.000Z",
            "summer.txt": "2026-07-15T10:00:00.000Z", "before-autumn.txt": "2026-10-24T23:59:59.000Z",
            "repeated-hour.txt": "2026-10-25T00:30:00.000Z", "after-autumn.txt": "2026-10-25T02:00:00.000Z",
            "written-utc.txt": "2026-11-02T09:14:03.120Z",
        ]
        let rows = try db.rows("SELECT file_name, ts FROM edr_event")
        #expect(rows.count == expected.count)
        for row in rows {
            let name = row.text("file_name") ?? ""
            #expect(row.int("ts").map(TimeParser.iso8601) == expected[name], "\(name)")
        }
        // A mapping's own time_zone wins over --edr-tz.
        var mapped = IngestOptions()
        mapped.edrTimeZone = try TimeZoneOffsets(parsing: "America/New_York")
        mapped.edrMapping = try GenericMapping(path: TestPaths.fixture("edr/carbonblack.yml"))
        let header = ["event_time", "device_name", "username", "type", "path", "process_hash", "cmdline", "netconn_domain"]
        guard case .edr(let profile) = EDRFileParser.kind(ofHeader: header, options: mapped) else {
            Issue.record("the carbonblack mapping does not match its own header")
            return
        }
        #expect(profile.timeZone?.name == "+01:00")
    }

    /// Excel saves dates in the system's order: a file whose dates show a day over 12 in the
    /// first place is read day first throughout; one where every date could be either is read
    /// month first with a note saying so; --edr-date-order decides when given.
    @Test(arguments: [
        // rows' times, option, expected UTC times, note expected
        (["21/12/2023 19:04", "02/11/2026 09:14"], nil as TimeParser.SlashDateOrder?, ["2023-12-21T19:04:00.000Z", "2026-11-02T09:14:00.000Z"], false),
        (["12/21/2023 19:04", "11/02/2026 09:14"], nil as TimeParser.SlashDateOrder?, ["2023-12-21T19:04:00.000Z", "2026-11-02T09:14:00.000Z"], false),
        (["02/11/2026 09:14", "03/11/2026 10:00"], nil as TimeParser.SlashDateOrder?, ["2026-02-11T09:14:00.000Z", "2026-03-11T10:00:00.000Z"], true),
        (["02/11/2026 09:14", "03/11/2026 10:00"], .dayFirst as TimeParser.SlashDateOrder?, ["2026-11-02T09:14:00.000Z", "2026-11-03T10:00:00.000Z"], false),
    ] as [([String], TimeParser.SlashDateOrder?, [String], Bool)])
    func slashDatesAreReadInTheFilesOwnOrder(times: [String], order: TimeParser.SlashDateOrder?, expected: [String], note: Bool) throws {
        let path = TestPaths.scratch() + "/mde.csv"
        var csv = "Timestamp,DeviceName,ActionType,FileName\n"
        for (i, t) in times.enumerated() { csv += "\(t),ws-1,FileCreated,f\(i).txt\n" }
        try Array(csv.utf8).write(to: path)
        var options = IngestOptions()
        options.edrDateOrder = order
        let db = try LoadedDatabase([path], options: options)
        #expect(db.summary.rejected == 0)
        let stored = try db.rows("SELECT ts FROM edr_event ORDER BY file_name").compactMap { $0.int("ts").map(TimeParser.iso8601) }
        #expect(stored == expected)
        let notes = try db.rows("SELECT notes FROM input_file").first?.text("notes")
        #expect((notes?.contains("could be day or month first") ?? false) == note, "\(notes ?? "no note")")
        #expect(db.messages.contains { $0.contains("could be day or month first") } == note)
    }

    @Test func aMappedColumnMissingFromTheHeaderIsNamed() throws {
        let path = TestPaths.scratch() + "/cb.csv"
        try Array("event_time,device_name,username,type,process_name\n2026-11-02 10:07:12,ws-1,ACME\\tbaker,childproc,winword.exe\n".utf8).write(to: path)
        var options = IngestOptions()
        options.edrMapping = try GenericMapping(path: TestPaths.fixture("edr/carbonblack_process.yml"))
        let db = try LoadedDatabase([path], options: options)
        #expect(db.summary.rejected == 1)
        #expect(db.messages.contains { $0.contains("the header lacks columns the --edr-map mapping for carbonblack names") && $0.contains("command_line: process_cmdline") })
        #expect(!db.messages.contains { $0.contains("write a mapping file") })
    }

    @Test func reloadingTheSameRowsStoresThemOnce() throws {
        let dir = TestPaths.scratch()
        let text = try String(contentsOfFile: TestPaths.fixture("edr/sentinelone_dv.csv"), encoding: .utf8)
        try Array(text.utf8).write(to: dir + "/a.csv")
        try Gzip.compress(text).write(to: dir + "/b.csv.gz")
        let db = try LoadedDatabase([dir])
        #expect(db.summary.rows == 4)
        #expect(db.summary.duplicates == 4)
    }
}
