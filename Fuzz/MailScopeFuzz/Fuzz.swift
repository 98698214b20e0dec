import Foundation
@testable import MailScopeKit

// libFuzzer entry points for MailScope's parsers (built by scripts/fuzz only: Package.swift adds
// this target when MAILSCOPE_FUZZ is set, and the build adds -sanitize=fuzzer,address). One
// binary, the target picked by MAILSCOPE_FUZZ_TARGET:
//   line  — one line through UnitParser: NUL/UTF-8 checks, the JSON and key=value scanners, the
//           format classifier and every Mimecast parser with its normalizers;
//   csv   — the quote-aware CSV reader and the EDR header profiles;
//   gzip  — ByteSource: multi-member gzip, damage resync, trailing garbage, truncation;
//   file  — a whole file through the Ingester into a scratch database (sniffing, every format,
//           the EDR row builder, the writer);
//   feed  — the threat-intel feed readers (lists, CSV, MISP, STIX, Mimecast NDJSON).
// Any trap or sanitizer report is a finding; scripts/fuzz keeps the input that caused it.

enum FuzzTarget: String, CaseIterable {
    case line, csv, gzip, file, feed

    nonisolated(unsafe) static var current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["MAILSCOPE_FUZZ_TARGET"] ?? "line"
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("MAILSCOPE_FUZZ_TARGET=\(name): use one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// A scratch file in memory-backed /dev/shm when there is one (the readers take paths).
let scratchFolder: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let folder = base + "/mailscope-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}()

func withScratchFile(_ data: UnsafeBufferPointer<UInt8>, name: String = "input", _ body: (String) -> Void) {
    let path = scratchFolder + "/" + name
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return }
    if let base = data.baseAddress, data.count > 0 { _ = write(fd, base, data.count) }
    close(fd)
    body(path)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = UnsafeBufferPointer(start: bytes, count: count)
    switch FuzzTarget.current {
    case .line:
        let parser = UnitParser(label: "fuzz", seed: (1, 2), fileNameTypeHint: nil)
        parser.beginUnit(physicalLines: 1)
        parser.parse(data, line: 1)
        _ = parser.takeBatch()
    case .csv:
        withScratchFile(data) { path in
            guard let source = try? ByteSource(path: path) else { return }
            var first = true
            CSVReader(source: source, maxRowBytes: 1 << 16).forEach { event in
                if case .row(let row) = event, first {
                    first = false
                    let header = (0..<row.count).map { row.string($0) }
                    _ = EDRFileParser.kind(ofHeader: header, options: IngestOptions())
                }
                return true
            }
        }
    case .gzip:
        withScratchFile(data) { path in
            guard let source = try? ByteSource(path: path) else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while buffer.withUnsafeMutableBufferPointer({ source.read(into: $0.baseAddress!, capacity: $0.count) }) > 0 {}
            _ = source.takeIssues()
        }
    case .file:
        withScratchFile(data, name: "export") { path in
            let db = scratchFolder + "/fuzz.db"
            for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) }
            var options = IngestOptions()
            options.maxLineBytes = 1 << 16
            _ = try? Ingester(databasePath: db, options: options).ingest(paths: [path])
        }
    case .feed:
        withScratchFile(data, name: "feed") { path in
            _ = try? ThreatIntelFeed.read(name: "fuzz", path: path)
        }
    }
    return 0
}

/// SwiftPM links an executable target's entry point as `MailScopeFuzz_main` (with `main` set to
/// it); libFuzzer's own `main` is not used, so this one hands control to libFuzzer's driver.
@_cdecl("MailScopeFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    typealias Driver = @convention(c) (UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, Callback) -> CInt
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "LLVMFuzzerRunDriver") else {
        FileHandle.standardError.write(Data("libFuzzer's driver is not linked in: build with -sanitize=fuzzer (scripts/fuzz does)\n".utf8))
        return 2
    }
    let driver = unsafeBitCast(symbol, to: Driver.self)
    var count = argc
    var arguments = argv
    return driver(&count, &arguments) { data, size in
        guard let data else { return 0 }
        return fuzzOneInput(data, size)
    }
}
