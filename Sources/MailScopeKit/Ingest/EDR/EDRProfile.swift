/// How one EDR product's export maps to `edr_event`: the column names (and their known
/// aliases, matched by name, never by position) for each canonical field, how to recognise
/// the product from a header, and how its event types read as MailScope actions.
public struct EDRProfile: Sendable {
    public let name: String
    /// Canonical field → header names in priority order (normalized with `HeaderName`).
    public let aliases: [EDRField: [String]]
    /// True when a header (normalized names) is this product's.
    let recognises: @Sendable (Set<String>) -> Bool
    /// Event type (normalized) → action.
    let actions: [String: String]
    /// Time for zone-less timestamps (seconds east of UTC); `--edr-tz` sets it.
    public var defaultOffsetSeconds = 0
    /// Event types repeat millions of times: remember their actions.
    private let actionCache = ActionCache()

    init(name: String, aliases: [EDRField: [String]], actions: [String: String], recognises: @escaping @Sendable (Set<String>) -> Bool) {
        self.name = name
        self.aliases = aliases.mapValues { $0.map(HeaderName.normalize) }
        self.actions = Dictionary(actions.map { (HeaderName.normalize($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.recognises = recognises
    }

    /// The MailScope action for an exported event type (`other` when unknown).
    func action(for eventType: String?) -> String {
        guard let eventType else { return "other" }
        if let hit = actionCache.lookup(eventType) { return hit }
        let action = resolveAction(eventType)
        actionCache.store(eventType, action)
        return action
    }

    private func resolveAction(_ eventType: String) -> String {
        let key = HeaderName.normalize(eventType)
        if let a = actions[key] { return a }
        // CrowdStrike: every *FileWritten / *Written event is a file write.
        if key.hasSuffix("written") { return "file_created" }
        return "other"
    }

    /// The built-in profiles, tried in this order.
    public static let builtIn: [EDRProfile] = [mde, crowdStrike, sentinelOne]

    /// Microsoft Defender for Endpoint / Defender XDR advanced hunting.
    public static let mde = EDRProfile(
        name: "mde",
        aliases: [
            .ts: ["Timestamp", "Timestamp [UTC]"], .host: ["DeviceName"], .hostID: ["DeviceId"],
            .eventType: ["ActionType"], .fileName: ["FileName"], .filePath: ["FolderPath"],
            .sha256: ["SHA256"], .sha1: ["SHA1"], .md5: ["MD5"], .fileSize: ["FileSize"],
            .account: ["AccountName"], .accountDomain: ["AccountDomain"], .userUPN: ["AccountUpn"],
            .commandLine: ["ProcessCommandLine"], .processID: ["ProcessId"],
            .initiatingProcess: ["InitiatingProcessFileName"], .initiatingProcessPath: ["InitiatingProcessFolderPath"],
            .initiatingCommandLine: ["InitiatingProcessCommandLine"], .initiatingParent: ["InitiatingProcessParentFileName"],
            .initiatingAccount: ["InitiatingProcessAccountName"], .initiatingAccountDomain: ["InitiatingProcessAccountDomain"],
            .initiatingUPN: ["InitiatingProcessAccountUpn"],
            .url: ["RemoteUrl", "Url"], .remoteIP: ["RemoteIP", "FileOriginIP"], .remotePort: ["RemotePort"],
            .fileOriginURL: ["FileOriginUrl"], .additionalFields: ["AdditionalFields"],
        ],
        actions: [
            "FileCreated": "file_created", "FileModified": "file_modified", "FileRenamed": "file_renamed",
            "FileDeleted": "file_deleted", "ProcessCreated": "process_start",
            "ConnectionSuccess": "network_connect", "ConnectionAttempt": "network_connect", "ConnectionFailed": "network_connect",
            "ConnectionRequest": "network_connect", "InboundConnectionAccepted": "network_connect",
            "DnsConnectionInspected": "dns_query", "DnsQueryResponse": "dns_query",
            "HttpConnectionInspected": "http_request", "ClickAllowed": "url_click", "ClickBlocked": "url_click",
            "UrlErrorPage": "url_click", "BrowserLaunchedToOpenUrl": "url_open", "SmartScreenUrlWarning": "url_open",
            "AsrExecutableEmailContentBlocked": "asr_block", "AsrOfficeChildProcessBlocked": "asr_block",
            "AntivirusDetection": "av_detection", "LogonSuccess": "logon", "LogonFailed": "logon",
        ],
        recognises: { h in
            (h.contains("timestamp") && (h.contains("devicename") || h.contains("deviceid")) && h.contains("actiontype"))
                || h.contains { $0.hasPrefix("reportid") } || h.contains { $0.hasPrefix("initiatingprocess") }
        })

    /// CrowdStrike Falcon event search (LogScale or legacy) exports and FDR events.
    public static let crowdStrike = EDRProfile(
        name: "crowdstrike",
        aliases: [
            .ts: ["ContextTimeStamp", "@timestamp", "timestamp", "_time"], .host: ["ComputerName", "aid"], .hostID: ["aid"],
            .eventType: ["#event_simpleName", "event_simpleName"], .account: ["UserName"],
            .filePath: ["TargetFileName", "ImageFileName"], .sha256: ["SHA256HashData"], .sha1: ["SHA1HashData"],
            .md5: ["MD5HashData"], .fileSize: ["Size"], .processPath: ["ImageFileName"], .commandLine: ["CommandLine"],
            .processID: ["TargetProcessId", "ContextProcessId"], .parentProcess: ["ParentBaseFileName"],
            .parentProcessID: ["ParentProcessId"], .domain: ["DomainName"], .remoteIP: ["RemoteAddressIP4", "RemoteAddressIP6"],
            .remotePort: ["RemotePort"],
        ],
        actions: [
            "ProcessRollup2": "process_start", "SyntheticProcessRollup2": "process_start",
            "DnsRequest": "dns_query", "NetworkConnectIP4": "network_connect", "NetworkConnectIP6": "network_connect",
            "UserLogon": "logon",
        ],
        recognises: { h in
            h.contains("eventsimplename") || (h.contains("aid") && (h.contains("contextprocessid") || h.contains("targetprocessid") || h.contains { $0.hasSuffix("hashdata") }))
        })

    /// SentinelOne Deep Visibility (API v2.1 names, console display names) and Cloud Funnel.
    public static let sentinelOne = EDRProfile(
        name: "sentinelone",
        aliases: [
            // Never Cloud Funnel's `timestamp`: it holds only the time of day.
            .ts: ["eventTime", "event.time", "Event Time", "createdAt"], .host: ["endpointName", "endpoint.name", "Endpoint Name"],
            .hostID: ["agentUuid", "agent.uuid", "Agent UUID"], .eventType: ["eventType", "event.type", "Event Type"],
            .account: ["srcProcUser", "src.process.user", "Source Process User"],
            .process: ["srcProcName", "src.process.name", "Source Process Name"],
            .commandLine: ["srcProcCmdLine", "src.process.cmdline", "Source Process Command Line"],
            .processID: ["srcProcStorylineId", "src.process.storyline.id", "Source Process Storyline ID"],
            .parentProcess: ["srcProcParentName", "src.process.parent.name", "Source Process Parent Name"],
            .filePath: ["tgtFilePath", "tgt.file.path", "Target File Path"], .fileName: ["fileFullName"],
            .sha256: ["tgtFileSha256", "tgt.file.sha256", "Target File SHA256", "srcProcImageSha256", "src.process.image.sha256", "Source Process Image SHA256"],
            .sha1: ["tgtFileSha1", "tgt.file.sha1", "Target File SHA1"], .md5: ["tgtFileMd5", "tgt.file.md5", "Target File MD5"],
            .domain: ["dnsRequest", "event.dns.request", "DNS Request"], .url: ["url", "url.address", "URL"],
            .remoteIP: ["dstIp", "dst.ip.address", "Destination IP"], .remotePort: ["dstPort", "dst.port.number", "Destination Port"],
        ],
        actions: [
            "Process Creation": "process_start", "File Creation": "file_created", "FileCreation": "file_created",
            "File Modification": "file_modified", "FileModification": "file_modified", "File Rename": "file_renamed",
            "File Deletion": "file_deleted", "DNS Resolved": "dns_query", "DNS Unresolved": "dns_query",
            "DNSResolved": "dns_query", "DNSUnresolved": "dns_query", "IP Connect": "network_connect",
            "IP Listen": "network_connect", "GET": "http_request", "POST": "http_request", "Login": "logon",
        ],
        recognises: { h in
            h.contains { $0.hasPrefix("srcproc") || $0.hasPrefix("tgtfile") || $0.contains("storyline") || $0.hasPrefix("sourceprocess") }
                || h.contains("endpointname") || h.contains("agentuuid")
        })
}

/// A small thread-safe memo of event type → action.
final class ActionCache: @unchecked Sendable {
    private var entries: [String: String] = [:]
    private let lock = NSLock()
    func lookup(_ key: String) -> String? { lock.lock(); defer { lock.unlock() }; return entries[key] }
    func store(_ key: String, _ value: String) {
        lock.lock(); defer { lock.unlock() }
        if entries.count < 10_000 { entries[key] = value }
    }
}

import Foundation
