import Foundation

/// Traffic Light Protocol 2.0 (FIRST): how far the exported indicators may be shared. Set by
/// `tlp:` in mailscope.yml or `--tlp`; amber unless told. The MISP events carry it as a
/// `tlp:` tag, the STIX bundle as the nearest STIX 2.1 TLP marking (``stixMarking``).
public enum TLP: String, CaseIterable, Sendable {
    case clear, green, amber, amberStrict = "amber+strict", red

    /// What MailScope uses unless told: the recipients' organisation and its clients.
    public static let `default` = TLP.amber

    /// The MISP taxonomy tag (`tlp:amber+strict`).
    public var mispTag: String { "tlp:\(rawValue)" }

    /// The STIX 2.1 predefined TLP marking (TLP 1.0 names, the only ones STIX 2.1 defines):
    /// clear is TLP:WHITE and amber+strict the stricter side of TLP:AMBER.
    public var stixMarking: (id: String, name: String, tlp: String) {
        switch self {
        case .clear: ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white")
        case .green: ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green")
        case .amber, .amberStrict: ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber")
        case .red: ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red")
        }
    }

    /// The allowed values, for messages.
    public static let allowed = allCases.map(\.rawValue).joined(separator: ", ")

    /// A label as a user writes it: any case, with or without the `TLP:` prefix.
    public init?(label: String) {
        var text = label.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("tlp:") { text.removeFirst(4) }
        self.init(rawValue: text)
    }

    /// Why `label` is refused and what to write instead.
    public static func refusal(_ label: String) -> String {
        let renamed = label.lowercased().hasSuffix("white") ? " (TLP 2.0 renamed white to clear)" : ""
        return "\"\(label)\" is not a TLP 2.0 label: \(allowed)\(renamed)"
    }
}
