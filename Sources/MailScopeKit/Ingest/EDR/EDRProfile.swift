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
    let actions: [String: EDRAction]
    /// The zone of times exported without one: a mapping's `time_zone:`, else `--edr-tz`;
    /// nil reads them as UTC.
    public var timeZone: TimeZoneOffsets?
    /// How `02/11/2026` reads: `--edr-date-order`, else decided per file from its dates.
    public var slashDateOrder: TimeParser.SlashDateOrder = .monthFirst
    /// Event types repeat millions of times: remember their actions.
    private let actionCache = ActionCache()

    init(name: String, aliases: [EDRField: [String]], actions: [String: EDRAction], recognises: @escaping @Sendable (Set<String>) -> Bool) {
        self.name = name
        self.aliases = aliases.mapValues { $0.map(HeaderName.normalize) }
        self.actions = Dictionary(actions.map { (HeaderName.normalize($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.recognises = recognises
    }

    /// The MailScope action for an exported event type (`other` when unknown).
    func action(for eventType: String?) -> EDRAction {
        guard let eventType else { return .other }
        if let hit = actionCache.lookup(eventType) { return hit }
        let action = resolveAction(eventType)
        actionCache.store(eventType, action)
        return action
    }

    /// The exported types each profile names, for the README table and its test.
    public var namedActions: [(eventType: String, action: EDRAction)] {
        rawActions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
    private var rawActions: [String: EDRAction] { Self.rawActionTables[name] ?? [:] }

    private func resolveAction(_ eventType: String) -> EDRAction {
        let key = HeaderName.normalize(eventType)
        if let a = actions[key] { return a }
        // Families that grow with each sensor release, by their documented name patterns.
        if key.hasPrefix("asr") && key.hasSuffix("blocked") { return .asrBlock }        // MDE Asr…Blocked
        if key.hasPrefix("asr") && key.hasSuffix("audited") { return .asrAudit }        // MDE Asr…Audited
        if key.hasPrefix("registry") { return .registryChange }                          // MDE / S1 Registry…
        if key.hasSuffix("written") { return .fileCreated }                              // Falcon …FileWritten
        if key.hasPrefix("firewall") && key.hasSuffix("blocked") { return .firewallBlock }
        if key.hasSuffix("connectioninspected") { return .networkInspection }            // MDE network sensor
        return .other
    }

    /// The built-in profiles, tried in this order.
    public static let builtIn: [EDRProfile] = [mde, crowdStrike, sentinelOne]

    static let mdeActions: [String: EDRAction] = [
        "FileCreated": .fileCreated, "FileModified": .fileModified, "FileRenamed": .fileRenamed, "FileDeleted": .fileDeleted,
        "ProcessCreated": .processStart, "ProcessCreatedUsingWmiQuery": .processStart, "ImageLoaded": .imageLoad,
        "ConnectionSuccess": .networkConnect, "ConnectionAttempt": .networkConnect, "ConnectionRequest": .networkConnect,
        "ConnectionFound": .networkConnect, "InboundConnectionAccepted": .networkConnect,
        "ConnectionFailed": .networkConnectFailed, "ListeningConnectionCreated": .networkListen,
        "DnsConnectionInspected": .dnsQuery, "DnsQueryResponse": .dnsQuery, "HttpConnectionInspected": .httpRequest,
        "NetworkSignatureInspected": .networkInspection, "InboundInternetScanInspected": .networkInspection,
        "NtlmAuthenticationInspected": .networkInspection,
        "FirewallInboundConnectionBlocked": .firewallBlock, "FirewallInboundConnectionToAppBlocked": .firewallBlock,
        "FirewallOutboundConnectionBlocked": .firewallBlock,
        "ClickAllowed": .urlClick, "ClickBlocked": .urlClick, "UrlErrorPage": .urlClick,
        "BrowserLaunchedToOpenUrl": .urlOpen, "SmartScreenUrlWarning": .urlOpen, "SmartScreenAppWarning": .appWarning,
        "AntivirusDetection": .avDetection, "AntivirusReport": .avDetection,
        "AntivirusScanCompleted": .avScan, "AntivirusScanCancelled": .avScan, "AntivirusScanFailed": .avScan,
        "LogonSuccess": .logon, "LogonFailed": .logonFailed, "LogonAttempted": .logonAttempt, "RemoteDesktopConnection": .remoteDesktop,
        "UserAccountCreated": .accountCreated, "UserAccountDeleted": .accountChanged, "UserAccountModified": .accountChanged,
        "UserAccountAddedToLocalGroup": .accountChanged, "UserAccountRemovedFromLocalGroup": .accountChanged,
        "SecurityGroupCreated": .accountChanged, "SecurityGroupDeleted": .accountChanged,
        "PowerShellCommand": .script, "ScriptContent": .script,
        "ScheduledTaskCreated": .persistence, "ScheduledTaskUpdated": .persistence, "ServiceInstalled": .persistence,
        "TamperingAttempt": .tampering, "SecurityLogCleared": .tampering,
    ]

    static let crowdStrikeActions: [String: EDRAction] = [
        "ProcessRollup2": .processStart, "SyntheticProcessRollup2": .processStart, "EndOfProcess": .processEnd,
        "DnsRequest": .dnsQuery, "NetworkConnectIP4": .networkConnect, "NetworkConnectIP6": .networkConnect,
        "NetworkReceiveAcceptIP4": .networkConnect, "NetworkReceiveAcceptIP6": .networkConnect,
        "NetworkListenIP4": .networkListen, "NetworkListenIP6": .networkListen,
        "UserLogon": .logon, "UserLogonFailed": .logonFailed, "UserLogonFailed2": .logonFailed, "UserLogoff": .logoff,
        "ClassifiedModuleLoad": .imageLoad, "ImageHash": .imageLoad, "ScriptControlScanTelemetry": .script,
        "NewExecutableRenamed": .fileRenamed, "FileDeleteInfo": .fileDeleted,
    ]

    static let sentinelOneActions: [String: EDRAction] = [
        "Process Creation": .processStart, "Process Termination": .processEnd, "Module Load": .imageLoad,
        "File Creation": .fileCreated, "FileCreation": .fileCreated, "File Modification": .fileModified,
        "FileModification": .fileModified, "File Rename": .fileRenamed, "FileRename": .fileRenamed,
        "File Deletion": .fileDeleted, "FileDeletion": .fileDeleted, "DNS Resolved": .dnsQuery, "DNS Unresolved": .dnsQuery,
        "DNSResolved": .dnsQuery, "DNSUnresolved": .dnsQuery, "IP Connect": .networkConnect, "IPConnect": .networkConnect,
        "IP Listen": .networkListen, "IPListen": .networkListen,
        "GET": .httpRequest, "POST": .httpRequest, "PUT": .httpRequest, "DELETE": .httpRequest, "HEAD": .httpRequest,
        "OPTIONS": .httpRequest, "CONNECT": .httpRequest,
        "Login": .logon, "Logout": .logoff, "Scheduled Task Register": .persistence, "Scheduled Task Update": .persistence,
        "Scheduled Task Start": .persistence, "Command Script": .script,
    ]

    static let rawActionTables: [String: [String: EDRAction]] = ["mde": mdeActions, "crowdstrike": crowdStrikeActions, "sentinelone": sentinelOneActions]

    /// Microsoft Defender for Endpoint / Defender XDR advanced hunting. `Initiating*` is the
    /// acting process and its user; `FileName`/`FolderPath`/`SHA256` + `ProcessCommandLine`/
    /// `ProcessId` are the file acted on or, on a process start, the process started;
    /// `Account*` is the account acted on (or the started process's account).
    public static let mde = EDRProfile(
        name: "mde",
        aliases: [
            .ts: ["Timestamp", "Timestamp [UTC]"], .host: ["DeviceName"], .hostID: ["DeviceId"],
            .eventType: ["ActionType"], .fileName: ["FileName"], .filePath: ["FolderPath"],
            .sha256: ["SHA256"], .sha1: ["SHA1"], .md5: ["MD5"], .fileSize: ["FileSize"],
            .account: ["InitiatingProcessAccountName"], .accountDomain: ["InitiatingProcessAccountDomain"],
            .userUPN: ["InitiatingProcessAccountUpn"],
            .targetAccount: ["AccountName"], .targetAccountDomain: ["AccountDomain"], .targetUPN: ["AccountUpn"],
            .process: ["InitiatingProcessFileName"], .processPath: ["InitiatingProcessFolderPath"],
            .commandLine: ["InitiatingProcessCommandLine"], .processID: ["InitiatingProcessId"],
            .processSHA256: ["InitiatingProcessSHA256"],
            .parentProcess: ["InitiatingProcessParentFileName"], .parentProcessID: ["InitiatingProcessParentId"],
            .targetCommandLine: ["ProcessCommandLine"], .targetProcessID: ["ProcessId"],
            .url: ["RemoteUrl", "Url"], .remoteIP: ["RemoteIP", "FileOriginIP"], .remotePort: ["RemotePort"],
            .fileOriginURL: ["FileOriginUrl"], .additionalFields: ["AdditionalFields"],
        ],
        actions: mdeActions,
        recognises: { h in
            (h.contains("timestamp") && (h.contains("devicename") || h.contains("deviceid")) && h.contains("actiontype"))
                || h.contains { $0.hasPrefix("reportid") } || h.contains { $0.hasPrefix("initiatingprocess") }
        })

    /// CrowdStrike Falcon event search (LogScale or legacy) exports and FDR events. On a
    /// ProcessRollup2 the row's own process (`ImageFileName`, `CommandLine`, `TargetProcessId`)
    /// is the one started and `Parent*` the one that started it; on other events
    /// `ContextProcessId` is the acting process.
    public static let crowdStrike = EDRProfile(
        name: "crowdstrike",
        aliases: [
            .ts: ["ContextTimeStamp", "@timestamp", "timestamp", "_time"], .host: ["ComputerName", "aid"], .hostID: ["aid"],
            .eventType: ["#event_simpleName", "event_simpleName"], .account: ["UserName"], .userUPN: ["UserPrincipal"],
            .filePath: ["TargetFileName"], .sha256: ["SHA256HashData"], .sha1: ["SHA1HashData"],
            .md5: ["MD5HashData"], .fileSize: ["Size"], .processPath: ["ImageFileName"], .commandLine: ["CommandLine"],
            .processID: ["TargetProcessId", "ContextProcessId"], .parentProcess: ["ParentBaseFileName"],
            .parentProcessPath: ["ParentImageFileName"], .parentCommandLine: ["ParentCommandLine"],
            .parentProcessID: ["ParentProcessId"], .domain: ["DomainName"], .remoteIP: ["RemoteAddressIP4", "RemoteAddressIP6"],
            .remotePort: ["RemotePort"], .threatName: ["DetectName"],
        ],
        actions: crowdStrikeActions,
        recognises: { h in
            h.contains("eventsimplename") || (h.contains("aid") && (h.contains("contextprocessid") || h.contains("targetprocessid") || h.contains { $0.hasSuffix("hashdata") }))
        })

    /// SentinelOne Deep Visibility (API v2.1 names, console display names) and Cloud Funnel.
    /// `srcProc*` / `src.process.*` is the acting process (on a Process Creation, the parent),
    /// `tgtProc*` / `tgt.process.*` the process it started, `tgtFile*` the file acted on.
    public static let sentinelOne = EDRProfile(
        name: "sentinelone",
        aliases: [
            // Never Cloud Funnel's `timestamp`: it holds only the time of day.
            .ts: ["eventTime", "event.time", "Event Time", "createdAt"], .host: ["endpointName", "endpoint.name", "Endpoint Name"],
            .hostID: ["agentUuid", "agent.uuid", "Agent UUID"], .eventType: ["eventType", "event.type", "Event Type"],
            .account: ["srcProcUser", "src.process.user", "Source Process User"],
            .process: ["srcProcName", "src.process.name", "Source Process Name"],
            .processPath: ["srcProcImagePath", "src.process.image.path", "Source Process Image Path"],
            .commandLine: ["srcProcCmdLine", "src.process.cmdline", "Source Process Command Line"],
            .processID: ["srcProcPid", "src.process.pid", "Source Process PID"],
            .processSHA256: ["srcProcImageSha256", "src.process.image.sha256", "Source Process Image SHA256"],
            .parentProcess: ["srcProcParentName", "src.process.parent.name", "Source Process Parent Name"],
            .parentProcessPath: ["srcProcParentImagePath", "src.process.parent.image.path", "Source Process Parent Image Path"],
            .parentCommandLine: ["srcProcParentCmdLine", "src.process.parent.cmdline", "Source Process Parent Command Line"],
            .parentProcessID: ["srcProcParentPid", "src.process.parent.pid", "Source Process Parent PID"],
            .parentProcessSHA256: ["srcProcParentImageSha256", "src.process.parent.image.sha256"],
            .targetProcess: ["tgtProcName", "tgt.process.name", "Target Process Name"],
            .targetProcessPath: ["tgtProcImagePath", "tgt.process.image.path", "Target Process Image Path"],
            .targetCommandLine: ["tgtProcCmdLine", "tgt.process.cmdline", "Target Process Command Line"],
            .targetProcessID: ["tgtProcPid", "tgt.process.pid", "Target Process PID"],
            .targetProcessSHA256: ["tgtProcImageSha256", "tgt.process.image.sha256", "Target Process Image SHA256"],
            .targetProcessAccount: ["tgtProcUser", "tgt.process.user", "Target Process User"],
            .targetAccount: ["loginsUserName", "event.login.userName", "Login User Name"],
            .filePath: ["tgtFilePath", "tgt.file.path", "Target File Path"], .fileName: ["fileFullName"],
            .sha256: ["tgtFileSha256", "tgt.file.sha256", "Target File SHA256"],
            .sha1: ["tgtFileSha1", "tgt.file.sha1", "Target File SHA1"], .md5: ["tgtFileMd5", "tgt.file.md5", "Target File MD5"],
            .fileSize: ["tgtFileSize", "tgt.file.size"],
            .domain: ["dnsRequest", "event.dns.request", "DNS Request"], .url: ["url", "url.address", "URL"],
            .remoteIP: ["dstIp", "dst.ip.address", "Destination IP"], .remotePort: ["dstPort", "dst.port.number", "Destination Port"],
            .threatName: ["threatName", "Threat Name"],
        ],
        actions: sentinelOneActions,
        recognises: { h in
            h.contains { $0.hasPrefix("srcproc") || $0.hasPrefix("tgtfile") || $0.contains("storyline") || $0.hasPrefix("sourceprocess") }
                || h.contains("endpointname") || h.contains("agentuuid")
        })
}

/// A small thread-safe memo of event type → action.
final class ActionCache: @unchecked Sendable {
    private var entries: [String: EDRAction] = [:]
    private let lock = NSLock()
    func lookup(_ key: String) -> EDRAction? { lock.lock(); defer { lock.unlock() }; return entries[key] }
    func store(_ key: String, _ value: EDRAction) {
        lock.lock(); defer { lock.unlock() }
        if entries.count < 10_000 { entries[key] = value }
    }
}

import Foundation
