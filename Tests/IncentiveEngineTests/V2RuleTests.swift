import Foundation
import IncentiveEngine
import Testing

/// The rules of formats.md §5.2-5.5 with values worked out by hand, boundaries on both sides.
@Suite struct V2RuleTests {
    /// A VIP program `V2` with one track `dc` holding `subtracks` (indented as in the file), and `top` keys added.
    static func program(
        period: String = "{start: 2015-01-25, end: 2015-07-25}", counting: String = "booked_on", top: String = "", subtracks: String
    ) -> String {
        let lines = subtracks.split(separator: "\n", omittingEmptySubsequences: true)
        let common = lines.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        let indented = lines.map { "      " + $0.dropFirst(common) }.joined(separator: "\n")
        return """
            id: V2
            kind: vip
            currency: USD
            period: \(period)
            count_bookings_by: \(counting)
            eligible_tiers: [gold, premier, select]
            \(top.isEmpty ? "csat_required: 0" : top)
            tracks:
              - id: dc
                subtracks:
            \(indented)

            """
    }

    static func scenario(
        partners: String = "P1,One,NL,gold,false\n", bookings: String, enrollments: String, program: String, tiers: String? = nil
    ) -> Scenario {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + partners
        scenario.files["bookings.csv"] = Scenario.bookingsHeader + bookings
        scenario.files["enrollments.csv"] = "partner_id,program,subtrack,enrolled_on\n" + enrollments
        if let tiers { scenario.files["tiers.csv"] = "partner_id,tier,valid_from\n" + tiers }
        scenario.programs["v2.yaml"] = program
        return scenario
    }

    /// Every enrolment of `partner` in `subtracks` of V2 on 2015-01-25.
    static func enrolled(_ partner: String, _ subtracks: [String], on day: String = "2015-01-25") -> String {
        subtracks.map { "\(partner),V2,dc/\($0),\(day)\n" }.joined()
    }

    static let tiers = "[{from: 0, percent: 2}, {from: 100000, percent: 3}, {from: 200000, percent: 4}]"
    static let bands = "{products: [\"X-*\"], bands: [{from_percent: 15, percent: 4}, {from_percent: 30, percent: 6}]}"

    /// formats.md §5.4's worked example: qualifying 250,000.00, minimum 50,000.00, tiers 0: 2%, 100,000: 3%, 200,000: 4%.
    @Test func theSpecsWorkedExample() throws {
        let subtracks = """
            - {id: a, products: ["A-*"], minimum_volume: 50000, rebate_tiers: \(Self.tiers)}
            - {id: b, products: ["B-*"], minimum_volume: 50000, rebate_tiers: \(Self.tiers), tier_method: marginal}
            - {id: c, products: ["C-*"], minimum_volume: 50000, rebate_tiers: \(Self.tiers), tier_method: marginal, rebate_base: above_minimum}
            - {id: d, products: ["D-*"], minimum_volume: 50000, rebate_tiers: \(Self.tiers), attach_bonus: \(Self.bands)}
            - {id: e, products: ["E-*"], minimum_volume: 50000, rebate_tiers: \(Self.tiers), attach_bonus: \(Self.bands), cap: 15000}
            - {id: f, products: ["F-*"], minimum_volume: 50000, rebate_tiers: \(Self.tiers), attach_bonus: \(Self.bands), cap: 25000}
            """
        let bookings =
            ["A", "B", "C", "D", "E", "F"].enumerated().map { "O\($0.offset),1,P1,2015-03-01,,\($0.element)-1,1,250000,USD,\n" }.joined()
            + "OX,1,P1,2015-03-02,,X-1,1,40000,USD,\n"
        let scenario = Self.scenario(
            bookings: bookings, enrollments: Self.enrolled("P1", ["a", "b", "c", "d", "e", "f"]), program: Self.program(subtracks: subtracks))
        let result = try scenario.compute()
        // a: 250,000 x 4% = 10,000.00. b: 100,000 x 2% + 100,000 x 3% + 50,000 x 4% = 7,000.00.
        // c: base 200,000: 100,000 x 2% + 100,000 x 3% = 5,000.00. d: attach 40,000 / 250,000 = 16% -> +4: 250,000 x 8% = 20,000.00.
        // e: the same, capped at 15,000.00. f: a cap of 25,000.00 does not bind: 20,000.00.
        #expect(
            ResultsCSV.render(result.rows).split(separator: "\n").dropFirst() == [
                "V2,vip,P1,dc/a,250000.00,50000.00,true,10000.00,0.00,",
                "V2,vip,P1,dc/b,250000.00,50000.00,true,7000.00,0.00,",
                "V2,vip,P1,dc/c,250000.00,50000.00,true,5000.00,0.00,",
                "V2,vip,P1,dc/d,250000.00,50000.00,true,20000.00,0.00,",
                "V2,vip,P1,dc/e,250000.00,50000.00,true,15000.00,0.00,",
                "V2,vip,P1,dc/f,250000.00,50000.00,true,20000.00,0.00,",
            ])
        let rows = result.rows
        let c = try #require(rows[2].rebate)
        #expect(c.base == Money(cents: 20_000_000))
        #expect(c.tierMethod == .marginal)
        #expect(
            c.slices == [
                .init(
                    from: .zero, amount: Money(cents: 10_000_000), percent: ScaledDecimal(units: 20_000, scale: 4),
                    totalPercent: ScaledDecimal(units: 20_000, scale: 4)),
                .init(
                    from: Money(cents: 10_000_000), amount: Money(cents: 10_000_000), percent: ScaledDecimal(units: 30_000, scale: 4),
                    totalPercent: ScaledDecimal(units: 30_000, scale: 4)),
            ])
        let e = try #require(rows[4].rebate)
        #expect(e.capBound && e.uncapped == Money(cents: 2_000_000) && e.amount == Money(cents: 1_500_000))
        #expect(e.attach?.volume == Money(cents: 4_000_000))
        #expect(e.attach?.band?.fromPercent == ScaledDecimal(units: 150_000, scale: 4))
        #expect(e.attach?.rate(qualifying: rows[4].qualifyingVolume) == ScaledDecimal(units: 1600, scale: 2))
        #expect(e.slices.map(\.totalPercent) == [ScaledDecimal(units: 80_000, scale: 4)])
        #expect(try #require(rows[5].rebate).capBound == false)
        // The X line belongs to no subtrack: it counts only as attach volume.
        #expect(rows.allSatisfy { $0.basis == nil && $0.leftOut == LeftOutLines() })

        let json = ResultsJSON.render(result)
        #expect(json.contains("\"cap\" : \"15000.00\""))
        #expect(json.contains("\"uncapped\" : \"20000.00\""))
        #expect(json.contains("\"rate_percent\" : \"16\""))
        #expect(json.components(separatedBy: "\"cap\" :").count == 2, "the cap is shown only where it bound")
    }

    /// The formula alone, as the advisor calls it: the worked example's numbers without a file.
    @Test func theFormulaAlone() {
        func percent(_ value: Int64) -> ScaledDecimal { ScaledDecimal(units: value * 10_000, scale: 4) }
        let tiers = [0, 100_000, 200_000].enumerated().map {
            RebateTier(from: Money(cents: Int64($0.element) * 100), percent: percent(Int64($0.offset) + 2))
        }
        var subtrack = Subtrack(id: "s", name: "S", rate: .tiers(tiers, method: .marginal), productEntries: [], rebateBase: .aboveMinimum)
        let volume = Money(cents: 25_000_000), minimum = Money(cents: 5_000_000)
        let period = FiscalPeriod(name: "FY15-H2")!.range
        #expect(RebateFormula.compute(subtrack, tier: .gold, volume: volume, minimum: minimum, period: period).amount == Money(cents: 500_000))
        #expect(VIPEvaluation.rebate(subtrack, at: volume, minimum: minimum) == Money(cents: 500_000))
        #expect(VIPEvaluation.rebate(subtrack, at: Money(cents: 4_999_999), minimum: minimum) == .zero)
        subtrack.rate = .tiers(tiers, method: .retroactive)
        subtrack.rebateBase = .all
        subtrack.attachBonus = AttachBonus(
            products: [SKUPattern("X-*")],
            bands: [AttachBand(fromPercent: percent(15), percent: percent(4)), AttachBand(fromPercent: percent(30), percent: percent(6))])
        subtrack.cap = Money(cents: 1_500_000)
        let capped = RebateFormula.compute(
            subtrack, tier: nil, volume: volume, minimum: minimum, attachVolume: Money(cents: 4_000_000), period: period)
        #expect(capped.uncapped == Money(cents: 2_000_000) && capped.amount == Money(cents: 1_500_000) && capped.capBound)
        // A v1 subtrack: the v1 formula, rounded half to even once (57,500.75 x 6% = 3,450.045 -> 3,450.04).
        let v1 = Subtrack(id: "ucs", name: "UCS", rebatePercent: percent(6), products: [SKUPattern("UCS-*")])
        #expect(VIPEvaluation.rebate(v1, at: Money(cents: 5_750_075), minimum: .zero) == Money(cents: 345_004))
        #expect(
            RebateFormula.compute(v1, tier: .gold, volume: Money(cents: 5_750_075), minimum: .zero, period: period).amount == Money(cents: 345_004))
    }

    /// A base exactly on a tier's `from` earns that tier; a cent below earns the one before.
    @Test func tierBoundaryOnBothSides() throws {
        let subtracks = """
            - {id: retro, products: ["R-*"], rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3}]}
            - {id: marginal, products: ["M-*"], rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3}], tier_method: marginal}
            """
        let bookings = """
            O1,1,P1,2015-03-01,,R-1,1,100000.00,USD,
            O2,1,P1,2015-03-01,,M-1,1,100000.17,USD,
            O3,1,P2,2015-03-01,,R-1,1,99999.99,USD,
            O4,1,P2,2015-03-01,,M-1,1,100000.00,USD,

            """
        let rows = try Self.scenario(
            partners: "P1,One,NL,gold,false\nP2,Two,NL,gold,false\n", bookings: bookings,
            enrollments: Self.enrolled("P1", ["retro", "marginal"]) + Self.enrolled("P2", ["retro", "marginal"]),
            program: Self.program(subtracks: subtracks)
        ).csvRows()
        // P1 retro: on the boundary, 100,000.00 x 3% = 3,000.00. P1 marginal: 100,000 x 2% + 0.17 x 3% = 2,000.0051 -> 2,000.01.
        // P2 retro: a cent below, 99,999.99 x 2% = 1,999.9998 -> 2,000.00. P2 marginal: the second slice is empty: 2,000.00.
        #expect(
            rows == [
                "V2,vip,P1,dc/marginal,100000.17,0.00,true,2000.01,0.00,",
                "V2,vip,P1,dc/retro,100000.00,0.00,true,3000.00,0.00,",
                "V2,vip,P2,dc/marginal,100000.00,0.00,true,2000.00,0.00,",
                "V2,vip,P2,dc/retro,99999.99,0.00,true,2000.00,0.00,",
            ])
    }

    /// The attach rate is compared exactly: 15% of the qualifying volume reaches the 15% band, a cent less does not.
    @Test func attachRateOnABand() throws {
        let subtracks = """
            - {id: ucs, products: ["UCS-*"], rebate_percent: 2, attach_bonus: \(Self.bands)}
            - {id: x, products: ["X-*"], rebate_percent: 1}
            """
        let bookings = """
            O1,1,P1,2015-03-01,,UCS-1,1,100000,USD,
            O1,2,P1,2015-03-01,,X-1,1,15000.00,USD,
            O2,1,P2,2015-03-01,,UCS-1,1,100000,USD,
            O2,2,P2,2015-03-01,,X-1,1,14999.99,USD,
            O2,3,P2,2015-07-26,,X-1,1,5000,USD,
            O3,1,P3,2015-03-01,,UCS-1,1,100000,USD,
            O3,2,P3,2015-03-01,,X-1,1,30000,USD,
            O4,1,P4,2015-03-01,,X-1,1,30000,USD,

            """
        let rows = try Self.scenario(
            partners: "P1,One,NL,gold,false\nP2,Two,NL,gold,false\nP3,Three,NL,gold,false\nP4,Four,NL,gold,false\n", bookings: bookings,
            enrollments: Self.enrolled("P1", ["ucs", "x"]) + Self.enrolled("P2", ["ucs"]) + Self.enrolled("P3", ["ucs"])
                + Self.enrolled("P4", ["ucs"]),
            program: Self.program(subtracks: subtracks)
        ).csvRows()
        // P1: 15,000 / 100,000 = 15% exactly: 2 + 4 = 6%: 6,000.00 (the X line counts in x too: 150.00).
        // P2: 14,999.99 is a cent short (the X line after the period does not count): 2%: 2,000.00, although P2 is not enrolled in x.
        // P3: 30% reaches the second band: 2 + 6 = 8%: 8,000.00. P4: no qualifying volume, so no band: 0.00.
        #expect(
            rows == [
                "V2,vip,P1,dc/ucs,100000.00,0.00,true,6000.00,0.00,",
                "V2,vip,P1,dc/x,15000.00,0.00,true,150.00,0.00,",
                "V2,vip,P2,dc/ucs,100000.00,0.00,true,2000.00,0.00,",
                "V2,vip,P3,dc/ucs,100000.00,0.00,true,8000.00,0.00,",
                "V2,vip,P4,dc/ucs,0.00,0.00,true,0.00,0.00,",
            ])
    }

    static let datedProducts = """
        - id: old
          rebate_percent: 10
          products: [{sku: OLD-*, until: 2015-03-31}, {sku: NEW-*, from: 2015-04-01}, {sku: MOVE-*, until: 2015-03-31}]
        - id: later
          rebate_percent: 5
          products: ["MOVE-*"]
        """

    /// The order date decides, also when the program counts by `shipped_on`; a line outside an entry's dates falls to the
    /// next subtrack with an entry it matches, else it is left out (and said so).
    @Test func datedProductEntries() throws {
        let bookings = """
            O1,1,P1,2015-03-31,2015-04-05,OLD-1,1,1000,USD,
            O2,1,P1,2015-04-01,2015-04-02,OLD-1,1,2000,USD,
            O3,1,P1,2015-03-31,2015-04-01,NEW-1,1,4000,USD,
            O4,1,P1,2015-04-01,2015-04-01,NEW-1,1,8000,USD,
            O5,1,P1,2015-03-31,2015-04-10,MOVE-1,1,100,USD,
            O6,1,P1,2015-04-01,2015-04-10,MOVE-1,1,200,USD,
            O7,1,P1,2015-03-30,2015-07-26,OLD-1,1,16000,USD,

            """
        let scenario = Self.scenario(
            bookings: bookings, enrollments: Self.enrolled("P1", ["old", "later"]),
            program: Self.program(counting: "shipped_on", subtracks: Self.datedProducts))
        let input = try scenario.load(trace: "P1")
        let result = Engine.compute(input)
        // old: 1,000 (booked on its until) + 8,000 (booked on its from) + 100 = 9,100.00 x 10% = 910.00. OLD booked the day
        // after until and NEW booked the day before from are left out: 2 lines, 6,000.00. O7 ships after the period.
        // later: MOVE booked the day after old's entry ends: 200.00 x 5% = 10.00.
        #expect(
            ResultsCSV.render(result.rows).split(separator: "\n").dropFirst() == [
                "V2,vip,P1,dc/later,200.00,0.00,true,10.00,0.00,",
                "V2,vip,P1,dc/old,9100.00,0.00,true,910.00,0.00,",
            ])
        #expect(result.rows[1].leftOut == LeftOutLines(outsideProductDatesLines: 2, outsideProductDatesVolume: Money(cents: 600_000)))
        let text = Explanation.render(partnerID: "P1", input: input, result: result)
        #expect(text.contains("left out (booked 2015-04-01, outside the dates of product entry OLD-* until 2015-03-31): line 3: order O2/1 OLD-1"))
        #expect(text.contains("left out (booked 2015-03-31, outside the dates of product entry NEW-* from 2015-04-01): line 4: order O3/1 NEW-1"))
        #expect(text.contains("2 line(s) booked outside their product entry's dates left out, 6,000.00 USD\n"))
        let json = ResultsJSON.render(result)
        #expect(json.contains("\"outside_product_dates_lines\" : 2"))
        #expect(json.contains("\"outside_product_dates_volume\" : \"6000.00\""))
    }

    @Test func anEntryFromAfterUntilIsALoadError() throws {
        let program = Self.program(
            subtracks: """
                - id: old
                  rebate_percent: 10
                  products: ["A-*", {sku: OLD-*, from: 2015-04-01, until: 2015-03-31}]
                """)
        let problems = try Self.scenario(bookings: "", enrollments: "", program: program).problems()
        #expect(problems.count == 1)
        #expect(problems.first?.hasSuffix("v2.yaml:13: products \"OLD-*\": the entry's from (2015-04-01) is after its until (2015-03-31)") == true)
    }

    /// `full_credit_enrollment_until`: an enrolment on the date counts every line; the day after, only lines from it on,
    /// for the volume check, the rebate and the attach volume alike.
    @Test func lateEnrolment() throws {
        let subtracks = """
            - id: ucs
              rebate_percent: 10
              products: ["UCS-*"]
              minimum_volume: 2500
              attach_bonus: {products: ["X-*"], bands: [{from_percent: 50, percent: 5}]}
            """
        let bookings = """
            O1,1,P1,2015-02-01,,UCS-1,1,1000,USD,
            O2,1,P1,2015-03-15,,UCS-1,1,2000,USD,
            O3,1,P1,2015-02-10,,X-1,1,1500,USD,
            O4,1,P2,2015-02-28,,UCS-1,1,1000,USD,
            O5,1,P2,2015-03-01,,UCS-1,1,2000,USD,
            O6,1,P2,2015-02-28,,X-1,1,1000,USD,
            O7,1,P2,2015-03-02,,X-1,1,500,USD,

            """
        let scenario = Self.scenario(
            partners: "P1,One,NL,gold,false\nP2,Two,NL,gold,false\n", bookings: bookings,
            enrollments: "P1,V2,dc/ucs,2015-02-28\nP2,V2,dc/ucs,2015-03-01\n",
            program: Self.program(top: "full_credit_enrollment_until: 2015-02-28", subtracks: subtracks))
        let input = try scenario.load(trace: "P2")
        let result = Engine.compute(input)
        // P1, enrolled on the cut-off date: 3,000.00; attach 1,500 / 3,000 = 50% exactly: 10 + 5 = 15%: 450.00.
        // P2, enrolled the day after: the line of 2015-02-28 is left out: 2,000.00 < 2,500.00; attach counts only the 500.00
        // from 2015-03-02 (25%, no bonus), so it misses 10% of 2,000.00 = 200.00.
        #expect(
            ResultsCSV.render(result.rows).split(separator: "\n").dropFirst() == [
                "V2,vip,P1,dc/ucs,3000.00,2500.00,true,450.00,0.00,",
                "V2,vip,P2,dc/ucs,2000.00,2500.00,false,0.00,200.00,volume:2000.00<2500.00",
            ])
        #expect(result.rows[0].leftOut == LeftOutLines())
        let late = try #require(result.rows[1].leftOut)
        // ... and O6, the X-1 of 2015-02-28 (1,000.00), is left out of the attach volume.
        #expect(
            late
                == LeftOutLines(
                    enrolledLateOn: Day(iso: "2015-03-01"), beforeEnrollmentLines: 1, beforeEnrollmentVolume: Money(cents: 100_000),
                    attachBeforeEnrollmentLines: 1, attachBeforeEnrollmentVolume: Money(cents: 100_000)))
        #expect(result.rows[1].rebate?.attach?.volume == Money(cents: 50_000))
        let text = Explanation.render(partnerID: "P2", input: input, result: result)
        #expect(text.contains("enrolled 2015-03-01 (after full_credit_enrollment_until 2015-02-28: lines counted before 2015-03-01 are left out)"))
        #expect(text.contains("left out (counted before the late enrolment 2015-03-01): line 5: order O4/1 UCS-1 booked 2015-02-28 1,000.00 USD\n"))
        #expect(text.contains("late enrolment 2015-03-01: 1 line(s) counted before it left out, 1,000.00 USD\n"))
        #expect(text.contains("late enrolment 2015-03-01: 1 attach line(s) counted before it left out of the attach volume, 1,000.00 USD\n"))
        #expect(text.contains("rebate: 0.00 USD; missed 200.00 USD = round(2,000.00 x 10%), rounded half to even once\n"))
        #expect(ResultsJSON.render(result).contains("\"enrolled_late_on\" : \"2015-03-01\""))
    }

    /// `rebate_base: growth` over FY16-H1 for FY16-H2: the baseline scaled by 189 / 182 days, rounded half to even.
    @Test func growthOverABaseline() throws {
        let subtracks = """
            - id: ucs
              rebate_percent: 5
              products: ["UCS-*", {sku: NEW-*, from: 2016-01-24}]
              minimum_volume: 1000
              rebate_base: growth
              baseline: {period: FY16-H1}
            """
        let bookings = """
            O1,1,P1,2015-09-01,,UCS-1,1,26000.00,USD,
            O2,1,P1,2016-01-23,,UCS-1,1,0.39,USD,
            O3,1,P1,2015-07-25,,UCS-1,1,999,USD,
            O4,1,P1,2016-01-24,,UCS-1,1,127000.40,USD,
            O5,1,P2,2015-10-01,,UCS-1,1,-1000,USD,
            O6,1,P2,2016-02-01,,UCS-1,1,10000,USD,
            O7,1,P3,2015-10-01,,UCS-1,1,20000,USD,
            O8,1,P3,2016-02-01,,UCS-1,1,15000,USD,
            O9,1,P4,2015-10-01,,NEW-1,1,5000,USD,
            O10,1,P4,2016-02-01,,NEW-1,1,3000,USD,
            O11,1,P5,2015-10-01,,UCS-1,1,5000,USD,
            O12,1,P5,2016-02-01,,UCS-1,1,800,USD,

            """
        let partners = (1...5).map { "P\($0),Partner \($0),NL,gold,false\n" }.joined()
        let scenario = Self.scenario(
            partners: partners, bookings: bookings, enrollments: (1...5).map { Self.enrolled("P\($0)", ["ucs"], on: "2016-01-24") }.joined(),
            program: Self.program(period: "FY16-H2", subtracks: subtracks))
        let input = try scenario.load(trace: "P1")
        let result = Engine.compute(input)
        // P1: baseline 26,000.39 (2015-07-25 is in FY15) x 189 / 182 = 27,000.405 -> 27,000.40 (half to even);
        //     base 127,000.40 - 27,000.40 = 100,000.00 x 5% = 5,000.00.
        // P2: a negative baseline counts as 0: 10,000.00 x 5% = 500.00.
        // P3: baseline 20,000 x 189 / 182 = 20,769.23 > 15,000: base below 0 pays 0.00.
        // P4: NEW was not on the list when booked in the baseline period: no baseline; 3,000.00 x 5% = 150.00.
        // P5: 800.00 < 1,000.00 fails, and below its baseline (5,192.31) it misses 0.00.
        #expect(
            ResultsCSV.render(result.rows).split(separator: "\n").dropFirst() == [
                "V2,vip,P1,dc/ucs,127000.40,1000.00,true,5000.00,0.00,",
                "V2,vip,P2,dc/ucs,10000.00,1000.00,true,500.00,0.00,",
                "V2,vip,P3,dc/ucs,15000.00,1000.00,true,0.00,0.00,",
                "V2,vip,P4,dc/ucs,3000.00,1000.00,true,150.00,0.00,",
                "V2,vip,P5,dc/ucs,800.00,1000.00,false,0.00,0.00,volume:800.00<1000.00",
            ])
        let baselines = result.rows.map { $0.rebate?.baseline?.amount.cents }
        #expect(baselines == [2_700_040, 0, 2_076_923, 0, 519_231])
        let p1 = try #require(result.rows[0].rebate?.baseline)
        #expect(p1.sum == Money(cents: 2_600_039) && p1.baselineDays == 182 && p1.programDays == 189 && p1.periodName == "FY16-H1")
        #expect(result.rows[1].rebate?.baseline?.sum == Money(cents: -100_000))
        let text = Explanation.render(partnerID: "P1", input: input, result: result)
        #expect(text.contains("baseline: FY16-H1 (2015-07-26 .. 2016-01-23): 26,000.39 USD x 189 / 182 days = 27,000.40 USD\n"))
        #expect(text.contains("base: 127,000.40 - baseline 27,000.40 = 100,000.00 USD\n"))
        #expect(text.contains("2 line(s) in the baseline period\n"))
    }

    /// A rate that depends on the partner's tier uses the tier in force on the period's last day (tiers.csv).
    @Test func percentByTierWithTierHistory() throws {
        let subtracks = """
            - {id: ucs, products: ["UCS-*"], rebate_percent: {default: 1, gold: 2}}
            """
        let partners =
            "P1,One,NL,gold,false\nP2,Two,NL,select,false\nP3,Three,NL,select,false\nP4,Four,NL,select,false\n"
            + "P5,Five,NL,registered,false\nP6,Six,NL,gold,false\n"
        let tiers = "P3,gold,2015-07-25\nP4,GOLD,2015-07-26\nP5,registered,2015-08-01\nP5,gold,2014-01-01\nP6,registered,2015-01-01\n"
        let bookings = (1...6).map { "O\($0),1,P\($0),2015-03-01,,UCS-1,1,10000,USD,\n" }.joined()
        let scenario = Self.scenario(
            partners: partners, bookings: bookings, enrollments: (1...6).map { Self.enrolled("P\($0)", ["ucs"]) }.joined(),
            program: Self.program(subtracks: subtracks), tiers: tiers)
        let input = try scenario.load(trace: "P3")
        let result = Engine.compute(input)
        // Gold 2% of 10,000.00 = 200.00, the default 1% = 100.00. P3 turns gold on the last day; P4 the day after;
        // P5 is gold from 2014 until 2015-08-01 (eligible); P6 is registered from 2015-01-01: not eligible, misses 100.00.
        #expect(
            ResultsCSV.render(result.rows).split(separator: "\n").dropFirst() == [
                "V2,vip,P1,dc/ucs,10000.00,0.00,true,200.00,0.00,",
                "V2,vip,P2,dc/ucs,10000.00,0.00,true,100.00,0.00,",
                "V2,vip,P3,dc/ucs,10000.00,0.00,true,200.00,0.00,",
                "V2,vip,P4,dc/ucs,10000.00,0.00,true,100.00,0.00,",
                "V2,vip,P5,dc/ucs,10000.00,0.00,true,200.00,0.00,",
                "V2,vip,P6,dc/ucs,10000.00,0.00,false,0.00,100.00,tier:registered",
            ])
        #expect(result.rows.map { $0.rebate?.percentTier } == [.gold, nil, .gold, nil, .gold, nil])
        let partnersResult = result.programs[0].partners
        #expect(partnersResult[0].tier == nil)
        #expect(partnersResult[2].tier == TierOnDay(tier: .gold, day: Day(iso: "2015-07-25")!, validFrom: Day(iso: "2015-07-25")))
        #expect(partnersResult[3].tier == TierOnDay(tier: .select, day: Day(iso: "2015-07-25")!, validFrom: nil))
        let text = Explanation.render(partnerID: "P3", input: input, result: result)
        #expect(text.contains("  tier gold on 2015-07-25, the period's last day (tiers.csv, valid from 2015-07-25)\n"))
        #expect(ResultsJSON.render(result).contains("\"source\" : \"tiers.csv\""))
    }

    /// MDF chooses the tier in force on the period's last day too.
    @Test func mdfTierFromTheHistory() throws {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,gold,true\nP2,Two,NL,select,true\n"
        scenario.files["tiers.csv"] = "partner_id,tier,valid_from\nP1,select,2023-07-29\nP2,gold,2023-07-30\n"
        scenario.files["bookings.csv"] =
            Scenario.bookingsHeader + "O1,1,P1,2023-03-01,,X,1,60000,USD,managed_services\nO2,1,P2,2023-03-01,,X,1,60000,USD,managed_services\n"
        scenario.files["partners.csv"]! += "P3,Three,NL,registered,true\n"
        scenario.files["tiers.csv"]! += "P3,select,2023-01-01\n"
        scenario.files["bookings.csv"]! += "O3,1,P3,2023-03-01,,X,1,50000,USD,managed_services\n"
        scenario.programs["mdf.yaml"] = Scenario.mdf
        // All select on 2023-07-29: 1% of 60,000.00 = 600.00 (P1 would earn 2% as gold, but has no strategic service);
        // P3 (registered in partners.csv, which the program does not list) takes part as select: 500.00.
        let input = try scenario.load(trace: "P3")
        let result = Engine.compute(input)
        #expect(
            ResultsCSV.render(result.rows).split(separator: "\n").dropFirst() == [
                "MDF,mdf,P1,select,60000.00,50000.00,true,600.00,0.00,", "MDF,mdf,P2,select,60000.00,50000.00,true,600.00,0.00,",
                "MDF,mdf,P3,select,50000.00,50000.00,true,500.00,0.00,",
            ])
        let text = Explanation.render(partnerID: "P3", input: input, result: result)
        #expect(text.contains("  tier select on 2023-07-29, the period's last day (tiers.csv, valid from 2023-01-01)\n"))
        #expect(text.contains("\n  tier select, accrual 1%\n"))
    }

    @Test func tiersFileProblemsNameTheLine() throws {
        let scenario = Self.scenario(
            partners: "P1,One,NL,gold,false\n", bookings: "", enrollments: "",
            program: Self.program(subtracks: "- {id: ucs, products: [\"UCS-*\"], rebate_percent: 1}"),
            tiers: "P1,gold,2015-01-01\nP1,select,2015-01-01\nP1,platinum,2015-02-01\nPX,gold,2015-01-01\nP1,gold,2015-02-30\n")
        let problems = try scenario.problems().map { $0.replacingOccurrences(of: #"^.*/tiers.csv"#, with: "tiers.csv", options: .regularExpression) }
        #expect(
            problems == [
                "tiers.csv:3: valid_from \"2015-01-01\": partner P1 already has a tier from this date (line 2)",
                "tiers.csv:4: tier \"platinum\": unknown tier (expected gold, premier, select or registered)",
                "tiers.csv:5: partner_id \"PX\": unknown partner (not in partners.csv)",
                "tiers.csv:6: valid_from \"2015-02-30\": expected a real calendar date YYYY-MM-DD",
            ])
    }

    /// With `above_minimum`, the missed amount of a volume below the minimum is 0; a cap also bounds the missed amount.
    @Test func missedAmountsUseTheSameFormula() throws {
        let subtracks = """
            - {id: above, products: ["A-*"], rebate_percent: 10, rebate_base: above_minimum, minimum_volume: 5000}
            - {id: capped, products: ["C-*"], rebate_percent: 10, cap: 100, requires_any: [ADV-UCT]}
            """
        let bookings = "O1,1,P1,2015-03-01,,A-1,1,4999.99,USD,\nO2,1,P1,2015-03-01,,C-1,1,5000,USD,\nO3,1,P2,2015-03-01,,A-1,1,5000.01,USD,\n"
        let rows = try Self.scenario(
            partners: "P1,One,NL,gold,false\nP2,Two,NL,gold,false\n", bookings: bookings,
            enrollments: Self.enrolled("P1", ["above", "capped"]) + Self.enrolled("P2", ["above"]), program: Self.program(subtracks: subtracks)
        ).csvRows()
        // P1 above: 4,999.99 < 5,000.00 misses 0.00 (base below 0). P1 capped: 10% of 5,000 = 500.00, capped: misses 100.00.
        // P2 above: base 0.01 x 10% = 0.001 -> 0.00.
        #expect(
            rows == [
                "V2,vip,P1,dc/above,4999.99,5000.00,false,0.00,0.00,volume:4999.99<5000.00",
                "V2,vip,P1,dc/capped,5000.00,0.00,false,0.00,100.00,credential:ADV-UCT",
                "V2,vip,P2,dc/above,5000.01,5000.00,true,0.00,0.00,",
            ])
    }

    /// Every load error of formats.md §5.4, with its line, key and value. The subtrack starts on line 11.
    @Test(arguments: [
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 16, attach_bonus: \(bands)}",
            "v2.yaml:11: rebate_percent \"16\": 16 plus the largest attach bonus 6 is 22, above max_rebate_percent (20)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_tiers: [{from: 0, percent: 15}], attach_bonus: \(bands)}",
            "v2.yaml:11: rebate_tiers.percent \"15\": 15 plus the largest attach bonus 6 is 21, above max_rebate_percent (20)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: {default: 1, gold: 25}}",
            "v2.yaml:11: rebate_percent.gold \"25\": above max_rebate_percent (20)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: {gold: 2}}",
            "v2.yaml:11: rebate_percent: a rebate_percent by tier needs a default, like {default: 1, gold: 2}"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: {default: 1, platinum: 2}}",
            "v2.yaml:11: rebate_percent \"platinum\": expected default or a partner tier (gold, premier, select or registered)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3}, {from: 100000, percent: 4}]}",
            "v2.yaml:11: rebate_tiers \"100000.00\": tiers must be in strictly ascending order of from (this one follows 100000.00)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_tiers: [{from: 10, percent: 2}]}",
            "v2.yaml:11: rebate_tiers \"10.00\": the first tier must start at from: 0"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, rebate_tiers: [{from: 0, percent: 2}]}",
            "v2.yaml:11: rebate_tiers: a subtrack has either rebate_percent or rebate_tiers, not both"
        ),
        (
            "- {id: s, products: [\"A-*\"]}",
            "v2.yaml:11: rebate_percent: missing required key in a subtrack: give rebate_percent (or rebate_tiers)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, rebate_base: growth}",
            "v2.yaml:11: rebate_base \"growth\": rebate_base: growth needs a baseline, like baseline: {period: FY15-H1}"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, baseline: {period: FY15-H1}}",
            "v2.yaml:11: baseline: a baseline is used only with rebate_base: growth; this subtrack's base is all"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, attach_bonus: {products: [X], bands: [{from_percent: 30, percent: 6}, {from_percent: 15, percent: 4}]}}",
            "v2.yaml:11: attach_bonus.bands \"15\": bands must be in strictly ascending order of from_percent (this one follows 30)"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, attach_bonus: {products: [X], bands: [{from_percent: 0, percent: 6}]}}",
            "v2.yaml:11: attach_bonus.bands \"0\": from_percent must be above 0"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, cap: -1}",
            "v2.yaml:11: cap \"-1.00\": a cap must not be negative"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, tier_method: marginal}",
            "v2.yaml:11: tier_method: tier_method applies to rebate_tiers only; this subtrack has none"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_tiers: [{from: 0, percent: 2}], tier_method: stepped}",
            "v2.yaml:11: tier_method \"stepped\": expected retroactive or marginal"
        ),
        (
            "- {id: s, products: [\"A-*\"], rebate_percent: 2, rebate_base: net}",
            "v2.yaml:11: rebate_base \"net\": expected all, above_minimum or growth"
        ),
    ])
    func loadErrorsNameLineKeyAndValue(subtrack: String, expected: String) throws {
        let problems = try Self.scenario(bookings: "", enrollments: "", program: Self.program(subtracks: subtrack)).problems()
        #expect(problems.map { $0.replacingOccurrences(of: #"^.*/v2.yaml"#, with: "v2.yaml", options: .regularExpression) } == [expected])
    }

    /// Program versions with v2 keys are compared in words; a v1 change keeps its v1 words.
    @Test func changesBetweenVersionsInWords() throws {
        func parse(_ text: String) throws -> Program {
            var collector = DiagnosticCollector()
            return try #require(ProgramLoader.parse(yaml: text, file: "v2.yaml", collector: &collector), "\(collector.lines(severity: .error))")
        }
        let before = try parse(
            Self.program(
                subtracks:
                    "- {id: s, products: [A-1], rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3}]}\n- {id: t, products: [B-1], rebate_percent: 6}"
            ))
        let after = try parse(
            Self.program(
                period: "FY15-H2", top: "full_credit_enrollment_until: 2015-02-15",
                subtracks:
                    "- {id: s, products: [{sku: A-1, until: 2015-03-31}], rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: 3.5}], cap: 900}\n- {id: t, products: [B-1], rebate_percent: 7}"
            ))
        #expect(
            ProgramChanges.between(before, after) == [
                "period name: (dates) -> FY15-H2",
                "full_credit_enrollment_until: (none) -> 2015-02-15",
                "dc/s rate: tiers 0: 2%, 100,000: 3% (retroactive) -> tiers 0: 2%, 100,000: 3.5% (retroactive)",
                "dc/s products: [A-1] -> [A-1 until 2015-03-31]",
                "dc/s cap: (none) -> 900.00",
                "dc/t rebate_percent: 6 -> 7",
            ])
    }

    @Test func fullCreditDateMustBeADate() throws {
        let program = Self.program(top: "full_credit_enrollment_until: soon", subtracks: "- {id: s, products: [\"A-*\"], rebate_percent: 2}")
        let problems = try Self.scenario(bookings: "", enrollments: "", program: program).problems()
        #expect(
            problems.map { $0.replacingOccurrences(of: #"^.*/v2.yaml"#, with: "v2.yaml", options: .regularExpression) } == [
                "v2.yaml:7: full_credit_enrollment_until \"soon\": expected a real calendar date YYYY-MM-DD"
            ])
    }
}

/// The v2 rules in the one pass give, read in chunks on several threads, exactly what one thread gives.
@Suite struct V2ParallelBookingsTests {
    static let program = """
        id: VIP2
        kind: vip
        currency: USD
        period: {start: 2015-03-01, end: 2015-06-30}
        full_credit_enrollment_until: 2015-03-15
        tracks:
          - id: dc
            subtracks:
              - id: ucs
                products: [{sku: UCS-A, until: 2015-04-30}, "UCS-C", {sku: N9K-1, from: 2015-05-01}]
                rebate_tiers: [{from: 0, percent: 2}, {from: 50000, percent: 3}]
                tier_method: marginal
                rebate_base: growth
                baseline: {period: {start: 2015-01-01, end: 2015-02-28}}
                attach_bonus: {products: ["N9K-*"], bands: [{from_percent: 10, percent: 1}]}
              - id: other
                rebate_percent: 4
                products: ["UCS-*"]
                attach_bonus: {products: ["N9K-*"], bands: [{from_percent: 5, percent: 2}]}
                cap: 1000
        """

    @Test(arguments: [4, 5])
    func v2TotalsAreTheSameInChunks(seed: UInt64) throws {
        let generated = ParallelBookingsTests.generate(seed: seed, records: 1500, problems: false)
        var scenario = ParallelBookingsTests.scenario(generated.text)
        scenario.programs["vip2.yaml"] = Self.program
        scenario.files["enrollments.csv"]! +=
            "P1,VIP2,dc/ucs,2015-01-01\nP2,VIP2,dc/ucs,2015-04-10\nP2,VIP2,dc/other,2015-03-20\nP3,VIP2,dc/other,2015-03-01\n"
        let single = try ParallelBookingsTests.read(scenario, workers: 1)
        #expect(single.problems.isEmpty, "\(single.problems.prefix(3))")
        let index = try #require(single.totals.programs.firstIndex { $0.extras.count > 0 })
        let extras = single.totals.programs[index].extras
        #expect(extras.contains { $0.attachVolume.cents != 0 })
        #expect(extras.contains { $0.baselineVolume.cents != 0 })
        #expect(extras.contains { $0.beforeEnrollmentLines > 0 })
        #expect(extras.contains { $0.outsideProductDatesLines > 0 })
        for workers in [2, 3, 7] {
            let parallel = try ParallelBookingsTests.read(scenario, workers: workers)
            #expect(parallel.totals == single.totals, "workers \(workers)")
        }
    }
}
