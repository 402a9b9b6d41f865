import Foundation
import IncentiveStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 16 points 1, 5 and 6 as a user runs them: `import --replace`, `import --dry-run`, warnings for
/// changed booking lines, a workspace of the previous release upgraded in place, and imports killed or
/// run at once.
@Suite struct ImportHistoryCLITests {
    static let examples = CLI.packageRoot.appendingPathComponent("examples")
    static let exampleData = examples.appendingPathComponent("data").path
    static let header = "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
    static let firstLine = "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n"
    /// The two lines of SO15-1002 (NL1001).
    static let secondOrder = [
        "SO15-1002,1,NL1001,2015-03-02,2015-03-13,CP-8865-K9,60,21000.00,USD,\n", "SO15-1002,2,NL1001,2015-03-02,2015-03-13,WS-C3850-48P-S,2,15000.00,USD,\n",
    ]

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The example file of `kind` with `replacements` applied (old text -> new text), written into `folder`.
    static func changed(_ kind: String, in folder: URL, name: String? = nil, _ replacements: [(String, String)]) throws -> String {
        var text = try Self.text(exampleData + "/\(kind).csv")
        for (old, new) in replacements {
            #expect(text.contains(old), "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = folder.appendingPathComponent(name ?? "\(kind)-changed.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What the workspace holds, for comparing before and after: its exported data files, its history
    /// counts and its import log.
    static func snapshot(_ path: String, in folder: URL) throws -> [String] {
        let workspace = try Workspace.open(at: path)
        let out = folder.appendingPathComponent("snapshot-\(UUID().uuidString)").path
        _ = try workspace.export(to: out)
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: out).sorted() { lines.append("\(name)\n" + (try text(out + "/" + name))) }
        lines.append("history \(try workspace.historyCounts().sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" })")
        lines += try workspace.importLog().map { "\($0.id) \($0.summary)" }
        try? FileManager.default.removeItem(atPath: out)
        return lines
    }

    static func history(_ path: String) throws -> [DataKind: Int] {
        try Workspace.open(at: path).historyCounts().filter { $0.value > 0 }
    }

    // MARK: --replace

    @Test func replaceRetiresTheRowsAFullExtractNoLongerHolds() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.changed(
            "bookings", in: folder,
            [
                (Self.secondOrder[0], ""), (Self.secondOrder[1], ""),
                (Self.firstLine, "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n"),
            ])
        // Without --replace the missing lines stay (an upsert), as before.
        let plain = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--dry-run", "--workspace", path])
        #expect(plain.stdout.contains("bookings from \(file): 64 rows (0 added, 1 changed, 63 unchanged)\n"))
        let replaced = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--replace", "--workspace", path])
        #expect(replaced.stdout == "imported bookings from \(file): 64 rows (0 added, 1 changed, 63 unchanged, 2 retired)\n")
        #expect(try WorkspaceTests.bookingCount(path) == 64)
        #expect(try Self.history(path) == [.bookings: 3])
        let log = try Workspace.open(at: path).importLog()
        #expect(log.last.map { [$0.id, $0.summary.retired, $0.summary.changed] } == [9, 2, 1])
        // The same file again retires nothing more.
        let again = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--replace", "--workspace", path])
        #expect(again.stdout.contains("64 rows (0 added, 0 changed, 64 unchanged, 0 retired)"))
        #expect(try Self.history(path) == [.bookings: 3])
    }

    @Test func aPartnerStillReferredToIsNotRetired() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let partners = try Self.changed("partners", in: folder, [("NL1004,Eindhoven Tech Start B.V.,NL,registered,true\n", "")])
        let before = try Self.snapshot(path, in: folder)
        let refused = try CLI.run(["import", "partners", partners, "--replace", "--workspace", path])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "\(partners): partner_id \"NL1004\": not in the file, so --replace would retire this partner, but 2 rows of bookings, 1 row of enrollments still refer to it; keep it in the file, or replace those files in the same import (import --dir DIR --replace)"
            ))
        #expect(refused.stderr.contains("nothing was imported; the workspace is unchanged"))
        #expect(try Self.snapshot(path, in: folder) == before)

        // A whole folder without NL1004 anywhere retires the partner with everything that referred to it.
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for kind in ["partners", "products", "credentials", "csat", "services", "enrollments", "fx", "bookings"] {
            let lines = try Self.text(Self.exampleData + "/\(kind).csv").split(separator: "\n", omittingEmptySubsequences: false)
            try lines.filter { !$0.contains("NL1004") }.joined(separator: "\n").write(
                to: data.appendingPathComponent("\(kind).csv"), atomically: true, encoding: .utf8)
        }
        let whole = try WorkspaceTests.expectSuccess(["import", "--dir", data.path, "--replace", "--workspace", path])
        #expect(whole.stdout.contains("imported partners from \(data.path)/partners.csv: 12 rows (0 added, 0 changed, 12 unchanged, 1 retired)"))
        #expect(whole.stdout.contains("imported enrollments from \(data.path)/enrollments.csv: 16 rows (0 added, 0 changed, 16 unchanged, 1 retired)"))
        #expect(whole.stdout.contains("imported bookings from \(data.path)/bookings.csv: 64 rows (0 added, 0 changed, 64 unchanged, 2 retired)"))
        #expect(try Self.history(path) == [.partners: 1, .enrollments: 1, .bookings: 2])
        #expect(try WorkspaceTests.bookingCount(path) == 64)
        // And importing the example folder again (an upsert) brings them back as new versions.
        let back = try WorkspaceTests.expectSuccess(["import", "--dir", Self.exampleData, "--workspace", path])
        #expect(back.stdout.contains("imported partners from \(Self.exampleData)/partners.csv: 13 rows (1 added, 0 changed, 12 unchanged)"))
        #expect(try WorkspaceTests.bookingCount(path) == 66)
    }

    // MARK: --dry-run

    @Test func aDryRunListsTheChangesAndWritesNothing() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        let file = try Self.changed(
            "bookings", in: folder,
            [
                (Self.secondOrder[1], ""), (Self.firstLine, "SO15-1001,1,NL1002,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n"),
                (Self.secondOrder[0], Self.secondOrder[0] + "SO15-1002,3,NL1001,2015-03-02,,CP-8865-K9,1,-5.00,USD,\n"),
            ])
        // Every process that opens a workspace whose WAL file is missing or empty writes one transaction of
        // its own (GRDB's pool makes the WAL file with a CREATE and a DROP of a table), so the file is
        // compared with a copy that a command writing nothing (`status`) opened the same way.
        let control = folder.appendingPathComponent("control.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: control)
        try WorkspaceTests.expectSuccess(["status", "--workspace", control])
        let dry = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--replace", "--dry-run", "--workspace", path])
        #expect(
            dry.stdout == """
                dry run: nothing was written; the import would do this:
                bookings from \(file): 66 rows (1 added, 1 changed, 64 unchanged, 1 retired)
                  added    SO15-1002/3: order_id SO15-1002, line 3, partner_id NL1001, booked_on 2015-03-02, sku CP-8865-K9, quantity 1, amount -5.00, currency USD
                  changed  SO15-1001/1: partner_id NL1001 -> NL1002
                  retired  SO15-1002/2: order_id SO15-1002, line 2, partner_id NL1001, booked_on 2015-03-02, shipped_on 2015-03-13, sku WS-C3850-48P-S, quantity 2, amount 15000.00, currency USD

                """)
        // The line that moves 24,000.00 to another partner is named, in a dry run as in an import.
        #expect(dry.stderr == "\(file):2: warning: order SO15-1001/1 moves from partner NL1001 to NL1002 (24,000.00 USD)\n")
        // The workspace file is byte for byte what it was, and so is what it holds.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try Data(contentsOf: URL(fileURLWithPath: control))))
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try WorkspaceTests.bookingCount(path) == 66)
        #expect(try Self.history(path).isEmpty)
        #expect(try Workspace.open(at: path).importLog().count == 8)

        let json = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--replace", "--dry-run", "--format", "json", "--workspace", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["dry_run"] as? Bool == true)
        #expect(object["warnings"] as? [String] == ["\(file):2: warning: order SO15-1001/1 moves from partner NL1001 to NL1002 (24,000.00 USD)"])
        let files = try #require(object["files"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect(files[0]["added"] as? Int == 1 && files[0]["changed"] as? Int == 1 && files[0]["retired"] as? Int == 1)
        let changed = try #require(files[0]["changed_rows"] as? [[String: Any]])
        #expect(changed.first?["key"] as? String == "SO15-1001/1")
        #expect(changed.first?["changes"] as? [[String: String]] == [["column": "partner_id", "old": "NL1001", "new": "NL1002"]])
        let retired = try #require(files[0]["retired_rows"] as? [[String: Any]])
        #expect((retired.first?["values"] as? [String: Any])?["amount"] as? String == "15000.00")

        // The real import does what the dry run said, with the same warning.
        let real = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--replace", "--workspace", path])
        #expect(real.stdout == "imported bookings from \(file): 66 rows (1 added, 1 changed, 64 unchanged, 1 retired)\n")
        #expect(real.stderr == dry.stderr)
        #expect(try Self.history(path) == [.bookings: 2])
    }

    @Test func aLongDryRunShowsTheFirstFiftyAndCounts() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try WorkspaceTests.bookings(prefix: "N", count: 120, in: folder)
        let dry = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--dry-run", "--workspace", path])
        let lines = dry.stdout.split(separator: "\n")
        #expect(lines[1] == "bookings from \(file): 120 rows (120 added, 0 changed, 0 unchanged)")
        #expect(lines.filter { $0.hasPrefix("  added    N-") }.count == 50)
        // In key order: N-1, N-10, N-100, N-101, ...
        #expect(lines[2].hasPrefix("  added    N-1/1: order_id N-1, line 1, partner_id NL1001"))
        #expect(lines[3].hasPrefix("  added    N-10/1: "))
        #expect(lines.last == "  ... and 70 more added")
        #expect(try WorkspaceTests.bookingCount(path) == 66)
    }

    // MARK: Warnings

    @Test func changedBookingLinesThatMoveMoneyAreNamed() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.changed(
            "bookings", in: folder,
            [
                // Line 2: more than half more (24,000.00 -> 36,000.01: |12,000.01| × 2 > 24,000.00).
                (Self.firstLine, "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,36000.01,USD,\n"),
                // Line 3: the sign flips.
                (Self.secondOrder[0], "SO15-1002,1,NL1001,2015-03-02,2015-03-13,CP-8865-K9,60,-21000.00,USD,\n"),
                // Line 4: exactly half less (15,000.00 -> 7,500.00: 7,500.00 × 2 is not more than 15,000.00): no warning.
                (Self.secondOrder[1], "SO15-1002,2,NL1001,2015-03-02,2015-03-13,WS-C3850-48P-S,2,7500.00,USD,\n"),
            ])
        let imported = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--workspace", path])
        #expect(imported.stdout.contains("66 rows (0 added, 3 changed, 63 unchanged)"))
        #expect(
            imported.stderr == """
                \(file):2: warning: order SO15-1001/1 changes its amount by more than half: 24,000.00 USD -> 36,000.01 USD
                \(file):3: warning: order SO15-1002/1 flips the sign of its amount: 21,000.00 USD -> -21,000.00 USD

                """)
    }

    // MARK: A workspace of the previous release

    /// `Tests/Fixtures/workspace-v6.sqlite` was made by the release before row history (schema v6) from the
    /// example folder: programs, `import --dir`, `enroll NL1002 ... collaboration/voice --on 2015-03-01`, one
    /// `run`; `workspace-v6-run1.{csv,json}` are what that release's `runs show 1` printed.
    @Test func aWorkspaceOfThePreviousReleaseUpgradesInPlace() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixtures = CLI.packageRoot.appendingPathComponent("Tests/Fixtures")
        let path = folder.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("workspace-v6.sqlite").path, toPath: path)
        for format in ["csv", "json"] {
            let shown = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", format, "--workspace", path])
            #expect(shown.stdout == (try Self.text(fixtures.appendingPathComponent("workspace-v6-run1.\(format)").path)), "\(format)")
        }
        #expect(try Self.history(path).isEmpty)
        let log = try Workspace.open(at: path).importLog()
        #expect(log.count == 9 && log.allSatisfy { $0.summary.retired == 0 })
        // A corrected line: its old version, stored before history was kept, is history now with added_by 0.
        let file = try Self.changed(
            "bookings", in: folder, [(Self.firstLine, "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n")])
        let imported = try WorkspaceTests.expectSuccess(["import", "bookings", file, "--workspace", path])
        #expect(imported.stdout.contains("66 rows (0 added, 1 changed, 65 unchanged)"))
        #expect(try Self.history(path) == [.bookings: 1])
        // The stored run still reads back exactly as before.
        let shown = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path])
        #expect(shown.stdout == (try Self.text(fixtures.appendingPathComponent("workspace-v6-run1.csv").path)))
    }

    // MARK: Crash safety

    /// A `--replace` import killed before its commit, or half-way through its bookings, leaves the
    /// workspace as it was: current rows, history and import log.
    @Test(arguments: ["import-before-commit", "import-mid-bookings"])
    func aReplaceKilledLeavesTheWorkspaceAsItWas(failpoint: String) throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A first correction, so that there is history to keep.
        let first = try Self.changed(
            "bookings", in: folder, name: "first.csv",
            [(Self.firstLine, "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n")])
        try WorkspaceTests.expectSuccess(["import", "bookings", first, "--workspace", path])
        // The full extract: 1,200 new lines (so that the mid-bookings failpoint is reached), SO15-1002 gone.
        var text = try Self.text(Self.exampleData + "/bookings.csv").replacingOccurrences(of: Self.secondOrder[0], with: "")
        for index in 1...1200 { text += "R-\(index),1,NL1001,2015-03-01,,UCS-C240M4SX,1,100.00,USD,\n" }
        let extract = folder.appendingPathComponent("extract.csv").path
        try text.write(toFile: extract, atomically: true, encoding: .utf8)
        let before = try Self.snapshot(path, in: folder)
        #expect(before.contains("history [\"bookings=1\", \"credentials=0\", \"csat=0\", \"enrollments=0\", \"fx=0\", \"partners=0\", \"products=0\", \"services=0\", \"tiers=0\"]"))

        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            ["import", "bookings", extract, "--replace", "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": failpoint, "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        #expect(try child.wait().status == SIGKILL)
        #expect(try Self.snapshot(path, in: folder) == before)
        // And the import goes through afterwards.
        let done = try WorkspaceTests.expectSuccess(["import", "bookings", extract, "--replace", "--workspace", path])
        #expect(done.stdout.contains("1265 rows (1200 added, 1 changed, 64 unchanged, 1 retired)"))
        #expect(try Self.history(path) == [.bookings: 3])
    }

    /// Two processes importing different files at once: both land, each with its history.
    @Test func twoImportsAtOnceBothKeepTheirHistory() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = try Self.text(Self.exampleData + "/bookings.csv").replacingOccurrences(
            of: Self.firstLine, with: "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n")
        for index in 1...1500 { text += "A-\(index),1,NL1001,2015-03-01,,UCS-C240M4SX,1,100.00,USD,\n" }
        let bookings = folder.appendingPathComponent("a.csv").path
        try text.write(toFile: bookings, atomically: true, encoding: .utf8)
        let partners = try Self.changed(
            "partners", in: folder, [("NL1001,Amsterdam Data Systems B.V.,NL,gold,false", "NL1001,Amsterdam Data Systems N.V.,NL,gold,false")])
        let signal = folder.appendingPathComponent("reached").path
        let a = try CLI.start(
            ["import", "bookings", bookings, "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "import-mid-bookings", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        // A holds the write transaction; B starts now and waits for it.
        let b = try CLI.start(["import", "partners", partners, "--workspace", path])
        try FileManager.default.removeItem(atPath: signal)
        let resultA = try a.wait(), resultB = try b.wait()
        #expect(resultA.status == 0, "\(resultA.stderr)")
        #expect(resultB.status == 0, "\(resultB.stderr)")
        #expect(resultA.stdout.contains("1566 rows (1500 added, 1 changed, 65 unchanged)"))
        #expect(resultB.stdout.contains("13 rows (0 added, 1 changed, 12 unchanged)"))
        #expect(try WorkspaceTests.bookingCount(path) == 1566)
        #expect(try Self.history(path) == [.bookings: 1, .partners: 1])
        let log = try Workspace.open(at: path).importLog()
        #expect(log.map(\.id) == Array(1...10))
    }
}
