import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveAdvisor

/// The advice on rules v2 (formats.md §5.3-5.4), on examples/vip30 (VIP30-FY18-H1, 2017-07-30 .. 2018-01-27, 182 days;
/// examples/vip30/README.md has the program and every partner's lines). Day n of the period: 2017-07-30 is day 1,
/// 2017-08-26 day 28, 2017-08-27 day 29, 2017-10-18 day 81, 2017-10-31 day 94, 2017-11-30 day 124, 2017-12-01 day 125,
/// 2017-12-31 day 155, 2018-01-27 day 182. Every expected value is worked out by hand in the comments.
@Suite struct AdvisorV2Tests {
    static let vip30 = AdvisorTests.examples.appendingPathComponent("vip30")
    static let program = "VIP30-FY18-H1"

    static func advice(_ partner: String, asOf text: String, data: URL = vip30.appendingPathComponent("data")) throws -> PartnerAdvice {
        let day = try #require(Day(iso: text))
        let input = try Engine.load(
            dataDirectory: data.path, programsDirectory: vip30.appendingPathComponent("programs").path, programIDs: [],
            tracePartner: partner, bookingView: Advisor.bookings(asOf: day))
        return try #require(Advisor.advise(partnerID: partner, input: input, asOf: day))
    }

    static func subtrack(_ partner: String, _ path: String, asOf text: String, data: URL = vip30.appendingPathComponent("data")) throws
        -> SubtrackAdvice
    {
        try AdvisorTests.subtrack(try advice(partner, asOf: text, data: data), program, path)
    }

    static func money(_ text: String) -> Money {
        var bytes = Array(text.utf8)
        let cents = bytes.withUnsafeMutableBufferPointer { buffer -> Int64 in
            guard case .success(let cents) = FieldParsing.decimal(UnsafeBufferPointer(buffer), scale: 2, allowNegative: true) else { return .min }
            return cents
        }
        return Money(cents: cents)
    }

    static func percent(_ units: Int64) -> ScaledDecimal { ScaledDecimal(units: units * 10_000, scale: 4) }

    // MARK: next tier

    /// US5002 ucs on the last day: 60,000.00 + 39,999.99 = 99,999.99, one cent under the 100,000 boundary:
    /// 2% -> round(1,999.9998) = 2,000.00. One more cent reaches 100,000.00, where 3% applies to all of it (retroactive):
    /// 3,000.00, so the cent adds 1,000.00 (far more than the slice). The period is over: the projection is the volume.
    @Test func oneCentUnderARetroactiveTier() throws {
        let ucs = try Self.subtrack("US5002", "data-center/ucs", asOf: "2018-01-27")
        #expect(ucs.qualifyingVolume == Self.money("99999.99"))
        let next = try #require(ucs.nextTier)
        #expect(next.from == Self.money("100000.00"))
        #expect(next.percent == Self.percent(3))
        #expect(next.method == .retroactive)
        #expect(next.volume == Self.money("100000.00"))
        #expect(next.volumeNeeded == Self.money("0.01"))
        #expect(next.rebateAtTier == Self.money("3000.00"))
        #expect(next.adds == Self.money("1000.00"))
        #expect(ucs.nextTierAtProjection == next)
        // No attach bonus, baseline, cap or cut-off question for an enrolled ucs subtrack.
        #expect(ucs.attachVolume == nil && ucs.nextAttachBand == nil && ucs.growth == nil && ucs.cap == nil)
        #expect(ucs.fullCreditEnrollmentUntil == nil && ucs.lateEnrollmentForfeit == nil)
    }

    /// US5001 ucs exactly on 100,000.00 (3% on all, 3,000.00): the next tier is 250,000 at 4%, 150,000.00 away,
    /// where it pays round(250,000 × 4%) = 10,000.00: 7,000.00 more.
    @Test func exactlyOnATierBoundaryTheNextOneIsAbove() throws {
        let ucs = try Self.subtrack("US5001", "data-center/ucs", asOf: "2018-01-27")
        #expect(ucs.qualifyingVolume == Self.money("100000.00"))
        #expect(ucs.rebateNow == Self.money("3000.00"))
        let next = try #require(ucs.nextTier)
        #expect(next.from == Self.money("250000.00"))
        #expect(next.percent == Self.percent(4))
        #expect(next.volumeNeeded == Self.money("150000.00"))
        #expect(next.rebateAtTier == Self.money("10000.00"))
        #expect(next.adds == Self.money("7000.00"))
    }

    /// US5002 ucs on 2017-11-30 (day 124): only SO18-5101 60,000.00 so far; 2% = 1,200.00. 100,000 is 40,000.00 away
    /// and pays 3,000.00: adds 1,800.00. One order sets no pace: the expected volume is the 60,000.00 booked, so the
    /// next tier at the projection is the same; only if such orders kept coming (the high end) would it reach
    /// 60,000 × 182 / 124 = 88,064.516… -> 88,064.52.
    @Test func theNextTierNowAndAtTheProjection() throws {
        let ucs = try Self.subtrack("US5002", "data-center/ucs", asOf: "2017-11-30")
        #expect(ucs.projectedVolume == Self.money("60000.00"))
        #expect(ucs.forecast?.high == Self.money("88064.52"))
        #expect(ucs.rebateAtProjection == Self.money("1200.00"))
        let now = try #require(ucs.nextTier)
        #expect(now.volumeNeeded == Self.money("40000.00"))
        #expect(now.adds == Self.money("1800.00"))
        let projected = try #require(ucs.nextTierAtProjection)
        #expect(projected.from == Self.money("100000.00"))
        #expect(projected.volumeNeeded == Self.money("40000.00"))
        #expect(projected.rebateAtTier == Self.money("3000.00"))
        #expect(projected.adds == Self.money("1800.00"))
    }

    /// US5008 security/core (marginal, above the 25,000 minimum) on 2017-12-31 (day 155): SO18-5702 4,500.00 +
    /// SO18-5703 80,000.55 + SO18-5704 5,500.00 = 90,000.55 (SO18-5701 is outside the ASA entry's dates). Base
    /// 65,000.55: 50,000 × 1% + 15,000.55 × 2% = 800.011 -> 800.01. The 100,000 tier starts at a base of 100,000, a
    /// volume of 125,000.00: 34,999.45 away; there 500 + 1,000 = 1,500.00, adds 699.99 (the slice only, at 2%).
    /// SO18-5703 (80,000.55) is a one-off: more than a quarter of the volume and more than four times the median of the
    /// other two (5,000.00). The other 10,000.00 recur over the 155 days: 27 days to go add round(10,000 × 27 / 155) =
    /// 1,741.94, expected 91,742.49, base 66,742.49: 500 + 334.8498 -> 834.85; 33,257.51 more reaches 125,000.00:
    /// adds 1,500.00 − 834.85 = 665.15. On the last day the base is 125,000.55: no tier above.
    @Test func aMarginalTierAboveTheMinimum() throws {
        let core = try Self.subtrack("US5008", "security/core", asOf: "2017-12-31")
        #expect(core.qualifyingVolume == Self.money("90000.55"))
        let now = try #require(core.nextTier)
        #expect(now.method == .marginal)
        #expect(now.from == Self.money("100000.00"))
        #expect(now.volume == Self.money("125000.00"))
        #expect(now.volumeNeeded == Self.money("34999.45"))
        #expect(now.rebateAtTier == Self.money("1500.00"))
        #expect(now.adds == Self.money("699.99"))
        #expect(core.forecast?.oneOffs.map(\.orderID) == ["SO18-5703"])
        #expect(core.projectedVolume == Self.money("91742.49"))
        #expect(core.rebateAtProjection == Self.money("834.85"))
        let projected = try #require(core.nextTierAtProjection)
        #expect(projected.volumeNeeded == Self.money("33257.51"))
        #expect(projected.adds == Self.money("665.15"))
        let end = try Self.subtrack("US5008", "security/core", asOf: "2018-01-27")
        #expect(end.nextTier == nil && end.nextTierAtProjection == nil)
    }

    // MARK: next attach band

    /// US5004 voice: attach 5,999.99 of 40,000.00, one cent under 15%: no bonus, 16% = 6,400.00. 100 × attach >=
    /// 15 × 40,000 needs 6,000.00: 0.01 more, and then 20% = 8,000.00: adds 1,600.00.
    @Test func oneCentUnderAnAttachBand() throws {
        let voice = try Self.subtrack("US5004", "collaboration/voice", asOf: "2018-01-27")
        #expect(voice.attachVolume == Self.money("5999.99"))
        let next = try #require(voice.nextAttachBand)
        #expect(next.fromPercent == Self.percent(15))
        #expect(next.bonus == Self.percent(4))
        #expect(next.attachVolume == Self.money("6000.00"))
        #expect(next.attachNeeded == Self.money("0.01"))
        #expect(next.rebateWithBand == Self.money("8000.00"))
        #expect(next.adds == Self.money("1600.00"))
    }

    /// US5003 voice: attach exactly 15% (6,000.00 of 40,000.00): +4, 8,000.00. The next band, 30%, needs 12,000.00:
    /// 6,000.00 more, and pays 22% = 8,800.00: adds 800.00. US5005, exactly on 30%, is in the last band.
    @Test func exactlyOnAnAttachBandTheNextOneIsAbove() throws {
        let voice = try Self.subtrack("US5003", "collaboration/voice", asOf: "2018-01-27")
        let next = try #require(voice.nextAttachBand)
        #expect(next.fromPercent == Self.percent(30))
        #expect(next.attachVolume == Self.money("12000.00"))
        #expect(next.attachNeeded == Self.money("6000.00"))
        #expect(next.rebateWithBand == Self.money("8800.00"))
        #expect(next.adds == Self.money("800.00"))
        let last = try Self.subtrack("US5005", "collaboration/voice", asOf: "2018-01-27")
        #expect(last.nextAttachBand == nil)
    }

    // MARK: cap

    /// US5005 voice on the last day: 60,000.00 at 16 + 6 = 22%: 13,200.00 before the 12,000.00 cap, which binds.
    /// Exactly, 60,000 × 22% reaches 12,000 at 12,000 / 0.22 = 54,545.4545…, rounded up to the cent 54,545.46.
    /// US5003 (8,000.00 at 20%) is under the cap; at 20% it is reached at exactly 60,000.00.
    @Test func aBindingCapAndOneThatDoesNotBind() throws {
        let capped = try Self.subtrack("US5005", "collaboration/voice", asOf: "2018-01-27")
        #expect(capped.rebateNow == Self.money("12000.00"))
        let cap = try #require(capped.cap)
        #expect(cap.cap == Self.money("12000.00"))
        #expect(cap.bindsNow && cap.bindsAtProjection)
        #expect(cap.volumeReached == Self.money("54545.46"))
        let free = try #require(try Self.subtrack("US5003", "collaboration/voice", asOf: "2018-01-27").cap)
        #expect(!free.bindsNow && !free.bindsAtProjection)
        #expect(free.volumeReached == Self.money("60000.00"))
    }

    /// US5005 on 2017-11-30: SO18-5401 36,000.00 + SO18-5402 24,000.00 = 60,000.00 with attach 12,000.00 (20%: +4): 20% of
    /// 60,000.00 is exactly the 12,000.00 cap: reached, so more volume adds nothing (the engine's `capBound`, which says
    /// whether the cap lowered the amount, is false). It is reached at exactly 60,000.00.
    /// On 2017-10-31 (day 94) only SO18-5401 36,000.00, no attach: 16% = 5,760.00; one order sets no pace, so that is
    /// also the rebate at the expected volume, under the cap; at 16% the cap is reached at 12,000 / 0.16 = 75,000.00.
    @Test func aCapReachedExactlyAndOneNotReachedAtThePace() throws {
        let exactly = try #require(try Self.subtrack("US5005", "collaboration/voice", asOf: "2017-11-30").cap)
        #expect(exactly.bindsNow)
        #expect(exactly.volumeReached == Self.money("60000.00"))
        let early = try Self.subtrack("US5005", "collaboration/voice", asOf: "2017-10-31")
        #expect(early.projectedVolume == Self.money("36000.00"))
        #expect(early.rebateAtProjection == Self.money("5760.00"))
        let cap = try #require(early.cap)
        #expect(!cap.bindsNow && !cap.bindsAtProjection)
        #expect(cap.volumeReached == Self.money("75000.00"))
        #expect(cap.volumeReachedAtProjection == Self.money("75000.00"))
    }

    /// US5003 on 2017-10-18 (day 81): SO18-5201 18,000.00 + SO18-5202 22,000.00 = 40,000.00 and attach 2,500.00 (6.25%: no
    /// band), 16% = 6,400.00. At this pace 40,000 × 182 / 81 = 89,876.543… -> 89,876.54 and attach 2,500 × 182 / 81 =
    /// 5,617.28 (still 6.25%): round(89,876.54 × 16%) = round(14,380.2464) = 14,380.25 before the cap, which binds at the
    /// projection only: the rebate at the projection is 12,000.00, reached from 75,000.00.
    @Test func aCapThatBindsAtTheProjection() throws {
        let voice = try Self.subtrack("US5003", "collaboration/voice", asOf: "2017-10-18")
        #expect(voice.attachVolume == Self.money("2500.00"))
        #expect(voice.projectedVolume == Self.money("89876.54"))
        #expect(voice.projectedAttachVolume == Self.money("5617.28"))
        #expect(voice.rebateAtProjection == Self.money("12000.00"))
        let cap = try #require(voice.cap)
        #expect(!cap.bindsNow && cap.bindsAtProjection)
        #expect(cap.volumeReachedAtProjection == Self.money("75000.00"))
        // The next band now: 15% of 40,000.00 = 6,000.00 attach, 3,500.00 more; 20% = 8,000.00, adds 1,600.00.
        let band = try #require(voice.nextAttachBand)
        #expect(band.attachNeeded == Self.money("3500.00") && band.adds == Self.money("1600.00"))
        // At the projection: 15% of 89,876.54 = 13,481.481 -> 13,481.49 attach, 7,864.21 more than 5,617.28; at 20% it
        // would be 17,975.308, but the cap holds both at 12,000.00: the band adds nothing.
        let projectedBand = try #require(voice.nextAttachBandAtProjection)
        #expect(projectedBand.attachVolume == Self.money("13481.49"))
        #expect(projectedBand.attachNeeded == Self.money("7864.21"))
        #expect(projectedBand.adds == .zero)
    }

    // MARK: growth

    /// US5007 hyperflex: FY17 120,000.00 scaled by 182 / 364: baseline 60,000.00. On 2017-10-31 (day 94) SO18-5601
    /// 50,000.00: 10,000.00 of growth still needed, and as much at the expected volume (one order sets no pace: the
    /// 50,000.00 booked); only the high end, 50,000 × 182 / 94 = 96,808.510… -> 96,808.51, passes the baseline. The
    /// tier in force on 2018-01-27 is gold: 5%.
    @Test func growthBelowTheBaselineNowAndAtTheExpectedVolume() throws {
        let hyperflex = try Self.subtrack("US5007", "data-center/hyperflex", asOf: "2017-10-31")
        let growth = try #require(hyperflex.growth)
        #expect(growth.baselineSum == Self.money("120000.00"))
        #expect(growth.baseline == Self.money("60000.00"))
        #expect(growth.baselinePeriodName == "FY17")
        #expect(growth.baselinePeriod == DayRange(start: Day(iso: "2016-07-31")!, end: Day(iso: "2017-07-29")!))
        #expect(growth.stillNeeded == Self.money("10000.00"))
        #expect(hyperflex.projectedVolume == Self.money("50000.00"))
        #expect(hyperflex.forecast?.high == Self.money("96808.51"))
        #expect(growth.stillNeededAtProjection == Self.money("10000.00"))
        #expect(hyperflex.rebateAtProjection == .zero)
        #expect(hyperflex.rebatePercent == Self.percent(5))
        #expect(hyperflex.nextTier == nil)
    }

    /// The recommendation weighs the projection with the rules of §5.4: US5003 on 2017-10-18 keeps voice for the
    /// 12,000.00 the cap holds it to at the projection (16% of 89,876.54 would be 14,380.25, as `aCapThatBindsAtTheProjection`
    /// says); the other subtracks have no volume.
    @Test func theRecommendationWeighsTheRebateAtTheProjectionOfRulesV2() throws {
        let plan = Recommender.recommend(try Self.advice("US5003", asOf: "2017-10-18"), catalogue: [])
        #expect(plan.subtracks.map(\.path) == ["collaboration/voice"])
        #expect(plan.expectedRebate == Self.money("12000.00"))
        #expect(plan.net == Self.money("12000.00"))
    }

    /// US5006 hyperflex on the last day: 45,000.00 over a baseline of 30,000.05 × 182 / 364 = 15,000.025 -> 15,000.02:
    /// no growth needed; gold (tiers.csv, on the last day) 5% of 29,999.98 = 1,500.00, as the engine pays.
    @Test func growthAboveTheBaseline() throws {
        let hyperflex = try Self.subtrack("US5006", "data-center/hyperflex", asOf: "2018-01-27")
        let growth = try #require(hyperflex.growth)
        #expect(growth.baselineSum == Self.money("30000.05"))
        #expect(growth.baseline == Self.money("15000.02"))
        #expect(growth.stillNeeded == .zero && growth.stillNeededAtProjection == .zero)
        #expect(hyperflex.rebateNow == Self.money("1500.00"))
        #expect(hyperflex.rebateAtProjection == Self.money("1500.00"))
    }

    // MARK: late enrolment

    /// examples/vip30 without CA6001's voice enrolment (a copy in a temporary folder).
    static func withoutCA6001Enrollment() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("advisor-v2-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: vip30.appendingPathComponent("data"), to: folder)
        let path = folder.appendingPathComponent("enrollments.csv")
        let kept = try String(contentsOf: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("CA6001,") }
        try (kept.joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
        return folder
    }

    /// CA6001 not enrolled in voice, on 2017-08-26, the `full_credit_enrollment_until` day itself: enrolling that day
    /// keeps full credit (SO18-6002 20,000.00 counts, and the attach licence SO18-6001 9,000.00), so the advice gives the
    /// last day to enrol with full credit, and no forfeit.
    @Test func enrollingOnTheCutOffDayKeepsFullCredit() throws {
        let data = try Self.withoutCA6001Enrollment()
        defer { try? FileManager.default.removeItem(at: data) }
        let voice = try Self.subtrack("CA6001", "collaboration/voice", asOf: "2017-08-26", data: data)
        #expect(!voice.enrolled && voice.canEnroll)
        #expect(voice.qualifyingVolume == Self.money("20000.00"))
        #expect(voice.attachVolume == Self.money("9000.00"))
        #expect(voice.fullCreditEnrollmentUntil == Day(iso: "2017-08-26"))
        #expect(voice.lateEnrollmentForfeit == nil)
    }

    /// In examples/vip30 itself CA6001 enrols in voice on 2017-08-27; on 2017-08-26 that enrolment is not made yet, and the
    /// advice supposes one made that day, the cut-off day: full credit, the same 20,000.00 and 9,000.00 attach, although
    /// the booking pass of the loaded data cut CA6001's lines at 2017-08-27 (the advisor counts them again).
    @Test func anEnrolmentMadeAfterTheAdviceDayDoesNotCutTheWhatIf() throws {
        let voice = try Self.subtrack("CA6001", "collaboration/voice", asOf: "2017-08-26")
        #expect(!voice.enrolled)
        #expect(voice.qualifyingVolume == Self.money("20000.00"))
        #expect(voice.attachVolume == Self.money("9000.00"))
        #expect(voice.fullCreditEnrollmentUntil == Day(iso: "2017-08-26"))
        #expect(voice.lateEnrollmentForfeit == nil)
    }

    /// The day after, 2017-08-27 (day 29): enrolling then counts SO18-6003 35,000.00 (booked that day) and leaves out
    /// SO18-6002 20,000.00 and the attach licence SO18-6001 9,000.00. So far: 35,000.00 at 16% (no attach) = 5,600.00;
    /// with full credit 55,000.00 and 9,000.00 attach (16.36%: +4) at 20% = 11,000.00: the cut-off costs 5,400.00.
    /// At the pace of every line: 55,000 × 182 / 29 = 345,172.413… -> 345,172.41, less the 20,000.00 left out:
    /// 325,172.41; attach 9,000 × 182 / 29 = 56,482.758… -> 56,482.76, less 9,000.00: 47,482.76 (14.6%: no band);
    /// 16% of 325,172.41 is far above the 12,000.00 cap, and so is full credit: at the projection it costs nothing.
    @Test func enrollingTheDayAfterTheCutOffForfeitsEarlierLines() throws {
        let data = try Self.withoutCA6001Enrollment()
        defer { try? FileManager.default.removeItem(at: data) }
        let voice = try Self.subtrack("CA6001", "collaboration/voice", asOf: "2017-08-27", data: data)
        #expect(voice.qualifyingVolume == Self.money("35000.00"))
        #expect(voice.attachVolume == .zero)
        #expect(voice.fullCreditEnrollmentUntil == nil)
        let forfeit = try #require(voice.lateEnrollmentForfeit)
        #expect(forfeit.fullCreditUntil == Day(iso: "2017-08-26"))
        #expect(forfeit.enrollOn == Day(iso: "2017-08-27"))
        #expect(forfeit.lines == 1 && forfeit.volume == Self.money("20000.00"))
        #expect(forfeit.attachLines == 1 && forfeit.attachVolume == Self.money("9000.00"))
        #expect(forfeit.rebate == Self.money("5400.00"))
        #expect(voice.projectedVolume == Self.money("325172.41"))
        #expect(voice.projectedAttachVolume == Self.money("47482.76"))
        #expect(voice.rebateAtProjection == Self.money("12000.00"))
        #expect(forfeit.rebateAtProjection == .zero)
        // In words; a subtrack with nothing booked (ucs) has nothing to forfeit, and the table says nothing of it.
        let table = AdviceOutput.table(try Self.advice("CA6001", asOf: "2017-08-27", data: data))
        #expect(
            table.contains(
                "    enrolling on 2017-08-27, after the full-credit date 2017-08-26, leaves out 1 line(s) counted before it, 20,000.00 USD"
                    + " and 1 attach line(s), 9,000.00 USD: 5,400.00 USD less rebate so far, 0.00 USD less at the projected volume\n"))
        #expect(table.components(separatedBy: "leaves out").count == 2)
    }

    /// CA6001, enrolled late (2017-08-27), on 2017-12-01 (day 125): counted SO18-6003 35,000.00 + SO18-6004 10,000.00 =
    /// 45,000.00, attach SO18-6005 7,000.00; left out 20,000.00 and 9,000.00 attach. The projection is that of every line
    /// less those left out: 65,000 × 182 / 125 = 94,640.00 − 20,000.00 = 74,640.00, attach 16,000 × 182 / 125 =
    /// 23,296.00 − 9,000.00 = 14,296.00 (19.15%: +4); 20% = 14,928.00, capped at 12,000.00 (reached at 20% from
    /// 60,000.00). Now: 45,000.00 at 20% = 9,000.00, under the cap. An enrolled subtrack has no forfeit to tell.
    @Test func aLateEnrolmentProjectsThePaceOfEveryLineLessThoseLeftOut() throws {
        let voice = try Self.subtrack("CA6001", "collaboration/voice", asOf: "2017-12-01")
        #expect(voice.enrolled)
        #expect(voice.qualifyingVolume == Self.money("45000.00"))
        #expect(voice.rebateNow == Self.money("9000.00"))
        #expect(voice.projectedVolume == Self.money("74640.00"))
        #expect(voice.projectedAttachVolume == Self.money("14296.00"))
        #expect(voice.rebateAtProjection == Self.money("12000.00"))
        let cap = try #require(voice.cap)
        #expect(!cap.bindsNow && cap.bindsAtProjection)
        #expect(cap.volumeReachedAtProjection == Self.money("60000.00"))
        #expect(voice.lateEnrollmentForfeit == nil && voice.fullCreditEnrollmentUntil == nil)
    }

    // MARK: the volume at which a cap is reached, on small subtracks built here

    static func outlook(_ rate: RebateRate, base: RebateBase = .all, minimum: Money = .zero, cap: Money) -> RebateOutlook {
        let subtrack = Subtrack(
            id: "s", name: "S", rate: rate, productEntries: [], minimumVolume: MinimumVolume(defaultAmount: minimum), rebateBase: base, cap: cap)
        let period = DayRange(start: Day(iso: "2017-07-30")!, end: Day(iso: "2018-01-27")!)
        return RebateOutlook(subtrack: subtrack, tier: .gold, minimum: minimum, baselineSum: .zero, period: period)
    }

    /// 3% and a cap of 1,000.01: V × 3% >= 1,000.01 from V = 33,333.666…, rounded up 33,333.67 (33,333.66 × 3% =
    /// 999.9998 falls short). A 0% subtrack never reaches a cap of 1.00.
    @Test func theCapIsReachedAtTheExactVolumeRoundedUp() {
        let plain = Self.outlook(.percent(PercentByTier(defaultPercent: Self.percent(3))), cap: Self.money("1000.01"))
        #expect(plain.volumeReachingCap(Self.money("1000.01"), bonus: nil, deduction: 0) == Self.money("33333.67"))
        let nothing = Self.outlook(.percent(PercentByTier(defaultPercent: Self.percent(0))), cap: Self.money("1.00"))
        #expect(nothing.volumeReachingCap(Self.money("1.00"), bonus: nil, deduction: 0) == nil)
    }

    /// Retroactive 0: 2%, 100,000: 3% with a cap of 2,500.00: below 100,000 it pays at most 99,999.99 × 2% = 1,999.9998;
    /// at 100,000.00 3% pays 3,000.00: the cap is reached by the jump, at 100,000.00 exactly.
    /// Marginal 0: 1%, 50,000: 2% above a minimum of 20,000 with a cap of 1,000.00: 500.00 on the first 50,000 of base,
    /// then 2% needs 25,000 more: a base of 75,000.00, a volume of 95,000.00.
    @Test func theCapIsReachedInTheTierWhereTheRebateFirstGetsThere() {
        let tiers = [
            RebateTier(from: .zero, percent: Self.percent(2)), RebateTier(from: Self.money("100000.00"), percent: Self.percent(3)),
        ]
        let retroactive = Self.outlook(.tiers(tiers, method: .retroactive), cap: Self.money("2500.00"))
        #expect(retroactive.volumeReachingCap(Self.money("2500.00"), bonus: nil, deduction: 0) == Self.money("100000.00"))
        let slices = [
            RebateTier(from: .zero, percent: Self.percent(1)), RebateTier(from: Self.money("50000.00"), percent: Self.percent(2)),
        ]
        let marginal = Self.outlook(
            .tiers(slices, method: .marginal), base: .aboveMinimum, minimum: Self.money("20000.00"), cap: Self.money("1000.00"))
        #expect(
            marginal.volumeReachingCap(Self.money("1000.00"), bonus: nil, deduction: Self.money("20000.00").cents) == Self.money("95000.00"))
        // What the advice gives for it at 60,000.00 of volume (base 40,000.00, 400.00): the cap does not bind, and the
        // next tier, from a base of 50,000 (a volume of 70,000.00), adds 500.00 − 400.00 = 100.00.
        let cap = marginal.cap(volume: Self.money("60000.00"), attach: .zero, projected: Self.money("60000.00"), projectedAttach: .zero)
        #expect(cap?.bindsNow == false && cap?.volumeReached == Self.money("95000.00"))
        let next = marginal.nextTier(volume: Self.money("60000.00"), attach: .zero)
        #expect(next?.volume == Self.money("70000.00") && next?.adds == Self.money("100.00"))
    }

    /// The recommendation prices a subtrack with the tier the engine used: US5006 is premier in partners.csv but gold
    /// from 2018-01-27, the period's last day, so hyperflex pays 5% of 45,000.00 − 15,000.02 = 29,999.98: 1,500.00 (at
    /// premier's 4% it would be 1,200.00). What the plan says it pays on the volume so far is the engine's own amount.
    @Test func theRecommendationPricesWithTheTierOnThePeriodsLastDay() throws {
        let hyperflex = try Self.subtrack("US5006", "data-center/hyperflex", asOf: "2018-01-27")
        #expect(hyperflex.rebateNow == Self.money("1500.00"))
        #expect(Recommender.rebateSoFar(hyperflex) == Self.money("1500.00"))
    }

    // MARK: words

    /// The table and the page summary word the facts (US5002 ucs on 2017-11-30, US5008 core on 2017-12-31, US5005 voice on
    /// the last day).
    @Test func theTableAndTheSummaryWordTheFacts() throws {
        let table = AdviceOutput.table(try Self.advice("US5002", asOf: "2017-11-30"))
        #expect(table.contains("    next tier from 100,000.00 USD of base, 3% on the whole base: 40,000.00 USD more volume adds 1,800.00 USD\n"))
        // One order sets no pace: nothing is said at the projection that is not said now.
        #expect(!table.contains("    at this pace: next tier"))
        let marginal = AdviceOutput.table(try Self.advice("US5008", asOf: "2017-12-31"))
        #expect(
            marginal.contains(
                "    at this pace: next tier from 100,000.00 USD of base, 3% on the part above it: 33,257.51 USD more volume adds 665.15 USD\n"))
        let capped = try Self.advice("US5005", asOf: "2018-01-27")
        let lines = AdviceOutput.summary(capped, words: .english, format: .plain)
        let voice = try #require(lines.first { $0.hasPrefix("VIP30-FY18-H1 collaboration/voice:") })
        #expect(voice.hasSuffix("; the cap of 12,000.00 USD is reached from 54,545.46 USD of volume: more volume adds nothing"))
        let dutch = AdviceOutput.summary(capped, words: .dutch, format: .plain)
        #expect(
            dutch.contains {
                $0.hasSuffix("; het plafond van 12,000.00 USD is bereikt vanaf 54,545.46 USD volume: meer volume levert niets extra op")
            })
        // Before the cut-off, a subtrack not enrolled in gives the last day to enrol with full credit (US5003, enrolled in
        // voice only on 2017-08-26).
        let early = AdviceOutput.table(try Self.advice("US5003", asOf: "2017-08-20"))
        #expect(early.contains("    enrol by 2017-08-26 for full credit; an enrolment after it counts only lines from the enrolment day on\n"))
    }

    /// Percents are written with the reader's decimal separator: 3.5% in English, 3,5% on a Dutch page.
    @Test func percentsTakeTheFormatsDecimalSeparator() {
        let half = ScaledDecimal(units: 35_000, scale: 4)
        #expect(AdviceFormat.plain.percent(half) == "3.5")
        let dutch = AdviceFormat(money: { $0.plainText }, date: { $0.description }, check: { $0.explanation }, decimalSeparator: ",")
        #expect(dutch.percent(half) == "3,5")
        #expect(
            AdviceWords.dutch.nextTier("100.000,00", dutch.percent(half), false, "1.000,00", "35,00", "EUR")
                == "volgende schijf vanaf 100.000,00 EUR grondslag, 3,5% over het deel daarboven: 1.000,00 EUR meer volume levert 35,00 EUR extra op")
    }

    /// A v1 program's advice has none of the facts, so it reads as before.
    @Test func aV1ProgramHasNoneOfTheFacts() throws {
        let advice = try AdvisorTests.advice("NL1001", asOf: "2015-04-30")
        for subtrack in advice.programs.flatMap(\.subtracks) {
            #expect(subtrack.attachVolume == nil && subtrack.nextTier == nil && subtrack.nextTierAtProjection == nil)
            #expect(subtrack.nextAttachBand == nil && subtrack.growth == nil && subtrack.cap == nil)
            #expect(subtrack.fullCreditEnrollmentUntil == nil && subtrack.lateEnrollmentForfeit == nil)
        }
        #expect(!AdviceOutput.json(advice).contains("next_tier"))
    }
}
