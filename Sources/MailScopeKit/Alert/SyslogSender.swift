import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends syslog messages to a `SyslogTarget` with plain POSIX sockets, every operation bounded
/// by `timeout` (connect, send), so a collector that hangs cannot hold up the nightly run.
/// One connection (or socket, or open file) per batch; a message that cannot be sent fails with
/// the reason, and the ones after it are tried no further (the next run retries them all).
public struct SyslogSender: Sendable {
    public var target: SyslogTarget
    /// Seconds each connect or send may take.
    public var timeout: Double

    public init(target: SyslogTarget, timeout: Double) {
        self.target = target
        self.timeout = timeout
    }

    /// Why a message was not sent: the operation and the system's reason.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Sends `messages` in order. Returns how many were sent and, when not all, why it stopped.
    public func send(_ messages: [SyslogMessage]) -> (sent: Int, failure: Failure?) {
        guard !messages.isEmpty else { return (0, nil) }
        switch target {
        case .file(let path):
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { return (0, Self.failure("cannot open \(path) for appending")) }
            defer { close(fd) }
            for (n, message) in messages.enumerated() {
                if let failure = Self.writeAll(fd, Data((message.formatted + "\n").utf8), what: "write") { return (n, failure) }
            }
            return (messages.count, nil)
        case .unixSocket(let path):
            let fd = socket(AF_UNIX, Self.datagram, 0)
            guard fd >= 0 else { return (0, Self.failure("socket")) }
            defer { close(fd) }
            setTimeouts(fd)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return (0, Failure(description: "socket path too long: \(path)")) }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { return (0, Self.failure("connect to \(path)")) }
            return sendEach(fd, messages.map { Data($0.formatted.utf8) })
        case .udp(let host, let port):
            switch connectInet(host: host, port: port, type: Self.datagram) {
            case .failure(let failure): return (0, failure)
            case .success(let fd):
                defer { close(fd) }
                return sendEach(fd, messages.map { Data($0.formatted.utf8) })
            }
        case .tcp(let host, let port):
            switch connectInet(host: host, port: port, type: Self.stream) {
            case .failure(let failure): return (0, failure)
            case .success(let fd):
                defer { close(fd) }
                for (n, message) in messages.enumerated() {
                    if let failure = Self.writeAll(fd, message.octetCounted, what: "send") { return (n, failure) }
                }
                return (messages.count, nil)
            }
        }
    }

    func sendEach(_ fd: Int32, _ datagrams: [Data]) -> (sent: Int, failure: Failure?) {
        for (n, datagram) in datagrams.enumerated() {
            let result = datagram.withUnsafeBytes { Self.sendNoSignal(fd, $0.baseAddress, $0.count) }
            if result < 0 { return (n, Self.failure("send")) }
        }
        return (datagrams.count, nil)
    }

    /// A socket of `type` connected to host:port (the first address that answers), with
    /// send/receive timeouts set; the connect itself waits at most `timeout`.
    func connectInet(host: String, port: UInt16, type: Int32) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var last = Failure(description: "no address for \(host)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, type, 0)
            if fd < 0 { last = Self.failure("socket"); continue }
            setTimeouts(fd)
            if let failure = connectWithin(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, host: host, port: port) {
                last = failure
                close(fd)
                continue
            }
            return .success(fd)
        }
        return .failure(last)
    }

    /// connect() that gives up after `timeout`: non-blocking, then poll for writability.
    func connectWithin(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t, host: String, port: UInt16) -> Failure? {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return Self.failure("connect to \(host):\(port)") }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&pfd, 1, Int32(timeout * 1000))
        if ready == 0 { return Failure(description: "connect to \(host):\(port): no answer within \(Self.seconds(timeout))") }
        if ready < 0 { return Self.failure("connect to \(host):\(port)") }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        if error != 0 { return Failure(description: "connect to \(host):\(port): \(String(cString: strerror(error)))") }
        return nil
    }

    func setTimeouts(_ fd: Int32) {
        var tv = timeval()
        tv.tv_sec = .init(timeout.rounded(.down))
        tv.tv_usec = .init((timeout - timeout.rounded(.down)) * 1_000_000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `data`, resuming after short writes.
    static func writeAll(_ fd: Int32, _ data: Data, what: String) -> Failure? {
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { sendOrWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return failure(errno == EAGAIN || errno == EWOULDBLOCK ? "\(what) (timed out)" : what)
            }
            offset += n
        }
        return nil
    }

    /// send() on sockets (no SIGPIPE when the peer closed), write() on files.
    static func sendOrWrite(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        let n = sendNoSignal(fd, pointer, count)
        if n < 0 && errno == ENOTSOCK { return write(fd, pointer, count) }
        return n
    }

    static func sendNoSignal(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
        #else
        return Darwin.send(fd, pointer, count, 0)
        #endif
    }

    static func failure(_ what: String) -> Failure {
        Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    #if canImport(Glibc)
    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let stream = Int32(SOCK_STREAM.rawValue)
    #else
    static let datagram = SOCK_DGRAM
    static let stream = SOCK_STREAM
    #endif
}
