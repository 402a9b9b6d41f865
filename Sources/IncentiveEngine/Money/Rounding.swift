/// Exact arithmetic on money with banker's rounding.
public enum Rounding {
    /// `numerator / denominator` rounded to the nearest integer, ties to even.
    ///
    /// `denominator` must be positive. Works on 128-bit values so products of
    /// volumes up to 10^15 cents and scaled percents never overflow.
    @inlinable
    public static func divideHalfEven(_ numerator: Int128, by denominator: Int128) -> Int128 {
        precondition(denominator > 0)
        var quotient = numerator / denominator
        let remainder = numerator % denominator  // same sign as numerator
        let twice = remainder.magnitude * 2
        let denominatorMagnitude = denominator.magnitude
        if twice > denominatorMagnitude || (twice == denominatorMagnitude && quotient & 1 != 0) {
            quotient += numerator < 0 ? -1 : 1
        }
        return quotient
    }

    /// `round(amount × percent / 100)` to cents, half to even.
    ///
    /// `percent` is a `ScaledDecimal` of any scale (program files use 4).
    @inlinable
    public static func apply(percent: ScaledDecimal, to amount: Money) -> Money {
        let numerator = Int128(amount.cents) * Int128(percent.units)
        let denominator = Int128(100) * Int128(pow10(percent.scale))
        // |amount| <= 2^63 and percent <= 100% in practice; clamp defensively instead of trapping.
        let cents = divideHalfEven(numerator, by: denominator)
        return Money(cents: Int64(clamping: cents))
    }

    /// Converts `amount` (in a foreign currency) with `rate` program-currency units per unit,
    /// rounded to cents, half to even; `nil` when the result does not fit in 64 bits.
    @inlinable
    public static func convert(_ amount: Money, rate: ScaledDecimal) -> Money? {
        let numerator = Int128(amount.cents) * Int128(rate.units)
        guard let cents = Int64(exactly: divideHalfEven(numerator, by: Int128(pow10(rate.scale)))) else { return nil }
        return Money(cents: cents)
    }
}
