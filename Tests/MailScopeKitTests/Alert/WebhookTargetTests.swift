import Foundation
@testable import MailScopeKit
import Testing

/// Webhook URLs: which are accepted, and that their token never reaches a log line or the
/// recorded command line.
@Suite struct WebhookTargetTests {
    @Test func webhookLogNameHidesThePathThatHoldsTheToken() throws {
        let target = try WebhookTarget(parsing: "https://hooks.example.com/services/T000/B000/secret-token")
        #expect(target.description.hasPrefix("https://hooks.example.com/… (sha256:"))
        #expect(!target.description.contains("secret"))
        #expect(try WebhookTarget(parsing: "https://hooks.example.com/services/other").description != target.description)
        #expect(throws: SyslogTarget.ParseError.self) { try WebhookTarget(parsing: "ftp://example.com/x") }
        #expect(throws: SyslogTarget.ParseError.self) { try WebhookTarget(parsing: "not a url") }
    }

    @Test func theRecordedCommandLineKeepsNoToken() {
        let args = ["mailscope", "run", "--fail-on", "high", "--alert-webhook", "https://hooks.example.com/services/T0/B0/secret",
                    "--alert-webhook=http://10.0.0.5:8080/hook?token=secret2", "--input", "x"]
        let redacted = WebhookTarget.redacting(args)
        #expect(!redacted.joined(separator: " ").contains("secret"))
        #expect(redacted[5].hasPrefix("https://hooks.example.com/…#sha256:"))
        #expect(redacted[6].hasPrefix("--alert-webhook=http://10.0.0.5:8080/…#sha256:"))
        #expect(Array(redacted[..<5]) == Array(args[..<5]) && Array(redacted[7...]) == Array(args[7...]))
    }
}
