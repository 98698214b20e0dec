/// The canonical fields an EDR export is mapped to (see `edr_event` in `Schema`).
///
/// Every product describes an event from two or three points of view, and the fields keep
/// them apart so no value is taken from the wrong column:
/// - the **acting process** and its user (`process…`, `account`, `user_upn`): what did it;
/// - its **parent** (`parent_…`);
/// - on a process start, the **started process** (`target_process…`): MDE `FileName` +
///   `ProcessCommandLine`, SentinelOne `tgtProc*` / `tgt.process.*`;
/// - the **account acted on** (`target_account…`): a logon's account, an account created;
/// - the **file acted on** (`file_…`, `sha256`…), and where the event reached out to.
public enum EDRField: String, CaseIterable, Sendable, Codable {
    case ts, host, hostID = "host_id", userUPN = "user_upn", account, accountDomain = "account_domain"
    case eventType = "event_type", fileName = "file_name", filePath = "file_path"
    case sha256, sha1, md5, hash, fileSize = "file_size"
    case process, processPath = "process_path", commandLine = "command_line", processID = "process_id"
    case processSHA256 = "process_sha256"
    case parentProcess = "parent_process", parentProcessPath = "parent_process_path"
    case parentCommandLine = "parent_command_line", parentProcessID = "parent_process_id"
    case parentProcessSHA256 = "parent_process_sha256"
    case targetProcess = "target_process", targetProcessPath = "target_process_path"
    case targetCommandLine = "target_command_line", targetProcessID = "target_process_id"
    case targetProcessSHA256 = "target_process_sha256", targetProcessAccount = "target_process_account"
    case targetAccount = "target_account", targetAccountDomain = "target_account_domain", targetUPN = "target_upn"
    case url, domain, remoteIP = "remote_ip", remotePort = "remote_port", fileOriginURL = "file_origin_url"
    case threatName = "threat_name", edrRule = "edr_rule"
    /// MDE's JSON column of per-type details (ThreatName, RuleId, DnsQueryString …).
    case additionalFields = "additional_fields"
}

extension EDRField {
    /// Position in `allCases` (a payload-free enum is stored as its declaration index).
    @inline(__always)
    var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
}

/// Header names compared the way analysts' exports vary them: lowercased, with everything but
/// letters and digits removed (`InitiatingProcessAccountUpn`, `src.process.name`,
/// `Source Process Name` and `#event_simpleName` all compare on their letters).
public enum HeaderName {
    public static func normalize(_ name: String) -> String {
        var out = ""
        for scalar in name.lowercased().unicodeScalars where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
