import IncentiveEngine
import Testing

/// The typed facts every check and row carries (issue 12, point 1), with values worked out by hand.
@Suite struct RuleFactsTests {
    static let voice = """
          - id: voice
            rebate_percent: 16
            products: ["CP-*"]
            requires_all: [EXPRESS-FOUNDATION]
            requires_any: [ADV-COLLAB, MASTER-COLLAB]
            minimum_volume: {default: 25000}
        """

    func scenario(credentials: String = "", csat: String = "", deadline: String = "enrollment", bookings: String) -> Scenario {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,gold,false\n"
        scenario.files["bookings.csv"] = Scenario.bookingsHeader + bookings
        scenario.files["credentials.csv"] = "partner_id,credential,achieved_on,expires_on\n" + credentials
        scenario.files["enrollments.csv"] = "partner_id,program,subtrack,enrolled_on\nP1,VIP,dc/voice,2015-02-10\n"
        scenario.files["csat.csv"] = "partner_id,survey_id,submitted_on\n" + csat
        scenario.programs["vip.yaml"] = Scenario.vip(csat: 3, deadline: deadline, subtracks: Self.voice)
        return scenario
    }

    static func row(_ result: ComputeResult) throws -> ResultRow {
        try #require(result.rows.count == 1)
        return result.rows[0]
    }

    /// ADV-COLLAB achieved 2015-03-01, after the enrolment day 2015-02-10 the `enrollment` deadline tests on;
    /// EXPRESS-FOUNDATION held since 2014. One CSAT report of three; 20,000.00 booked against 25,000.00.
    @Test func aFailingRequiresAnyCheckCarriesItsIdsAndDeadline() throws {
        let result = try scenario(
            credentials: "P1,EXPRESS-FOUNDATION,2014-01-01,\nP1,ADV-COLLAB,2015-03-01,\n",
            csat: "P1,S1,2015-03-01\n",
            bookings: "O1,1,P1,2015-03-01,,CP-1,1,20000,USD,\n"
        ).compute()
        let row = try Self.row(result)
        let credentialChecks = row.checks.filter { $0.code == .credential }
        #expect(credentialChecks.count == 2)
        let all = try #require(credentialChecks[0].facts.credentialRequirement)
        #expect(credentialChecks[0].passed)
        #expect(all == Check.CredentialRequirement(ids: ["EXPRESS-FOUNDATION"], anyOf: false, deadline: Day(iso: "2015-02-10")!, rule: .enrollment))
        let any = try #require(credentialChecks[1].facts.credentialRequirement)
        #expect(!credentialChecks[1].passed)
        #expect(any.ids == ["ADV-COLLAB", "MASTER-COLLAB"])
        #expect(any.anyOf)
        #expect(any.deadline == Day(iso: "2015-02-10"))
        #expect(any.rule == .enrollment)
        // The reason code of formats.md §4 is kept, but nothing reads the ids back from it.
        #expect(credentialChecks[1].reason == "credential:ADV-COLLAB|MASTER-COLLAB")

        // Shortfalls: 3 − 1 = 2 CSAT reports; 25,000.00 − 20,000.00 = 5,000.00 of volume.
        let csat = try #require(row.checks.first { $0.code == .csat })
        #expect(csat.facts.shortfall == .csatReports(2))
        let volume = try #require(row.checks.first { $0.code == .volume })
        #expect(volume.facts.shortfall == .volume(Money(cents: 500_000)))
        #expect(row.checks.first { $0.code == .tier }?.facts.shortfall == nil)

        // Not eligible: the rebate it misses is 16% of 20,000.00 = 3,200.00, and the row says how it was made.
        #expect(row.basis == AmountBasis(base: Money(cents: 2_000_000), percent: ScaledDecimal(units: 160_000, scale: 4)))
        #expect(row.basis?.rounding == .halfEvenToCents)
        #expect(row.basis?.amount == Money(cents: 320_000))
        #expect(row.missedAmount == Money(cents: 320_000))
        #expect(row.amount == .zero)
    }

    /// The explanation words what would unlock the rebate from the same facts, and leaves the remedy for
    /// lines not listed to the front end.
    @Test func theExplanationWordsTheFacts() throws {
        let input = try scenario(
            credentials: "P1,EXPRESS-FOUNDATION,2014-01-01,\nP1,ADV-COLLAB,2015-03-01,\n",
            csat: "P1,S1,2015-03-01\n",
            bookings: "O1,1,P1,2015-03-01,,CP-1,1,12000,USD,\nO2,1,P1,2015-03-02,,CP-1,1,8000,USD,\nO3,1,P1,2015-03-03,,CP-1,1,-0.01,USD,\n"
        ).load(trace: "P1")
        let result = Engine.compute(input)
        let text = Explanation.render(partnerID: "P1", input: input, result: result, lineLimit: 1)
        // 25,000.00 − 19,999.99 = 5,000.01 still to book; 3 − 1 = 2 reports.
        #expect(
            text.contains(
                "    to unlock: submit 2 more CSAT reports within the period; hold one of ADV-COLLAB or MASTER-COLLAB by the enrolment date; book 5,000.01 USD more qualifying volume\n"
            ))
        #expect(text.contains("      ... and 2 more\n"))
        let cli = Explanation.render(partnerID: "P1", input: input, result: result, lineLimit: 1, moreLines: "use --all-lines")
        #expect(cli.contains("      ... and 2 more (use --all-lines)\n"))
        #expect(!Explanation.render(partnerID: "P1", input: input, result: result, lineLimit: nil).contains("... and"))
    }

    /// Under `period_end` the same ADV-COLLAB counts (achieved 2015-03-01, tested on 2015-07-25).
    @Test func thePeriodEndDeadlineIsTheDayTested() throws {
        let result = try scenario(
            credentials: "P1,EXPRESS-FOUNDATION,2014-01-01,\nP1,ADV-COLLAB,2015-03-01,\n",
            csat: "P1,S1,2015-03-01\nP1,S2,2015-03-02\nP1,S3,2015-03-03\n", deadline: "period_end",
            bookings: "O1,1,P1,2015-03-01,,CP-1,1,25000.03,USD,\n"
        ).compute()
        let row = try Self.row(result)
        #expect(row.eligible)
        for check in row.checks where check.code == .credential {
            #expect(check.facts.credentialRequirement?.deadline == Day(iso: "2015-07-25"))
        }
        #expect(row.checks.allSatisfy { $0.facts.shortfall == nil })
        // 25,000.03 × 16% = 4,000.0048 → 4,000.00.
        #expect(row.basis == AmountBasis(base: Money(cents: 2_500_003), percent: ScaledDecimal(units: 160_000, scale: 4)))
        #expect(row.amount == Money(cents: 400_000))
    }

    /// MDF: the accrual's base is the qualifying volume. Select tier, 1%: 60,000.50 qualifying → 600.005 → 600.00 (even).
    @Test func anMDFAccrualCarriesItsBasis() throws {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "S1,Select,NL,select,true\n"
        scenario.files["bookings.csv"] = Scenario.bookingsHeader + "O1,1,S1,2023-03-01,,X,1,60000.50,USD,managed services\n"
        scenario.programs["mdf.yaml"] = Scenario.mdf
        let row = try Self.row(try scenario.compute())
        #expect(row.basis == AmountBasis(base: Money(cents: 6_000_050), percent: ScaledDecimal(units: 10_000, scale: 4)))
        #expect(row.amount == Money(cents: 60_000))
    }

    /// The functions the advisor asks instead of recomputing.
    @Test func rebateAtAVolumeAndTheDeadline() {
        let subtrack = Subtrack(id: "ucs", name: "UCS", rebatePercent: ScaledDecimal(units: 60_000, scale: 4), products: [])
        let minimum = Money(cents: 5_750_000)
        // 79,625.00 × 6% = 4,777.50; one cent under the minimum pays nothing; exactly the minimum pays 3,450.00.
        #expect(VIPEvaluation.rebate(subtrack, at: Money(cents: 7_962_500), minimum: minimum) == Money(cents: 477_750))
        #expect(VIPEvaluation.rebate(subtrack, at: Money(cents: 5_749_999), minimum: minimum) == .zero)
        #expect(VIPEvaluation.rebate(subtrack, at: Money(cents: 5_750_000), minimum: minimum) == Money(cents: 345_000))
        #expect(VIPEvaluation.rebate(subtrack, at: .zero, minimum: .zero) == .zero)
        // 57,500.75 × 6% = 3,450.045 → 3,450.04 (half to even).
        #expect(AmountBasis(base: Money(cents: 5_750_075), percent: subtrack.rebatePercent).amount == Money(cents: 345_004))
        #expect(AmountBasis(base: Money(cents: -100), percent: subtrack.rebatePercent).amount == .zero)

        let period = DayRange(start: Day(iso: "2015-01-25")!, end: Day(iso: "2015-07-25")!)
        let enrolled = Day(iso: "2015-02-10")!
        #expect(KnowledgeDeadline.enrollment.credentialDeadline(enrolledOn: enrolled, period: period) == enrolled)
        #expect(KnowledgeDeadline.enrollment.credentialDeadline(enrolledOn: nil, period: period) == period.end)
        #expect(KnowledgeDeadline.periodEnd.credentialDeadline(enrolledOn: enrolled, period: period) == period.end)
    }

    @Test func theTagsAProgramAsksFor() {
        let rules = MDFRules(
            intendedUseRules: [
                IntendedUseRule(from: nil, counts: nil),
                IntendedUseRule(from: Day(iso: "2023-02-01"), counts: ["managed_services"]),
                IntendedUseRule(from: Day(iso: "2023-05-01"), counts: ["managed_services", "cloud"]),
            ], tiers: [:])
        #expect(rules.tags == ["cloud", "managed_services"])
        #expect(rules.isTag("managed_services"))
        #expect(!rules.isTag("resale"))
        #expect(!rules.isTag(""))
        #expect(MDFRules(intendedUseRules: [IntendedUseRule(from: nil, counts: nil)], tiers: [:]).tags == [])
    }

    /// Selection by id is byte for byte and sorts by the ids' bytes; unknown ids are named in the order asked.
    @Test func selectingProgramsById() {
        let period = DayRange(start: Day(iso: "2015-01-25")!, end: Day(iso: "2015-07-25")!)
        func program(_ id: String) -> Program {
            Program(id: id, name: id, currency: "USD", period: period, rules: .vip(VIPRules(tracks: [])))
        }
        let programs = [program("b"), program("B"), program("a")]
        #expect(ProgramSelection.select(programs, ids: []).programs.map(\.id) == ["B", "a", "b"])
        #expect(ProgramSelection.select(programs, ids: []).unknown == [])
        let some = ProgramSelection.select(programs, ids: ["b", "x", "a"])
        #expect(some.programs.map(\.id) == ["a", "b"])
        #expect(some.unknown == ["x"])
        // "é" composed and decomposed are equal Strings but different ids.
        #expect(ProgramSelection.unknown(["e\u{301}"], among: ["\u{e9}"]) == ["e\u{301}"])
        #expect(ProgramSelection.unknown(["a", "b"], among: ["b"]) == ["a"])
    }
}
