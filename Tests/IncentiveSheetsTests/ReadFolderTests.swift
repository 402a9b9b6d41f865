import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveSheets

/// Folders and files prepared for the standard readers: names mapped back to the user's files and cells.
@Suite struct ReadFolderTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let programs = packageRoot.appendingPathComponent("examples/programs").path
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("read-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    /// The errors of loading the folder as `compute --data` does.
    func loadErrors(_ options: ReadOptions = ReadOptions()) throws -> [String] {
        let prepared = try ReadFolder.prepare(directory: folder.path, options: options)
        defer { prepared.remove() }
        do {
            _ = try Engine.load(dataDirectory: prepared.directory, programsDirectory: Self.programs)
            return []
        } catch {
            return prepared.relocate(error).errorLines
        }
    }

    @Test func engineProblemsInASheetNameTheUsersCell() throws {
        try write("partners.csv", "partner_id,name,country,tier\nNL1001,A,NL,gold\n")
        let rows =
            Workbook.bookingsHeader
            + "<row r=\"2\">\(Workbook.text("A2", "SO1"))\(Workbook.number("B2", "1"))\(Workbook.text("C2", "NL1001"))"
            + "\(Workbook.number("D2", "42029", style: 1))\(Workbook.text("F2", "X"))\(Workbook.number("H2", "10"))\(Workbook.text("I2", "USD"))</row>"
            // A blank row, then a row whose partner is unknown: row 4 of the sheet, line 3 of the CSV.
            + "<row r=\"4\">\(Workbook.text("A4", "SO2"))\(Workbook.number("B4", "1"))\(Workbook.text("C4", "XX9"))"
            + "\(Workbook.number("D4", "42029", style: 1))\(Workbook.text("F4", "X"))\(Workbook.number("H4", "10"))\(Workbook.text("I4", "US"))</row>"
        _ = try Workbook.write([("Sheet1", rows)], to: folder)
        let sheet = folder.appendingPathComponent("bookings.xlsx").path
        #expect(
            try loadErrors() == [
                "\(sheet)!Sheet1 C4: partner_id \"XX9\": unknown partner (not in partners.csv)",
                "\(sheet)!Sheet1 I4: currency \"US\": expected an ISO 4217 currency code such as USD",
            ])
    }

    @Test func anImportedSheetsProblemsNameItsCells() throws {
        // Row 2 holds a line break, so the sheet's row 3 is line 4 of the converted file.
        let rows =
            Workbook.bookingsHeader + "<row r=\"2\">\(Workbook.text("A2", "SO1"))\(Workbook.text("F2", "two\nlines"))</row>"
            + "<row r=\"3\">\(Workbook.text("A3", "SO2"))\(Workbook.text("C3", "XX9"))</row>"
        let url = try Workbook.write([("Data", rows)], to: folder)
        let prepared = try ReadFolder.prepare(files: [("bookings.csv", url.path)], options: ReadOptions())
        defer { prepared.remove() }
        let file = try #require(prepared.files.first)
        #expect(file.displayName == "\(url.path)!Data")
        #expect(file.original == url.path)
        #expect(file.path != url.path)
        #expect(try String(contentsOfFile: file.path, encoding: .utf8).hasSuffix("SO1,,,,,\"two\nlines\",,,,\nSO2,,XX9,,,,,,,\n"))
        var collector = DiagnosticCollector()
        collector.error(file: file.displayName, line: 4, column: "partner_id", value: "XX9", "unknown partner")
        collector.error(file: file.displayName, line: 4, "expected 10 fields like the header, found 9")
        collector.error(file: file.displayName, line: nil, "the import was not written")
        #expect(
            prepared.relocate(DiagnosticReport(collector)).errorLines == [
                "\(url.path)!Data C3: partner_id \"XX9\": unknown partner",
                "\(url.path)!Data row 3: expected 10 fields like the header, found 9",
                "\(url.path)!Data: the import was not written",
            ])
    }

    @Test func engineProblemsInADialectFileNameTheUsersFileAndLine() throws {
        try write("partners.csv", "partner_id;name;country;tier\nNL1001;A;NL;gold\nNL1002;B;NL;platinum\n")
        try write("bookings.csv", "order_id,line,partner_id,booked_on,sku,amount,currency\nSO1,1,NL1001,2015-01-25,X,10,USD\n")
        #expect(try loadErrors() == ["\(folder.path)/partners.csv:3: tier \"platinum\": unknown tier (expected gold, premier, select or registered)"])
    }

    @Test func aStandardFolderIsReadWhereItIs() throws {
        try write("partners.csv", "partner_id,name,country,tier\nNL1001,A,NL,gold\n")
        try write("bookings.csv", "order_id,line,partner_id,booked_on,sku,amount,currency\nSO1,1,NL1001,2015-01-25,X,10,USD\n")
        let prepared = try ReadFolder.prepare(directory: folder.path, options: ReadOptions())
        #expect(prepared.directory == folder.path)
        #expect(!prepared.converted)
        #expect(prepared.notes.isEmpty)
    }

    @Test func aConvertedFolderLinksItsStandardFilesAndNotesTheOthers() throws {
        try write("partners.csv", "partner_id;name;country;tier\nNL1001;A;NL;gold\n")
        try write("bookings.csv", "order_id,line,partner_id,booked_on,sku,amount,currency\nSO1,1,NL1001,2015-01-25,X,10,USD\n")
        try write("notes.txt", "not data")
        let prepared = try ReadFolder.prepare(directory: folder.path, options: ReadOptions())
        defer { prepared.remove() }
        #expect(prepared.directory != folder.path)
        #expect(prepared.notes == ["\(folder.path)/partners.csv: read as Excel (nl): ';' fields"])
        let link = (prepared.directory as NSString).appendingPathComponent("bookings.csv")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: link) == folder.appendingPathComponent("bookings.csv").standardizedFileURL.path)
        #expect(prepared.warnings.lines(severity: .warning).count == 1)
        #expect(prepared.warnings.lines(severity: .warning).first?.hasPrefix("\(folder.path)/notes.txt: warning: no command reads this file") == true)
        prepared.remove()
        #expect(!FileManager.default.fileExists(atPath: prepared.directory))
    }

    @Test func aTableAsBothCSVAndWorkbookIsAnErrorNamingBoth() throws {
        try write("partners.csv", "partner_id,name,country,tier\nNL1001,A,NL,gold\n")
        _ = try Workbook.write([("Sheet1", "")], to: folder, name: "partners.xlsx")
        #expect(
            try loadErrorsOfPreparing() == [
                "\(folder.path)/partners.xlsx: \(folder.path)/partners.csv holds the same table: keep one of the two (which one to read would be a guess)"
            ])
    }

    func loadErrorsOfPreparing() throws -> [String] {
        do {
            _ = try ReadFolder.prepare(directory: folder.path, options: ReadOptions())
            return []
        } catch {
            return error.errorLines
        }
    }

    @Test func manyProblemsOfASheetKeepTheirCount() throws {
        try write("partners.csv", "partner_id,name,country,tier\nNL1001,A,NL,gold\n")
        var rows = Workbook.bookingsHeader
        for row in 2...131 {
            rows +=
                "<row r=\"\(row)\">\(Workbook.text("A\(row)", "SO\(row)"))\(Workbook.number("B\(row)", "1"))\(Workbook.text("C\(row)", "NL1001"))"
                + "\(Workbook.number("D\(row)", "42029", style: 1))\(Workbook.text("F\(row)", "X"))\(Workbook.number("H\(row)", "10"))\(Workbook.text("I\(row)", "EURO"))</row>"
        }
        _ = try Workbook.write([("Sheet1", rows)], to: folder)
        let errors = try loadErrors()
        let sheet = folder.appendingPathComponent("bookings.xlsx").path + "!Sheet1"
        #expect(errors.count == 101)
        #expect(errors.first == "\(sheet) I2: currency \"EURO\": expected an ISO 4217 currency code such as USD")
        #expect(errors.last == "\(sheet): ... and 30 more problems")
    }
}

/// The typed columns against every column of docs/formats.md's dataset table.
@Suite struct ReadColumnsTests {
    /// Each column of formats.md §1 (and tiers.csv) with the kind a spreadsheet writes it in.
    static let expected: [String: [String: ReadColumnKind]] = [
        "partners.csv": ["partner_id": .text, "name": .text, "country": .text, "tier": .text, "provider": .boolean],
        "credentials.csv": ["partner_id": .text, "credential": .text, "achieved_on": .date, "expires_on": .date],
        "csat.csv": ["partner_id": .text, "survey_id": .text, "submitted_on": .date],
        "services.csv": ["partner_id": .text, "service": .text, "strategic": .boolean, "active_from": .date, "active_until": .date],
        "enrollments.csv": ["partner_id": .text, "program": .text, "subtrack": .text, "enrolled_on": .date],
        "products.csv": ["sku": .text, "description": .text, "family": .text],
        "bookings.csv": [
            "order_id": .text, "line": .text, "partner_id": .text, "booked_on": .date, "shipped_on": .date, "sku": .text,
            "quantity": .decimal(scale: 6), "amount": .decimal(scale: 2), "currency": .text, "intended_use": .text,
        ],
        "fx.csv": ["currency": .text, "valid_from": .date, "rate": .decimal(scale: 6)],
        "tiers.csv": ["partner_id": .text, "tier": .text, "valid_from": .date],
    ]

    @Test func everyColumnOfTheFormatsHasItsKind() throws {
        let formats = try String(contentsOf: ReadFolderTests.packageRoot.appendingPathComponent("docs/formats.md"), encoding: .utf8)
        var documented: [String: Set<String>] = [:]
        for line in formats.split(separator: "\n") where line.hasPrefix("| `") && line.contains(".csv`") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let file = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            // The names in backticks (`[shipped_on]` is optional), not the words after them.
            let columns = cells[2].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
                $0.element.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            }
            documented[file] = Set(columns)
        }
        #expect(Set(documented.keys) == Set(DatasetLoader.fileNames))
        #expect(Set(documented.keys) == Set(Self.expected.keys))
        for (file, columns) in documented {
            #expect(columns == Set(Self.expected[file]!.keys), "\(file)")
            for column in columns { #expect(ReadColumns.kind(of: column, in: file) == Self.expected[file]![column], "\(file) \(column)") }
        }
        #expect(Set(BookingFile.requiredColumns + BookingFile.optionalColumns) == documented["bookings.csv"])
    }
}
