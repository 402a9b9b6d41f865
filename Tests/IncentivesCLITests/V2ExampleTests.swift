import Foundation
import Testing

/// The rules-v2 example (a VIP 30 program for FY18-H1): its results were worked out by hand in
/// examples/vip30/README.md.
@Suite struct V2ExampleTests {
    static let arguments = ["--data", "examples/vip30/data", "--programs", "examples/vip30/programs"]

    @Test func resultsCSVMatchesTheHandComputedGolden() throws {
        let run = try CLI.run(["compute"] + Self.arguments + ["--format", "csv"])
        #expect(run.status == 0)
        #expect(run.stderr == "")
        let golden = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/vip30/expected/results.csv"), encoding: .utf8)
        #expect(run.stdout == golden)
    }
}
