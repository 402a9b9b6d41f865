import Foundation
import Testing

/// `incentives advise` on the rules-v2 example (examples/vip30, VIP30-FY18-H1, 2017-07-30 .. 2018-01-27, 182 days):
/// the facts of formats.md §5.3-5.4 in the JSON document (docs/advice.md), worked out by hand.
@Suite struct AdviseV2CommandTests {
    static let arguments = ["--data", "examples/vip30/data", "--programs", "examples/vip30/programs"]

    static func subtracks(_ partner: String, asOf day: String) throws -> [String: [String: Any]] {
        let run = try CLI.run(["advise"] + Self.arguments + ["--partner", partner, "--as-of", day, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr == "")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let program = try #require((document["programs"] as? [[String: Any]])?.first)
        #expect(program["id"] as? String == "VIP30-FY18-H1")
        let list = try #require(program["subtracks"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["path"] as? String ?? "", $0) })
    }

    /// US5003 on 2017-10-18 (day 81), enrolled in voice: SO18-5201 18,000.00 + SO18-5202 22,000.00 = 40,000.00, attach
    /// 2,500.00 (6.25%: no band), 16% = 6,400.00. At this pace 40,000 × 182 / 81 -> 89,876.54, attach 2,500 × 182 / 81
    /// -> 5,617.28; 16% is 14,380.25, over the 12,000.00 cap: the rebate at the projection is 12,000.00 and the cap binds
    /// there (reached at 12,000 / 16% = 75,000.00). The 15% band needs 6,000.00 attach (3,500.00 more): 20% = 8,000.00,
    /// adds 1,600.00. Not enrolled in security/core (after the 2017-08-26 cut-off): nothing of it booked, nothing to
    /// forfeit; with no volume its base is 0 − 25,000.00, so the 50,000 tier (2% on the part above it) is 75,000.00 of
    /// volume away and adds 50,000 × 1% = 500.00.
    @Test func theJSONCarriesTheFactsOfRulesV2() throws {
        let subtracks = try Self.subtracks("US5003", asOf: "2017-10-18")
        let voice = try #require(subtracks["collaboration/voice"])
        #expect(voice["rebate_now"] as? String == "6400.00")
        #expect(voice["projected_volume"] as? String == "89876.54")
        #expect(voice["rebate_at_projection"] as? String == "12000.00")
        #expect(voice["attach_volume"] as? String == "2500.00")
        #expect(voice["projected_attach_volume"] as? String == "5617.28")
        #expect(
            voice["next_attach_band"] as? [String: String] == [
                "from_percent": "15", "bonus": "4", "attach_volume": "6000.00", "attach_needed": "3500.00", "rebate_with_band": "8000.00",
                "adds": "1600.00",
            ])
        let cap = try #require(voice["cap"] as? [String: Any])
        #expect(cap["cap"] as? String == "12000.00")
        #expect(cap["binds_now"] as? Bool == false && cap["binds_at_projection"] as? Bool == true)
        #expect(cap["volume_reached"] as? String == "75000.00" && cap["volume_reached_at_projection"] as? String == "75000.00")
        // Keys of rules a subtrack does not use are absent.
        #expect(voice["next_tier"] == nil && voice["growth"] == nil && voice["late_enrollment_forfeit"] == nil)
        #expect(voice["full_credit_enrollment_until"] == nil)

        let core = try #require(subtracks["security/core"])
        #expect(core["enrolled_on"] == nil && core["can_enroll"] as? Bool == true)
        #expect(
            core["next_tier"] as? [String: String] == [
                "from": "50000.00", "percent": "2", "method": "marginal", "volume": "75000.00", "volume_needed": "75000.00",
                "rebate_at_tier": "500.00", "adds": "500.00",
            ])
        let forfeit = try #require(core["late_enrollment_forfeit"] as? [String: Any])
        #expect(forfeit["full_credit_until"] as? String == "2017-08-26" && forfeit["enroll_on"] as? String == "2017-10-18")
        #expect(forfeit["lines"] as? Int == 0 && forfeit["volume"] as? String == "0.00" && forfeit["rebate"] as? String == "0.00")
    }

    /// US5007 on 2017-10-31 (day 94): hyperflex SO18-5601 50,000.00 against a FY17 baseline of 120,000.00 × 182 / 364 =
    /// 60,000.00: 10,000.00 of growth still needed, and as much at the expected volume (one order sets no pace), where
    /// nothing is paid.
    @Test func theJSONTellsTheGrowthStillNeeded() throws {
        let subtracks = try Self.subtracks("US5007", asOf: "2017-10-31")
        let hyperflex = try #require(subtracks["data-center/hyperflex"])
        let growth = try #require(hyperflex["growth"] as? [String: Any])
        #expect(growth["baseline_period"] as? [String: String] == ["start": "2016-07-31", "end": "2017-07-29"])
        #expect(growth["baseline_period_name"] as? String == "FY17")
        #expect(growth["baseline_sum"] as? String == "120000.00" && growth["baseline"] as? String == "60000.00")
        #expect(growth["still_needed"] as? String == "10000.00" && growth["still_needed_at_projection"] as? String == "10000.00")
        #expect(hyperflex["rebate_at_projection"] as? String == "0.00")
    }

    /// A v1 program's advice has no key of rules v2 (examples/data, NL1001 on 2015-04-30).
    @Test func aV1ProgramHasNoneOfTheNewKeys() throws {
        let run = try CLI.run(
            [
                "advise", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1001", "--as-of", "2015-04-30", "--format",
                "json",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        for key in [
            "attach_volume", "next_tier", "next_attach_band", "full_credit_enrollment_until", "late_enrollment_forfeit", "\"growth\"", "\"cap\"",
        ] {
            #expect(!run.stdout.contains(key), "\(key)")
        }
    }
}
