import Foundation
import Testing

/// The bundled example: its results were worked out by hand in examples/README.md.
@Suite struct ExampleTests {
    static let arguments = ["--data", "examples/data", "--programs", "examples/programs"]

    @Test func resultsCSVMatchesTheHandComputedGolden() throws {
        let run = try CLI.run(["compute"] + Self.arguments + ["--format", "csv"])
        #expect(run.status == 0)
        #expect(run.stderr == "")
        let golden = try String(contentsOf: CLI.packageRoot.appendingPathComponent("examples/expected/results.csv"), encoding: .utf8)
        #expect(run.stdout == golden)
    }

    @Test func explainNamesTheCentThatIsMissing() throws {
        let run = try CLI.run(["explain"] + Self.arguments + ["--partner", "NL1002", "--program", "VIP25-6M"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("[FAIL] minimum volume NL 57,500.00 USD, qualifying 57,499.99 USD, short by 0.01"))
        #expect(run.stdout.contains("left out (booked_on 2015-01-24 is before the period): line 11: order SO15-1101/1"))
        #expect(run.stdout.contains("to unlock: book 0.01 USD more qualifying volume"))
        #expect(!run.stdout.contains("VIP25-3M"))
    }

    @Test func explainShowsTheMDFLostToUntaggedOrders() throws {
        let run = try CLI.run(["explain"] + Self.arguments + ["--partner", "NL1005"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("2 untagged line(s) after the tagging rule, 20,600.00 USD: earn no MDF"))
        // (63,650.50 + 20,600.00) x 2% = 1,685.01; minus 1,273.01 earned = 412.00.
        #expect(run.stdout.contains("missed: 412.00 USD: tagging the 2 untagged line(s) as managed services would have earned it"))
        #expect(run.stdout.contains("untagged: line 45: order SO23-1404/1 C8300-1N1S-6T booked 2023-02-01 18,000.00 USD"))
    }

    @Test func tableSummarisesEachProgram() throws {
        let run = try CLI.run(["compute"] + Self.arguments)
        #expect(run.status == 0)
        // VIP25-6M pays 3,450.04 + 5,552.00 + 4,360.00 + 2,283.56 + 5,117.39 + 4,940.74 = 25,703.73.
        #expect(run.stdout.contains("  total paid                  25,703.73 USD\n"))
        #expect(run.stdout.contains("  partners taking part        8\n"))
    }

    @Test func jsonHoldsEveryCheckWithItsExplanation() throws {
        let run = try CLI.run(["compute"] + Self.arguments + ["--format", "json", "--program", "VIP25-6M"])
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let programs = try #require(json["programs"] as? [[String: Any]])
        #expect(programs.map { $0["id"] as? String } == ["VIP25-6M"])
        let partners = try #require(programs[0]["partners"] as? [[String: Any]])
        let partner = try #require(partners.first { $0["partner_id"] as? String == "NL1002" })
        #expect(partner["status"] as? String == "ineligible")
        #expect(partner["missed_amount"] as? String == "3450.00")
        let row = try #require((partner["rows"] as? [[String: Any]])?.first)
        #expect(row["qualifying_volume"] as? String == "57499.99")
        #expect(row["reasons"] as? [String] == ["volume:57499.99<57500.00"])
        let checks = try #require(row["checks"] as? [[String: Any]])
        #expect(checks.map { $0["code"] as? String } == ["tier", "csat", "credential", "volume"])
        #expect(checks.map { $0["passed"] as? Bool } == [true, true, true, false])
        #expect(checks[3]["explanation"] as? String == "minimum volume NL 57,500.00 USD, qualifying 57,499.99 USD, short by 0.01")
        // A partner enrolled in nothing is listed with its status and no rows.
        let idle = try #require(partners.first { $0["partner_id"] as? String == "NL1005" })
        #expect(idle["status"] as? String == "not_enrolled")
        #expect((idle["rows"] as? [Any])?.isEmpty == true)
    }
}
