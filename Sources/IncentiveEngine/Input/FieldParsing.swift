/// Parsers for the typed values of formats.md §1, working on the bytes of one field.
public enum FieldParsing {
    /// Largest absolute money amount accepted in one field: 10^15 cents.
    public static let maximumCents: Int64 = 1_000_000_000_000_000

    public enum DecimalProblem: Error, Sendable, Equatable {
        case malformed
        case tooManyDecimals(allowed: Int)
        case tooLarge
        case negative
    }

    /// A decimal `-?digits[.digits]` scaled to `scale` decimals (`12.5` at scale 2 is 1250).
    @inlinable
    public static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, scale: Int, allowNegative: Bool = true, limit: Int64 = maximumCents)
        -> Result<Int64, DecimalProblem>
    {
        var index = 0
        let count = bytes.count
        var negative = false
        if count > 0 && bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < count {
            let digit = Int64(bytes[index]) &- 48
            if digit < 0 || digit > 9 { break }
            if value > (Int64.max - 9) / 10 { return .failure(.tooLarge) }
            value = value * 10 + digit
            digits += 1
            index += 1
        }
        if digits == 0 { return .failure(.malformed) }
        var decimals = 0
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fractionDigits = 0
            while index < count {
                let digit = Int64(bytes[index]) &- 48
                if digit < 0 || digit > 9 { return .failure(.malformed) }
                fractionDigits += 1
                if fractionDigits > scale {
                    index += 1
                    continue
                }
                if value > (Int64.max - 9) / 10 { return .failure(.tooLarge) }
                value = value * 10 + digit
                decimals += 1
                index += 1
            }
            if fractionDigits == 0 { return .failure(.malformed) }
            if fractionDigits > scale {
                // Check the rest were digits (loop above already did) and report the precision.
                return .failure(.tooManyDecimals(allowed: scale))
            }
        }
        if index != count { return .failure(.malformed) }
        while decimals < scale {
            if value > Int64.max / 10 { return .failure(.tooLarge) }
            value *= 10
            decimals += 1
        }
        if value > limit { return .failure(.tooLarge) }
        if negative && !allowNegative && value != 0 { return .failure(.negative) }
        return .success(negative ? -value : value)
    }

    /// What the user should have written, for a decimal problem.
    public static func explain(_ problem: DecimalProblem, decimals: Int, what: String) -> String {
        switch problem {
        case .malformed:
            return "expected \(what): a decimal with '.' as separator and at most \(decimals) decimals, no thousands separators or currency signs"
        case .tooManyDecimals(let allowed):
            return "expected \(what) with at most \(allowed) decimals"
        case .tooLarge:
            return "\(what) is too large"
        case .negative:
            return "\(what) must not be negative"
        }
    }

    /// `true`/`false`, `yes`/`no`, `1`/`0`, ASCII letters in any case.
    public static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        @inline(__always) func matches(_ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            let expected = word.utf8Start
            for index in 0..<bytes.count where asciiLower(bytes[index]) != expected[index] { return false }
            return true
        }
        if matches("true") || matches("yes") || matches("1") { return true }
        if matches("false") || matches("no") || matches("0") { return false }
        return nil
    }

    @inlinable @inline(__always)
    public static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    @inlinable @inline(__always)
    public static func asciiUpper(_ byte: UInt8) -> UInt8 {
        byte >= 97 && byte <= 122 ? byte - 32 : byte
    }

    /// A tier name, any case.
    public static func tier(_ text: String) -> Tier? { Tier(rawValue: text.lowercased()) }

    /// Normalises an intended use: trimmed, then each byte by `intendedUseByte`.
    public static func normalizeIntendedUse(_ text: String) -> String {
        String(decoding: text.trimmingSpaces().utf8.map(intendedUseByte), as: UTF8.self)
    }

    /// A byte of a (trimmed) intended use, normalised: ASCII letters lower-cased, spaces and hyphens as `_`.
    @inline(__always)
    static func intendedUseByte(_ byte: UInt8) -> UInt8 {
        let lowered = asciiLower(byte)
        return lowered == 0x20 || lowered == 0x2D ? 0x5F : lowered
    }

    /// Upper-cases a code and checks it has `length` ASCII letters.
    public static func code(_ text: String, length: Int) -> String? {
        let upper = String(decoding: text.utf8.map(asciiUpper), as: UTF8.self)
        guard upper.utf8.count == length, upper.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { return nil }
        return upper
    }

    /// Packs a three-letter currency code into an integer (0 when not three ASCII letters).
    @inlinable
    public static func currencyKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard bytes.count == 3 else { return 0 }
        var key: UInt32 = 0
        for byte in bytes {
            let upper = asciiUpper(byte)
            guard upper >= 65 && upper <= 90 else { return 0 }
            key = key << 8 | UInt32(upper)
        }
        return key
    }

    public static func currencyKey(_ text: String) -> UInt32 { withBytes(text, currencyKey) }

    /// Calls `body` with the UTF-8 bytes of `text`: how the parsers above read a `String`.
    @inline(__always)
    public static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        var text = text
        return try text.withUTF8(body)
    }

    /// The officially assigned ISO 3166-1 alpha-2 country codes.
    public static let countryCodes: Set<String> = Set(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO \
        JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
        MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO \
        RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV \
        TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(separator: " ").map(String.init)
    )
}
