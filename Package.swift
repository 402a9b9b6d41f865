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
        .executable(name: "incentives", targets: ["incentives"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "IncentiveEngine",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "incentives",
            dependencies: [
                "IncentiveEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "IncentiveEngineTests", dependencies: ["IncentiveEngine"]),
        .testTarget(name: "IncentivesCLITests", dependencies: ["IncentiveEngine", "incentives"]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}
