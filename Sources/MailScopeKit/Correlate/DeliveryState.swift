/// What became of one recipient's copy of a campaign's mail. A copy not seen delivered is
/// `stopped` only where Mimecast's own action says so, `notDelivered` where the delivery log
/// covers the day and shows no delivery, and `unknown` where no delivery log covers it —
/// absent evidence is never read as "not delivered".
public enum DeliveryState: String, Codable, Sendable, CaseIterable {
    case delivered
    case stopped
    case notDelivered = "not-delivered"
    case unknown

    /// How the reports say it.
    public var text: String {
        switch self {
        case .delivered: "delivered"
        case .stopped: "held or blocked"
        case .notDelivered: "not delivered"
        case .unknown: "delivery unknown"
        }
    }
}
