import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

/// What recording payments did: those added, and those already recorded with identical fields (skipped).
public struct PaymentsOutcome: Sendable {
    public var added: [PaymentRecord]
    public var alreadyRecorded: [PaymentRecord]
}

extension Workspace {
    /// Records one payment given as text (the command line's or a form's values, in `PaymentValidation.columns`
    /// order), checked as a line of `payments.csv`; `source` names it in messages.
    public func addPayment(
        partner: String, program: String, amount: String, currency: String, reference: String, paidOn: String, source: String = "payment",
        by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> PaymentsOutcome {
        try recordPayments(
            [PaymentValidation.Input(file: source, line: nil, values: [partner, program, amount, currency, reference, paidOn])], file: nil,
            by: actor)
    }

    /// Imports `payments.csv` (columns exactly `partner_id,program_id,amount,currency,reference,paid_on`): every line
    /// is checked first, every problem named with file, line, column and value; one problem and nothing is written.
    public func importPayments(path: String, displayName: String? = nil, by actor: Actor = .operatingSystemUser()) throws(DiagnosticReport)
        -> PaymentsOutcome
    {
        let name = displayName ?? path
        let reader = try CSVReader(path: path, displayName: name)
        guard reader.header == PaymentValidation.columns else {
            throw DiagnosticReport(
                Diagnostic(
                    file: name, line: 1, value: reader.headerSummary,
                    message: "expected the columns \(PaymentValidation.columns.joined(separator: ",")) (exactly, in this order)"))
        }
        var inputs: [PaymentValidation.Input] = []
        var problems = DiagnosticCollector()
        while try reader.next() {
            if let problem = reader.recordProblem {
                problems.error(file: name, line: reader.recordLine, column: reader.recordProblemColumn, problem)
                continue
            }
            if reader.fieldCount != PaymentValidation.columns.count {
                problems.error(
                    file: name, line: reader.recordLine, "expected \(PaymentValidation.columns.count) fields, found \(reader.fieldCount)")
                continue
            }
            inputs.append(
                PaymentValidation.Input(file: name, line: reader.recordLine, values: (0..<reader.fieldCount).map { reader.string($0) }))
        }
        if problems.hasErrors { throw DiagnosticReport(problems) }
        if inputs.isEmpty { throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "the file holds no payments")) }
        return try recordPayments(inputs, file: (path as NSString).lastPathComponent, by: actor)
    }

    /// Checks and records payments in one transaction (the checks against stored payments inside it, so two
    /// writers cannot both record one reference).
    private func recordPayments(_ inputs: [PaymentValidation.Input], file: String?, by actor: Actor) throws(DiagnosticReport) -> PaymentsOutcome {
        do {
            return try ledgerWrite { db throws -> PaymentsOutcome in
                let context = try Self.paymentContext(db, inputs)
                let checked = PaymentValidation.check(inputs, context: context)
                if checked.problems.hasErrors { throw DiagnosticReport(checked.problems) }
                let unchanged = PaymentsOutcome(added: [], alreadyRecorded: checked.alreadyRecorded)
                guard !checked.new.isEmpty else { throw NothingChanged(outcome: unchanged) }
                let at = now()
                let inserter = try LedgerRows.Inserter(db, at: at, actor: actor)
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO payments(reference, program_id, partner_id, amount_cents, currency, paid_on, file_name, line, at, actor_kind, actor)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                var added: [PaymentRecord] = []
                for (payment, line) in checked.new {
                    try statement.execute(arguments: [
                        payment.reference, payment.programID, payment.partnerID, payment.amount.cents, payment.currency, payment.paidOn.description,
                        file, line, at, actor.kind.rawValue, actor.name,
                    ])
                    var stored = payment
                    stored.id = Int(db.lastInsertedRowID)
                    stored.actor = actor.description
                    try inserter.insert(payment.entry(id: stored.id!))
                    added.append(stored)
                }
                let total = Money(cents: added.reduce(0) { $0 + $1.amount.cents })
                if let file {
                    try audit(
                        db, actor, .paymentsImport, subject: file,
                        detail: "\(added.count) payments added (\(total.plainText)), \(checked.alreadyRecorded.count) already recorded")
                } else {
                    let payment = added[0]
                    try audit(
                        db, actor, .payment, subject: payment.reference,
                        detail: "\(payment.partnerID) \(payment.programID) \(payment.amount.plainText) \(payment.currency) paid on \(payment.paidOn)")
                }
                Failpoint.reach(file == nil ? "payment-before-commit" : "payments-import-before-commit")
                return PaymentsOutcome(added: added, alreadyRecorded: checked.alreadyRecorded)
            }
        } catch let report as DiagnosticReport {
            throw report
        } catch let error as WorkspaceError {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "no payment was recorded: \(error.message)"))
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "no payment was recorded: \(error)"))
        }
    }

    /// What the checks need: the partners and stored references the inputs name, the programs.
    static func paymentContext(_ db: Database, _ inputs: [PaymentValidation.Input]) throws -> PaymentContext {
        var known: Set<String> = []
        var stored: [String: PaymentRecord] = [:]
        let partnerStatement = try db.makeStatement(sql: "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = ?)")
        for partner in Set(inputs.compactMap { $0.values.first }) {
            if try Bool.fetchOne(partnerStatement, arguments: [partner]) == true { known.insert(partner) }
        }
        for reference in Set(inputs.compactMap { $0.values.count > 4 ? $0.values[4] : nil }) {
            if let payment = try paymentRows(db, "WHERE reference = ?", [reference]).first { stored[reference] = payment }
        }
        var programs: [String: (kind: ProgramKind, currency: String)] = [:]
        for version in try ProgramStore.latest(db) {
            let program = try ProgramStore.parse(version)
            programs[program.id] = (program.kind, program.currency)
        }
        let partners = known
        return PaymentContext(isKnownPartner: { partners.contains($0) }, programs: programs, stored: stored)
    }

    /// The recorded payments by date paid, then reference; of one partner and/or program when given.
    public func payments(partner: String? = nil, program: String? = nil) throws -> [PaymentRecord] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let partner {
            conditions.append("partner_id = ?")
            arguments.append(partner)
        }
        if let program {
            conditions.append("program_id = ?")
            arguments.append(program)
        }
        return try pool.read { db in
            try Self.paymentRows(db, conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), arguments)
        }
    }

    static func paymentRows(_ db: Database, _ whereClause: String, _ arguments: [any DatabaseValueConvertible]) throws -> [PaymentRecord] {
        // Kept prepared by the connection (one statement per `whereClause`): a statement reads this for every program.
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT id, reference, program_id, partner_id, amount_cents, currency, paid_on, actor_kind, actor FROM payments \(whereClause)
                ORDER BY paid_on, reference
                """, arguments: StatementArguments(arguments)
        ).map { row in
            PaymentRecord(
                id: row[0], reference: row[1], programID: row[2], partnerID: row[3], amount: Money(cents: row[4]), currency: row[5],
                paidOn: try LedgerRows.day(row[6], "paid_on"), actor: "\(row[8] as String) (\(row[7] as String))")
        }
    }
}
