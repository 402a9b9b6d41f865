/// The results CSV of formats.md §4.
public enum ResultsCSV {
    public static let header = "program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons"

    /// Header and one line per row, `\n` line ends, rows in the order given (already sorted by the engine).
    public static func render(_ rows: [ResultRow]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.utf8.count + 1 + rows.count * 100)
        bytes.append(contentsOf: header.utf8)
        bytes.append(0x0A)
        for row in rows {
            append(row, to: &bytes)
            bytes.append(0x0A)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func line(_ row: ResultRow) -> String {
        var bytes: [UInt8] = []
        append(row, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the line of `row` (without its line end) as bytes: the same text as joining `field`s with commas.
    static func append(_ row: ResultRow, to bytes: inout [UInt8]) {
        let comma: UInt8 = 0x2C
        appendField(row.program, to: &bytes)
        bytes.append(comma)
        bytes.append(contentsOf: row.kind.rawValue.utf8)
        bytes.append(comma)
        appendField(row.partnerID, to: &bytes)
        bytes.append(comma)
        appendField(row.item, to: &bytes)
        bytes.append(comma)
        TextBytes.append(to: &bytes) { start in
            var count = TextBytes.writePlain(row.qualifyingVolume, at: start)
            start[count] = comma
            count += 1
            return count + TextBytes.writePlain(row.threshold, at: start + count)
        }
        bytes.append(comma)
        bytes.append(contentsOf: row.eligible ? "true".utf8 : "false".utf8)
        bytes.append(comma)
        TextBytes.append(to: &bytes) { start in
            var count = TextBytes.writePlain(row.amount, at: start)
            start[count] = comma
            count += 1
            return count + TextBytes.writePlain(row.missedAmount, at: start + count)
        }
        bytes.append(comma)
        // The failed checks' reasons joined by `;`, quoted like any field when they need it.
        let start = bytes.count
        var first = true
        for check in row.checks where !check.passed {
            guard let reason = check.reason else { continue }
            if !first { bytes.append(0x3B) }
            first = false
            bytes.append(contentsOf: reason.utf8)
        }
        if needsQuotes(bytes[start...]) {
            bytes.removeSubrange(start...)
            bytes.append(contentsOf: field(row.reasons.joined(separator: ";")).utf8)
        }
    }

    /// Appends `field(value)`: the text itself unless it needs quotes.
    @inline(__always)
    static func appendField(_ value: String, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        if needsQuotes(bytes[start...]) {
            bytes.removeSubrange(start...)
            bytes.append(contentsOf: field(value).utf8)
        }
    }

    @inline(__always)
    static func needsQuotes(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }

    /// RFC 4180 quoting, only when the value holds a comma, a quote or a line break.
    public static func field(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
