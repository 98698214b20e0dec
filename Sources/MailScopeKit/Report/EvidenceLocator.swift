/// Where a row was read: `file:line`, or `file:line#n` for the n-th record of a line that
/// holds several (a one-line TTP log page or API 1.0 envelope), so a locator always names
/// exactly one record. The queries of `mailscope query` build the same text in SQL
/// (`path || ':' || line_no || COALESCE('#' || record_no, '')`).
public enum EvidenceLocator {
    public static func text(file: String, line: Int64, record: Int64?) -> String {
        guard let record else { return "\(file):\(line)" }
        return "\(file):\(line)#\(record)"
    }
}
