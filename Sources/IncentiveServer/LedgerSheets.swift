import IncentiveAdvisor
import IncentiveEngine
import IncentiveSheets

extension WriteSheets {
    /// The advice workbook's `Ledger` sheet (issue 17 point 7): one row per MDF allocation lapsing within 90 days, per
    /// claim waiting for a decision or its payment, and per non-zero balance due; the values of `ledger` in
    /// `advise --format json`, typed (amounts as amounts, days as dates, claim ids as numbers).
    public static func ledger(_ outlook: LedgerOutlook) -> XLSXSheet {
        let columns = [
            XLSXColumn("Line"), XLSXColumn("Program"), XLSXColumn("Currency"), XLSXColumn("Amount"), XLSXColumn("Last usable day"),
            XLSXColumn("Claim"), XLSXColumn("Status"),
        ]
        let outlook = outlook.ordered
        var rows: [[XLSXCell]] = []
        for funds in outlook.expiring {
            rows.append([.text("expiring funds"), .text(funds.programID), .text(funds.currency), .money(funds.amount), .date(funds.lastDay), .empty, .empty])
        }
        for claim in outlook.pendingClaims {
            rows.append([
                .text("pending claim"), .text(claim.programID), .text(claim.currency), .money(claim.amount), .empty, .integer(Int64(claim.claimID)),
                .text(claim.approved ? "approved" : "submitted"),
            ])
        }
        for balance in outlook.balances {
            rows.append([.text("balance due"), .text(balance.programID), .text(balance.currency), .money(balance.amount), .empty, .empty, .empty])
        }
        return XLSXSheet(name: "Ledger", columns: columns, rows: rows)
    }
}
