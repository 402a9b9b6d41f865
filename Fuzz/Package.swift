// swift-tools-version:6.0
// libFuzzer targets for the engine's input readers (README.md, "Fuzzing and API property tests").
// Build and run them with `scripts/fuzz.sh`; this package is not part of the product or of `swift test`.
import PackageDescription

// The root package is a path dependency, whose identity is the name of the checkout's folder
// (`incentives`, `wt-fuzz`, CI's clone...): work it out rather than spell it.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "incentives"
let engine = Target.Dependency.product(name: "IncentiveEngine", package: root)

let package = Package(
    name: "incentives-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer", engine]),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzSupport", engine]),
        .executableTarget(name: "fuzz-bookings", dependencies: ["FuzzSupport", engine]),
        .executableTarget(name: "fuzz-programs", dependencies: ["FuzzSupport", engine]),
    ],
    swiftLanguageModes: [.v6]
)
