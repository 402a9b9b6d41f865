import IncentiveEngine
import Testing

/// VIP rules of formats.md §2 with expectations worked out by hand.
@Suite struct VIPRuleTests {
    static let zeroMinimum = """
              - id: ucs
                rebate_percent: 6
                products: ["UCS-*"]
        """

    func scenario(
        partners: String, bookings: String, credentials: String = "", enrollments: String, csat: String = "", program: String = Scenario.vip()
    ) -> Scenario {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + partners
        scenario.files["bookings.csv"] = Scenario.bookingsHeader + bookings
        scenario.files["credentials.csv"] = "partner_id,credential,achieved_on,expires_on\n" + credentials
        scenario.files["enrollments.csv"] = "partner_id,program,subtrack,enrolled_on\n" + enrollments
        scenario.files["csat.csv"] = "partner_id,survey_id,submitted_on\n" + csat
        scenario.programs["vip.yaml"] = program
        return scenario
    }

    @Test func periodBoundariesAreInclusive() throws {
        let rows = try scenario(
            partners: "P1,One,NL,gold,false\n",
            bookings: """
                O1,1,P1,2015-01-24,,UCS-A,1,1000,USD,
                O2,1,P1,2015-01-25,,UCS-A,1,100,USD,
                O3,1,P1,2015-07-25,,UCS-A,1,200,USD,
                O4,1,P1,2015-07-26,,UCS-A,1,400,USD,

                """,
            enrollments: "P1,VIP,dc/ucs,2015-02-01\n",
            program: Scenario.vip(subtracks: Self.zeroMinimum)
        ).csvRows()
        // 100 + 200 = 300.00; 6% = 18.00.
        #expect(rows == ["VIP,vip,P1,dc/ucs,300.00,0.00,true,18.00,0.00,"])
    }

    @Test func thresholdMetExactlyAndOneCentShort() throws {
        let rows = try scenario(
            partners: "A,Exact,NL,gold,false\nB,Short,nl,gold,false\nC,Default,DE,gold,false\n",
            bookings: """
                O1,1,A,2015-03-01,,UCS-A,1,57500.00,USD,
                O2,1,B,2015-03-01,,UCS-A,1,57499.99,USD,
                O3,1,C,2015-03-01,,UCS-A,1,57500.00,USD,

                """,
            credentials: "A,ADV-UCT,2014-01-01,\nB,ADV-UCT,2014-01-01,\nC,ADV-UCT,2014-01-01,\n",
            enrollments: "A,VIP,dc/ucs,2015-02-01\nB,VIP,dc/ucs,2015-02-01\nC,VIP,dc/ucs,2015-02-01\n"
        ).csvRows()
        // A: 57,500.00 x 6% = 3,450.00. B: 5,749,999 c x 6% = 344,999.94 c -> 3,450.00 missed.
        // C (DE) uses the default 75,000: 3,450.00 missed.
        #expect(
            rows == [
                "VIP,vip,A,dc/ucs,57500.00,57500.00,true,3450.00,0.00,",
                "VIP,vip,B,dc/ucs,57499.99,57500.00,false,0.00,3450.00,volume:57499.99<57500.00",
                "VIP,vip,C,dc/ucs,57500.00,75000.00,false,0.00,3450.00,volume:57500.00<75000.00",
            ])
    }

    @Test func halfEvenOnTheSubtrackTotalNotPerLine() throws {
        let rows = try scenario(
            partners: "P1,One,NL,gold,false\n",
            bookings: """
                O1,1,P1,2015-03-01,,UCS-A,1,57000.50,USD,
                O1,2,P1,2015-03-02,,UCS-B,1,500.25,USD,

                """,
            credentials: "P1,ADV-UCT,2014-01-01,\n",
            enrollments: "P1,VIP,dc/ucs,2015-02-01\n"
        ).csvRows()
        // 57,500.75 x 6% = 3,450.045 -> 3,450.04. Per line it would be 3,420.03 + 30.02 = 3,450.05.
        #expect(rows == ["VIP,vip,P1,dc/ucs,57500.75,57500.00,true,3450.04,0.00,"])
    }

    @Test func creditNotesReduceVolume() throws {
        let rows = try scenario(
            partners: "P1,One,NL,gold,false\n",
            bookings: """
                O1,1,P1,2015-03-01,,UCS-A,1,60000,USD,
                O2,1,P1,2015-04-01,,UCS-A,-1,-2500.5,USD,

                """,
            credentials: "P1,ADV-UCT,2014-01-01,\n",
            enrollments: "P1,VIP,dc/ucs,2015-02-01\n"
        ).csvRows()
        // 60,000.00 - 2,500.50 = 57,499.50 < 57,500: missed 3,449.97.
        #expect(rows == ["VIP,vip,P1,dc/ucs,57499.50,57500.00,false,0.00,3449.97,volume:57499.50<57500.00"])
    }

    @Test func credentialValidOnExpiryDayNotTheDayAfter() throws {
        let rows = try scenario(
            partners: "A,OnExpiry,NL,gold,false\nB,Expired,NL,gold,false\nC,LastDay,NL,gold,false\nD,TooLate,NL,gold,false\n",
            bookings: """
                O1,1,A,2015-03-01,,UCS-A,1,60000,USD,
                O2,1,B,2015-03-01,,UCS-A,1,60000,USD,
                O3,1,C,2015-03-01,,UCS-A,1,60000,USD,
                O4,1,D,2015-03-01,,UCS-A,1,60000,USD,

                """,
            credentials: "A,ADV-UCT,2014-01-01,2015-07-25\nB,ADV-UCT,2014-01-01,2015-07-24\nC,ADV-UCT,2015-07-25,\nD,ADV-UCT,2015-07-26,\n",
            enrollments: "A,VIP,dc/ucs,2015-02-01\nB,VIP,dc/ucs,2015-02-01\nC,VIP,dc/ucs,2015-02-01\nD,VIP,dc/ucs,2015-02-01\n"
        ).csvRows()
        // 60,000 x 6% = 3,600.00.
        #expect(
            rows == [
                "VIP,vip,A,dc/ucs,60000.00,57500.00,true,3600.00,0.00,",
                "VIP,vip,B,dc/ucs,60000.00,57500.00,false,0.00,3600.00,credential:ADV-UCT",
                "VIP,vip,C,dc/ucs,60000.00,57500.00,true,3600.00,0.00,",
                "VIP,vip,D,dc/ucs,60000.00,57500.00,false,0.00,3600.00,credential:ADV-UCT",
            ])
    }

    @Test func knowledgeDeadlineAtEnrolment() throws {
        let base = scenario(
            partners: "P1,Late,NL,gold,false\n",
            bookings: "O1,1,P1,2015-03-01,,UCS-A,1,60000,USD,\n",
            credentials: "P1,ADV-UCT,2015-03-01,\n",
            enrollments: "P1,VIP,dc/ucs,2015-02-01\n")
        // Earned after enrolment but before the period end: passes by period end only.
        #expect(try base.csvRows() == ["VIP,vip,P1,dc/ucs,60000.00,57500.00,true,3600.00,0.00,"])
        var atEnrolment = base
        atEnrolment.programs["vip.yaml"] = Scenario.vip(deadline: "enrollment")
        #expect(try atEnrolment.csvRows() == ["VIP,vip,P1,dc/ucs,60000.00,57500.00,false,0.00,3600.00,credential:ADV-UCT"])
    }

    @Test func requiresAllAndAnyAndCSAT() throws {
        let subtracks = """
              - id: voice
                rebate_percent: 16
                products: ["CP-*"]
                requires_all: [COLLAB-A, COLLAB-B]
                requires_any: [ADV-COLLAB, MASTER-COLLAB]
            """
        let rows = try scenario(
            partners: "P1,Premier,NL,premier,false\nP2,Gold,NL,gold,false\n",
            bookings: "O1,1,P1,2015-03-01,,CP-7811,1,1000,USD,\nO2,1,P2,2015-03-01,,CP-7811,1,1000,USD,\n",
            credentials:
                "P1,EXPRESS-FOUNDATION,2014-01-01,\nP1,COLLAB-B,2014-01-01,\nP2,COLLAB-A,2014-01-01,\nP2,COLLAB-B,2014-01-01,\nP2,MASTER-COLLAB,2014-01-01,\n",
            enrollments: "P1,VIP,dc/voice,2015-02-01\nP2,VIP,dc/voice,2015-02-01\n",
            csat: (1...9).map { "P1,S\($0),2015-03-01\n" }.joined() + "P1,S10,2015-07-26\n" + (11...20).map { "P2,S\($0),2015-07-25\n" }.joined(),
            program: Scenario.vip(csat: 10, subtracks: subtracks)
        ).csvRows()
        // 1,000 x 16% = 160.00. P1: 9 CSATs in period (the 10th is a day late), lacks COLLAB-A and any of the two.
        #expect(
            rows == [
                "VIP,vip,P1,dc/voice,1000.00,0.00,false,0.00,160.00,csat:9/10;credential:COLLAB-A;credential:ADV-COLLAB|MASTER-COLLAB",
                "VIP,vip,P2,dc/voice,1000.00,0.00,true,160.00,0.00,",
            ])
    }

    @Test func firstMatchingSubtrackTakesTheLine() throws {
        let subtracks = """
              - id: ucs
                rebate_percent: 6
                products: ["UCS-*"]
              - id: other
                rebate_percent: 2
                products: ["*"]
              - id: never
                rebate_percent: 1
                products: ["UCS-?200"]
            """
        let rows = try scenario(
            partners: "P1,One,NL,gold,false\n",
            bookings: "O1,1,P1,2015-03-01,,UCS-B200,1,1000,USD,\nO2,1,P1,2015-03-01,,N9K-C93180,1,500,USD,\n",
            enrollments: "P1,VIP,dc/ucs,2015-02-01\nP1,VIP,dc/other,2015-02-01\nP1,VIP,dc/never,2015-02-01\n",
            program: Scenario.vip(subtracks: subtracks)
        ).csvRows()
        #expect(
            rows == [
                "VIP,vip,P1,dc/never,0.00,0.00,true,0.00,0.00,",
                "VIP,vip,P1,dc/other,500.00,0.00,true,10.00,0.00,",
                "VIP,vip,P1,dc/ucs,1000.00,0.00,true,60.00,0.00,",
            ])
    }

    @Test func tiersStatusesAndNotEnrolled() throws {
        let result = try scenario(
            partners: "P1,Reg,NL,registered,false\nP2,Gold,NL,gold,false\nP3,Nobody,NL,gold,false\n",
            bookings:
                "O1,1,P1,2015-03-01,,UCS-A,1,70000,USD,\nO2,1,P2,2015-03-01,,UCS-A,1,70000,USD,\nO3,1,P2,2015-03-01,,CP-1,1,10,USD,\nO4,1,P3,2015-03-01,,UCS-A,1,70000,USD,\n",
            credentials: "P1,ADV-UCT,2014-01-01,\nP2,ADV-UCT,2014-01-01,\n",
            enrollments: "P1,VIP,dc/ucs,2015-02-01\nP2,VIP,dc/ucs,2015-02-01\nP2,VIP,dc/voice,2015-02-01\n",
            program: Scenario.vip(
                subtracks: """
                      - id: ucs
                        rebate_percent: 6
                        products: ["UCS-*"]
                        requires_any: [ADV-UCT]
                        minimum_volume: {default: 75000, NL: 57500}
                      - id: voice
                        rebate_percent: 16
                        products: ["CP-*"]
                        minimum_volume: 1000
                    """)
        ).compute()
        let partners = try #require(result.programs.first).partners
        #expect(partners.map(\.status) == [.ineligible, .partiallyEligible, .notEnrolled])
        #expect(partners[2].rows.isEmpty)
        // 70,000 x 6% = 4,200.00; voice 10.00 x 16% = 1.60 missed.
        #expect(
            ResultsCSV.render(result.rows) == """
                \(ResultsCSV.header)
                VIP,vip,P1,dc/ucs,70000.00,57500.00,false,0.00,4200.00,tier:registered
                VIP,vip,P2,dc/ucs,70000.00,57500.00,true,4200.00,0.00,
                VIP,vip,P2,dc/voice,10.00,1000.00,false,0.00,1.60,volume:10.00<1000.00

                """)
        #expect(partners[1].amount == Money(cents: 420_000))
        #expect(partners[1].missedAmount == Money(cents: 160))
    }

    @Test func countingByShippedOn() throws {
        let rows = try scenario(
            partners: "P1,One,NL,gold,false\n",
            bookings: """
                O1,1,P1,2015-03-01,2015-03-05,UCS-A,1,100,USD,
                O2,1,P1,2015-03-01,,UCS-A,1,200,USD,
                O3,1,P1,2015-07-20,2015-07-27,UCS-A,1,400,USD,
                O4,1,P1,2015-01-20,2015-01-25,UCS-A,1,800,USD,

                """,
            enrollments: "P1,VIP,dc/ucs,2015-02-01\n",
            program: Scenario.vip(counting: "shipped_on", subtracks: Self.zeroMinimum)
        ).csvRows()
        // Counted: O1 (shipped in period) and O4 (shipped on the first day): 900.00; 6% = 54.00.
        #expect(rows == ["VIP,vip,P1,dc/ucs,900.00,0.00,true,54.00,0.00,"])
    }

    @Test func foreignCurrencyConvertedPerLineAtTheRateInForce() throws {
        var scenario = scenario(
            partners: "P1,One,NL,gold,false\n",
            bookings: """
                O1,1,P1,2015-02-28,,UCS-A,1,1000,EUR,
                O2,1,P1,2015-03-01,,UCS-A,1,1000,eur,
                O3,1,P1,2015-03-02,,UCS-A,1,10.05,EUR,
                O4,1,P1,2015-03-03,,UCS-A,1,0.01,GBP,
                O4,2,P1,2015-03-03,,UCS-A,1,0.01,GBP,

                """,
            enrollments: "P1,VIP,dc/ucs,2015-02-01\n",
            program: Scenario.vip(subtracks: Self.zeroMinimum))
        scenario.files["fx.csv"] = "currency,valid_from,rate\nEUR,2015-01-01,1.1\nEUR,2015-03-01,1.5\nGBP,2014-12-31,1.5\n"
        // 1,100.00 + 1,500.00 + 15.075 -> 15.08 + 0.015 -> 0.02 twice = 2,615.12; 6% = 156.9072 -> 156.91.
        #expect(try scenario.csvRows() == ["VIP,vip,P1,dc/ucs,2615.12,0.00,true,156.91,0.00,"])
    }

    @Test func identifiersAreComparedByteForByte() throws {
        // "ADV-É" as one code point in the program, as E + combining accent in the data: not the same id.
        let subtracks = """
              - id: s
                rebate_percent: 10
                products: ["*"]
                requires_any: ["ADV-\u{00C9}"]
            """
        let rows = try scenario(
            partners: "A,Decomposed,NL,gold,false\n",
            bookings: "O1,1,A,2015-03-01,,X,1,100,USD,\n",
            credentials: "A,ADV-E\u{0301},2014-01-01,\n",
            enrollments: "A,VIP,dc/s,2015-02-01\n",
            program: Scenario.vip(subtracks: subtracks)
        ).csvRows()
        #expect(rows == ["VIP,vip,A,dc/s,100.00,0.00,false,0.00,10.00,credential:ADV-\u{00C9}"])
    }
}
