import Testing
@testable import MailScopeKit

/// The audit log's free-text eventInfo, parsed anchored from the right on its known keys.
@Suite struct AuditEventInfoTests {
    @Test func aDisplayNameWithACommaStaysWholeInTheSummary() {
        let info = AuditEventInfo(parsing: "Failed authentication for john.doe@contoso.com <Doe, John>, Date: 2023-05-01, Time: 13:50:07 GMT-04:00, IP: 67.43.156.3, Application: MfO, Method: SP-initiated SAML, Reason: Account disabled")
        #expect(info == AuditEventInfo(summary: "Failed authentication for john.doe@contoso.com <Doe, John>", date: "2023-05-01",
                                       time: "13:50:07 GMT-04:00", ip: "67.43.156.3", application: "MfO",
                                       method: "SP-initiated SAML", reason: "Account disabled"))
        #expect(info.localTime == "2023-05-01 13:50:07 GMT-04:00")
    }

    @Test func theVariantWithoutCommasAndTheDoubledColonAreRead() {
        let bare = AuditEventInfo(parsing: "Action Performed - a@example.local logged into this account. by a@example.local<a@example.local> Date: 2021-10-11 Time: 16:39:17 +0100 IP: 67.43.156.15 Application: Administration Console")
        #expect(bare.ip == "67.43.156.15")
        #expect(bare.application == "Administration Console")
        #expect(bare.time == "16:39:17 +0100")
        #expect(bare.summary == "Action Performed - a@example.local logged into this account. by a@example.local<a@example.local>")
        let doubled = AuditEventInfo(parsing: "Failed authentication for a@x.example, Date: 2026-11-02, Time: 10:15:00 CET, IP: : 203.0.113.7,, Application: Web")
        #expect(doubled.ip == "203.0.113.7")
        #expect(doubled.application == "Web")
    }

    @Test func keysInsideTheSummaryAreNotTakenForTrailingKeys() {
        // "Viewed Content:" is no "Content:" key, and the Date/Time of "Processed:" stay in the summary.
        let info = AuditEventInfo(parsing: "Viewed Message - Source: Search, Subject: Test, Processed: 2021-09-28 07:59:23+0000, Viewed Content: True, Date: 2021-10-11, Time: 15:36:01+0000, IP: 67.43.156.15, Application: mimecast-case-review")
        #expect(info.summary == "Viewed Message - Source: Search, Subject: Test, Processed: 2021-09-28 07:59:23+0000, Viewed Content: True")
        #expect(info.date == "2021-10-11")
        #expect(info.method == nil && info.reason == nil)
    }

    @Test func aJavaDumpGivesItsRemoteIPAndTextWithoutKeysIsAllSummary() {
        let dump = AuditEventInfo(parsing: "Creating the auditLog entry for failed authentication, emailAddress :com.example.Address@4a3bcd11[name=a@b.example] remote IP : 67.43.156.15 application : LFS")
        #expect(dump.ip == "67.43.156.15")
        #expect(dump.application == "LFS")
        #expect(dump.summary?.hasPrefix("Creating the auditLog entry") == true)
        #expect(AuditEventInfo(parsing: "Remote IP is null").ip == nil)
        #expect(AuditEventInfo(parsing: "Completed Directory Sync") == AuditEventInfo(summary: "Completed Directory Sync"))
    }
}
