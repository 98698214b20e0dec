/// The tool's version, printed by `--version` and recorded in reports and the `run` table.
public enum MailScopeVersion {
    public static let string = "0.1.0"
}
