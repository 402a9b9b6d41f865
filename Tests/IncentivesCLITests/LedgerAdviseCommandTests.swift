import Foundation
import Testing

/// `incentives advise` on a workspace names what the partner's ledger says (issue 17 point 7) under its table: the
/// balance due per cash program, MDF funds lapsing within 90 days, claims waiting.
@Suite struct LedgerAdviseCommandTests {
    @Test func adviseNamesTheBalanceDueAndTheLapsingFunds() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = ["--workspace", path]
        _ = try WorkspaceTests.expectSuccess(["run"] + w)
        _ = try WorkspaceTests.expectSuccess(["approve", "1", "--interim", "--on", "2015-08-15"] + w)
        _ = try WorkspaceTests.expectSuccess(
            [
                "payments", "add", "--partner", "NL1001", "--program", "VIP25-6M", "--amount", "1000.00", "--currency", "USD", "--reference", "PAY-1",
                "--paid-on", "2015-09-01",
            ] + w)
        let nl1001 = try WorkspaceTests.expectSuccess(["advise", "--partner", "NL1001", "--as-of", "2015-09-01"] + w)
        // 9,002.04 entitled in VIP25-6M, 1,000.00 paid.
        #expect(nl1001.stdout.hasSuffix("\nLedger and MDF funds\n  Balance due in VIP25-6M: 8,002.04 USD\n"), "\(nl1001.stdout)")
        // NL1005's 1,273.01 USD of MDF funds are usable through 2016-08-14: within 90 days on 2016-06-01, not on 2015-09-01.
        let early = try WorkspaceTests.expectSuccess(["advise", "--partner", "NL1005", "--as-of", "2015-09-01"] + w)
        #expect(!early.stdout.contains("Ledger and MDF funds"))
        let late = try WorkspaceTests.expectSuccess(["advise", "--partner", "NL1005", "--as-of", "2016-06-01"] + w)
        #expect(
            late.stdout.contains(
                "\nLedger and MDF funds\n  1,273.01 USD of MDF funds in PROVIDER-MDF-FY23-H2 lapse after 2016-08-14 unless a fund request is approved for them\n"
            ), "\(late.stdout)")
    }
}
