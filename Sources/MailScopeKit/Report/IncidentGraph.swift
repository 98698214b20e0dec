import Foundation

/// One incident as a picture of what connected to what: the sender's infrastructure, its
/// messages grouped by subject, the recipients, their computers, the processes the delivered
/// artifact started and their children, the files written and the destinations reached.
/// Every edge names the evidence it rests on (the rules whose findings it carries, and when);
/// a weak link (a file name, an image name, a domain seen on the host) is marked weak.
///
/// Built from the incident's evidence only (``IncidentGraphBuilder``), so the same database
/// gives the same graph; drawn by ``IncidentGraphSVG`` in the HTML and PDF reports and written
/// as nodes and edges in report.json for other tools to draw. Labels are attacker text and are
/// escaped by whoever renders them.
public struct IncidentGraph: Codable, Sendable, Equatable {
    public var nodes: [Node] = []
    public var edges: [Edge] = []

    /// What a node stands for. The order is the kill chain's, left to right.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case senderIP = "sender_ip"
        case senderDomain = "sender_domain"
        case sender
        /// The campaign's messages with one subject from one sender.
        case message
        case recipient
        /// Recipients not drawn one by one, counted (large incidents).
        case recipients
        /// A clicked URL.
        case url
        case host
        case process
        case file
        /// A domain or address reached from a host.
        case destination
        /// More files or destinations of one process than are drawn, counted.
        case more
        /// From the administration logs: the address an account signed in from, the account
        /// (an admin, a support engineer, an internal sender), the DLP policy its mail triggered.
        case sourceIP = "source_ip"
        case account
        case policy
    }

    /// What an edge says happened.
    public enum Relation: String, Codable, Sendable {
        /// sender domain → sender, sender IP → sender: where the mail came from.
        case sentFrom = "sent_from"
        case sent
        case delivered
        /// Mimecast held, blocked or rejected the copy.
        case stopped
        /// The delivery log covers the day and shows no delivery.
        case notDelivered = "not_delivered"
        /// No delivery log covers the day: whether it was delivered is not known.
        case deliveryUnknown = "delivery_unknown"
        case clicked
        /// recipient → host: the person's computer, linked by the incident's findings.
        case uses
        /// host → process: a process of the chain whose parent is not in the chain.
        case ran
        case started
        case wrote
        case downloaded
        case resolved
        case connected
        /// source IP → account: a console or API sign-in (audit log).
        case loggedOn = "logged_on"
        /// account → DLP policy: the account's mail held or flagged by the policy.
        case triggered
        /// account → recipient: an administrator released the recipient's held copy.
        case released
        /// account → message or clicked URL: an allow entry the account made let it through.
        case permitted
    }

    /// How sure the link is: `strong` (an exact key: a hash, a Message-ID, a process id) is
    /// drawn solid, `weak` (a name, a domain, a time window) dashed.
    public enum Strength: String, Codable, Sendable { case strong, weak }

    public struct Node: Codable, Sendable, Equatable {
        /// Stable within the report: the kind and the value it stands for (`host:ws-0221`).
        public var id: String
        public var kind: Kind
        /// What the node is: an address, a subject, a host name, an image name… (attacker text).
        public var label: String
        /// A second line: counts, a process id, a hash, the delivery state.
        public var detail: String?
        /// The furthest kill-chain stage its evidence shows; nil where no finding rests on it.
        public var stage: Rule.Stage?
        /// For a counted node: how many it stands for.
        public var count: Int?
        /// Its layer, left to right by kill-chain stage.
        public var column: Int
    }

    public struct Edge: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public var relation: Relation
        /// Rule ids whose findings rest on this link (sorted); empty for a link that only
        /// follows the process chain or the mail's own fields.
        public var rules: [String]
        /// When it happened (the earliest row it rests on).
        public var ts: Timestamp?
        public var strength: Strength
        /// For an edge to a counted node: how many it stands for.
        public var count: Int?
    }

    /// The node with id `id`.
    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }
}
