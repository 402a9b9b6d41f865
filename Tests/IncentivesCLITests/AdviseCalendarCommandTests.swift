import Foundation
import Testing

/// `incentives advise` prints the deadline calendar (docs/advice.md, "Dated actions") and takes `--horizon`.
@Suite struct AdviseCalendarCommandTests {
    static let arguments = [
        "advise", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1003", "--as-of", "2015-05-31", "--catalogue",
        "examples/credentials.yaml",
    ]

    /// NL1003 on 2015-05-31 (see DatedActionsTests): ADV-UCT, achieved 2015-05-15, was tested on the VIP25-3M enrolment day
    /// 2015-04-20; re-enrolling today pays 6% × 40,000.00 = 2,400.00 on the volume so far; at the one pace of the same
    /// orders (VIP25-6M's 70,000.00 over 127 days, 55 to go) 40,000 + 30,314.96 = 70,314.96 → 4,218.90 expected. Four CSAT reports in each period so far (3M: 04-26, 05-05, 05-12, 05-19; 6M the same four,
    /// none before): 6 more for each by 2015-07-25. 6M ucs: 30,000 + 40,000 = 70,000.00 on day 127 of 182, 70,000 × 182 /
    /// 127 = 100,314.96, 6% = 6,018.90.
    @Test func theTableEndsWithTheCalendarInDateOrder() throws {
        let run = try CLI.run(Self.arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains(
                "  re-enrol in VIP25-3M data-center/ucs on or after 2015-05-31, by 2015-07-25 (unenrol and enrol again: the credentials are tested on the new enrolment day): pays 2,400.00 on the volume so far, expected rebate 4,218.90 (with ADV-UCT)"
            ))
        #expect(!run.stdout.contains("out of reach"))
        let calendar = try #require(run.stdout.components(separatedBy: "\nDeadline calendar\n").last)
        #expect(
            calendar == """
                  on or after 2015-05-31, by 2015-07-25: re-enrol in VIP25-3M data-center/ucs (unenrol and enrol again: the credentials are tested on the new enrolment day) (pays 2,400.00 USD on the volume so far, 4,218.90 USD at stake)
                  by 2015-07-25: submit 6 more CSAT report(s) for VIP25-3M data-center/ucs (4,218.90 USD at stake)
                  by 2015-07-25: submit 6 more CSAT report(s) for VIP25-6M data-center/ucs (6,018.90 USD at stake)

                """)
    }

    /// The JSON document carries the calendar and the horizon; a horizon under 1 is refused.
    @Test func theJSONCarriesTheCalendarAndTheHorizon() throws {
        let run = try CLI.run(Self.arguments + ["--format", "json", "--horizon", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let calendar = try #require(document["calendar"] as? [[String: Any]])
        #expect(calendar.map { $0["kind"] as? String } == ["re_enroll_on_or_after", "submit_csat_by", "submit_csat_by"])
        #expect(calendar.first?["date"] as? String == "2015-05-31")
        #expect(calendar.first?["until"] as? String == "2015-07-25")
        #expect(calendar.first?["rebate_so_far"] as? String == "2400.00")
        #expect(calendar.first?["at_stake"] as? String == "4218.90")
        let plan = try #require(document["recommendation"] as? [String: Any])
        // 4,218.90 + 6,018.90 = 10,237.80 a period, twice: 24,171.14.
        #expect(plan["horizon"] as? Int == 2)
        #expect(plan["expected_rebate"] as? String == "10237.80")
        #expect(plan["expected_rebate_over_horizon"] as? String == "20475.60")

        let refused = try CLI.run(Self.arguments + ["--horizon", "0"])
        #expect(refused.status != 0)
        #expect(refused.stdout == "")
        #expect(refused.stderr.contains("--horizon: expected a whole number of periods, 1 or more (got 0)"))
    }

    /// NL1005 on 2023-05-15, MDF still running: the one line to re-tag (SO23-1404, 18,000.00) by the period end
    /// 2023-07-29, 2% (gold) = 360.00 of MDF at stake. No catalogue: the calendar is there all the same.
    @Test func theLinesToTagByThePeriodEnd() throws {
        let run = try CLI.run([
            "advise", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1005", "--as-of", "2023-05-15", "--program",
            "PROVIDER-MDF-FY23-H2",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.hasSuffix(
                "\nDeadline calendar\n  by 2023-07-29: tag the 1 line(s) to re-tag in PROVIDER-MDF-FY23-H2 (360.00 USD MDF at stake)\n"))
    }
}
