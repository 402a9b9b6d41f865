import Foundation
import IncentiveEngine
import Testing
import ZIPFoundation

@testable import IncentiveSheets

/// Writes small .xlsx workbooks from their XML parts, as Excel lays them out.
enum Workbook {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    /// A workbook at a new temporary path; `sheets` are each a name and the XML of its `sheetData` rows.
    static func write(
        _ sheets: [(name: String, rows: String)], sharedStrings: [String]? = nil, date1904: Bool = false, to folder: URL,
        name: String = "bookings.xlsx"
    ) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")
        let sheetList = sheets.enumerated().map { "<sheet name=\"\($0.element.name)\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }
        try add(
            "xl/workbook.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"\(main)\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                + "<workbookPr\(date1904 ? " date1904=\"1\"" : "")/><sheets>\(sheetList.joined())</sheets></workbook>")
        let relationships = sheets.indices.map {
            "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>"
        }
        try add(
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(relationships.joined())</Relationships>"
        )
        // Style 0: general; 1: built-in date 14; 2: custom dd-mm-yyyy; 3: #,##0.00 (4); 4: a custom format with "d" only in quotes.
        try add(
            "xl/styles.xml",
            "<?xml version=\"1.0\"?><styleSheet xmlns=\"\(main)\"><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd\\-mm\\-yyyy\"/>"
                + "<numFmt numFmtId=\"165\" formatCode=\"#,##0.00&quot; dollars&quot;\"/></numFmts>"
                + "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
                + "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"4\"/><xf numFmtId=\"165\"/></cellXfs></styleSheet>"
        )
        if let sharedStrings {
            let items = sharedStrings.map { "<si><t xml:space=\"preserve\">\($0)</t></si>" }
            try add("xl/sharedStrings.xml", "<?xml version=\"1.0\"?><sst xmlns=\"\(main)\" count=\"\(items.count)\">\(items.joined())</sst>")
        }
        for (index, sheet) in sheets.enumerated() {
            try add(
                "xl/worksheets/sheet\(index + 1).xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"\(main)\"><sheetData>\(sheet.rows)</sheetData></worksheet>")
        }
        return url
    }

    /// An inline-string cell.
    static func text(_ reference: String, _ value: String) -> String { "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(value)</t></is></c>" }
    /// A number cell with style `style`.
    static func number(_ reference: String, _ value: String, style: Int = 0) -> String { "<c r=\"\(reference)\" s=\"\(style)\"><v>\(value)</v></c>" }

    /// The header row of a bookings sheet, inline strings in A1...J1.
    static let bookingsHeader =
        "<row r=\"1\">"
        + ["order_id", "line", "partner_id", "booked_on", "shipped_on", "sku", "quantity", "amount", "currency", "intended_use"].enumerated().map {
            text("\(ReadXML.columnLetters($0.offset))1", $0.element)
        }.joined() + "</row>"
}

@Suite struct ReadXLSXTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("read-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The sheet read as bookings, as standard CSV text.
    func csv(_ url: URL, sheet: String? = nil) throws(DiagnosticReport) -> String {
        let read = try ReadXLSX.read(path: url.path, file: "bookings.xlsx", fileName: "bookings.csv", sheet: sheet)
        return String(decoding: read.bytes, as: UTF8.self)
    }

    func problems(_ url: URL, sheet: String? = nil) -> [String] {
        do {
            _ = try csv(url, sheet: sheet)
            return []
        } catch {
            return error.errorLines
        }
    }

    @Test func sharedAndInlineStringsNumbersDatesAndMissingCells() throws {
        let rows =
            Workbook.bookingsHeader
            + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c>\(Workbook.number("B2", "1"))<c r=\"C2\" t=\"s\"><v>1</v></c>"
            + "\(Workbook.number("D2", "42029", style: 1))\(Workbook.number("E2", "42045", style: 2))\(Workbook.text("F2", "UCS, &quot;B200&quot;"))"
            + "\(Workbook.number("H2", "24000", style: 3))<c r=\"I2\" t=\"str\"><v>USD</v></c></row>"
            // Missing cells (no shipped_on, quantity, intended_use), a row without `r` on its cells.
            + "<row r=\"3\">\(Workbook.text("A3", "SO2"))\(Workbook.number("B3", "2"))\(Workbook.text("C3", "NL1001"))"
            + "<c s=\"2\"><v>42030</v></c>\(Workbook.text("F3", "X"))\(Workbook.number("H3", "0.30000000000000004"))\(Workbook.text("I3", "USD"))</row>"
            + "<row r=\"4\">\(Workbook.text("A4", "SO3"))\(Workbook.number("B4", "1"))\(Workbook.text("C4", "NL1001"))"
            + "\(Workbook.text("D4", "2015-01-27"))\(Workbook.text("E4", "28-1-2015"))\(Workbook.text("F4", "X"))\(Workbook.number("G4", "2.5E-1"))"
            + "\(Workbook.number("H4", "1.2345E3", style: 4))\(Workbook.text("I4", "USD"))\(Workbook.text("J4", "Managed\nServices"))</row>"
        let url = try Workbook.write([("Sheet1", rows)], sharedStrings: ["SO1", "NL1001"], to: folder)
        #expect(
            try csv(url)
                == "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
                + "SO1,1,NL1001,2015-01-25,2015-02-10,\"UCS, \"\"B200\"\"\",,24000,USD,\n"
                + "SO2,2,NL1001,2015-01-26,,X,,0.3,USD,\n"
                + "SO3,1,NL1001,2015-01-27,2015-01-28,X,0.25,1234.5,USD,\"Managed\nServices\"\n")
    }

    @Test func the1904DateSystem() throws {
        // 42029 days after 1899-12-30 is 2015-01-25; in the 1904 system the same day is 1462 days fewer.
        let rows =
            Workbook.bookingsHeader
            + "<row r=\"2\">\(Workbook.text("A2", "SO1"))\(Workbook.number("D2", "40567", style: 1))\(Workbook.number("E2", "0", style: 1))</row>"
        let url = try Workbook.write([("Sheet1", rows)], date1904: true, to: folder)
        #expect(try csv(url).hasSuffix("\nSO1,,,2015-01-25,1904-01-01,,,,,\n"))
    }

    @Test func the1900DateSystemAroundItsFictitiousLeapDay() throws {
        let rows =
            Workbook.bookingsHeader
            + "<row r=\"2\">\(Workbook.number("D2", "1", style: 1))\(Workbook.number("E2", "59", style: 2))</row>"
            + "<row r=\"3\">\(Workbook.number("D3", "61", style: 1))\(Workbook.number("E3", "2958465", style: 1))</row>"
        let url = try Workbook.write([("Sheet1", rows)], to: folder)
        #expect(try csv(url).hasSuffix("\n,,,1900-01-01,1900-02-28,,,,,\n,,,1900-03-01,9999-12-31,,,,,\n"))
        let leap = try Workbook.write(
            [("Sheet1", Workbook.bookingsHeader + "<row r=\"2\">\(Workbook.number("D2", "60", style: 1))</row>")], to: folder)
        #expect(
            problems(leap) == [
                "bookings.xlsx!Sheet1 D2: booked_on \"60\": 1900-02-29, a day that never was (Excel counts it for compatibility with Lotus 1-2-3)"
            ])
    }

    @Test func valuesThatCannotBeReadExactlyNameTheirCell() throws {
        let rows =
            Workbook.bookingsHeader
            + "<row r=\"2\">\(Workbook.number("H2", "1234.567"))\(Workbook.number("D2", "42029.5", style: 1))</row>"
            + "<row r=\"3\">\(Workbook.number("D3", "42029"))<c r=\"H3\" t=\"e\"><v>#N/A</v></c>\(Workbook.number("G3", "0.1234567"))</row>"
        let url = try Workbook.write([("Sheet1", rows)], to: folder)
        #expect(
            problems(url) == [
                "bookings.xlsx!Sheet1 D2: booked_on \"42029.5\": a date and time of day where a date is expected",
                "bookings.xlsx!Sheet1 H2: amount \"1234.567\": has more than 2 decimals, which this column does not allow; round it in the workbook (ROUND) so that it shows what is meant",
                "bookings.xlsx!Sheet1 D3: booked_on \"42029\": a number where a date is expected: format the cell as a date (or write the date as text, 2015-07-25)",
                "bookings.xlsx!Sheet1 G3: quantity \"0.1234567\": has more than 6 decimals, which this column does not allow; round it in the workbook (ROUND) so that it shows what is meant",
                "bookings.xlsx!Sheet1 H3: amount \"#N/A\": the cell holds the Excel error #N/A",
            ])
    }

    @Test func formulasGiveTheirStoredResultAndISODateCellsTheirDate() throws {
        let rows =
            Workbook.bookingsHeader
            + "<row r=\"2\"><c r=\"D2\" t=\"d\"><v>2015-01-25T00:00:00</v></c><c r=\"H2\"><f>H3*2</f><v>24.5</v></c></row>"
        let url = try Workbook.write([("Sheet1", rows)], to: folder)
        #expect(try csv(url).hasSuffix("\n,,,2015-01-25,,,,24.5,,\n"))
        let uncalculated = Workbook.bookingsHeader + "<row r=\"2\"><c r=\"H2\"><f>SUM(H3:H9)</f></c></row>"
        let never = try Workbook.write([("Sheet1", uncalculated)], to: folder)
        #expect(
            problems(never) == [
                "bookings.xlsx!Sheet1 H2: \"=SUM(H3:H9)\": a formula whose result the workbook does not hold (it was never calculated): open and save the workbook in Excel"
            ])
    }

    @Test func theSheetIsChosenByNameAndAnUnknownNameListsTheSheets() throws {
        let first = Workbook.bookingsHeader + "<row r=\"2\">\(Workbook.text("A2", "FIRST"))</row>"
        let second = Workbook.bookingsHeader + "<row r=\"2\">\(Workbook.text("A2", "SECOND"))</row>"
        let url = try Workbook.write([("Notes", first), ("Data 2015", second)], to: folder)
        #expect(try csv(url).contains("\nFIRST,"))
        #expect(try csv(url, sheet: "Data 2015").contains("\nSECOND,"))
        #expect(problems(url, sheet: "Sheet1") == ["bookings.xlsx: no sheet named \"Sheet1\" (the workbook has: \"Notes\", \"Data 2015\")"])
    }

    @Test func aFileThatIsNoWorkbookIsAnErrorNamingIt() throws {
        let garbage = folder.appendingPathComponent("garbage.xlsx")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: garbage)
        let lines = problems(garbage)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("bookings.xlsx: not an Excel workbook (.xlsx): the file is not a readable zip package") == true)

        let whole = try Data(contentsOf: try Workbook.write([("Sheet1", Workbook.bookingsHeader)], to: folder))
        let truncated = folder.appendingPathComponent("truncated.xlsx")
        try whole.prefix(whole.count / 2).write(to: truncated)
        #expect(problems(truncated).count == 1)
        #expect(problems(truncated).first?.hasPrefix("bookings.xlsx: not an Excel workbook (.xlsx)") == true)

        let empty = folder.appendingPathComponent("empty.xlsx")
        try Data().write(to: empty)
        #expect(problems(empty).first?.hasPrefix("bookings.xlsx: not an Excel workbook (.xlsx)") == true)
    }

    @Test func aDamagedPartIsAnErrorNamingIt() throws {
        let url = try Workbook.write([("Sheet1", "<row r=\"1\"><c r=\"A1\"><v>1</v></row>")], to: folder)
        let lines = problems(url)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("bookings.xlsx: the workbook is damaged: xl/worksheets/sheet1.xml is not well-formed XML") == true)
    }

    @Test func dateFormatsAreTold() {
        #expect(ReadXML.Styles.isDateFormat("dd\\-mm\\-yyyy"))
        #expect(ReadXML.Styles.isDateFormat("[$-413]d mmmm yyyy"))
        #expect(!ReadXML.Styles.isDateFormat("#,##0.00\" days\""))
        #expect(!ReadXML.Styles.isDateFormat("[Red]#,##0.00"))
        #expect(!ReadXML.Styles.isDateFormat("General"))
        #expect(ReadXML.columnIndex("C12") == 2)
        #expect(ReadXML.columnIndex("AA1") == 26)
        #expect(ReadXML.columnLetters(26) == "AA")
        #expect(ReadXML.columnLetters(701) == "ZZ")
    }

    @Test(arguments: [
        ("1234.5", 2, "1234.5" as String?),
        ("1.2345E3", 2, "1234.5"),
        ("1.2345e+3", 2, "1234.5"),
        ("5E-2", 2, "0.05"),
        ("0.30000000000000004", 2, "0.3"),
        ("1234.5699999999999", 2, "1234.57"),
        ("-0.1", 2, "-0.1"),
        ("1234.567", 2, nil),
        ("0.125", 2, nil),
        ("1.128650", 6, "1.12865"),
        ("1E+20", 2, "100000000000000000000"),
        ("12345678901234.56", 2, "12345678901234.56"),
        ("0", 2, "0"),
    ])
    func numbersAreReadExactly(stored: String, scale: Int, expected: String?) throws {
        let number = try #require(ReadNumber(stored))
        #expect(number.value(scale: scale)?.text == expected)
    }
}
