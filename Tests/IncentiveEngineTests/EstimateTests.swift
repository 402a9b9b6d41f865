import Foundation
import IncentiveEngine
import Testing

/// The per-deal estimate (issue 14 point 6): what a quote adds, computed by the engine with and without its lines.
/// Every expected amount is worked out by hand in the comment above it.
@Suite struct EstimateTests {
    static let day = Day(year: 2015, month: 3, day: 10)!

    /// The estimate of `quote` (sku, amount in dollars) for P1 of a V2 program with `subtracks`, P1 enrolled in `enrolled`.
    static func estimate(
        subtracks: String, bookings: String, enrolled: [String], quote: [(String, Int64)], top: String = "", credentials: String? = nil,
        enrolledOn: String = "2015-01-25"
    ) throws -> DealEstimate {
        var scenario = V2RuleTests.scenario(
            bookings: bookings, enrollments: V2RuleTests.enrolled("P1", enrolled, on: enrolledOn),
            program: V2RuleTests.program(top: top, subtracks: subtracks))
        if let credentials { scenario.files["credentials.csv"] = "partner_id,credential,achieved_on,expires_on\n" + credentials }
        let input = try scenario.load(trace: "P1")
        let lines = quote.enumerated().map {
            QuoteLine(line: $0.offset + 2, sku: $0.element.0, amount: Money(cents: $0.element.1 * 100), currency: "USD", bookedOn: day)
        }
        return try Estimate.estimate(partnerID: "P1", input: input, quote: lines, quoteFile: "quote.csv")
    }

    static func item(_ estimate: DealEstimate, _ path: String) throws -> ItemEstimate {
        try #require(estimate.programs.first?.items.first { $0.item == path })
    }

    @Test func aDealThatCrossesTheMinimumAddsTheRebateOnTheWholeVolume() throws {
        // 40,000 so far, minimum 50,000: nothing. With 20,000 more: 60,000 x 5% = 3,000.00, all of it added.
        let estimate = try Self.estimate(
            subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 5, minimum_volume: 50000}",
            bookings: "O1,1,P1,2015-02-01,,A-1,1,40000,USD,\n", enrolled: ["a"], quote: [("A-2", 20000)])
        let item = try Self.item(estimate, "dc/a")
        #expect(item.volumeBefore == Money(cents: 4_000_000) && item.volumeWith == Money(cents: 6_000_000))
        #expect(item.before == .zero && item.with == Money(cents: 300_000) && item.added == Money(cents: 300_000))
        #expect(!item.eligibleBefore && item.eligibleWith)
        #expect(item.events == [.crossesMinimum(minimum: Money(cents: 5_000_000))])
        #expect(estimate.lines[0].shares == [LineShare(program: "V2", item: "dc/a", added: Money(cents: 300_000), currency: "USD")])
        #expect(estimate.totals == [CurrencyTotal(currency: "USD", before: .zero, with: Money(cents: 300_000))])
    }

    @Test func aDealBelowTheMinimumSaysHowFarItStillIs() throws {
        // 40,000 + 9,999.99 = 49,999.99: 0.01 short of 50,000; the line adds nothing and says why.
        let estimate = try Self.estimate(
            subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 5, minimum_volume: 50000}",
            bookings: "O1,1,P1,2015-02-01,,A-1,1,40000,USD,\n", enrolled: ["a"], quote: [])
        #expect(estimate.lines.isEmpty)
        var scenario = V2RuleTests.scenario(
            bookings: "O1,1,P1,2015-02-01,,A-1,1,40000,USD,\n", enrollments: V2RuleTests.enrolled("P1", ["a"]),
            program: V2RuleTests.program(subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 5, minimum_volume: 50000}"))
        scenario.files["products.csv"] = "sku\nA-1\n"
        let input = try scenario.load(trace: "P1")
        let short = try Estimate.estimate(
            partnerID: "P1", input: input,
            quote: [QuoteLine(line: 2, sku: "A-2", amount: Money(cents: 999_999), currency: "usd", bookedOn: Self.day)], quoteFile: "quote.csv")
        let item = try Self.item(short, "dc/a")
        #expect(item.events == [.belowMinimum(short: Money(cents: 1))] && item.added == .zero)
        #expect(short.lines[0].notes == ["V2: dc/a is not paid: minimum volume 50,000.00 USD, qualifying 49,999.99 USD, short by 0.01"])
        #expect(short.warnings.lines(severity: .warning) == ["quote.csv:2: warning: sku \"A-2\": not in products.csv"])
    }

    @Test func aDealThatCrossesARetroactiveTierAddsMoreThanItsSlice() throws {
        // Tiers 0: 2%, 100,000: 3% (retroactive). 90,000 so far: 1,800.00. With 10,000: 100,000 x 3% = 3,000.00,
        // adding 1,200.00 where the 10,000 at 3% alone would be 300.00.
        let estimate = try Self.estimate(
            subtracks: "- {id: r, products: [\"R-*\"], rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3}]}",
            bookings: "O1,1,P1,2015-02-01,,R-1,1,90000,USD,\n", enrolled: ["r"], quote: [("R-2", 10000)])
        let item = try Self.item(estimate, "dc/r")
        #expect(item.before == Money(cents: 180_000) && item.with == Money(cents: 300_000) && item.added == Money(cents: 120_000))
        #expect(item.events == [.reachesTier(from: Money(cents: 10_000_000), percent: ScaledDecimal(units: 30_000, scale: 4), retroactive: true)])
        #expect(item.events[0].text(currency: "USD") == "reaches the tier from 100,000.00 USD: 3% on the whole base")
    }

    @Test func aDealThatLiftsTheAttachBandAddsTheBonusOnTheWholeVolume() throws {
        // 2% on 100,000 of U; attach products X (subtrack x, not enrolled). 10,000 of X so far: 10%, no band: 2,000.00.
        // A quote of 5,000 of X: 15,000 / 100,000 = 15%, exactly on the band: +4 points, 100,000 x 6% = 6,000.00, adds 4,000.00.
        let estimate = try Self.estimate(
            subtracks: """
                - {id: u, products: ["U-*"], rebate_percent: 2, attach_bonus: \(V2RuleTests.bands)}
                - {id: x, products: ["X-*"], rebate_percent: 1}
                """,
            bookings: "O1,1,P1,2015-02-01,,U-1,1,100000,USD,\nO2,1,P1,2015-02-01,,X-1,1,10000,USD,\n", enrolled: ["u"], quote: [("X-2", 5000)])
        let item = try Self.item(estimate, "dc/u")
        #expect(item.volumeBefore == item.volumeWith)
        #expect(item.before == Money(cents: 200_000) && item.with == Money(cents: 600_000) && item.added == Money(cents: 400_000))
        #expect(
            item.events == [
                .attachBand(from: nil, to: ScaledDecimal(units: 40_000, scale: 4), rate: ScaledDecimal(units: 1500, scale: 2))
            ])
        // The quote's line also counts in x, where P1 is not enrolled: it is listed as such and adds nothing there.
        let x = try Self.item(estimate, "dc/x")
        #expect(!x.enrolled && x.events == [.notEnrolled] && x.added == .zero)
        #expect(estimate.lines[0].shares == [LineShare(program: "V2", item: "dc/u", added: Money(cents: 400_000), currency: "USD")])
    }

    @Test func aDealStoppedByACapAddsOnlyUpToIt() throws {
        // 10% capped at 1,000.00. 9,000 so far: 900.00. Line 1 (5,000): 14,000 x 10% = 1,400.00 capped at 1,000.00: adds 100.00.
        // Line 2 (1,000) adds nothing: the cap is reached.
        let estimate = try Self.estimate(
            subtracks: "- {id: c, products: [\"C-*\"], rebate_percent: 10, cap: 1000}",
            bookings: "O1,1,P1,2015-02-01,,C-1,1,9000,USD,\n", enrolled: ["c"], quote: [("C-2", 5000), ("C-3", 1000)])
        let item = try Self.item(estimate, "dc/c")
        #expect(item.before == Money(cents: 90_000) && item.with == Money(cents: 100_000) && item.added == Money(cents: 10_000))
        #expect(item.events == [.hitsCap(cap: Money(cents: 100_000), uncapped: Money(cents: 150_000))])
        #expect(estimate.lines[0].shares == [LineShare(program: "V2", item: "dc/c", added: Money(cents: 10_000), currency: "USD")])
        #expect(estimate.lines[1].shares.isEmpty)
        #expect(estimate.lines[1].notes == ["V2: dc/c has reached its cap of 1,000.00 USD"])
    }

    @Test func anUnlistedSKUAddsNothingAndSaysSo() throws {
        let estimate = try Self.estimate(
            subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 5}",
            bookings: "O1,1,P1,2015-02-01,,A-1,1,1000,USD,\n", enrolled: ["a"], quote: [("Z-9", 5000), ("A-2", 1000)])
        // Line 1: no subtrack lists Z-9. Line 2: 1,000 x 5% = 50.00.
        #expect(estimate.lines[0].shares.isEmpty && estimate.lines[0].notes == ["V2: SKU Z-9 is on no subtrack's list"])
        #expect(estimate.lines[1].shares == [LineShare(program: "V2", item: "dc/a", added: Money(cents: 5000), currency: "USD")])
        #expect(try Self.item(estimate, "dc/a").added == Money(cents: 5000))
    }

    @Test func aSubtrackNotEnrolledAddsNothingAndSaysSo() throws {
        let estimate = try Self.estimate(
            subtracks: """
                - {id: a, products: ["A-*"], rebate_percent: 5}
                - {id: o, products: ["O-*"], rebate_percent: 5}
                """,
            bookings: "O1,1,P1,2015-02-01,,A-1,1,1000,USD,\n", enrolled: ["a"], quote: [("O-1", 5000)])
        #expect(estimate.lines[0].shares.isEmpty && estimate.lines[0].notes == ["V2: subtrack dc/o is not enrolled"])
        let o = try Self.item(estimate, "dc/o")
        #expect(!o.enrolled && o.events == [.notEnrolled])
        #expect(estimate.totals == [CurrencyTotal(currency: "USD", before: Money(cents: 5000), with: Money(cents: 5000))])
    }

    @Test func aMissingCredentialIsTheReasonALineAddsNothing() throws {
        // 50,000 x 6% = 3,000.00 would be paid with ADV-UCT; without it the deal adds nothing.
        let estimate = try Self.estimate(
            subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 6, requires_any: [ADV-UCT]}",
            bookings: "", enrolled: ["a"], quote: [("A-1", 50000)])
        let item = try Self.item(estimate, "dc/a")
        #expect(item.added == .zero && item.missing.count == 1 && item.missing[0].contains("ADV-UCT"))
        #expect(
            estimate.lines[0].notes.count == 1 && estimate.lines[0].notes[0].hasPrefix("V2: dc/a is not paid: ")
                && estimate.lines[0].notes[0].contains("ADV-UCT"))
    }

    @Test func aLineBeforeALateEnrolmentIsLeftOut() throws {
        // Full credit for enrolments until 2015-02-28; P1 enrolled on 2015-03-15: the quote's line booked on 2015-03-10 is left out.
        let estimate = try Self.estimate(
            subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 5}", bookings: "", enrolled: ["a"], quote: [("A-1", 5000)],
            top: "csat_required: 0\nfull_credit_enrollment_until: 2015-02-28", enrolledOn: "2015-03-15")
        #expect(estimate.lines[0].shares.isEmpty)
        #expect(estimate.lines[0].notes == ["V2: counted before the late enrolment in dc/a on 2015-03-15: left out (late-enrolment cut-off)"])
    }

    @Test func aQuoteFileIsReadWithItsDefaults() throws {
        let lines = try Estimate.readQuote(
            text: "sku,amount,currency,intended_use,booked_on,shipped_on\nA-1,1000.5,usd,Managed Services,,\nB-2,-20,EUR,,2015-04-01,2015-04-03\n",
            file: "quote.csv", bookedOn: Self.day)
        #expect(
            lines == [
                QuoteLine(line: 2, sku: "A-1", amount: Money(cents: 100_050), currency: "USD", intendedUse: "managed_services", bookedOn: Self.day),
                QuoteLine(
                    line: 3, sku: "B-2", amount: Money(cents: -2000), currency: "EUR", bookedOn: Day(year: 2015, month: 4, day: 1)!,
                    shippedOn: Day(year: 2015, month: 4, day: 3)!),
            ])
    }

    @Test func aBadQuoteFileNamesLineColumnAndValue() throws {
        func problems(_ text: String) -> [String] {
            do {
                _ = try Estimate.readQuote(text: text, file: "quote.csv", bookedOn: Self.day)
                return []
            } catch {
                return error.errorLines
            }
        }
        #expect(problems("sku,amount\nA-1,10\n") == ["quote.csv:1: currency: missing required column (the header has: sku, amount)"])
        #expect(
            problems("sku,amount,currency,booked_on\nA-1,ten,USD,\n,5,USD,\nA-2,5,US,2015-02-30\n") == [
                "quote.csv:2: amount \"ten\": expected an amount: a decimal with '.' as separator and at most 2 decimals, no thousands separators or currency signs",
                "quote.csv:3: sku: required value is empty",
                "quote.csv:4: currency \"US\": expected an ISO 4217 currency code such as USD",
                "quote.csv:4: booked_on \"2015-02-30\": expected a real calendar date YYYY-MM-DD",
            ])
        #expect(
            problems("sku,amount,currency\n") == [
                "quote.csv: the quote has no lines (expected a header with sku, amount, currency and one line per item)"
            ])
    }

    /// MDF (the `Scenario.mdf` program): P1, a select provider, has 45,000.00 tagged managed_services; the select minimum is 50,000.00
    /// at 1%. A quote of 10,000.00 tagged: 55,000.00 x 1% = 550.00, all added. An untagged line after 2023-02-01 adds nothing.
    @Test func anMDFDealThatReachesTheTiersMinimum() throws {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,select,true\n"
        scenario.files["bookings.csv"] = Scenario.bookingsHeader + "O1,1,P1,2023-03-01,,C-1,1,45000,USD,managed_services\n"
        scenario.programs["mdf.yaml"] = Scenario.mdf
        let input = try scenario.load(trace: "P1")
        let day = Day(year: 2023, month: 4, day: 1)!
        let estimate = try Estimate.estimate(
            partnerID: "P1", input: input,
            quote: [
                QuoteLine(line: 2, sku: "C-2", amount: Money(cents: 1_000_000), currency: "USD", intendedUse: "Managed Services", bookedOn: day),
                QuoteLine(line: 3, sku: "C-3", amount: Money(cents: 100_000), currency: "USD", bookedOn: day),
            ], quoteFile: "quote.csv")
        let item = try Self.item(estimate, "select")
        #expect(item.before == .zero && item.with == Money(cents: 55_000) && item.added == Money(cents: 55_000))
        #expect(item.events == [.crossesMinimum(minimum: Money(cents: 5_000_000))])
        #expect(estimate.lines[0].shares == [LineShare(program: "MDF", item: "select", added: Money(cents: 55_000), currency: "USD")])
        #expect(estimate.lines[1].notes == ["MDF: no intended use, and the rule in force counts only tagged lines"])
    }

    /// A SKU on the list only until 2015-03-09 (the transition ended the day before the quote's date): left out, and said so.
    @Test func aSKUOffItsListOnTheQuotesDateAddsNothing() throws {
        let estimate = try Self.estimate(
            subtracks: """
                - id: a
                  rebate_percent: 5
                  products: [{sku: OLD-*, until: 2015-03-09}, {sku: NEW-*, from: 2015-03-10}]
                """,
            bookings: "", enrolled: ["a"], quote: [("OLD-1", 1000), ("NEW-1", 1000)])
        // OLD-1 booked 2015-03-10, a day after its entry ended; NEW-1 on its first day: 1,000 x 5% = 50.00.
        #expect(estimate.lines[0].notes == ["V2: SKU OLD-1 is on the list of dc/a only on other dates than 2015-03-10"])
        #expect(estimate.lines[1].shares == [LineShare(program: "V2", item: "dc/a", added: Money(cents: 5000), currency: "USD")])
    }

    /// A line booked after the period's end counts nowhere, and says so.
    @Test func aLineOutsideThePeriodAddsNothing() throws {
        let scenario = V2RuleTests.scenario(
            bookings: "", enrollments: V2RuleTests.enrolled("P1", ["a"]),
            program: V2RuleTests.program(subtracks: "- {id: a, products: [\"A-*\"], rebate_percent: 5}"))
        let input = try scenario.load(trace: "P1")
        let late = QuoteLine(line: 2, sku: "A-1", amount: Money(cents: 100_000), currency: "USD", bookedOn: Day(year: 2015, month: 7, day: 26)!)
        let estimate = try Estimate.estimate(partnerID: "P1", input: input, quote: [late], quoteFile: "quote.csv")
        #expect(estimate.lines[0].shares.isEmpty)
        #expect(estimate.lines[0].notes == ["V2: counted on 2015-07-26, outside the period 2015-01-25 .. 2015-07-25"])
    }
}
