import Foundation

/// One small CSV file being read: its columns by name and typed accessors that report problems.
final class Table {
    let reader: CSVReader
    var file: String { reader.file }
    private let columns: [String: Int]
    private let expectedFields: Int
    /// Records that could not be read at all (syntax, field count): their values are unknown.
    private(set) var unreadableRows = 0

    convenience init?(path: String, displayName: String? = nil, required: [String], optional: [String], collector: inout DiagnosticCollector) {
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, displayName: displayName)
        } catch {
            collector.merge(error.collector)
            return nil
        }
        self.init(reader: reader, required: required, optional: optional, collector: &collector)
    }

    /// A table read by `reader` (a file, or bytes such as a quote pasted into a form).
    init?(reader: CSVReader, required: [String], optional: [String], collector: inout DiagnosticCollector) {
        self.reader = reader
        expectedFields = reader.header.count
        var columns: [String: Int] = [:]
        var missing = false
        for name in required {
            guard let index = reader.column(name) else {
                collector.error(
                    file: reader.file, line: 1, column: name, "missing required column (the header has: \(reader.headerSummary))")
                missing = true
                continue
            }
            columns[name] = index
        }
        for name in optional { columns[name] = reader.column(name) }
        self.columns = columns
        if missing { return nil }
    }

    var line: Int { reader.recordLine }

    /// Advances to the next well-formed record; malformed ones are reported and skipped.
    func next(_ collector: inout DiagnosticCollector) -> Bool {
        while true {
            do {
                guard try reader.next() else { return false }
            } catch {
                collector.merge(error.collector)
                unreadableRows += 1
                return false
            }
            if let problem = reader.recordProblem {
                collector.error(file: file, line: line, column: reader.recordProblemColumn, problem)
                unreadableRows += 1
                continue
            }
            if reader.fieldCount != expectedFields {
                collector.error(file: file, line: line, "expected \(expectedFields) fields like the header, found \(reader.fieldCount)")
                unreadableRows += 1
                continue
            }
            return true
        }
    }

    /// The next well-formed record, read once (each look at the reader's state is an access check).
    @inline(__always)
    func nextRecord(_ collector: inout DiagnosticCollector) -> CSVRecord? {
        next(&collector) ? reader.record : nil
    }

    func error(_ column: String, value: String, _ message: String, _ collector: inout DiagnosticCollector) {
        collector.error(file: file, line: line, column: column, value: value, message)
    }

    /// A column looked up once: its name for messages and its index (`nil`: an optional column the file lacks).
    struct Column {
        let name: String
        let index: Int?
    }

    func column(_ name: String) -> Column { Column(name: name, index: columns[name] ?? nil) }

    /// The bytes of the column's field in the current record (trimmed, unescaped); empty when the column is absent.
    @inline(__always)
    func bytes(_ record: CSVRecord, _ column: Column) -> UnsafeBufferPointer<UInt8> {
        guard let index = column.index else { return UnsafeBufferPointer(start: nil, count: 0) }
        return record[index]
    }

    func text(_ record: CSVRecord, _ column: Column) -> String {
        guard let index = column.index else { return "" }
        return record.string(index)
    }

    /// The bytes of a required, non-empty value (valid until the next record); `nil` when empty.
    @inline(__always)
    func identifierBytes(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> UnsafeBufferPointer<UInt8>? {
        let value = bytes(record, column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column.name, "required value is empty")
            return nil
        }
        return value
    }

    func day(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Day? {
        let value = bytes(record, column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column.name, "required date is empty")
            return nil
        }
        // Any byte that is not an ASCII digit or dash fails, so the raw bytes parse exactly like their text.
        guard let day = Day(isoBytes: value) else {
            error(column.name, value: text(record, column), "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return day
    }

    /// `.some(nil)` when empty or absent; `nil` when malformed.
    func optionalDay(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Day?? {
        let value = bytes(record, column)
        if value.isEmpty { return .some(nil) }
        guard let day = Day(isoBytes: value) else {
            error(column.name, value: text(record, column), "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return .some(day)
    }

    func bool(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Bool? {
        guard let flag = FieldParsing.boolean(bytes(record, column)) else {
            error(column.name, value: text(record, column), "expected true or false (also yes/no, 1/0)", &collector)
            return nil
        }
        return flag
    }

    func optionalBool(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Bool?? {
        if bytes(record, column).isEmpty { return .some(nil) }
        guard let flag = bool(record, column, &collector) else { return nil }
        return .some(flag)
    }

    func tier(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Tier? {
        let value = bytes(record, column)
        if DatasetLoader.isASCII(value) {
            // ASCII text lower-cases byte by byte; anything else goes through `FieldParsing.tier`.
            for tier in Tier.allCases where tier.rawValue.utf8.count == value.count {
                if zip(tier.rawValue.utf8, value).allSatisfy({ $0 == FieldParsing.asciiLower($1) }) { return tier }
            }
        } else if let tier = FieldParsing.tier(text(record, column)) {
            return tier
        }
        error(column.name, value: text(record, column), "unknown tier (expected gold, premier, select or registered)", &collector)
        return nil
    }

    func country(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> String? {
        let value = bytes(record, column)
        if value.count == 2 {
            let first = FieldParsing.asciiUpper(value[0]), second = FieldParsing.asciiUpper(value[1])
            if first >= 65 && first <= 90 && second >= 65 && second <= 90 && Table.isCountry(first, second) {
                return String(decoding: [first, second], as: UTF8.self)
            }
        }
        error("country", value: text(record, column), "expected an ISO 3166-1 alpha-2 country code such as NL", &collector)
        return nil
    }

    func currency(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> String? {
        let value = bytes(record, column)
        guard FieldParsing.currencyKey(value) != 0 else {
            error(column.name, value: text(record, column), "expected an ISO 4217 currency code such as USD", &collector)
            return nil
        }
        return String(decoding: value.map(FieldParsing.asciiUpper), as: UTF8.self)
    }

    /// A decimal scaled to `scale` decimals (`FieldParsing.decimal`); `what` names it in messages.
    func decimal(
        _ record: CSVRecord, _ column: Column, scale: Int, what: String, allowNegative: Bool, _ collector: inout DiagnosticCollector
    ) -> Int64? {
        switch FieldParsing.decimal(bytes(record, column), scale: scale, allowNegative: allowNegative) {
        case .success(let units): return units
        case .failure(let problem):
            error(column.name, value: text(record, column), FieldParsing.explain(problem, decimals: scale, what: what), &collector)
            return nil
        }
    }

    /// `FieldParsing.countryCodes` as a 26 x 26 table of upper-case letter pairs.
    static let countryTable: [Bool] = {
        var table = Array(repeating: false, count: 26 * 26)
        for code in FieldParsing.countryCodes {
            let bytes = Array(code.utf8)
            guard bytes.count == 2, bytes.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { continue }
            table[Int(bytes[0] - 65) * 26 + Int(bytes[1] - 65)] = true
        }
        return table
    }()

    @inline(__always)
    static func isCountry(_ first: UInt8, _ second: UInt8) -> Bool { countryTable[Int(first - 65) * 26 + Int(second - 65)] }
}
