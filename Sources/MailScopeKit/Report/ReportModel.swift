import Foundation

/// Everything a report says, built from the database only (plus the rule texts for titles and
/// DUET questions), in a stable order: the same database and options give the same model and
/// so the same bytes in every format. `report.json` is this model encoded (the contract in
/// DESIGN.md, documented in docs/report-schema.json); the HTML and Markdown reports render it.
public struct ReportModel: Codable, Sendable {
    public var schemaVersion = 1
    public var tool: Tool
    public var generatedAt: Timestamp
    public var command: String?
    public var dataWindow: Window
    public var summary: Summary
    public var incidents: [Incident]
    public var duet: [DuetItem]
    public var indicators: [IndicatorRow]
    public var inputs: [Input]
    public var rules: [RuleRef]
    public var feeds: [Feed]
    public var watchLists: [WatchListRef]
    /// The suppression list's entries, each with the findings it set aside (`suppress:`); nil
    /// (absent from report.json) when no list is stored.
    public var suppressions: [Suppression]? = nil
    public var statistics: Statistics
    public var rejects: Rejects
    /// Which log types the data holds for which days: what the conclusions could see.
    public var coverage: [CoverageRow] = []
    /// The raw events around the incidents, for timeline.jsonl only (not part of report.json,
    /// whose findings already point at their rows).
    public var timelineEvents: [TimelineEvent] = []
    /// The zone EDR times exported without one were read in (`--edr-tz`, `edr_tz:`) by the run
    /// described, as given; absent when they were read as UTC.
    public var edrTimeZone: String?
    /// The zone the HTML and Markdown reports show times in (`--display-tz`). Not part of
    /// report.json, which keeps every time in UTC whatever the reader's zone.
    public var displayTimeZone: TimeZoneOffsets = .utc

    /// One log type's coverage: its days, the days missing between its first and last, and
    /// (for an EDR product) how many hosts it covers. A log type with no rows says so.
    public struct CoverageRow: Codable, Sendable {
        public var log: String
        public var days: Int
        public var firstDay: String?
        public var lastDay: String?
        public var rows: Int64
        public var gaps: [String]
        public var hosts: Int?
        enum CodingKeys: String, CodingKey { case log, days, firstDay = "first_day", lastDay = "last_day", rows, gaps, hosts }
    }

    /// The tool and the data shipped in it that shapes conclusions: the Public Suffix List
    /// version decides which registrable domain a host belongs to (campaign grouping).
    public struct Tool: Codable, Sendable {
        public var name: String
        public var version: String
        public var publicSuffixList: String?
        enum CodingKeys: String, CodingKey { case name, version, publicSuffixList = "public_suffix_list" }
    }
    public struct Window: Codable, Sendable { public var firstSeen: Timestamp?; public var lastSeen: Timestamp? }

    public struct Summary: Codable, Sendable {
        public var incidents: Int
        public var bySeverity: [String: Int]
        public var highestSeverity: Rule.Severity?
        public var findings: Int
        public var duetQuestions: Int
        public var recipients: Int
        public var interactedUsers: Int
        public var hosts: Int
        /// One line per incident that needs someone today (high and critical), most severe first.
        public var actNow: [String]
    }

    /// Where a row came from: the input file (path and SHA-256) and its line.
    public struct Evidence: Codable, Sendable, Hashable {
        public var table: String
        public var row: Int64
        public var file: String?
        public var sha256: String?
        public var line: Int64?
        /// The record's 1-based index within `line` when the line holds several records
        /// (absent when it holds one): the locator is then `file:line#record`.
        public var record: Int64?
    }

    public struct Finding: Codable, Sendable {
        public var id: Int64
        public var ruleId: String
        public var ruleVersion: Int
        public var kind: Rule.Kind
        public var severity: Rule.Severity
        public var stage: Rule.Stage?
        public var ts: Timestamp
        public var user: String?
        public var host: String?
        public var sender: String?
        public var subject: String?
        public var indicator: String?
        public var summary: String
        public var matchKey: String?
        public var matchStrength: String?
        public var evidence: [Evidence]
    }

    public struct Person: Codable, Sendable {
        public var user: String
        public var received: Bool
        public var delivered: Bool
        public var interacted: Bool
        public var stage: Rule.Stage
        public var stageEvidence: Evidence?
        /// What became of their copy (nil in incidents built before the state was kept).
        public var delivery: DeliveryState? = nil
        /// Mimecast Awareness Training's view of them, when an export names them.
        public var awareness: AwarenessProfile? = nil
    }

    public struct HostRow: Codable, Sendable {
        public var host: String
        public var user: String?
        public var stage: Rule.Stage
        public var firstSeen: Timestamp
        public var evidenceRows: Int
    }

    public struct IndicatorRow: Codable, Sendable {
        public var type: String
        public var value: String
        public var incident: Int?
        public var recipients: Int
        public var hosts: Int
        public var firstSeen: Timestamp?
        public var lastSeen: Timestamp?
        public var feeds: String?
        /// How many sender domains' mail carried it (sender IPs and clicked domains).
        public var senderDomains: Int = 0
        /// Shared infrastructure: shown as context, left out of iocs.csv.
        public var shared: Bool = false
        /// The organisation's own (its domain, a sender or URL in it): context, never to block.
        public var own: Bool = false
        /// What the exports hand on as something to block: neither shared nor our own.
        public var blockable: Bool { !shared && !own }
    }

    public struct Indicators: Codable, Sendable {
        public var sha256: [String] = []
        public var urls: [String] = []
        public var domains: [String] = []
        public var ips: [String] = []
        public var senders: [String] = []
        public var senderDomains: [String] = []
        public var fileNames: [String] = []
    }

    public struct Incident: Codable, Sendable {
        public var id: Int
        public var key: String
        public var title: String
        public var severity: Rule.Severity
        public var stage: Rule.Stage
        public var attack: [String]
        /// The subjects of the campaign's flagged messages, as sent (attacker text).
        public var subjects: [String]
        public var firstSeen: Timestamp
        public var lastSeen: Timestamp
        public var reasons: [String]
        public var actions: [String]
        public var recipients: [String]
        public var deliveredTo: [String]
        public var interactedUsers: [String]
        public var hosts: [String]
        public var people: [Person]
        public var hostDetails: [HostRow]
        public var indicators: Indicators
        public var indicatorDetails: [IndicatorRow]
        public var messages: [String]
        public var findings: [Finding]
        /// The analyst's decision in force (`mailscope triage`), if any.
        public var triage: IncidentTriage? = nil
        /// The delivered copies by Message-ID: what a purge has to remove, and where.
        public var deliveredCopies: [DeliveredCopy] = []
        /// For each host: the endpoint rows linking it to the campaign and the process chain
        /// that followed (``HostActivity/story(_:incident:host:)``).
        public var hostActivity: [HostStory] = []
        /// How the attack moved: nodes and edges (``IncidentGraph``).
        public var graph = IncidentGraph()
        /// What accounts did around it, oldest first: releases of held copies, sign-ins after
        /// failures, support logins, allow entries, archive access, and what a suspicious
        /// session changed (``AdministrationStep``).
        public var administration: [AdministrationEntry] = []
    }

    /// One administration step of an incident, with the log row that records it.
    public struct AdministrationEntry: Codable, Sendable, Equatable {
        public var time: Timestamp?
        public var account: String?
        public var role: String
        public var action: String
        /// What the log says (attacker-controlled text possible: escape where shown).
        public var detail: String
        public var sourceIp: String?
        /// Whom or what it acted on: the recipient of a released copy, the permitted domain.
        public var target: String?
        public var ruleId: String?
        public var evidence: Evidence?
    }

    /// One message's delivered copies.
    public struct DeliveredCopy: Codable, Sendable, Equatable {
        public var messageId: String
        public var recipients: [String]
        enum CodingKeys: String, CodingKey { case messageId = "message_id", recipients }
    }

    /// What happened on one host of an incident, oldest first.
    public struct HostStory: Codable, Sendable {
        public var host: String
        public var events: [HostActivity.Event]
    }

    public struct DuetItem: Codable, Sendable {
        public var ruleId: String
        public var ruleVersion: Int
        public var incident: Int?
        public var ts: Timestamp
        public var user: String?
        public var sender: String?
        public var question: String
        public var summary: String
        public var evidence: [Evidence]
    }

    public struct Input: Codable, Sendable {
        public var path: String
        public var sha256: String
        public var format: String
        public var bytes: Int64
        public var records: Int64
        public var rows: Int64
        public var duplicates: Int64
        public var rejected: Int64
        public var firstSeen: Timestamp?
        public var lastSeen: Timestamp?
    }

    public struct RuleRef: Codable, Sendable {
        public var id: String
        public var version: Int
        public var kind: Rule.Kind
        public var severity: Rule.Severity
        public var sha256: String
        public var title: String
        public var attack: [String]
        /// The parameters the rule ran with (thresholds and windows), as name=value.
        public var params: [String: String]
        public var findings: Int
    }

    public struct Feed: Codable, Sendable {
        public var name: String
        public var path: String?
        public var sha256: String?
        public var format: String?
        public var indicators: Int
    }

    public struct WatchListRef: Codable, Sendable {
        public var name: String
        public var path: String
        public var sha256: String
        public var people: Int
    }

    public struct Statistics: Codable, Sendable {
        public var rowsByTable: [String: Int64]
        public var findingsByRule: [String: Int]
        public var identities: Int
        public var identityIssues: [String: Int]
    }

    public struct Rejects: Codable, Sendable {
        public var total: Int
        public var byReason: [String: Int]
    }

    /// What the caller decides: when the report was made (SOURCE_DATE_EPOCH or now), the
    /// command line, and the rules (for titles and DUET questions).
    public struct Options: Sendable {
        public var generatedAt: Date
        public var command: String?
        public var rules: [Rule]
        /// Opt-in rules the detection run turned on (listed with the default ones).
        public var enabled: Set<String>
        /// Rule parameters the detection run overrode (`--param`, `params:`), shown instead of
        /// the defaults for every rule declaring them.
        public var parameters: [String: String]
        /// `--edr-tz` of the run described, as given.
        public var edrTimeZone: String?
        /// The zone the HTML and Markdown reports show times in.
        public var displayTimeZone: TimeZoneOffsets
        public init(generatedAt: Date, command: String? = nil, rules: [Rule], enabled: Set<String> = [], parameters: [String: String] = [:],
                    edrTimeZone: String? = nil, displayTimeZone: TimeZoneOffsets = .utc) {
            self.generatedAt = generatedAt
            self.command = command
            self.rules = rules
            self.enabled = enabled
            self.parameters = parameters
            self.edrTimeZone = edrTimeZone
            self.displayTimeZone = displayTimeZone
        }

        /// `SOURCE_DATE_EPOCH` when set (reproducible builds' convention), otherwise now.
        public static func reportTime(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
            if let s = environment["SOURCE_DATE_EPOCH"], let seconds = Double(s) { return Date(timeIntervalSince1970: seconds) }
            return Date()
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", tool, generatedAt = "generated_at", command, dataWindow = "data_window", summary
        case incidents, duet, indicators, inputs, rules, feeds, watchLists = "watch_lists", statistics, rejects, coverage
        case suppressions
        case edrTimeZone = "edr_tz"
    }
}

extension ReportModel.Window { enum CodingKeys: String, CodingKey { case firstSeen = "first_seen", lastSeen = "last_seen" } }
extension ReportModel.Summary {
    enum CodingKeys: String, CodingKey {
        case incidents, bySeverity = "by_severity", highestSeverity = "highest_severity", findings, duetQuestions = "duet_questions"
        case recipients, interactedUsers = "interacted_users", hosts, actNow = "act_now"
    }
}
extension ReportModel.Finding {
    enum CodingKeys: String, CodingKey {
        case id, ruleId = "rule_id", ruleVersion = "rule_version", kind, severity, stage, ts, user, host, sender, subject, indicator
        case summary, matchKey = "match_key", matchStrength = "match_strength", evidence
    }
}
extension ReportModel.Person {
    enum CodingKeys: String, CodingKey { case user, received, delivered, interacted, stage, stageEvidence = "stage_evidence", delivery, awareness }
}
extension ReportModel.HostRow {
    enum CodingKeys: String, CodingKey { case host, user, stage, firstSeen = "first_seen", evidenceRows = "evidence_rows" }
}
extension ReportModel.IndicatorRow {
    enum CodingKeys: String, CodingKey {
        case type, value, incident, recipients, hosts, firstSeen = "first_seen", lastSeen = "last_seen", feeds
        case senderDomains = "sender_domains", shared, own
    }
}
extension ReportModel.Indicators {
    enum CodingKeys: String, CodingKey {
        case sha256, urls, domains, ips, senders, senderDomains = "sender_domains", fileNames = "file_names"
    }
}
extension ReportModel.Incident {
    enum CodingKeys: String, CodingKey {
        case id, key, title, severity, stage, attack, subjects, firstSeen = "first_seen", lastSeen = "last_seen", reasons, actions
        case recipients, deliveredTo = "delivered_to", interactedUsers = "interacted_users", hosts, people
        case hostDetails = "host_details", indicators, indicatorDetails = "indicator_details", messages, findings
        case triage
        case deliveredCopies = "delivered_copies", hostActivity = "host_activity", graph, administration
    }
}
extension ReportModel.AdministrationEntry {
    enum CodingKeys: String, CodingKey { case time, account, role, action, detail, sourceIp = "source_ip", target, ruleId = "rule_id", evidence }
}
extension ReportModel.DuetItem {
    enum CodingKeys: String, CodingKey { case ruleId = "rule_id", ruleVersion = "rule_version", incident, ts, user, sender, question, summary, evidence }
}
extension ReportModel.Input {
    enum CodingKeys: String, CodingKey {
        case path, sha256, format, bytes, records, rows, duplicates, rejected, firstSeen = "first_seen", lastSeen = "last_seen"
    }
}
extension ReportModel.WatchListRef { enum CodingKeys: String, CodingKey { case name, path, sha256, people } }
extension ReportModel.Statistics {
    enum CodingKeys: String, CodingKey {
        case rowsByTable = "rows_by_table", findingsByRule = "findings_by_rule", identities, identityIssues = "identity_issues"
    }
}
extension ReportModel.Rejects { enum CodingKeys: String, CodingKey { case total, byReason = "by_reason" } }
