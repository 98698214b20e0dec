/// What an endpoint event did, in MailScope's words (`edr_event.action`). The exported type
/// stays in `event_type`; README "EDR actions" lists every exported type of each product and
/// the action it becomes. Rules select on these names.
public enum EDRAction: String, CaseIterable, Sendable {
    case fileCreated = "file_created", fileModified = "file_modified", fileRenamed = "file_renamed", fileDeleted = "file_deleted"
    /// A file written with an origin URL (MDE `FileOriginUrl`).
    case download
    case processStart = "process_start", processEnd = "process_end", imageLoad = "image_load"
    case networkConnect = "network_connect"
    /// A connection that did not succeed (MDE ConnectionFailed): evidence of an attempt only.
    case networkConnectFailed = "network_connect_failed"
    case networkListen = "network_listen"
    /// A network sensor's protocol record (MDE Icmp/Ftp/Ssl/Ssh/Smtp/Ntlm…ConnectionInspected).
    case networkInspection = "network_inspection"
    case firewallBlock = "firewall_block"
    case dnsQuery = "dns_query", httpRequest = "http_request"
    case urlClick = "url_click", urlOpen = "url_open", appWarning = "app_warning"
    /// An attack-surface-reduction rule blocked (or, in audit mode, would have blocked) something.
    case asrBlock = "asr_block", asrAudit = "asr_audit"
    case avDetection = "av_detection", avScan = "av_scan"
    case logon, logonFailed = "logon_failed", logonAttempt = "logon_attempt", logoff, remoteDesktop = "remote_desktop"
    case accountCreated = "account_created", accountChanged = "account_changed"
    case registryChange = "registry_change", script, persistence, tampering
    case other
}
