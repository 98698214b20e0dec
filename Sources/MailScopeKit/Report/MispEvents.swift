import Foundation

/// iocs.misp.json: one MISP event per incident, in the form MISP's own JSON export uses for
/// several events (`{"response": [{"Event": …}, …]}`), which MISP's "Import from… MISP JSON"
/// and PyMISP's `MISPEvent().load()` (one `{"Event": …}` item at a time) read.
///
/// An event holds the incident's indicators as typed attributes (sha256, domain, url, ip-src
/// for a sender's IP, ip-dst for a host's connection, email-src, filename) and its subjects as
/// email-subject. Only campaign-specific indicators are `to_ids: true`; shared infrastructure
/// and the subjects are context (`to_ids: false`), so MISP does not push them to blocking
/// tools. Tags: the TLP (`tlp:` in mailscope.yml, amber unless told) and the incident's ATT&CK
/// techniques as MISP galaxy tags. Uuids are name-based (``StableUUID``) and timestamps come
/// from the data, so the same database gives the same bytes.
public enum MispEvents {
    /// The file's JSON text (pretty-printed, keys sorted, newline-terminated).
    public static func text(_ model: ReportModel, tlp: TLP = .default) -> String {
        ExchangeJSON.text(["response": model.incidents.map { ["Event": event($0, model: model, tlp: tlp)] }], pretty: true) + "\n"
    }

    /// MISP's threat level for a severity: 1 high, 2 medium, 3 low, 4 undefined.
    public static func threatLevel(_ severity: Rule.Severity) -> String {
        switch severity {
        case .critical, .high: "1"
        case .medium: "2"
        case .low: "3"
        case .info: "4"
        }
    }

    static func event(_ incident: ReportModel.Incident, model: ReportModel, tlp: TLP) -> [String: Any] {
        let eventUUID = StableUUID.v5("misp-event|" + incident.key)
        var attributes: [(type: String, value: String, object: [String: Any])] = []
        // `source` (the iocs.csv type) is in the uuid's name: a domain that both sent the mail
        // and was contacted is two attributes of one MISP type, each with its own uuid.
        func attribute(type: String, source: String, category: String, value: String, toIDs: Bool, comment: String,
                       first: Timestamp?, last: Timestamp?) {
            var a: [String: Any] = [
                "uuid": StableUUID.v5("misp-attribute|\(incident.key)|\(source)|\(value)"), "type": type, "category": category,
                "value": value, "to_ids": toIDs, "comment": comment, "distribution": "5", "disable_correlation": false,
                "timestamp": seconds(last ?? incident.lastSeen),
            ]
            if let first { a["first_seen"] = first.iso }
            if let last { a["last_seen"] = last.iso }
            attributes.append((type, value, a))
        }
        for row in incident.indicatorDetails {
            guard let indicator = ExchangeIndicator(type: row.type, value: row.value) else { continue }
            let misp = indicator.misp
            let context = row.own ? "the organisation's own domain: context, never to block"
                : row.shared ? "shared infrastructure (mail from \(row.senderDomains) sender domains): context, not to block"
                : "\(row.recipients) recipients, \(row.hosts) hosts" + (row.feeds.map { "; threat intel: \($0)" } ?? "")
            attribute(type: misp.type, source: row.type, category: misp.category, value: row.value, toIDs: row.blockable,
                      comment: "MailScope \(row.type): \(context)", first: row.firstSeen, last: row.lastSeen)
        }
        for subject in incident.subjects {
            attribute(type: "email-subject", source: "subject", category: "Payload delivery", value: subject, toIDs: false,
                      comment: "MailScope: subject of the campaign's flagged mail", first: nil, last: nil)
        }
        attributes.sort { ($0.type, $0.value) < ($1.type, $1.value) }
        let tags = [tlp.mispTag] + incident.attack.compactMap(AttackCatalog.mispTag)
        return [
            "uuid": eventUUID,
            "info": "MailScope incident #\(incident.id): \(incident.title)",
            "date": String(incident.firstSeen.iso.prefix(10)),
            "timestamp": seconds(incident.lastSeen),
            "published": false,
            "analysis": "2",
            "distribution": "0",
            "threat_level_id": threatLevel(incident.severity),
            "Tag": tags.map { ["name": $0] },
            "Attribute": attributes.map(\.object),
        ]
    }

    /// Whole seconds since the epoch as text, as MISP writes timestamps.
    static func seconds(_ t: Timestamp) -> String { String(t.milliseconds / 1000) }
}
