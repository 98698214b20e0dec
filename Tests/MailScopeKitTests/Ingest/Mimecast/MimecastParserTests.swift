import Testing
@testable import MailScopeKit

/// Every parser on the project's hand-written real-format lines (fixtures/mimecast), field by field.
@Suite struct MimecastParserTests {
    /// Each test loads its own database (connections are not shared across test threads).
    static var loaded: LoadedDatabase? { try? LoadedDatabase([
        "siem_v2_events.ndjson", "siem_v1_receipt.log", "siem_v1_mta.json", "ttp_url_logs.json",
        "ttp_attachment_logs.json", "ttp_impersonation_logs.json", "threat_intel_feed.ndjson", "message_tracking.json",
    ].map { TestPaths.fixture("mimecast/" + $0) }) }

    let loaded = MimecastParserTests.loaded

    private func one(_ sql: String) throws -> [String: SQLValue] {
        let rows = try #require(loaded).rows(sql)
        #expect(rows.count == 1, "\(sql) → \(rows.count) rows")
        return try #require(rows.first)
    }

    @Test func everyFixtureLoadsWithoutRejects() throws {
        let db = try #require(loaded)
        #expect(db.summary.rejected == 0)
        #expect(db.summary.files.allSatisfy { $0.status == .loaded })
        #expect(try db.count("mail_message") == 10)
        #expect(try db.count("url_click") == 4)
        #expect(try db.count("attachment_scan") == 4)
        #expect(try db.count("impersonation") == 2)
        #expect(try db.count("mail_event") == 7)
        #expect(try db.count("ioc") == 2)
    }

    @Test func siemV2ReceiptFieldByField() throws {
        let r = try one("SELECT * FROM mail_message WHERE event = 'receipt' AND source = 'siem_v2'")
        #expect(r.int("ts") == 1_793_615_401_123)
        #expect(r.text("account_id") == "CUSA1B2C3")
        #expect(r.text("aggregate_id") == "Qm9iYnlUYWJsZXNfMDAx")
        #expect(r.text("processing_id") == "PrcRcpt0001_1793615400")
        #expect(r.text("message_id") == "inv-88341.1@invoices-portal.example.net")
        // Logged as "<" + message_id + ">": not stored twice (issue 20).
        #expect(r.text("message_id_raw") == nil)
        #expect(r.text("sender") == "billing@invoices-portal.example.net")
        #expect(r.text("sender_domain") == "invoices-portal.example.net")
        #expect(r.text("sender_header") == "billing@invoices-portal.example.net")
        #expect(r.text("sender_ip") == "203.0.113.25")
        #expect(r.text("recipient") == "ana.lima@acme-corp.example")
        #expect(r.text("recipient_domain") == "acme-corp.example")
        #expect(r.text("subject") == "Invoice INV-88341 overdue")
        #expect(r.text("direction") == "inbound")
        #expect(r.text("action") == "Acc")
        #expect(r.int("attachment_count") == 1)
        #expect(r.int("spam_score") == 21)
        #expect(r.text("spam_detection_level") == "7")
        #expect(r.text("spf") == "allow")
        #expect(r.text("dkim") == "unknown")
        #expect(r.text("dmarc") == "fail")
        #expect(r.text("tls_version") == "TLSv1.3")
        #expect(r.int("line_no") == 1)
        // The aggregateId's suffix in its own column, the raw spamProcessingDetail and the stream
        // position (kept out of the dedup key) stay as evidence; the suffixed aggregateId is not
        // repeated in extra.
        #expect(r.int("aggregate_id_suffix") == 1_793_615_400)
        let extra = try #require(r.text("extra"))
        #expect(!extra.contains("aggregateId"))
        #expect(extra.contains("spamProcessingDetail"))
        #expect(extra.contains(#""_offset":1001"#) && extra.contains(#""_partition":7"#))
    }

    @Test func siemV2ProcessSplitsAttachmentNames() throws {
        let r = try one("SELECT * FROM mail_message WHERE event = 'process' AND source = 'siem_v2' AND action = 'Hld'")
        #expect(r.text("attachment_names") == #"["INV-88341.xlsm","terms.pdf"]"#)
        #expect(r.int("attachment_count") == 2)
        #expect(r.int("attachments_bytes") == 40112)
        #expect(r.int("size_bytes") == 48211)
        #expect(r.text("hold_reason") == "Oth")
        #expect(r.text("recipient") == nil)
    }

    @Test func siemV2DeliveryFields() throws {
        let r = try one("SELECT * FROM mail_message WHERE event = 'delivery' AND source = 'siem_v2'")
        #expect(r.int("delivered") == 1)
        #expect(r.int("delivery_attempts") == 1)
        #expect(r.int("delivery_time_ms") == 1633)
        #expect(r.text("destination_ip") == "198.51.100.10")
        #expect(r.text("hostname") == "mx1.acme-corp.example")
        #expect(r.text("route") == "Inbound to Exchange")
        #expect(r.text("subtype") == "true")
    }

    @Test func olderEventTypeFormIsAccepted() throws {
        let r = try one("SELECT * FROM mail_message WHERE aggregate_id = 'T0xERk9STV8wMDE'")
        #expect(r.text("event") == "process")
        #expect(r.text("action") == "Allow")
        #expect(r.int("ts") == 1_793_647_801_000)
        #expect(r.text("message_id") == "old-form-1@partner.example.com")
        // Logged without <>: the logged form differs from the join key, so it is kept.
        #expect(r.text("message_id_raw") == "old-form-1@partner.example.com")
        // No suffix to keep.
        #expect(r.int("aggregate_id_suffix") == nil)
        #expect(r.text("extra")?.contains("aggregateId") != true)
    }

    @Test func escapedMessageIDKeepsItsLoggedForm() throws {
        let r = try one("SELECT * FROM url_click WHERE message_id = 'pw-expiry-18@acme-c0rp.example'")
        #expect(r.text("message_id_raw") == #"\u003cpw-expiry-18@acme-c0rp.example\u003e"#)
    }

    @Test func siemV2AttachmentProtectBothForms() throws {
        let minimal = try one("SELECT * FROM attachment_scan WHERE processing_id = 'PrcAP0001_1793615400'")
        #expect(minimal.text("sha256") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        #expect(minimal.text("md5") == "0cc175b9c0f1b6a831c399e269772661")
        #expect(minimal.text("file_name") == "INV-88341.xlsm")
        #expect(minimal.text("file_ext") == "xlsm")
        #expect(minimal.text("aggregate_id") == "Qm9iYnlUYWJsZXNfMDAx")
        #expect(minimal.text("sender") == nil)
        let full = try one("SELECT * FROM attachment_scan WHERE processing_id = 'PrcAP0002_1793619000'")
        #expect(full.text("recipient") == "raj.patel@acme-corp.example")
        #expect(full.text("sender") == "scanner@printer-cloud.example.org")
        #expect(full.text("file_mime") == "application/zip")
        #expect(full.int("size_bytes") == 18022)
        #expect(full.text("message_id") == "scan.77@printer-cloud.example.org")
    }

    @Test func siemV2URLProtectIsAClickWithVerdict() throws {
        let r = try one("SELECT * FROM url_click WHERE source = 'siem_v2'")
        #expect(r.int("is_click") == 1)
        #expect(r.text("user") == "maria.gomez@acme-corp.example")
        #expect(r.text("url_domain") == "acme-c0rp-secure.com")
        #expect(r.text("url_host") == "login.acme-c0rp-secure.com")
        #expect(r.text("action") == "block")
        #expect(r.text("scan_result") == "malicious")
        #expect(r.text("category") == "Phishing & Fraud")
        #expect(r.text("sending_ip") == "203.0.113.80")
        #expect(r.text("credential_theft")?.contains("login form") == true)
    }

    @Test func siemV2ImpersonationFlagsBecomeIdentifiers() throws {
        let r = try one("SELECT * FROM impersonation WHERE source = 'siem_v2'")
        #expect(r.int("tagged_malicious") == 1)
        #expect(r.int("tagged_external") == 1)
        #expect(r.int("internal_user_name") == 1)
        #expect(r.int("reply_mismatch") == 1)
        #expect(r.int("new_domain") == 0)
        #expect(r.text("identifiers") == #"["internal_user_name","reply_address_mismatch"]"#)
        #expect(r.int("hits") == 2)
        #expect(r.text("action") == "none")
        #expect(r.text("definition") == "Default Impersonation Definition")
        #expect(r.text("recipient") == "finance.lead@acme-corp.example")
    }

    @Test func siemV2OtherTypesGoToMailEventWithRawJSON() throws {
        let av = try one("SELECT * FROM mail_event WHERE event_type = 'av'")
        #expect(av.text("verdict") == "Win.Trojan.Agent-123")
        #expect(av.text("sha256") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(av.text("file_name") == "setup_update.exe")
        #expect(av.text("message_id") == "av-77@bulk-sender.example.net")
        #expect(av.text("raw")?.hasPrefix("{\"_offset\":1008") == true)
        let iep = try one("SELECT * FROM mail_event WHERE event_type = 'iep'")
        #expect(iep.text("verdict") == "Blocked URL Category")
        #expect(iep.text("category") == "Compromised")
        let journal = try one("SELECT * FROM mail_event WHERE event_type = 'journal' AND source = 'siem_v2'")
        #expect(journal.text("direction") == "internal")
        #expect(journal.text("sender") == "raj.patel@acme-corp.example")
        let spam = try one("SELECT * FROM mail_event WHERE event_type = 'spam'")
        #expect(spam.text("subject") == nil)
        #expect(spam.text("sender_domain") == "deals.example.com")
    }

    @Test func unknownEventTypeIsKeptAndFlagged() throws {
        let r = try one("SELECT * FROM mail_event WHERE known_type = 0")
        #expect(r.text("event_type") == "unknown:data leak prevention")
        #expect(r.text("raw")?.contains("Outbound PCI") == true)
        #expect(try #require(loaded).messages.contains { $0.contains("siem_v2_events.ndjson:12: unknown event type \"data leak prevention\"") })
    }

    @Test func legacyKeyValueReceipt() throws {
        let r = try one("SELECT * FROM mail_message WHERE source = 'siem_v1' AND event = 'receipt' AND action = 'Acc'")
        #expect(r.int("ts") == 1_793_520_764_000)   // 09:12:44+0100 = 08:12:44Z
        #expect(r.text("subject") == "Weekly report | week 44")
        #expect(r.text("sender") == "news@news.example.org")
        #expect(r.text("recipient") == "tom.baker@acme-corp.example")
        #expect(r.text("aggregate_id") == "Xk4pQm9iYnlUYWJsZXMx")
        #expect(r.text("spf") == "spf_pass")
        #expect(r.int("spam_score") == 3)
        #expect(r.text("direction") == "inbound")
        let rejected = try one("SELECT * FROM mail_message WHERE source = 'siem_v1' AND action = 'Rej'")
        #expect(rejected.text("rejection_type") == "IP Found in RBL")
        #expect(rejected.text("rejection_code") == "550")
        #expect(rejected.int("ts") == 1_793_575_800_000)   // 18:30-0500 = 23:30Z
    }

    @Test func legacyJSONDocumentRecordsKeepTheirLineNumbers() throws {
        let delivery = try one("SELECT * FROM mail_message WHERE source = 'siem_v1' AND event = 'delivery'")
        #expect(delivery.int("line_no") == 4)
        #expect(delivery.int("delivered") == 1)
        #expect(delivery.int("delivery_time_ms") == 5618)
        #expect(delivery.int("size_bytes") == 28237)
        #expect(delivery.text("destination_ip") == "198.51.100.10")
        let process = try one("SELECT * FROM mail_message WHERE source = 'siem_v1' AND event = 'process'")
        #expect(process.int("line_no") == 26)
        #expect(process.text("hold_reason") == "Spm")
        #expect(process.text("attachment_names") == #"["payroll.docm"]"#)
        #expect(process.int("ts") == 1_793_511_123_000)
        #expect(process.text("extra")?.contains("\"IPReplyMismatch\":\"true\"") == true)
    }

    @Test func ttpURLClicksAndEntryScans() throws {
        let allowed = try one("SELECT * FROM url_click WHERE source = 'ttp_url' AND action = 'allow'")
        #expect(allowed.int("is_click") == 1)
        #expect(allowed.text("user") == "maria.gomez@acme-corp.example")
        #expect(allowed.text("sender") == "it-support@acme-c0rp.example")
        #expect(allowed.text("scan_result") == "clean")
        #expect(allowed.text("email_parts") == #"["Body"]"#)
        #expect(allowed.int("ts") == 1_793_610_902_000)
        let rewritten = try one("SELECT * FROM url_click WHERE source = 'ttp_url' AND user = 'raj.patel@acme-corp.example'")
        #expect(rewritten.text("url") == "https://protect-eu.mimecast.com/s/AbCdEfGhIj?domain=login.acme-c0rp-secure.com")
        #expect(rewritten.text("url_unwrapped") == "https://login.acme-c0rp-secure.com/")
        #expect(rewritten.text("url_domain") == "acme-c0rp-secure.com")
        #expect(rewritten.text("sending_ip") == nil)
        #expect(rewritten.text("message_id") == "pw-expiry-18@acme-c0rp.example")
        #expect(rewritten.text("user_awareness_action") == "Continue")
        #expect(rewritten.text("tag_map")?.contains("UrlReputationScan") == true)
        #expect(rewritten.int("ts") == 1_793_611_200_000)   // 10:20+0100 = 09:20Z
        let scan = try one("SELECT * FROM url_click WHERE creation_method = 'Entry Scan'")
        #expect(scan.int("is_click") == 0)
    }

    @Test func ttpAttachmentResult() throws {
        let r = try one("SELECT * FROM attachment_scan WHERE source = 'ttp_attachment' AND result = 'malicious'")
        #expect(r.text("sha256") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        #expect(r.text("recipient") == "ana.lima@acme-corp.example")
        #expect(r.text("action_triggered") == "user release, none")
        #expect(r.text("details")?.contains("\r\nTime taken") == true)
        #expect(r.text("file_ext") == "xlsm")
        // The null sender of a bounce is kept as `<>`, with no domain.
        let bounce = try one("SELECT * FROM attachment_scan WHERE source = 'ttp_attachment' AND result = 'safe'")
        #expect(bounce.text("sender") == "<>")
        #expect(bounce.text("sender_domain") == nil)
    }

    @Test func ttpImpersonationHit() throws {
        let r = try one("SELECT * FROM impersonation WHERE source = 'ttp_impersonation'")
        #expect(r.text("event_id")?.hasPrefix("MTOKEN:") == true)
        #expect(r.text("identifiers") == #"["internal_user_name","reply_address_mismatch"]"#)
        #expect(r.int("internal_user_name") == 1)
        #expect(r.int("reply_mismatch") == 1)
        #expect(r.int("tagged_malicious") == 1)
        #expect(r.text("similar_to") == "Dana Whitfield <dana.whitfield@acme-corp.example>")
        #expect(r.text("sender_ip") == "203.0.113.99")
        #expect(r.int("hits") == 2)
    }

    @Test func threatIntelIndicatorsBecomeIOCs() throws {
        let db = try #require(loaded)
        let iocs = try db.rows("SELECT type, value, feed, label FROM ioc ORDER BY type")
        #expect(iocs.map { $0.text("type") } == ["domain", "sha256"])
        #expect(iocs.map { $0.text("value") } == ["acme-c0rp-secure.com", "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"])
        #expect(iocs.allSatisfy { $0.text("feed") == "mimecast-threat-intel" })
        let malware = try one("SELECT * FROM mail_event WHERE event_type = 'stix_malware'")
        #expect(malware.text("subject") == "Invoice INV-88341 overdue")
        #expect(try db.count("mail_event", "event_type = 'stix_relationship'") == 1)
    }

    @Test func messageTrackingFansOutPerRecipient() throws {
        let db = try #require(loaded)
        let rows = try db.rows("SELECT * FROM mail_message WHERE event = 'tracking' ORDER BY recipient")
        #expect(rows.map { $0.text("recipient") } == ["ana.lima@acme-corp.example", "raj.patel@acme-corp.example"])
        #expect(rows.allSatisfy { $0.text("sender") == "billing@invoices-portal.example.net" && $0.text("action") == "held" })
    }
}
