import Foundation

/// What happened on one computer: its endpoint rows in time order, with the columns an analyst
/// reads to answer "what ran after the click or the open?" — the process and its command line,
/// the parent that started it, the file written or opened, the domain or address reached — and
/// the input line each row came from.
///
/// `timeline` is every row of a host in a period (`mailscope query host`). `story` is an
/// incident's part of it: the rows that link the host to the campaign (the findings' evidence)
/// and the process chain that followed them within the investigation window — processes the
/// linked rows started or acted as, processes that opened a linked file, and everything those
/// processes and their descendants did (files, DNS, connections). Processes are followed by
/// process id; where an export has no process ids, by image name (which can take in unrelated
/// runs of the same program within the window — such rows are marked "by name").
public enum HostActivity {
    /// How long after the last linked row the chain is followed: long enough for a payload
    /// that waits for the next logon or a scheduled task, short enough that one busy host does
    /// not bury the story.
    public static let followMilliseconds: Int64 = 24 * 3_600_000

    /// One endpoint row as the story and the timeline show it.
    public struct Event: Sendable, Equatable, Codable {
        public var id: Int64
        public var ts: Timestamp
        public var action: String
        public var process: String?
        public var processID: String?
        public var commandLine: String?
        public var parentProcess: String?
        public var parentProcessID: String?
        public var file: String?
        public var sha256: String?
        /// The domain, host or address reached (with the port when known).
        public var remote: String?
        public var account: String?
        /// The row is evidence of a finding of the incident (not only part of the chain).
        public var linked: Bool
        /// How the row joined the chain: `evidence`, `process id`, `by name`, or nil (timeline).
        public var via: String?
        public var evidence: String
        /// The domain or address reached, bare (for the incident graph; `remote` is the text shown).
        public var destination: String? = nil

        enum CodingKeys: String, CodingKey {
            case id, ts, action, process, processID = "process_id", commandLine = "command_line", parentProcess = "parent_process"
            case parentProcessID = "parent_process_id", file, sha256, remote, account, linked, via, evidence, destination
        }
    }

    /// The columns of ``table(_:)``, for query output.
    public static let columns = ["time", "action", "process", "process_id", "command_line", "parent_process", "parent_process_id",
                                 "file", "sha256", "remote", "account", "linked", "via", "evidence"]
    public static let compactColumns = ["time", "action", "process", "command_line", "parent_process", "file", "remote", "evidence"]

    static let select = """
        SELECT e.id, e.ts, e.action, e.process, e.process_path, e.process_id, e.command_line, e.parent_process, e.parent_process_id,
               e.file_name, e.file_path, e.sha256, e.domain, e.url_host, e.url, e.remote_ip, e.remote_port, e.account, e.account_domain,
               fi.path AS input_path, e.line_no, e.record_no
        FROM edr_event e JOIN input_file fi ON fi.id = e.file_id
        """

    static func event(_ r: Row) -> Event {
        let name = r.text("url_host") ?? r.text("domain")
        var remote: String?
        if r.text("action") == "dns_query" {
            // The address of a DNS row is the resolver asked, not the name's answer.
            remote = name.map { n in r.text("remote_ip").map { "\(n) (asked \($0))" } ?? n }
        } else {
            let address = r.text("remote_ip").map { ip in r.int("remote_port").map { "\(ip):\($0)" } ?? ip }
            let reached = [name, address].compactMap { $0 }.joined(separator: " at ")
            remote = reached.isEmpty ? nil : reached
        }
        let account = r.text("account").map { a in r.text("account_domain").map { "\($0)\\\(a)" } ?? a }
        return Event(id: r.int("id") ?? 0, ts: Timestamp(r.int("ts") ?? 0), action: r.text("action") ?? "",
                     process: r.text("process_path") ?? r.text("process"), processID: r.text("process_id"),
                     commandLine: r.text("command_line"), parentProcess: r.text("parent_process"), parentProcessID: r.text("parent_process_id"),
                     file: r.text("file_path") ?? r.text("file_name"), sha256: r.text("sha256"), remote: remote ?? r.text("url"),
                     account: account, linked: false, via: nil,
                     evidence: EvidenceLocator.text(file: r.text("input_path") ?? "?", line: r.int("line_no") ?? 0, record: r.int("record_no")),
                     destination: name ?? r.text("remote_ip"))
    }

    /// Every endpoint row of `host` (short name, case-insensitive) in [since, until), oldest first.
    public static func timeline(_ db: Database, host: String, since: Int64?, until: Int64?) throws -> [Event] {
        try db.rows(select + " WHERE e.host = ? AND e.ts >= ? AND e.ts < ? ORDER BY e.ts, e.id",
                    [.text(host.lowercased()), .integer(since ?? Int64.min), .integer(until ?? Int64.max)]).map { event($0) }
    }

    /// The story of incident `incident` on `host`: the linked rows (the endpoint rows on that
    /// host that its findings rest on) and the chain that followed, within
    /// [first linked row, last linked row + ``followMilliseconds``].
    public static func story(_ db: Database, incident: Int64, host: String) throws -> [Event] {
        let linked = try db.rows("""
            SELECT e.id, e.ts FROM edr_event e
            WHERE e.host = ? AND e.id IN (
                SELECT f.evidence_rowid FROM incident_finding i JOIN finding f ON f.id = i.finding_id
                WHERE i.incident_id = ? AND f.evidence_table = 'edr_event'
                UNION
                SELECT f.related_rowid FROM incident_finding i JOIN finding f ON f.id = i.finding_id
                WHERE i.incident_id = ? AND f.related_table = 'edr_event')
            """, [.text(host.lowercased()), .integer(incident), .integer(incident)])
        let times = linked.compactMap { $0.int("ts") }
        guard let first = times.min(), let last = times.max() else { return [] }
        let window = try timeline(db, host: host, since: first, until: last + followMilliseconds + 1)
        return chain(window, linked: Set(linked.compactMap { $0.int("id") }))
    }

    /// The rows of `window` (one host, oldest first) that belong to the story: the linked rows,
    /// then, in time order, every row acted by a process of the chain and every process a
    /// chain process started (which joins the chain). The chain starts with the processes of
    /// the linked rows and the processes that opened a file a linked row names.
    static func chain(_ window: [Event], linked: Set<Int64>) -> [Event] {
        var ids: Set<String> = []          // process ids in the chain
        var names: Set<String> = []        // image names, for rows without process ids
        var files: Set<String> = []        // file names the linked rows wrote or downloaded
        func name(_ path: String?) -> String? {
            guard let path, !path.isEmpty else { return nil }
            return String(path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? Substring(path)).lowercased()
        }
        for e in window where linked.contains(e.id) {
            if let pid = e.processID { ids.insert(pid) } else if let n = name(e.process) { names.insert(n) }
            if let f = name(e.file) { files.insert(f) }
        }
        var out: [Event] = []
        for var e in window {
            if linked.contains(e.id) {
                e.linked = true
                e.via = "evidence"
                out.append(e)
                continue
            }
            let image = name(e.process)
            let opensLinkedFile = e.action == "process_start"
                && files.contains(where: { f in (e.commandLine?.lowercased().contains(f) ?? false) || image == f })
            var via: String?
            if let pid = e.processID, ids.contains(pid) { via = "process id" }
            else if let ppid = e.parentProcessID, ids.contains(ppid), e.action == "process_start" { via = "process id" }
            else if e.processID == nil, let image, names.contains(image) { via = "by name" }
            else if e.parentProcessID == nil, e.action == "process_start", let parent = name(e.parentProcess), names.contains(parent) { via = "by name" }
            else if opensLinkedFile { via = "opened a linked file" }
            guard let how = via else { continue }
            if e.action == "process_start" || opensLinkedFile {
                if let pid = e.processID { ids.insert(pid) } else if let image { names.insert(image) }
            }
            e.via = how
            out.append(e)
        }
        return out
    }

    /// `events` as a query table (times in ISO UTC).
    public static func table(_ events: [Event]) -> InvestigationTable {
        InvestigationTable(columns: columns, compactColumns: compactColumns, rows: events.map { e in
            [.text(e.ts.iso), .text(e.action), text(e.process), text(e.processID), text(e.commandLine), text(e.parentProcess),
             text(e.parentProcessID), text(e.file), text(e.sha256), text(e.remote), text(e.account), .text(e.linked ? "yes" : ""),
             text(e.via), .text(e.evidence)]
        })
    }

    static func text(_ s: String?) -> SQLValue { s.map(SQLValue.text) ?? .null }
}
