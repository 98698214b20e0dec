/// The tables ingest writes, named as in `Schema`.
public enum EventTable: String, CaseIterable, Sendable, Codable {
    case mailMessage = "mail_message"
    case urlClick = "url_click"
    case attachmentScan = "attachment_scan"
    case impersonation = "impersonation"
    case mailEvent = "mail_event"
    case ioc = "ioc"
    case edrEvent = "edr_event"
    case directoryEntry = "directory_entry"
    case messageRelease = "message_release"
    // Mimecast administration exports (schema v19)
    case auditEvent = "audit_event"
    case dlpEvent = "dlp_event"
    case archiveAccess = "archive_access"
    case userRisk = "user_risk"
}

/// Every column a parser can set, named exactly as in `Schema` (the writer maps names to
/// positions by reading the table's definition, so the schema stays the single source).
public enum Column: String, CaseIterable, Sendable {
    case ts, source, event, account_id, aggregate_id, processing_id, message_id, message_id_raw
    case aggregate_id_suffix
    case sender, sender_domain, sender_header, sender_ip, recipient, recipient_domain, subject
    case direction, action, subtype, hold_reason, route, attachment_count, attachment_names
    case attachments_bytes, size_bytes, spam_score, spam_detection_level, spam_info, spf, dkim, dmarc
    case tls_version, tls_cipher, virus_found, rejection_type, rejection_code, rejection_info
    case delivered, delivery_attempts, delivery_time_ms, destination_ip, hostname, extra
    case is_click, user, user_domain, url, url_unwrapped, url_host, url_domain, url_resource, actions
    case admin_override, user_override, user_awareness_action, scan_result, category, block_reason
    case ttp_definition, sending_ip, creation_method, email_parts, credential_theft, tag_map
    case file_name, file_ext, file_mime, sha256, sha1, md5, result, action_triggered, details, definition
    case event_id, hits, identifiers, tagged_external, tagged_malicious, internal_user_name, new_domain
    case reply_mismatch, similar_internal_domain, similar_custom_external_domain
    case similar_mimecast_external_domain, custom_name_match, custom_threat_dictionary
    case mimecast_threat_dictionary, similar_to, impersonation_results
    case event_type, known_type, verdict, raw
    case type, value, feed, label, stix_id, valid_from
    case product, host, host_fqdn, host_id, account, account_domain, user_email, file_path, file_size
    case process, process_path, command_line, process_id, parent_process, parent_process_id
    case process_sha256, parent_process_path, parent_command_line, parent_process_sha256
    case target_account, target_account_domain, threat_name, edr_rule
    case domain, remote_ip, remote_port, file_origin_url, email, upn
    // message_release (held-message release logs)
    case held_id, status, `operator`, operator_role, held_reason, held_group, reject_reason, message_info
    case policy, sender_name, sender_header_name, recipient_name, recipient_count, has_attachments
    case verdict_risk, verdict_categories, spam_processing_detail
    // Cloud Integrated verdict tags on mail_message
    case threat_state, threat_type, policies_applied, tags
    // Mimecast administration exports (schema v19)
    case audit_type, summary, source_ip, application, method, two_factor, reason, local_time, machine, event_info
    case kind, archive_source, description, search_text, search_reason, search_path, muse_query, is_admin
    case message_date, content_viewed, discovery_case
    case name, department, user_state, risk, human_error, sentiment, engagement, knowledge, watchlist_count, user_id
    /// Set by the writer from the row's record index, not by parsers.
    case record_no
}

extension EventTable {
    /// The Mimecast administration exports (audit, DLP, archive access, awareness): listed in
    /// the reports' row counts only when the data has them, so a mail-and-EDR case reads as before.
    public var isAdministrationExport: Bool {
        switch self {
        case .auditEvent, .dlpEvent, .archiveAccess, .userRisk: return true
        default: return false
        }
    }

    /// Position in `allCases` (a payload-free enum is stored as its declaration index).
    @inline(__always)
    var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
}

extension Column {
    /// Position in `allCases` (a payload-free enum is stored as its declaration index).
    @inline(__always)
    var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
}
