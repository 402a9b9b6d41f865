import Foundation
import IncentiveAdvisor
import IncentiveEngine
import Testing

/// Issue 15, points 1 and 3: every step of the plan dated, credentials weighed over their life. Every number by hand.
@Suite struct DatedActionsTests {
    /// A folder of data files and one program, loaded as the advisor loads it (as of `asOf` when given).
    static func load(program: String, files: [String: String], asOf: Day? = nil, partner: String = "P1") throws -> LoadedInput {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("programs"), withIntermediateDirectories: true)
        try program.write(to: folder.appendingPathComponent("programs/program.yaml"), atomically: true, encoding: .utf8)
        var all = files
        all["partners.csv"] = all["partners.csv"] ?? "partner_id,name,country,tier\nP1,Partner One,NL,gold\n"
        all["enrollments.csv"] = all["enrollments.csv"] ?? "partner_id,program,subtrack,enrolled_on\n"
        for (name, text) in all { try text.write(to: folder.appendingPathComponent("data/\(name)"), atomically: true, encoding: .utf8) }
        return try Engine.load(
            dataDirectory: folder.appendingPathComponent("data").path, programsDirectory: folder.appendingPathComponent("programs").path,
            tracePartner: partner, bookingView: asOf.map { Advisor.bookings(asOf: $0) })
    }

    static func advice(program: String, files: [String: String], asOf text: String) throws -> PartnerAdvice {
        let day = try #require(Day(iso: text))
        return try #require(Advisor.advise(partnerID: "P1", input: try load(program: program, files: files, asOf: day), asOf: day))
    }

    /// What the engine pays a partner's subtrack, and the checks that fail.
    static func paid(_ input: LoadedInput, partner: String = "P1", program: String, path: String) throws -> (amount: Money, failing: [Check.Code]) {
        let result = Engine.compute(input)
        let index = try #require(input.programs.firstIndex { $0.id == program })
        let row = try #require(result.programs[index].partners.first { $0.partnerID == partner }?.rows.first { $0.item == path })
        return (row.amount, row.checks.filter { !$0.passed }.map(\.code))
    }

    static func day(_ text: String) -> Day { Day(iso: text)! }

    /// 181 days, 2015-01-01..2015-06-30; the credential is tested on the enrolment day.
    static let onEnrolment = """
        id: VIPE
        kind: vip
        currency: USD
        period: {start: 2015-01-01, end: 2015-06-30}
        knowledge_deadline: enrollment
        tracks:
          - id: a
            subtracks:
              - {id: big, rebate_percent: 10, products: ["BIG-*"], requires_any: [CRED]}

        """

    /// 100,000.00 of BIG on 2015-02-01, in four even lines: none is a one-off (a quarter of the volume is not more than a
    /// quarter), so the forecast is the straight line (docs/advice.md "Forecast").
    static let bookingsSoFar =
        "order_id,line,partner_id,booked_on,sku,amount,currency\n" + (1...4).map { "O1,\($0),P1,2015-02-01,BIG-1,25000.00,USD\n" }.joined()

    // MARK: Point 1: enrol on or after the day the credential is ready

    /// P1 booked 100,000.00 of BIG by 2015-03-01, day 60 of 181: 100,000 × 181 / 60 = 301,666.666… → 301,666.67 by the
    /// end, 10% = 30,166.67. CRED costs 5,000.00 and takes 45 days: ready 2015-03-01 + 45 = 2015-04-15 (30 days to
    /// 2015-03-31, 15 more). Under `knowledge_deadline: enrollment` the plan is "enrol on or after 2015-04-15", not
    /// "enrol in" today.
    @Test func enrolOnOrAfterTheDayTheCredentialIsReady() throws {
        let advice = try Self.advice(program: Self.onEnrolment, files: ["bookings.csv": Self.bookingsSoFar], asOf: "2015-03-01")
        let catalogue = [CredentialOffer(id: "CRED", name: "The credential", cost: Money(cents: 500_000), leadTimeDays: 45)]
        let plan = Recommender.recommend(advice, catalogue: catalogue)
        #expect(plan.credentials.map(\.id) == ["CRED"])
        #expect(plan.subtracks.map(\.path) == ["a/big"])
        #expect(plan.expectedRebate == Money(cents: 3_016_667))
        #expect(plan.net == Money(cents: 3_016_667 - 500_000))
        #expect(
            plan.reasoning.contains(
                "enrol in VIPE a/big on or after 2015-04-15, by 2015-06-30 (the credentials are tested on the enrolment day: an earlier enrolment pays nothing): expected rebate 30,166.67 (with CRED)"
            ))
        #expect(
            plan.reasoning.contains(
                "acquire CRED (The credential): costs 5,000.00, ready in 45 days, on 2015-04-15; needed for VIPE a/big"
                    + "; rebate 10,000.00 on the volume booked so far, 30,166.67 expected; pays for itself from 49,999.95 of VIPE a/big volume (100,000.00 booked)"
            ))
        let big = [DatedAction.Target(program: "VIPE", path: "a/big")]
        #expect(
            plan.actions == [
                DatedAction(
                    kind: .acquire, date: Self.day("2015-04-15"), until: Self.day("2015-06-30"), targets: big, credential: "CRED",
                    cost: Money(cents: 500_000), atStake: Money(cents: 3_016_667)),
                // On the volume so far: 10% of 100,000.00.
                DatedAction(
                    kind: .enrollOnOrAfter, date: Self.day("2015-04-15"), until: Self.day("2015-06-30"), targets: big,
                    atStake: Money(cents: 3_016_667), rebateSoFar: Money(cents: 1_000_000)),
            ])
    }

    /// The plan followed literally, checked with the engine on the whole period: bookings 100,000.00 + 201,666.67 =
    /// 301,666.67 (the projection), CRED achieved on its ready day 2015-04-15. Enrolled on 2015-04-15 the engine pays
    /// 10% = 30,166.67, the rebate the plan expects; enrolled on the advice day 2015-03-01 ("enrol in" read as today)
    /// CRED is tested on 2015-03-01, before it is held: 0.00.
    @Test func thePlanFollowedLiterallyPaysWhatItExpects() throws {
        let bookings = Self.bookingsSoFar + "O2,1,P1,2015-05-01,BIG-2,201666.67,USD\n"
        let credentials = "partner_id,credential,achieved_on,expires_on\nP1,CRED,2015-04-15,\n"
        func enrolledOn(_ day: String) throws -> (amount: Money, failing: [Check.Code]) {
            let input = try Self.load(
                program: Self.onEnrolment,
                files: [
                    "bookings.csv": bookings, "credentials.csv": credentials,
                    "enrollments.csv": "partner_id,program,subtrack,enrolled_on\nP1,VIPE,a/big,\(day)\n",
                ])
            return try Self.paid(input, program: "VIPE", path: "a/big")
        }
        let onTheReadyDay = try enrolledOn("2015-04-15")
        #expect(onTheReadyDay.amount == Money(cents: 3_016_667))
        #expect(onTheReadyDay.failing.isEmpty)
        let today = try enrolledOn("2015-03-01")
        #expect(today.amount == .zero)
        #expect(today.failing == [.credential])
    }

    // MARK: Point 3: re-enrol, renew, horizon

    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    static func examplesInput(partner: String, asOf day: Day) throws -> LoadedInput {
        try Engine.load(
            dataDirectory: examples.appendingPathComponent("data").path, programsDirectory: examples.appendingPathComponent("programs").path,
            tracePartner: partner, bookingView: Advisor.bookings(asOf: day))
    }

    /// NL1003 (select, NL) enrolled in VIP25-3M data-center/ucs on 2015-04-20 and achieved ADV-UCT on 2015-05-15:
    /// `knowledge_deadline: enrollment` tests it on 2015-04-20, so the check fails although the partner holds it. As of
    /// 2015-05-31 (day 36 of 91: 2015-04-26..30 is 5, May 31) UCS shipped in the period: SO15-1202, 40,000.00 (shipped
    /// 2015-05-27), over the Dutch minimum 28,750.00. Re-enrolling on 2015-05-31 pays 6% × 40,000.00 = 2,400.00 on the
    /// volume so far; expected at the one pace of the same orders, VIP25-6M's 70,000.00 over 127 days: 40,000 +
    /// round(70,000 × 55 / 127) = 70,314.96, 6% = 4,218.8976 -> 4,218.90. No credential to buy. The CSAT
    /// reports of the period so far: 2015-04-26, 05-05, 05-12, 05-19 = 4 of 10: 6 more by 2015-07-25.
    @Test func aCredentialHeldNowButTestedOnAnOldEnrolmentIsAnsweredWithReEnrol() throws {
        let day = Self.day("2015-05-31")
        let input = try Self.examplesInput(partner: "NL1003", asOf: day)
        let advice = try #require(Advisor.advise(partnerID: "NL1003", input: input, asOf: day))
        let catalogue = try CredentialCatalogue.load(path: Self.examples.appendingPathComponent("credentials.yaml").path)
        let plan = Recommender.recommend(advice, catalogue: catalogue)
        #expect(plan.credentials.isEmpty)
        #expect(plan.investment == .zero)
        #expect(
            plan.reasoning.contains {
                $0.hasPrefix(
                    "re-enrol in VIP25-3M data-center/ucs on or after 2015-05-31, by 2015-07-25 (unenrol and enrol again: the credentials are tested on the new enrolment day): pays 2,400.00 on the volume so far, expected rebate 4,218.90 (with ADV-UCT); also still needed: only 4 of 10 CSAT"
                )
            })
        #expect(!plan.reasoning.contains { $0.contains("VIP25-3M data-center/ucs: left out") })
        let ucs3M = [DatedAction.Target(program: "VIP25-3M", path: "data-center/ucs")]
        let reEnrol = try #require(plan.actions.first { $0.kind == .reEnrollOnOrAfter })
        #expect(
            reEnrol
                == DatedAction(
                    kind: .reEnrollOnOrAfter, date: day, until: Self.day("2015-07-25"), targets: ucs3M, atStake: Money(cents: 421_890),
                    rebateSoFar: Money(cents: 240_000)))
        let csat = try #require(plan.actions.first { $0.kind == .submitCSATBy && $0.targets.first?.program == "VIP25-3M" })
        #expect(csat.date == Self.day("2015-07-25"))
        #expect(csat.count == 6)

        // The engine agrees: with the enrolment moved to 2015-05-31 the credential check passes; with 6 more CSAT reports
        // (as the plan also asks) it pays 2,400.00. On the old enrolment day, with the same reports, it pays nothing.
        var reEnrolled = Advisor.dataset(input.dataset, asOf: day)
        let partner = try #require(reEnrolled.partnerIndex("NL1003"))
        reEnrolled.csatDates[partner] += Array(repeating: day, count: 6)
        var moved = input
        moved.dataset = reEnrolled
        let enrolment = try #require(
            moved.dataset.enrollments.firstIndex { $0.partnerID == "NL1003" && $0.program == "VIP25-3M" && $0.subtrack == "data-center/ucs" })
        let old = try Self.paid(moved, partner: "NL1003", program: "VIP25-3M", path: "data-center/ucs")
        #expect(old.amount == .zero)
        #expect(old.failing == [.credential])
        moved.dataset.enrollments[enrolment].enrolledOn = day
        let new = try Self.paid(moved, partner: "NL1003", program: "VIP25-3M", path: "data-center/ucs")
        #expect(new.amount == Money(cents: 240_000))
        #expect(new.failing.isEmpty)
    }

    /// Tested on the enrolment day, with a full-credit cut-off on 2015-02-15: an enrolment after it counts only the lines
    /// booked from the enrolment day on.
    static let withCutOff = """
        id: VIPK
        kind: vip
        currency: USD
        period: {start: 2015-01-01, end: 2015-06-30}
        knowledge_deadline: enrollment
        full_credit_enrollment_until: 2015-02-15
        tracks:
          - id: a
            subtracks:
              - {id: big, rebate_percent: 10, products: ["BIG-*"], requires_any: [CRED]}

        """

    static func cutOffFiles(enrolledOn: String) -> [String: String] {
        [
            "bookings.csv": bookingsSoFar, "enrollments.csv": "partner_id,program,subtrack,enrolled_on\nP1,VIPK,a/big,\(enrolledOn)\n",
            "credentials.csv": "partner_id,credential,achieved_on,expires_on\nP1,CRED,2015-02-01,\n",
        ]
    }

    /// P1 enrolled on 2015-01-05 and achieved CRED on 2015-02-01. On 2015-02-10 (day 41 of 181), before the cut-off, the
    /// answer is to re-enrol by 2015-02-15: 10% of 100,000.00 = 10,000.00 so far; 100,000 × 181 / 41 = 441,463.41 → 44,146.34
    /// expected; the engine, with the enrolment on 2015-02-10, pays 10,000.00. On 2015-03-01, after the cut-off, a new
    /// enrolment would count only lines from 2015-03-01 on (the engine: 0.00 with the enrolment on 2015-03-01, the
    /// 100,000.00 of 2015-02-01 left out): the subtrack is left out with the reason, not promised 30,166.67.
    @Test func reEnrolmentUnderAFullCreditCutOff() throws {
        let before = try Self.advice(program: Self.withCutOff, files: Self.cutOffFiles(enrolledOn: "2015-01-05"), asOf: "2015-02-10")
        let plan = Recommender.recommend(before, catalogue: [])
        #expect(
            plan.actions == [
                DatedAction(
                    kind: .reEnrollOnOrAfter, date: Self.day("2015-02-10"), until: Self.day("2015-02-15"),
                    targets: [DatedAction.Target(program: "VIPK", path: "a/big")], atStake: Money(cents: 4_414_634),
                    rebateSoFar: Money(cents: 1_000_000))
            ])
        let reEnrolled = try Self.load(program: Self.withCutOff, files: Self.cutOffFiles(enrolledOn: "2015-02-10"), asOf: Self.day("2015-02-10"))
        #expect(try Self.paid(reEnrolled, program: "VIPK", path: "a/big").amount == Money(cents: 1_000_000))

        let after = try Self.advice(program: Self.withCutOff, files: Self.cutOffFiles(enrolledOn: "2015-01-05"), asOf: "2015-03-01")
        let late = Recommender.recommend(after, catalogue: [])
        #expect(late.actions.isEmpty)
        #expect(late.subtracks.isEmpty)
        #expect(
            late.reasoning.contains(
                "VIPK a/big: left out: its credentials were tested on the enrolment day 2015-01-05; re-enrolling now, after the full-credit date 2015-02-15, would leave out the lines counted before it (not weighed)"
            ))
        let tooLate = try Self.load(program: Self.withCutOff, files: Self.cutOffFiles(enrolledOn: "2015-03-01"), asOf: Self.day("2015-03-01"))
        #expect(try Self.paid(tooLate, program: "VIPK", path: "a/big").amount == .zero)
    }

    /// 2015-01-01..2015-06-30, the credential held at the period end.
    static let atPeriodEnd = """
        id: VIPR
        kind: vip
        currency: USD
        period: {start: 2015-01-01, end: 2015-06-30}
        tracks:
          - id: a
            subtracks:
              - {id: big, rebate_percent: 10, products: ["BIG-*"], requires_all: [CRED]}

        """

    static func renewal(expiring: String) throws -> PartnerAdvice {
        try advice(
            program: atPeriodEnd,
            files: [
                "bookings.csv": bookingsSoFar, "enrollments.csv": "partner_id,program,subtrack,enrolled_on\nP1,VIPR,a/big,2015-01-05\n",
                "credentials.csv": "partner_id,credential,achieved_on,expires_on\nP1,CRED,2014-01-01,\(expiring)\n",
            ], asOf: "2015-03-01")
    }

    static let renewable = [
        CredentialOffer(
            id: "CRED", name: "The credential", cost: Money(cents: 500_000), leadTimeDays: 30, renewalCost: Money(cents: 100_000),
            renewalLeadTimeDays: 10)
    ]

    /// CRED's last valid day is 2015-06-29, the day before the period end its check looks at: "renew before 2015-06-29"
    /// at the renewal's cost (1,000.00, not the 5,000.00 of acquiring it) and lead time (10 days: ready 2015-03-11), for
    /// the 30,166.67 expected (as above); net 29,166.67. Not "expired 2015-06-29" (a day still ahead), and not dropped.
    @Test func aCredentialExpiringTheDayBeforeTheDeadlineIsRenewedBeforeItExpires() throws {
        let advice = try Self.renewal(expiring: "2015-06-29")
        let plan = Recommender.recommend(advice, catalogue: Self.renewable)
        #expect(plan.credentials.map(\.id) == ["CRED"])
        #expect(plan.subtracks.map(\.path) == ["a/big"])
        #expect(plan.investment == Money(cents: 100_000))
        #expect(plan.net == Money(cents: 2_916_667))
        #expect(
            plan.reasoning.contains(
                "renew CRED (The credential) before 2015-06-29, its last valid day (the check looks at 2015-06-30): costs 1,000.00, ready in 10 days, on 2015-03-11; needed for VIPR a/big"
                    + "; rebate 10,000.00 on the volume booked so far, 30,166.67 expected; pays for itself from 9,999.95 of VIPR a/big volume (100,000.00 booked)"
            ))
        #expect(
            plan.actions == [
                DatedAction(
                    kind: .renewBefore, date: Self.day("2015-06-29"), until: Self.day("2015-06-30"),
                    targets: [DatedAction.Target(program: "VIPR", path: "a/big")], credential: "CRED", cost: Money(cents: 100_000),
                    atStake: Money(cents: 3_016_667))
            ])
        let table = AdviceOutput.table(advice, recommendation: plan, calendar: plan.actions)
        #expect(table.contains("missing: CRED is valid until 2015-06-29, not on 2015-06-30, the day its check looks at: renew before 2015-06-29"))
        #expect(!table.contains("expired 2015-06-29"))
        #expect(
            table.contains(
                "before 2015-06-29: renew CRED, valid until 2015-06-29 but needed on 2015-06-30, costs 1,000.00 USD; for VIPR a/big (30,166.67 USD at stake)"
            ))
    }

    /// `expires_on` is the last valid day: expiring on the period end itself, CRED is valid on the day its check looks
    /// at. Nothing to renew, nothing to buy: keep a/big for 30,166.67.
    @Test func aCredentialExpiringOnTheDeadlineNeedsNothing() throws {
        let advice = try Self.renewal(expiring: "2015-06-30")
        #expect(advice.programs[0].subtracks[0].failingChecks.isEmpty)
        let plan = Recommender.recommend(advice, catalogue: Self.renewable)
        #expect(plan.credentials.isEmpty)
        #expect(plan.investment == .zero)
        #expect(plan.expectedRebate == Money(cents: 3_016_667))
        #expect(plan.actions.isEmpty)
        #expect(plan.reasoning.contains("keep VIPR a/big: expected rebate 30,166.67"))
    }

    /// A 40,000.00 credential for 30,166.67 a period: over one period it costs more than it brings (net −9,833.33), so it
    /// is left; over three, 3 × 30,166.67 = 90,500.01 less 40,000.00 = 50,500.01, so it is bought (this period's net is
    /// still 30,166.67 − 40,000.00 = −9,833.33, and the plan says so).
    @Test func aLongerHorizonChangesTheDecision() throws {
        let advice = try Self.advice(
            program: Self.atPeriodEnd,
            files: ["bookings.csv": Self.bookingsSoFar, "enrollments.csv": "partner_id,program,subtrack,enrolled_on\nP1,VIPR,a/big,2015-01-05\n"],
            asOf: "2015-03-01")
        let catalogue = [CredentialOffer(id: "CRED", name: "The credential", cost: Money(cents: 4_000_000), leadTimeDays: 10)]
        let one = Recommender.recommend(advice, catalogue: catalogue)
        #expect(one.horizon == 1)
        #expect(one.credentials.isEmpty)
        #expect(one.subtracks.isEmpty)
        #expect(one.net == .zero)
        #expect(
            one.reasoning.contains(
                "left out VIPR a/big: would bring 30,166.67 but needs CRED, costing at least 40,000.00 with the rest of the plan"))
        let three = Recommender.recommend(advice, catalogue: catalogue, horizon: 3)
        #expect(three.horizon == 3)
        #expect(three.credentials.map(\.id) == ["CRED"])
        #expect(three.expectedRebate == Money(cents: 3_016_667))
        #expect(three.net == Money(cents: -983_333))
        #expect(three.expectedRebateOverHorizon == Money(cents: 9_050_001))
        #expect(three.netOverHorizon == Money(cents: 5_050_001))
        #expect(
            three.reasoning.contains {
                $0.hasPrefix(
                    "horizon 3 periods: a credential's cost is set against the rebate it unlocks in this period and the same rebate assumed again in each of the next 2"
                ) && $0.hasSuffix("expected rebate 90,500.01 over the horizon, net 50,500.01")
            })
        let json = AdviceOutput.json(advice, recommendation: three, calendar: three.actions)
        #expect(json.contains(#""horizon" : 3"#))
        #expect(json.contains(#""net_over_horizon" : "50500.01""#))
    }

    // MARK: The calendar

    /// Two subtracks, 2 CSAT reports required and none in: CRED (45 days) is ready 2015-04-15, so a/big is enrolled in on
    /// or after it; b/small (5% of 50,000.00 × 181 / 60 = 150,833.33: 7,541.67) needs no credential, by the period end;
    /// 2 CSAT reports by the period end for both (30,166.67 + 7,541.67 = 37,708.34 at stake). In date order; on
    /// 2015-04-15 the credential before the enrolment, on 2015-06-30 the enrolment before the reports.
    @Test func theCalendarIsInDateOrder() throws {
        let program = """
            id: VIPC
            kind: vip
            currency: USD
            period: {start: 2015-01-01, end: 2015-06-30}
            knowledge_deadline: enrollment
            csat_required: 2
            tracks:
              - id: a
                subtracks:
                  - {id: big, rebate_percent: 10, products: ["BIG-*"], requires_any: [CRED]}
              - id: b
                subtracks:
                  - {id: small, rebate_percent: 5, products: ["SMALL-*"]}

            """
        let advice = try Self.advice(
            program: program,
            files: ["bookings.csv": Self.bookingsSoFar + "O2,1,P1,2015-02-15,SMALL-1,25000.00,USD\nO2,2,P1,2015-02-15,SMALL-1,25000.00,USD\n"],
            asOf: "2015-03-01")
        let catalogue = [CredentialOffer(id: "CRED", name: "The credential", cost: Money(cents: 500_000), leadTimeDays: 45)]
        let plan = Recommender.recommend(advice, catalogue: catalogue)
        let calendar = AdviceCalendar.actions(advice, recommendation: plan)
        #expect(calendar.map(\.kind) == [.acquire, .enrollOnOrAfter, .enrollBy, .submitCSATBy])
        #expect(calendar.map(\.date) == ["2015-04-15", "2015-04-15", "2015-06-30", "2015-06-30"].map(Self.day))
        #expect(calendar.map(\.atStake) == [3_016_667, 3_016_667, 754_167, 3_770_834].map { Money(cents: $0) })
        #expect(calendar.last?.count == 2)
        #expect(calendar.last?.targets.map(\.text) == ["VIPC a/big", "VIPC b/small"])
        let table = AdviceOutput.table(advice, recommendation: plan, calendar: calendar)
        let section = try #require(table.components(separatedBy: "\nDeadline calendar\n").last)
        #expect(
            section == """
                  2015-04-15: CRED ready if started now, needed by 2015-06-30, costs 5,000.00 USD; for VIPC a/big (30,166.67 USD at stake)
                  on or after 2015-04-15, by 2015-06-30: enrol in VIPC a/big, not earlier: the credentials are tested on the enrolment day (pays 10,000.00 USD on the volume so far, 30,166.67 USD at stake)
                  by 2015-06-30: enrol in VIPC b/small (pays 2,500.00 USD on the volume so far, 7,541.67 USD at stake)
                  by 2015-06-30: submit 2 more CSAT report(s) for VIPC a/big, VIPC b/small (37,708.34 USD at stake)

                """)
        // Without a catalogue: the plan without credentials.
        #expect(AdviceCalendar.actions(advice).map(\.kind) == [.enrollBy, .submitCSATBy])
        // The page's lines in Dutch.
        let dutch = AdviceOutput.calendarLines(
            advice, calendar, words: .dutch,
            format: AdviceFormat(money: { $0.groupedText }, date: { $0.description }, check: { $0.explanation }, decimalSeparator: ","))
        #expect(
            dutch.first
                == "2015-04-15: CRED klaar als u nu begint, nodig uiterlijk 2015-06-30, kost 5,000.00 USD; voor VIPC a/big (30,166.67 USD op het spel)"
        )
    }

    // MARK: The catalogue's renewal keys

    @Test func theCatalogueReadsRenewalTermsAndChecksThem() throws {
        let offers = try CredentialCatalogue.parse(
            """
            credentials:
              - {id: A, name: A, cost: 500, lead_time_days: 10, renewal_cost: 120.50, renewal_lead_time_days: 3}
              - {id: B, name: B, cost: 800, lead_time_days: 20}

            """, file: "c.yaml")
        #expect(offers.map(\.renewalCost) == [Money(cents: 12_050), Money(cents: 80_000)])
        #expect(offers.map(\.renewalLeadTimeDays) == [3, 20])
        do {
            _ = try CredentialCatalogue.parse(
                "credentials:\n  - {id: X, cost: 1, lead_time_days: 1}\n  - {id: Y, cost: 1, lead_time_days: 1, renewal_cost: -5, renewal_lead_time_days: soon}\n",
                file: "c.yaml")
            Issue.record("accepted a bad catalogue")
        } catch {
            let lines = error.errorLines
            #expect(lines.contains { $0.hasPrefix("c.yaml:3: renewal_cost \"-5\"") })
            #expect(lines.contains { $0.hasPrefix("c.yaml:3: renewal_lead_time_days \"soon\"") })
        }
    }
}
