import Foundation

/// Turns one exported EDR event (values by canonical field, plus the columns that have none)
/// into an `edr_event` row: UTC time, normalized action, short host name, account split from
/// its domain, UPN, file name from the path, lowercase hashes, URL host and registrable domain.
struct EDRRowBuilder {
    let profile: EDRProfile
    let productLabel: String

    /// Why an EDR row cannot be loaded.
    struct Failure: Error {
        var reason: RejectReason
        var detail: String
    }

    /// Accounts that are not people (never used to map a host to a mailbox).
    static let serviceAccounts: Set<String> = ["system", "local service", "network service", "localservice", "networkservice", "nt authority", "root", "-", ""]

    func build(_ value: (EDRField) -> String?, extras: [(String, String)], line: Int64, key: ContentKey, into b: RowBatch) throws(Failure) {
        guard let tsText = value(.ts), !tsText.isEmpty else {
            throw Failure(reason: .missingTimestamp, detail: "no time column value")
        }
        guard let ts = TimeParser.parse(tsText, defaultOffsetSeconds: profile.defaultOffsetSeconds) else {
            throw Failure(reason: .badTimestamp, detail: "time \"\(tsText.prefix(60))\" is not a date MailScope can read")
        }
        guard TimeParser.plausibleRange.contains(ts) else {
            throw Failure(reason: .timestampOutOfRange, detail: "time \(TimeParser.iso8601(ts)) is outside 1990–2100")
        }
        let eventType = value(.eventType)
        var action = profile.action(for: eventType)
        let origin = nonEmpty(value(.fileOriginURL))
        if action == "file_created" || action == "file_modified", origin != nil { action = "download" }

        b.beginRow(.edrEvent, line: line, dedup: key)
        b.setTimestamp(ts)
        b.set(.product, productLabel)
        b.set(.event_type, eventType)
        b.set(.action, action)

        if let host = nonEmpty(value(.host))?.lowercased() {
            b.set(.host_fqdn, host)
            b.set(.host, Host.shortName(host))
        }
        b.set(.host_id, nonEmpty(value(.hostID)))

        // MDE describes the acting process apart from the process or file acted on.
        let isProcessStart = action == "process_start"
        let mde = profile.name == "mde"
        let upn = nonEmpty(mde && !isProcessStart ? (value(.initiatingUPN) ?? value(.userUPN)) : (value(.userUPN) ?? value(.initiatingUPN)))
        let rawAccount = nonEmpty(mde && !isProcessStart ? (value(.initiatingAccount) ?? value(.account)) : (value(.account) ?? value(.initiatingAccount)))
        let rawDomain = nonEmpty(mde && !isProcessStart ? (value(.initiatingAccountDomain) ?? value(.accountDomain)) : (value(.accountDomain) ?? value(.initiatingAccountDomain)))
        let account = EDRRowBuilder.splitAccount(rawAccount, domain: rawDomain)
        b.set(.account, account.name)
        b.set(.account_domain, account.domain)
        b.set(.user_email, EmailAddress.normalize(upn ?? (account.name?.utf8.contains(UInt8(ascii: "@")) == true ? account.name : nil)))

        var filePath = nonEmpty(value(.filePath))
        var fileName = nonEmpty(value(.fileName))
        if fileName == nil { fileName = filePath.map(EDRRowBuilder.baseName) }
        if let name = fileName, let path = filePath, !EDRRowBuilder.baseName(path).caseInsensitiveCompare(name).isSame {
            filePath = EDRRowBuilder.join(path, name)   // a folder-only path (MDE DeviceEvents)
        }
        b.set(.file_name, fileName)
        b.set(.file_path, filePath)
        var sha256 = Hashes.normalize(value(.sha256)), sha1 = Hashes.normalize(value(.sha1)), md5 = Hashes.normalize(value(.md5))
        if let h = Hashes.normalize(value(.hash)) {
            switch h.count {
            case 64: sha256 = sha256 ?? h
            case 40: sha1 = sha1 ?? h
            default: md5 = md5 ?? h
            }
        }
        b.set(.sha256, sha256)
        b.set(.sha1, sha1)
        b.set(.md5, md5)
        b.set(.file_size, nonEmpty(value(.fileSize)).flatMap { Int64($0) })

        if mde {
            if isProcessStart {
                b.set(.process, fileName)
                b.set(.process_path, filePath)
                b.set(.command_line, nonEmpty(value(.commandLine)))
                b.set(.parent_process, nonEmpty(value(.initiatingProcess)))
            } else {
                b.set(.process, nonEmpty(value(.initiatingProcess)))
                b.set(.process_path, nonEmpty(value(.initiatingProcessPath)))
                b.set(.command_line, nonEmpty(value(.initiatingCommandLine)))
                b.set(.parent_process, nonEmpty(value(.initiatingParent)).map(EDRRowBuilder.baseName))
            }
        } else {
            let processPath = nonEmpty(value(.processPath))
            b.set(.process, nonEmpty(value(.process)).map(EDRRowBuilder.baseName) ?? processPath.map(EDRRowBuilder.baseName))
            b.set(.process_path, processPath)
            b.set(.command_line, nonEmpty(value(.commandLine)))
            b.set(.parent_process, nonEmpty(value(.parentProcess)).map(EDRRowBuilder.baseName))
        }
        b.set(.process_id, nonEmpty(value(.processID)))
        b.set(.parent_process_id, nonEmpty(value(.parentProcessID)))

        // Where the event reached out to: a URL, a DNS name, or a download's origin.
        let url = nonEmpty(value(.url))
        var queried = nonEmpty(value(.domain))
        if queried == nil, action == "dns_query", let extra = nonEmpty(value(.additionalFields)) {
            queried = EDRRowBuilder.dnsQuery(inAdditionalFields: extra)
        }
        b.set(.url, url ?? origin)
        b.set(.file_origin_url, origin)
        if let q = queried.map(Host.dnsName), !q.isEmpty {
            b.set(.url_host, q)
            b.set(.domain, Host.isIPAddress(q) ? q : PublicSuffixList.shared.cachedRegistrableDomain(q) ?? q)
        } else if let n = URLNormalizer.normalize(url ?? origin) {
            b.set(.url_host, n.host)
            b.set(.domain, n.domain)
        }
        b.set(.remote_ip, nonEmpty(value(.remoteIP)).flatMap(Host.normalizedIP))
        b.set(.remote_port, nonEmpty(value(.remotePort)).flatMap { Int64($0) })

        if !extras.isEmpty {
            b.set(.extra, "{" + extras.map { JSONScanner.quote($0.0) + ":" + JSONScanner.quote($0.1) }.joined(separator: ",") + "}")
        }
        b.endRow()
    }

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty, s != "-", s != "null" else { return nil }
        return s
    }

    /// `ACME\alima` → ("alima", "acme"); `alima` with a domain column → both; UPN-like names kept.
    static func splitAccount(_ raw: String?, domain: String?) -> (name: String?, domain: String?) {
        guard let raw = raw.map({ String(Substring($0).trimmingASCIISpace()) }), !raw.isEmpty else { return (nil, domain?.lowercased()) }
        if let slash = raw.utf8.lastIndex(of: UInt8(ascii: "\\")) {
            let d = String(raw[..<slash]).lowercased()
            let n = String(raw[raw.index(after: slash)...]).lowercased()
            return (n.isEmpty ? nil : n, d.isEmpty ? domain?.lowercased() : d)
        }
        return (raw.lowercased(), domain?.lowercased())
    }

    /// True for accounts that are services or machines, not people.
    static func isServiceAccount(_ name: String?, domain: String?) -> Bool {
        guard let name else { return true }
        if serviceAccounts.contains(name) || name.hasSuffix("$") { return true }
        return domain == "nt authority" || domain == "ntauthority"
    }

    /// The last component of a Windows or POSIX path.
    static func baseName(_ path: String) -> String {
        guard let sep = path.lastIndex(where: { $0 == "\\" || $0 == "/" }) else { return path }
        let name = path[path.index(after: sep)...]
        return name.isEmpty ? path : String(name)
    }

    static func join(_ folder: String, _ name: String) -> String {
        let sep: Character = folder.utf8.contains(0x5C) || !folder.utf8.contains(0x2F) ? "\\" : "/"
        return folder.hasSuffix(String(sep)) ? folder + name : folder + String(sep) + name
    }

    /// The DNS name in MDE's AdditionalFields JSON (`query`, `DnsQueryString`, `QueryName`).
    static func dnsQuery(inAdditionalFields json: String) -> String? {
        let record = Record()
        var bytes = Array(json.utf8)
        return bytes.withUnsafeMutableBufferPointer { buf -> String? in
            guard (try? JSONScanner.scanObject(UnsafeBufferPointer(buf), into: record)) != nil else { return nil }
            for f in record.fields where f.kind == .string {
                let key = String(decoding: record.keyBytesOf(f), as: UTF8.self)
                if ["query", "DnsQueryString", "QueryName", "DnsQuery"].contains(key), let v = record.string(of: f), !v.isEmpty { return v }
            }
            return nil
        }
    }
}

private extension ComparisonResult {
    var isSame: Bool { self == .orderedSame }
}
