import Foundation

extension ReportModel {
    /// The report of one incident, to hand over on its own: that incident, its DUET questions
    /// and indicators, a summary of it alone; the methodology (inputs, rules, feeds, coverage)
    /// stays whole, since it is what the conclusions rest on.
    public func only(incident id: Int) -> ReportModel {
        var copy = self
        copy.incidents = incidents.filter { $0.id == id }
        copy.duet = duet.filter { $0.incident == id }
        copy.indicators = indicators.filter { $0.incident == id }
        copy.timelineEvents = timelineEvents.filter { $0.incidents.contains(id) }
        copy.summary = Summary(incidents: copy.incidents, findings: copy.incidents.reduce(0) { $0 + $1.findings.count },
                               duetQuestions: copy.duet.count)
        return copy
    }
}
