import IncentiveEngine

/// A payment to a partner under a cash program: recorded against (program, partner) with a unique reference
/// (credit memo or payment number). `amount` is positive; its ledger entry is the negative amount.
public struct PaymentRecord: Sendable, Hashable {
    /// The workspace's id (nil before it is stored).
    public var id: Int?
    public var reference: String
    public var programID: String
    public var partnerID: String
    public var amount: Money
    public var currency: String
    public var paidOn: Day
    /// Who recorded it (`name (kind)`), when read back.
    public var actor: String?

    public init(
        id: Int? = nil, reference: String, programID: String, partnerID: String, amount: Money, currency: String, paidOn: Day, actor: String? = nil
    ) {
        self.id = id
        self.reference = reference
        self.programID = programID
        self.partnerID = partnerID
        self.amount = amount
        self.currency = currency
        self.paidOn = paidOn
        self.actor = actor
    }

    /// Whether `other` records the same payment (all but id and actor equal).
    public func sameFields(as other: PaymentRecord) -> Bool {
        reference == other.reference && programID == other.programID && partnerID == other.partnerID && amount == other.amount
            && currency == other.currency && paidOn == other.paidOn
    }

    /// The entry it posts: `payment`, negative, effective on the day paid.
    public func entry(id: Int) -> LedgerEntry {
        LedgerEntry(
            kind: .payment, programID: programID, partnerID: partnerID, amount: Money(cents: -amount.cents), currency: currency, effectiveOn: paidOn,
            source: .payment(id))
    }
}

/// What checking payments needs to know of the workspace.
public struct PaymentContext: Sendable {
    /// Whether a partner id is known.
    public var isKnownPartner: @Sendable (String) -> Bool
    /// The known programs: kind and currency by id.
    public var programs: [String: (kind: ProgramKind, currency: String)]
    /// The stored payments with the references being checked, by reference.
    public var stored: [String: PaymentRecord]

    public init(
        isKnownPartner: @escaping @Sendable (String) -> Bool, programs: [String: (kind: ProgramKind, currency: String)],
        stored: [String: PaymentRecord]
    ) {
        self.isKnownPartner = isKnownPartner
        self.programs = programs
        self.stored = stored
    }
}

/// The checks of a payment (one given on the command line or a line of `payments.csv`): all-or-nothing, every
/// problem named with its file, line, column and value.
public enum PaymentValidation {
    /// The columns of `payments.csv`, exactly and in this order.
    public static let columns = ["partner_id", "program_id", "amount", "currency", "reference", "paid_on"]

    /// One payment as written: its six values in `columns` order, where it came from.
    public struct Input: Sendable, Hashable {
        public var file: String
        /// Nil for a payment given on the command line.
        public var line: Int?
        public var values: [String]

        public init(file: String, line: Int?, values: [String]) {
            self.file = file
            self.line = line
            self.values = values
        }
    }

    public struct Outcome: Sendable {
        /// The payments to record, in input order.
        public var new: [(payment: PaymentRecord, line: Int?)] = []
        /// Those already stored with identical fields: skipped.
        public var alreadyRecorded: [PaymentRecord] = []
        public var problems = DiagnosticCollector()
    }

    public static func check(_ inputs: [Input], context: PaymentContext) -> Outcome {
        var outcome = Outcome()
        var seen: [String: Int?] = [:]
        for input in inputs {
            let (file, line) = (input.file, input.line)
            func problem(_ column: Int, _ message: String) {
                outcome.problems.error(file: file, line: line, column: columns[column], value: input.values[column], message)
            }
            let values = input.values
            guard values.count == columns.count else {
                outcome.problems.error(
                    file: file, line: line, "expected \(columns.count) values (\(columns.joined(separator: ","))), found \(values.count)")
                continue
            }
            let before = outcome.problems.errorCount
            let (partner, programID, amountText, currency, reference, paidOnText) = (values[0], values[1], values[2], values[3], values[4], values[5])
            if partner.isEmpty {
                problem(0, "a partner id is required")
            } else if !context.isKnownPartner(partner) {
                problem(0, "unknown partner (import it first)")
            }
            let program = context.programs[programID]
            if programID.isEmpty {
                problem(1, "a program id is required")
            } else if program == nil {
                problem(1, "unknown program (known: \(context.programs.keys.sorted().joined(separator: ", ")))")
            } else if program?.kind == .mdf {
                problem(1, "an MDF program is not paid by payments: its funds are paid through claims")
            }
            var amount = Money.zero
            switch FieldParsing.withBytes(amountText, { FieldParsing.decimal($0, scale: 2, allowNegative: false) }) {
            case .success(let cents) where cents > 0: amount = Money(cents: cents)
            case .success: problem(2, "the amount must be greater than 0")
            case .failure(let reason): problem(2, FieldParsing.explain(reason, decimals: 2, what: "an amount"))
            }
            if let program, program.kind != .mdf, currency != program.currency {
                problem(3, "\(programID) pays in \(program.currency)")
            }
            if reference.trimmingSpacesIsEmpty {
                problem(4, "a reference (credit memo or payment number) is required")
            } else if let first = seen[reference] {
                problem(4, "the reference is given twice (first \(first.map { "on line \($0)" } ?? "before")); a reference is unique")
            }
            let paidOn = Day(iso: paidOnText)
            if paidOn == nil { problem(5, "expected a date YYYY-MM-DD") }
            if !reference.isEmpty && seen[reference] == nil { seen.updateValue(line, forKey: reference) }
            guard outcome.problems.errorCount == before, let paidOn else { continue }
            let payment = PaymentRecord(
                reference: reference, programID: programID, partnerID: partner, amount: amount, currency: currency, paidOn: paidOn)
            if let stored = context.stored[reference] {
                if stored.sameFields(as: payment) {
                    outcome.alreadyRecorded.append(stored)
                } else {
                    problem(
                        4,
                        "the reference is already recorded with other values (\(stored.partnerID) \(stored.programID) \(stored.amount.plainText) \(stored.currency) paid on \(stored.paidOn)); a reference is unique"
                    )
                }
                continue
            }
            outcome.new.append((payment, line))
        }
        return outcome
    }
}

extension String {
    fileprivate var trimmingSpacesIsEmpty: Bool { allSatisfy { $0 == " " || $0 == "\t" } }
}
