import Crypto
import Foundation

/// Name-based UUIDs (RFC 9562 version 5: SHA-1 of a namespace and a name) for the objects the
/// exchange formats carry (STIX ids, MISP uuids, OCSF uids). The same content gives the same id
/// on every run and every machine, so re-importing a later report updates an object instead of
/// duplicating it, and the files stay byte-identical for the same database.
public enum StableUUID {
    /// MailScope's namespace, fixed forever: changing it would give every exported object a
    /// new identity in the platforms that imported it.
    public static let namespace = UUID(uuidString: "6d61696c-7363-4f70-a500-6578706f7274")!

    /// The version 5 UUID of `name` in `namespace`, lowercase as STIX and MISP write them.
    public static func v5(_ name: String, namespace: UUID = StableUUID.namespace) -> String {
        var data = withUnsafeBytes(of: namespace.uuid) { Data($0) }
        data.append(Data(name.utf8))
        var bytes = Array(Insecure.SHA1.hash(data: data).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50   // version 5
        bytes[8] = (bytes[8] & 0x3F) | 0x80   // RFC 4122 variant
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let i = hex.startIndex
        func part(_ from: Int, _ to: Int) -> Substring { hex[hex.index(i, offsetBy: from)..<hex.index(i, offsetBy: to)] }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }
}
