// swift-tools-version:6.0
import PackageDescription

/// The unpacking stages, the parser's SAX callbacks, the alignment check, the import's writer, the
/// store's bulk inserts and reads, and the exports run once per chunk, element and row. Swift's
/// run-time exclusivity checks on class properties cost a quarter of the import time there (measured
/// with perf; extending this to the unpacking, alignment and pipeline targets took another 7% off a
/// 200k-record import and 14% off an mbox of 1,000 messages); the code in these targets keeps its state private and single-threaded, so release
/// builds turn the dynamic checks off. Debug builds and tests keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Rua",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rua", targets: ["rua"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // System libraries: one small module map each, wrapped by exactly one Swift file.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlibShim", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCryptoShim", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CDomainNames", providers: [.apt(["libpsl-dev", "libidn2-dev"])]),
        .systemLibrary(name: "CAres", pkgConfig: "libcares", providers: [.apt(["libc-ares-dev"])]),
        // libcurl: SMTP submission (STARTTLS, AUTH) and HTTPS webhooks for the digest and alerts.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // OpenSSL's libssl: TLS for the IMAP client, certificates verified for the host.
        .systemLibrary(name: "CTLS", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // libpq: PostgreSQL's own client library, the store's second engine (see README, Database).
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // SQLite's process-wide configuration (a C variadic call).
        .systemLibrary(name: "CSQLiteTuning", providers: [.apt(["libsqlite3-dev"])]),

        // Value types shared by every stage (and the file system calls that keep paths as bytes).
        .target(name: "ReportModel"),
        // The bounded queue between an import's threads, a value that arrives later, helper threads.
        .target(name: "WorkQueues"),
        // Bytes -> payloads: sniffing, gzip/zlib, zip, decompression caps, hashing.
        .target(
            name: "ReportIngest",
            dependencies: ["ReportModel", "CZlibShim", "CCryptoShim"],
            swiftSettings: hotPath
        ),
        // XML payload -> aggregate report, streaming through libxml2's SAX2 parser (pushed or pulling).
        .target(name: "DMARCParser", dependencies: ["ReportModel", "CLibXML2"], swiftSettings: hotPath),
        // JSON payload -> TLS report.
        .target(name: "TLSRPTParser", dependencies: ["ReportModel"]),
        // Organizational domains (public suffix list), alignment recomputed from auth results, failure classes.
        .target(name: "DomainAlignment", dependencies: ["ReportModel", "CDomainNames"], swiftSettings: hotPath),
        // Who a source is: reverse DNS with forward confirmation (c-ares), known services, evidence.
        .target(name: "SenderAttribution", dependencies: ["ReportModel", "DomainAlignment", "CAres"]),
        // A domain's mail DNS checked: DMARC, SPF, MX and PTR, TLS-RPT (rua check).
        .target(
            name: "DomainCheck",
            dependencies: ["SenderAttribution", "DomainAlignment", "ReportModel", "CTLS", "NetworkClient"]),
        // The only place that knows SQL; keeps inputs' originals (deflated, read back).
        .target(
            name: "ReportStore",
            dependencies: [
                "ReportModel", "DomainAlignment", "WorkQueues", "CSQLiteTuning", "CZlibShim", "CPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: hotPath
        ),
        // Stored reports -> failure analysis and digest (models from ReportModel).
        .target(
            name: "ReportAnalysis",
            dependencies: ["ReportModel", "ReportStore", "DomainAlignment", "SenderAttribution"],
            swiftSettings: hotPath),
        // Model and summary values -> text, JSON, CSV.
        .target(name: "ReportRendering", dependencies: ["ReportModel"], swiftSettings: hotPath),
        // What talks to servers shares: libcurl transfers (SMTP, HTTPS) and one error type naming server and reason.
        .target(name: "NetworkClient", dependencies: ["CCurl"]),
        // Digests and alerts sent: a MIME message through sendmail or SMTP submission, a JSON webhook.
        .target(name: "Delivery", dependencies: ["NetworkClient"]),
        // IMAP mailboxes as a source of inputs: a small IMAP client over OpenSSL, messages moved once stored.
        .target(
            name: "MailboxFetch",
            dependencies: ["CTLS", "NetworkClient", "ReportPipeline", "ReportIngest", "ReportModel"]),
        // ingest -> parse -> store; what the command line calls.
        .target(
            name: "ReportPipeline",
            dependencies: ["ReportModel", "ReportIngest", "DMARCParser", "TLSRPTParser", "ReportStore", "WorkQueues"],
            swiftSettings: hotPath
        ),
        // What the command line stands on: the database opened, every question as a plain call.
        .target(
            name: "ReportService",
            dependencies: [
                "ReportModel", "ReportStore", "ReportAnalysis", "SenderAttribution", "ReportPipeline", "ReportIngest",
                "DomainAlignment", "DomainCheck",
            ]
        ),
        // rua serve: the dashboard, the JSON API, the HTTPS intake and Prometheus metrics over one database.
        .target(
            name: "ReportServer",
            dependencies: [
                "ReportService", "ReportRendering", "ReportModel", "ReportPipeline", "ReportIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "rua",
            dependencies: [
                "ReportService", "ReportRendering", "ReportModel", "Delivery", "MailboxFetch", "NetworkClient",
                "ReportServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Fuzzing: a replay driver in a normal build, a libFuzzer binary when built by `Scripts/fuzz`.
        .executableTarget(
            name: "rua-fuzz", dependencies: ["DMARCParser", "TLSRPTParser", "ReportIngest", "ReportModel"]),

        .target(
            name: "ReportTestSupport",
            dependencies: ["ReportModel", "ReportStore", "CZlibShim", "CLibXML2", "CPostgres", "ZIPFoundation"],
            path: "Tests/ReportTestSupport"
        ),
        .testTarget(name: "ReportIngestTests", dependencies: ["ReportIngest", "ReportTestSupport"]),
        .testTarget(name: "DMARCParserTests", dependencies: ["DMARCParser", "ReportModel", "ReportTestSupport"]),
        .testTarget(name: "TLSRPTParserTests", dependencies: ["TLSRPTParser", "ReportModel", "ReportTestSupport"]),
        .testTarget(
            name: "SenderAttributionTests",
            dependencies: ["SenderAttribution", "ReportAnalysis", "ReportStore", "ReportModel", "ReportTestSupport"]
        ),
        .testTarget(name: "DomainAlignmentTests", dependencies: ["DomainAlignment", "ReportModel"]),
        .testTarget(
            name: "ReportStoreTests",
            dependencies: [
                "ReportStore", "ReportTestSupport", "DomainAlignment", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ReportRenderingTests", dependencies: ["ReportRendering", "ReportModel", "ReportTestSupport"]),
        .testTarget(
            name: "ReportPipelineTests",
            dependencies: [
                "ReportPipeline", "ReportIngest", "ReportStore", "ReportRendering", "ReportTestSupport", "WorkQueues",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "ReportAnalysisTests",
            dependencies: ["ReportAnalysis", "ReportPipeline", "ReportStore", "ReportModel", "ReportTestSupport"]
        ),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "NetworkClient", "ReportTestSupport"]),
        .testTarget(name: "DomainCheckTests", dependencies: ["DomainCheck", "SenderAttribution", "ReportTestSupport"]),
        .testTarget(name: "MailboxFetchTests", dependencies: ["MailboxFetch", "NetworkClient", "ReportTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ReportPipeline", "ReportStore", "ReportTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
