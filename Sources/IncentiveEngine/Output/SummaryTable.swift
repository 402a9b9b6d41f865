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
            // Counted and ranked partner by partner: a run of 100,000 partners has hundreds of thousands of rows, and
            // `run` printed this table after copying them into one array and the paid ones into another.
            var rowCount = 0
            var eligibleRows = 0
            var largest: [ResultRow] = []
            for partner in programResult.partners {
                for row in partner.rows {
                    rowCount += 1
                    if row.eligible { eligibleRows += 1 }
                    if row.amount.cents > 0 { keepLargest(row, in: &largest) }
                }
            }
            let labels = [
                ("partners taking part", "\(programResult.partnersTakingPart)"),
                ("eligible (fully or partly)", "\(programResult.eligiblePartners)"),
                ("rows eligible / total", "\(eligibleRows) / \(rowCount)"),
                ("total paid", "\(programResult.amount.groupedText) \(program.currency)"),
                ("total missed", "\(programResult.missedAmount.groupedText) \(program.currency)"),
            ]
            for (label, value) in labels { text += "  " + pad(label, 28) + value + "\n" }
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

    /// Whether `a` is listed before `b` among the largest amounts: the larger amount first, then by partner id and item.
    static func listedBefore(_ a: ResultRow, _ b: ResultRow) -> Bool {
        a.amount != b.amount ? a.amount > b.amount : String.byteOrder(a.partnerID + a.item, b.partnerID + b.item)
    }

    /// Puts `row` into `largest` (at most `largestCount` rows, in listing order) when it is listed before one of them.
    static func keepLargest(_ row: ResultRow, in largest: inout [ResultRow]) {
        if largest.count == largestCount, let last = largest.last, !listedBefore(row, last) { return }
        let position = largest.firstIndex { listedBefore(row, $0) } ?? largest.endIndex
        largest.insert(row, at: position)
        if largest.count > largestCount { largest.removeLast() }
    }

    static func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    static func padLeft(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
}
