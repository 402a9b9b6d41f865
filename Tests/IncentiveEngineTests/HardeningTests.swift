import Foundation
import Testing

@testable import IncentiveEngine

/// Issue 11 ("Hardening"): input that crashed the engine, flooded the terminal or was silently
/// accepted. Each test is a repro of the issue that failed before the fix.
@Suite struct OverflowTests {
    /// `count` booking lines of `amount` for P1, all counted in VIP's subtrack dc/ucs (booked in its period).
    static func bookings(_ count: Int, amount: String = "10000000000000.00", partner: String = "P1") -> String {
        var text = Scenario.bookingsHeader
        text.reserveCapacity(count * 60)
        for index in 0..<count { text += "SO\(index),1,\(partner),2015-03-01,,UCS-A,1,\(amount),USD,\n" }
        return text
    }

    static func scenario(_ bookings: String) -> Scenario {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,gold,true\nP2,Two,DE,premier,false\n"
        scenario.files["enrollments.csv"] = "partner_id,program,subtrack,enrolled_on\nP1,VIP,dc/ucs,2015-01-01\n"
        scenario.files["bookings.csv"] = bookings
        scenario.programs["vip.yaml"] = Scenario.vip()
        scenario.programs["mdf.yaml"] = Scenario.mdf
        return scenario
    }

    /// The repro: 9,230 lines of 10,000,000,000,000.00 (each within the ±10^15-cent limit) for one
    /// partner trapped with "arithmetic overflow". Now it is one error on the line that takes the sum past
    /// 9 × 10^18 cents: 9,000 lines make exactly 9 × 10^18, the 9,001st (file line 9,002) passes it.
    @Test func manyHugeLinesOfOnePartnerAreAnErrorNamingPartnerProgramItemAndLine() throws {
        let problems = try Self.scenario(Self.bookings(9_230)).problems()
        #expect(problems.count == 1, "\(problems)")
        let line = try #require(problems.first)
        #expect(line.contains("/bookings.csv:9002: amount \"10000000000000.00\": "), "\(line)")
        #expect(line.contains("partner P1, program VIP, item dc/ucs: "), "\(line)")
        #expect(line.contains("90,000,000,000,000,000.00 USD"), "\(line)")
    }

    /// Exactly at the limit is still summed (9,000 lines: 9 × 10^18 cents), and the rebate is exact.
    @Test func theLimitItselfIsSummed() throws {
        let rows = try Self.scenario(Self.bookings(9_000)).csvRows()
        // 6% of 90,000,000,000,000,000.00 = 5,400,000,000,000,000.00.
        #expect(rows.contains("VIP,vip,P1,dc/ucs,90000000000000000.00,57500.00,false,0.00,5400000000000000.00,credential:ADV-UCT"), "\(rows)")
    }

    /// Credits count by their size: 9,001 credits of -10^15 cents pass the limit too (a negative volume
    /// minus a minimum would otherwise overflow when the shortfall is worked out).
    @Test func creditsCountByTheirSize() throws {
        let problems = try Self.scenario(Self.bookings(9_001, amount: "-10000000000000.00")).problems()
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.contains("/bookings.csv:9002: amount \"-10000000000000.00\": partner P1, program VIP, item dc/ucs") == true)
    }

    /// The sum is over all partners and programs: 4,501 lines of P1 and 4,500 of P2 pass it with the 9,001st line, P2's last (file line 9,002).
    @Test func theSumIsOverEveryPartner() throws {
        var text = Self.bookings(4_501)
        for index in 0..<4_500 { text += "SP\(index),1,P2,2015-03-01,,UCS-A,1,10000000000000.00,USD,\n" }
        let problems = try Self.scenario(text).problems()
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.contains("/bookings.csv:9002: amount \"10000000000000.00\": partner P2, program VIP, item dc/ucs") == true)
    }

    /// Read in chunks on several threads, the error names the line one thread names: a chunk whose sum
    /// would take the total past the limit is read again, continuing from the chunks before it.
    @Test(arguments: [2, 3, 7])
    func chunkedReadingNamesTheSameLine(workers: Int) throws {
        let scenario = Self.scenario(Self.bookings(9_230))
        let single = try ParallelBookingsTests.read(scenario, workers: 1)
        #expect(single.problems.count == 1)
        #expect(single.problems.first?.contains("/bookings.csv:9002: amount") == true, "\(single.problems)")
        let parallel = try ParallelBookingsTests.read(scenario, workers: workers, minimumChunk: 1)
        #expect(parallel.problems == single.problems)
    }

    /// A line of another currency counts converted: 9,000,000,000,000.00 EUR at 1.1 is 9.9 × 10^14 USD cents;
    /// 9,090 lines make 8.9991 × 10^18, the 9,091st (file line 9,092) passes 9 × 10^18.
    @Test func convertedAmountsCountConverted() throws {
        var scenario = Self.scenario(Self.bookings(9_100, amount: "9000000000000.00").replacingOccurrences(of: ",USD,", with: ",EUR,"))
        scenario.files["fx.csv"] = "currency,valid_from,rate\nEUR,2014-01-01,1.1\n"
        let problems = try scenario.problems()
        #expect(problems.count == 1, "\(problems.prefix(3))")
        #expect(problems.first?.contains("/bookings.csv:9092: amount \"9000000000000.00\": partner P1, program VIP") == true, "\(problems.prefix(3))")
    }
}
