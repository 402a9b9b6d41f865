// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "incentives",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "IncentiveEngine", targets: ["IncentiveEngine"]),
        .library(name: "IncentiveStore", targets: ["IncentiveStore"]),
        .library(name: "IncentiveServer", targets: ["IncentiveServer"]),
        .library(name: "IncentiveAdvisor", targets: ["IncentiveAdvisor"]),
        .library(name: "IncentiveSynthetic", targets: ["IncentiveSynthetic"]),
        .library(name: "IncentiveSheets", targets: ["IncentiveSheets"]),
        .library(name: "IncentiveLedger", targets: ["IncentiveLedger"]),
        .executable(name: "incentives", targets: ["incentives"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "IncentiveEngine",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "IncentiveStore",
            dependencies: [
                "IncentiveEngine",
                "IncentiveSheets",
                "IncentiveLedger",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "IncentiveAdvisor", dependencies: ["IncentiveEngine", .product(name: "Yams", package: "Yams")]),
        .target(name: "IncentiveSynthetic", dependencies: ["IncentiveEngine"]),
        // The money after the computation (issue 17, ledger.md): entries, true-up, balances, statements and the
        // MDF funds wallet, as pure value types that decide and return the entries to post; no database.
        .target(name: "IncentiveLedger", dependencies: ["IncentiveEngine"]),
        // Spreadsheets in and out (issue 18): Excel's CSV dialects and .xlsx files, read into and written from
        // the engine's types. Kept out of the engine, which stays free of I/O frameworks.
        .target(
            name: "IncentiveSheets",
            dependencies: ["IncentiveEngine", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(
            name: "IncentiveServer",
            dependencies: [
                "IncentiveEngine",
                "IncentiveStore",
                "IncentiveAdvisor",
                "IncentiveSheets",
                "IncentiveLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The OpenAPI document and the page templates, embedded at build time (`PackageResources`):
            // the binary needs no files at run time.
            resources: [.embedInCode("Resources/openapi.yaml")]
                + [
                    "header", "footer", "login", "message", "overview", "programs", "program", "partner", "runs", "run", "diff", "imports",
                    "users", "pager", "partners", "log", "statement", "funds", "queues",
                ]
                .map { .embedInCode("Templates/\($0).mustache") }
        ),
        .executableTarget(
            name: "incentives",
            dependencies: [
                "IncentiveEngine",
                "IncentiveStore",
                "IncentiveServer",
                "IncentiveAdvisor",
                "IncentiveSynthetic",
                "IncentiveSheets",
                "IncentiveLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "IncentiveEngineTests", dependencies: ["IncentiveEngine", "IncentiveSynthetic"]),
        .testTarget(
            name: "IncentiveSyntheticTests", dependencies: ["IncentiveEngine", "IncentiveSynthetic", .product(name: "Yams", package: "Yams")]),
        .testTarget(
            name: "IncentiveStoreTests",
            dependencies: [
                "IncentiveEngine", "IncentiveStore", "IncentiveLedger", "IncentiveSynthetic", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "IncentiveAdvisorTests", dependencies: ["IncentiveEngine", "IncentiveAdvisor"]),
        .testTarget(name: "IncentiveLedgerTests", dependencies: ["IncentiveEngine", "IncentiveLedger"]),
        .testTarget(
            name: "IncentiveSheetsTests",
            dependencies: ["IncentiveEngine", "IncentiveSheets", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(
            name: "IncentiveServerTests",
            dependencies: [
                "IncentiveEngine", "IncentiveStore", "IncentiveServer", "IncentiveAdvisor", "IncentiveSynthetic", "IncentiveLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // The pages as they should be (PageSnapshotTests), read from the source folder.
            exclude: ["Snapshots"]
        ),
        .testTarget(name: "IncentivesCLITests", dependencies: ["IncentiveEngine", "IncentiveStore", "IncentiveLedger", "incentives"]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}
