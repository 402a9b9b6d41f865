import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveSheets

/// The workbook writer: XML escaping, sheet names, column letters, exact numbers, and a workbook read back by
/// an independent reader (openpyxl, through scripts/xlsx_check.py).
@Suite struct WriteXLSXTests {
    @Test func escapesXMLTextAndAttributes() {
        #expect(XLSXText.escaped("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
        #expect(XLSXText.escaped("tab\tline\nend") == "tab\tline\nend")
        #expect(XLSXText.escaped("cr\r") == "cr&#13;")
        #expect(XLSXText.escaped("Zoë 東京 🚀") == "Zoë 東京 🚀")
    }

    @Test func replacesCharactersXMLDoesNotAllowByTheirOOXMLEscape() {
        #expect(XLSXText.escaped("a\u{0}b") == "a_x0000_b")
        #expect(XLSXText.escaped("bell\u{7}") == "bell_x0007_")
        #expect(XLSXText.escaped("\u{1B}[31m") == "_x001B_[31m")
        #expect(XLSXText.escaped("x\u{FFFE}y\u{FFFF}") == "x_xFFFE_y_xFFFF_")
        // Text that looks like such an escape keeps its own underscore, so it is shown as written.
        #expect(XLSXText.escaped("_x0041_") == "_x005F_x0041_")
        #expect(XLSXText.escaped("a_x12_b _xZZZZ_") == "a_x12_b _xZZZZ_")
    }

    @Test func columnLetters() {
        #expect(XLSXNames.column(0) == "A")
        #expect(XLSXNames.column(25) == "Z")
        #expect(XLSXNames.column(26) == "AA")
        #expect(XLSXNames.column(51) == "AZ")
        #expect(XLSXNames.column(701) == "ZZ")
        #expect(XLSXNames.column(702) == "AAA")
    }

    @Test func sheetNamesExcelAccepts() {
        #expect(XLSXNames.sheetName("a[b]c:d*e?f/g\\h") == "a_b_c_d_e_f_g_h")
        #expect(XLSXNames.sheetName("") == "Sheet")
        #expect(XLSXNames.sheetName("''") == "Sheet")
        #expect(XLSXNames.sheetName("'quoted'") == "quoted")
        #expect(XLSXNames.sheetName("tab\there") == "tabhere")
        #expect(XLSXNames.sheetName("history") == "history_")
        let long = String(repeating: "x", count: 40)
        #expect(XLSXNames.sheetName(long) == String(repeating: "x", count: 31))
        // 30 letters and an emoji (two UTF-16 units): the emoji would make 32 and is left out whole.
        #expect(XLSXNames.sheetName(String(repeating: "y", count: 30) + "🚀") == String(repeating: "y", count: 30))
    }

    @Test func sheetNamesAreUniqueIgnoringCase() {
        #expect(XLSXNames.unique(["Summary", "summary", "SUMMARY", "Other"]) == ["Summary", "summary (2)", "SUMMARY (3)", "Other"])
        let long = String(repeating: "P", count: 35)
        let names = XLSXNames.unique([long, long])
        #expect(names[0] == String(repeating: "P", count: 31))
        #expect(names[1] == String(repeating: "P", count: 27) + " (2)")
        #expect(names[1].count == 31)
        #expect(XLSXNames.unique(["a/b", "a:b"]) == ["a_b", "a_b (2)"])
    }

    @Test func numbersAreWrittenExactlyFromCents() {
        let sheet = XLSXSheet(
            name: "N", columns: [XLSXColumn("Amount")],
            rows: [
                [.money(Money(cents: 123_456))], [.money(Money(cents: -1))], [.money(Money(cents: 9_007_199_254_740_993))],
                [.money(Money(cents: Int64.min))], [.decimal(ScaledDecimal(units: 12_345, scale: 4))], [.integer(-42)],
            ])
        let xml = String(decoding: XLSXWorkbook.worksheet(sheet), as: UTF8.self)
        #expect(xml.contains("<c r=\"A2\" s=\"2\"><v>1234.56</v></c>"))
        #expect(xml.contains("<c r=\"A3\" s=\"2\"><v>-0.01</v></c>"))
        #expect(xml.contains("<c r=\"A4\" s=\"2\"><v>90071992547409.93</v></c>"))
        #expect(xml.contains("<c r=\"A5\" s=\"2\"><v>-92233720368547758.08</v></c>"))
        #expect(xml.contains("<c r=\"A6\"><v>1.2345</v></c>"))
        #expect(xml.contains("<c r=\"A7\"><v>-42</v></c>"))
        #expect(xml.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(xml.contains("<autoFilter ref=\"A1:A7\"/>"))
    }

    @Test func datesAreSerialNumbers() {
        // Serial numbers known from Excel: 1970-01-01 is 25569, 2023-01-01 is 44927, 1900-03-01 is 61.
        let days = [Day(year: 1970, month: 1, day: 1)!, Day(year: 2023, month: 1, day: 1)!, Day(year: 1900, month: 3, day: 1)!]
        let sheet = XLSXSheet(
            name: "D", columns: [XLSXColumn("Day")], rows: days.map { [.date($0)] } + [[.date(Day(year: 1900, month: 2, day: 28)!)]])
        let xml = String(decoding: XLSXWorkbook.worksheet(sheet), as: UTF8.self)
        #expect(xml.contains("<c r=\"A2\" s=\"3\"><v>25569</v></c>"))
        #expect(xml.contains("<c r=\"A3\" s=\"3\"><v>44927</v></c>"))
        #expect(xml.contains("<c r=\"A4\" s=\"3\"><v>61</v></c>"))
        // Before 1900-03-01 Excel's serial numbers are wrong (it takes 1900 for a leap year): the day is text.
        #expect(xml.contains("<c r=\"A5\" t=\"inlineStr\"><is><t>1900-02-28</t></is></c>"))
    }

    @Test func aTextLongerThanACellHoldsIsCut() {
        let long = String(repeating: "a", count: 40_000)
        let fitted = XLSXWorkbook.fitted(long)
        #expect(fitted.utf16.count == 32_767)
        #expect(fitted == String(repeating: "a", count: 32_766) + "…")
        #expect(XLSXWorkbook.fitted("short") == "short")
        #expect(XLSXWorkbook.fitted(String(repeating: "b", count: 32_767)).count == 32_767)
    }

    @Test func aSheetExcelCannotHoldIsRefused() throws {
        let wide = XLSXWorkbook(sheets: [XLSXSheet(name: "Wide", columns: (0...16_384).map { XLSXColumn("c\($0)") })])
        #expect(throws: XLSXWorkbook.TooLarge.self) { try wide.data() }
        let tall = XLSXWorkbook(sheets: [XLSXSheet(name: "Tall", columns: [XLSXColumn("x")], rows: Array(repeating: [.empty], count: 1_048_576))])
        let error = #expect(throws: XLSXWorkbook.TooLarge.self) { try tall.data() }
        #expect(error?.description == "sheet Tall has 1048576 rows; an Excel sheet holds at most 1048575 below its header")
    }

    @Test func sameSheetsSameBytes() throws {
        let book = XLSXWorkbook(sheets: [XLSXSheet(name: "A", columns: [XLSXColumn("x")], rows: [[.integer(1)]])])
        #expect(try book.data() == book.data())
    }

    /// Every cell read back by openpyxl with its type and format, the edge cases of text included.
    @Test func independentReaderReadsEveryCell() throws {
        let texts = [
            "000123", "a&b<c>\"'", "bell\u{7}", "_x0041_", "  spaced  ", "line\nbreak", "cr\r\nlf", "Zoë 東京 🚀", "=1+2", "",
        ]
        var rows: [[XLSXCell]] = texts.map { [.text($0), .empty, .empty, .empty, .empty] }
        rows.append([
            .text("numbers"), .money(Money(cents: 123_456)), .date(Day(year: 2023, month: 7, day: 31)!), .bool(true),
            .decimal(ScaledDecimal(units: 15_000, scale: 4)),
        ])
        rows.append([.text("negative"), .money(Money(cents: -5)), .date(Day(year: 1900, month: 3, day: 1)!), .bool(false), .integer(7)])
        let book = XLSXWorkbook(sheets: [
            XLSXSheet(name: "Edge: cases?", columns: ["Text", "Paid (USD)", "Day", "Flag", "Rate"].map { XLSXColumn($0) }, rows: rows),
            XLSXSheet(name: "edge_ cases_", columns: [XLSXColumn("Only")]),
        ])
        let dump = try XLSXCheck.read(book.data())
        let sheets = try #require(dump["sheets"] as? [[String: Any]])
        #expect(sheets.map { $0["name"] as? String } == ["Edge_ cases_", "edge_ cases_ (2)"])
        let first = sheets[0]
        #expect(first["freeze"] as? String == "A2")
        #expect(first["filter"] as? String == "A1:E13")
        #expect(first["header_bold"] as? Bool == true)
        let cells = try #require(first["rows"] as? [[Any]])
        #expect(cells.count == 13)
        #expect(XLSXCheck.values(cells[0]) == ["s:Text", "s:Paid (USD)", "s:Day", "s:Flag", "s:Rate"])
        for (index, text) in texts.enumerated() {
            let cell = XLSXCheck.value(cells[index + 1][0])
            // An empty text is an empty cell to the reader.
            #expect(cell == (text.isEmpty ? "" : "s:" + text), "row \(index + 2)")
        }
        #expect(XLSXCheck.values(cells[11]) == ["s:numbers", "n:1234.56", "d:2023-07-31", "b:true", "n:1.5"])
        #expect(XLSXCheck.values(cells[12]) == ["s:negative", "n:-0.05", "d:1900-03-01", "b:false", "n:7"])
        #expect(XLSXCheck.format(cells[11][1]) == "#,##0.00")
        #expect(XLSXCheck.format(cells[11][2]) == "yyyy\\-mm\\-dd")
        let second = sheets[1]
        #expect(second["filter"] as? String == "A1:A1")
        #expect((second["rows"] as? [[Any]])?.count == 1)
    }
}

/// Runs scripts/xlsx_check.py (openpyxl) on a workbook and reads its JSON.
enum XLSXCheck {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ data: Data) throws -> [String: Any] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("book.xlsx")
        try data.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/xlsx_check.py").path, file.path]
        let out = folder.appendingPathComponent("out.json")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        try #require(process.terminationStatus == 0, "scripts/xlsx_check.py failed; it needs python3 with openpyxl (python3 -m pip install openpyxl)")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
    }

    /// `t:v` of a cell (`""` for an empty one).
    static func value(_ cell: Any) -> String {
        guard let cell = cell as? [String: Any], let type = cell["t"] as? String else { return "" }
        if let flag = cell["v"] as? Bool, type == "b" { return "b:\(flag)" }
        return "\(type):\(cell["v"] as? String ?? "?")"
    }

    static func values(_ row: [Any]) -> [String] { row.map(value) }

    static func format(_ cell: Any) -> String? { (cell as? [String: Any])?["f"] as? String }
}
