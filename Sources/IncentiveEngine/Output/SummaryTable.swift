/// The readable summary per program that `compute` prints by default.
public enum SummaryTable {
    /// How many of the largest amounts to list per program.
    public static let largestCount = 5

    public static func render(_ result: ComputeResult) -> String {
        render(result.programs.map { ProgramFigures($0) })
    }

    /// The table of each program's figures, counted from a computation or read from a stored run.
    public static func render(_ figures: [ProgramFigures]) -> String {
        var text = ""
        for (position, figures) in figures.enumerated() {
            let program = figures.program
            if position > 0 { text += "\n" }
            text += "\(program.id)  \(program.name)\n"
            text +=
                "\(program.kind == .vip ? "VIP back-end rebate" : "MDF accrual"), \(program.currency), \(program.period.start)..\(program.period.end)\n"
            let labels = [
                ("partners taking part", "\(figures.partnersTakingPart)"),
                ("eligible (fully or partly)", "\(figures.eligiblePartners)"),
                ("rows eligible / total", "\(figures.eligibleRows) / \(figures.rows)"),
                ("total paid", "\(figures.amount.groupedText) \(program.currency)"),
                ("total missed", "\(figures.missedAmount.groupedText) \(program.currency)"),
            ]
            for (label, value) in labels { text += "  " + pad(label, 28) + value + "\n" }
            let largest = figures.largest.prefix(largestCount)
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
    public static func listedBefore(_ a: LargestAmount, _ b: LargestAmount) -> Bool {
        a.amount != b.amount ? a.amount > b.amount : String.byteOrder(a.partnerID + a.item, b.partnerID + b.item)
    }

    /// Puts `row` into `largest` (at most `limit` rows, in listing order) when it is listed before one of them.
    public static func keepLargest(_ row: LargestAmount, in largest: inout [LargestAmount], limit: Int = largestCount) {
        if largest.count == limit, let last = largest.last, !listedBefore(row, last) { return }
        let position = largest.firstIndex { listedBefore(row, $0) } ?? largest.endIndex
        largest.insert(row, at: position)
        if largest.count > limit { largest.removeLast() }
    }

    static func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    static func padLeft(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
}

/// A row among a program's largest amounts.
public struct LargestAmount: Sendable, Equatable {
    public var partnerID: String
    public var item: String
    public var amount: Money

    public init(partnerID: String, item: String, amount: Money) {
        self.partnerID = partnerID
        self.item = item
        self.amount = amount
    }
}

/// What the summary table shows of one program's results: its partners taking part and eligible, its rows, amounts
/// and largest amounts. Counted from a computation here, or from a stored run by the workspace (an anchored run's
/// without reading the run back).
public struct ProgramFigures: Sendable {
    public var program: Program
    public var partnersTakingPart: Int
    public var eligiblePartners: Int
    public var rows: Int
    public var eligibleRows: Int
    public var amount: Money
    public var missedAmount: Money
    /// The largest positive amounts in listing order (`SummaryTable.listedBefore`), at least
    /// `SummaryTable.largestCount` of them when there are as many (the table shows those); a stored run keeps more.
    public var largest: [LargestAmount]
    /// Whether `largest` holds every positive amount.
    public var largestComplete: Bool

    public init(
        program: Program, partnersTakingPart: Int, eligiblePartners: Int, rows: Int, eligibleRows: Int, amount: Money, missedAmount: Money,
        largest: [LargestAmount], largestComplete: Bool
    ) {
        self.program = program
        self.partnersTakingPart = partnersTakingPart
        self.eligiblePartners = eligiblePartners
        self.rows = rows
        self.eligibleRows = eligibleRows
        self.amount = amount
        self.missedAmount = missedAmount
        self.largest = largest
        self.largestComplete = largestComplete
    }

    /// Counted and ranked partner by partner: a run of 100,000 partners has hundreds of thousands of rows, and `run`
    /// printed its table after copying them into one array and the paid ones into another.
    /// `limit`: how many of the largest amounts to keep.
    public init(_ result: ProgramResult, keeping limit: Int = SummaryTable.largestCount) {
        var rowCount = 0, eligibleRows = 0, paidRows = 0
        var largest: [LargestAmount] = []
        for partner in result.partners {
            for row in partner.rows {
                rowCount += 1
                if row.eligible { eligibleRows += 1 }
                if row.amount.cents > 0 {
                    paidRows += 1
                    SummaryTable.keepLargest(LargestAmount(partnerID: row.partnerID, item: row.item, amount: row.amount), in: &largest, limit: limit)
                }
            }
        }
        self.init(
            program: result.program, partnersTakingPart: result.partnersTakingPart, eligiblePartners: result.eligiblePartners, rows: rowCount,
            eligibleRows: eligibleRows, amount: result.amount, missedAmount: result.missedAmount, largest: largest,
            largestComplete: paidRows <= limit)
    }
}
