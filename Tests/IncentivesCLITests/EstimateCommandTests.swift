import Foundation
import Testing

/// `incentives estimate`: a quote file against a partner's position as of a day.
@Suite struct EstimateCommandTests {
    /// The tiny dataset of `CommandTests` (P1, NL, minimum 57,500.00, 6%) and a quote file with `quote` as its text.
    static func setUp(quote: String) throws -> (root: URL, quote: String) {
        let root = try CommandTests.writeDataset()
        let path = root.appendingPathComponent("quote.csv").path
        try quote.write(toFile: path, atomically: true, encoding: .utf8)
        return (root, path)
    }

    static let quote = "sku,amount,currency\nUCS-C,1000,USD\nNX-1,100,USD\n"

    @Test func theTableSaysWhatTheDealAddsAndWhy() throws {
        let (root, quote) = try Self.setUp(quote: Self.quote)
        defer { try? FileManager.default.removeItem(at: root) }
        // As of 2015-03-01 only O1/1 (57,000.50) is booked: 500.00 short of the NL minimum, nothing paid.
        // With UCS-C 1,000.00: 58,000.50 x 6% = 3,480.03, all added by that line. NX-1 is on no subtrack's list.
        let run = try CLI.run(["estimate"] + CommandTests.arguments(root) + ["--partner", "P1", "--quote", quote, "--as-of", "2015-03-01"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("the deal adds 3,480.03 USD (before 0.00, with the deal 3,480.03)"))
        #expect(run.stdout.contains("  dc/ucs  volume 57,000.50 -> 58,000.50; paid 0.00 -> 3,480.03: adds 3,480.03 USD"))
        #expect(run.stdout.contains("    crosses the minimum of 57,500.00 USD: the rebate is paid on the whole volume"))
        #expect(run.stdout.contains("  line 2  UCS-C  1,000.00 USD  booked 2015-03-01\n    adds 3,480.03 USD to VIP dc/ucs\n"))
        #expect(run.stdout.contains("  line 3  NX-1  100.00 USD  booked 2015-03-01\n    adds nothing to VIP: SKU NX-1 is on no subtrack's list\n"))
    }

    @Test func theJSONHasTotalsProgramsItemsAndLines() throws {
        let (root, quote) = try Self.setUp(quote: Self.quote)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run(
            ["estimate"] + CommandTests.arguments(root) + ["--partner", "P1", "--quote", quote, "--as-of", "2015-03-01", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["partner_id", "totals", "programs", "lines"])
        #expect(document["partner_id"] as? String == "P1")
        let totals = try #require(document["totals"] as? [[String: String]])
        #expect(totals == [["currency": "USD", "before": "0.00", "with": "3480.03", "added": "3480.03"]])
        let program = try #require((document["programs"] as? [[String: Any]])?.first)
        #expect(program["id"] as? String == "VIP" && program["added"] as? String == "3480.03")
        let item = try #require((program["items"] as? [[String: Any]])?.first)
        #expect(
            Set(item.keys) == [
                "item", "enrolled", "volume_before", "volume_with", "before", "with", "added", "eligible_before", "eligible_with", "events",
                "missing",
            ])
        #expect(item["volume_before"] as? String == "57000.50" && item["volume_with"] as? String == "58000.50")
        #expect(item["eligible_before"] as? Bool == false && item["eligible_with"] as? Bool == true)
        let events = try #require(item["events"] as? [[String: String]])
        #expect(events.map { $0["code"] } == ["crosses_minimum"])
        let lines = try #require(document["lines"] as? [[String: Any]])
        #expect(lines.count == 2)
        #expect(Set(lines[0].keys) == ["line", "sku", "amount", "currency", "intended_use", "booked_on", "adds", "adds_nothing"])
        #expect(lines[0]["adds"] as? [[String: String]] == [["program": "VIP", "item": "dc/ucs", "added": "3480.03", "currency": "USD"]])
        #expect(lines[1]["adds_nothing"] as? [String] == ["VIP: SKU NX-1 is on no subtrack's list"])
    }

    @Test func aBadQuoteIsRejectedWithFileLineColumnAndValue() throws {
        let (root, quote) = try Self.setUp(quote: "sku,amount,currency,booked_on\nUCS-C,12,5,USD,\nUCS-D,12.5,USD,2015-13-01\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run(["estimate"] + CommandTests.arguments(root) + ["--partner", "P1", "--quote", quote, "--as-of", "2015-03-01"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr == """
                \(quote):2: expected 4 fields like the header, found 5
                \(quote):3: booked_on "2015-13-01": expected a real calendar date YYYY-MM-DD
                2 problems found; nothing was estimated.

                """)
        let missing = try CLI.run(
            ["estimate"] + CommandTests.arguments(root) + ["--partner", "P1", "--quote", root.appendingPathComponent("none.csv").path])
        #expect(missing.status == 1 && missing.stderr.contains("none.csv"))
    }

    /// On the bundled example (docs/estimate.md, README): NL1001 as of 2015-07-25 in VIP25-6M data-center/ucs has
    /// 24,000.00 + 18,000.00 + 18,250.75 - 2,750.00 = 57,500.75: 6% = 3,450.045, paid 3,450.04. With 1,000.00 of UCS:
    /// 58,500.75 x 6% = 3,510.045, 3,510.04: adds 60.00. It is not a provider: the MDF program says so.
    @Test func theBundledExample() throws {
        let (root, quote) = try Self.setUp(quote: "sku,amount,currency\nUCS-C240M4SX,1000,USD\nWS-C3850-48P-S,500,USD\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run([
            "estimate", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1001", "--quote", quote, "--as-of",
            "2015-07-25",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  data-center/ucs  volume 57,500.75 -> 58,500.75; paid 3,450.04 -> 3,510.04: adds 60.00 USD\n"))
        #expect(run.stdout.contains("    adds nothing to VIP25-3M: no shipped_on, and the program counts by shipped_on\n"))
        #expect(
            run.stdout.contains(
                "    adds nothing to PROVIDER-MDF-FY23-H2: the partner does not take part (not a Partner Provider, or a tier the program does not list)\n"
            ))
        #expect(run.stdout.contains("    adds nothing to VIP25-6M: SKU WS-C3850-48P-S is on no subtrack's list\n"))
    }

    /// The README's example: NL1002 has 57,499.99 of UCS, 0.01 short of the NL minimum. 20,000.00 more makes 77,499.99:
    /// 6% = 4,649.9994, 4,650.00, all of it added by that line; it is not enrolled in voice.
    @Test func theReadmeExample() throws {
        let (root, quote) = try Self.setUp(quote: "sku,amount,currency\nUCS-C240M4SX,20000,USD\nCP-8865-K9,500,USD\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run([
            "estimate", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1002", "--quote", quote, "--as-of",
            "2015-07-25",
            "--program", "VIP25-6M",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout == """
                Estimate for NL1002 Rotterdam Netwerk Groep B.V. (NL, premier): 2 quote line(s)
                the deal adds 4,650.00 USD (before 0.00, with the deal 4,650.00)

                VIP25-6M  Value Incentive Program 25, 6-month period  adds 4,650.00 USD
                  data-center/ucs  volume 57,499.99 -> 77,499.99; paid 0.00 -> 4,650.00: adds 4,650.00 USD
                    crosses the minimum of 57,500.00 USD: the rebate is paid on the whole volume
                  collaboration/voice
                    not enrolled: the deal's lines of this subtrack add nothing

                Line by line (each line added after the ones above it)
                  line 2  UCS-C240M4SX  20,000.00 USD  booked 2015-07-25
                    adds 4,650.00 USD to VIP25-6M data-center/ucs
                  line 3  CP-8865-K9  500.00 USD  booked 2015-07-25
                    adds nothing to VIP25-6M: subtrack collaboration/voice is not enrolled

                """)
    }

    /// A quote line is converted like a booking line: 1,000.00 EUR at 1.076543 (from 2015-04-01) is 1,076.54 USD; NL1002's
    /// 57,499.99 + 1,076.54 = 58,576.53 x 6% = 3,514.5918, 3,514.59. A currency without a rate stops the estimate.
    @Test func quoteLinesAreConvertedWithTheFXRates() throws {
        let (root, quote) = try Self.setUp(quote: "sku,amount,currency\nUCS-C240M4SX,1000,EUR\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let arguments = ["estimate", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1002", "--as-of", "2015-07-25"]
        let run = try CLI.run(arguments + ["--quote", quote, "--program", "VIP25-6M"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  data-center/ucs  volume 57,499.99 -> 58,576.53; paid 0.00 -> 3,514.59: adds 3,514.59 USD\n"))
        try "sku,amount,currency\nUCS-C240M4SX,1000,GBP\n".write(toFile: quote, atomically: true, encoding: .utf8)
        let gbp = try CLI.run(arguments + ["--quote", quote])
        #expect(gbp.status == 1 && gbp.stdout.isEmpty)
        #expect(
            gbp.stderr.hasPrefix(
                "\(quote):2: currency \"GBP\": no fx rate for GBP on or before 2015-07-25 (needed to convert into USD for VIP25-6M); add it to fx.csv\n"
            ))
    }

    @Test func anUnknownPartnerIsAnError() throws {
        let (root, quote) = try Self.setUp(quote: Self.quote)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run(["estimate"] + CommandTests.arguments(root) + ["--partner", "NOPE", "--quote", quote])
        #expect(run.status == 1 && run.stdout.isEmpty && run.stderr.contains("NOPE"))
    }
}
