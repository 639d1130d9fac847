// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pgnio-measure",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2")],
    targets: [
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        .executableTarget(
            name: "Measure",
            dependencies: ["CLibPQ", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
