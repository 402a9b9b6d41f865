/// An exact amount of money in minor units (cents) of one currency.
///
/// Amounts are integers: no binary floating point ever touches money.
/// Text form is a plain decimal with exactly two decimals (`57500.00`, `-12.30`).
public struct Money: Sendable, Hashable, Comparable {
    /// The amount in cents (hundredths of the currency unit).
    public var cents: Int64

    @inlinable
    public init(cents: Int64) { self.cents = cents }

    public static let zero = Money(cents: 0)

    @inlinable
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

    /// Plain decimal with two decimals, `-` for negatives, no separators: `57500.00`.
    public var plainText: String { TextBytes.string { TextBytes.writePlain(self, at: $0) } }

    /// Decimal with thousands separators for people: `57,500.00`.
    public var groupedText: String { TextBytes.string { TextBytes.writeGrouped(self, at: $0) } }
}

/// A non-negative exact decimal held as an integer scaled by `10^scale`.
///
/// Used for percents (scale 4: `6` is 60000, `1.5` is 15000) and fx rates (scale 6).
public struct ScaledDecimal: Sendable, Hashable, Comparable {
    public var units: Int64
    public var scale: Int

    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    public static func < (lhs: ScaledDecimal, rhs: ScaledDecimal) -> Bool {
        precondition(lhs.scale == rhs.scale)
        return lhs.units < rhs.units
    }

    /// The shortest exact decimal text: `6`, `1.5`, `0.9123`.
    public var text: String {
        let divisor = Int64(pow10(scale))
        let negative = units < 0
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(divisor)
        var fraction = magnitude % UInt64(divisor)
        var digits = scale
        while digits > 0 && fraction % 10 == 0 && fraction != 0 {
            fraction /= 10
            digits -= 1
        }
        var result = (negative ? "-" : "") + String(whole)
        if fraction != 0 {
            let fractionText = String(fraction)
            result += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return result
    }
}

@usableFromInline
func pow10(_ exponent: Int) -> Int64 {
    var value: Int64 = 1
    for _ in 0..<exponent { value *= 10 }
    return value
}
