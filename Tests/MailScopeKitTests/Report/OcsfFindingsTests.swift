import Foundation
import Testing
@testable import MailScopeKit

/// findings.ocsf.jsonl: OCSF Detection Findings and Incident Findings from the report model.
@Suite struct OcsfFindingsTests {
    @Test(arguments: [(Rule.Severity.info, 1, "Informational"), (.low, 2, "Low"), (.medium, 3, "Medium"), (.high, 4, "High"), (.critical, 5, "Critical")])
    func severityMapsToOCSFSeverityID(severity: Rule.Severity, id: Int, name: String) {
        #expect(OcsfFindings.severity(severity).id == id)
        #expect(OcsfFindings.severity(severity).name == name)
    }

    @Test(arguments: [(Triage.Status.confirmed, false, 2, 2, 2), (.falsePositive, false, 3, 5, 1), (.benign, false, 3, 5, 5), (.falsePositive, true, 1, 1, nil),
                      (.open, false, 1, 1, nil)] as [(Triage.Status, Bool, Int, Int, Int?)])
    func triageDecidesStatusAndVerdict(status: Triage.Status, reopened: Bool, finding: Int, incident: Int, verdict: Int?) {
        let t = ReportModel.IncidentTriage(status: status, note: "", by: "ana", at: Timestamp(0), stageWhenDecided: .delivery, key: "k", reopened: reopened)
        #expect(OcsfFindings.findingStatus(t).id == finding)
        #expect(OcsfFindings.incidentStatus(t).id == incident)
        #expect(OcsfFindings.verdict(t)?.id == verdict)
        #expect(OcsfFindings.findingStatus(nil).id == 1)
    }

    @Test(arguments: [(String(repeating: "ab", count: 32), 8), ("192.0.2.1", 2), ("a@b.example", 5), ("b.example/x", 6), ("b.example", 1)])
    func observableTypesFollowTheValue(value: String, type: Int) {
        #expect(OcsfFindings.observableType(value)?.id == type)
        #expect(OcsfFindings.observableType("Compromised") == nil)
    }

    @Test func eachFindingIsOneLineAndTheIncidentLinksThemWhateverTheText() throws {
        let model = ExchangeModel.make(triage: .init(status: .confirmed, note: "", by: "ana", at: Timestamp(0), stageWhenDecided: .execution, key: "k", reopened: false))
        let text = OcsfFindings.text(model)
        #expect(text == OcsfFindings.text(model), "same model, same bytes")
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3, "two findings and their incident, one per line despite the newlines in the text")
        let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(events.map { $0["class_uid"] as? Int } == [2004, 2004, 2005])
        let first = events[0]
        let info = try #require(first["finding_info"] as? [String: Any])
        let analytic = try #require(info["analytic"] as? [String: Any])
        #expect(analytic["uid"] as? String == "MS-URL-003")
        #expect(analytic["version"] as? String == "2")
        #expect(first["time"] as? Int == 1_793_578_000_000)
        #expect((first["metadata"] as? [String: Any])?["version"] as? String == "1.5.0")
        #expect((first["unmapped"] as? [String: Any])?["subject"] as? String == ExchangeModel.hostile)
        let evidence = try #require((first["evidences"] as? [[String: Any]])?.first?["data"] as? [String: Any])
        #expect(evidence["locator"] as? String == "in/ttp \(ExchangeModel.hostile).json:12#3")
        #expect(events[1]["confidence_id"] as? Int == 3, "a strong correlation")
        let incident = events[2]
        let linked = (incident["finding_info_list"] as? [[String: Any]])?.compactMap { $0["uid"] as? String }
        #expect(linked == events.prefix(2).compactMap { ($0["finding_info"] as? [String: Any])?["uid"] as? String })
        #expect(incident["status_id"] as? Int == 2)
        #expect(incident["verdict_id"] as? Int == 2)
        #expect((incident["assignee"] as? [String: Any])?["name"] as? String == "ana")
        #expect(incident["priority_id"] as? Int == 4)
    }
}
