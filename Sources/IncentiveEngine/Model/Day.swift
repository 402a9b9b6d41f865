/// A calendar date without time zone, stored as days since 1970-01-01.
///
/// Dates in the data are ISO `YYYY-MM-DD`; comparisons are plain integer comparisons.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var daysSinceEpoch: Int32

    @inlinable
    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// A real calendar date, or `nil` (month 13, February 30, ...).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else {
            return nil
        }
        self.daysSinceEpoch = Int32(Day.daysFromCivil(year: year, month: month, day: day))
    }

    @inlinable
    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    /// (year, month, day) of this date.
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// ISO text `YYYY-MM-DD`.
    public var description: String { TextBytes.string { TextBytes.writeDay(self, at: $0) } }

    /// Parses ISO `YYYY-MM-DD` from text; `nil` when malformed or not a real date.
    public init?(iso text: String) {
        var bytes = Array(text.utf8)
        guard let day = bytes.withUnsafeMutableBufferPointer({ Day(isoBytes: UnsafeBufferPointer($0)) }) else { return nil }
        self = day
    }

    /// Parses ISO `YYYY-MM-DD` from bytes; `nil` when malformed or not a real date.
    @inlinable
    public init?(isoBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        @inline(__always) func digit(_ index: Int) -> Int {
            let value = Int(bytes[index]) &- 48
            return value >= 0 && value <= 9 ? value : -10_000
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6)
        let day = digit(8) * 10 + digit(9)
        guard year >= 0, month >= 0, day >= 0 else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The number of days from `self` to `other` (positive when `other` is later).
    public func days(to other: Day) -> Int { Int(other.daysSinceEpoch) - Int(daysSinceEpoch) }
}

/// An inclusive range of days: a program period, a credential's validity, a service's activity.
public struct DayRange: Sendable, Hashable {
    public var start: Day
    public var end: Day

    public init(start: Day, end: Day) {
        self.start = start
        self.end = end
    }

    @inlinable
    public func contains(_ day: Day) -> Bool { start <= day && day <= end }

    /// Number of days, both ends included.
    public var length: Int { start.days(to: end) + 1 }
}
