import Foundation
import Testing

/// The rules-v2 example (a VIP 30 program for FY18-H1): its results were worked out by hand in
/// examples/vip30/README.md.
@Suite struct V2ExampleTests {
    static let arguments = ["--data", "examples/vip30/data", "--programs", "examples/vip30/programs"]

    @Test func resultsCSVMatchesTheHandComputedGolden() throws {
        let run = try CLI.run(["compute"] + Self.arguments + ["--format", "csv"])
        #expect(run.status == 0)
        #expect(run.stderr == "")
        let golden = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/vip30/expected/results.csv"), encoding: .utf8)
        #expect(run.stdout == golden)
    }

    /// US5001: an M4 server booked on 2017-09-30, the last day of its entry, counts; one booked on
    /// 2017-10-01 is left out by the entry's dates (and belongs to no other subtrack).
    @Test func explainNamesTheLineLeftOutByAProductEntrysDates() throws {
        let run = try CLI.run(["explain"] + Self.arguments + ["--partner", "US5001"])
        #expect(run.status == 0)
        let text = run.stdout
        #expect(text.contains("FY18-H1 (2017-07-30 .. 2018-01-27)"))
        #expect(text.contains("counted: line 4: order SO18-5002/1 UCSC-C240-M4SX booked 2017-09-30"))
        #expect(
            text.contains(
                "left out (booked 2017-10-01, outside the dates of product entry UCS*-M4* until 2017-09-30): line 5: order SO18-5003/1 UCSC-C240-M4SX booked 2017-10-01"
            ))
        #expect(text.contains("1 line(s) booked outside their product entry's dates left out, 12,000.00 USD"))
        #expect(text.contains("left out (booked_on 2017-07-29 is before the period): line 2: order SO17-5001/1"))
        // Exactly on the 100,000.00 boundary: the retroactive 3% on the whole volume.
        #expect(text.contains("rebate: 3,000.00 USD = round(100,000.00 x 3%)"))
    }

    /// CA6001 enrolled in voice on 2017-08-27, the day after full_credit_enrollment_until: the phone
    /// booked on 2017-08-26 is left out, the one booked on the enrolment day counts, and the attach
    /// licence booked before enrolling is not attach volume (7,000.00 of 45,000.00 = 15.555…%, shown cut off as 15.55%: +4 points).
    @Test func explainNamesTheLineLeftOutByTheLateEnrolment() throws {
        let run = try CLI.run(["explain"] + Self.arguments + ["--partner", "CA6001"])
        #expect(run.status == 0)
        let text = run.stdout
        #expect(text.contains("enrolled 2017-08-27 (after full_credit_enrollment_until 2017-08-26: lines counted before 2017-08-27 are left out)"))
        #expect(text.contains("left out (counted before the late enrolment 2017-08-27): line 43: order SO18-6002/1 CP-8865-K9 booked 2017-08-26"))
        #expect(text.contains("counted: line 44: order SO18-6003/1 CP-8865-K9 booked 2017-08-27"))
        #expect(text.contains("late enrolment 2017-08-27: 1 line(s) counted before it left out, 20,000.00 USD"))
        #expect(text.contains("late enrolment 2017-08-27: 1 attach line(s) counted before it left out of the attach volume, 9,000.00 USD"))
        #expect(text.contains("attach: 7,000.00 USD, 15.55% of the qualifying volume: band from 15% adds 4 points"))
        #expect(text.contains("rebate: 9,000.00 USD = round(45,000.00 x 20%)"))
        // Each attach line by itself: the licence booked before enrolling, and the one after.
        #expect(text.contains("1 attach line(s) in the attach volume; 1 left out by the late enrolment\n"))
        #expect(
            text.contains(
                "left out of the attach volume (counted before the late enrolment 2017-08-27): line 42: order SO18-6001/1 CUC-USR-LIC booked 2017-08-10"
            ))
        #expect(text.contains("attach: line 46: order SO18-6005/1 CER-USR-LIC booked 2017-12-01 shipped 2017-12-01 7,000.00 USD"))
    }

    /// What CA6002's security/core missed (700.00, ADV-SEC expired the day before the period end) can still be had on
    /// 2018-01-20 by putting the credential right; after the period it is lost.
    @Test func explainSplitsTheMissedAmountOnADay() throws {
        let before = try CLI.run(["explain"] + Self.arguments + ["--partner", "CA6002", "--as-of", "2018-01-20"])
        #expect(before.status == 0)
        #expect(
            before.stdout.contains("    missed 700.00 USD as of 2018-01-20: can still be had by the period end 2018-01-27 (put right: credential)\n"))
        let after = try CLI.run(["explain"] + Self.arguments + ["--partner", "CA6002", "--as-of", "2018-01-28"])
        #expect(after.stdout.contains("    missed 700.00 USD as of 2018-01-28: lost (period_over)\n"))
    }

    /// US5006: FY17 lines of HyperFlex are its growth baseline, but the all-flash one (HXAF*, an entry from
    /// 2017-07-30) booked on 2017-05-15 is not: explain lists it beside the two that are (20,000.01 + 10,000.04).
    @Test func explainNamesTheBaselineLineLeftOutByAProductEntrysDates() throws {
        let run = try CLI.run(["explain"] + Self.arguments + ["--partner", "US5006"])
        #expect(run.status == 0)
        let text = run.stdout
        #expect(text.contains("2 line(s) in the baseline period; 1 left out by their product entry's dates\n"))
        #expect(text.contains("baseline: line 25: order SO17-5501/1 HX220C-M4S booked 2016-07-31"))
        #expect(
            text.contains(
                "not baseline (booked 2017-05-15, outside the dates of product entry HXAF* from 2017-07-30): line 26: order SO17-5502/1 HXAF240C-M4SX booked 2017-05-15"
            ))
        #expect(text.contains("baseline: FY17 (2016-07-31 .. 2017-07-29): 30,000.05 USD x 182 / 364 days = 15,000.02 USD"))
    }

    @Test func jsonCarriesBaseSlicesAttachBaselineAndTheBindingCap() throws {
        let run = try CLI.run(["compute"] + Self.arguments + ["--format", "json"])
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let programs = try #require(json["programs"] as? [[String: Any]])
        #expect(programs.map { $0["id"] as? String } == ["VIP30-FY18-H1"])
        #expect(programs[0]["period_name"] as? String == "FY18-H1")
        #expect(programs[0]["period"] as? [String: String] == ["start": "2017-07-30", "end": "2018-01-27"])
        // The 14 rows of examples/vip30/README.md: paid 9,000.00 + 765.00 + 3,000.00 + 1,000.00 + 2,000.00 + 8,000.00
        // + 6,400.00 + 12,000.00 + 1,500.00 + 0.00 + 2,250.02 = 45,915.02; missed 700.00 + 0.00 + 3,600.00 = 4,300.00.
        #expect(programs[0]["amount"] as? String == "45915.02")
        #expect(programs[0]["missed_amount"] as? String == "4300.00")
        let partners = try #require(programs[0]["partners"] as? [[String: Any]])
        func partner(_ id: String) throws -> [String: Any] {
            try #require(partners.first { $0["partner_id"] as? String == id })
        }
        func rebate(_ id: String, _ item: String) throws -> (row: [String: Any], rebate: [String: Any]) {
            let rows = try #require(try partner(id)["rows"] as? [[String: Any]])
            let row = try #require(rows.first { $0["item"] as? String == item })
            return (row, try #require(row["rebate"] as? [String: Any]))
        }
        func slices(_ rebate: [String: Any]) throws -> [[String]] {
            let slices = try #require(rebate["slices"] as? [[String: Any]])
            return slices.map { [$0["from"], $0["amount"], $0["percent"], $0["total_percent"]].map { $0 as? String ?? "?" } }
        }

        // US5008, security/core: marginal tiers on 150,000.55 - 25,000.00 = 125,000.55 over three slices;
        // the two ASA lines booked outside 2017-08-01 .. 2017-12-31 are left out.
        let security = try rebate("US5008", "security/core")
        #expect(security.rebate["rebate_base"] as? String == "above_minimum")
        #expect(security.rebate["tier_method"] as? String == "marginal")
        #expect(security.rebate["base"] as? String == "125000.55")
        #expect(
            try slices(security.rebate) == [
                ["0.00", "50000.00", "1", "1"], ["50000.00", "50000.00", "2", "2"], ["100000.00", "25000.55", "3", "3"],
            ])
        #expect(security.rebate["amount"] as? String == "2250.02")
        #expect(security.rebate["cap"] == nil)
        let leftOut = try #require(security.row["left_out"] as? [String: Any])
        #expect(leftOut["outside_product_dates_lines"] as? Int == 2)
        #expect(leftOut["outside_product_dates_volume"] as? String == "5000.00")

        // US5005, voice: attach exactly 30% (18,000.00 of 60,000.00): 16 + 6 = 22%, 13,200.00 capped at 12,000.00.
        let voice = try rebate("US5005", "collaboration/voice")
        let attach = try #require(voice.rebate["attach"] as? [String: Any])
        #expect(attach["volume"] as? String == "18000.00")
        #expect(attach["rate_percent"] as? String == "30")
        #expect(attach["band_from_percent"] as? String == "30")
        #expect(attach["bonus"] as? String == "6")
        #expect(try slices(voice.rebate) == [["0.00", "60000.00", "16", "22"]])
        #expect(voice.rebate["uncapped"] as? String == "13200.00")
        #expect(voice.rebate["cap"] as? String == "12000.00")
        #expect(voice.rebate["amount"] as? String == "12000.00")
        // US5004: 5,999.99 of 40,000.00 is under 15%: no band, no bonus; the cap does not bind.
        let under = try rebate("US5004", "collaboration/voice")
        let noBand = try #require(under.rebate["attach"] as? [String: Any])
        #expect(noBand["band_from_percent"] == nil)
        #expect(noBand["bonus"] as? String == "0")
        #expect(under.rebate["cap"] == nil)
        #expect(under.rebate["amount"] as? String == "6400.00")

        // US5006, hyperflex: FY17 30,000.05 x 182 / 364 = 15,000.025 -> 15,000.02; gold (tiers.csv, on the last day) 5%.
        let growth = try rebate("US5006", "data-center/hyperflex")
        let baseline = try #require(growth.rebate["baseline"] as? [String: Any])
        #expect(baseline["period_name"] as? String == "FY17")
        #expect(baseline["period"] as? [String: String] == ["start": "2016-07-31", "end": "2017-07-29"])
        #expect(baseline["sum"] as? String == "30000.05")
        #expect(baseline["baseline_days"] as? Int == 364)
        #expect(baseline["program_days"] as? Int == 182)
        #expect(baseline["amount"] as? String == "15000.02")
        #expect(growth.rebate["rebate_base"] as? String == "growth")
        #expect(growth.rebate["base"] as? String == "29999.98")
        #expect(growth.rebate["percent_tier"] as? String == "gold")
        #expect(try slices(growth.rebate) == [["0.00", "29999.98", "5", "5"]])
        #expect(growth.rebate["amount"] as? String == "1500.00")
        let tier = try #require(try partner("US5006")["tier"] as? [String: Any])
        #expect(tier["tier"] as? String == "gold")
        #expect(tier["on"] as? String == "2018-01-27")
        #expect(tier["valid_from"] as? String == "2018-01-27")

        // CA6001: enrolled late on 2017-08-27; one line (20,000.00) counted before it is left out.
        let late = try rebate("CA6001", "collaboration/voice")
        let cut = try #require(late.row["left_out"] as? [String: Any])
        #expect(cut["enrolled_late_on"] as? String == "2017-08-27")
        #expect(cut["before_enrollment_lines"] as? Int == 1)
        #expect(cut["before_enrollment_volume"] as? String == "20000.00")
        // ... and the CUC licence SO18-6001 (9,000.00) booked before it is left out of the attach volume.
        #expect(cut["attach_before_enrollment_lines"] as? Int == 1)
        #expect(cut["attach_before_enrollment_volume"] as? String == "9000.00")
        let lateAttach = try #require(late.rebate["attach"] as? [String: Any])
        #expect(lateAttach["volume"] as? String == "7000.00")
        #expect(lateAttach["rate_percent"] as? String == "15.55")

        // US5010: registered on 2018-01-27 by tiers.csv (partners.csv says select): ineligible, misses 3% of 120,000.00.
        let registered = try partner("US5010")
        #expect(registered["status"] as? String == "ineligible")
        #expect((registered["tier"] as? [String: Any])?["tier"] as? String == "registered")
        #expect(registered["missed_amount"] as? String == "3600.00")
    }
}
