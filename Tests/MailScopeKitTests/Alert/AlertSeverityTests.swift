import Foundation
@testable import MailScopeKit
import Testing

/// One table maps an incident's severity to CEF's 0–10 and to the syslog PRI.
@Suite struct AlertSeverityTests {
    @Test(arguments: [
        (Rule.Severity.critical, 10, 2, 34),
        (.high, 8, 3, 35),
        (.medium, 5, 4, 36),
        (.low, 3, 5, 37),
        (.info, 1, 6, 38),
    ])
    func severityMapsToCEFAndSyslog(severity: Rule.Severity, cef: Int, syslog: Int, pri: Int) {
        #expect(AlertSeverity.cef(severity) == cef)
        #expect(AlertSeverity.syslog(severity) == syslog)
        #expect(AlertSeverity.pri(severity) == pri)
    }

    @Test func aHigherIncidentSeverityIsNeverALowerAlertSeverity() {
        let all = Rule.Severity.allCases
        for (lower, higher) in zip(all, all.dropFirst()) {
            #expect(AlertSeverity.cef(higher) > AlertSeverity.cef(lower))
            #expect(AlertSeverity.syslog(higher) < AlertSeverity.syslog(lower), "syslog counts 0 as the most severe")
        }
    }
}
