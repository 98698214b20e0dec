import Foundation
import Testing
@testable import MailScopeKit

/// The incident timeline reads on paper: every point carries its time and host or user as
/// text, labels never overlap, and findings at the same spot share one point and one label.
@Suite struct TimelineSVGTests {
    static let start: Int64 = 1_793_613_600_000  // 2026-11-02T10:00:00Z

    func finding(_ id: Int64, minutes: Int64, stage: Rule.Stage, user: String?, host: String? = nil) -> ReportModel.Finding {
        ReportModel.Finding(id: id, ruleId: "MS-TEST-001", ruleVersion: 1, kind: .detection, severity: .high, stage: stage,
                            ts: Timestamp(Self.start + minutes * 60_000), user: user, host: host, sender: nil, subject: nil, indicator: nil,
                            summary: "finding \(id)", matchKey: nil, matchStrength: nil, evidence: [])
    }

    func incident(_ findings: [ReportModel.Finding]) -> ReportModel.Incident {
        ReportModel.Incident(
            id: 1, key: "message:x", title: "T", severity: .high, stage: .execution, attack: [], subjects: [],
            firstSeen: findings.map(\.ts).min() ?? Timestamp(0), lastSeen: findings.map(\.ts).max() ?? Timestamp(0), reasons: [], actions: [],
            recipients: [], deliveredTo: [], interactedUsers: [], hosts: [], people: [], hostDetails: [], indicators: .init(),
            indicatorDetails: [], messages: [], findings: findings)
    }

    @Test func everyPointIsLabelledWithItsTimeAndItsHostOrUser() {
        let svg = TimelineSVG.render(incident([
            finding(1, minutes: 0, stage: .delivery, user: "helen.ashby@acme-corp.example"),
            finding(2, minutes: 30, stage: .interaction, user: "helen.ashby@acme-corp.example"),
            finding(3, minutes: 60, stage: .execution, user: "helen.ashby@acme-corp.example", host: "ws-0221"),
        ]), zone: .utc)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        #expect(svg.contains(">2026-11-02T10:00:00.000Z</text>"))
        #expect(svg.contains(">2026-11-02T11:00:00.000Z</text>"))
        #expect(svg.components(separatedBy: "class=\"who\"").count - 1 == 3)
        #expect(svg.contains(">ws-0221</text>"), "a host is named before its user")
        #expect(svg.contains(">helen.ashby@acme-corp.example</text>"))
    }

    @Test func findingsAtTheSameSpotShareOnePointAndSayHowManyMore() {
        let marks = TimelineSVG.marks(incident([
            finding(1, minutes: 0, stage: .delivery, user: "a@acme-corp.example"),
            finding(2, minutes: 0, stage: .delivery, user: "b@acme-corp.example"),
            finding(3, minutes: 0, stage: .delivery, user: "c@acme-corp.example"),
            finding(4, minutes: 600, stage: .delivery, user: "d@acme-corp.example"),
        ]), zone: .utc)
        #expect(marks.count == 2)
        #expect(marks[0].findings == [1, 2, 3])
        #expect(marks[0].lines == ["2026-11-02T10:00:00.000Z (3)", "a@acme-corp.example +2 more"])
    }

    /// With --display-tz the labels, tooltips and axis ends show the zone's time and offset,
    /// and the longer labels still fit the drawing.
    @Test func labelsShowTheDisplayZone() throws {
        let berlin = try TimeZoneOffsets(parsing: "Europe/Berlin")
        let findings = [finding(1, minutes: 0, stage: .delivery, user: "helen.ashby@acme-corp.example"),
                        finding(2, minutes: 60, stage: .execution, user: "helen.ashby@acme-corp.example", host: "ws-0221")]
        let svg = TimelineSVG.render(incident(findings), zone: berlin)
        #expect(svg.contains(">2026-11-02T11:00:00.000+01:00</text>"))
        #expect(svg.contains(">2026-11-02T12:00:00.000+01:00</text>"))
        #expect(!svg.contains(".000Z"))
        #expect(TimelineSVG.marks(incident(findings), zone: berlin).allSatisfy { $0.labelStart >= 0 && $0.labelEnd <= TimelineSVG.width })
    }

    /// Forty findings a minute apart in two lanes: each label gets a row where it overlaps no
    /// other label of its lane, and every label stays inside the drawing.
    @Test func crowdedLabelsTakeRowsAndNeverOverlap() {
        let findings = (0..<40).map { n in
            finding(Int64(n), minutes: Int64(n), stage: n % 2 == 0 ? .delivery : .interaction, user: "user\(n)@acme-corp.example")
        }
        let marks = TimelineSVG.marks(incident(findings), zone: .utc)
        #expect(marks.count > 5)
        #expect(marks.map(\.row).max() ?? 0 > 0, "a crowded lane needs more than one row of labels")
        for (n, a) in marks.enumerated() {
            #expect(a.labelStart >= 0 && a.labelEnd <= TimelineSVG.width)
            for b in marks[(n + 1)...] where a.lane == b.lane && a.row == b.row {
                #expect(a.labelEnd <= b.labelStart || b.labelEnd <= a.labelStart, "labels \(a.lines) and \(b.lines) overlap")
            }
        }
    }
}
