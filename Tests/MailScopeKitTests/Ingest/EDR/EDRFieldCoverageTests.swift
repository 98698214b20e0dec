import Foundation
import Testing
@testable import MailScopeKit

/// Nothing an EDR export says is dropped or put in the wrong place: for every record of every
/// real sample and fixture, each non-empty source field is either in a column that may take
/// it (by the table below, written from ../shared/formats/edr.md, not from the profiles) with
/// its value, or in `extra` under its own name with its exact value; and every column value
/// comes from a source field that column may take. A failure names the file, line and field.
@Suite struct EDRFieldCoverageTests {
    /// Which source fields (normalized header names) may feed each column, per product and role.
    struct Spec {
        var common: [String: [String]]
        /// The process columns on a row that starts a process (the started one and its parent).
        var start: [String: [String]]
        /// The process columns on every other row (the acting process and its parent).
        var other: [String: [String]]

        func sources(_ column: String, start isStart: Bool) -> [String] {
            ((common[column] ?? []) + ((isStart ? start : other)[column] ?? [])).map(HeaderName.normalize)
        }
        var columns: Set<String> { Set(common.keys).union(start.keys).union(other.keys) }
    }

    static let mde = Spec(
        common: [
            "ts": ["Timestamp"], "host_fqdn": ["DeviceName"], "host_id": ["DeviceId"], "event_type": ["ActionType"],
            "account": ["InitiatingProcessAccountName", "AccountName"], "account_domain": ["InitiatingProcessAccountDomain", "AccountDomain"],
            "user_email": ["InitiatingProcessAccountUpn", "AccountUpn", "InitiatingProcessAccountName", "AccountName"],
            "target_account": ["AccountName"], "target_account_domain": ["AccountDomain"],
            "file_name": ["FileName"], "file_path": ["FolderPath"], "sha256": ["SHA256"], "sha1": ["SHA1"], "md5": ["MD5"],
            "file_size": ["FileSize"], "url": ["RemoteUrl", "Url", "FileOriginUrl"], "file_origin_url": ["FileOriginUrl"],
            "remote_ip": ["RemoteIP", "FileOriginIP"], "remote_port": ["RemotePort"],
            "threat_name": ["AdditionalFields"], "edr_rule": ["AdditionalFields"],
        ],
        start: [
            "process": ["FileName"], "process_path": ["FolderPath"], "command_line": ["ProcessCommandLine"],
            "process_id": ["ProcessId"], "process_sha256": ["SHA256"],
            "parent_process": ["InitiatingProcessFileName"], "parent_process_path": ["InitiatingProcessFolderPath"],
            "parent_command_line": ["InitiatingProcessCommandLine"], "parent_process_id": ["InitiatingProcessId"],
            "parent_process_sha256": ["InitiatingProcessSHA256"],
        ],
        other: [
            "process": ["InitiatingProcessFileName"], "process_path": ["InitiatingProcessFolderPath"],
            "command_line": ["InitiatingProcessCommandLine"], "process_id": ["InitiatingProcessId"],
            "process_sha256": ["InitiatingProcessSHA256"], "parent_process": ["InitiatingProcessParentFileName"],
            "parent_process_path": ["InitiatingProcessParentFileName"], "parent_process_id": ["InitiatingProcessParentId"],
        ])

    static let crowdStrike = Spec(
        common: [
            "ts": ["ContextTimeStamp", "@timestamp", "timestamp", "_time"], "host_fqdn": ["ComputerName", "aid"], "host_id": ["aid"],
            "event_type": ["#event_simpleName", "event_simpleName"], "account": ["UserName"], "account_domain": ["UserName"],
            "user_email": ["UserPrincipal", "UserName"], "file_name": ["TargetFileName", "ImageFileName"],
            "file_path": ["TargetFileName", "ImageFileName"], "sha256": ["SHA256HashData"], "sha1": ["SHA1HashData"],
            "md5": ["MD5HashData"], "file_size": ["Size"], "url_host": ["DomainName"],
            "remote_ip": ["RemoteAddressIP4", "RemoteAddressIP6"], "remote_port": ["RemotePort"],
            "parent_process": ["ParentBaseFileName", "ParentImageFileName"], "parent_process_path": ["ParentImageFileName", "ParentBaseFileName"],
            "parent_command_line": ["ParentCommandLine"], "parent_process_id": ["ParentProcessId"], "threat_name": ["DetectName"],
        ],
        start: [
            "process": ["ImageFileName"], "process_path": ["ImageFileName"], "command_line": ["CommandLine"],
            "process_id": ["TargetProcessId"], "process_sha256": ["SHA256HashData"],
        ],
        other: [
            "process": ["ImageFileName"], "process_path": ["ImageFileName"], "command_line": ["CommandLine"],
            "process_id": ["ContextProcessId", "TargetProcessId"],
        ])

    static let sentinelOne = Spec(
        common: [
            "ts": ["eventTime", "event.time", "Event Time", "createdAt"], "host_fqdn": ["endpointName", "endpoint.name", "Endpoint Name"],
            "host_id": ["agentUuid", "agent.uuid", "Agent UUID"], "event_type": ["eventType", "event.type", "Event Type"],
            "account": ["srcProcUser", "src.process.user", "Source Process User"],
            "account_domain": ["srcProcUser", "src.process.user", "Source Process User"],
            "target_account": ["tgtProcUser", "tgt.process.user", "Target Process User", "loginsUserName", "event.login.userName"],
            "target_account_domain": ["tgtProcUser", "tgt.process.user", "Target Process User"],
            "file_name": ["fileFullName", "tgtFilePath", "tgt.file.path", "Target File Path"],
            "file_path": ["tgtFilePath", "tgt.file.path", "Target File Path"],
            "sha256": ["tgtFileSha256", "tgt.file.sha256", "Target File SHA256"], "sha1": ["tgtFileSha1", "tgt.file.sha1", "Target File SHA1"],
            "md5": ["tgtFileMd5", "tgt.file.md5", "Target File MD5"], "file_size": ["tgtFileSize", "tgt.file.size"],
            "url": ["url", "url.address", "URL"], "url_host": ["dnsRequest", "event.dns.request", "DNS Request", "url", "url.address", "URL"],
            "remote_ip": ["dstIp", "dst.ip.address", "Destination IP"], "remote_port": ["dstPort", "dst.port.number", "Destination Port"],
            "threat_name": ["threatName", "Threat Name"],
        ],
        start: [
            "process": ["tgtProcName", "tgt.process.name", "Target Process Name", "tgtProcImagePath", "tgt.process.image.path"],
            "process_path": ["tgtProcImagePath", "tgt.process.image.path", "Target Process Image Path"],
            "command_line": ["tgtProcCmdLine", "tgt.process.cmdline", "Target Process Command Line"],
            "process_id": ["tgtProcPid", "tgt.process.pid", "Target Process PID"],
            "process_sha256": ["tgtProcImageSha256", "tgt.process.image.sha256", "Target Process Image SHA256"],
            "file_name": ["tgtProcName", "tgt.process.name", "Target Process Name", "tgtProcImagePath", "tgt.process.image.path", "Target Process Image Path"],
            "file_path": ["tgtProcImagePath", "tgt.process.image.path", "Target Process Image Path"],
            "sha256": ["tgtProcImageSha256", "tgt.process.image.sha256", "Target Process Image SHA256"],
            "parent_process": ["srcProcName", "src.process.name", "Source Process Name"],
            "parent_process_path": ["srcProcImagePath", "src.process.image.path", "Source Process Image Path"],
            "parent_command_line": ["srcProcCmdLine", "src.process.cmdline", "Source Process Command Line"],
            "parent_process_id": ["srcProcPid", "src.process.pid", "Source Process PID"],
            "parent_process_sha256": ["srcProcImageSha256", "src.process.image.sha256", "Source Process Image SHA256"],
        ],
        other: [
            "process": ["srcProcName", "src.process.name", "Source Process Name", "srcProcImagePath", "src.process.image.path"],
            "process_path": ["srcProcImagePath", "src.process.image.path", "Source Process Image Path"],
            "command_line": ["srcProcCmdLine", "src.process.cmdline", "Source Process Command Line"],
            "process_id": ["srcProcPid", "src.process.pid", "Source Process PID"],
            "process_sha256": ["srcProcImageSha256", "src.process.image.sha256", "Source Process Image SHA256"],
            "parent_process": ["srcProcParentName", "src.process.parent.name", "Source Process Parent Name"],
            "parent_process_path": ["srcProcParentImagePath", "src.process.parent.image.path"],
            "parent_command_line": ["srcProcParentCmdLine", "src.process.parent.cmdline"],
            "parent_process_id": ["srcProcParentPid", "src.process.parent.pid"],
            "parent_process_sha256": ["srcProcParentImageSha256", "src.process.parent.image.sha256"],
        ])

    /// One source record: its line and its fields in export order.
    struct SourceRecord {
        var line: Int64
        var fields: [(name: String, value: Any)]
    }

    static func cell(_ value: SQLValue?) -> String? {
        switch value {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        default: return nil
        }
    }

    static func isEmpty(_ value: Any) -> Bool {
        if value is NSNull { return true }
        if let s = value as? String { return s.isEmpty || s == "-" || s == "null" }
        return false
    }

    static func text(_ value: Any) -> String {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }

    /// A column holds a source's value: the same text, or a part of it the column is made of
    /// (a file name from a path, an account from DOMAIN\user, a DNS name without its dot).
    static func holds(_ column: String, _ source: String) -> Bool {
        let c = column.lowercased(), s = source.lowercased()
        if c == s { return true }
        let trimmed = s.hasSuffix(".") ? String(s.dropLast()) : s
        if c == trimmed { return true }
        if s.hasSuffix("\\" + c) || s.hasSuffix("/" + c) || s.hasPrefix(c + "\\") { return true }   // DOMAIN\user, paths
        if c.hasPrefix(s) && (s.hasSuffix("\\") || s.hasSuffix("/") || c.dropFirst(s.count).first == "\\" || c.dropFirst(s.count).first == "/") {
            return true   // folder + name
        }
        if s.contains("//" + c + "/") || s.hasSuffix("//" + c) || s.contains("//" + c + ":") { return true }   // a URL's host
        if s.contains("\"\(c)\"") || s.contains(":\"\(c.lowercased())\"") { return true }          // a name inside AdditionalFields
        if let a = Double(c), let b = Double(s), a == b { return true }
        return false
    }

    static func readCSV(_ path: String) throws -> [SourceRecord] {
        let reader = CSVReader(source: try ByteSource(path: path), maxRowBytes: 1 << 26)
        var header: [String] = []
        var out: [SourceRecord] = []
        reader.forEach { event in
            guard case .row(let row) = event else { return true }
            let values = (0..<row.count).map { row.string($0) }
            if header.isEmpty { header = values; return true }
            out.append(SourceRecord(line: row.line, fields: Array(zip(header, values.map { $0 as Any }))))
            return true
        }
        return out
    }

    static func readNDJSON(_ path: String) throws -> [SourceRecord] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [SourceRecord] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            // Key order as exported (JSONSerialization forgets it; the order does not matter here).
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            out.append(SourceRecord(line: Int64(i + 1), fields: object.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        return out
    }

    static let sampleFiles: [(path: String, spec: String)] = [
        ("mde/plaso_advanced_hunting_test.csv", "mde"),
        ("crowdstrike_fdr/elastic_test-fdr_selected.ndjson", "crowdstrike"),
        ("sentinelone_cloud_funnel/elastic_test-dns.ndjson", "sentinelone"),
        ("sentinelone_cloud_funnel/elastic_test-file.ndjson", "sentinelone"),
        ("sentinelone_cloud_funnel/elastic_test-url.ndjson", "sentinelone"),
    ]

    static let fixtureFiles: [(path: String, spec: String)] = [
        ("edr/crowdstrike_events.csv", "crowdstrike"),
        ("edr/sentinelone_dv.csv", "sentinelone"),
        ("scenario/edr/crowdstrike_events_2026-11-02.csv", "crowdstrike"),
        ("scenario/edr/mde_advanced_hunting_2026-10-30.csv", "mde"),
        ("scenario/edr/mde_advanced_hunting_2026-11-02.csv", "mde"),
        ("scenario/edr/sentinelone_dv_2026-11-02.csv", "sentinelone"),
    ]

    static func spec(_ name: String) -> Spec {
        ["mde": mde, "crowdstrike": crowdStrike, "sentinelone": sentinelOne][name]!
    }

    @Test(.enabled(if: TestPaths.sharedEDRAvailable, "../shared/samples/edr is absent"), arguments: sampleFiles)
    func everySampleFieldIsInItsColumnOrInExtra(file: (path: String, spec: String)) throws {
        try check(TestPaths.sharedEDR + "/" + file.path, spec: Self.spec(file.spec))
    }

    @Test(arguments: fixtureFiles)
    func everyFixtureFieldIsInItsColumnOrInExtra(file: (path: String, spec: String)) throws {
        try check(TestPaths.fixture(file.path), spec: Self.spec(file.spec))
    }

    @Test func aColumnFedFromTheWrongSourceIsCaught() {
        // The check itself: SentinelOne's storyline id is no pid, the acting image's hash no file hash.
        let spec = Self.sentinelOne
        #expect(!spec.sources("process_id", start: false).contains(HeaderName.normalize("src.process.storyline.id")))
        #expect(!spec.sources("sha256", start: false).contains(HeaderName.normalize("src.process.image.sha256")))
        #expect(Self.holds("alima", #"ACME\alima"#))
        #expect(!Self.holds("4041c4202623d4e6", "7660"))
    }

    private func check(_ path: String, spec: Spec) throws {
        let records = path.hasSuffix(".csv") ? try Self.readCSV(path) : try Self.readNDJSON(path)
        let db = try LoadedDatabase([path])
        #expect(db.summary.rejected == 0, "\(path): rows were rejected")
        let rows = try db.rows("SELECT * FROM edr_event ORDER BY line_no")
        var byLine: [Int64: [String: SQLValue]] = [:]
        for row in rows { if let l = row.int("line_no") { byLine[l] = row } }
        let name = (path as NSString).lastPathComponent
        for record in records {
            let row = try #require(byLine[record.line], "\(name):\(record.line): no edr_event row")
            let extra = try row.text("extra").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] } ?? [:]
            let action = row.text("action") ?? ""
            let sourceNames = Set(record.fields.filter { !Self.isEmpty($0.value) }.map { HeaderName.normalize($0.name) })
            let isStart = action == "process_start"
                || (action.hasPrefix("asr_") && (sourceNames.contains("processcommandline") || sourceNames.contains("tgtproccmdline")))
            // Each source field with a value: in a column that may take it, or in extra as exported.
            for (field, value) in record.fields where !Self.isEmpty(value) {
                let key = HeaderName.normalize(field)
                let sourceText = Self.text(value)
                if let kept = extra[field] {
                    let keptText = Self.text(kept)
                    let same = keptText == sourceText
                        || ((kept is [String: Any]) && (try? JSONSerialization.jsonObject(with: Data(sourceText.utf8)) as? NSDictionary) == (kept as? NSDictionary))
                    #expect(same, "\(name):\(record.line): extra.\(field) is \(keptText.prefix(80)), the export says \(sourceText.prefix(80))")
                    continue
                }
                let inColumn = spec.columns.contains { column in
                    guard spec.sources(column, start: isStart).contains(key) else { return false }
                    if column == "ts" { return row.int("ts") != nil }
                    guard let stored = Self.cell(row[column]) else { return false }
                    return Self.holds(stored, sourceText)
                }
                #expect(inColumn, "\(name):\(record.line): \(field) = \(sourceText.prefix(80)) is in no column and not in extra")
            }
            // Each column value: from a source field that column may take.
            let values = Dictionary(record.fields.filter { !Self.isEmpty($0.value) }.map { (HeaderName.normalize($0.name), Self.text($0.value)) },
                                    uniquingKeysWith: { a, _ in a })
            for column in spec.columns where column != "ts" {
                guard let stored = Self.cell(row[column]), !stored.isEmpty else { continue }
                let allowed = spec.sources(column, start: isStart)
                let fed = allowed.contains { values[$0].map { Self.holds(stored, $0) } ?? false }
                #expect(fed, "\(name):\(record.line): \(column) = \(stored.prefix(80)) comes from none of \(allowed.joined(separator: ", "))")
            }
        }
    }
}
