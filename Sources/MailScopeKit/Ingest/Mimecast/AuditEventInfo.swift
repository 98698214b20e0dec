import Foundation

/// The parts of an audit record's free-text `eventInfo` (mimecast-more.md §1):
/// `<summary>, Date: …, Time: …, IP: …, Application: …[, Method: …][, 2FA: …][, Reason: …]`.
///
/// Display names hold commas (`<Doe, John>`), so splitting on commas (as Sentinel's and
/// Elastic's parsers do) cuts them; the known keys are instead anchored from the right, each
/// taken at its last occurrence before the keys that follow it. Variants without commas
/// (`… Date: 2021-10-11 Time: 16:39:17 +0100 IP: …`) and `remote IP : …` / `Remote IP is …`
/// are read too. Whatever is not one of these keys stays in `summary`; the raw text is kept
/// by the caller.
struct AuditEventInfo: Equatable {
    var summary: String?
    var date: String?
    var time: String?
    var ip: String?
    var application: String?
    var method: String?
    var twoFactor: String?
    var reason: String?

    /// The trailing keys, last first: the order in which they are cut off the end.
    enum Key: String, CaseIterable {
        case reason = "Reason", twoFactor = "2FA", method = "Method", application = "Application"
        case ip = "IP", time = "Time", date = "Date"
    }

    /// `local_time`: the text's own date and time, as written (local, not trusted).
    var localTime: String? {
        let parts = [date, time].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    init(summary: String? = nil, date: String? = nil, time: String? = nil, ip: String? = nil, application: String? = nil,
         method: String? = nil, twoFactor: String? = nil, reason: String? = nil) {
        self.summary = summary; self.date = date; self.time = time; self.ip = ip
        self.application = application; self.method = method; self.twoFactor = twoFactor; self.reason = reason
    }

    /// Parses `text` (never fails: text that follows no grammar is all summary).
    init(parsing text: String) {
        var rest = Substring(text)
        for key in Key.allCases {
            guard let cut = AuditEventInfo.lastAnchor(of: key.rawValue, in: rest) else { continue }
            let value = AuditEventInfo.clean(rest[cut.valueStart...])
            rest = rest[..<cut.keyStart]
            guard !value.isEmpty else { continue }
            switch key {
            case .reason: reason = value
            case .twoFactor: twoFactor = value
            case .method: method = value
            case .application: application = value
            case .ip: ip = value
            case .time: time = value
            case .date: date = value
            }
        }
        if ip == nil {
            // "… remote IP : 1.2.3.4 application : LFS" and "Remote IP is 1.2.3.4" (not "is null").
            ip = AuditEventInfo.remoteIP(in: rest)
        }
        if application == nil, let r = rest.range(of: " application : ", options: .backwards) {
            let word = rest[r.upperBound...].prefix { $0 != " " && $0 != "," }
            if !word.isEmpty, r.upperBound < rest.endIndex, rest[r.upperBound...].count == word.count { application = String(word) }
        }
        let s = AuditEventInfo.clean(rest)
        summary = s.isEmpty ? nil : s
    }

    /// Where the last `, Key:` (or ` Key:` at a word start) begins and where its value starts.
    private static func lastAnchor(of key: String, in text: Substring) -> (keyStart: Substring.Index, valueStart: Substring.Index)? {
        var search = text.endIndex
        while let r = text.range(of: key + ":", options: .backwards, range: text.startIndex..<search) {
            search = r.lowerBound
            // The key must begin the text or follow a blank or comma ("Viewed Content:" is not "Content:" …).
            if r.lowerBound == text.startIndex { return (r.lowerBound, r.upperBound) }
            let before = text[text.index(before: r.lowerBound)]
            guard before == " " || before == "," || before == "\n" else { continue }
            var start = r.lowerBound
            while start > text.startIndex, [" ", ",", "\n"].contains(text[text.index(before: start)]) { start = text.index(before: start) }
            return (start, r.upperBound)
        }
        return nil
    }

    /// A value without surrounding blanks, commas and a stray leading colon (`IP: : 1.2.3.4,,`).
    private static func clean(_ s: Substring) -> String {
        var t = s
        while let c = t.first, c == " " || c == "," || c == ":" || c == "\n" { t = t.dropFirst() }
        while let c = t.last, c == " " || c == "," || c == "\n" { t = t.dropLast() }
        return String(t)
    }

    private static func remoteIP(in text: Substring) -> String? {
        for marker in ["remote IP :", "Remote IP is", "remote IP is", "Remote IP :"] {
            guard let r = text.range(of: marker, options: .backwards) else { continue }
            let word = text[r.upperBound...].drop(while: { $0 == " " }).prefix(while: { $0 != " " && $0 != "," })
            if let ip = Host.normalizedIP(String(word)) { return ip }
        }
        return nil
    }
}
