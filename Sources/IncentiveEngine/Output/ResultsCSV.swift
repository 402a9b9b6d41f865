/// The results CSV of formats.md §4.
public enum ResultsCSV {
    public static let header = "program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons"

    /// Header and one line per row, `\n` line ends, rows in the order given (already sorted by the engine).
    public static func render(_ rows: [ResultRow]) -> String {
        var text = header + "\n"
        for row in rows {
            text += line(row)
            text += "\n"
        }
        return text
    }

    public static func line(_ row: ResultRow) -> String {
        [
            field(row.program), row.kind.rawValue, field(row.partnerID), field(row.item), row.qualifyingVolume.plainText,
            row.threshold.plainText, row.eligible ? "true" : "false", row.amount.plainText, row.missedAmount.plainText,
            field(row.reasons.joined(separator: ";")),
        ].joined(separator: ",")
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
