import Foundation
import IncentiveEngine

/// How the CSV files of a command are read: their dialect found per file (`auto`), or forced for every file.
public enum ReadDialectChoice: String, Sendable, CaseIterable {
    case auto
    /// formats.md §1 exactly: every file goes to the standard reader untouched.
    case standard
    /// Excel in a Dutch (or other continental) locale: `;` fields, decimal comma with `.` between thousands,
    /// `dd-mm-yyyy` dates; Windows-1252 or UTF-8.
    case excelNL = "excel-nl"
}

/// The conventions a CSV file was found (or told) to follow.
public struct ReadConventions: Sendable, Hashable, CustomStringConvertible {
    public enum DecimalMark: Sendable, Hashable {
        /// `1234.50`, thousands (if any) separated by `,`.
        case point
        /// `1.234,50`: Excel's way in the Netherlands, Germany, France ...
        case comma
    }

    public enum DateOrder: Sendable, Hashable {
        /// `2015-07-25`
        case iso
        /// `25-07-2015` (also `25-7-2015`, `25/07/2015`, `25.07.2015`).
        case dayFirst
    }

    public enum Encoding: Sendable, Hashable {
        /// Only ASCII bytes: the same text in every encoding Excel writes.
        case ascii
        case utf8, utf8WithBOM, windows1252
    }

    /// The field separator (`;` for every file this type describes).
    public var separator: UInt8
    /// `nil`: the file has no value that shows it (then none needs it).
    public var decimalMark: DecimalMark?
    public var dateOrder: DateOrder?
    public var encoding: Encoding

    public init(separator: UInt8, decimalMark: DecimalMark?, dateOrder: DateOrder?, encoding: Encoding) {
        self.separator = separator
        self.decimalMark = decimalMark
        self.dateOrder = dateOrder
        self.encoding = encoding
    }

    /// `Excel (nl): ';' fields, decimal comma, dd-mm-yyyy, Windows-1252`
    public var description: String {
        let dutch = decimalMark != .point && dateOrder != .iso
        var parts = ["'\(Character(Unicode.Scalar(separator)))' fields"]
        switch decimalMark {
        case .comma: parts.append("decimal comma")
        case .point: parts.append("decimal point")
        case nil: break
        }
        switch dateOrder {
        case .dayFirst: parts.append("dd-mm-yyyy")
        case .iso: parts.append("yyyy-mm-dd")
        case nil: break
        }
        switch encoding {
        case .ascii: break
        case .utf8: parts.append("UTF-8")
        case .utf8WithBOM: parts.append("UTF-8 with BOM")
        case .windows1252: parts.append("Windows-1252")
        }
        return (dutch ? "Excel (nl): " : "Excel: ") + parts.joined(separator: ", ")
    }
}

/// A spreadsheet's CSV file turned into the standard dialect (formats.md §1), one output line per input line,
/// so that every `file:line` the standard readers report is the user's line.
public struct ReadConverted: Sendable {
    public var conventions: ReadConventions
    /// The file in the standard dialect (UTF-8, `,` fields, decimal point, ISO dates).
    public var bytes: [UInt8]
}

/// Reads Excel's CSV dialects (issue 18 point 1).
public enum ReadDialect {
    /// The header is looked for in this many first bytes of a file.
    static let headerWindow = 1 << 16

    /// The file at `path` converted to the standard dialect, or `nil` when it already is standard (then only
    /// its first bytes are read: a standard file costs nothing more).
    /// - Parameters:
    ///   - file: the name messages give the file (as the user named it).
    ///   - fileName: the dataset file it is (`bookings.csv`), which says which columns hold amounts and dates.
    public static func read(path: String, file: String, fileName: String, choice: ReadDialectChoice) throws(DiagnosticReport) -> ReadConverted? {
        if choice == .standard { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot open file"))
        }
        defer { try? handle.close() }
        if choice == .auto {
            let start = (try? handle.read(upToCount: headerWindow)) ?? Data()
            guard isContinental(header: [UInt8](start)) else { return nil }
            try? handle.seek(toOffset: 0)
        }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot read file (\(error.localizedDescription))"))
        }
        return try convert(bytes: [UInt8](data), file: file, fileName: fileName, choice: choice)
    }

    /// Whether the first line of `bytes` separates its fields with `;` and never with `,`.
    public static func isContinental(header bytes: [UInt8]) -> Bool {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return false }  // UTF-16: the standard reader says what to do
        var semicolons = 0
        var inQuotes = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == UInt8(ascii: "\n") { break }
                if byte == UInt8(ascii: ",") { return false }
                if byte == UInt8(ascii: ";") { semicolons += 1 }
            }
        }
        return semicolons > 0
    }

    /// `bytes` (a whole file) converted to the standard dialect; `nil` with `choice` `.standard`.
    public static func convert(bytes: [UInt8], file: String, fileName: String, choice: ReadDialectChoice) throws(DiagnosticReport) -> ReadConverted? {
        if choice == .standard { return nil }
        let (text, encoding) = decode(bytes)
        let separator = UInt8(ascii: ";")
        var conventions = ReadConventions(separator: separator, decimalMark: nil, dateOrder: nil, encoding: encoding)
        var collector = DiagnosticCollector()
        // The header is the first record that is not a blank line.
        var header: (line: Int, names: [String], kinds: [ReadColumnKind])?
        func columns(_ record: ReadRecords.Record) -> (line: Int, names: [String], kinds: [ReadColumnKind]) {
            let names = record.fields.map { String(decoding: ReadRecords.trimmed($0), as: UTF8.self) }
            return (record.line, names, names.map { ReadColumns.kind(of: $0, in: fileName) })
        }
        if choice == .excelNL {
            conventions.decimalMark = .comma
            conventions.dateOrder = .dayFirst
        } else {
            var detector = Detector()
            ReadRecords.forEach(text, separator: separator, file: file, collector: &collector) { record in
                guard !record.fields.isEmpty else { return }
                guard let header else {
                    header = columns(record)
                    return
                }
                detector.look(at: record, names: header.names, kinds: header.kinds)
            }
            if collector.hasErrors { throw DiagnosticReport(collector) }
            detector.decide(file: file, conventions: &conventions, collector: &collector)
            if collector.hasErrors { throw DiagnosticReport(collector) }
            header = nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count + text.count / 8)
        var valueProblems = DiagnosticCollector()
        ReadRecords.forEach(text, separator: separator, file: file, collector: &collector) { record in
            if !record.fields.isEmpty {
                if let header {
                    for index in record.fields.indices where index < header.kinds.count && header.kinds[index] != .text {
                        if let value = ReadValues.convert(
                            ReadRecords.trimmed(record.fields[index]), kind: header.kinds[index], conventions: conventions, file: file,
                            line: record.line, column: header.names[index], collector: &valueProblems)
                        {
                            record.fields[index] = value
                        }
                    }
                } else {
                    header = columns(record)
                }
            }
            record.write(to: &output)
        }
        collector.merge(valueProblems)
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return ReadConverted(conventions: conventions, bytes: output)
    }

    /// The file's text as UTF-8 (BOM removed) and the encoding it was in: UTF-8 when valid, else Windows-1252.
    static func decode(_ bytes: [UInt8]) -> ([UInt8], ReadConventions.Encoding) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (Array(bytes.dropFirst(3)), .utf8WithBOM) }
        if !bytes.contains(where: { $0 >= 0x80 }) { return (bytes, .ascii) }
        if String(validating: bytes, as: UTF8.self) != nil { return (bytes, .utf8) }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + bytes.count / 16)
        for byte in bytes {
            if byte < 0x80 {
                text.append(byte)
            } else {
                let scalar = windows1252[Int(byte) - 0x80]
                text.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            }
        }
        return (text, .windows1252)
    }

    /// Windows-1252 from 0x80 on; its five undefined bytes map to the C1 controls, as Windows maps them.
    static let windows1252: [UInt32] =
        [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
            0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
        ] + (0xA0...0xFF).map { UInt32($0) }

    /// Where a convention was first seen: for the message about a value that contradicts it.
    struct Sighting {
        var line: Int
        var column: String
        var value: String
    }

    /// Finds a file's decimal mark and date order from its values, record by record; a file that mixes them,
    /// or whose numbers could be read either way with nothing to tell which, is an error naming the first such line.
    struct Detector {
        var mark: (ReadConventions.DecimalMark, Sighting)?
        var order: (ReadConventions.DateOrder, Sighting)?
        /// The first number that reads either way (`1.234`).
        var ambiguous: Sighting?
        /// The first value that contradicts what an earlier one showed, and the message about it.
        var conflict: (Sighting, String)?

        mutating func look(at record: ReadRecords.Record, names: [String], kinds: [ReadColumnKind]) {
            guard conflict == nil else { return }
            for (index, field) in record.fields.enumerated() where index < kinds.count && kinds[index] != .text {
                let value = ReadRecords.trimmed(field)
                // Made only when kept: most values show what an earlier one showed.
                var here: Sighting { Sighting(line: record.line, column: names[index], value: String(decoding: value, as: UTF8.self)) }
                switch kinds[index] {
                case .decimal:
                    switch ReadValues.decimalEvidence(value) {
                    case .shows(let seen):
                        if let (first, at) = mark, first != seen {
                            conflict = (
                                here,
                                "has \(ReadDialect.name(seen)), but line \(at.line) (\(at.column) \"\(at.value)\") has \(ReadDialect.name(first)): the file mixes conventions; write every number one way"
                            )
                            return
                        }
                        if mark == nil { mark = (seen, here) }
                    case .either:
                        if ambiguous == nil { ambiguous = here }
                    case .nothing: break
                    }
                case .date:
                    guard let seen = ReadValues.dateEvidence(value) else { continue }
                    if let (first, at) = order, first != seen {
                        conflict = (
                            here,
                            "a \(ReadDialect.name(seen)) date, but line \(at.line) (\(at.column) \"\(at.value)\") has a \(ReadDialect.name(first)) date: the file mixes conventions; write every date one way"
                        )
                        return
                    }
                    if order == nil { order = (seen, here) }
                case .text, .boolean: break
                }
            }
        }

        func decide(file: String, conventions: inout ReadConventions, collector: inout DiagnosticCollector) {
            if let (at, message) = conflict {
                collector.error(file: file, line: at.line, column: at.column, value: at.value, message)
                return
            }
            if mark == nil, let at = ambiguous {
                collector.error(
                    file: file, line: at.line, column: at.column, value: at.value,
                    "cannot tell whether the separator is a decimal mark or separates thousands, and no other number in the file shows it: write it as 1234 or 1.234,00 (or give --dialect excel-nl, where '.' separates thousands)"
                )
                return
            }
            conventions.decimalMark = mark?.0
            conventions.dateOrder = order?.0
        }
    }

    static func name(_ mark: ReadConventions.DecimalMark) -> String {
        mark == .comma ? "a decimal comma" : "a decimal point"
    }

    static func name(_ order: ReadConventions.DateOrder) -> String {
        order == .iso ? "yyyy-mm-dd" : "dd-mm-yyyy"
    }
}
