import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A webhook receiver for tests: an HTTP/1.1 server on 127.0.0.1 with an ephemeral port,
/// answering each request on a thread of its own with the next of `statuses` (the last one
/// repeats) and keeping every request it read.
final class HTTPReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var head: String
        var body: Data
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        /// The `incidents` of a webhook document.
        var incidents: [[String: Any]] { json?["incidents"] as? [[String: Any]] ?? [] }
    }

    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private var statuses: [Int]

    var url: String { "http://127.0.0.1:\(port)/hooks/mailscope?token=s3cret" }
    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return received }

    /// Sets the answers from now on.
    func answer(_ statuses: [Int]) { lock.lock(); self.statuses = statuses; lock.unlock() }

    init(statuses: [Int] = [200]) throws {
        self.statuses = statuses
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw ReceiverError(description: "cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))") }
        port = Self.boundPort(fd)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting (the accepting thread holds the receiver until then).
    func stop() { shutdown(fd, Int32(SHUT_RDWR)) }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { if errno == EINTR { continue } else { return } }
            serve(client)
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while true {
            if let end = data.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count - end.upperBound >= length {
                    let body = data[end.upperBound..<end.upperBound + length]
                    lock.lock()
                    received.append(Request(head: head, body: Data(body)))
                    let status = statuses.count > 1 ? statuses.removeFirst() : statuses.first ?? 200
                    lock.unlock()
                    let response = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    _ = response.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    return
                }
            }
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    /// A port on 127.0.0.1 nothing listens on (bound, then closed).
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return boundPort(fd)
    }
}

/// A syslog receiver for tests: a datagram socket, on 127.0.0.1 with an ephemeral UDP port or
/// at a Unix socket path, whose messages the kernel queues until `drain` reads them.
final class DatagramReceiver {
    let fd: Int32
    /// `udp://127.0.0.1:PORT` or `unix:PATH`.
    let destination: String

    /// A UDP receiver on 127.0.0.1.
    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw ReceiverError(description: "cannot bind UDP on 127.0.0.1: \(String(cString: strerror(errno)))") }
        destination = "udp://127.0.0.1:\(HTTPReceiver.boundPort(fd))"
    }

    /// A Unix datagram receiver at `path`, as syslogd listens at /dev/log.
    init(unixPath path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ReceiverError(description: "socket path longer than sun_path allows: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard bound == 0 else { throw ReceiverError(description: "cannot bind \(path): \(String(cString: strerror(errno)))") }
        destination = "unix:\(path)"
    }

    deinit { close(fd) }

    /// The messages received so far, oldest first.
    func drain() -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n <= 0 { return out }
            out.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
    }
}

struct ReceiverError: Error, CustomStringConvertible { var description: String }
