import Foundation
import Testing
@testable import MailScopeKit

@Suite struct ThreatIntelFeedTests {
    func write(_ text: String, _ name: String) throws -> String {
        let path = TestPaths.scratch(name) + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func plainListTypesAreInferredAndDefangedValuesRestored() throws {
        let path = try write("""
            # our own list
            CA9DC54AEA090F1984FE86550934C0B3961ADDF0819196F1356B59719077AF83
            1606c27ac444a699c314be434a7e5de4432cc482
            9df5bf3bb86adfc686008b3d9d9e6fe5
            acme-c0rp-secure[.]com
            198.51.100[.]72
            hxxps://login.acme-c0rp-secure.com/owa/auth.php
            Billing@Halvorsen-Billing.example
            not an indicator
            """, "list.txt")
        let feed = try ThreatIntelFeed.read(argument: path)
        #expect(feed.name == "list")
        #expect(feed.format == "list")
        #expect(feed.entries.map(\.type) == ["sha256", "sha1", "md5", "domain", "ip", "url", "email"])
        #expect(feed.entries.map(\.value) == ["ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83",
            "1606c27ac444a699c314be434a7e5de4432cc482", "9df5bf3bb86adfc686008b3d9d9e6fe5", "acme-c0rp-secure.com", "198.51.100.72",
            "https://login.acme-c0rp-secure.com/owa/auth.php", "billing@halvorsen-billing.example"])
        #expect(feed.entries.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
        #expect(feed.rejects.map(\.line) == [9])
        #expect(feed.rejects.first?.reason == "invalid_value")
    }

    @Test func mispExportKeepsSupportedTypesAndSplitsPairs() throws {
        let path = try write("""
            uuid,event_id,category,type,value,comment,to_ids,date
            a1,7,Payload delivery,filename|sha256,"INV-88341.xlsm|ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83",dropper,1,20261102
            a2,7,Network activity,hostname,files.halvorsen-billing.example,"stage 2, payload",1,20261102
            a3,7,Network activity,ip-dst,192.0.2.28,,1,20261102
            a4,7,Other,text,just words,,0,20261102
            a5,7,Network activity,ip-dst,not-an-ip,,1,20261102
            a6,7,broken row
            """, "misp.csv")
        let feed = try ThreatIntelFeed.read(argument: "misp-acme=\(path)")
        #expect(feed.name == "misp-acme")
        #expect(feed.format == "misp")
        #expect(feed.entries.map { "\($0.type) \($0.value)" } == [
            "sha256 ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83",
            "domain files.halvorsen-billing.example", "ip 192.0.2.28"])
        #expect(feed.entries[1].label == "stage 2, payload")
        #expect(feed.rejects.map(\.reason) == ["unsupported_value", "invalid_value", "wrong_column_count"])
        #expect(feed.rejects.map(\.line) == [5, 6, 7])
    }

    @Test func stixBundleWithOrPatterns() throws {
        let path = try write("""
            {"type":"bundle","id":"bundle--1","objects":[
              {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value = 'evil.example' OR domain-name:value = 'evil2.example']","valid_from":"2026-11-01T00:00:00Z","labels":["phishing"]},
              {"type":"indicator","id":"indicator--2","pattern":"[file:hashes.'SHA-256' = '221BB3CC1BEBE73A6B588C11693C3A117EBD48A9956D4A1F2BD2CAFEA77C3BE4']"},
              {"type":"indicator","id":"indicator--3","pattern":"[process:name = 'evil.exe']"},
              {"type":"malware","id":"malware--1","name":"x"}]}
            """, "bundle.json")
        let feed = try ThreatIntelFeed.read(argument: path)
        #expect(feed.format == "stix")
        #expect(feed.entries.map { "\($0.type) \($0.value)" } == ["domain evil.example", "domain evil2.example",
            "sha256 221bb3cc1bebe73a6b588c11693c3a117ebd48a9956d4a1f2bd2cafea77c3be4"])
        #expect(feed.entries[0].validFrom == 1_793_491_200_000)
        #expect(feed.rejects.map(\.reason) == ["unsupported_value"])
    }

    @Test func mimecastFeedExportFromTheSharedSamples() throws {
        guard TestPaths.sharedSamplesAvailable else {
            print("skipped: ../shared/samples is absent")
            return
        }
        let feed = try ThreatIntelFeed.read(argument: "mimecast=" + TestPaths.shared("threat_intel_malware_customer_stix.ndjson.gz"))
        #expect(feed.format == "stix")
        #expect(feed.compressed)
        #expect(feed.entries.map(\.value) == ["c20d551424f2df6312f7fa700ed97cd199c3d5c8a0f4dfd683627f18913096de",
                                              "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"])
        #expect(feed.rejects.isEmpty)
    }

    @Test func storingRecordsProvenanceOnceAndMatchingFindsSubdomains() throws {
        let dir = TestPaths.scratch()
        let mail = [
            #"{"userEmailAddress":"ana.lima@acme-corp.example","fromUserEmailAddress":"x@y.example","url":"https://login.evil.example/a?t=1","ttpDefinition":"d","subject":"s","action":"allow","adminOverride":"N/A","userOverride":"None","scanResult":"clean","category":"Business","sendingIp":"203.0.113.9","userAwarenessAction":"N/A","date":"2026-11-02T09:15:02+0000","actions":"Allow","route":"inbound","creationMethod":"User Click","emailPartsDescription":["Body"],"messageId":"<a@y.example>"}"#,
            #"{"userEmailAddress":"raj.patel@acme-corp.example","fromUserEmailAddress":"x@y.example","url":"https://notevil.example/","ttpDefinition":"d","subject":"s","action":"allow","adminOverride":"N/A","userOverride":"None","scanResult":"clean","category":"Business","sendingIp":"203.0.113.9","userAwarenessAction":"N/A","date":"2026-11-02T09:15:02+0000","actions":"Allow","route":"inbound","creationMethod":"User Click","emailPartsDescription":["Body"],"messageId":"<b@y.example>"}"#,
        ]
        try Data((mail.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/ttp.ndjson"))
        _ = try Ingester(databasePath: dir + "/t.db").ingest(paths: [dir + "/ttp.ndjson"])
        let db = try Database(path: dir + "/t.db")
        let path = try write("evil.example\n203.0.113.9\n", "feed.txt")
        let feed = try ThreatIntelFeed.read(argument: path)
        #expect(try feed.store(in: db) == 2)
        #expect(try feed.store(in: db) == nil)   // the same file again: skipped
        #expect(try db.scalar("SELECT format FROM input_file WHERE sha256 = ?", [.text(feed.sha256)])?.stringValue == "ti_feed_list")
        #expect(try IOCMatcher.rebuild(db) == 3)  // the subdomain click, and both clicks' sending IP
        let hits = try db.query("""
            SELECT c.user, m.field FROM ioc_match m JOIN url_click c ON c.id = m.event_rowid ORDER BY c.user, m.field
            """).map { "\($0[0].stringValue ?? "") \($0[1].stringValue ?? "")" }
        #expect(hits == ["ana.lima@acme-corp.example sending_ip", "ana.lima@acme-corp.example url_host", "raj.patel@acme-corp.example sending_ip"])
    }
}
