import Foundation
import Testing

/// Issue 11 ("Hardening") as a user meets it on the command line: every repro exits 1 with a clear
/// message on stderr and nothing on stdout, where it used to trap, flood the terminal or mislead.
@Suite struct HardeningCLITests {
    static func expectFailure(_ arguments: [String], status: Int32 = 1, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Run {
        let run = try CLI.run(arguments)
        #expect(run.status == status, "\(arguments.joined(separator: " ")): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout == "", sourceLocation: sourceLocation)
        return run
    }

    /// A dataset of the tiny example (CommandTests) whose bookings are `count` lines of 10,000,000,000,000.00.
    static func hugeBookings(_ count: Int) throws -> URL {
        let root = try CommandTests.writeDataset()
        var text = "order_id,line,partner_id,booked_on,sku,amount,currency\n"
        for index in 0..<count { text += "SO\(index),1,P1,2015-03-01,UCS-A,10000000000000.00,USD\n" }
        try text.write(to: root.appendingPathComponent("data/bookings.csv"), atomically: true, encoding: .utf8)
        return root
    }

    // MARK: - Overflow (point 2)

    /// The issue's repro: `check` and `compute` trapped ("arithmetic overflow"); now exit 1 naming the line.
    @Test func overflowInCheckAndComputeIsAnError() throws {
        let root = try Self.hugeBookings(9_230)
        defer { try? FileManager.default.removeItem(at: root) }
        let bookings = root.appendingPathComponent("data/bookings.csv").path
        let expected =
            "\(bookings):9002: amount \"10000000000000.00\": partner P1, program VIP, item dc/ucs: with this line the booking amounts counted "
            + "(over all programs, credits as their size) add up beyond 90,000,000,000,000,000.00 USD, the most the engine adds up exactly\n"
            + "1 problem found; nothing was computed.\n"
        for command in [["check"], ["compute", "--format", "csv"], ["explain", "--partner", "P1"]] {
            let run = try Self.expectFailure(command + CommandTests.arguments(root))
            #expect(run.stderr == expected, "\(command)")
        }
    }

    /// In a workspace, `import` refuses it (all or nothing, as `check` does); a program added afterwards
    /// that counts the lines makes `run` and `compute --workspace` report it instead of trapping.
    @Test func overflowInAWorkspaceIsRefusedByImportAndReportedByRun() throws {
        let root = try Self.hugeBookings(9_230)
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = root.appendingPathComponent("w.sqlite").path
        let data = root.appendingPathComponent("data").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", workspace])
        try WorkspaceTests.expectSuccess(["programs", "add", root.appendingPathComponent("programs/vip.yaml").path, "--workspace", workspace])
        // Key order, as the workspace holds them: SO0, SO1, SO10, SO100, ...; the 9,001st of them is SO9099.
        let refused = try Self.expectFailure(["import", "--dir", data, "--workspace", workspace])
        #expect(
            refused.stderr.hasPrefix(
                "\(workspace) (bookings): amount \"10000000000000.00\": order SO9099 line 1: partner P1, program VIP, item dc/ucs: with this line"),
            "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix("1 problem found; nothing was imported; the workspace is unchanged.\n"))
        let status = try WorkspaceTests.expectSuccess(["status", "--workspace", workspace])
        #expect(!status.stdout.contains("imported"), "\(status.stdout)")

        // Without programs the import goes through; the program that counts the lines comes after.
        let bare = root.appendingPathComponent("bare.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", bare])
        for kind in ["partners", "bookings"] {
            try WorkspaceTests.expectSuccess(["import", kind, root.appendingPathComponent("data/\(kind).csv").path, "--workspace", bare])
        }
        try WorkspaceTests.expectSuccess(["programs", "add", root.appendingPathComponent("programs/vip.yaml").path, "--workspace", bare])
        for command in [["run"], ["compute", "--format", "csv"]] {
            let run = try Self.expectFailure(command + ["--workspace", bare])
            // Workspace lines come in key order: SO0, SO1, SO10, SO100, ...; the 9,001st of them is SO9099.
            #expect(
                run.stderr.hasPrefix("\(bare) (bookings): amount \"10000000000000.00\": order SO9099 line 1: partner P1, program VIP, item dc/ucs"),
                "\(command): \(run.stderr)")
        }
        // The same file again changes no line, so it brings no such amount and is not refused (the run reports them);
        // a file that changes a line is checked again, and refused.
        let bookings = root.appendingPathComponent("data/bookings.csv").path
        let again = try WorkspaceTests.expectSuccess(["import", "bookings", bookings, "--workspace", bare])
        #expect(again.stdout.contains("9230 rows (0 added, 0 changed, 9230 unchanged)"), "\(again.stdout)")
        let changed = root.appendingPathComponent("changed.csv")
        try (try String(contentsOfFile: bookings, encoding: .utf8)).replacingOccurrences(
            of: "SO5,1,P1,2015-03-01,UCS-A,10000000000000.00,USD", with: "SO5,1,P1,2015-03-02,UCS-A,10000000000000.00,USD"
        ).write(to: changed, atomically: true, encoding: .utf8)
        let refusedAgain = try Self.expectFailure(["import", "bookings", changed.path, "--workspace", bare])
        #expect(refusedAgain.stderr.contains("the most the engine adds up exactly"), "\(refusedAgain.stderr)")
        // A file whose only change is a small amount is refused too: the bound comes from every line stored (the huge
        // amounts came in before there were programs, and were recorded then), not from the lines this file brings.
        let small = root.appendingPathComponent("small.csv")
        try (try String(contentsOfFile: bookings, encoding: .utf8)).replacingOccurrences(
            of: "SO5,1,P1,2015-03-01,UCS-A,10000000000000.00,USD", with: "SO5,1,P1,2015-03-01,UCS-A,1.00,USD"
        ).write(to: small, atomically: true, encoding: .utf8)
        let refusedSmall = try Self.expectFailure(["import", "bookings", small.path, "--workspace", bare])
        #expect(refusedSmall.stderr.contains("the most the engine adds up exactly"), "\(refusedSmall.stderr)")
    }

    // MARK: - Small, escaped messages (points 3 and 11)

    @Test func aPartnersFileWithoutLineBreaksGivesOneShortLine() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        var text = "partner_id,name"
        while text.utf8.count < 2 << 20 { text += ",P1,Alpha,NL,gold" }
        let partners = root.appendingPathComponent("data/partners.csv")
        try text.write(to: partners, atomically: true, encoding: .utf8)
        let run = try Self.expectFailure(["check"] + CommandTests.arguments(root))
        #expect(
            run.stderr
                == "\(partners.path):1: no line end in the first 1 MB; expected a header row naming the columns, then one record per line\n"
                + "1 problem found; nothing was computed.\n")
    }

    /// A terminal escape in a value is echoed as text.
    @Test func controlCharactersReachTheTerminalEscaped() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let credentials = root.appendingPathComponent("data/credentials.csv")
        try "partner_id,credential,achieved_on\nP\u{1B}]0;pwned\u{7},ADV-UCT,2014-01-01\n".write(to: credentials, atomically: true, encoding: .utf8)
        let run = try Self.expectFailure(["check"] + CommandTests.arguments(root))
        #expect(run.stderr.hasPrefix("\(credentials.path):2: partner_id \"P\\x1b]0;pwned\\x07\": unknown partner (not in partners.csv)\n"))
        #expect(!run.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    /// Text made for people shows data's control characters escaped too: a partner's name in `explain`.
    @Test func explainEscapesControlCharacters() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        try "partner_id,name,country,tier\nP1,\"Alpha\u{1B}[31m B.V.\",NL,gold\n"
            .write(to: root.appendingPathComponent("data/partners.csv"), atomically: true, encoding: .utf8)
        let explain = try CLI.run(["explain", "--partner", "P1"] + CommandTests.arguments(root))
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.hasPrefix("Partner P1: Alpha\\x1b[31m B.V.\n"), "\(explain.stdout.prefix(80))")
        #expect(!explain.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    // MARK: - Messages (point 16)

    @Test func dataOrProgramsNamingAFile() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), programs = root.appendingPathComponent("programs")
        let file = data.appendingPathComponent("partners.csv").path
        var run = try Self.expectFailure(["check", "--data", file, "--programs", programs.path])
        #expect(
            run.stderr
                == "\(file): is a file, not a folder; the data folder holds the dataset's CSV files (partners.csv, bookings.csv, ...): perhaps \(data.path)\n"
                + "1 problem found; nothing was computed.\n")
        let yaml = programs.appendingPathComponent("vip.yaml").path
        run = try Self.expectFailure(["compute", "--data", data.path, "--programs", yaml])
        #expect(
            run.stderr.hasPrefix(
                "\(yaml): is a file, not a folder; the programs folder holds the program definitions (*.yaml): perhaps \(programs.path)\n"))
        let workspace = root.appendingPathComponent("w.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", workspace])
        run = try Self.expectFailure(["import", "--dir", file, "--workspace", workspace])
        #expect(run.stderr.hasPrefix("\(file): is a file, not a folder; the data folder holds"))
    }

    /// The credentials catalogue of `advise` printed libyaml's whole error text, with `\n`s and a caret.
    @Test func aCatalogueWithAYAMLErrorIsExplained() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let catalogue = root.appendingPathComponent("catalogue.yaml")
        try "credentials:\n  - id: A\n   name: x\n".write(to: catalogue, atomically: true, encoding: .utf8)
        let run = try Self.expectFailure(
            ["advise", "--partner", "P1", "--as-of", "2015-05-01", "--catalogue", catalogue.path] + CommandTests.arguments(root))
        #expect(
            run.stderr
                == "\(catalogue.path):3: invalid YAML at column 4: this line is indented differently from the list items above it: "
                + "the items of a list start with '-' at the same indentation\n1 problem found; no advice was given.\n")
    }

    @Test func foldersNamedLikeFiles() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), programs = root.appendingPathComponent("programs")
        // A folder x.yaml inside the programs folder.
        let folder = programs.appendingPathComponent("x.yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var run = try Self.expectFailure(["check"] + CommandTests.arguments(root))
        #expect(
            run.stderr
                == "\(folder.path): is a folder named like a program file; program definitions are files (rename or move it)\n"
                + "1 problem found; nothing was computed.\n")
        // --programs x.yaml, where x.yaml is that (empty) folder.
        run = try Self.expectFailure(["check", "--data", data.path, "--programs", folder.path])
        #expect(
            run.stderr.hasPrefix(
                "\(folder.path): no program definitions (*.yaml, *.yml) in this folder (it is a folder named like a file: the programs folder is the one that holds the program files)"
            ))
        try FileManager.default.removeItem(at: folder)
        // A folder named credentials.csv in the data folder: it used to be "the file is empty".
        let credentials = data.appendingPathComponent("credentials.csv")
        try FileManager.default.removeItem(at: credentials)
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        run = try Self.expectFailure(["check"] + CommandTests.arguments(root))
        #expect(
            run.stderr == "\(credentials.path): is a folder named like a file; a CSV file was expected here\n1 problem found; nothing was computed.\n"
        )
        let workspace = root.appendingPathComponent("w.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", workspace])
        run = try Self.expectFailure(["import", "credentials", credentials.path, "--workspace", workspace])
        #expect(run.stderr.hasPrefix("\(credentials.path): is a folder, not a file: give the CSV file to import (or the folder with --dir)\n"))
    }

    /// `--lines -5` was "Missing value for '--lines <lines>'".
    @Test(arguments: [
        (["--lines", "-5"], "Error: --lines -5: give a number of booking lines from 0 to 1,000,000,000"),
        (["--lines=-5"], "Error: --lines -5: give a number of booking lines from 0 to 1,000,000,000"),
        (["--lines", "2000000000"], "Error: --lines 2000000000: give a number of booking lines from 0 to 1,000,000,000"),
        (["--partners", "0"], "Error: --partners 0: give a number of partners from 1 to 10,000,000"),
        (["--partners", "-3"], "Error: --partners -3: give a number of partners from 1 to 10,000,000"),
    ])
    func generateRefusesCountsOutOfRange(arguments: [String], message: String) throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let run = try Self.expectFailure(["generate"] + arguments + ["--out", out], status: 64)
        #expect(run.stderr.hasPrefix(message + "\n"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func enrollingAnUnknownPartner() throws {
        let (folder, workspace) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        var run = try Self.expectFailure(
            [
                "enroll", "--partner", "nl1001", "--program", "VIP25-6M", "--subtrack", "data-center/ucs", "--on", "2015-03-01", "--workspace",
                workspace,
            ])
        #expect(
            run.stderr
                == "Error: no partner \"nl1001\" in the workspace (it has 13 partners; ids match exactly, case included); did you mean NL1001?\n")
        run = try Self.expectFailure(
            ["enroll", "--partner", "XX9", "--program", "VIP25-6M", "--subtrack", "data-center/ucs", "--on", "2015-03-01", "--workspace", workspace])
        #expect(run.stderr == "Error: no partner \"XX9\" in the workspace (it has 13 partners; ids match exactly, case included)\n")
        run = try Self.expectFailure([
            "unenroll", "--partner", "XX9", "--program", "VIP25-6M", "--subtrack", "data-center/ucs", "--workspace", workspace,
        ])
        #expect(run.stderr == "Error: no partner \"XX9\" in the workspace (it has 13 partners; ids match exactly, case included)\n")
        // An empty workspace says what to do first.
        let empty = folder.appendingPathComponent("empty.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", empty])
        try WorkspaceTests.expectSuccess(
            ["programs", "add", WorkspaceTests.examples.appendingPathComponent("programs/vip25-6m.yaml").path, "--workspace", empty])
        run = try Self.expectFailure(
            ["enroll", "--partner", "NL1001", "--program", "VIP25-6M", "--subtrack", "data-center/ucs", "--on", "2015-03-01", "--workspace", empty])
        #expect(run.stderr == "Error: no partner \"NL1001\": the workspace has no partners yet (import partners.csv first)\n")
    }

    // MARK: - Formulas in CSV output (point 12)

    /// The reference implementation neutralises formulas exactly as the product does.
    @Test func referenceImplementationAgreesOnFormulas() throws {
        let root = try CommandTests.writeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try
            "partner_id,name,country,tier\nP1,Alpha,NL,gold\n=1+1,F,NL,gold\n@SUM(1),G,NL,gold\n-x,H,NL,gold\n-12.50,I,NL,gold\n\"=A1,B1\",J,NL,gold\n"
            .write(to: data.appendingPathComponent("partners.csv"), atomically: true, encoding: .utf8)
        try
            "partner_id,program,subtrack,enrolled_on\nP1,VIP,dc/ucs,2015-02-01\n=1+1,VIP,dc/ucs,2015-02-01\n@SUM(1),VIP,dc/ucs,2015-02-01\n-x,VIP,dc/ucs,2015-02-01\n-12.50,VIP,dc/ucs,2015-02-01\n\"=A1,B1\",VIP,dc/ucs,2015-02-01\n"
            .write(to: data.appendingPathComponent("enrollments.csv"), atomically: true, encoding: .utf8)
        let product = try CLI.run(["compute", "--format", "csv"] + CommandTests.arguments(root))
        #expect(product.status == 0, "\(product.stderr)")
        let lines = product.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("VIP,vip,'=1+1,dc/ucs,0.00,57500.00,false,0.00,0.00,credential:ADV-UCT;volume:0.00<57500.00"))
        #expect(lines.contains("VIP,vip,\"'=A1,B1\",dc/ucs,0.00,57500.00,false,0.00,0.00,credential:ADV-UCT;volume:0.00<57500.00"))
        #expect(lines.contains("VIP,vip,-12.50,dc/ucs,0.00,57500.00,false,0.00,0.00,credential:ADV-UCT;volume:0.00<57500.00"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", CLI.packageRoot.appendingPathComponent("bench/reference.py").path, "--data", data.path, "--programs",
            root.appendingPathComponent("programs").path,
        ]
        let output = root.appendingPathComponent("reference.csv")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        try #require(process.terminationStatus == 0, "bench/reference.py failed; it needs python3 with PyYAML")
        #expect(try String(contentsOf: output, encoding: .utf8) == product.stdout)
    }
}
