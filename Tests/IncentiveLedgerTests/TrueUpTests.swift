import IncentiveEngine
import IncentiveLedger
import Testing

@Suite struct TrueUpTests {
    static func key(_ partner: String, _ item: String = "data-center/ucs") -> EntitlementKey { EntitlementKey(partnerID: partner, item: item) }
    static func cents(_ value: Int64) -> Money { Money(cents: value) }

    /// ledger.md's example: interim 1,200.00 posts 1,200.00; the final 1,000.00 posts -200.00.
    @Test func theWorkedExamplesDeltas() {
        let interim = TrueUp.lines(run: [Self.key("NL01"): Self.cents(120_000)], posted: [:])
        #expect(interim.map(\.delta) == [Self.cents(120_000)])
        let final = TrueUp.lines(run: [Self.key("NL01"): Self.cents(100_000)], posted: [Self.key("NL01"): Self.cents(120_000)])
        #expect(final.count == 1)
        #expect(final[0].entitlement == Self.cents(100_000))
        #expect(final[0].postedBefore == Self.cents(120_000))
        #expect(final[0].delta == Self.cents(-20_000))
    }

    @Test func unchangedKeysPostNothingAndVanishedKeysAreTakenBackWhole() {
        let posted = [
            Self.key("A"): Self.cents(500), Self.key("B"): Self.cents(700), Self.key("C"): Self.cents(0), Self.key("D", "x"): Self.cents(-30),
        ]
        let run = [Self.key("A"): Self.cents(500), Self.key("E"): Self.cents(1), Self.key("F"): Self.cents(0)]
        let lines = TrueUp.lines(run: run, posted: posted)
        // A unchanged, C and F zero both sides: nothing. B vanished: -700. D (a clawback posted before) vanished: +30. E new: +1.
        #expect(lines.map(\.key) == [Self.key("B"), Self.key("D", "x"), Self.key("E")])
        #expect(lines.map(\.delta.cents) == [-700, 30, 1])
        #expect(lines.map(\.entitlement.cents) == [0, 0, 1])
    }

    @Test func entriesAreEntitlementsForCashAndDatedAllocationsForMDF() throws {
        let day = try #require(Day(iso: "2023-08-15"))
        let lines = TrueUp.lines(run: [Self.key("NL01"): Self.cents(1234)], posted: [:])
        let vip = TrueUp.entries(lines, program: "VIP", kind: .vip, currency: "EUR", approvedOn: day, validThrough: nil, approval: 4)
        #expect(
            vip == [
                LedgerEntry(
                    kind: .entitlement, programID: "VIP", partnerID: "NL01", item: "data-center/ucs", amount: Self.cents(1234), currency: "EUR",
                    effectiveOn: day, source: .approval(4))
            ])
        let through = Validity.lastUsableDay(approvedOn: day, months: 12)
        let mdf = TrueUp.entries(lines, program: "MDF", kind: .mdf, currency: "USD", approvedOn: day, validThrough: through, approval: 5)
        #expect(mdf.map(\.kind) == [.allocation])
        #expect(mdf.map { $0.validThrough?.description } == ["2024-08-14"])
        #expect(mdf.map(\.amount) == [Self.cents(1234)])
    }
}
