import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The workspace commands as a user runs them, including what happens when a process dies half-way
/// or two run at once.
@Suite struct WorkspaceTests {
    static let examples = CLI.packageRoot.appendingPathComponent("examples")

    /// A new workspace in a temporary folder, with the example programs and data imported.
    static func exampleWorkspace() throws -> (folder: URL, path: String) {
        let folder = try CLI.temporaryFolder()
        let path = folder.appendingPathComponent("w.sqlite").path
        try expectSuccess(["init", "--workspace", path])
        let programs = try FileManager.default.contentsOfDirectory(atPath: examples.appendingPathComponent("programs").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { examples.appendingPathComponent("programs/\($0)").path }
        try expectSuccess(["programs", "add"] + programs + ["--workspace", path])
        try expectSuccess(["import", "--dir", examples.appendingPathComponent("data").path, "--workspace", path])
        return (folder, path)
    }

    @discardableResult
    static func expectSuccess(_ arguments: [String], environment: [String: String] = [:]) throws -> CLI.Run {
        let run = try CLI.run(arguments, environment: environment)
        #expect(run.status == 0, "\(arguments.joined(separator: " ")): \(run.stderr)")
        return run
    }

    /// The number of booking lines `status` reports.
    static func bookingCount(_ path: String) throws -> Int? {
        let run = try expectSuccess(["status", "--check", "--workspace", path])
        #expect(run.stdout.contains("check: ok"))
        guard let line = run.stdout.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("bookings ") }) else {
            return nil
        }
        return Int(line.split(separator: " ").last ?? "")
    }

    /// A bookings file of `count` lines for example partner NL1001, with order ids `prefix-1` ...
    static func bookings(prefix: String, count: Int, in folder: URL) throws -> String {
        var text = "order_id,line,partner_id,booked_on,sku,amount,currency\n"
        for index in 1...count { text += "\(prefix)-\(index),1,NL1001,2015-03-01,UCS-C240M4SX,100.00,USD\n" }
        let path = folder.appendingPathComponent("\(prefix).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A folder with rules v2 (every key of formats.md §5, a tier history in `tiers.csv`) imported into a
    /// workspace computes, and runs, to exactly what the folder computes; without its `tiers.csv` the
    /// folder gives other results, so the tier history is what makes them equal.
    @Test func aV2FolderWithItsTierHistoryComputesTheSameInAWorkspace() throws {
        let folder = try GeneratedDataTests.generate(partners: 300, lines: 20_000, seed: 7, rules: "v2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data").path, programsFolder = folder.appendingPathComponent("programs")
        #expect(FileManager.default.fileExists(atPath: data + "/tiers.csv"))
        let fromFolder = try GeneratedDataTests.computeCSV(folder)
        let path = folder.appendingPathComponent("w.sqlite").path
        try Self.expectSuccess(["init", "--workspace", path])
        let programs = try FileManager.default.contentsOfDirectory(atPath: programsFolder.path).sorted().map {
            programsFolder.appendingPathComponent($0).path
        }
        try Self.expectSuccess(["programs", "add"] + programs + ["--workspace", path])
        let imported = try Self.expectSuccess(["import", "--dir", data, "--workspace", path])
        #expect(imported.stdout.contains("tiers.csv"))
        let computed = try Self.expectSuccess(["compute", "--workspace", path, "--format", "csv"])
        #expect(computed.stdout == fromFolder)
        try Self.expectSuccess(["run", "--workspace", path])
        let stored = try Self.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path])
        #expect(stored.stdout == fromFolder)

        try FileManager.default.removeItem(atPath: data + "/tiers.csv")
        #expect(try GeneratedDataTests.computeCSV(folder) != fromFolder)
    }

    /// The README's walk-through: import, programs, enrol, run, change a rate, run again, diff.
    @Test func walkThroughFromTheReadme() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let enroll = try Self.expectSuccess([
            "enroll", "--partner", "NL1002", "--program", "VIP25-6M", "--subtrack", "collaboration/voice", "--on", "2015-03-01", "--workspace", path,
        ])
        #expect(enroll.stdout.contains("enrolled NL1002 in VIP25-6M collaboration/voice on 2015-03-01"))
        #expect(enroll.stdout.contains("[FAIL] requires ADV-COLLAB or MASTER-COLLAB"))
        let first = try Self.expectSuccess(["run", "--workspace", path])
        #expect(first.stdout.hasPrefix("run 1 stored"))

        // The vendor raises the UCS rebate from 6% to 7%.
        let original = try String(contentsOf: Self.examples.appendingPathComponent("programs/vip25-6m.yaml"), encoding: .utf8)
        let raised = original.replacingOccurrences(of: "rebate_percent: 6\n", with: "rebate_percent: 7\n")
        #expect(raised != original)
        let changed = folder.appendingPathComponent("vip25-6m.yaml").path
        try raised.write(toFile: changed, atomically: true, encoding: .utf8)
        let added = try Self.expectSuccess(["programs", "add", changed, "--workspace", path])
        #expect(added.stdout.contains("VIP25-6M: stored as v2"))
        #expect(added.stdout.contains("data-center/ucs rebate_percent: 6 -> 7"))
        try Self.expectSuccess(["run", "--workspace", path])

        let diff = try Self.expectSuccess(["runs", "diff", "1", "2", "--workspace", path])
        #expect(diff.stdout.contains("VIP25-6M v1 -> v2\n    data-center/ucs rebate_percent: 6 -> 7"))
        #expect(diff.stdout.contains("data: the same in both runs"))
        // NL1001's UCS volume is 57,500.75 USD (examples/README.md): 6% = 3,450.045 -> 3,450.04 (half even), 7% = 4,025.0525 -> 4,025.05.
        #expect(diff.stdout.contains("VIP25-6M  NL1001  data-center/ucs  (changed)\n  amount 3,450.04 -> 4,025.05 (+575.01)"))
        let csv = try Self.expectSuccess(["runs", "diff", "1", "2", "--format", "csv", "--workspace", path])
        #expect(csv.stdout.contains("VIP25-6M,NL1001,data-center/ucs,changed,true,true,3450.04,4025.05,575.01,0.00,0.00,0.00,\n"))

        // The stored first run prints exactly the hand-computed golden results.
        let golden = try String(contentsOf: Self.examples.appendingPathComponent("expected/results.csv"), encoding: .utf8)
        let shown = try Self.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path])
        #expect(shown.stdout != golden)  // run 1 already has NL1002's new enrolment row
        #expect(
            shown.stdout.contains(
                "VIP25-6M,vip,NL1002,collaboration/voice,0.00,25000.00,false,0.00,0.00,credential:ADV-COLLAB|MASTER-COLLAB;volume:0.00<25000.00\n"))
        let withoutNewRow = shown.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.contains("NL1002,collaboration/voice")
        }
        #expect(withoutNewRow.joined(separator: "\n") == golden)

        // compute --workspace gives what the latest run stored.
        let computed = try Self.expectSuccess(["compute", "--workspace", path, "--format", "csv"])
        let latest = try Self.expectSuccess(["runs", "show", "2", "--format", "csv", "--workspace", path])
        #expect(computed.stdout == latest.stdout)
        let json = try Self.expectSuccess(["compute", "--workspace", path, "--format", "json"])
        let latestJSON = try Self.expectSuccess(["runs", "show", "2", "--format", "json", "--workspace", path])
        #expect(json.stdout == latestJSON.stdout)

        // A corrected order line arrives: the data changes, and the diff says which import changed it.
        let bookings = try String(contentsOf: Self.examples.appendingPathComponent("data/bookings.csv"), encoding: .utf8)
        let line = try #require(bookings.split(separator: "\n").first { $0.hasPrefix("SO15-1102,1,") })
        let corrected = folder.appendingPathComponent("correction.csv").path
        try
            "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n\(line.replacingOccurrences(of: "31250.00", with: "31250.01"))\n"
            .write(toFile: corrected, atomically: true, encoding: .utf8)
        let imported = try Self.expectSuccess(["import", "bookings", corrected, "--workspace", path])
        #expect(imported.stdout.contains("1 rows (0 added, 1 changed, 0 unchanged)"))
        try Self.expectSuccess(["run", "--workspace", path])
        let third = try Self.expectSuccess(["runs", "diff", "2", "3", "--workspace", path])
        #expect(third.stdout.contains("data: changed"))
        #expect(third.stdout.contains("imported bookings from \(corrected): 0 added, 1 changed, 0 unchanged"))
        // NL1002 reaches the Dutch UCS minimum exactly: 57,499.99 + 0.01 = 57,500.00, 7% = 4,025.00.
        #expect(
            third.stdout.contains(
                """
                VIP25-6M  NL1002  data-center/ucs  (changed)
                  qualifying volume 57,499.99 -> 57,500.00 (+0.01)
                  eligible false -> true
                  amount 0.00 -> 4,025.00 (+4,025.00)
                  missed 4,025.00 -> 0.00 (-4,025.00)
                  check volume: FAIL -> pass
                """))
        let log = try Self.expectSuccess(["imports", "--workspace", path])
        #expect(log.stdout.contains("enrollments  enroll NL1002 in VIP25-6M collaboration/voice on 2015-03-01  1 rows (1 added"))
        #expect(log.stdout.contains("bookings  \(corrected) sha256 "))
    }

    @Test func theWorkspaceComesFromTheEnvironmentWhenNotGiven() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.expectSuccess(["status"], environment: ["INCENTIVES_WORKSPACE": path])
        #expect(run.stdout.contains("workspace \(path)"))
        #expect(run.stdout.contains("bookings     66"))
        let missing = try CLI.run(["status"], in: folder.appendingPathComponent("nowhere-\(UUID())", isDirectory: true).deletingLastPathComponent())
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no workspace at incentives.sqlite; create one with: incentives init"))
    }

    /// The store names no command; the command line words each remedy with its own commands.
    @Test func theCommandLineWordsTheStoresRemedies() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.sqlite").path
        try Self.expectSuccess(["init", "--workspace", path])
        let again = try CLI.run(["init", "--workspace", path])
        #expect(again.stderr.contains("\(path) already exists; a workspace is only created in a new file (use it with --workspace \(path))"))
        let enrollments = Self.examples.appendingPathComponent("data/enrollments.csv").path
        let early = try CLI.run(["import", "enrollments", enrollments, "--workspace", path])
        #expect(early.status == 1)
        #expect(
            early.stderr.hasPrefix(
                "\(enrollments): the workspace has no programs yet, so no enrolment can be checked; add them first with: incentives programs add FILE\n"
            ))
        let empty = try CLI.run(["run", "--workspace", path])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("\(path): the workspace has no programs yet; add one with: incentives programs add FILE\n"))
        let noRun = try CLI.run(["runs", "show", "1", "--workspace", path])
        #expect(noRun.stderr.contains("no run 1 in the workspace (it has no runs yet; make one with: incentives run)"))
        let noUser = try CLI.run(["tokens", "create", "--user", "grace", "--workspace", path])
        #expect(noUser.stderr.contains("no user named grace (add one with: incentives users add)"))
        let noOne = try CLI.run(["users", "disable", "--name", "grace", "--workspace", path])
        #expect(noOne.stderr.contains("no user named grace (see: incentives users list)"))
    }

    @Test func aFileThatIsNotAWorkspaceIsLeftAlone() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("notes.sqlite").path
        try "partner_id,name\n".write(toFile: path, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let run = try CLI.run(["import", "partners", Self.examples.appendingPathComponent("data/partners.csv").path, "--workspace", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(path) is not an incentives workspace (not a SQLite database); nothing was changed"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let again = try CLI.run(["init", "--workspace", path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// A tier history with an unknown tier, an unknown partner and a duplicate date: every problem named by
    /// file, line, column and value, and nothing of the file stored (not even its good first row).
    @Test func aBadTierHistoryIsRejectedWhole() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tiers = folder.appendingPathComponent("tiers.csv").path
        try """
        partner_id,tier,valid_from
        NL1001,gold,2015-03-01
        NL1001,platinum,2015-04-01
        XX9,gold,2015-01-01
        NL1001,select,2015-03-01

        """.write(toFile: tiers, atomically: true, encoding: .utf8)
        let run = try CLI.run(["import", "tiers", tiers, "--workspace", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(tiers):3: tier \"platinum\": unknown tier (expected gold, premier, select or registered)"))
        #expect(run.stderr.contains("\(tiers):4: partner_id \"XX9\": unknown partner (not in the workspace)"))
        #expect(run.stderr.contains("\(tiers):5: valid_from \"2015-03-01\": partner NL1001 already has a tier from this date (line 2)"))
        #expect(run.stderr.contains("nothing was imported; the workspace is unchanged"))
        let status = try Self.expectSuccess(["status", "--workspace", path])
        #expect(status.stdout.contains("  tiers        0\n"))
    }

    @Test func aBadFileChangesNothing() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bookings.csv").path
        try """
        order_id,line,partner_id,booked_on,sku,amount,currency
        NEW-1,1,NL1001,2015-03-01,UCS-C240M4SX,100.00,USD
        NEW-2,1,NL1001,2015-03-01,UCS-C240M4SX,"12,50",USD
        NEW-3,1,XX9999,2015-03-01,UCS-C240M4SX,100.00,USD

        """.write(toFile: bad, atomically: true, encoding: .utf8)
        let run = try CLI.run(["import", "bookings", bad, "--workspace", path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("\(bad):3: amount \"12,50\""))
        #expect(run.stderr.contains("\(bad):4: partner_id \"XX9999\": unknown partner (not in the workspace)"))
        #expect(run.stderr.contains("2 problems found; nothing was imported; the workspace is unchanged."))
        #expect(try Self.bookingCount(path) == 66)
    }

    /// An import killed with SIGKILL half-way (inside its transaction, after 1,000 lines were written)
    /// leaves the workspace as it was, and the workspace still opens and takes the import afterwards.
    @Test func anImportKilledHalfWayLeavesTheWorkspaceAsItWas() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.bookings(prefix: "K", count: 3000, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            ["import", "bookings", file, "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "import-mid-bookings", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        let killed = try child.wait()
        #expect(killed.status == SIGKILL)
        #expect(child.process.terminationReason == .uncaughtSignal)
        #expect(try Self.bookingCount(path) == 66)
        try Self.expectSuccess(["import", "bookings", file, "--workspace", path])
        #expect(try Self.bookingCount(path) == 3066)
    }

    /// Two imports at once: the second waits for the first's transaction and both land, no line lost.
    @Test func twoImportsAtOnceBothLand() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Self.bookings(prefix: "A", count: 2000, in: folder)
        let second = try Self.bookings(prefix: "B", count: 2500, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let a = try CLI.start(
            ["import", "bookings", first, "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "import-mid-bookings", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        // A holds the write transaction; B starts now and has to wait for it.
        let b = try CLI.start(["import", "bookings", second, "--workspace", path])
        try FileManager.default.removeItem(atPath: signal)
        let resultA = try a.wait(), resultB = try b.wait()
        #expect(resultA.status == 0, "\(resultA.stderr)")
        #expect(resultB.status == 0, "\(resultB.stderr)")
        #expect(resultA.stdout.contains("2000 rows (2000 added"))
        #expect(resultB.stdout.contains("2500 rows (2500 added"))
        #expect(try Self.bookingCount(path) == 66 + 2000 + 2500)
    }

    /// While a run holds its write transaction open, other commands still read the workspace (and see
    /// it as it was before the run).
    @Test func aRunInProgressDoesNotBlockReads() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let signal = folder.appendingPathComponent("reached").path
        let run = try CLI.start(
            ["run", "--workspace", path], environment: ["INCENTIVES_FAILPOINT": "run-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        let during = try Self.expectSuccess(["runs", "--workspace", path])
        #expect(during.stdout == "no runs yet; make one with: incentives run\n")
        let computed = try Self.expectSuccess(["compute", "--workspace", path, "--format", "csv"])
        let golden = try String(contentsOf: Self.examples.appendingPathComponent("expected/results.csv"), encoding: .utf8)
        #expect(computed.stdout == golden)
        try FileManager.default.removeItem(atPath: signal)
        let finished = try run.wait()
        #expect(finished.status == 0, "\(finished.stderr)")
        let after = try Self.expectSuccess(["runs", "--workspace", path])
        #expect(after.stdout.hasPrefix("1  "))
    }

    @Test func exportThenComputeGivesTheRunsResults() throws {
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.expectSuccess(["run", "--workspace", path])
        let data = folder.appendingPathComponent("export/data").path, programs = folder.appendingPathComponent("export/programs").path
        try Self.expectSuccess(["export", "--dir", data, "--programs", programs, "--workspace", path])
        let computed = try Self.expectSuccess(["compute", "--data", data, "--programs", programs, "--format", "csv"])
        let stored = try Self.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path])
        #expect(computed.stdout == stored.stdout)
        // And a new workspace made from the export computes the same.
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try Self.expectSuccess(["init", "--workspace", copy])
        try Self.expectSuccess(
            ["programs", "add"] + (try FileManager.default.contentsOfDirectory(atPath: programs).sorted().map { "\(programs)/\($0)" })
                + ["--workspace", copy])
        try Self.expectSuccess(["import", "--dir", data, "--workspace", copy])
        let again = try Self.expectSuccess(["compute", "--workspace", copy, "--format", "csv"])
        #expect(again.stdout == stored.stdout)
    }

    /// On a terminal, a large import draws a progress bar on stderr (run under `script`, which gives the
    /// child a pseudo-terminal); with stderr redirected to a file, as in every other test, there is none.
    @Test func aLargeImportShowsProgressOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let (folder, path) = try Self.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.bookings(prefix: "T", count: 140_000, in: folder)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = [CLI.executable.path, "import", "bookings", file, "--workspace", path].joined(separator: " ")
        process.arguments = ["-qec", command, "/dev/null"]
        let transcript = folder.appendingPathComponent("transcript")
        _ = FileManager.default.createFile(atPath: transcript.path, contents: nil)
        let handle = try FileHandle(forWritingTo: transcript)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let output = String(decoding: try Data(contentsOf: transcript), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("T.csv [###"))
        #expect(output.contains("% "))
        #expect(output.contains("140000 rows (140000 added"))
        let quiet = try Self.expectSuccess(["import", "bookings", file, "--workspace", path])
        #expect(!quiet.stderr.contains("["))
        #expect(quiet.stdout.contains("140000 rows (0 added, 0 changed, 140000 unchanged)"))
    }
}
