import Foundation
@testable import MailScopeKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Sending syslog over TCP (octet-counted), to a file, and failing fast on a dead collector.
@Suite struct SyslogSenderTests {
    static func message(_ n: Int) -> SyslogMessage {
        SyslogMessage(severity: .high, time: 0, hostname: "h", processID: 7, text: "CEF:0|MailScope|mailscope|1|R|title \(n)|8|msg=x\\ny")
    }

    @Test func tcpFramesEachMessageWithItsOctetCount() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try #require(withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } } == 0)
        try #require(listen(listener, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)

        // The kernel completes the connection into the backlog, so the sender finishes before
        // this test accepts and reads what it sent.
        let messages = [Self.message(1), Self.message(2)]
        let result = SyslogSender(target: .tcp(host: "127.0.0.1", port: port), timeout: 2).send(messages)
        #expect(result.sent == 2 && result.failure == nil)
        let client = accept(listener, nil, nil)
        defer { close(client) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        #expect(received == messages[0].octetCounted + messages[1].octetCounted)
        #expect(String(decoding: received, as: UTF8.self).hasPrefix("\(messages[0].formatted.utf8.count) <35>1 "))
    }

    @Test func aFileGetsOneMessagePerLineAppended() throws {
        let path = NSTemporaryDirectory() + "mailscope-syslog-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sender = SyslogSender(target: .file(path: path), timeout: 1)
        #expect(sender.send([Self.message(1)]).sent == 1)
        #expect(sender.send([Self.message(2)]).sent == 1)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == Self.message(1).formatted + "\n" + Self.message(2).formatted + "\n")
    }

    @Test func deadCollectorsFailWithTheReason() {
        let unix = SyslogSender(target: .unixSocket(path: "/nonexistent/mailscope.sock"), timeout: 1).send([Self.message(1)])
        #expect(unix.sent == 0)
        #expect(unix.failure?.description == "connect to /nonexistent/mailscope.sock: No such file or directory")
        let file = SyslogSender(target: .file(path: "/nonexistent/dir/alerts.log"), timeout: 1).send([Self.message(1)])
        #expect(file.failure?.description == "cannot open /nonexistent/dir/alerts.log for appending: No such file or directory")
        let resolve = SyslogSender(target: .udp(host: "no-such-host.invalid", port: 514), timeout: 1).send([Self.message(1)])
        #expect(resolve.failure?.description.hasPrefix("cannot resolve no-such-host.invalid") == true)
        let nothing = SyslogSender(target: .file(path: "/nonexistent"), timeout: 1).send([])
        #expect(nothing.sent == 0 && nothing.failure == nil, "nothing to send opens nothing")
    }
}
