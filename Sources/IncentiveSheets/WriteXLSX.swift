import Foundation
import IncentiveEngine
import ZIPFoundation

/// One cell of a written sheet, typed: what Excel shows is a number, a date or a text, never a number
/// written as text. Amounts are written from their integer cents, never through a floating-point value.
public enum XLSXCell: Sendable, Hashable {
    case empty
    /// Text, also for ids (`000123` stays text); never a formula, whatever it starts with. An empty text is an empty cell.
    case text(String)
    /// An amount: a number with two decimals, format `#,##0.00`.
    case money(Money)
    /// A whole number (a count, a run id).
    case integer(Int64)
    /// An exact decimal (a rate, a percent), format General.
    case decimal(ScaledDecimal)
    /// A date: its serial number with the format `yyyy-mm-dd` (text for a day before 1900-03-01, which
    /// Excel's serial numbers do not reach).
    case date(Day)
    case bool(Bool)
}

/// A column: its header and width (in characters; nil: from the longest value, at most 60).
public struct XLSXColumn: Sendable, Hashable {
    public var title: String
    public var width: Int?

    public init(_ title: String, width: Int? = nil) {
        self.title = title
        self.width = width
    }
}

/// One sheet: a bold header row, frozen, with an autofilter over the header and the rows.
public struct XLSXSheet: Sendable {
    public var name: String
    public var columns: [XLSXColumn]
    public var rows: [[XLSXCell]]

    public init(name: String, columns: [XLSXColumn], rows: [[XLSXCell]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }
}

/// A workbook of sheets written as an Office Open XML spreadsheet (.xlsx): the minimal set of parts, inline
/// strings, deflated with ZIPFoundation. The same sheets give the same bytes (entries dated 2000-01-01).
public struct XLSXWorkbook: Sendable {
    public var sheets: [XLSXSheet]

    public init(sheets: [XLSXSheet] = []) {
        self.sheets = sheets
    }

    public static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// What Excel holds at most: rows in a sheet (the header included), columns, characters in a cell.
    public static let maxRows = 1_048_576
    public static let maxColumns = 16_384
    public static let maxCellCharacters = 32_767

    /// A workbook Excel could not open: a sheet with more rows or columns than it holds.
    public struct TooLarge: Error, CustomStringConvertible {
        public var description: String
    }

    /// The .xlsx file. A workbook needs a sheet: an empty workbook gets one named `Sheet1` with no columns.
    /// Throws `TooLarge` rather than write a sheet Excel would refuse.
    public func data() throws -> Data {
        let sheets = self.sheets.isEmpty ? [XLSXSheet(name: "Sheet1", columns: [])] : self.sheets
        let names = XLSXNames.unique(sheets.map(\.name))
        for (sheet, name) in zip(sheets, names) {
            if sheet.rows.count + 1 > Self.maxRows {
                throw TooLarge(
                    description: "sheet \(name) has \(sheet.rows.count) rows; an Excel sheet holds at most \(Self.maxRows - 1) below its header")
            }
            let width = sheet.rows.reduce(sheet.columns.count) { max($0, $1.count) }
            if width > Self.maxColumns {
                throw TooLarge(description: "sheet \(name) has \(width) columns; an Excel sheet holds at most \(Self.maxColumns)")
            }
        }
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ bytes: [UInt8]) throws {
            let data = Data(bytes)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: Self.entryDate, compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", Array(Self.contentTypes(sheetCount: sheets.count).utf8))
        try add("_rels/.rels", Array(Self.rootRelationships.utf8))
        try add("xl/workbook.xml", Self.workbook(names: names, sheets: sheets))
        try add("xl/_rels/workbook.xml.rels", Array(Self.workbookRelationships(sheetCount: sheets.count).utf8))
        try add("xl/styles.xml", Array(Self.styles.utf8))
        for (index, sheet) in sheets.enumerated() {
            try add("xl/worksheets/sheet\(index + 1).xml", Self.worksheet(sheet))
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// The date of every entry, 2000-01-01 12:00 UTC, so the bytes do not depend on when they are written (a ZIP
    /// entry holds a local date from 1980 on: noon keeps it on that day in every time zone).
    static let entryDate = Date(timeIntervalSince1970: 946_728_000)

    // MARK: Parts

    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func contentTypes(sheetCount: Int) -> String {
        var text = declaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        text += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        text += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        text +=
            "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        text += "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        for index in 1...sheetCount {
            text +=
                "<Override PartName=\"/xl/worksheets/sheet\(index).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        return text + "</Types>"
    }

    static let rootRelationships =
        declaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "</Relationships>"

    static func workbookRelationships(sheetCount: Int) -> String {
        var text = declaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for index in 1...sheetCount {
            text +=
                "<Relationship Id=\"rId\(index)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index).xml\"/>"
        }
        text +=
            "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        return text + "</Relationships>"
    }

    /// The sheets, and each autofilter's range as the hidden name Excel keeps for it.
    static func workbook(names: [String], sheets: [XLSXSheet]) -> [UInt8] {
        var xml = XMLBytes()
        xml.raw(declaration + "<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\"><sheets>")
        for (index, name) in names.enumerated() {
            xml.raw("<sheet name=\"")
            xml.text(name)
            xml.raw("\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>")
        }
        xml.raw("</sheets>")
        let filtered = sheets.indices.filter { !sheets[$0].columns.isEmpty }
        if !filtered.isEmpty {
            xml.raw("<definedNames>")
            for index in filtered {
                let sheet = sheets[index]
                let last = XLSXNames.column(sheet.columns.count - 1)
                xml.raw("<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(index)\" hidden=\"1\">")
                xml.text("'\(names[index].replacingOccurrences(of: "'", with: "''"))'!$A$1:$\(last)$\(sheet.rows.count + 1)")
                xml.raw("</definedName>")
            }
            xml.raw("</definedNames>")
        }
        xml.raw("</workbook>")
        return xml.bytes
    }

    /// Cell styles (`s` of a cell): 0 General, 1 the bold header, 2 money `#,##0.00`, 3 date `yyyy-mm-dd`.
    static let styles =
        declaration + "<styleSheet xmlns=\"\(mainNamespace)\">"
        + "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"#,##0.00\"/><numFmt numFmtId=\"165\" formatCode=\"yyyy\\-mm\\-dd\"/></numFmts>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"4\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
        + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"

    /// Excel's serial number of 1970-01-01 (the serial numbers count days from 1899-12-30 from 1900-03-01 on).
    static let serialOfEpoch: Int64 = 25_569
    /// The first day whose serial number is right (Excel takes 1900 for a leap year): 1900-03-01.
    static let firstSerialDay = Day(year: 1900, month: 3, day: 1)!

    static func worksheet(_ sheet: XLSXSheet) -> [UInt8] {
        var xml = XMLBytes()
        xml.raw(declaration + "<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">")
        let columnCount = sheet.columns.count
        if columnCount > 0 {
            xml.raw("<dimension ref=\"A1:\(XLSXNames.column(columnCount - 1))\(sheet.rows.count + 1)\"/>")
            xml.raw(
                "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
                    + "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>")
        } else {
            xml.raw("<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>")
        }
        xml.raw("<sheetFormatPr defaultRowHeight=\"15\"/>")
        if columnCount > 0 {
            xml.raw("<cols>")
            for (index, column) in sheet.columns.enumerated() {
                let width = column.width ?? Self.width(of: index, in: sheet)
                xml.raw("<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>")
            }
            xml.raw("</cols>")
        }
        xml.raw("<sheetData>")
        if columnCount > 0 {
            xml.raw("<row r=\"1\">")
            for (index, column) in sheet.columns.enumerated() {
                xml.raw("<c r=\"\(XLSXNames.column(index))1\" s=\"1\" t=\"inlineStr\"><is>")
                xml.inlineText(column.title)
                xml.raw("</is></c>")
            }
            xml.raw("</row>")
        }
        // Written byte by byte (no text built per cell): a sheet of a large run has millions of cells.
        let width = max(columnCount, sheet.rows.reduce(0) { max($0, $1.count) })
        let letters = (0..<width).map { Array(XLSXNames.column($0).utf8) }
        xml.bytes.reserveCapacity(xml.bytes.count + sheet.rows.count * width * 40)
        for (rowIndex, row) in sheet.rows.enumerated() {
            let number = Int64(rowIndex + 2)
            xml.raw("<row r=\"")
            xml.integer(number)
            xml.raw("\">")
            for (index, cell) in row.enumerated() {
                switch cell {
                // An empty text is no cell: readers take an empty string cell for an empty cell anyway.
                case .empty, .text(""): continue
                case .text(let text):
                    xml.cell(letters[index], number, style: nil, type: "inlineStr")
                    xml.raw("<is>")
                    xml.inlineText(Self.fitted(text))
                    xml.raw("</is></c>")
                case .money(let amount):
                    xml.cell(letters[index], number, style: "2", type: nil)
                    xml.raw("<v>")
                    xml.money(amount)
                    xml.raw("</v></c>")
                case .integer(let value):
                    xml.cell(letters[index], number, style: nil, type: nil)
                    xml.raw("<v>")
                    xml.integer(value)
                    xml.raw("</v></c>")
                case .decimal(let value):
                    xml.cell(letters[index], number, style: nil, type: nil)
                    xml.raw("<v>\(value.text)</v></c>")
                case .bool(let value):
                    xml.cell(letters[index], number, style: nil, type: "b")
                    xml.raw(value ? "<v>1</v></c>" : "<v>0</v></c>")
                case .date(let day):
                    if day < firstSerialDay {
                        xml.cell(letters[index], number, style: nil, type: "inlineStr")
                        xml.raw("<is>")
                        xml.inlineText(day.description)
                        xml.raw("</is></c>")
                    } else {
                        xml.cell(letters[index], number, style: "3", type: nil)
                        xml.raw("<v>")
                        xml.integer(Int64(day.daysSinceEpoch) + serialOfEpoch)
                        xml.raw("</v></c>")
                    }
                }
            }
            xml.raw("</row>")
        }
        xml.raw("</sheetData>")
        if columnCount > 0 {
            xml.raw("<autoFilter ref=\"A1:\(XLSXNames.column(columnCount - 1))\(sheet.rows.count + 1)\"/>")
        }
        xml.raw("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>")
        return xml.bytes
    }

    /// `text`, or when longer than a cell holds (32,767 characters) its start and `…` in 32,767.
    static func fitted(_ text: String) -> String {
        guard text.utf16.count > maxCellCharacters else { return text }
        return XLSXNames.truncated(text, to: maxCellCharacters - 1) + "…"
    }

    /// A column's width from its header and its first 1,000 values: the longest text plus room for the
    /// filter button, between 8 and 60.
    static func width(of column: Int, in sheet: XLSXSheet) -> Int {
        var longest = sheet.columns[column].title.count + 3
        for row in sheet.rows.prefix(1000) where column < row.count {
            let length: Int
            switch row[column] {
            case .empty: length = 0
            case .text(let text): length = text.count
            case .money(let amount): length = amount.groupedText.count
            case .integer(let value): length = String(value).count
            case .decimal(let value): length = value.text.count
            case .bool: length = 5
            case .date: length = 10
            }
            longest = max(longest, length + 1)
        }
        return min(60, max(8, longest))
    }
}

/// Sheet names and column letters.
public enum XLSXNames {
    /// The letters of column `index` (0: `A`, 25: `Z`, 26: `AA`).
    public static func column(_ index: Int) -> String {
        var index = index + 1
        var letters: [Character] = []
        while index > 0 {
            let remainder = (index - 1) % 26
            letters.insert(Character(Unicode.Scalar(UInt8(65 + remainder))), at: 0)
            index = (index - 1) / 26
        }
        return String(letters)
    }

    /// A name Excel accepts: `[ ] : * ? / \` become `_`, control characters are dropped, a leading or
    /// trailing `'` is dropped, at most 31 characters (UTF-16 units, a character never cut in two); an empty
    /// name becomes `Sheet`, and `History` (reserved by Excel) `History_`.
    public static func sheetName(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if "[]:*?/\\".unicodeScalars.contains(scalar) {
                scalars.append("_")
            } else if scalar.value >= 0x20 && !(0x7F...0x9F).contains(scalar.value) && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                scalars.append(scalar)
            }
        }
        var text = String(scalars)
        while text.hasPrefix("'") { text.removeFirst() }
        while text.hasSuffix("'") { text.removeLast() }
        text = truncated(text, to: 31)
        while text.hasSuffix("'") { text.removeLast() }
        if text.isEmpty { return "Sheet" }
        if text.lowercased() == "history" { return text + "_" }
        return text
    }

    /// Every name made acceptable (`sheetName`) and unique, ignoring case as Excel does: a repeated name
    /// gets ` (2)`, ` (3)`, ..., its start cut to keep 31 characters.
    public static func unique(_ names: [String]) -> [String] {
        var taken: Set<String> = []
        var result: [String] = []
        for name in names {
            let base = sheetName(name)
            var candidate = base
            var number = 2
            while taken.contains(candidate.lowercased()) {
                let suffix = " (\(number))"
                candidate = truncated(base, to: 31 - suffix.utf16.count) + suffix
                number += 1
            }
            taken.insert(candidate.lowercased())
            result.append(candidate)
        }
        return result
    }

    /// The longest prefix of whole characters of at most `limit` UTF-16 units.
    static func truncated(_ text: String, to limit: Int) -> String {
        var count = 0
        var end = text.startIndex
        for index in text.indices {
            let length = text[index...].first.map { String($0).utf16.count } ?? 0
            if count + length > limit { break }
            count += length
            end = text.index(after: index)
        }
        return String(text[..<end])
    }
}

/// XML text built as bytes.
struct XMLBytes {
    var bytes: [UInt8] = []

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `<c r="B12"` with ` s="…"` and ` t="…"` when given, and `>`.
    mutating func cell(_ letters: [UInt8], _ row: Int64, style: StaticString?, type: StaticString?) {
        raw("<c r=\"")
        bytes.append(contentsOf: letters)
        integer(row)
        if let style {
            raw("\" s=\"")
            style.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }
        if let type {
            raw("\" t=\"")
            type.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }
        raw("\">")
    }

    /// The decimal digits of `value`, with `-` when negative.
    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(value.magnitude, minimum: 1)
    }

    /// `value`'s digits, at least `minimum` of them (leading zeros).
    mutating func digits(_ value: UInt64, minimum: Int) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of a UInt64
        withUnsafeMutableBytes(of: &scratch) { buffer in
            var value = value
            var end = buffer.count
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0 || buffer.count - end < minimum
            bytes.append(contentsOf: buffer[end...])
        }
    }

    /// An amount from its cents, exactly: `1234.56`, `-0.05`.
    mutating func money(_ amount: Money) {
        if amount.cents < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = amount.cents.magnitude
        digits(magnitude / 100, minimum: 1)
        bytes.append(UInt8(ascii: "."))
        digits(magnitude % 100, minimum: 2)
    }

    /// The text of an `<is>` element: `<t>`, with `xml:space="preserve"` when it starts or ends with white space.
    mutating func inlineText(_ text: String) {
        let preserve = text.first.map(\.isWhitespace) == true || text.last.map(\.isWhitespace) == true
        raw(preserve ? "<t xml:space=\"preserve\">" : "<t>")
        self.text(text)
        raw("</t>")
    }

    /// `text` escaped for XML text or an attribute value (`XLSXText.escaped`).
    mutating func text(_ text: String) { XLSXText.append(text, to: &bytes) }
}

/// How text is escaped in the written XML.
public enum XLSXText {
    /// `text` as XML character data, valid in an element or an attribute: `&`, `<`, `>`, `"` and `'` as
    /// entities; the characters XML 1.0 does not allow (the control characters other than tab, line feed and
    /// carriage return, U+FFFE, U+FFFF) replaced by the escape OOXML defines for them, `_xHHHH_`, which Excel
    /// turns back into the character; and an `_` that starts a text looking like such an escape is itself
    /// escaped (`_x005F_`), so that text is shown as written. Carriage returns are written as `&#13;` (an
    /// XML parser would otherwise turn a CR LF into a line feed).
    public static func escaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func append(_ text: String, to bytes: inout [UInt8]) {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": bytes.append(contentsOf: "&amp;".utf8)
            case "<": bytes.append(contentsOf: "&lt;".utf8)
            case ">": bytes.append(contentsOf: "&gt;".utf8)
            case "\"": bytes.append(contentsOf: "&quot;".utf8)
            case "'": bytes.append(contentsOf: "&apos;".utf8)
            case "\r": bytes.append(contentsOf: "&#13;".utf8)
            case "\t", "\n": bytes.append(UInt8(scalar.value))
            case "_" where looksLikeEscape(scalars, at: index): bytes.append(contentsOf: "_x005F_".utf8)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    bytes.append(contentsOf: hexEscape(scalar.value).utf8)
                } else {
                    bytes.append(contentsOf: String(scalar).utf8)
                }
            }
        }
    }

    /// `_xHHHH_`, four hex digits, upper case.
    static func hexEscape(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "_x" + String(repeating: "0", count: 4 - digits.count) + digits + "_"
    }

    /// Whether `_xHHHH_` starts at `index`.
    static func looksLikeEscape(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index + 1] == "x" || scalars[index + 1] == "X", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)...(index + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
