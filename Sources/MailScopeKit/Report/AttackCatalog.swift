/// What the exchange formats need to know about the ATT&CK techniques rules cite
/// (``AttackTechniques/valid``): each technique's name as MITRE writes it (MISP's galaxy tags
/// are `"Name - T1566.001"`, a sub-technique by its own name) and the tactics it serves (STIX
/// kill-chain phases named as `mitre-attack` phases, OCSF `attacks[].tactic`). Kept beside the
/// set of valid ids: a test checks every valid id has an entry here.
public enum AttackCatalog {
    /// The ATT&CK Enterprise release the names and tactics follow.
    public static let version = "v16"

    /// One technique: its name and its tactics (ATT&CK Enterprise short names).
    public struct Technique: Sendable, Equatable {
        public var name: String
        public var tactics: [String]
    }

    /// The tactics' display names by short name, with their ATT&CK ids (OCSF `tactic.uid`).
    public static let tactics: [String: (uid: String, name: String)] = [
        "reconnaissance": ("TA0043", "Reconnaissance"), "resource-development": ("TA0042", "Resource Development"),
        "initial-access": ("TA0001", "Initial Access"), "execution": ("TA0002", "Execution"), "persistence": ("TA0003", "Persistence"),
        "privilege-escalation": ("TA0004", "Privilege Escalation"), "defense-evasion": ("TA0005", "Defense Evasion"),
        "credential-access": ("TA0006", "Credential Access"),
        "lateral-movement": ("TA0008", "Lateral Movement"), "collection": ("TA0009", "Collection"),
        "command-and-control": ("TA0011", "Command and Control"), "exfiltration": ("TA0010", "Exfiltration"),
    ]

    public static let techniques: [String: Technique] = [
        "T1566": .init(name: "Phishing", tactics: ["initial-access"]),
        "T1566.001": .init(name: "Spearphishing Attachment", tactics: ["initial-access"]),
        "T1566.002": .init(name: "Spearphishing Link", tactics: ["initial-access"]),
        "T1566.003": .init(name: "Spearphishing via Service", tactics: ["initial-access"]),
        "T1566.004": .init(name: "Spearphishing Voice", tactics: ["initial-access"]),
        "T1598": .init(name: "Phishing for Information", tactics: ["reconnaissance"]),
        "T1598.001": .init(name: "Spearphishing Service", tactics: ["reconnaissance"]),
        "T1598.002": .init(name: "Spearphishing Attachment", tactics: ["reconnaissance"]),
        "T1598.003": .init(name: "Spearphishing Link", tactics: ["reconnaissance"]),
        "T1598.004": .init(name: "Spearphishing Voice", tactics: ["reconnaissance"]),
        "T1204": .init(name: "User Execution", tactics: ["execution"]),
        "T1204.001": .init(name: "Malicious Link", tactics: ["execution"]),
        "T1204.002": .init(name: "Malicious File", tactics: ["execution"]),
        "T1204.003": .init(name: "Malicious Image", tactics: ["execution"]),
        "T1656": .init(name: "Impersonation", tactics: ["defense-evasion"]),
        "T1534": .init(name: "Internal Spearphishing", tactics: ["lateral-movement"]),
        "T1078": .init(name: "Valid Accounts", tactics: ["defense-evasion", "persistence", "privilege-escalation", "initial-access"]),
        "T1078.004": .init(name: "Cloud Accounts", tactics: ["defense-evasion", "persistence", "privilege-escalation", "initial-access"]),
        "T1027": .init(name: "Obfuscated Files or Information", tactics: ["defense-evasion"]),
        "T1027.006": .init(name: "HTML Smuggling", tactics: ["defense-evasion"]),
        "T1027.009": .init(name: "Embedded Payloads", tactics: ["defense-evasion"]),
        "T1027.013": .init(name: "Encrypted/Encoded File", tactics: ["defense-evasion"]),
        "T1059": .init(name: "Command and Scripting Interpreter", tactics: ["execution"]),
        "T1059.001": .init(name: "PowerShell", tactics: ["execution"]),
        "T1059.003": .init(name: "Windows Command Shell", tactics: ["execution"]),
        "T1059.005": .init(name: "Visual Basic", tactics: ["execution"]),
        "T1059.007": .init(name: "JavaScript", tactics: ["execution"]),
        "T1218": .init(name: "System Binary Proxy Execution", tactics: ["defense-evasion"]),
        "T1218.005": .init(name: "Mshta", tactics: ["defense-evasion"]),
        "T1218.010": .init(name: "Regsvr32", tactics: ["defense-evasion"]),
        "T1218.011": .init(name: "Rundll32", tactics: ["defense-evasion"]),
        "T1105": .init(name: "Ingress Tool Transfer", tactics: ["command-and-control"]),
        "T1071": .init(name: "Application Layer Protocol", tactics: ["command-and-control"]),
        "T1071.001": .init(name: "Web Protocols", tactics: ["command-and-control"]),
        "T1071.004": .init(name: "DNS", tactics: ["command-and-control"]),
        "T1114": .init(name: "Email Collection", tactics: ["collection"]),
        "T1114.002": .init(name: "Remote Email Collection", tactics: ["collection"]),
        "T1114.003": .init(name: "Email Forwarding Rule", tactics: ["collection"]),
        "T1583": .init(name: "Acquire Infrastructure", tactics: ["resource-development"]),
        "T1583.001": .init(name: "Domains", tactics: ["resource-development"]),
        "T1585": .init(name: "Establish Accounts", tactics: ["resource-development"]),
        "T1585.002": .init(name: "Email Accounts", tactics: ["resource-development"]),
        "T1586": .init(name: "Compromise Accounts", tactics: ["resource-development"]),
        "T1586.002": .init(name: "Email Accounts", tactics: ["resource-development"]),
        "T1567": .init(name: "Exfiltration Over Web Service", tactics: ["exfiltration"]),
        "T1567.002": .init(name: "Exfiltration to Cloud Storage", tactics: ["exfiltration"]),
        "T1570": .init(name: "Lateral Tool Transfer", tactics: ["lateral-movement"]),
        "T1189": .init(name: "Drive-by Compromise", tactics: ["initial-access"]),
        "T1036": .init(name: "Masquerading", tactics: ["defense-evasion"]),
        "T1036.008": .init(name: "Masquerade File Type", tactics: ["defense-evasion"]),
        "T1553.005": .init(name: "Mark-of-the-Web Bypass", tactics: ["defense-evasion"]),
        "T1608.005": .init(name: "Link Target", tactics: ["resource-development"]),
        "T1110": .init(name: "Brute Force", tactics: ["credential-access"]),
        "T1562": .init(name: "Impair Defenses", tactics: ["defense-evasion"]),
        "T1562.001": .init(name: "Impair Defenses: Disable or Modify Tools", tactics: ["defense-evasion"]),
        "T1199": .init(name: "Trusted Relationship", tactics: ["initial-access"]),
        "T1048": .init(name: "Exfiltration Over Alternative Protocol", tactics: ["exfiltration"]),
        "T1048.003": .init(name: "Exfiltration Over Unencrypted Non-C2 Protocol", tactics: ["exfiltration"]),
    ]

    /// The tactics of `techniques`, each once, in ATT&CK's kill-chain order.
    public static func tactics(of techniques: [String]) -> [String] {
        let found = Set(techniques.flatMap { self.techniques[$0]?.tactics ?? [] })
        return order.filter(found.contains)
    }

    /// ATT&CK Enterprise's tactic order.
    static let order = ["reconnaissance", "resource-development", "initial-access", "execution", "persistence",
                        "privilege-escalation", "defense-evasion", "credential-access", "lateral-movement", "collection", "command-and-control", "exfiltration"]

    /// MISP's galaxy tag for a technique (`misp-galaxy:mitre-attack-pattern="Phishing - T1566"`),
    /// nil for an id not in the catalog.
    public static func mispTag(_ id: String) -> String? {
        techniques[id].map { "misp-galaxy:mitre-attack-pattern=\"\($0.name) - \(id)\"" }
    }
}
