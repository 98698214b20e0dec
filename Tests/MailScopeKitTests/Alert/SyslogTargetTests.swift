import Foundation
@testable import MailScopeKit
import Testing

/// `alert_syslog` / `alert_webhook` values, on the command line and in mailscope.yml.
@Suite struct SyslogTargetTests {
    @Test(arguments: [
        ("unix:/dev/log", SyslogTarget.unixSocket(path: "/dev/log")),
        ("udp://127.0.0.1:514", .udp(host: "127.0.0.1", port: 514)),
        ("tcp://siem.example.com:6514", .tcp(host: "siem.example.com", port: 6514)),
        ("udp://[::1]:514", .udp(host: "::1", port: 514)),
        ("file:/var/log/mailscope.cef", .file(path: "/var/log/mailscope.cef")),
    ])
    func destinationsParseAndReadBack(text: String, target: SyslogTarget) throws {
        let parsed = try SyslogTarget(parsing: text)
        #expect(parsed == target)
        #expect(parsed.description == text)
    }

    @Test(arguments: ["udp://127.0.0.1", "tcp://:514", "udp://host:0", "udp://host:70000", "syslog://host:514", "unix:", "/dev/log", "file:"])
    func badDestinationsAreRefused(text: String) {
        #expect(throws: SyslogTarget.ParseError.self) { try SyslogTarget(parsing: text) }
    }

    @Test func configKeysAreReadWithRelativeFilesBesideTheConfig() throws {
        let config = try RunConfig.parse("""
            fail_on: high
            alert_syslog: file:alerts/cef.log
            alert_webhook: http://127.0.0.1:8080/hook
            alert_timeout: 2s
            """, source: "m.yml", baseDirectory: "/etc/mailscope")
        #expect(config.alertSyslog == .file(path: "/etc/mailscope/alerts/cef.log"))
        #expect(config.alertWebhook?.url.absoluteString == "http://127.0.0.1:8080/hook")
        #expect(config.alertTimeout?.milliseconds == 2000)
    }

    @Test(arguments: [
        ("alert_syslog: udp://siem:99999", "m.yml:2: key \"alert_syslog\": \"udp://siem:99999\": \"99999\" is not a port (1–65535)"),
        ("alert_webhook: gopher://x/y", "m.yml:2: key \"alert_webhook\": \"gopher://x/y\": the scheme must be http or https, not gopher"),
        ("alert_timeout: 2h", "m.yml:2: key \"alert_timeout\": \"2h\" is not a number of seconds followed by s, e.g. 10s (1s to 300s)"),
        ("alert_syslg: unix:/dev/log", "m.yml:2: unknown key \"alert_syslg\" (did you mean \"alert_syslog\"?)"),
    ])
    func badConfigValuesNameTheFileAndLine(line: String, message: String) {
        #expect {
            _ = try RunConfig.parse("fail_on: high\n\(line)\n", source: "m.yml", baseDirectory: "/")
        } throws: { error in
            (error as? RunConfig.Error).map { $0.description.hasPrefix(message) } ?? false
        }
    }
}
