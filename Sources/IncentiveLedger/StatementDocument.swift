import IncentiveEngine

/// A statement as `incentives statement --format json|csv` and `GET /api/v1/partners/{id}/statement` give it
/// (docs/ledger.md): JSON with exact decimal strings, or CSV lines in date order with the balance after each.
public struct StatementDocument: Encodable, Sendable {
    public struct List: Encodable, Sendable {
        public var statements: [StatementDocument]
        public init(statements: [StatementDocument]) { self.statements = statements }
    }
    public struct Item: Encodable, Sendable { var item, entitlement, delta: String }
    public struct Approval: Encodable, Sendable {
        var id, run: Int
        var kind, approved_on, by, entitlement, delta: String
        var items: [Item]
    }
    public struct Payment: Encodable, Sendable { var reference, paid_on, amount, by: String }
    public struct Entry: Encodable, Sendable { var kind, effective_on, amount: String }

    public var partner_id, program_id, program_kind, currency, as_of: String
    public var approvals: [Approval]
    public var payments: [Payment]
    public var other_entries: [Entry]
    public var entitled, paid, balance: String

    public init(_ statement: Statement) {
        partner_id = statement.partnerID
        program_id = statement.programID
        program_kind = statement.programKind.rawValue
        currency = statement.currency
        as_of = statement.asOf.description
        approvals = statement.approvals.map { line in
            Approval(
                id: line.approval.id, run: line.approval.runID, kind: line.approval.kind.rawValue, approved_on: line.approval.approvedOn.description,
                by: line.approval.actor, entitlement: line.entitlement.plainText, delta: line.delta.plainText,
                items: line.items.map { Item(item: $0.item, entitlement: $0.entitlement.plainText, delta: $0.delta.plainText) })
        }
        payments = statement.payments.map {
            Payment(reference: $0.reference, paid_on: $0.paidOn.description, amount: $0.amount.plainText, by: $0.actor ?? "")
        }
        other_entries = statement.otherEntries.map {
            Entry(kind: $0.kind.rawValue, effective_on: $0.effectiveOn.description, amount: $0.amount.plainText)
        }
        entitled = statement.entitled.plainText
        paid = statement.paid.plainText
        balance = statement.balance.plainText
    }

    /// One line per approval item, payment and other entry in date order with the balance after it, and a last
    /// `balance` line: the CSV of `incentives statement --format csv`.
    public static func csv(_ statements: [Statement]) -> String {
        var text = "partner_id,program_id,currency,date,entry,reference,item,entitlement,amount,balance\n"
        for statement in statements {
            var lines: [(date: Day, order: Int, fields: [String], amount: Int64)] = []
            for (index, approval) in statement.approvals.enumerated() {
                let record = approval.approval
                for item in approval.items {
                    lines.append(
                        (
                            record.approvedOn, index,
                            [record.kind.rawValue, "approval \(record.id) run \(record.runID)", item.item, item.entitlement.plainText],
                            item.delta.cents
                        ))
                }
            }
            let count = lines.count
            for (index, payment) in statement.payments.enumerated() {
                lines.append((payment.paidOn, count + index, ["payment", payment.reference, "", ""], -payment.amount.cents))
            }
            for (index, entry) in statement.otherEntries.enumerated() {
                lines.append((entry.effectiveOn, count + statement.payments.count + index, [entry.kind.rawValue, "", "", ""], entry.amount.cents))
            }
            lines.sort { ($0.date, $0.order) < ($1.date, $1.order) }
            var balance: Int64 = 0
            let start = [statement.partnerID, statement.programID, statement.currency]
            for line in lines {
                balance += line.amount
                let fields = start + [line.date.description] + line.fields + [Money(cents: line.amount).plainText, Money(cents: balance).plainText]
                text += fields.map(ResultsCSV.field).joined(separator: ",") + "\n"
            }
            let last = start + [statement.asOf.description, "balance", "", "", "", "", statement.balance.plainText]
            text += last.map(ResultsCSV.field).joined(separator: ",") + "\n"
        }
        return text
    }
}
