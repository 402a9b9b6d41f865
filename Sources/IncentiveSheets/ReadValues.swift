import IncentiveEngine

/// One value of a spreadsheet's CSV file: what convention it shows, and the same value in the standard dialect.
enum ReadValues {
    enum DecimalEvidence: Equatable {
        /// The value can only be read with this decimal mark (`1234,5`, `1.234,50`, `1.234.567`).
        case shows(ReadConventions.DecimalMark)
        /// `1.234` or `1,234`: a decimal mark before three decimals, or a separator between thousands.
        case either
        /// No separator, or not a number at all.
        case nothing
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func decimalEvidence(_ value: ArraySlice<UInt8>) -> DecimalEvidence {
        let digits = value.first == UInt8(ascii: "-") ? value.dropFirst() : value
        guard let first = digits.first, isDigit(first),
            digits.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ",") })
        else { return .nothing }
        let lastDot = digits.lastIndex(of: UInt8(ascii: ".")), lastComma = digits.lastIndex(of: UInt8(ascii: ","))
        switch (lastDot, lastComma) {
        case (nil, nil): return .nothing
        case (let dot?, let comma?):
            let mark: ReadConventions.DecimalMark = comma > dot ? .comma : .point
            return standardDecimal(value, mark: mark) != nil ? .shows(mark) : .nothing
        case (let dot?, nil): return single(digits, at: dot, mark: .point, value: value)
        case (nil, let comma?): return single(digits, at: comma, mark: .comma, value: value)
        }
    }

    /// Evidence from a number with one kind of separator, `separator` being its last one.
    private static func single(
        _ digits: ArraySlice<UInt8>, at separator: Int, mark: ReadConventions.DecimalMark, value: ArraySlice<UInt8>
    ) -> DecimalEvidence {
        let byte = digits[separator]
        let other: ReadConventions.DecimalMark = mark == .point ? .comma : .point
        if digits.filter({ $0 == byte }).count > 1 {
            // Only thousands come in more than one group.
            return standardDecimal(value, mark: other) != nil ? .shows(other) : .nothing
        }
        let before = separator - digits.startIndex, after = digits.endIndex - separator - 1
        if after == 0 { return .nothing }
        if after == 3 && before <= 3 && digits.first != UInt8(ascii: "0") { return .either }
        return .shows(mark)
    }

    /// `value` written with `mark` (thousands optionally separated by the other mark, in groups of three) as a
    /// standard decimal (`-1.234,50` with a comma: `-1234.50`); `nil` when it is not written so.
    static func standardDecimal(_ value: ArraySlice<UInt8>, mark: ReadConventions.DecimalMark) -> [UInt8]? {
        let decimal = mark == .comma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let group = mark == .comma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var result: [UInt8] = []
        var index = value.startIndex
        if index < value.endIndex && value[index] == UInt8(ascii: "-") {
            result.append(UInt8(ascii: "-"))
            index += 1
        }
        // Whole part: digits, or groups of three after a first of one to three.
        var run = 0, groups = 0
        while index < value.endIndex && value[index] != decimal {
            let byte = value[index]
            if isDigit(byte) {
                run += 1
                result.append(byte)
            } else if byte == group {
                if groups == 0 {
                    guard run >= 1 && run <= 3 else { return nil }
                } else if run != 3 {
                    return nil
                }
                groups += 1
                run = 0
            } else {
                return nil
            }
            index += 1
        }
        if run == 0 || (groups > 0 && run != 3) { return nil }
        if index < value.endIndex {
            index += 1
            guard index < value.endIndex else { return nil }
            result.append(UInt8(ascii: "."))
            while index < value.endIndex {
                guard isDigit(value[index]) else { return nil }
                result.append(value[index])
                index += 1
            }
        }
        return result
    }

    /// The date order a value shows: `2015-07-25` ISO, `25-07-2015` (or `25-7-2015`, `/` or `.`) day first.
    static func dateEvidence(_ value: ArraySlice<UInt8>) -> ReadConventions.DateOrder? {
        if isISO(value) { return .iso }
        return dayFirst(value) != nil ? .dayFirst : nil
    }

    static func isISO(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.count == 10 else { return false }
        let start = value.startIndex
        for offset in 0..<10 {
            let byte = value[start + offset]
            if offset == 4 || offset == 7 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !isDigit(byte) {
                return false
            }
        }
        return true
    }

    /// Day, month and year of `d-m-yyyy` (one or two digits for day and month; `-`, `/` or `.` between, the same twice).
    static func dayFirst(_ value: ArraySlice<UInt8>) -> (day: Int, month: Int, year: Int)? {
        var numbers = (0, 0, 0)
        var part = 0, digits = 0
        var separator: UInt8 = 0
        for byte in value {
            if isDigit(byte) {
                let digit = Int(byte - UInt8(ascii: "0"))
                switch part {
                case 0: numbers.0 = numbers.0 * 10 + digit
                case 1: numbers.1 = numbers.1 * 10 + digit
                default: numbers.2 = numbers.2 * 10 + digit
                }
                digits += 1
                continue
            }
            // A separator: `-`, `/` or `.`, the same both times, after one or two digits of day or month.
            guard part < 2, digits >= 1, digits <= 2, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") else {
                return nil
            }
            if separator != 0 && byte != separator { return nil }
            separator = byte
            part += 1
            digits = 0
        }
        guard part == 2, digits == 4 else { return nil }
        return (numbers.0, numbers.1, numbers.2)
    }

    /// `value` (trimmed) of a column of `kind` in the standard dialect; `nil` to leave it as it is (then the
    /// standard reader judges it, naming the same value). A value that does not follow the file's conventions
    /// although it looks like a number or date is an error here: it is never read another way.
    static func convert(
        _ value: ArraySlice<UInt8>, kind: ReadColumnKind, conventions: ReadConventions, file: String, line: Int, column: String,
        collector: inout DiagnosticCollector
    ) -> [UInt8]? {
        if value.isEmpty { return nil }
        func text() -> String { String(decoding: value, as: UTF8.self) }
        switch kind {
        case .text: return nil
        case .decimal:
            guard let mark = conventions.decimalMark else { return nil }
            if let standard = standardDecimal(value, mark: mark) { return standard }
            if value.contains(UInt8(ascii: ".")) || value.contains(UInt8(ascii: ",")) {
                collector.error(
                    file: file, line: line, column: column, value: text(),
                    mark == .comma
                        ? "expected \(ReadColumns.what(kind, column: column)) with a decimal comma and '.' between thousands (1.234,50), as the file's other numbers"
                        : "expected \(ReadColumns.what(kind, column: column)) with a decimal point and ',' between thousands (1,234.50), as the file's other numbers"
                )
            }
            return nil
        case .date:
            guard conventions.dateOrder == .dayFirst else { return nil }
            if let (day, month, year) = dayFirst(value) {
                guard let date = Day(year: year, month: month, day: day) else {
                    collector.error(file: file, line: line, column: column, value: text(), "not a real calendar date (read as dd-mm-yyyy)")
                    return nil
                }
                return Array(date.description.utf8)
            }
            if isISO(value) {
                collector.error(
                    file: file, line: line, column: column, value: text(),
                    "a yyyy-mm-dd date in a file read as dd-mm-yyyy: write every date one way")
            }
            return nil
        case .boolean:
            switch text().lowercased() {
            case "waar": return Array("true".utf8)
            case "onwaar": return Array("false".utf8)
            default: return nil
            }
        }
    }
}
