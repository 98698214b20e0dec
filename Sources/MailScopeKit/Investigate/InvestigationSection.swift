/// A titled part of a summary (`query threat-activity`, `query user`): a stable key for
/// machines (`top_targeted_users`), a title for people, and its table.
public struct InvestigationSection: Sendable {
    /// The section's name in JSON and in the CSV `section` column.
    public var key: String
    /// The heading printed above the table.
    public var title: String
    public var table: InvestigationTable
    /// The option that sets how many rows the section keeps (`--limit`, or `--top` for a
    /// ranking), named when rows were left out.
    public var limitOption: String

    public init(key: String, title: String, table: InvestigationTable, limitOption: String = "--limit") {
        self.key = key
        self.title = title
        self.table = table
        self.limitOption = limitOption
    }
}
