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
/// time_zone: Europe/Berlin        # optional, for times exported without an offset (or "+02:00")
/// ```
public struct GenericMapping: Sendable {
    public let product: String
    public let columns: [EDRField: String]
    public let actions: [String: EDRAction]
    /// The zone of times exported without one (`time_zone:`), before `--edr-tz`.
    public let timeZone: TimeZoneOffsets?

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
        var zone: TimeZoneOffsets?
        if let tz = map["time_zone"] as? String {
            do { zone = try TimeZoneOffsets(parsing: tz) } catch { throw Error(description: "\(path): time_zone: \(error)") }
        }
        self.product = product
        self.columns = resolved
        self.actions = actions
        self.timeZone = zone
    }

    /// The profile this mapping defines.
    public var profile: EDRProfile {
        var p = EDRProfile(name: "generic:" + product, aliases: columns.mapValues { [$0] }, actions: actions, recognises: { _ in false })
        p.timeZone = timeZone
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
