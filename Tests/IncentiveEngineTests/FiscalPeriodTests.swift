import Foundation
import IncentiveEngine
import Testing

/// Fiscal period names of formats.md §5.1, against the spec's table and hand-counted calendars.
@Suite struct FiscalPeriodTests {
    static func dates(_ name: String) -> String? {
        guard let period = FiscalPeriod(name: name) else { return nil }
        return "\(period.range.start)..\(period.range.end)"
    }

    /// Every row of the spec's table.
    @Test(arguments: [
        ("FY15-H2", "2015-01-25..2015-07-25"),
        ("FY15-Q4", "2015-04-26..2015-07-25"),
        ("FY16", "2015-07-26..2016-07-30"),
        ("FY16-Q3", "2016-01-24..2016-04-30"),
        ("FY23-H2", "2023-01-29..2023-07-29"),
    ])
    func theSpecsTable(name: String, expected: String) {
        #expect(Self.dates(name) == expected)
    }

    /// FY15 is 52 weeks: it ends on Saturday 2015-07-25, the day after FY14 (Saturday 2014-07-26) ends.
    @Test func everyPartOfA52WeekYear() throws {
        #expect(Self.dates("FY15") == "2014-07-27..2015-07-25")
        #expect(Self.dates("FY15-H1") == "2014-07-27..2015-01-24")
        #expect(Self.dates("FY15-Q1") == "2014-07-27..2014-10-25")
        #expect(Self.dates("FY15-Q2") == "2014-10-26..2015-01-24")
        #expect(Self.dates("FY15-Q3") == "2015-01-25..2015-04-25")
        let year = try #require(FiscalPeriod(name: "FY15")).range
        #expect(year.length == 364)
        #expect(try #require(FiscalPeriod(name: "FY15-Q3")).range.length == 91)
    }

    /// FY16 has 53 weeks (its last Saturday of July is the 30th, FY15's the 25th): H2 and Q3 take the extra week.
    @Test func a53WeekYear() throws {
        #expect(try #require(FiscalPeriod(name: "FY16")).range.length == 371)
        #expect(Self.dates("FY16-H1") == "2015-07-26..2016-01-23")
        #expect(Self.dates("FY16-H2") == "2016-01-24..2016-07-30")
        #expect(try #require(FiscalPeriod(name: "FY16-H2")).range.length == 189)
        #expect(Self.dates("FY16-Q1") == "2015-07-26..2015-10-24")
        #expect(Self.dates("FY16-Q2") == "2015-10-25..2016-01-23")
        #expect(try #require(FiscalPeriod(name: "FY16-Q3")).range.length == 98)
        #expect(Self.dates("FY16-Q4") == "2016-05-01..2016-07-30")
        // FY17 is 52 weeks again, starting the day after FY16 ends.
        #expect(Self.dates("FY17") == "2016-07-31..2017-07-29")
        // FY21 (2020-07-26 .. 2021-07-31) is the next 53-week year; FY22 starts the day after it.
        #expect(Self.dates("FY21") == "2020-07-26..2021-07-31")
        #expect(try #require(FiscalPeriod(name: "FY21")).range.length == 371)
        #expect(Self.dates("FY22") == "2021-08-01..2022-07-30")
        #expect(try #require(FiscalPeriod(name: "FY20")).range.length == 364)
    }

    @Test func bothSpellingsAndEitherCase() {
        for name in ["FY15-H2", "FY2015-H2", "fy15-h2", "Fy2015-h2", "fY15-H2"] {
            #expect(Self.dates(name) == "2015-01-25..2015-07-25", "\(name)")
            #expect(FiscalPeriod(name: name)?.name == "FY15-H2", "\(name)")
        }
        #expect(FiscalPeriod(name: "fy2016")?.name == "FY16")
        #expect(FiscalPeriod(name: "FY05-Q1")?.name == "FY05-Q1")
        #expect(FiscalPeriod(name: "FY2105-Q1")?.name == "FY2105-Q1")
    }

    @Test(arguments: [
        "FY15H2", "FY15-H3", "FY15-H0", "FY15-Q0", "FY15-Q5", "FY5", "FY015", "FY20150", "FY 15", "FY15-", "FY15-X1", "Y15", "FY",
        "FY15-H2 ", "FY15-H12", "FY15_H2", "2015-H2", "FY15-Q", "FYAB",
    ])
    func badSpellingsAreRefused(name: String) {
        #expect(FiscalPeriod(name: name) == nil)
    }

    /// A program file names the line, key and value of a bad name, for `period` and `baseline.period`.
    @Test func aBadNameIsALoadErrorNamingLineKeyAndValue() throws {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,gold,false\n"
        scenario.files["bookings.csv"] = Scenario.bookingsHeader
        scenario.programs["vip.yaml"] = """
            id: VIP
            kind: vip
            currency: USD
            period: FY15-H5
            tracks:
              - id: dc
                subtracks:
                  - id: ucs
                    rebate_percent: 6
                    products: ["UCS-*"]
                    rebate_base: growth
                    baseline: {period: FY15/H1}
            """
        let problems = try scenario.problems().map { $0.replacingOccurrences(of: #"^.*/vip.yaml"#, with: "vip.yaml", options: .regularExpression) }
        let expected =
            "expected {start: YYYY-MM-DD, end: YYYY-MM-DD} or a fiscal period name: FY15, FY15-H1, FY15-H2, FY15-Q1 .. FY15-Q4 (or FY2015-H2)"
        #expect(problems == ["vip.yaml:4: period \"FY15-H5\": \(expected)", "vip.yaml:12: baseline.period \"FY15/H1\": \(expected)"])
    }

    /// A named period computes over its dates, and explanations and JSON give the name with the dates.
    @Test func aNamedPeriodIsKeptWithTheProgram() throws {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,gold,false\n"
        scenario.files["bookings.csv"] =
            Scenario.bookingsHeader
            + "O1,1,P1,2015-01-24,,UCS-A,1,1000,USD,\nO2,1,P1,2015-01-25,,UCS-A,1,100,USD,\nO3,1,P1,2015-07-26,,UCS-A,1,400,USD,\n"
        scenario.files["enrollments.csv"] = "partner_id,program,subtrack,enrolled_on\nP1,VIP,dc/ucs,2015-02-01\n"
        scenario.programs["vip.yaml"] = Scenario.vip(subtracks: VIPRuleTests.zeroMinimum).replacingOccurrences(
            of: "period: {start: 2015-01-25, end: 2015-07-25}", with: "period: fy2015-h2")
        let input = try scenario.load(trace: "P1")
        #expect(input.programs[0].period == DayRange(start: Day(iso: "2015-01-25")!, end: Day(iso: "2015-07-25")!))
        #expect(input.programs[0].periodName == "FY15-H2")
        let result = Engine.compute(input)
        // Only the 100.00 of 2015-01-25 lies in FY15-H2: 6% = 6.00.
        #expect(ResultsCSV.render(result.rows) == ResultsCSV.header + "\nVIP,vip,P1,dc/ucs,100.00,0.00,true,6.00,0.00,\n")
        let text = Explanation.render(partnerID: "P1", input: input, result: result)
        #expect(text.contains("VIP back-end rebate, USD, period FY15-H2 (2015-01-25 .. 2015-07-25), bookings counted by booked_on\n"))
        #expect(ResultsJSON.render(result).contains("\"period_name\" : \"FY15-H2\""))
    }
}
