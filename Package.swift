// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "MailScope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mailscope", targets: ["mailscope"]),
        .library(name: "MailScopeKit", targets: ["MailScopeKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // EDR mapping files now; rule and config files next (DESIGN.md).
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Report templates (logic-less, no dependencies of its own; users can override them).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // PostgreSQL's client (issue 21): MailScopePostgres, used by `mailscope db copy`.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "MailScopeKit",
            dependencies: [
                "CSQLite", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // Resources/rules and Resources/templates are compiled into Swift source by
            // scripts/bundle-rules (Detect/BundledRules.swift, Report/BundledTemplates.swift), not
            // shipped as a SwiftPM resource bundle: the binary must run alone from cron or a copy
            // on an evidence workstation, with no bundle directory beside it to lose or mismatch,
            // and `--rules DIR` / `--templates DIR` add to or replace them at run time.
            // scripts/bundle-rules --check (in scripts/test) fails when the generated files are stale.
            // Likewise the Public Suffix List is compiled in (Ingest/Normalize/PublicSuffixRules.swift,
            // scripts/update-public-suffix-list, version in PublicSuffixList.version).
            exclude: ["Resources"],
            swiftSettings: [
                // Ingest's hot loop touches class state per byte; dynamic exclusivity checks cost
                // ~12% of ingest time (measured with perf). Debug builds and tests keep them.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "mailscope",
            dependencies: [
                "MailScopeKit", "MailScopePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "MailScopePostgres", dependencies: ["MailScopeKit", "CLibPQ"]),
        .testTarget(name: "MailScopeKitTests", dependencies: ["MailScopeKit", "CZlib"]),
        // Run against a throwaway server the tests start themselves (PostgresTestServer).
        .testTarget(name: "PostgresTests", dependencies: ["MailScopePostgres", "MailScopeKit"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MailScopeKit"]),
    ]
)

// libFuzzer targets for the parsers, built only by scripts/fuzz (which sets MAILSCOPE_FUZZ and
// adds -sanitize=fuzzer,address): an ordinary build and CI's test build never compile them.
if Context.environment["MAILSCOPE_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "MailScopeFuzz",
        dependencies: ["MailScopeKit"],
        path: "Fuzz/MailScopeFuzz",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])],
        // The entry point finds libFuzzer's driver with dlsym.
        linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
    ))
}
