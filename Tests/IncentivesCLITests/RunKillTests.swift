import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 16 point 6: a run killed with SIGKILL before its commit (stopped at its failpoint, after it wrote its rows,
/// its figures and its audit entry) leaves the workspace as before it, whether it was a full run or a run after a
/// small import stored anchored on the previous one (`run_recomputed`, `run_figures`); the run made again afterwards
/// stores what a full run stores.
@Suite struct RunKillTests {
    @Test(arguments: ["full", "anchored"]) func aRunKilledBeforeItsCommitLeavesNoTrace(kind: String) throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        if kind == "anchored" {
            try WorkspaceTests.expectSuccess(["run", "--workspace", path])
            // 40 new lines for NL1001 alone: 1 partner in 13 changed.
            try WorkspaceTests.expectSuccess(["import", "bookings", try WorkspaceTests.bookings(prefix: "R", count: 40, in: folder), "--workspace", path])
        }
        let runsBefore = try WorkspaceTests.expectSuccess(["runs", "--workspace", path]).stdout
        let logBefore = try WorkspaceTests.expectSuccess(["log", "--limit", "100", "--workspace", path]).stdout
        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            ["run", "--workspace", path], environment: ["INCENTIVES_FAILPOINT": "run-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        #expect(try child.wait().status == SIGKILL)
        // Nothing of the killed run: no run, no audit entry, the file sound (`status --check`).
        #expect(try WorkspaceTests.expectSuccess(["runs", "--workspace", path]).stdout == runsBefore)
        #expect(try WorkspaceTests.expectSuccess(["log", "--limit", "100", "--workspace", path]).stdout == logBefore)
        #expect(try WorkspaceTests.bookingCount(path) == (kind == "anchored" ? 106 : 66))
        // Made again, the run takes the killed one's number and stores what a full run on the same data stores.
        let number = kind == "anchored" ? 2 : 1
        let again = try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        #expect(again.stdout.hasPrefix("run \(number) stored"))
        let listed = try WorkspaceTests.expectSuccess(["runs", "--workspace", path]).stdout.split(separator: "\n")
        if kind == "anchored" {
            #expect(listed.last?.hasSuffix("  incremental: the other partners read from run 1") == true)
        } else {
            #expect(listed.last?.contains("incremental") == false)
        }
        try WorkspaceTests.expectSuccess(["run", "--full", "--workspace", path])
        let shown = try ["json", "csv"].map { format in
            try [number, number + 1].map { run in
                try WorkspaceTests.expectSuccess(["runs", "show", "\(run)", "--format", format, "--workspace", path]).stdout
            }
        }
        for pair in shown { #expect(pair[0] == pair[1]) }
        let reproduced = try WorkspaceTests.expectSuccess(["runs", "reproduce", "\(number)", "--workspace", path])
        #expect(reproduced.stdout.contains("identical: the results are byte for byte those stored"))
    }
}
