import IncentiveEngine
import Testing

@Suite struct RoundingTests {
    @Test(arguments: [
        // (numerator, denominator, expected): x/1000 to cents means dividing by 10.
        (125, 10, 12), (135, 10, 14), (-125, 10, -12), (-135, 10, -14), (126, 10, 13), (124, 10, 12), (5, 10, 0), (15, 10, 2), (25, 10, 2),
    ])
    func halfEven(numerator: Int, denominator: Int, expected: Int) {
        #expect(Rounding.divideHalfEven(Int128(numerator), by: Int128(denominator)) == Int128(expected))
    }

    @Test func rebateOnFiftySevenThousandFiveHundredSeventyFive() {
        // 57,500.75 x 6% = 3,450.045 -> 3,450.04 (4 is even).
        let rebate = Rounding.apply(percent: ScaledDecimal(units: 60_000, scale: 4), to: Money(cents: 5_750_075))
        #expect(rebate == Money(cents: 345_004))
        // 57,500.25 x 6% = 3,450.015 -> 3,450.02 (2 is even).
        #expect(Rounding.apply(percent: ScaledDecimal(units: 60_000, scale: 4), to: Money(cents: 5_750_025)) == Money(cents: 345_002))
        // A credit: -0.125 -> -0.12: -2.50 x 5% = -0.125.
        #expect(Rounding.apply(percent: ScaledDecimal(units: 50_000, scale: 4), to: Money(cents: -250)) == Money(cents: -12))
    }

    @Test func noOverflowAtTenToTheFifteenCents() {
        // 10^15 cents x 19.9999% needs more than 64 bits in between.
        let volume = Money(cents: 1_000_000_000_000_000)
        let rebate = Rounding.apply(percent: ScaledDecimal(units: 199_999, scale: 4), to: volume)
        #expect(rebate == Money(cents: 199_999_000_000_000))
    }

    @Test func conversion() {
        // 1,000.00 EUR at 1.123456 = 1,123.456 -> 1,123.46; 0.05 at 1.5 = 0.075 -> 0.08; 0.25 x 0.5 = 0.125 -> 0.12.
        #expect(Rounding.convert(Money(cents: 100_000), rate: ScaledDecimal(units: 1_123_456, scale: 6)) == Money(cents: 112_346))
        #expect(Rounding.convert(Money(cents: 5), rate: ScaledDecimal(units: 1_500_000, scale: 6)) == Money(cents: 8))
        #expect(Rounding.convert(Money(cents: 25), rate: ScaledDecimal(units: 500_000, scale: 6)) == Money(cents: 12))
    }

    @Test func moneyText() {
        #expect(Money(cents: 5_750_000).plainText == "57500.00")
        #expect(Money(cents: -1230).plainText == "-12.30")
        #expect(Money(cents: -5).plainText == "-0.05")
        #expect(Money(cents: 5_750_000).groupedText == "57,500.00")
        #expect(Money(cents: 123_456_789).groupedText == "1,234,567.89")
        #expect(ScaledDecimal(units: 15_000, scale: 4).text == "1.5")
        #expect(ScaledDecimal(units: 60_000, scale: 4).text == "6")
    }

    @Test func dates() throws {
        let day = try #require(Day(iso: "2016-02-29"))
        #expect(day.description == "2016-02-29")
        #expect(Day(iso: "2015-02-29") == nil)
        #expect(Day(iso: "2015-13-01") == nil)
        #expect(Day(iso: "2015-1-01") == nil)
        #expect(Day(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(try #require(Day(iso: "2015-07-25")).days(to: try #require(Day(iso: "2015-07-26"))) == 1)
        // VIP 27 ran 27 weeks: 2016-01-24 .. 2016-07-30 is 189 days.
        #expect(DayRange(start: try #require(Day(iso: "2016-01-24")), end: try #require(Day(iso: "2016-07-30"))).length == 189)
    }
}
