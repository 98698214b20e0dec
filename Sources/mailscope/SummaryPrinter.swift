import Foundation
import MailScopeKit

/// The closing summary of an ingest: files, rows per table, rejects by reason, speed.
enum SummaryPrinter {
    static func text(_ s: IngestSummary) -> String {
        var out = ""
        let counts = Dictionary(grouping: s.files, by: \.status).mapValues(\.count)
        out += "Files: \(s.files.count)"
        let parts = FileResult.Status.allStatuses.compactMap { st in counts[st].map { "\($0) \(st.rawValue.replacingOccurrences(of: "_", with: " "))" } }
        if !parts.isEmpty { out += " (" + parts.joined(separator: ", ") + ")" }
        out += "\n"
        out += "Events: \(s.records) read, \(s.rows) rows stored, \(s.duplicates) duplicates skipped, \(s.rejected) rejected\n"
        let tables = s.rowsByTable.sorted { $0.key < $1.key }
        if !tables.isEmpty {
            out += "Rows by table:\n"
            for (table, n) in tables { out += "  \(table.padding(toLength: 18, withPad: " ", startingAt: 0)) \(n)\n" }
        }
        let products = Dictionary(grouping: s.files.filter { $0.format.hasPrefix("edr_") }, by: { product(format: $0.format) })
            .mapValues { $0.reduce(0) { $0 + $1.rows } }
        if !products.isEmpty {
            out += "EDR rows by product:\n"
            for (product, n) in products.sorted(by: { $0.key < $1.key }) {
                out += "  \(product.padding(toLength: 18, withPad: " ", startingAt: 0)) \(n)\n"
            }
        }
        if let id = s.identities {
            let sources = id.bySource.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            out += "Identity map: \(id.identities) mappings (\(sources.isEmpty ? "none" : sources)); \(id.ambiguous) ambiguous, \(id.conflicts) conflicting, \(id.unresolvedAccounts) accounts unresolved\n"
        }
        let reasons = s.rejectsByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if !reasons.isEmpty {
            out += "Rejects by reason:\n"
            for (reason, n) in reasons {
                let why = RejectReason(rawValue: reason)?.explanation ?? ""
                out += "  \(reason.padding(toLength: 24, withPad: " ", startingAt: 0)) \(n)  \(why)\n"
            }
        }
        let mb = Double(s.bytesUncompressed) / 1_048_576
        let rate = s.seconds > 0 ? mb / s.seconds : 0
        let eps = s.seconds > 0 ? Double(s.records) / s.seconds : 0
        out += String(format: "Time: %.2f s, %.1f MB uncompressed (%.1f MB/s, %.0f events/s)\n", s.seconds, mb, rate, eps)
        return TerminalText.safe(out, keepNewlines: true)
    }

    /// The product as `edr_event.product` stores it (`crowdstrike`, `generic:carbonblack`), from
    /// a file's format (`edr_crowdstrike`, `edr_crowdstrike_json`, `edr_generic_carbonblack`):
    /// CSV and NDJSON exports of one product are one product.
    static func product(format: String) -> String {
        var name = String(format.dropFirst("edr_".count))
        if name.hasSuffix("_json") { name.removeLast("_json".count) }
        if name.hasPrefix("generic_") { name = "generic:" + name.dropFirst("generic_".count) }
        return name
    }

    static func json(_ s: IngestSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return JSONText.safe(String(decoding: try encoder.encode(s), as: UTF8.self))
    }
}

extension FileResult.Status {
    static let allStatuses: [FileResult.Status] = [.loaded, .resumed, .alreadyLoaded, .empty, .unrecognized, .unreadable]
}
