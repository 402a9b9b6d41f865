import Foundation
import IncentiveAdvisor
import IncentiveEngine
import Testing

/// Recommendations on a small hand-made dataset: one partner, two subtracks that each need a credential.
@Suite struct RecommendationTests {
    static let program = """
        id: VIPX
        kind: vip
        currency: USD
        period: {start: 2015-01-01, end: 2015-06-30}
        tracks:
          - id: a
            subtracks:
              - {id: big, rebate_percent: 10, products: ["BIG-*"], requires_any: [EXPENSIVE, LONG]}
          - id: b
            subtracks:
              - {id: small, rebate_percent: 5, products: ["SMALL-*"], requires_all: [CHEAP]}

        """

    /// P1 booked 100,000 of BIG (10%: 10,000) and 50,000 of SMALL (5%: 2,500) by 2015-03-01, day 60 of 181, in four
    /// even orders each (none a one-off: a quarter of the volume is not more than a quarter); at that pace the
    /// volumes reach 100,000 + 100,000 × 121 / 60 = 301,666.67 and 150,833.33 by the end: 30,166.67 and 7,541.67.
    static func advice(asOf: String = "2015-03-01") throws -> PartnerAdvice {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("advisor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("programs"), withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("programs/vipx.yaml", program)
        try write("data/partners.csv", "partner_id,name,country,tier\nP1,Partner One,NL,gold\n")
        try write("data/enrollments.csv", "partner_id,program,subtrack,enrolled_on\nP1,VIPX,a/big,2015-01-05\n")
        try write(
            "data/bookings.csv",
            "order_id,line,partner_id,booked_on,sku,amount,currency\n"
                + ["01-10", "01-25", "02-10", "02-25"].enumerated().map { index, day in
                    "B\(index),1,P1,2015-\(day),BIG-1,25000.00,USD\nS\(index),1,P1,2015-\(day),SMALL-1,12500.00,USD\n"
                }.joined()
        )
        let day = try #require(Day(iso: asOf))
        let input = try Engine.load(
            dataDirectory: folder.appendingPathComponent("data").path, programsDirectory: folder.appendingPathComponent("programs").path,
            tracePartner: "P1", bookingView: Advisor.bookings(asOf: day))
        return try #require(Advisor.advise(partnerID: "P1", input: input, asOf: day))
    }

    @Test func theProjectionsTheRecommendationWeighs() throws {
        let advice = try Self.advice()
        let subtracks = try #require(advice.programs.first?.subtracks)
        #expect(advice.programs.first?.daysElapsed == 60)
        #expect(subtracks.map(\.projectedVolume) == [Money(cents: 30_166_667), Money(cents: 15_083_333)])
        #expect(subtracks.map(\.rebateAtProjection) == [Money(cents: 3_016_667), Money(cents: 754_167)])
        #expect(subtracks.map(\.missingCredentials) == [[["EXPENSIVE", "LONG"]], [["CHEAP"]]])
    }

    /// EXPENSIVE costs more than the big subtrack brings (35,000 > 30,166.67); CHEAP (500) unlocks the
    /// small one (7,541.67): buy CHEAP only, enrol in b/small: net 7,041.67.
    @Test func aCheaperCredentialBeatsABiggerSubtrack() throws {
        let catalogue = [
            CredentialOffer(id: "EXPENSIVE", name: "Expensive specialization", cost: Money(cents: 3_500_000), leadTimeDays: 30),
            CredentialOffer(id: "CHEAP", name: "Cheap certification", cost: Money(cents: 50_000), leadTimeDays: 10),
        ]
        let plan = Recommender.recommend(try Self.advice(), catalogue: catalogue)
        #expect(plan.credentials.map(\.id) == ["CHEAP"])
        #expect(plan.subtracks.map(\.path) == ["b/small"])
        #expect(plan.subtracks.map(\.enrolled) == [false])
        #expect(plan.expectedRebate == Money(cents: 754_167))
        #expect(plan.investment == Money(cents: 50_000))
        #expect(plan.net == Money(cents: 704_167))
        #expect(plan.exact)
        #expect(plan.reasoning.contains("enrol in VIPX b/small: expected rebate 7,541.67 (with CHEAP)"))
        #expect(plan.reasoning.contains { $0.hasPrefix("left out VIPX a/big: would bring 30,166.67 but needs EXPENSIVE") })
    }

    /// LONG would be cheap, but its 200 days of lead time end on 2015-09-17, after the period end: out of reach.
    @Test func aCredentialThatCannotArriveInTimeIsOutOfReach() throws {
        let catalogue = [
            CredentialOffer(id: "LONG", name: "Long program", cost: Money(cents: 100), leadTimeDays: 200),
            CredentialOffer(id: "CHEAP", name: "Cheap certification", cost: Money(cents: 50_000), leadTimeDays: 10),
        ]
        let plan = Recommender.recommend(try Self.advice(), catalogue: catalogue)
        #expect(plan.credentials.map(\.id) == ["CHEAP"])
        #expect(
            plan.reasoning.contains(
                "VIPX a/big: left out: needs one of EXPENSIVE, LONG, none within reach: EXPENSIVE (not in the catalogue); LONG (out of reach: ready 2015-09-17, after the deadline 2015-06-30)"
            ))
    }

    /// When a credential pays for itself, it is bought: here EXPENSIVE at 20,000 unlocks 30,166.67.
    @Test func anExpensiveCredentialThatPaysIsBought() throws {
        let catalogue = [
            CredentialOffer(id: "EXPENSIVE", name: "Expensive specialization", cost: Money(cents: 2_000_000), leadTimeDays: 30),
            CredentialOffer(id: "CHEAP", name: "Cheap certification", cost: Money(cents: 50_000), leadTimeDays: 10),
        ]
        let plan = Recommender.recommend(try Self.advice(), catalogue: catalogue)
        #expect(plan.credentials.map(\.id) == ["CHEAP", "EXPENSIVE"])
        #expect(plan.net == Money(cents: 3_016_667 + 754_167 - 2_050_000))
        // What the 20,000.00 buys: 10% of the 100,000.00 booked so far is 10,000.00, 30,166.67 is expected, and a/big alone
        // pays it back from 200,000.00 of volume (10% of it is 20,000.00; 199,999.99 pays 19,999.999 → 20,000.00 as well,
        // rounded half to even, so the least volume is 199,999.95: 19,999.995 → 20,000.00, while 199,999.94 → 19,999.99).
        #expect(
            plan.reasoning.contains {
                $0.hasPrefix("acquire EXPENSIVE (Expensive specialization): costs 20,000.00")
                    && $0.hasSuffix(
                        "rebate 10,000.00 on the volume booked so far, 30,166.67 expected; pays for itself from 199,999.95 of VIPX a/big volume (100,000.00 booked)"
                    )
            })
    }

    @Test func theCatalogueFileIsChecked() throws {
        let good = try CredentialCatalogue.parse(
            "credentials:\n  - {id: CHEAP, name: Cheap, cost: 500, lead_time_days: 10}\n", file: "c.yaml")
        #expect(good == [CredentialOffer(id: "CHEAP", name: "Cheap", cost: Money(cents: 50_000), leadTimeDays: 10)])
        do {
            _ = try CredentialCatalogue.parse("credentials:\n  - {id: X, cost: 12.345, lead_time_days: -1, colour: red}\n", file: "c.yaml")
            Issue.record("accepted a bad catalogue")
        } catch {
            let lines = error.errorLines
            #expect(lines.contains { $0.hasPrefix("c.yaml:2: colour") })
            #expect(lines.contains { $0.hasPrefix("c.yaml:2: cost \"12.345\"") })
            #expect(lines.contains { $0.hasPrefix("c.yaml:2: lead_time_days") })
        }
    }
}
