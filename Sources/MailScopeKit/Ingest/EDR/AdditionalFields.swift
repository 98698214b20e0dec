/// MDE's `AdditionalFields` column: a JSON object of per-ActionType details. Kept whole in
/// `extra` (as an object, so `json_extract(extra, '$.AdditionalFields.ThreatName')` works);
/// the names the rules need are read out here: the antivirus ThreatName, the ASR RuleId and
/// whether it ran in audit mode, and the DNS name a DNS event asked for.
struct AdditionalFields {
    /// The object's JSON text as exported (validated).
    let json: String
    var threatName: String?
    var ruleID: String?
    var isAudit: Bool?
    var dnsQuery: String?

    /// The keys read out of the object (the `switch` below).
    private static let keys: [[UInt8]] = ["ThreatName", "RuleId", "IsAudit", "DnsQueryString", "QueryName", "DnsQuery", "query"].map { Array($0.utf8) }

    /// Nil when the text is not a JSON object (it is then kept as a string). `scratch` is a
    /// record to scan into, reused by the caller from row to row.
    init?(json text: String, scratch record: Record = Record()) {
        // The record points into the text's bytes: read the fields while they are held. Only
        // the keys below are made into strings (compared on their bytes: an ASCII name has no
        // other spelling).
        func read(_ buf: UnsafeBufferPointer<UInt8>) -> [(String, String, Bool?)]? {
            guard (try? JSONScanner.scanObject(buf, into: record)) != nil else { return nil }
            return record.fields.compactMap { f in
                let key = record.keyBytesOf(f)
                guard AdditionalFields.keys.contains(where: { $0.elementsEqual(key) }),
                      let value = record.string(of: f), !value.isEmpty else { return nil }
                return (String(decoding: key, as: UTF8.self), value, f.kind == .bool ? f.boolValue : nil)
            }
        }
        let fields = text.utf8.withContiguousStorageIfAvailable(read) ?? Array(text.utf8).withUnsafeBufferPointer(read)
        guard let fields else { return nil }
        json = text
        var zeekQuery: String?
        for (key, value, flag) in fields {
            switch key {
            case "ThreatName": threatName = value
            case "RuleId": ruleID = value.lowercased()
            case "IsAudit": isAudit = flag ?? (value.lowercased() == "true")
            case "DnsQueryString", "QueryName", "DnsQuery": dnsQuery = value
            case "query": zeekQuery = value      // the network sensor's Zeek-style DNS record
            default: break
            }
        }
        if dnsQuery == nil { dnsQuery = zeekQuery }
    }
}
