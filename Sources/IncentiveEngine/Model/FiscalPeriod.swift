/// A period named by Cisco's fiscal calendar (formats.md §5.1): `FY15`, `FY15-H2`, `FY15-Q3`.
///
/// Fiscal year N ends on the last Saturday of July of calendar year N and starts the day after
/// year N-1 ends, so it has 52 or 53 weeks. H1 is its first 26 weeks, H2 the rest; Q1 is weeks
/// 1-13, Q2 weeks 14-26, Q4 the last 13 weeks and Q3 the weeks between (14 in a 53-week year).
public struct FiscalPeriod: Sendable, Hashable, CustomStringConvertible {
    /// Which part of the fiscal year.
    public enum Part: Sendable, Hashable {
        case year
        /// 1 or 2.
        case half(Int)
        /// 1 to 4.
        case quarter(Int)
    }

    /// The calendar year the fiscal year ends in (FY15: 2015).
    public var year: Int
    public var part: Part

    /// A fiscal year's part; `nil` when the year's dates are not real calendar dates or the part is out of range.
    public init?(year: Int, part: Part) {
        guard (2...9999).contains(year) else { return nil }
        switch part {
        case .year: break
        case .half(let half): guard (1...2).contains(half) else { return nil }
        case .quarter(let quarter): guard (1...4).contains(quarter) else { return nil }
        }
        self.year = year
        self.part = part
    }

    /// Parses `FY15`, `FY15-H1`, `FY2015-H2`, `fy15-q4` (two digits mean 20yy; letters in either case);
    /// `nil` for any other spelling.
    public init?(name: String) {
        let bytes = Array(name.utf8)
        func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        guard bytes.count >= 4, upper(bytes[0]) == UInt8(ascii: "F"), upper(bytes[1]) == UInt8(ascii: "Y") else { return nil }
        var index = 2
        var digits = 0
        var year = 0
        while index < bytes.count && isDigit(bytes[index]) {
            year = year * 10 + Int(bytes[index] - 0x30)
            digits += 1
            index += 1
        }
        switch digits {
        case 2: year += 2000
        case 4: break
        default: return nil
        }
        var part = Part.year
        if index < bytes.count {
            guard bytes.count - index == 3, bytes[index] == UInt8(ascii: "-"), isDigit(bytes[index + 2]) else { return nil }
            let number = Int(bytes[index + 2] - 0x30)
            switch upper(bytes[index + 1]) {
            case UInt8(ascii: "H"): part = .half(number)
            case UInt8(ascii: "Q"): part = .quarter(number)
            default: return nil
            }
        }
        self.init(year: year, part: part)
    }

    /// The name as the spec writes it: `FY15-H2` (four digits for years outside 2000-2099: `FY2105-Q1`).
    public var name: String {
        let yearText = (2000...2099).contains(year) ? (year % 100 < 10 ? "0" : "") + String(year % 100) : String(year)
        switch part {
        case .year: return "FY\(yearText)"
        case .half(let half): return "FY\(yearText)-H\(half)"
        case .quarter(let quarter): return "FY\(yearText)-Q\(quarter)"
        }
    }

    public var description: String { name }

    /// The last day of fiscal year `year`: the last Saturday of July of that calendar year.
    public static func yearEnd(_ year: Int) -> Day {
        let july31 = Day(year: year, month: 7, day: 31)!
        // 1970-01-01 was a Thursday: weekday 0 = Sunday ... 6 = Saturday.
        let weekday = ((Int(july31.daysSinceEpoch) + 4) % 7 + 7) % 7
        let back = (weekday - 6 + 7) % 7
        return Day(daysSinceEpoch: july31.daysSinceEpoch - Int32(back))
    }

    /// The days of fiscal year `year`, both ends included (364 or 371 days).
    public static func yearRange(_ year: Int) -> DayRange {
        let end = yearEnd(year)
        let start = Day(daysSinceEpoch: yearEnd(year - 1).daysSinceEpoch + 1)
        return DayRange(start: start, end: end)
    }

    /// The period's days, both ends included.
    public var range: DayRange {
        let whole = Self.yearRange(year)
        func day(_ offset: Int) -> Day { Day(daysSinceEpoch: whole.start.daysSinceEpoch + Int32(offset)) }
        func before(_ offset: Int) -> Day { Day(daysSinceEpoch: whole.end.daysSinceEpoch - Int32(offset)) }
        switch part {
        case .year: return whole
        case .half(1): return DayRange(start: whole.start, end: day(26 * 7 - 1))
        case .half(_): return DayRange(start: day(26 * 7), end: whole.end)
        case .quarter(1): return DayRange(start: whole.start, end: day(13 * 7 - 1))
        case .quarter(2): return DayRange(start: day(13 * 7), end: day(26 * 7 - 1))
        case .quarter(3): return DayRange(start: day(26 * 7), end: before(13 * 7))
        case .quarter(_): return DayRange(start: before(13 * 7 - 1), end: whole.end)
        }
    }
}

extension DayRange {
    /// `FY15-H2 (2015-01-25 .. 2015-07-25)` when the period has a fiscal name, else `2015-01-25 .. 2015-07-25`.
    public func label(name: String?) -> String {
        name.map { "\($0) (\(start) .. \(end))" } ?? "\(start) .. \(end)"
    }
}
