import Foundation
import Testing

/// Issue 18 points 1 and 2: the bundled example as a Dutch Excel export (Windows-1252) and as .xlsx workbooks
/// computes to exactly the results of the standard files, folder by folder and through a workspace.
@Suite struct ExcelInputTests {
    static let programs = ["--programs", "examples/programs"]
    static let folders = ["examples/excel-nl/csv", "examples/excel-nl/xlsx"]

    static func expectSuccess(_ arguments: [String]) throws -> CLI.Run {
        let run = try CLI.run(arguments)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run
    }

    @Test(arguments: ["csv", "json", "table"])
    func computeGivesTheStandardFilesResultsByteForByte(format: String) throws {
        let standard = try Self.expectSuccess(["compute", "--data", "examples/data"] + Self.programs + ["--format", format])
        #expect(standard.stderr == "")
        for folder in Self.folders {
            let run = try Self.expectSuccess(["compute", "--data", folder] + Self.programs + ["--format", format])
            #expect(run.stdout == standard.stdout, "\(folder)")
        }
        if format == "csv" {
            let golden = try String(contentsOf: CLI.packageRoot.appendingPathComponent("examples/expected/results.csv"), encoding: .utf8)
            #expect(standard.stdout == golden)
        }
    }

    /// `advise --data` reads a folder as compute does: the same advice from the Excel export and the workbooks.
    @Test(arguments: ["table", "json"])
    func adviseGivesTheStandardFilesAdvice(format: String) throws {
        let arguments = Self.programs + ["--partner", "NL1001", "--as-of", "2015-05-01", "--format", format]
        let standard = try Self.expectSuccess(["advise", "--data", "examples/data"] + arguments)
        #expect(standard.stdout.contains("NL1001"))
        for folder in Self.folders {
            let run = try Self.expectSuccess(["advise", "--data", folder] + arguments)
            #expect(run.stdout == standard.stdout, "\(folder)")
            #expect(run.stderr.contains("read as"), "\(folder)")
        }
    }

    @Test func eachConvertedFileIsReportedOnStandardError() throws {
        let csv = try Self.expectSuccess(["check", "--data", "examples/excel-nl/csv"] + Self.programs)
        let notes = csv.stderr.split(separator: "\n").map(String.init)
        #expect(notes.contains("examples/excel-nl/csv/bookings.csv: read as Excel (nl): ';' fields, decimal comma, dd-mm-yyyy"))
        #expect(notes.contains("examples/excel-nl/csv/partners.csv: read as Excel (nl): ';' fields, Windows-1252"))
        #expect(notes.contains("examples/excel-nl/csv/fx.csv: read as Excel (nl): ';' fields, decimal comma, dd-mm-yyyy"))
        #expect(notes.count == 8)
        let standard = try Self.expectSuccess(["check", "--data", "examples/data"] + Self.programs)
        #expect(csv.stdout == standard.stdout)

        let xlsx = try Self.expectSuccess(["check", "--data", "examples/excel-nl/xlsx"] + Self.programs)
        #expect(xlsx.stderr.contains("examples/excel-nl/xlsx/bookings.xlsx: read as an Excel workbook, sheet Sheet1\n"))
        #expect(xlsx.stdout == standard.stdout)
    }

    @Test func theNamesKeepTheirAccentsThroughWindows1252() throws {
        let bytes = try Data(contentsOf: CLI.packageRoot.appendingPathComponent("examples/excel-nl/csv/partners.csv"))
        // ü is one byte (0xFC) in Windows-1252, and the file is not UTF-8.
        #expect(bytes.contains(0xFC))
        #expect(String(data: bytes, encoding: .utf8) == nil)
        let run = try Self.expectSuccess(["explain", "--data", "examples/excel-nl/csv"] + Self.programs + ["--partner", "DE3001"])
        let standard = try Self.expectSuccess(["explain", "--data", "examples/data"] + Self.programs + ["--partner", "DE3001"])
        #expect(run.stdout == standard.stdout)
        #expect(run.stdout.contains("Düsseldorf Systemhaus GmbH"))
    }

    @Test func importIntoAWorkspaceThenRunGivesTheSameResults() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let programFiles = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("examples/programs").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "examples/programs/\($0)" }
        var shown: [String: (csv: String, json: String)] = [:]
        for data in ["examples/data"] + Self.folders {
            let workspace = folder.appendingPathComponent("\(data.replacingOccurrences(of: "/", with: "-")).sqlite").path
            _ = try Self.expectSuccess(["init", "--workspace", workspace])
            _ = try Self.expectSuccess(["programs", "add"] + programFiles + ["--workspace", workspace])
            let imported = try Self.expectSuccess(["import", "--dir", data, "--workspace", workspace])
            #expect(imported.stdout.contains("imported bookings from \(data)/bookings."))
            _ = try Self.expectSuccess(["run", "--workspace", workspace])
            let csv = try Self.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", workspace]).stdout
            let json = try Self.expectSuccess(["compute", "--workspace", workspace, "--format", "json"]).stdout
            shown[data] = (csv, json)
        }
        let golden = try String(contentsOf: CLI.packageRoot.appendingPathComponent("examples/expected/results.csv"), encoding: .utf8)
        #expect(shown["examples/data"]?.csv == golden)
        for data in Self.folders {
            #expect(shown[data]?.csv == shown["examples/data"]?.csv, "\(data)")
            #expect(shown[data]?.json == shown["examples/data"]?.json, "\(data)")
        }
    }

    @Test func importOfOneWorkbookRecordsTheWorkbooksDigest() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = folder.appendingPathComponent("w.sqlite").path
        _ = try Self.expectSuccess(["init", "--workspace", workspace])
        let run = try Self.expectSuccess(["import", "partners", "examples/excel-nl/xlsx/partners.xlsx", "--workspace", workspace])
        #expect(run.stdout == "imported partners from examples/excel-nl/xlsx/partners.xlsx!Sheet1: 13 rows (13 added, 0 changed, 0 unchanged)\n")
        #expect(run.stderr == "examples/excel-nl/xlsx/partners.xlsx: read as an Excel workbook, sheet Sheet1\n")
        let imports = try Self.expectSuccess(["imports", "--workspace", workspace])
        let digest = try Self.sha256("examples/excel-nl/xlsx/partners.xlsx")
        #expect(imports.stdout.contains("examples/excel-nl/xlsx/partners.xlsx!Sheet1 sha256 \(digest.prefix(12))"))
    }

    static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        process.currentDirectoryURL = CLI.packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    /// A copy of an example folder to break.
    static func copy(_ example: String) throws -> URL {
        let folder = try CLI.temporaryFolder()
        let source = CLI.packageRoot.appendingPathComponent(example)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    @Test func problemsNameTheUsersFileLineAndValue() throws {
        let folder = try Self.copy("examples/excel-nl/csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bookings = folder.appendingPathComponent("bookings.csv")
        var text = String(decoding: try Data(contentsOf: bookings), as: UTF8.self)
        text = text.replacingOccurrences(
            of: "SO15-1002;1;NL1001;02-03-2015;13-03-2015;CP-8865-K9;60;21.000,00",
            with: "SO15-1002;1;NL1001;02-03-2015;13-03-2015;CP-8865-K9;60;21.000,005")
        try Data(text.utf8).write(to: bookings)
        let run = try CLI.run(["compute", "--data", folder.path] + Self.programs)
        #expect(run.status == 1)
        #expect(run.stdout == "")
        #expect(run.stderr.contains("\(folder.path)/bookings.csv:3: amount \"21000.005\": "))
    }

    @Test func aCSVAndAWorkbookOfOneTableAreRefused() throws {
        let folder = try Self.copy("examples/excel-nl/csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: CLI.packageRoot.appendingPathComponent("examples/excel-nl/xlsx/bookings.xlsx"), to: folder.appendingPathComponent("bookings.xlsx"))
        let other = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: other) }
        let workspace = other.appendingPathComponent("w.sqlite").path
        _ = try Self.expectSuccess(["init", "--workspace", workspace])
        for arguments in [["compute", "--data", folder.path] + Self.programs, ["import", "--dir", folder.path, "--workspace", workspace]] {
            let run = try CLI.run(arguments)
            #expect(run.status == 1)
            #expect(
                run.stderr.contains(
                    "\(folder.path)/bookings.xlsx: \(folder.path)/bookings.csv holds the same table: keep one of the two (which one to read would be a guess)"
                ))
        }
    }

    @Test func aBrokenWorkbookOrAnUnknownSheetIsAClearError() throws {
        let folder = try Self.copy("examples/excel-nl/xlsx")
        defer { try? FileManager.default.removeItem(at: folder) }
        let unknown = try CLI.run(["compute", "--data", folder.path, "--sheet", "Blad1"] + Self.programs)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("\(folder.path)/bookings.xlsx: no sheet named \"Blad1\" (the workbook has: \"Sheet1\")"))

        let bookings = folder.appendingPathComponent("bookings.xlsx")
        let whole = try Data(contentsOf: bookings)
        try whole.prefix(whole.count - 100).write(to: bookings)
        let truncated = try CLI.run(["compute", "--data", folder.path] + Self.programs)
        #expect(truncated.status == 1)
        #expect(truncated.stdout == "")
        #expect(truncated.stderr.contains("\(folder.path)/bookings.xlsx: not an Excel workbook (.xlsx)"))
    }

    @Test func theStandardDialectCanBeForced() throws {
        let run = try CLI.run(["check", "--data", "examples/excel-nl/csv", "--dialect", "standard"] + Self.programs)
        #expect(run.status == 1)
        #expect(run.stderr.contains("examples/excel-nl/csv/partners.csv:1: partner_id: missing required column"))
        let workspace = try CLI.run(["check", "--workspace", "nowhere.sqlite", "--dialect", "excel-nl"])
        #expect(workspace.status != 0)
        #expect(workspace.stderr.contains("--dialect and --sheet are for reading files (--data), not a workspace"))
    }
}
