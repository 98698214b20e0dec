/// A value bound to, or read from, SQL: the four storage classes MailScope uses.
public enum SQLValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as an integer when it is one (or a real with no fraction).
    public var intValue: Int64? {
        switch self {
        case .integer(let v): return v
        case .real(let v): return v.rounded() == v ? Int64(exactly: v) : nil
        default: return nil
        }
    }

    /// The value as text when it is text.
    public var stringValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    public var isNull: Bool { self == .null }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let s): return s
        }
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension Optional where Wrapped == String {
    /// Text or NULL.
    var sql: SQLValue { map(SQLValue.text) ?? .null }
}

extension Optional where Wrapped == Int64 {
    /// Integer or NULL.
    var sql: SQLValue { map(SQLValue.integer) ?? .null }
}

extension SQLValue {
    /// A rule or hunt parameter as typed (`--param window_ms=3600000`, `params:` in a config):
    /// digits bind as an integer, anything else as text.
    public static func parameter(_ text: String) -> SQLValue {
        Int64(text).map(SQLValue.integer) ?? .text(text)
    }

    /// `name=value` split at the first "=" (a missing value is empty text).
    public static func parameter(assignment: String) -> (name: String, value: SQLValue) {
        let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return (parts[0], parameter(parts.count > 1 ? parts[1] : ""))
    }
}
