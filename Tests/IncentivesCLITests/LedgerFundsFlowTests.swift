import Foundation
import Testing

/// The README's MDF walk-through: an approved MDF run's accrual becomes funds in the partner's wallet (the
/// payouts' `approve` and the funds' wallet meet here), spent through a request and a claim with proof, and the
/// statement lists the allocation and the paid claim.
@Suite struct LedgerFundsFlowTests {
    @Test func anApprovedMDFRunFundsTheWalletThroughRequestClaimAndPayment() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = ["--workspace", path]
        func ok(_ arguments: [String]) throws -> String { try WorkspaceTests.expectSuccess(arguments + w).stdout }
        _ = try ok(["run"])
        // Today by the same clock the command reads (UTC).
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let approved = try ok(["approve", "1", "--interim", "--program", "PROVIDER-MDF-FY23-H2"])
        #expect(approved.contains("PROVIDER-MDF-FY23-H2: approval 1, 2 allocations posted, total 1,865.55 USD"))
        // NL1005 (gold) accrued 1,273.01 in the example's run (examples/expected).
        #expect(try ok(["funds", "show", "NL1005"]).hasPrefix("NL1005 in PROVIDER-MDF-FY23-H2 as of \(today): funds 1,273.01, free 1,273.01"))
        _ = try ok([
            "funds", "requests", "add", "--partner", "NL1005", "--program", "PROVIDER-MDF-FY23-H2", "--activity", "Customer event",
            "--planned-cost", "800.00", "--starts-on", today, "--ends-on", today,
        ])
        // Approved for less: 700.00 of the free 1,273.01 is held.
        #expect(
            try ok(["funds", "requests", "approve", "1", "--amount", "700.00"]).contains("free 573.01, held 700.00, pending 0.00, available 573.01"))
        let proof = folder.appendingPathComponent("invoice.pdf")
        try Data("%PDF-1.4\n% invoice\n".utf8).write(to: proof)
        _ = try ok(["funds", "claims", "add", "--request", "1", "--actual-cost", "650.00", "--proof", proof.path])
        _ = try ok(["funds", "claims", "approve", "1"])
        let paid = try ok(["funds", "claims", "pay", "1", "--reference", "MDF-PAY-1"])
        // 1,273.01 - 650.00 paid = 623.01; the 50.00 held beyond the claim is free again.
        #expect(paid.contains("funds 623.01, free 623.01, held 0.00, pending 0.00, available 623.01 USD"))
        let statement = try ok(["statement", "NL1005"])
        #expect(
            statement.contains(
                "    item      entitlement           delta\n    gold         1,273.01        1,273.01\n    total        1,273.01        1,273.01\n"))
        #expect(statement.contains("  \(today)  claim_paid         -650.00 USD"))
        #expect(statement.contains("  funds               623.01 USD"))
    }
}
