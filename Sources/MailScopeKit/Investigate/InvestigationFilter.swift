import Foundation

/// What an investigation is narrowed to: a person, a sender, a domain, a URL, a file hash, a
/// message, a period.
///
/// Values are normalized the way ingest stores them (addresses and domains lowercased,
/// Message-IDs without `<>`, hashes lowercase) and only ever reach SQL as bound parameters.
/// Each query says in a ``Columns`` value, made of constant SQL fragments, which of its columns
/// a filter reads; a filter the query has no fragment for is refused, never ignored.
public struct InvestigationFilter: Equatable, Sendable {
    /// A person: the clicker, the recipient, the mailbox owner.
    public var user: String?
    /// An envelope sender address.
    public var sender: String?
    /// A domain; it also matches its subdomains (`acme-c0rp.example` matches `mail.acme-c0rp.example`).
    public var domain: String?
    /// Text the URL (as seen or unwrapped) contains, lowercased: matched without regard to case.
    public var url: String?
    /// A SHA-256, lowercase hex.
    public var sha256: String?
    /// A Message-ID without `<>`.
    public var messageID: String?
    /// The first millisecond of the period (inclusive).
    public var since: Int64?
    /// The end of the period (exclusive): the day after a bare date, the millisecond after a time.
    public var until: Int64?

    /// The filters by their command-line names.
    public enum Field: String, CaseIterable, Sendable {
        case user, sender, domain, url, sha256, messageID = "message-id", since, until

        /// The option as typed, `--message-id`.
        public var option: String { "--" + rawValue }
    }

    /// No filter: everything in the database.
    public init() {}

    /// Normalizes and checks command-line values; throws ``InvestigationError`` naming the
    /// option when one cannot be what it asks for.
    public init(user: String? = nil, sender: String? = nil, domain: String? = nil, url: String? = nil,
                sha256: String? = nil, messageID: String? = nil, since: String? = nil, until: String? = nil) throws {
        self.user = try user.map { try Self.address($0, option: Field.user.option) }
        self.sender = try sender.map { try Self.address($0, option: Field.sender.option) }
        self.domain = try domain.map(Self.domainName)
        self.url = try url.map { text in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard !trimmed.isEmpty else { throw InvestigationError.badValue(option: "--url", value: text, expected: "part of a URL, e.g. login.acme-c0rp-secure.com/owa") }
            return trimmed
        }
        self.sha256 = try sha256.map(Self.hash)
        self.messageID = try messageID.map { try Self.messageID($0) }
        self.since = try since.map { try Self.time($0, option: Field.since.option, endOfPeriod: false) }
        self.until = try until.map { try Self.time($0, option: Field.until.option, endOfPeriod: true) }
        if let s = self.since, let u = self.until, s >= u { throw InvestigationError.emptyPeriod }
    }

    /// The filters that are set, in ``Field`` order.
    public var fields: [Field] {
        Field.allCases.filter { field in
            switch field {
            case .user: return user != nil
            case .sender: return sender != nil
            case .domain: return domain != nil
            case .url: return url != nil
            case .sha256: return sha256 != nil
            case .messageID: return messageID != nil
            case .since: return since != nil
            case .until: return until != nil
            }
        }
    }

    /// The same filter keeping only the period (for the sections of a person's profile).
    public var periodOnly: InvestigationFilter {
        var f = InvestigationFilter()
        f.since = since
        f.until = until
        return f
    }

    // MARK: - SQL

    /// How each filter reads on one query's rows: constant SQL fragments over the query's
    /// table aliases, using the named parameters `:user`, `:sender`, `:domain`,
    /// `:domain_suffix`, `:url`, `:sha256`, `:message_id`, `:since` and `:until`.
    public struct Columns: Sendable {
        /// The query's name, for the error when a filter does not apply (`query url`).
        public var query: String
        public var user: String?
        public var sender: String?
        public var domain: String?
        public var url: String?
        public var sha256: String?
        public var messageID: String?
        public var since: String?
        public var until: String?

        public init(query: String, user: String? = nil, sender: String? = nil, domain: String? = nil, url: String? = nil,
                    sha256: String? = nil, messageID: String? = nil, time: String? = nil) {
            self.query = query
            self.user = user
            self.sender = sender
            self.domain = domain
            self.url = url
            self.sha256 = sha256
            self.messageID = messageID
            // `time` is a column of the query (a constant), never a value.
            self.since = time.map { "\($0) >= :since" }
            self.until = time.map { "\($0) < :until" }
        }

        /// The fragment matching `:domain` on any of `columns` (constants), the domain itself or
        /// a subdomain of it. `substr` rather than `LIKE`, so `%` or `_` in a value are plain text.
        public static func domainMatch(_ columns: String...) -> String {
            "(" + columns.map { "\($0) = :domain OR substr(\($0), -length(:domain_suffix)) = :domain_suffix" }.joined(separator: " OR ") + ")"
        }

        func fragment(_ field: Field) -> String? {
            switch field {
            case .user: return user
            case .sender: return sender
            case .domain: return domain
            case .url: return url
            case .sha256: return sha256
            case .messageID: return messageID
            case .since: return since
            case .until: return until
            }
        }
    }

    /// A WHERE-clause tail (each condition as ` AND (…)`) and the values it binds by name.
    public struct Clause: Equatable, Sendable {
        public var sql: String
        public var parameters: [String: SQLValue]

        /// Where a query's constant SQL takes the clause, when it does not simply end with it.
        static let placeholder = "/*filter*/"

        /// `sql` with the clause at its ``placeholder``.
        func inserted(into sql: String) -> String {
            sql.replacingOccurrences(of: Self.placeholder, with: self.sql)
        }
    }

    /// The conditions for `columns` and their bound values. Throws
    /// ``InvestigationError/filterNotApplicable(option:query:)`` for a filter the query cannot
    /// apply: silently ignoring it would show rows the user asked to exclude.
    public func clause(for columns: Columns) throws -> Clause {
        var sql = ""
        for field in fields {
            guard let fragment = columns.fragment(field) else {
                throw InvestigationError.filterNotApplicable(option: field.option, query: columns.query)
            }
            sql += " AND (" + fragment + ")"
        }
        return Clause(sql: sql, parameters: parameters)
    }

    /// Every value by parameter name; names a statement does not use are not bound.
    public var parameters: [String: SQLValue] {
        var p: [String: SQLValue] = [:]
        if let user { p["user"] = .text(user) }
        if let sender { p["sender"] = .text(sender) }
        if let domain {
            p["domain"] = .text(domain)
            p["domain_suffix"] = .text("." + domain)
        }
        if let url { p["url"] = .text(url) }
        if let sha256 { p["sha256"] = .text(sha256) }
        if let messageID { p["message_id"] = .text(messageID) }
        if let since { p["since"] = .integer(since) }
        if let until { p["until"] = .integer(until) }
        return p
    }

    // MARK: - Values

    /// An email address as ingest stores it (`"Helen" <Helen.Ashby@X>` → `helen.ashby@x`).
    public static func address(_ text: String, option: String) throws -> String {
        guard let a = EmailAddress.normalize(text), let at = a.firstIndex(of: "@"), at != a.startIndex, a.index(after: at) != a.endIndex else {
            throw InvestigationError.badValue(option: option, value: text, expected: "an email address, e.g. helen.ashby@acme-corp.example")
        }
        return a
    }

    /// A domain name, lowercased, without a leading `@` or `*.` or a trailing dot.
    public static func domainName(_ text: String) throws -> String {
        var d = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for prefix in ["@", "*."] where d.hasPrefix(prefix) { d.removeFirst(prefix.count) }
        while d.hasSuffix(".") { d.removeLast() }
        guard !d.isEmpty, !d.contains(where: { $0 == "@" || $0 == "/" || $0 == ":" || $0.isWhitespace }) else {
            throw InvestigationError.badValue(option: "--domain", value: text, expected: "a domain name, e.g. acme-c0rp.example")
        }
        return d
    }

    /// A SHA-256: 64 hex digits, any case.
    public static func hash(_ text: String) throws -> String {
        let h = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard h.utf8.count == 64, h.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw InvestigationError.badValue(option: "--sha256", value: text, expected: "a SHA-256, 64 hex digits")
        }
        return h
    }

    /// A Message-ID with or without `<>`.
    public static func messageID(_ text: String, option: String = Field.messageID.option) throws -> String {
        guard let id = MessageID.normalize(text) else {
            throw InvestigationError.badValue(option: option, value: text, expected: "a Message-ID, e.g. <cf83fc60d3bb7bbc74864185$a81f8535@mail.halvorsen-billing.example>")
        }
        return id
    }

    /// A time as UTC milliseconds: ISO 8601 (`2026-11-02`, `2026-11-02T09:00:00Z`, with an
    /// offset, without a zone meaning UTC) or epoch digits. The end of a period includes the
    /// whole day of a bare date and the whole millisecond of a time, so `--until 2026-11-02`
    /// reads as "to the end of 2 November".
    public static func time(_ text: String, option: String, endOfPeriod: Bool) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let ms = TimeParser.parse(trimmed), TimeParser.plausibleRange.contains(ms) else {
            throw InvestigationError.badTime(option: option, value: text)
        }
        guard endOfPeriod else { return ms }
        let bareDate = trimmed.utf8.count == 10 && trimmed.utf8.filter { $0 == UInt8(ascii: "-") }.count == 2
        return ms + (bareDate ? 86_400_000 : 1)
    }
}
