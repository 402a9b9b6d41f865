import Foundation
import Testing

/// Issue 16 point 2 as an auditor uses it: `--as-known-at`, `runs reproduce`, and the booking lines of `runs diff`,
/// on the example workspace after a corrected re-import.
@Suite struct AsKnownAtCommandTests {
    static let examples = WorkspaceTests.examples

    /// The example workspace (imports 1 to 8, bookings last), run 1; then a corrected extract (import 9: one line's
    /// amount, one line moved to another partner, one new line), one enrolment changed (import 10), VIP25-6M v2
    /// (7% instead of 6% for UCS), run 2.
    static func correctedWorkspace() throws -> (folder: URL, path: String) {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        let imports = try WorkspaceTests.expectSuccess(["imports", "--workspace", path]).stdout
        #expect(imports.split(separator: "\n").count == 8)
        #expect(imports.split(separator: "\n").last?.hasPrefix("8  ") == true && imports.contains("  bookings  "))
        #expect(try WorkspaceTests.expectSuccess(["run", "--workspace", path]).stdout.hasPrefix("run 1 stored"))

        let bookings = folder.appendingPathComponent("bookings-corrected.csv").path
        try """
        order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
        SO15-1003,1,NL1003,2015-04-20,2015-04-28,UCS-C240M4SX,2,18000.00,USD,
        SO15-1102,1,NL1002,2015-03-16,2015-03-27,UCS-FI-6248UP,2,31250.01,USD,
        SO15-9001,1,NL1004,2015-05-05,2015-05-15,UCS-C240M4SX,1,1000.00,USD,

        """.write(toFile: bookings, atomically: true, encoding: .utf8)
        let imported = try WorkspaceTests.expectSuccess(["import", "bookings", bookings, "--workspace", path])
        #expect(imported.stdout.contains("3 rows (1 added, 2 changed, 0 unchanged)"))
        let enrollments = folder.appendingPathComponent("enrollments-corrected.csv").path
        try "partner_id,program,subtrack,enrolled_on\nNL1004,VIP25-6M,data-center/ucs,2015-03-01\n".write(
            toFile: enrollments, atomically: true, encoding: .utf8)
        let enrolled = try WorkspaceTests.expectSuccess(["import", "enrollments", enrollments, "--workspace", path])
        #expect(enrolled.stdout.contains("1 rows (0 added, 1 changed, 0 unchanged)"))

        let original = try String(contentsOf: examples.appendingPathComponent("programs/vip25-6m.yaml"), encoding: .utf8)
        let raised = original.replacingOccurrences(of: "rebate_percent: 6\n", with: "rebate_percent: 7\n")
        #expect(raised != original)
        let program = folder.appendingPathComponent("vip25-6m.yaml").path
        try raised.write(toFile: program, atomically: true, encoding: .utf8)
        #expect(try WorkspaceTests.expectSuccess(["programs", "add", program, "--workspace", path]).stdout.contains("VIP25-6M: stored as v2"))
        #expect(try WorkspaceTests.expectSuccess(["run", "--workspace", path]).stdout.hasPrefix("run 2 stored"))
        return (folder, path)
    }

    /// The instant the workspace recorded for program `id` version `version` (from `programs show`).
    static func addedAt(_ id: String, version: Int, path: String) throws -> String {
        let shown = try WorkspaceTests.expectSuccess(["programs", "show", id, "--version", String(version), "--workspace", path]).stdout
        let header = try #require(shown.split(separator: "\n").first)
        let words = header.split(separator: " ")
        return String(try #require(words.firstIndex(of: "added").map { words[$0 + 1] }))
    }

    @Test func bothRunsReproduceByteForByte() throws {
        let (folder, path) = try Self.correctedWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        for run in ["1", "2"] {
            let reproduced = try CLI.run(["runs", "reproduce", run, "--workspace", path])
            #expect(reproduced.status == 0, "runs reproduce \(run): \(reproduced.stdout) \(reproduced.stderr)")
            #expect(reproduced.stdout.contains("identical: the results are byte for byte those stored"))
            #expect(reproduced.stdout.contains(": the same\n"))
        }
        let first = try WorkspaceTests.expectSuccess(["runs", "reproduce", "1", "--workspace", path]).stdout
        #expect(first.hasPrefix("run 1 (started "))
        let bookings = Self.examples.appendingPathComponent("data").path + "/bookings.csv"
        #expect(first.contains("): PROVIDER-MDF-FY23-H2 v1, VIP25-3M v1, VIP25-6M v1; the data as known at import 8 (\(bookings), "))
        let second = try WorkspaceTests.expectSuccess(["runs", "reproduce", "2", "--workspace", path]).stdout
        let enrollments = folder.appendingPathComponent("enrollments-corrected.csv").path
        #expect(second.contains("): PROVIDER-MDF-FY23-H2 v1, VIP25-3M v1, VIP25-6M v2; the data as known at import 10 (\(enrollments), "))

        // The runs know what they read.
        let list = try WorkspaceTests.expectSuccess(["runs", "--workspace", path]).stdout.split(separator: "\n")
        #expect(list.count == 2 && list[0].hasSuffix("known at import 8") && list[1].hasSuffix("known at import 10"))
        let shown = try WorkspaceTests.expectSuccess(["runs", "show", "2", "--workspace", path])
        #expect(shown.stderr.contains("run 2 (started ") && shown.stderr.contains("the data as known at import 10; "))
        #expect(shown.stdout == (try WorkspaceTests.expectSuccess(["compute", "--workspace", path]).stdout))
    }

    @Test func computeAsKnownAtAnImportIsTheRunOfThen() throws {
        let (folder, path) = try Self.correctedWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run1JSON = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "json", "--workspace", path]).stdout
        let run1CSV = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path]).stdout
        let run2JSON = try WorkspaceTests.expectSuccess(["runs", "show", "2", "--format", "json", "--workspace", path]).stdout
        #expect(run1JSON != run2JSON)
        let known8 = try WorkspaceTests.expectSuccess(["compute", "--as-known-at", "8", "--format", "json", "--workspace", path]).stdout
        #expect(known8 == run1JSON)
        let known8CSV = try WorkspaceTests.expectSuccess(["compute", "--as-known-at", "8", "--format", "csv", "--workspace", path]).stdout
        #expect(known8CSV == run1CSV)
        // Run 1 of the examples is the golden results (examples/expected/results.csv).
        #expect(known8CSV == (try String(contentsOf: Self.examples.appendingPathComponent("expected/results.csv"), encoding: .utf8)))
        // The current data is run 2's.
        #expect(try WorkspaceTests.expectSuccess(["compute", "--format", "json", "--workspace", path]).stdout == run2JSON)

        // As known at import 10 (the enrolment), VIP25-6M was still v1 (v2 came after): the corrected data at 6%.
        let known10 = try WorkspaceTests.expectSuccess(["compute", "--as-known-at", "10", "--format", "csv", "--workspace", path]).stdout
        // NL1002's UCS volume is 57,499.99 + 0.01 = 57,500.00, its threshold: 6% = 3,450.00.
        #expect(known10.contains("VIP25-6M,vip,NL1002,data-center/ucs,57500.00,57500.00,true,3450.00,0.00,\n"))
        // By time: the instant v2 was added knows v2 (7% = 4,025.00), the instant of import 10 does not.
        let v2At = try Self.addedAt("VIP25-6M", version: 2, path: path)
        let byTime = try WorkspaceTests.expectSuccess(["compute", "--as-known-at", v2At, "--format", "json", "--workspace", path]).stdout
        #expect(byTime == run2JSON)
        let byTimeCSV = try WorkspaceTests.expectSuccess(["compute", "--as-known-at", v2At, "--format", "csv", "--workspace", path]).stdout
        #expect(byTimeCSV.contains("VIP25-6M,vip,NL1002,data-center/ucs,57500.00,57500.00,true,4025.00,0.00,\n"))
        let imports = try WorkspaceTests.expectSuccess(["imports", "--workspace", path]).stdout
        let import10At = String(try #require(imports.split(separator: "\n").last?.split(separator: " ").dropFirst().first))
        #expect(import10At < v2At)
        #expect(
            try WorkspaceTests.expectSuccess(["compute", "--as-known-at", import10At, "--format", "csv", "--workspace", path]).stdout == known10)

        // explain, check and advise read the same past.
        let explained = try WorkspaceTests.expectSuccess(["explain", "--partner", "NL1001", "--as-known-at", "8", "--workspace", path]).stdout
        // NL1001 lost SO15-1003 (18,000.00) to NL1003 in import 9: 57,500.75 before, 39,500.75 after.
        #expect(explained.contains("57,500.75"))
        let now = try WorkspaceTests.expectSuccess(["explain", "--partner", "NL1001", "--workspace", path]).stdout
        #expect(now.contains("39,500.75") && !now.contains("57,500.75"))
        let checked = try WorkspaceTests.expectSuccess(["check", "--as-known-at", "8", "--workspace", path]).stdout
        #expect(checked.hasPrefix("ok (as known at 8): 3 program(s), ") && checked.contains(" 66 booking line(s), 17 enrolment(s)"))
        let checkedNow = try WorkspaceTests.expectSuccess(["check", "--workspace", path]).stdout
        #expect(checkedNow.contains(" 67 booking line(s), 17 enrolment(s)"))
        let advised = try WorkspaceTests.expectSuccess([
            "advise", "--partner", "NL1001", "--as-of", "2015-07-25", "--as-known-at", "8", "--format", "json", "--workspace", path,
        ]).stdout
        let advisedNow = try WorkspaceTests.expectSuccess([
            "advise", "--partner", "NL1001", "--as-of", "2015-07-25", "--format", "json", "--workspace", path,
        ]).stdout
        #expect(advised != advisedNow)
        #expect(advised.contains("57500.75") && !advisedNow.contains("57500.75"))
    }

    @Test func badAsKnownAtValuesAreRefused() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String)] = [
            ("99", "--as-known-at 99: no import 99 in the workspace (imports are 1 to 8)"),
            ("0", "--as-known-at 0: import ids start at 1"),
            ("2001-01-01", "--as-known-at 2001-01-01: nothing was imported by 2001-01-01T23:59:59.999Z: the first import is at "),
            ("2001-01-01T10:00:00+02:00", "nothing was imported by 2001-01-01T08:00:00.000Z"),
            ("yesterday", "--as-known-at yesterday: expected an import id"),
            ("2026-11-30T10:00:00", "--as-known-at 2026-11-30T10:00:00: expected an import id"),
            ("2026-02-30", "--as-known-at 2026-02-30: expected an import id"),
        ]
        for (value, message) in cases {
            for command in [["compute"], ["check"], ["explain", "--partner", "NL1001"], ["advise", "--partner", "NL1001"]] {
                let run = try CLI.run(command + ["--as-known-at", value, "--workspace", path])
                #expect(run.status != 0, "\(command) --as-known-at \(value)")
                #expect(run.stdout.isEmpty)
                #expect(run.stderr.contains(message), "\(command) --as-known-at \(value): \(run.stderr)")
            }
        }
        let folders = try CLI.run([
            "compute", "--as-known-at", "1", "--data", Self.examples.appendingPathComponent("data").path, "--programs",
            Self.examples.appendingPathComponent("programs").path,
        ])
        #expect(folders.status != 0 && folders.stderr.contains("--as-known-at reads a workspace's history"))
        let noRun = try CLI.run(["runs", "reproduce", "3", "--workspace", path])
        #expect(noRun.status != 0 && noRun.stderr.contains("no run 3 in the workspace"))
    }

    @Test func runsDiffNamesTheChangedBookingLines() throws {
        let (folder, path) = try Self.correctedWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--workspace", path]).stdout
        let imports = try WorkspaceTests.expectSuccess(["imports", "--workspace", path]).stdout.split(separator: "\n")
        let import9At = String(try #require(imports.first { $0.hasPrefix("9  ") }?.split(separator: " ").dropFirst().first))
        let corrected = folder.appendingPathComponent("bookings-corrected.csv").path
        let section = """

            booking lines: 2 changed, 1 added, 0 retired (run 1's data as known at import 8, run 2's at import 10)
              SO15-1003 line 1  NL1003  changed by import 9 (\(corrected), \(import9At))
                partner_id NL1001 -> NL1003
              SO15-1102 line 1  NL1002  changed by import 9 (\(corrected), \(import9At))
                amount 31250.00 -> 31250.01
              SO15-9001 line 1  NL1004  added by import 9 (\(corrected), \(import9At))
                partner_id NL1004, booked_on 2015-05-05, shipped_on 2015-05-15, sku UCS-C240M4SX, quantity 1, amount 1000.00, currency USD

            """
        #expect(text.hasSuffix(section), "\(text)")
        // The existing sections are still there.
        #expect(text.contains("VIP25-6M v1 -> v2\n    data-center/ucs rebate_percent: 6 -> 7"))
        #expect(text.contains("data: changed"))

        let csv = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "csv", "--lines", "--workspace", path]).stdout
        #expect(
            csv == """
                order_id,line,change,partner_id,import_id,import_file,imported_at,changed_columns,partner_id_before,partner_id_after,booked_on_before,booked_on_after,shipped_on_before,shipped_on_after,sku_before,sku_after,quantity_before,quantity_after,amount_before,amount_after,currency_before,currency_after,intended_use_before,intended_use_after
                SO15-1003,1,changed,NL1003,9,\(corrected),\(import9At),partner_id,NL1001,NL1003,2015-04-20,2015-04-20,2015-04-28,2015-04-28,UCS-C240M4SX,UCS-C240M4SX,2,2,18000.00,18000.00,USD,USD,,
                SO15-1102,1,changed,NL1002,9,\(corrected),\(import9At),amount,NL1002,NL1002,2015-03-16,2015-03-16,2015-03-27,2015-03-27,UCS-FI-6248UP,UCS-FI-6248UP,2,2,31250.00,31250.01,USD,USD,,
                SO15-9001,1,added,NL1004,9,\(corrected),\(import9At),partner_id;booked_on;shipped_on;sku;quantity;amount;currency,,NL1004,,2015-05-05,,2015-05-15,,UCS-C240M4SX,,1,,1000.00,,USD,,

                """)
        // The result rows' CSV is as it was.
        let rowsCSV = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "csv", "--workspace", path]).stdout
        #expect(rowsCSV.hasPrefix("program,partner_id,item,change,"))
        #expect(rowsCSV.contains("VIP25-6M,NL1002,data-center/ucs,changed,false,true,0.00,4025.00,4025.00,3450.00,0.00,-3450.00,"))

        let json = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "json", "--workspace", path]).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let lines = try #require(document["booking_lines"] as? [String: Any])
        #expect(lines["from_import"] as? Int == 8 && lines["to_import"] as? Int == 10)
        #expect(lines["changed"] as? Int == 2 && lines["added"] as? Int == 1 && lines["retired"] as? Int == 0)
        let list = try #require(lines["lines"] as? [[String: Any]])
        #expect(
            list.map { "\($0["order_id"]!)/\($0["line"]!)/\($0["change"]!)/\($0["import_id"]!)" } == [
                "SO15-1003/1/changed/9", "SO15-1102/1/changed/9", "SO15-9001/1/added/9",
            ])
        let amount = try #require((list[1]["columns"] as? [[String: Any]])?.first)
        #expect(amount["name"] as? String == "amount" && amount["before"] as? String == "31250.00" && amount["after"] as? String == "31250.01")

        // The same runs' data: no section. Runs 2 and 2 are the same data; run 2 to 1 is the way back.
        let same = try WorkspaceTests.expectSuccess(["runs", "diff", "2", "2", "--workspace", path]).stdout
        #expect(!same.contains("booking lines:"))
        let back = try WorkspaceTests.expectSuccess(["runs", "diff", "2", "1", "--workspace", path]).stdout
        #expect(back.contains("booking lines: 2 changed, 0 added, 1 retired (run 2's data as known at import 10, run 1's at import 8)"))
        #expect(back.contains("  SO15-1102 line 1  NL1002  changed by import 9 (\(corrected), \(import9At))\n    amount 31250.01 -> 31250.00\n"))
        #expect(back.contains("  SO15-9001 line 1  NL1004  retired by import 9 ("))
        #expect(try CLI.run(["runs", "diff", "1", "2", "--lines", "--workspace", path]).status != 0)
    }

    /// `import --replace` retires the lines a full extract no longer holds; the diff names them with the import,
    /// every run still reproduces, and a long list is cut at 100 lines in the text, whole in the CSV.
    @Test func retiredLinesAndLongLists() throws {
        let (folder, path) = try Self.correctedWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let exported = folder.appendingPathComponent("export").path
        try WorkspaceTests.expectSuccess(["export", "--dir", exported, "--workspace", path])
        let current = try String(contentsOfFile: exported + "/bookings.csv", encoding: .utf8)
        #expect(
            current.contains("SO15-9001,1,NL1004,") && current.contains("SO15-3101,1,DE3002,2015-03-11,2015-03-25,UCS-B200M4-U,7,61000.00,USD,\n"))
        let full = current.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("SO15-9001,") }
            .joined(separator: "\n").replacingOccurrences(of: "UCS-B200M4-U,7,61000.00,USD", with: "UCS-B200M4-U,7,16000.00,USD")
        let extract = folder.appendingPathComponent("bookings-full.csv").path
        try full.write(toFile: extract, atomically: true, encoding: .utf8)
        try WorkspaceTests.expectSuccess(["import", "--replace", "bookings", extract, "--workspace", path])
        #expect(try WorkspaceTests.expectSuccess(["run", "--workspace", path]).stdout.hasPrefix("run 3 stored"))
        let text = try WorkspaceTests.expectSuccess(["runs", "diff", "2", "3", "--workspace", path]).stdout
        #expect(text.contains("\nbooking lines: 1 changed, 0 added, 1 retired (run 2's data as known at import 10, run 3's at import 11)\n"))
        #expect(text.contains("  SO15-3101 line 1  DE3002  changed by import 11 (\(extract), "))
        #expect(text.contains("    amount 61000.00 -> 16000.00\n"))
        #expect(text.contains("  SO15-9001 line 1  NL1004  retired by import 11 (\(extract), "))
        #expect(
            text.contains(
                "    partner_id NL1004, booked_on 2015-05-05, shipped_on 2015-05-15, sku UCS-C240M4SX, quantity 1, amount 1000.00, currency USD\n"))
        // Run 1 to run 3: SO15-9001 came and went, so it is no change at all.
        let whole = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "3", "--workspace", path]).stdout
        #expect(whole.contains("\nbooking lines: 3 changed, 0 added, 0 retired (run 1's data as known at import 8, run 3's at import 11)\n"))
        #expect(!whole.contains("SO15-9001"))
        for run in ["1", "2", "3"] {
            #expect(
                try WorkspaceTests.expectSuccess(["runs", "reproduce", run, "--workspace", path]).stdout.hasSuffix(
                    "identical: the results are byte for byte those stored\n"))
        }

        // 105 new lines: the text lists 100 of them, the CSV all.
        let many = try WorkspaceTests.bookings(prefix: "SO26", count: 105, in: folder)
        try WorkspaceTests.expectSuccess(["import", "bookings", many, "--workspace", path])
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        let long = try WorkspaceTests.expectSuccess(["runs", "diff", "3", "4", "--workspace", path]).stdout
        #expect(long.contains("\nbooking lines: 0 changed, 105 added, 0 retired (run 3's data as known at import 11, run 4's at import 12)\n"))
        #expect(long.components(separatedBy: " added by import 12 (").count - 1 == 100)
        #expect(long.hasSuffix("  ... and 5 more (all of them: --format csv --lines, or --format json)\n"))
        let csv = try WorkspaceTests.expectSuccess(["runs", "diff", "3", "4", "--format", "csv", "--lines", "--workspace", path]).stdout
        #expect(csv.split(separator: "\n").count == 106)
        #expect(try WorkspaceTests.expectSuccess(["runs", "reproduce", "4", "--workspace", path]).status == 0)
    }
}
