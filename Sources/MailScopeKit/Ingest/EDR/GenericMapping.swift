import Foundation
import Yams

/// A mapping file (`--edr-map FILE`) for an EDR product MailScope has no profile for: which
/// column holds each canonical field, optional event-type → action names and time zone.
///
/// ```yaml
/// product: carbonblack            # recorded as generic:carbonblack
/// columns:                        # canonical field: column name in the export
///   ts: event_time
///   host: device_name
///   account: username
///   event_type: type
///   file_path: path
///   hash: process_hash            # sha256, sha1 or md5 by length
///   command_line: cmdline
///   domain: netconn_domain
/// actions:                        # optional: exported event type → MailScope action
///   filemod: file_modified
///   netconn: network_connect
/// time_zone: "+02:00"             # optional, for exports without an offset
/// ```
public struct GenericMapping: Sendable {
    public let product: String
    public let columns: [EDRField: String]
    public let actions: [String: EDRAction]
    public let offsetSeconds: Int?

    /// The actions MailScope knows (what `actions:` values may be).
    public static let knownActions = EDRAction.allCases.map(\.rawValue)

    /// An error in a mapping file, naming the key and what is allowed.
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Error(description: "\(path): cannot read the EDR mapping file")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw Error(description: "\(path): not valid YAML (\(error))")
        }
        guard let map = root as? [String: Any] else { throw Error(description: "\(path): expected a mapping with product and columns") }
        for key in map.keys where !["product", "columns", "actions", "time_zone"].contains(key) {
            throw Error(description: "\(path): unknown key \"\(key)\" (allowed: product, columns, actions, time_zone)")
        }
        guard let product = map["product"] as? String, !product.isEmpty else {
            throw Error(description: "\(path): product: the product's name is required (e.g. product: carbonblack)")
        }
        guard let columns = map["columns"] as? [String: Any] else {
            throw Error(description: "\(path): columns: a mapping of canonical field to column name is required")
        }
        var resolved: [EDRField: String] = [:]
        for (key, value) in columns {
            guard let field = EDRField(rawValue: key) else {
                throw Error(description: "\(path): columns.\(key) is not a canonical field (allowed: \(EDRField.genericFields.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let column = value as? String, !column.isEmpty else { throw Error(description: "\(path): columns.\(key) must be a column name") }
            resolved[field] = column
        }
        guard resolved[.ts] != nil else { throw Error(description: "\(path): columns.ts (the time column) is required") }
        guard resolved[.host] != nil || resolved[.account] != nil || resolved[.userUPN] != nil else {
            throw Error(description: "\(path): columns needs host, account or user_upn to tie events to a person or computer")
        }
        var actions: [String: EDRAction] = [:]
        if let a = map["actions"] as? [String: Any] {
            for (k, v) in a {
                guard let s = v as? String, let action = EDRAction(rawValue: s) else {
                    throw Error(description: "\(path): actions.\(k) must be one of \(GenericMapping.knownActions.joined(separator: ", "))")
                }
                actions[k] = action
            }
        }
        var offset: Int?
        if let tz = map["time_zone"] as? String {
            guard let o = TimeZoneOption.offsetSeconds(tz) else {
                throw Error(description: "\(path): time_zone \"\(tz)\" must look like +02:00, -0500 or UTC")
            }
            offset = o
        }
        self.product = product
        self.columns = resolved
        self.actions = actions
        self.offsetSeconds = offset
    }

    /// The profile this mapping defines.
    public var profile: EDRProfile {
        var p = EDRProfile(name: "generic:" + product, aliases: columns.mapValues { [$0] }, actions: actions, recognises: { _ in false })
        if let offsetSeconds { p.defaultOffsetSeconds = offsetSeconds }
        return p
    }

    /// True when `header` (normalized names) holds every mapped column.
    func matches(_ header: Set<String>) -> Bool {
        columns.values.allSatisfy { header.contains(HeaderName.normalize($0)) }
    }
}

extension EDRField {
    /// The fields a generic mapping may name.
    /// Every canonical field but MDE's AdditionalFields (whose JSON only MDE writes).
    static let genericFields: [EDRField] = allCases.filter { $0 != .additionalFields }
}

/// `--edr-tz`: an offset for timestamps exported without one.
public enum TimeZoneOption {
    /// `+02:00`, `-0500`, `+2`, `UTC`, `Z` → seconds east of UTC.
    public static func offsetSeconds(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t == "UTC" || t == "Z" || t == "GMT" { return 0 }
        guard let sign = t.first, sign == "+" || sign == "-" else { return nil }
        let digits = t.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        let hours: Int, minutes: Int
        switch digits.count {
        case 1, 2: hours = Int(digits) ?? 99; minutes = 0
        case 4: hours = Int(digits.prefix(2)) ?? 99; minutes = Int(digits.suffix(2)) ?? 99
        default: return nil
        }
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "+" ? 1 : -1) * (hours * 3600 + minutes * 60)
    }
}
