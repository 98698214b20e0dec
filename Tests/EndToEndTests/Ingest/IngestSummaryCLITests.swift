import Foundation
import MailScopeKit
import Testing

/// The closing summary of `mailscope ingest` names things as the database stores them.
@Suite struct IngestSummaryCLITests {
    static let sharedEDR = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/samples/edr").path

    /// CrowdStrike as CSV and as FDR NDJSON is one product, `crowdstrike`, as in edr_event.product.
    @Test func edrRowsByProductUseTheStoredProductName() throws {
        let ndjson = Self.sharedEDR + "/crowdstrike_fdr/elastic_test-fdr_selected.ndjson"
        guard FileManager.default.fileExists(atPath: ndjson) else {
            print("note: ../shared/samples/edr is absent; the NDJSON half of this test is skipped")
            return
        }
        let db = CLI.scratch() + "/case.db"
        let r = try CLI.run(["ingest", "fixtures/scenario/edr/crowdstrike_events_2026-11-02.csv", ndjson, "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        let section = r.stdout.components(separatedBy: "EDR rows by product:\n").dropFirst().first ?? ""
        let listed = section.split(separator: "\n").prefix { $0.hasPrefix("  ") }
            .map { $0.split(separator: " ").first.map(String.init) ?? "" }
        let database = try Database(path: db, mode: .readOnly)
        let stored = try database.query("SELECT DISTINCT product FROM edr_event ORDER BY product").compactMap { $0[0].stringValue }
        #expect(listed == stored, "summary lists \(listed), edr_event holds \(stored)")
        #expect(!r.stdout.contains("_json"))
    }
}
