import IncentiveEngine
import IncentiveLedger
import Testing

@Suite struct StatementTests {
    static func day(_ text: String) -> Day { Day(iso: text)! }

    /// ledger.md's example as a statement: interim run pays NL01 1,200.00; payment PAY-1 of 1,200.00; the final
    /// run computes 1,000.00: the final approval posts -200.00 and the balance due is -200.00.
    @Test func theWorkedExample() {
        let item = "data-center/ucs"
        let interim = ApprovalRecord(
            id: 1, runID: 1, programID: "VIP25-6M", kind: .interim, approvedOn: Self.day("2023-10-05"), at: "t1", actor: "ops (os_user)")
        let final = ApprovalRecord(
            id: 2, runID: 2, programID: "VIP25-6M", kind: .final, approvedOn: Self.day("2024-01-10"), at: "t2", actor: "ops (os_user)")
        var entries = TrueUp.entries(
            TrueUp.lines(run: [EntitlementKey(partnerID: "NL01", item: item): Money(cents: 120_000)], posted: [:]), program: "VIP25-6M",
            kind: .vip, currency: "EUR", approvedOn: interim.approvedOn, validThrough: nil, approval: 1)
        let payment = PaymentRecord(
            id: 1, reference: "PAY-1", programID: "VIP25-6M", partnerID: "NL01", amount: Money(cents: 120_000), currency: "EUR",
            paidOn: Self.day("2023-10-20"))
        entries.append(payment.entry(id: 1))
        #expect(entries.last?.amount == Money(cents: -120_000))
        entries += TrueUp.entries(
            TrueUp.lines(
                run: [EntitlementKey(partnerID: "NL01", item: item): Money(cents: 100_000)],
                posted: [EntitlementKey(partnerID: "NL01", item: item): Money(cents: 120_000)]), program: "VIP25-6M", kind: .vip, currency: "EUR",
            approvedOn: final.approvedOn, validThrough: nil, approval: 2)
        #expect(entries.last?.amount == Money(cents: -20_000))

        let statement = Statement(
            partnerID: "NL01", programID: "VIP25-6M", kind: .vip, currency: "EUR", asOf: Self.day("2024-01-31"), approvals: [final, interim],
            entries: entries, payments: [payment])
        #expect(statement.approvals.map(\.approval.id) == [1, 2])
        #expect(statement.approvals[0].items == [StatementItem(item: item, entitlement: Money(cents: 120_000), delta: Money(cents: 120_000))])
        #expect(statement.approvals[1].items == [StatementItem(item: item, entitlement: Money(cents: 100_000), delta: Money(cents: -20_000))])
        #expect(statement.payments.map(\.reference) == ["PAY-1"])
        #expect(statement.entitled == Money(cents: 100_000))
        #expect(statement.paid == Money(cents: 120_000))
        #expect(statement.balance == Money(cents: -20_000))
        #expect(statement.balance.groupedText == "-200.00")

        // As of a day between the payment and the final approval: paid in full, nothing due.
        let between = Statement(
            partnerID: "NL01", programID: "VIP25-6M", kind: .vip, currency: "EUR", asOf: Self.day("2023-12-31"), approvals: [interim, final],
            entries: entries, payments: [payment])
        #expect(between.approvals.map(\.approval.id) == [1])
        #expect(between.balance == .zero)
        // Before the payment: the interim entitlement is due.
        let before = Statement(
            partnerID: "NL01", programID: "VIP25-6M", kind: .vip, currency: "EUR", asOf: Self.day("2023-10-19"), approvals: [interim, final],
            entries: entries, payments: [payment])
        #expect(before.payments.isEmpty)
        #expect(before.balance == Money(cents: 120_000))
    }

    /// Another partner's entries and another program's never count; an approval that changed nothing for the
    /// partner still shows its entitlement.
    @Test func onlyThePartnersEntriesOfTheProgramCount() {
        let a1 = ApprovalRecord(id: 1, runID: 1, programID: "P", kind: .interim, approvedOn: Self.day("2024-01-01"), at: "", actor: "x")
        let a2 = ApprovalRecord(id: 2, runID: 2, programID: "P", kind: .interim, approvedOn: Self.day("2024-02-01"), at: "", actor: "x")
        let other = ApprovalRecord(id: 3, runID: 2, programID: "Q", kind: .interim, approvedOn: Self.day("2024-02-01"), at: "", actor: "x")
        let entries = [
            LedgerEntry(
                kind: .entitlement, programID: "P", partnerID: "A", item: "x", amount: Money(cents: 500), currency: "EUR",
                effectiveOn: a1.approvedOn, source: .approval(1)),
            LedgerEntry(
                kind: .entitlement, programID: "P", partnerID: "B", item: "x", amount: Money(cents: 900), currency: "EUR",
                effectiveOn: a1.approvedOn, source: .approval(1)),
            LedgerEntry(
                kind: .entitlement, programID: "Q", partnerID: "A", item: "x", amount: Money(cents: 70), currency: "EUR",
                effectiveOn: other.approvedOn, source: .approval(3)),
        ]
        let statement = Statement(
            partnerID: "A", programID: "P", kind: .vip, currency: "EUR", asOf: Self.day("2024-12-31"), approvals: [a1, a2, other], entries: entries,
            payments: [])
        #expect(statement.approvals.map(\.approval.id) == [1, 2])
        #expect(statement.approvals[1].items == [StatementItem(item: "x", entitlement: Money(cents: 500), delta: .zero)])
        #expect(statement.approvals[1].delta == .zero)
        #expect(statement.balance == Money(cents: 500))
    }
}
