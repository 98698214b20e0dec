import Foundation
import Testing
@testable import MailScopeKit

/// What the summary says of each way a file can end: one constructor per outcome.
@Suite struct FileResultTests {
    @Test func alreadyLoadedIsSilentUnlessItIsACopyUnderAnotherName() {
        let same = FileResult.alreadyLoaded(path: "a.gz", sha256: "s", bytes: 3, format: "siem_v2", originalPath: "a.gz")
        #expect(same.status == .alreadyLoaded && same.format == "siem_v2" && same.message == nil)
        let copy = FileResult.alreadyLoaded(path: "b.gz", sha256: "s", bytes: 3, format: "siem_v2", originalPath: "a.gz")
        #expect(copy.message == "b.gz: already loaded (same SHA-256 as a.gz) — skipped")
    }

    @Test func damagedFilesCountEachProblemAsAReject() {
        let r = FileResult.damaged(path: "cut.gz", sha256: "s", bytes: 9, status: .loaded,
                                   damage: [("truncated_gzip", "the gzip stream ends early"), ("truncated_gzip", "again")])
        #expect(r.rejected == 2 && r.rejectsByReason == ["truncated_gzip": 2])
        #expect(r.message == "cut.gz:1: truncated_gzip: the gzip stream ends early — nothing could be read")
        #expect(r.status == .loaded && r.format == "unknown")
    }

    @Test(arguments: [
        (nil, "x.log:1: unrecognized_format: not an export MailScope knows (Mimecast, EDR, identity directory) — file kept in rejects"),
        ("no EDR profile fits the header", "x.log:1: unrecognized_format: no EDR profile fits the header"),
    ] as [(String?, String)])
    func unrecognizedFilesAreOneRejectWithTheReason(detail: String?, message: String) {
        let r = FileResult.unrecognized(path: "x.log", sha256: "s", bytes: 1, detail: detail)
        #expect(r.status == .unrecognized && r.rejected == 1 && r.rejectsByReason == ["unrecognized_format": 1])
        #expect(r.message == message)
    }

    @Test func loadedFilesCarryTheirCounts() {
        var counters = FileCounters()
        counters.records = 10; counters.rows = 8; counters.duplicates = 1; counters.rejected = 1; counters.rowsByTable = ["url_click": 8]
        let r = FileResult.loaded(path: "t.gz", sha256: "s", bytes: 5, status: .resumed, format: "ttp_url", counters: counters,
                                  rejectsByReason: ["bad_json": 1])
        #expect(r.status == .resumed && r.records == 10 && r.rows == 8 && r.duplicates == 1 && r.rejected == 1)
        #expect(r.rowsByTable == ["url_click": 8] && r.rejectsByReason == ["bad_json": 1] && r.message == nil)
        let empty = FileResult.empty(path: "e.gz", sha256: "s", bytes: 0)
        #expect(empty.status == .empty && empty.format == "empty" && empty.message == "e.gz: empty file — nothing to load")
        let failed = FileResult.failed(path: "f.gz", sha256: nil, bytes: 0, status: .unreadable, message: "f.gz: cannot read it")
        #expect(failed.status == .unreadable && failed.sha256 == nil && failed.message == "f.gz: cannot read it")
    }
}
