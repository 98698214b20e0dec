/// The canonical fields an EDR export is mapped to (see `edr_event` in `Schema`).
public enum EDRField: String, CaseIterable, Sendable, Codable {
    case ts, host, hostID = "host_id", userUPN = "user_upn", account, accountDomain = "account_domain"
    case eventType = "event_type", fileName = "file_name", filePath = "file_path"
    case sha256, sha1, md5, hash, fileSize = "file_size"
    case process, processPath = "process_path", commandLine = "command_line", processID = "process_id"
    case parentProcess = "parent_process", parentProcessID = "parent_process_id"
    case url, domain, remoteIP = "remote_ip", remotePort = "remote_port", fileOriginURL = "file_origin_url"
    case additionalFields = "additional_fields"
    /// MDE reports the acting process separately from the file or process acted on.
    case initiatingProcess = "initiating_process", initiatingProcessPath = "initiating_process_path"
    case initiatingCommandLine = "initiating_command_line", initiatingParent = "initiating_parent"
    case initiatingAccount = "initiating_account", initiatingAccountDomain = "initiating_account_domain"
    case initiatingUPN = "initiating_upn"
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
