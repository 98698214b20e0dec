import Foundation

/// Where an alert points a responder: the run's report that shows the incident.
enum AlertReport {
    /// report.html#incident-N when the run wrote HTML, else report.md, else report.json; nil
    /// when it wrote none of them.
    static func link(incident: Int64, files: [String]) -> String? {
        if let html = files.first(where: { $0.hasSuffix("/report.html") || $0 == "report.html" }) { return html + "#incident-\(incident)" }
        return files.first { $0.hasSuffix("/report.md") } ?? files.first { $0.hasSuffix("/report.json") }
    }
}
