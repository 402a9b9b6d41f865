/// The numbers of results written straight as bytes: the same text as `String(_:)`, `Money.plainText`,
/// `Money.groupedText` and `Day.description`, without building it from pieces.
enum TextBytes {
    /// Room for any of the texts below (an Int64 with sign and separators, a date of any Int32 day).
    static let scratchSize = 40

    /// Writes the decimal digits of `value` at `start`, with `,` between groups of three when `grouped`;
    /// returns how many bytes.
    @inline(__always)
    static func writeDigits(_ value: UInt64, grouped: Bool = false, at start: UnsafeMutablePointer<UInt8>) -> Int {
        let digits = digitCount(value)
        let length = grouped ? digits + (digits - 1) / 3 : digits
        var rest = value
        var index = length
        var written = 0
        repeat {
            if grouped && written > 0 && written % 3 == 0 {
                index -= 1
                start[index] = UInt8(ascii: ",")
            }
            index -= 1
            start[index] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
            rest /= 10
            written += 1
        } while index > 0
        return length
    }

    /// `String(value)`.
    @inline(__always)
    static func writeInteger(_ value: Int64, at start: UnsafeMutablePointer<UInt8>) -> Int {
        if value < 0 {
            start[0] = UInt8(ascii: "-")
            return 1 + writeDigits(value.magnitude, at: start + 1)
        }
        return writeDigits(UInt64(value), at: start)
    }

    /// An amount: `-` for negatives, the units (grouped by three with `,` when `grouped`), `.`, two decimals.
    @inline(__always)
    static func writeMoney(_ money: Money, grouped: Bool, at start: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        if money.cents < 0 {
            start[0] = UInt8(ascii: "-")
            count = 1
        }
        let magnitude = money.cents.magnitude
        count += writeDigits(magnitude / 100, grouped: grouped, at: start + count)
        let fraction = magnitude % 100
        start[count] = UInt8(ascii: ".")
        start[count + 1] = UInt8(truncatingIfNeeded: 48 &+ fraction / 10)
        start[count + 2] = UInt8(truncatingIfNeeded: 48 &+ fraction % 10)
        return count + 3
    }

    /// `Money.plainText`: `57500.00`.
    @inline(__always)
    static func writePlain(_ money: Money, at start: UnsafeMutablePointer<UInt8>) -> Int { writeMoney(money, grouped: false, at: start) }

    /// `Money.groupedText`: `57,500.00`.
    static func writeGrouped(_ money: Money, at start: UnsafeMutablePointer<UInt8>) -> Int { writeMoney(money, grouped: true, at: start) }

    /// `Day.description`: the year padded with zeros to four characters (sign included), `-MM-DD`.
    @inline(__always)
    static func writeDay(_ day: Day, at start: UnsafeMutablePointer<UInt8>) -> Int {
        let (year, month, dayOfMonth) = day.components
        var count = 0
        let yearLength = year < 0 ? 1 + digitCount(UInt64(year.magnitude)) : digitCount(UInt64(year))
        while count + yearLength < 4 {
            start[count] = UInt8(ascii: "0")
            count += 1
        }
        count += writeInteger(Int64(year), at: start + count)
        @inline(__always) func two(_ value: Int) {
            start[count] = UInt8(ascii: "-")
            if value < 10 {
                start[count + 1] = UInt8(ascii: "0")
                count += 2
            } else {
                count += 1
            }
            count += writeDigits(UInt64(value), at: start + count)
        }
        two(month)
        two(dayOfMonth)
        return count
    }

    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// A `String` of what `write` puts into a scratch buffer of `scratchSize` bytes (ASCII).
    @inline(__always)
    static func string(_ write: (UnsafeMutablePointer<UInt8>) -> Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchSize) { scratch in
            let count = write(scratch.baseAddress!)
            return String(decoding: UnsafeBufferPointer(start: scratch.baseAddress!, count: count), as: UTF8.self)
        }
    }

    /// Appends what `write` puts into a scratch buffer of `scratchSize` bytes.
    @inline(__always)
    static func append(to bytes: inout [UInt8], _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchSize) { scratch in
            let count = write(scratch.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: count))
        }
    }

    /// `"csat:\(found)/\(required)"`.
    static func csatReason(found: Int, required: Int) -> String {
        if found.magnitude > 999_999_999_999 || required.magnitude > 999_999_999_999 { return "csat:\(found)/\(required)" }
        return string { start in
            var count = 0
            for byte in "csat:".utf8 {
                start[count] = byte
                count += 1
            }
            count += writeInteger(Int64(found), at: start + count)
            start[count] = UInt8(ascii: "/")
            count += 1
            return count + writeInteger(Int64(required), at: start + count)
        }
    }

    /// `"volume:\(volume.plainText)<\(minimum.plainText)"`, in one buffer of twice the scratch size.
    static func volumeReason(volume: Money, minimum: Money) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * scratchSize) { scratch in
            let start = scratch.baseAddress!
            var count = 0
            for byte in "volume:".utf8 {
                start[count] = byte
                count += 1
            }
            count += writePlain(volume, at: start + count)
            start[count] = UInt8(ascii: "<")
            count += 1
            count += writePlain(minimum, at: start + count)
            return String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        }
    }
}
