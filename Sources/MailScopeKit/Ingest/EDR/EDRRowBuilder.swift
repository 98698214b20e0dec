import Foundation

/// Turns one exported EDR event (values by canonical field, plus the columns that have none)
/// into an `edr_event` row: UTC time, normalized action, short host name, account split from
/// its domain, UPN, file name from the path, lowercase hashes, URL host and registrable domain.
///
/// A class, not a struct: the row loop of every worker holds the one builder of its file, and
/// copying the profile (dictionaries of aliases and actions) per row had cost retains.
final class EDRRowBuilder: @unchecked Sendable {
    let profile: EDRProfile
    let productLabel: String
    /// The zone of times written without one (`profile.timeZone`, else UTC), read once.
    private let defaultZone: TimeZoneOffsets

    init(profile: EDRProfile, productLabel: String) {
        self.profile = profile
        self.productLabel = productLabel
        self.defaultZone = profile.timeZone ?? .utc
    }

    /// Why an EDR row cannot be loaded.
    struct Failure: Error {
        var reason: RejectReason
        var detail: String
    }

    /// Accounts that are not people (never used to map a host to a mailbox).
    static let serviceAccounts: Set<String> = ["system", "local service", "network service", "localservice", "networkservice", "nt authority", "root", "-", ""]

    /// Builds the row. `extraJSON(i, &out)` appends source `i`'s value as JSON text (a quoted
    /// string for CSV, the value as written for JSON), for the sources no column took.
    func build(_ v: EDRSourceRow, extraJSON: (Int, inout [UInt8]) -> Void, line: Int64, key: ContentKey, into b: RowBatch) throws(Failure) {
        guard let tsText = v.take(.ts) else {
            throw Failure(reason: .missingTimestamp, detail: "no time column value")
        }
        guard let ts = TimeParser.parse(tsText, defaultZone: defaultZone, slashOrder: profile.slashDateOrder) else {
            throw Failure(reason: .badTimestamp, detail: "time \"\(tsText.prefix(60))\" is not a date MailScope can read")
        }
        guard TimeParser.plausibleRange.contains(ts) else {
            throw Failure(reason: .timestampOutOfRange, detail: "time \(TimeParser.iso8601(ts)) is outside 1990–2100")
        }
        let eventType = v.take(.eventType)
        var action = profile.action(for: eventType)
        let origin = v.take(.fileOriginURL)
        if action == .fileCreated || action == .fileModified, origin != nil { action = .download }
        // MDE's per-type JSON: kept whole in extra; the verdict names get their columns.
        let details = v.peek(.additionalFields).flatMap { AdditionalFields(json: $0, scratch: v.scratchRecord) }
        if action == .asrBlock, details?.isAudit == true { action = .asrAudit }

        b.beginRow(.edrEvent, line: line, dedup: key)
        b.setTimestamp(ts)
        b.set(.product, productLabel)
        b.set(.event_type, eventType)
        b.set(.action, action.rawValue)

        if let host = v.take(.host)?.lowercasedIfNeeded {
            b.set(.host_fqdn, host)
            b.set(.host, Host.shortName(host))
        }
        b.set(.host_id, v.take(.hostID))

        setAccounts(v, into: b)
        setProcesses(v, action: action, into: b)
        b.set(.threat_name, v.take(.threatName) ?? details?.threatName)
        b.set(.edr_rule, v.take(.edrRule) ?? details?.ruleID)

        // Where the event reached out to: a URL, a DNS name, or a download's origin.
        let url = v.take(.url)
        var queried = v.take(.domain)
        if queried == nil, action == .dnsQuery { queried = details?.dnsQuery }
        b.set(.url, url ?? origin)
        b.set(.file_origin_url, origin)
        if let q = queried.map(Host.dnsName), !q.isEmpty {
            b.set(.url_host, q)
            b.set(.domain, Host.isIPAddress(q) ? q : PublicSuffixList.shared.cachedRegistrableDomain(q) ?? q)
        } else if let n = URLNormalizer.hostAndDomain(url ?? origin) {
            b.set(.url_host, n.host)
            b.set(.domain, n.domain)
        }
        b.set(.remote_ip, v.takeConverted(.remoteIP, Host.normalizedIP))
        b.set(.remote_port, v.takeConverted(.remotePort) { Int64($0) })

        // Every value no column took, under its own name; AdditionalFields as its JSON object.
        let additionalSource = v.source(of: .additionalFields)
        let leftovers = v.leftovers
        if !leftovers.isEmpty {
            // Written as UTF-8 bytes straight into the batch (no String per value).
            var extra: [UInt8] = [UInt8(ascii: "{")]
            extra.reserveCapacity(64 * leftovers.count)
            for (n, i) in leftovers.enumerated() {
                if n > 0 { extra.append(UInt8(ascii: ",")) }
                v.appendQuotedName(i, to: &extra)
                extra.append(UInt8(ascii: ":"))
                if let details, i == additionalSource { extra.append(contentsOf: details.json.utf8) } else { extraJSON(i, &extra) }
            }
            extra.append(UInt8(ascii: "}"))
            extra.withUnsafeBufferPointer { b.setBytes(.extra, $0) }
        }
        b.endRow()
    }

    /// The acting account (who did it) and the account acted on (a logon's account, an
    /// account created, the account a started process runs as), kept apart.
    private func setAccounts(_ v: EDRSourceRow, into b: RowBatch) {
        let hasActor = v.peek(.account) != nil || v.peek(.userUPN) != nil
        var actor: (name: String?, domain: String?)
        var upnField: EDRField?
        if hasActor {
            actor = takeAccount(v, .account, domain: .accountDomain)
            if v.peek(.userUPN) != nil { upnField = .userUPN }
            let target = takeAccount(v, .targetAccount, domain: .targetAccountDomain)
            b.set(.target_account, target.name)
            b.set(.target_account_domain, target.name == nil ? nil : target.domain)
            // The acted-on account's UPN stands for the actor only when it is the same account.
            if upnField == nil, v.peek(.targetUPN) != nil, let name = target.name, name == actor.name { upnField = .targetUPN }
        } else {
            // A row with one account (a URL click, a logon exported without its process): that
            // account is the one who acted.
            actor = takeAccount(v, .targetAccount, domain: .targetAccountDomain)
            if v.peek(.targetUPN) != nil { upnField = .targetUPN }
        }
        b.set(.account, actor.name)
        b.set(.account_domain, actor.name == nil ? nil : actor.domain)
        var email: String?
        if let upnField {
            email = v.takeConverted(upnField) { EmailAddress.normalize($0) }
        }
        if email == nil, let name = actor.name, name.utf8.contains(UInt8(ascii: "@")) { email = EmailAddress.normalize(name) }
        b.set(.user_email, email)
    }

    /// An account and its domain column (taken only with the account: a domain alone says
    /// nobody, and stays in extra).
    private func takeAccount(_ v: EDRSourceRow, _ account: EDRField, domain: EDRField) -> (name: String?, domain: String?) {
        EDRRowBuilder.splitAccount(v.take(account), domain: v.peek(account) == nil ? nil : v.take(domain))
    }

    /// The file acted on and both ends of a process. On a process start `process*` is the
    /// process started and `parent_*` the one that started it; on other rows `process*` is
    /// the acting process and `parent_*` its parent.
    private func setProcesses(_ v: EDRSourceRow, action: EDRAction, into b: RowBatch) {
        var filePath = v.take(.filePath)
        var fileName = v.take(.fileName)
        if fileName == nil { fileName = filePath.map(EDRRowBuilder.baseName) }
        if let name = fileName, let path = filePath, !EDRRowBuilder.sameIgnoringCase(EDRRowBuilder.baseName(path), name) {
            filePath = EDRRowBuilder.join(path, name)   // a folder-only path (MDE DeviceEvents)
        }
        var sha256 = v.takeHash(.sha256), sha1 = v.takeHash(.sha1), md5 = v.takeHash(.md5)
        if let h = v.takeHash(.hash) {
            switch h.count {
            case 64: sha256 = sha256 ?? h
            case 40: sha1 = sha1 ?? h
            default: md5 = md5 ?? h
            }
        }
        b.set(.file_size, v.takeConverted(.fileSize) { Int64($0) })

        let targetFields: [EDRField] = [.targetProcess, .targetProcessPath, .targetCommandLine, .targetProcessID, .targetProcessSHA256]
        // An ASR block of a child process describes the start it stopped.
        let isStart = action == .processStart || ((action == .asrBlock || action == .asrAudit) && v.peek(.targetCommandLine) != nil)
        if isStart, targetFields.contains(where: { v.peek($0) != nil }) {
            // The export names the started process apart (MDE, SentinelOne): the acting
            // process is its parent. A started image without its own name columns is the
            // row's file (MDE FileName/FolderPath/SHA256).
            var (name, path) = takeProcess(v, name: .targetProcess, path: .targetProcessPath)
            if path == nil && name == nil { path = filePath; name = fileName }
            if name == nil { name = path.map(EDRRowBuilder.baseName) }
            let image = v.takeHash(.targetProcessSHA256) ?? sha256
            b.set(.process, name)
            b.set(.process_path, path)
            b.set(.command_line, v.take(.targetCommandLine))
            b.set(.process_id, v.take(.targetProcessID))
            b.set(.process_sha256, image)
            setParent(b, takeProcess(v, name: .process, path: .processPath), commandLine: v.take(.commandLine),
                      id: v.take(.processID), sha256: v.takeHash(.processSHA256))
            if v.peek(.targetAccount) == nil, let runAs = v.take(.targetProcessAccount) {
                let account = EDRRowBuilder.splitAccount(runAs, domain: nil)
                b.set(.target_account, account.name)
                b.set(.target_account_domain, account.domain)
            }
            // The started image is the file of a process start.
            if fileName == nil { fileName = name; filePath = filePath ?? path }
            if sha256 == nil { sha256 = image }
        } else {
            let (name, path) = takeProcess(v, name: .process, path: .processPath)
            b.set(.process, name)
            b.set(.process_path, path)
            b.set(.command_line, v.take(.commandLine))
            b.set(.process_id, v.take(.processID))
            var image = v.takeHash(.processSHA256)
            if isStart {
                // A product whose process-start row describes the started process itself
                // (Falcon ProcessRollup2): its image is the row's file.
                image = image ?? sha256
                if sha256 == nil { sha256 = image }
                if fileName == nil { fileName = name; filePath = filePath ?? path }
            }
            b.set(.process_sha256, image)
            setParent(b, takeProcess(v, name: .parentProcess, path: .parentProcessPath), commandLine: v.take(.parentCommandLine),
                      id: v.take(.parentProcessID), sha256: v.takeHash(.parentProcessSHA256))
        }
        b.set(.file_name, fileName)
        b.set(.file_path, filePath)
        b.set(.sha256, sha256)
        b.set(.sha1, sha1)
        b.set(.md5, md5)
    }

    /// A process's name and path from a name field and a path field. A "name" exported as a
    /// whole path (MDE InitiatingProcessParentFileName as an NT device path, a mapped export's
    /// process_name) is kept as the path and named by its last part.
    private func takeProcess(_ v: EDRSourceRow, name nameField: EDRField, path pathField: EDRField) -> (name: String?, path: String?) {
        let raw = v.take(nameField)
        var path = v.take(pathField)
        if path == nil, let raw, EDRRowBuilder.isPath(raw) { path = raw }
        return ((raw ?? nameFromPath(path, nameField)).map(EDRRowBuilder.baseName), path)
    }

    private func setParent(_ b: RowBatch, _ parent: (name: String?, path: String?), commandLine: String?, id: String?, sha256: String?) {
        b.set(.parent_process, parent.name)
        b.set(.parent_process_path, parent.path)
        b.set(.parent_command_line, commandLine)
        b.set(.parent_process_id, id)
        b.set(.parent_process_sha256, sha256)
    }

    /// A process's name from its path, for products that export no name column (Falcon's
    /// ImageFileName). Where the product has one, its path column may hold the folder only
    /// (MDE InitiatingProcessFolderPath), so no name is made up from it.
    private func nameFromPath(_ path: String?, _ nameField: EDRField) -> String? {
        profile.aliases[nameField] == nil ? path : nil
    }

    /// `ACME\alima` → ("alima", "acme"); `alima` with a domain column → both; UPN-like names kept.
    static func splitAccount(_ raw: String?, domain: String?) -> (name: String?, domain: String?) {
        guard let raw = raw?.trimmingASCIISpaceString(), !raw.isEmpty else { return (nil, domain?.lowercasedIfNeeded) }
        if let slash = raw.utf8.lastIndex(of: UInt8(ascii: "\\")) {
            let d = String(raw[..<slash]).lowercasedIfNeeded
            let n = String(raw[raw.index(after: slash)...]).lowercasedIfNeeded
            return (n.isEmpty ? nil : n, d.isEmpty ? domain?.lowercasedIfNeeded : d)
        }
        return (raw.lowercasedIfNeeded, domain?.lowercasedIfNeeded)
    }

    /// True for accounts that are services or machines, not people.
    static func isServiceAccount(_ name: String?, domain: String?) -> Bool {
        guard let name else { return true }
        if serviceAccounts.contains(name) || name.hasSuffix("$") { return true }
        return domain == "nt authority" || domain == "ntauthority"
    }

    /// True when a value exported as a name is a path (it holds a separator).
    static func isPath(_ value: String) -> Bool {
        if let ascii = lastSeparatorASCII(value) { return ascii >= 0 }
        return value.contains(where: { $0 == "\\" || $0 == "/" })
    }

    /// The last component of a Windows or POSIX path.
    static func baseName(_ path: String) -> String {
        if let sep = lastSeparatorASCII(path) {
            guard sep >= 0, sep + 1 < path.utf8.count else { return path }
            return String(decoding: path.utf8.dropFirst(sep + 1), as: UTF8.self)
        }
        guard let sep = path.lastIndex(where: { $0 == "\\" || $0 == "/" }) else { return path }
        let name = path[path.index(after: sep)...]
        return name.isEmpty ? path : String(name)
    }

    /// For an all-ASCII string, the byte offset of its last `\` or `/` (-1 for none); nil when
    /// the string holds other bytes. In ASCII every character is one byte (CR LF aside, which
    /// is no separator), so this answers the Character-wise search without walking
    /// grapheme clusters; a separator followed by a combining mark is one character, not a
    /// separator, which is why other text takes the Character-wise path.
    static func lastSeparatorASCII(_ s: String) -> Int? {
        var last = -1
        var i = 0
        for c in s.utf8 {
            if c >= 0x80 { return nil }
            if c == 0x5C || c == 0x2F { last = i }
            i += 1
        }
        return last
    }

    /// `a` and `b` compare the same ignoring case (Foundation's `caseInsensitiveCompare`),
    /// answered on the bytes when both are printable ASCII (the usual file name).
    static func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
        if a.utf8.elementsEqual(b.utf8) { return true }
        let printable: (UInt8) -> Bool = { $0 >= 0x20 && $0 < 0x7F }
        if a.utf8.allSatisfy(printable) && b.utf8.allSatisfy(printable) {
            return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { x, y in
                x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
            }
        }
        return a.caseInsensitiveCompare(b) == .orderedSame
    }

    static func join(_ folder: String, _ name: String) -> String {
        let sep: Character = folder.utf8.contains(0x5C) || !folder.utf8.contains(0x2F) ? "\\" : "/"
        return folder.hasSuffix(String(sep)) ? folder + name : folder + String(sep) + name
    }
}

private extension EDRSourceRow {
    /// A value converted for its column; one that does not convert stays in `extra`.
    func takeConverted<T>(_ field: EDRField, _ convert: (String) -> T?) -> T? {
        guard let text = take(field) else { return nil }
        if let value = convert(text) { return value }
        release(field)
        return nil
    }

    /// A hash as lowercase hex; an all-zero or malformed one stays in `extra` as exported.
    func takeHash(_ field: EDRField) -> String? { takeConverted(field) { Hashes.normalize($0) } }
}
