import Foundation
import Testing
@testable import MailScopeKit

/// Reads every real public export in ../shared/samples/mimecast in place (never copied into
/// the project) and checks each line loads with the right fields.
@Suite(.enabled(if: TestPaths.sharedSamplesAvailable, "../shared/samples/mimecast is absent: real-sample tests skipped"))
struct SharedSamplesTests {
    /// Each sample file on its own database, so duplicates across files do not hide rows.
    private func load(_ name: String) throws -> LoadedDatabase {
        try LoadedDatabase([TestPaths.shared(name)])
    }

    static let exportFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.sharedMimecast)) ?? []
        return names.filter { $0.hasSuffix(".ndjson") || $0.hasSuffix(".gz") || $0.hasSuffix(".log") || $0.hasSuffix(".json") || $0.hasSuffix(".csv") }.sorted()
    }()

    @Test(arguments: exportFiles)
    func everyLineOfEveryExportLoads(file: String) throws {
        let db = try load(file)
        let result = try #require(db.summary.files.first)
        #expect(result.status == .loaded, "\(file): \(result.status)")
        #expect(result.rejected == 0, "\(file): \(result.rejectsByReason)")
        #expect(result.records > 0)
        // Every record became a row, or (STIX bundle wrapper) was reported.
        let expectedRows = file.hasPrefix("threat_intel") ? result.records - 1 : result.records
        #expect(result.rows + result.duplicates >= expectedRows, "\(file)")
        #expect(!result.format.isEmpty && result.format != "unknown")
        // The evidence pointer is set on every row.
        for table in ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event"] {
            #expect(try db.count(table, "file_id IS NULL OR line_no < 1 OR ts < 631152000000") == 0)
        }
    }

    @Test func gzipAndPlainCopiesLoadTheSameRows() throws {
        for name in Self.exportFiles where name.hasSuffix(".gz") && Self.exportFiles.contains(String(name.dropLast(3))) {
            let a = try load(name).summary.rows
            let b = try load(String(name.dropLast(3))).summary.rows
            #expect(a == b, "\(name)")
        }
    }

    @Test func v2ReceiptFromTheElasticTenant() throws {
        let db = try load("siem_v2_receipt.ndjson")
        let rows = try db.rows("SELECT * FROM mail_message ORDER BY line_no")
        #expect(rows.count == 3)
        #expect(rows[0].text("action") == "Rej")
        #expect(rows[0].text("message_id") == nil)
        #expect(rows[0].text("rejection_type") == "Manual Envelope Rejection")
        #expect(rows[0].text("spf") == "allow")
        #expect(rows[1].text("message_id") == "ad3334051e9207bd-36579@hapi.b41.one")
        #expect(rows[1].text("aggregate_id") == "pZrAa9HUN-WmL2AK6cWduw")
        #expect(rows[1].text("recipient") == "boucard.john@demo-int.elastic.mime-api.com")
        #expect(rows[1].int("spam_score") == 21)
        #expect(rows[1].text("dmarc") == "allow")
        #expect(rows[1].int("ts") == 1_731_621_865_697)
        #expect(rows[2].text("sender_ip") == "10.108.135.241")
    }

    @Test func v2AttachmentProtectJoinsItsReceiptOnAggregateID() throws {
        let db = try LoadedDatabase([TestPaths.shared("siem_v2_receipt.ndjson"), TestPaths.shared("siem_v2_attachment_protect.ndjson")])
        let joined = try db.rows("""
            SELECT a.file_name, m.recipient FROM attachment_scan a JOIN mail_message m ON m.aggregate_id = a.aggregate_id
            """)
        #expect(joined.count == 2)
        #expect(joined.allSatisfy { $0.text("file_name") == "WinZip Attachments.zip" && $0.text("recipient") == "boucard.john@demo-int.elastic.mime-api.com" })
    }

    @Test func v2ProcessAndDeliveryAndJournal() throws {
        let p = try load("siem_v2_process.ndjson")
        #expect(try p.rows("SELECT attachment_names FROM mail_message WHERE action = 'Acc' AND attachment_names IS NOT NULL").first?.text("attachment_names") == #"["attach-c567a248-467f-415f-b1ca-da6fde82347a.pdf"]"#)
        #expect(try p.count("mail_message", "hold_reason = 'Spm'") == 1)
        let d = try load("siem_v2_delivery.ndjson")
        #expect(try d.count("mail_message", "delivered = 1 AND hostname = 'ha.hamilton321.net'") == 2)
        #expect(try d.rows("SELECT delivery_time_ms FROM mail_message ORDER BY line_no").map { $0.int("delivery_time_ms") } == [1633, 10_362_852])
        let j = try load("siem_v2_journal.ndjson")
        #expect(try j.count("mail_event", "event_type = 'journal' AND direction = 'internal'") == 2)
        let s = try load("siem_v2_spam.ndjson")
        #expect(try s.count("mail_event", "event_type = 'spam'") == 3)
        let i = try load("siem_v2_internal_email_protect.ndjson")
        #expect(try i.count("mail_event", "event_type = 'iep' AND category = 'Compromised'") == 1)
    }

    @Test func mixedBatchIsTheUnionOfTheTypedFiles() throws {
        let db = try load("siem_v2_mixed_batch.ndjson.gz")
        #expect(db.summary.rows == 18)
        #expect(db.summary.duplicates == 0)
    }

    @Test func legacyRowsGetTheirTypeFromKeysAndTimeFromTheOffset() throws {
        let docs = try load("siem_v1_json_docs_examples.ndjson")
        #expect(try docs.count("mail_message", "event = 'receipt'") == 1)
        #expect(try docs.count("mail_message", "event = 'process'") == 3)
        #expect(try docs.count("mail_message", "event = 'delivery'") == 1)
        #expect(try docs.count("mail_event", "event_type = 'av' AND verdict = 'Anomali:Phishing' AND sha256 = 'efe51c2453821310c7a34dca3054021d0f6d453b7133c381d75e3140901efd12'") == 1)
        #expect(try docs.count("mail_event", "event_type = 'spam'") == 1)
        #expect(try docs.count("mail_event", "event_type = 'iep' AND url_domain = 'domain.com'") == 1)
        #expect(try docs.count("impersonation", "tagged_malicious = 1 AND internal_user_name = 1 AND action = 'hold'") == 1)
        #expect(try docs.count("url_click", "url_domain = 'bgmtechnology.com.au' AND scan_result = 'malicious'") == 1)
        #expect(try docs.count("attachment_scan", "file_name = '1XCOLUMN.PVC' AND file_ext = 'doc'") == 1)
        let receipt = try #require(try docs.rows("SELECT * FROM mail_message WHERE event = 'receipt'").first)
        #expect(receipt.int("ts") == 1_495_813_661_000)
        #expect(receipt.text("spf") == "spf_fail")
        let elastic = try load("siem_v1_json_elastic_test.ndjson")
        // A v1 delivery line of a bounce: "Sender":"<>" is kept as the null sender.
        #expect(try elastic.count("mail_message", "event = 'delivery' AND delivered = 0 AND sender = '<>' AND sender_domain IS NULL") == 1)
        #expect(try elastic.count("mail_event", "event_type = 'journal'") == 1)
        #expect(try elastic.count("url_click", "url_domain = 'x10.mx' OR url_host = 'docusign.swrodgods.x10.mx'") == 1)
        let xsoar = try load("siem_v1_json_api_response_xsoar.json")
        #expect(try xsoar.rows("SELECT ts FROM mail_message ORDER BY line_no").map { $0.int("ts") } == [1_653_322_844_000, 1_653_322_848_000, 1_653_322_848_000])
        #expect(try xsoar.rows("SELECT line_no FROM mail_message ORDER BY line_no").map { $0.int("line_no") } == [4, 22, 40])
        let kv = try load("siem_v1_kv.log")
        let row = try #require(try kv.rows("SELECT * FROM mail_message").first)
        #expect(row.text("subject") == "message subject")
        #expect(row.text("message_id") == "81ce15$8r2j59@mail01.example.com")
        #expect(row.text("dkim") == "dkim_unknown")
    }

    @Test func ttpLogsFromElastic() throws {
        let url = try load("ttp_url_v1.ndjson")
        #expect(try url.count("url_click", "is_click = 1") == 2)
        #expect(try url.count("url_click", "is_click = 0") == 3)
        #expect(try url.count("url_click", "message_id = 'edfg345pf45=gskjlgteriugdfbvjserlekjgiov89@mail.gmail.com'") == 1)
        #expect(try url.count("url_click", "url_domain = 'sfx.ms' AND category = 'Dangerous file extension'") == 1)
        let ap = try load("ttp_ap_v1.ndjson")
        #expect(try ap.count("attachment_scan", "result = 'safe' AND sender = '<>' AND sender_domain IS NULL AND recipient = 'johndoe@example.com'") == 3)
        let ip = try load("ttp_impersonation_v1.ndjson")
        #expect(try ip.count("impersonation", "tagged_malicious = 1") == 3)
        #expect(try ip.count("impersonation", "custom_threat_dictionary = 1 AND action = 'hold'") == 1)
        #expect(try ip.rows("SELECT similar_to FROM impersonation ORDER BY line_no").first?.text("similar_to") == "John Doe Jr <johndoejr@example.com>")
    }

    @Test func threatIntelAndMessageTracking() throws {
        let ti = try load("threat_intel_malware_customer_stix.ndjson")
        #expect(try ti.rows("SELECT value FROM ioc ORDER BY value").map { $0.text("value") } == [
            "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
            "c20d551424f2df6312f7fa700ed97cd199c3d5c8a0f4dfd683627f18913096de"])
        #expect(ti.messages.contains { $0.contains("STIX bundle") })
        let mt = try load("message_tracking_search_xsoar.json")
        let row = try #require(try mt.rows("SELECT * FROM mail_message").first)
        #expect(row.text("recipient") == "klay@paloaltonetworks.mime.integration.com")
        #expect(row.text("sender") == "markrobertsny@pilot-meadow.b41.one")
        #expect(row.int("ts") == 1_658_150_700_000)
    }

    @Test func sentinelCSVExportsGoThroughTheMimecastParsers() throws {
        let ap = try load("sentinel_ttp_attachment.csv")
        #expect(ap.summary.files.first?.format == "sentinel_csv+mimecast_ttp_attachment")
        #expect(try ap.count("attachment_scan", "result = 'malicious' AND sha256 = '22a65c438289353d96c707cf55e26be723e3157f0aa00734843a9bdc8f98bab0' AND details LIKE '%CVE-2010-1240%Time taken%'") == 2)
        #expect(try ap.rows("SELECT ts FROM attachment_scan").first?.int("ts") == 1_761_156_436_000)
        let ip = try load("sentinel_ttp_impersonation.csv")
        #expect(try ip.count("impersonation", "custom_threat_dictionary = 1 AND tagged_malicious = 1 AND identifiers = '[\"targeted_threat_dictionary\"]'") == 2)
        #expect(try ip.rows("SELECT ts FROM impersonation ORDER BY line_no").first?.int("ts") == 1_759_176_368_000)   // 9/29/2025, 8:06:08 PM
        let url = try load("sentinel_ttp_url.csv")
        #expect(try url.count("url_click", "is_click = 0 AND url_domain = 'momentjs.com' AND scan_result = 'malicious'") == 2)
        let cg = try load("sentinel_seg_cg.csv")
        #expect(try cg.count("mail_event", "event_type = 'journal' AND sender = 'eric.bass@demo-int.crest.mime-api.com'") == 1)
        #expect(try cg.count("mail_event", "event_type = 'spam'") == 1)
    }

    @Test func theSameZeroDayHashAppearsInTwoExports() throws {
        let db = try load("siem_v2_attachment_protect.ndjson")
        #expect(try db.count("attachment_scan", "sha256 = '22a65c438289353d96c707cf55e26be723e3157f0aa00734843a9bdc8f98bab0' AND file_name = 'zero-day.pdf'") == 1)
    }
}
