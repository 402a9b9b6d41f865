/// A number as a spreadsheet cell stores it (`1234.5`, `1.2345E3`, `0.30000000000000004`), held exactly as
/// decimal digits and a power of ten: no binary floating point is involved in reading it.
struct ReadNumber: Equatable {
    /// Excel keeps and shows 15 significant digits; the digits a stored double has beyond them are noise.
    static let excelDigits = 15

    var negative: Bool
    /// Decimal digits (0...9), without leading zeros; empty for zero.
    var digits: [UInt8]
    /// The value is `digits × 10^exponent`.
    var exponent: Int

    /// Parses `-?digits[.digits][(e|E)[+-]digits]`; `nil` for anything else.
    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        negative = bytes.first == UInt8(ascii: "-")
        if negative || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var exponent = 0
        var seenDigit = false, seenPoint = false
        while let byte = bytes.first, byte != UInt8(ascii: "e") && byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            seenDigit = true
            digits.append(byte - UInt8(ascii: "0"))
            if seenPoint { exponent -= 1 }
        }
        guard seenDigit else { return nil }
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
                exponentNegative = bytes.first == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 4, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            let power = bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            exponent += exponentNegative ? -power : power
        }
        self.digits = Array(digits.drop { $0 == 0 })
        self.exponent = exponent
        normalise()
    }

    /// Trailing zeros moved into the exponent; zero is never negative.
    private mutating func normalise() {
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty {
            exponent = 0
            negative = false
        }
    }

    /// Digits after the decimal point.
    var decimals: Int { max(0, -exponent) }

    /// The number rounded half to even to `count` significant digits (itself when it has no more).
    func rounded(toSignificant count: Int) -> ReadNumber {
        guard digits.count > count else { return self }
        var result = self
        let dropped = Array(digits[count...])
        var kept = Array(digits[..<count])
        let first = dropped[0]
        let restNonZero = dropped.dropFirst().contains { $0 != 0 }
        let roundUp = first > 5 || (first == 5 && (restNonZero || kept.last! % 2 == 1))
        result.exponent += dropped.count
        if roundUp {
            var index = kept.count - 1
            while index >= 0 {
                if kept[index] == 9 {
                    kept[index] = 0
                    index -= 1
                } else {
                    kept[index] += 1
                    break
                }
            }
            if index < 0 { kept.insert(1, at: 0) }
        }
        result.digits = kept
        result.normalise()
        return result
    }

    /// The number as the engine reads it: `-1234.5`, `0.05`, `100`.
    var text: String {
        if digits.isEmpty { return "0" }
        var characters = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        if exponent >= 0 {
            characters += Array(repeating: "0", count: exponent)
        } else {
            let decimals = -exponent
            if characters.count <= decimals { characters.insert(contentsOf: Array(repeating: "0", count: decimals - characters.count + 1), at: 0) }
            characters.insert(".", at: characters.count - decimals)
        }
        return (negative ? "-" : "") + String(characters)
    }

    /// The whole number it is, if it is one that fits an `Int`.
    var integer: Int? {
        guard exponent >= 0, digits.count + exponent <= 18 else { return nil }
        let value = (digits + Array(repeating: 0, count: exponent)).reduce(0) { $0 * 10 + Int($1) }
        return negative ? -value : value
    }

    /// The value with at most `scale` decimals that the cell means: its exact value when that has no more
    /// decimals, else its value at Excel's 15 significant digits (what Excel shows: `0.30000000000000004` is
    /// 0.3) when that has no more; `nil` when even that needs more decimals than `scale`.
    func value(scale: Int) -> ReadNumber? {
        if decimals <= scale { return self }
        let shown = rounded(toSignificant: Self.excelDigits)
        return shown.decimals <= scale ? shown : nil
    }
}
