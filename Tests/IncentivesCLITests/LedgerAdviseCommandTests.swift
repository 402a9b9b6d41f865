import Foundation
import IncentiveEngine
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

    /// `advise --format json` and `--format xlsx` carry the ledger's lines as typed fields (issue 17 point 7): MDF funds
    /// lapsing within 90 days (amount, last usable day), claims waiting (id, amount, status), the balance due per
    /// program. Run 1 approved 300 days ago: NL1005's 1,273.01 USD of MDF funds are usable for about 64 more days; a
    /// request approved for 500.00 holds 500.00 of them (773.01 free, the part that lapses); a claim of 450.00.
    @Test func adviseJSONAndWorkbookCarryTheLedgerAsTypedFields() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = ["--workspace", path]
        let today = FundsCommandTests.today.description, day = FundsCommandTests.day
        _ = try WorkspaceTests.expectSuccess(["run"] + w)
        _ = try WorkspaceTests.expectSuccess(["approve", "1", "--interim", "--on", day(-300)] + w)
        _ = try WorkspaceTests.expectSuccess(
            [
                "payments", "add", "--partner", "NL1001", "--program", "VIP25-6M", "--amount", "1000.00", "--currency", "USD", "--reference", "PAY-1",
                "--paid-on", day(-1),
            ] + w)
        let mdf = "PROVIDER-MDF-FY23-H2"
        _ = try WorkspaceTests.expectSuccess(
            [
                "funds", "requests", "add", "--partner", "NL1005", "--program", mdf, "--activity", "Roadshow", "--planned-cost", "500.00",
                "--starts-on", day(-10), "--ends-on", day(-2),
            ] + w)
        _ = try WorkspaceTests.expectSuccess(["funds", "requests", "approve", "1"] + w)
        let proof = folder.appendingPathComponent("invoice.pdf").path
        try Data("%PDF-1.4\n% proof\n%%EOF\n".utf8).write(to: URL(fileURLWithPath: proof))
        _ = try WorkspaceTests.expectSuccess(["funds", "claims", "add", "--request", "1", "--actual-cost", "450.00", "--proof", proof] + w)
        // The allocation's last usable day as the wallet document gives it (Validity is tested on its own).
        let wallets = try WorkspaceTests.expectSuccess(["funds", "show", "NL1005", "--program", mdf, "--format", "json"] + w)
        let walletDocument = try #require(try JSONSerialization.jsonObject(with: Data(wallets.stdout.utf8)) as? [String: Any])
        let wallet = try #require((walletDocument["wallets"] as? [[String: Any]])?.first)
        let lastDay = try #require((wallet["allocations"] as? [[String: Any]])?.first?["valid_through"] as? String)
        #expect(wallet["free"] as? String == "773.01" && wallet["held"] as? String == "500.00")

        func ledger(_ partner: String) throws -> [String: Any] {
            let run = try WorkspaceTests.expectSuccess(["advise", "--partner", partner, "--as-of", today, "--format", "json"] + w)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            return try #require(document["ledger"] as? [String: Any], "\(run.stdout)")
        }
        let nl1001 = try ledger("NL1001")
        #expect(nl1001["horizon_days"] as? Int == 90)
        #expect((nl1001["expiring_funds"] as? [Any])?.isEmpty == true && (nl1001["pending_claims"] as? [Any])?.isEmpty == true)
        // 9,002.04 entitled in VIP25-6M, 1,000.00 paid.
        #expect(
            (nl1001["balances_due"] as? [[String: String]])
                == [["program_id": "VIP25-6M", "currency": "USD", "amount": "8002.04"]])

        let nl1005 = try ledger("NL1005")
        #expect(
            (nl1005["expiring_funds"] as? [[String: String]])
                == [["program_id": mdf, "currency": "USD", "amount": "773.01", "last_day": lastDay]])
        let claims = try #require(nl1005["pending_claims"] as? [[String: Any]])
        #expect(claims.count == 1)
        #expect(claims.first?["claim_id"] as? Int == 1 && claims.first?["amount"] as? String == "450.00")
        #expect(claims.first?["status"] as? String == "submitted" && claims.first?["program_id"] as? String == mdf)
        // NL1005 has no cash program entitlement: no balance due.
        #expect((nl1005["balances_due"] as? [[String: String]]) == [])

        // Approved for 400.00: waiting for its payment, for that amount.
        _ = try WorkspaceTests.expectSuccess(["funds", "claims", "approve", "1", "--amount", "400.00"] + w)
        let approved = try #require(try ledger("NL1005")["pending_claims"] as? [[String: Any]])
        #expect(approved.first?["status"] as? String == "approved" && approved.first?["amount"] as? String == "400.00")

        // The workbook: the same lines on the sheet `Ledger`, typed.
        let file = folder.appendingPathComponent("advice.xlsx").path
        _ = try WorkspaceTests.expectSuccess(["advise", "--partner", "NL1005", "--as-of", today, "--format", "xlsx", "--output", file] + w)
        let book = try Workbook.read(file)
        let sheet = try #require(book.sheets.last)
        #expect(sheet.name == "Ledger")
        try sheet.expectHeaderFrozenAndFiltered()
        #expect(sheet.header == ["Line", "Program", "Currency", "Amount", "Last usable day", "Claim", "Status"])
        let rows: [[Workbook.Cell]] = [
            [.text("expiring funds"), .text(mdf), .text("USD"), .number(77_301), .date(lastDay), .empty, .empty],
            [.text("pending claim"), .text(mdf), .text("USD"), .number(40_000), .empty, .number(100), .text("approved")],
        ]
        try Workbook.expect(sheet.data, equal: rows)

        // From a dataset folder there is no ledger: no `ledger` field, no sheet.
        let plain = try WorkspaceTests.expectSuccess(
            ["advise", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1005", "--as-of", today, "--format", "json"])
        #expect(!plain.stdout.contains("\"ledger\""))
    }
}
