import Foundation
import Testing

/// `runs show --format json` of a run of rules-v2 programs prints what `compute --format json` printed (issue 14,
/// formats.md §5.6): the rebate computation and the lines left out of every row, every partner's tier.
@Suite struct RunsShowV2Tests {
    static let vip30 = WorkspaceTests.examples.appendingPathComponent("vip30")

    /// The finance user's check: a workspace of examples/vip30, run, then the stored run against compute.
    @Test func aStoredV2RunShowsWhatComputeGave() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", path])
        try WorkspaceTests.expectSuccess(
            ["programs", "add", Self.vip30.appendingPathComponent("programs/vip30-fy18h1.yaml").path, "--workspace", path])
        try WorkspaceTests.expectSuccess(["import", "--dir", Self.vip30.appendingPathComponent("data").path, "--workspace", path])
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        let computed = try WorkspaceTests.expectSuccess(["compute", "--format", "json", "--workspace", path]).stdout
        let stored = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "json", "--workspace", path]).stdout
        #expect(stored == computed)
        // What makes the two equal: compute's JSON has the v2 facts (US5005's voice capped at 12,000.00 from
        // 13,200.00; CA6001's late enrolment; US5010's tier from tiers.csv; the fiscal name of the period).
        for text in [
            "\"period_name\" : \"FY18-H1\"", "\"cap\" : \"12000.00\"", "\"uncapped\" : \"13200.00\"", "\"enrolled_late_on\" : \"2017-08-27\"",
            "\"tier\" : \"registered\"", "\"valid_from\" : \"2017-06-01\"", "\"band_from_percent\" : \"30\"", "\"period_name\" : \"FY17\"",
        ] {
            #expect(computed.contains(text), "compute --format json has no \(text)")
        }
        // The CSV and the table are what they were.
        let csv = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path]).stdout
        #expect(csv == (try String(contentsOf: Self.vip30.appendingPathComponent("expected/results.csv"), encoding: .utf8)))
        let table = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--workspace", path]).stdout
        #expect(table == (try WorkspaceTests.expectSuccess(["compute", "--workspace", path]).stdout))
    }

    /// The same on generated rules-v2 data (random tiers, attach bonuses, baselines, caps, dated SKU entries and a
    /// tier history): every row and partner of every program.
    @Test func aStoredGeneratedV2RunShowsWhatComputeGave() throws {
        let folder = try GeneratedDataTests.generate(partners: 200, lines: 10_000, seed: 11, rules: "v2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", path])
        let programsFolder = folder.appendingPathComponent("programs")
        let programs = try FileManager.default.contentsOfDirectory(atPath: programsFolder.path).sorted().map {
            programsFolder.appendingPathComponent($0).path
        }
        try WorkspaceTests.expectSuccess(["programs", "add"] + programs + ["--workspace", path])
        try WorkspaceTests.expectSuccess(["import", "--dir", folder.appendingPathComponent("data").path, "--workspace", path])
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        let computed = try WorkspaceTests.expectSuccess(["compute", "--format", "json", "--workspace", path]).stdout
        let stored = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "json", "--workspace", path]).stdout
        #expect(stored == computed)
        for text in ["\"rebate\"", "\"left_out\"", "\"slices\"", "\"tier\" : {"] {
            #expect(computed.contains(text), "compute --format json has no \(text)")
        }
    }
}
