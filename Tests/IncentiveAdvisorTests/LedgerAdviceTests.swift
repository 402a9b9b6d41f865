import IncentiveAdvisor
import IncentiveEngine
import Testing

/// The ledger's advice (issue 17 point 7): lapsing funds soonest first, claims waiting, balances due; an overpaid
/// balance is worded as owed back; a zero balance says nothing.
@Suite struct LedgerAdviceTests {
    @Test func theLinesInOrderWithTheirAmountsAndDates() {
        let outlook = LedgerOutlook(
            expiring: [
                .init(programID: "MDF-B", currency: "EUR", amount: Money(cents: 20_000), lastDay: Day(iso: "2024-08-14")!),
                .init(programID: "MDF-A", currency: "USD", amount: Money(cents: 123_456), lastDay: Day(iso: "2024-07-01")!),
            ],
            pendingClaims: [
                .init(programID: "MDF-A", currency: "USD", claimID: 4, amount: Money(cents: 95_000), approved: false),
                .init(programID: "MDF-A", currency: "USD", claimID: 5, amount: Money(cents: 10_000), approved: true),
            ],
            balances: [
                .init(programID: "VIP", currency: "USD", amount: Money(cents: 900_204)),
                .init(programID: "VIP-2", currency: "USD", amount: Money(cents: -20_000)),
                .init(programID: "VIP-3", currency: "USD", amount: .zero),
            ])
        let format = AdviceFormat(money: { $0.groupedText }, date: { $0.description }, check: { $0.explanation }, decimalSeparator: ".")
        #expect(
            LedgerAdvice.lines(outlook, words: .english, format: format) == [
                "1,234.56 USD of MDF funds in MDF-A lapse after 2024-07-01 unless a fund request is approved for them",
                "200.00 EUR of MDF funds in MDF-B lapse after 2024-08-14 unless a fund request is approved for them",
                "Claim 4 in MDF-A (950.00 USD) is waiting for approval",
                "Claim 5 in MDF-A (100.00 USD) is approved and waiting for its payment",
                "Balance due in VIP: 9,002.04 USD",
                "VIP-2: 200.00 USD paid beyond the entitlement, to be offset or repaid",
            ])
        #expect(LedgerAdvice.lines(LedgerOutlook(expiring: [], pendingClaims: [], balances: []), words: .dutch, format: format).isEmpty)
    }
}
