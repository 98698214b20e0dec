/// The MITRE ATT&CK (Enterprise) technique ids rules may cite. `rules validate` rejects
/// anything else, so a typo or a wrong mapping cannot slip into a report.
public enum AttackTechniques {
    public static let valid: Set<String> = [
        "T1566", "T1566.001", "T1566.002", "T1566.003", "T1566.004",
        "T1598", "T1598.001", "T1598.002", "T1598.003", "T1598.004",
        "T1204", "T1204.001", "T1204.002", "T1204.003",
        "T1656", "T1534", "T1078", "T1078.004", "T1027", "T1027.006", "T1027.009", "T1027.013",
        "T1059", "T1059.001", "T1059.003", "T1059.005", "T1059.007",
        "T1218", "T1218.005", "T1218.010", "T1218.011", "T1105", "T1071", "T1071.001", "T1071.004",
        "T1114", "T1114.002", "T1114.003", "T1583", "T1583.001", "T1585", "T1585.002", "T1586", "T1586.002",
        "T1567", "T1567.002", "T1570", "T1189", "T1036", "T1036.008", "T1553.005", "T1608.005",
    ]
}
