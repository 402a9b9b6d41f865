/// The readable summary per program that `compute` prints by default.
public enum SummaryTable {
    /// How many of the largest amounts to list per program.
    public static let largestCount = 5

    public static func render(_ result: ComputeResult) -> String {
        var text = ""
        for (position, programResult) in result.programs.enumerated() {
            let program = programResult.program
            if position > 0 { text += "\n" }
            text += "\(program.id)  \(program.name)\n"
            text +=
                "\(program.kind == .vip ? "VIP back-end rebate" : "MDF accrual"), \(program.currency), \(program.period.start)..\(program.period.end)\n"
            let rows = programResult.rows
            let labels = [
                ("partners taking part", "\(programResult.partnersTakingPart)"),
                ("eligible (fully or partly)", "\(programResult.eligiblePartners)"),
                ("rows eligible / total", "\(rows.filter(\.eligible).count) / \(rows.count)"),
                ("total paid", "\(programResult.amount.groupedText) \(program.currency)"),
                ("total missed", "\(programResult.missedAmount.groupedText) \(program.currency)"),
            ]
            for (label, value) in labels { text += "  " + pad(label, 28) + value + "\n" }
            let largest = rows.filter { $0.amount.cents > 0 }.sorted {
                $0.amount != $1.amount ? $0.amount > $1.amount : String.byteOrder($0.partnerID + $0.item, $1.partnerID + $1.item)
            }.prefix(largestCount)
            if !largest.isEmpty {
                text += "  largest amounts:\n"
                let width = largest.map { $0.partnerID.count + $0.item.count + 2 }.max() ?? 0
                let amountWidth = largest.map { $0.amount.groupedText.count }.max() ?? 0
                for row in largest {
                    text += "    " + pad("\(row.partnerID)  \(row.item)", width + 2) + padLeft(row.amount.groupedText, amountWidth) + "\n"
                }
            }
        }
        return text
    }

    static func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    static func padLeft(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
}
