import Foundation
import Testing

/// The CLI as a user runs it: exit codes, what goes to stdout and stderr, files written.
@Suite struct CommandTests {
    /// A tiny valid dataset: one Dutch partner just over the UCS threshold.
    static func writeDataset() throws -> URL {
        let root = try CLI.temporaryFolder()
        let data = root.appendingPathComponent("data"), programs = root.appendingPathComponent("programs")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: programs, withIntermediateDirectories: true)
        let files = [
            "partners.csv": "partner_id,name,country,tier\nP1,\"Alpha, B.V.\",NL,gold\n",
            "credentials.csv": "partner_id,credential,achieved_on\nP1,ADV-UCT,2014-01-01\n",
            "enrollments.csv": "partner_id,program,subtrack,enrolled_on\nP1,VIP,dc/ucs,2015-02-01\n",
            "bookings.csv":
                "order_id,line,partner_id,booked_on,sku,amount,currency\nO1,1,P1,2015-03-01,UCS-A,57000.50,USD\nO1,2,P1,2015-03-02,UCS-B,500.25,USD\n",
        ]
        for (name, text) in files { try text.write(to: data.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let vip = """
            id: VIP
            kind: vip
            currency: USD
            period: {start: 2015-01-25, end: 2015-07-25}
            tracks:
              - id: dc
                subtracks:
                  - {id: ucs, rebate_percent: 6, products: ["UCS-*"], requires_any: [ADV-UCT], minimum_volume: {default: 75000, NL: 57500}}
            """
        try vip.write(to: programs.appendingPathComponent("vip.yaml"), atomically: true, encoding: .utf8)
        return root
    }

    static func arguments(_ root: URL) -> [String] {
        ["--data", root.appendingPathComponent("data").path, "--programs", root.appendingPathComponent("programs").path]
    }

    @Test func computeCSVPrintsExactlyTheResults() throws {
        let root = try Self.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run(["compute"] + Self.arguments(root) + ["--format", "csv"])
        #expect(run.status == 0)
        #expect(run.stderr == "")
        // 57,500.75 x 6% = 3,450.045 -> 3,450.04.
        #expect(
            run.stdout == """
                program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons
                VIP,vip,P1,dc/ucs,57500.75,57500.00,true,3450.04,0.00,

                """)
    }

    @Test func invalidInputFailsWithEveryProblemAndNoOutput() throws {
        let root = try Self.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let bookings = root.appendingPathComponent("data/bookings.csv")
        try "order_id,line,partner_id,booked_on,sku,amount,currency\nO1,1,P1,2015-03-01,UCS-A,\"12,50\",USD\nO1,1,P9,2015-02-30,UCS-B,1.234,USD\n"
            .write(to: bookings, atomically: true, encoding: .utf8)
        let output = root.appendingPathComponent("results.csv")
        try "previous results\n".write(to: output, atomically: true, encoding: .utf8)
        let run = try CLI.run(["compute"] + Self.arguments(root) + ["--format", "csv", "--output", output.path])
        #expect(run.status == 1)
        #expect(run.stdout == "")
        let prefix = root.path + "/"
        let lines = run.stderr.split(separator: "\n").map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : String($0) }
        #expect(
            lines == [
                "data/bookings.csv:2: amount \"12,50\": expected an amount: a decimal with '.' as separator and at most 2 decimals, no thousands separators or currency signs",
                "data/bookings.csv:3: partner_id \"P9\": unknown partner (not in partners.csv)",
                "data/bookings.csv:3: booked_on \"2015-02-30\": expected a real calendar date YYYY-MM-DD",
                "data/bookings.csv:3: amount \"1.234\": expected an amount with at most 2 decimals",
                "data/bookings.csv:3: order_id, line \"O1, 1\": duplicate order line (first on line 2)",
                "5 problems found; nothing was computed.",
            ])
        // The earlier output file is untouched.
        #expect(try String(contentsOf: output, encoding: .utf8) == "previous results\n")
    }

    @Test func outputFileHoldsTheSameAsStdout() throws {
        let root = try Self.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // csv is streamed to a file renamed into place, json written whole.
        for (format, expected) in [("csv", ",3450.04,"), ("json", "\"amount\" : \"3450.04\"")] {
            let output = folder.appendingPathComponent("results.\(format)")
            let toFile = try CLI.run(["compute"] + Self.arguments(root) + ["--format", format, "--output", output.path])
            let toStdout = try CLI.run(["compute"] + Self.arguments(root) + ["--format", format])
            #expect(toFile.status == 0 && toFile.stdout == "")
            #expect(try String(contentsOf: output, encoding: .utf8) == toStdout.stdout)
            #expect(toStdout.stdout.contains(expected))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["results.csv", "results.json"])
        let nowhere = root.appendingPathComponent("missing/results.csv").path
        let failed = try CLI.run(["compute"] + Self.arguments(root) + ["--format", "csv", "--output", nowhere])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("cannot write \(nowhere)"))
    }

    @Test func checkReportsCountsAndComputesNothing() throws {
        let root = try Self.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run(["check"] + Self.arguments(root))
        #expect(run.status == 0)
        #expect(run.stdout == "ok: 1 program(s), 1 partner(s), 2 booking line(s), 1 enrolment(s); 0 warning(s)\n")
    }

    @Test func explainShowsChecksLinesAndAmount() throws {
        let root = try Self.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try CLI.run(["explain"] + Self.arguments(root) + ["--partner", "P1"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("[pass] minimum volume NL 57,500.00 USD, qualifying 57,500.75 USD: met"))
        #expect(run.stdout.contains("[pass] holds ADV-UCT at the period end 2015-07-25 (needs ADV-UCT)"))
        #expect(run.stdout.contains("lines: 2 counted, 57,500.75 USD (credits included)"))
        #expect(run.stdout.contains("rebate: 3,450.04 USD = 57,500.75 x 6%, rounded half to even"))
        let unknown = try CLI.run(["explain"] + Self.arguments(root) + ["--partner", "NOPE"])
        #expect(unknown.status == 1)
        #expect(unknown.stdout == "")
        #expect(unknown.stderr.contains("--partner \"NOPE\": no such partner"))
    }

    @Test func unknownProgramAndUsageErrors() throws {
        let root = try Self.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let unknown = try CLI.run(["compute"] + Self.arguments(root) + ["--program", "VIP99"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--program \"VIP99\": no such program (known: VIP)"))
        let usage = try CLI.run(["compute", "--data", "x"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--data and --programs go together (or use --workspace)"))
        let both = try CLI.run(["compute", "--data", "x", "--programs", "y", "--workspace", "z"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("give either --workspace or --data with --programs, not both"))
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        for command in ["compute", "explain", "check", "init", "import", "programs", "enroll", "run", "runs", "export", "generate"] {
            #expect(help.stdout.contains(command))
        }
    }

    @Test func generateIsDeterministicForASeed() throws {
        let first = try CLI.temporaryFolder(), second = try CLI.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        for folder in [first, second] {
            let run = try CLI.run(["generate", "--partners", "40", "--lines", "2000", "--seed", "9", "--out", folder.path])
            #expect(run.status == 0)
        }
        for name in ["data/partners.csv", "data/bookings.csv", "data/fx.csv", "programs/gen-vip-6m.yaml"] {
            let a = try Data(contentsOf: first.appendingPathComponent(name)), b = try Data(contentsOf: second.appendingPathComponent(name))
            #expect(a == b, "\(name)")
            #expect(!a.isEmpty)
        }
        let bookings = try String(contentsOf: first.appendingPathComponent("data/bookings.csv"), encoding: .utf8)
        #expect(bookings.split(separator: "\n").count == 2001)
        let check = try CLI.run([
            "check", "--data", first.appendingPathComponent("data").path, "--programs", first.appendingPathComponent("programs").path,
        ])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func adviseNamesTheLinesToRetag() throws {
        let run = try CLI.run([
            "advise", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NL1005", "--as-of", "2023-07-29",
            "--program", "PROVIDER-MDF-FY23-H2",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // Shares are of orders: the tagged credit note SO23-1410 (-1,200.00) is apart (AdvisorTests has the arithmetic).
        #expect(run.stdout.contains("tagged managed_services: 49,350.50 of 89,650.50 USD of orders in the period (55.0%)"))
        #expect(
            run.stdout.contains("credit notes in the period (apart from the shares): 1 line(s), -1,200.00 USD, of which untagged 0.00 USD"))
        #expect(run.stdout.contains("untagged while a tag was required: 2 line(s), 20,600.00 USD; MDF lost: 412.00 USD"))
        #expect(run.stdout.contains("order SO23-1404/1 C8300-1N1S-6T booked 2023-02-01 18,000.00 USD (same sku)"))
        let unknown = try CLI.run(["advise", "--data", "examples/data", "--programs", "examples/programs", "--partner", "NOPE"])
        #expect(unknown.status == 1)
    }
}
