import Foundation

/// iocs.stix.json: the report's indicators as a STIX 2.1 bundle, for a threat-intel platform
/// (OpenCTI, MISP's STIX import, a TIP's TAXII feed). It holds the producer's `identity`, the
/// TLP marking, one `indicator` per campaign-specific indicator of iocs.csv (shared
/// infrastructure is left out, as iocs.csv leaves it out) and one `report` per incident whose
/// `object_refs` name its indicators.
///
/// Every id is a name-based UUID (``StableUUID``) of the object's content (an indicator's
/// pattern, an incident's key), and every time comes from the data (an indicator is created
/// when first seen and modified when last seen), so the same database gives the same bytes
/// whenever it is written, and a later report updates the objects an earlier one created.
public enum StixBundle {
    /// The fixed creation time of MailScope's identity object.
    static let identityCreated = "2026-01-01T00:00:00.000Z"
    /// The STIX 2.1 TLP marking definitions' own creation time (STIX 2.1 §7.2.1.4).
    static let markingCreated = "2017-01-20T00:00:00.000Z"

    public static let identityID = "identity--" + StableUUID.v5("identity|MailScope")

    /// The bundle's JSON text (pretty-printed, keys sorted, newline-terminated).
    public static func text(_ model: ReportModel, tlp: TLP = .default) -> String {
        ExchangeJSON.text(bundle(model, tlp: tlp), pretty: true) + "\n"
    }

    /// The bundle as JSON objects.
    static func bundle(_ model: ReportModel, tlp: TLP) -> [String: Any] {
        let marking = tlp.stixMarking
        let common: [String: Any] = ["spec_version": "2.1", "created_by_ref": identityID, "object_marking_refs": [marking.id]]
        var objects: [[String: Any]] = [
            ["type": "identity", "spec_version": "2.1", "id": identityID, "created": identityCreated, "modified": identityCreated,
             "name": "MailScope", "identity_class": "system",
             "description": "MailScope, offline forensic analyzer for email-borne attacks (Mimecast and EDR logs)"],
            ["type": "marking-definition", "spec_version": "2.1", "id": marking.id, "created": markingCreated,
             "definition_type": "tlp", "name": marking.name, "definition": ["tlp": marking.tlp]],
        ]
        let incidents = Dictionary(model.incidents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        // One indicator per pattern: the same value in two incidents is one object both reports name.
        var order: [String] = []
        var rows: [String: [(ExchangeIndicator, ReportModel.IndicatorRow)]] = [:]
        for row in model.indicators where row.blockable {
            guard let indicator = ExchangeIndicator(type: row.type, value: row.value) else { continue }
            let pattern = indicator.stixPattern
            if rows[pattern] == nil { order.append(pattern) }
            rows[pattern, default: []].append((indicator, row))
        }
        var refs: [Int: [String]] = [:]
        for pattern in order {
            let group = rows[pattern]!
            let id = "indicator--" + StableUUID.v5("indicator|" + pattern)
            let first = group.compactMap { $0.1.firstSeen ?? $0.1.incident.flatMap { incidents[$0]?.firstSeen } }.min() ?? model.generatedAt
            let last = max(first, group.compactMap { $0.1.lastSeen ?? $0.1.incident.flatMap { incidents[$0]?.lastSeen } }.max() ?? first)
            var strengths: Set<String> = []
            var techniques: Set<String> = []
            var seenIn: [String] = []
            for (indicator, row) in group {
                let incident = row.incident.flatMap { incidents[$0] }
                strengths.formUnion(ExchangeIndicator.matchStrengths(of: indicator.value, in: incident))
                techniques.formUnion(ExchangeIndicator.techniques(of: indicator.value, in: incident, rules: model.rules))
                if let n = row.incident {
                    if refs[n]?.last != id { refs[n, default: []].append(id) }
                    seenIn.append("incident #\(n) (\(row.recipients) recipients, \(row.hosts) hosts)")
                }
            }
            let indicator = group[0].0
            var object = common
            object["type"] = "indicator"
            object["id"] = id
            object["created"] = first.iso
            object["modified"] = last.iso
            object["valid_from"] = first.iso
            object["name"] = "\(indicator.type) \(indicator.value)"
            object["description"] = "MailScope: \(indicator.type) seen in " + seenIn.joined(separator: ", ")
            object["indicator_types"] = ["malicious-activity"]
            object["labels"] = Array(Set(group.map(\.0.type))).sorted()
            object["pattern"] = pattern
            object["pattern_type"] = "stix"
            object["pattern_version"] = "2.1"
            object["confidence"] = ExchangeIndicator.confidence(matchStrengths: strengths, inFeed: group.contains { $0.1.feeds != nil })
            let phases = AttackCatalog.tactics(of: techniques.sorted())
            if !phases.isEmpty { object["kill_chain_phases"] = phases.map { ["kill_chain_name": "mitre-attack", "phase_name": $0] } }
            objects.append(object)
        }
        for incident in model.incidents {
            var object = common
            object["type"] = "report"
            object["id"] = "report--" + StableUUID.v5("report|" + incident.key)
            object["created"] = incident.firstSeen.iso
            object["modified"] = incident.lastSeen.iso
            object["published"] = incident.lastSeen.iso
            object["name"] = "MailScope incident #\(incident.id): \(incident.title)"
            object["description"] = "Severity \(incident.severity.rawValue), furthest stage \(incident.stage.rawValue). "
                + incident.reasons.joined(separator: "; ")
            object["report_types"] = ["threat-report"]
            object["labels"] = ["severity-\(incident.severity.rawValue)", "stage-\(incident.stage.rawValue)"]
            let own = refs[incident.id] ?? []
            // A report must name at least one object; an incident without indicators names its producer.
            object["object_refs"] = own.isEmpty ? [identityID] : own
            let attack = incident.attack.filter { AttackCatalog.techniques[$0] != nil }
            if !attack.isEmpty {
                // No url: stix2-validator asks a reference with a url for the page's hash (302).
                object["external_references"] = attack.map { ["source_name": "mitre-attack", "external_id": $0] }
            }
            objects.append(object)
        }
        let bundleID = "bundle--" + StableUUID.v5("bundle|" + objects.compactMap { $0["id"] as? String }.joined(separator: ","))
        return ["type": "bundle", "id": bundleID, "objects": objects]
    }
}
