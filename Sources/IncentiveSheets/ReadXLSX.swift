import Foundation
import IncentiveEngine
import ZIPFoundation

/// A worksheet of an .xlsx file turned into the standard CSV dialect, with what it takes to name its cells in
/// messages: the standard readers report a line and a column name, which `cell(line:column:)` turns into `C12`.
public struct ReadSheet: Sendable {
    /// The sheet's name (`Sheet1`).
    public var name: String
    /// The sheets of the workbook, in order.
    public var sheetNames: [String]
    /// The sheet as a standard CSV file (UTF-8, `,` fields, decimal point, ISO dates).
    public var bytes: [UInt8]
    /// The sheet row of each CSV line that starts a record (index = line - 1).
    var rowOfLine: [Int]
    /// The column letters of each header name (the first column of a name).
    var lettersOfColumn: [String: String]

    /// `C12` for a problem on CSV line `line` in column `column`; `row 12` when the column is not known.
    public func cell(line: Int, column: String?) -> String {
        let row = line >= 1 && line <= rowOfLine.count ? rowOfLine[line - 1] : line
        if let column, let letters = lettersOfColumn[column] { return "\(letters)\(row)" }
        return "row \(row)"
    }
}

/// Reads .xlsx workbooks (issue 18 point 2): ZIPFoundation for the package, Foundation's streaming XML parser
/// for its parts.
public enum ReadXLSX {
    /// The days from 1970-01-01 to the day before serial 1 of each date system.
    static let epoch1900 = Day(year: 1899, month: 12, day: 30)!.daysSinceEpoch
    static let epoch1904 = Day(year: 1904, month: 1, day: 1)!.daysSinceEpoch

    /// `name` (e.g. `bookings.xlsx`) with its sheet, as messages name it: `bookings.xlsx!Sheet1`.
    public static func sheetFile(_ file: String, sheet: String) -> String { "\(file)!\(sheet)" }

    /// The sheet `sheet` (default: the first) of the workbook at `path` as a standard CSV file.
    /// - Parameters:
    ///   - file: the workbook as messages name it (as the user named it).
    ///   - fileName: the dataset file it stands for (`bookings.csv`), which says which columns hold amounts and dates.
    /// - Throws: a report naming the file for anything that is not a readable workbook, and the cell
    ///   (`bookings.xlsx!Sheet1 C12`) for each value that cannot be read exactly.
    public static func read(path: String, file: String, fileName: String, sheet: String?) throws(DiagnosticReport) -> ReadSheet {
        func fail(_ message: String) -> DiagnosticReport { DiagnosticReport(Diagnostic(file: file, line: nil, message: message)) }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw fail("not an Excel workbook (.xlsx): the file is not a readable zip package (\(error))")
        }
        func part(_ name: String, required: Bool = true) throws(DiagnosticReport) -> Data? {
            guard let entry = archive[name] else {
                if required { throw fail("not an Excel workbook (.xlsx): the package has no \(name)") }
                return nil
            }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            } catch {
                throw fail("the workbook is damaged: \(name) cannot be read (\(error))")
            }
            return data
        }
        func parse(_ name: String, _ data: Data, _ handler: ReadXML.Handler) throws(DiagnosticReport) {
            do {
                try ReadXML.parse(data, handler)
            } catch {
                throw fail("the workbook is damaged: \(name) is \(error.message)")
            }
        }
        let workbook = ReadXML.Workbook()
        try parse("xl/workbook.xml", try part("xl/workbook.xml")!, workbook)
        let names = workbook.sheets.map(\.name)
        guard !workbook.sheets.isEmpty else { throw fail("the workbook has no sheets") }
        let chosen: (name: String, relationship: String)
        if let sheet {
            guard
                let found = workbook.sheets.first(where: { $0.name == sheet })
                    ?? workbook.sheets.first(where: { $0.name.lowercased() == sheet.lowercased() })
            else {
                throw fail("no sheet named \"\(sheet)\" (the workbook has: \(names.map { "\"\($0)\"" }.joined(separator: ", ")))")
            }
            chosen = found
        } else {
            chosen = workbook.sheets[0]
        }
        let relationships = ReadXML.Relationships()
        try parse("xl/_rels/workbook.xml.rels", try part("xl/_rels/workbook.xml.rels")!, relationships)
        guard let target = relationships.targets[chosen.relationship] else {
            throw fail("the workbook is damaged: sheet \"\(chosen.name)\" has no part (relationship \(chosen.relationship))")
        }
        let sheetPart = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        let shared = ReadXML.SharedStrings()
        if let data = try part("xl/sharedStrings.xml", required: false) { try parse("xl/sharedStrings.xml", data, shared) }
        let styles = ReadXML.Styles()
        if let data = try part("xl/styles.xml", required: false) { try parse("xl/styles.xml", data, styles) }
        let worksheet = ReadXML.Worksheet(sharedStrings: shared.strings)
        try parse(sheetPart, try part(sheetPart)!, worksheet)
        let shown = sheetFile(file, sheet: chosen.name)
        if let bad = worksheet.badReference {
            throw DiagnosticReport(
                Diagnostic(file: "\(shown) \(bad.cell)", line: nil, value: bad.index, message: "the workbook is damaged: no such shared string"))
        }
        if !worksheet.formulasWithoutResult.isEmpty {
            var collector = DiagnosticCollector()
            for (cell, formula) in worksheet.formulasWithoutResult {
                collector.add(
                    Diagnostic(
                        file: "\(shown) \(cell)", line: nil, value: "=" + formula,
                        message: "a formula whose result the workbook does not hold (it was never calculated): open and save the workbook in Excel"))
            }
            throw DiagnosticReport(collector)
        }
        var sheet = ReadSheet(name: chosen.name, sheetNames: names, bytes: [], rowOfLine: [], lettersOfColumn: [:])
        try convert(worksheet.rows, into: &sheet, file: shown, fileName: fileName, styles: styles, uses1904: workbook.uses1904)
        return sheet
    }

    /// Writes the rows as CSV: the first row with a value is the header; each later row one record.
    static func convert(
        _ rows: [(number: Int, cells: [Int: ReadXML.Cell])], into sheet: inout ReadSheet, file: String, fileName: String, styles: ReadXML.Styles,
        uses1904: Bool
    ) throws(DiagnosticReport) {
        var collector = DiagnosticCollector()
        var names: [String] = []
        var kinds: [ReadColumnKind] = []
        var headerSeen = false
        var line = 1
        for row in rows where !row.cells.isEmpty {
            let last = row.cells.keys.max()!
            var fields: [[UInt8]] = []
            if !headerSeen {
                headerSeen = true
                for column in 0...last {
                    let name: String
                    switch row.cells[column] {
                    case .text(let text): name = text.trimmingCharacters(in: .whitespaces)
                    case .number(let value, _): name = value
                    case .boolean(let value): name = value ? "true" : "false"
                    case .error(let value): name = value
                    case nil: name = ""
                    }
                    names.append(name)
                    kinds.append(ReadColumns.kind(of: name, in: fileName))
                    if !name.isEmpty && sheet.lettersOfColumn[name] == nil { sheet.lettersOfColumn[name] = ReadXML.columnLetters(column) }
                    fields.append(Array(name.utf8))
                }
            } else {
                for column in 0...max(last, names.count - 1) {
                    guard let cell = row.cells[column] else {
                        fields.append([])
                        continue
                    }
                    let kind = column < kinds.count ? kinds[column] : .text
                    let name = column < names.count ? names[column] : ""
                    let where_ = "\(file) \(ReadXML.columnLetters(column))\(row.number)"
                    let text = value(cell, kind: kind, styles: styles, uses1904: uses1904) { value, message in
                        collector.add(Diagnostic(file: where_, line: nil, column: name.isEmpty ? nil : name, value: value, message: message))
                    }
                    fields.append(Array(text.utf8))
                }
            }
            let record = ReadRecords.Record(line: line, fields: fields, quoted: fields.map { _ in false })
            record.write(to: &sheet.bytes)
            sheet.rowOfLine.append(row.number)
            // A value with line breaks takes more than one CSV line: those lines start no record.
            let breaks = fields.reduce(0) { $0 + $1.filter { $0 == UInt8(ascii: "\n") }.count }
            for _ in 0..<breaks { sheet.rowOfLine.append(row.number) }
            line += 1 + breaks
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
    }

    /// A cell's value as the standard dialect writes it for a column of `kind`; problems go to `problem`
    /// (the stored value and the message), and then the value is empty.
    static func value(
        _ cell: ReadXML.Cell, kind: ReadColumnKind, styles: ReadXML.Styles, uses1904: Bool, problem: (String, String) -> Void
    ) -> String {
        switch cell {
        case .text(let text):
            guard kind == .date else { return text }
            let trimmed = Array(text.trimmingCharacters(in: .whitespaces).utf8)[...]
            if let (day, month, year) = ReadValues.dayFirst(trimmed) {
                guard let date = Day(year: year, month: month, day: day) else {
                    problem(text, "not a real calendar date (read as dd-mm-yyyy)")
                    return ""
                }
                return date.description
            }
            return text
        case .boolean(let value):
            return value ? "true" : "false"
        case .error(let value):
            problem(value, "the cell holds the Excel error \(value)")
            return ""
        case .number(let stored, let style):
            guard let number = ReadNumber(stored) else {
                problem(stored, "the workbook is damaged: the cell's number cannot be read")
                return ""
            }
            let isDate = styles.isDate(style: style)
            switch kind {
            case .date:
                guard isDate else {
                    problem(stored, "a number where a date is expected: format the cell as a date (or write the date as text, 2015-07-25)")
                    return ""
                }
                return date(number, stored: stored, uses1904: uses1904, problem: problem)
            case .decimal(let scale):
                guard let exact = number.value(scale: scale) else {
                    problem(
                        stored,
                        "has more than \(scale) decimals, which this column does not allow; round it in the workbook (ROUND) so that it shows what is meant"
                    )
                    return ""
                }
                return exact.text
            case .boolean:
                return number.text
            case .text:
                if isDate { return date(number, stored: stored, uses1904: uses1904, problem: problem) }
                return number.rounded(toSignificant: ReadNumber.excelDigits).text
            }
        }
    }

    /// The date of a serial number in the workbook's date system (1900: 1 is 1900-01-01, and 60 the
    /// 29 February 1900 Excel counts although it never was; 1904: 0 is 1904-01-01).
    static func date(_ number: ReadNumber, stored: String, uses1904: Bool, problem: (String, String) -> Void) -> String {
        guard let serial = number.integer else {
            problem(stored, "a date and time of day where a date is expected")
            return ""
        }
        var days: Int
        if uses1904 {
            guard serial >= 0 else {
                problem(stored, "not a date (before 1904-01-01, where the workbook's dates begin)")
                return ""
            }
            days = Int(epoch1904) + serial
        } else {
            guard serial >= 1 else {
                problem(stored, "not a date (before 1900-01-01, where the workbook's dates begin)")
                return ""
            }
            guard serial != 60 else {
                problem(stored, "1900-02-29, a day that never was (Excel counts it for compatibility with Lotus 1-2-3)")
                return ""
            }
            days = Int(epoch1900) + serial + (serial < 60 ? 1 : 0)
        }
        guard days <= 2_932_896 else {  // 9999-12-31
            problem(stored, "not a date (after 9999-12-31)")
            return ""
        }
        return Day(daysSinceEpoch: Int32(days)).description
    }
}
