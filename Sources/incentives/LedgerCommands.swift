import ArgumentParser
import Foundation
import IncentiveEngine
import IncentiveLedger
import IncentiveStore

// The ledger on the command line (issue 17, ledger.md, docs/ledger.md): approvals with true-up, reopening a
// closed program, payments, statements and the entries themselves.

extension ApprovalKind: EnumerableFlag {}

struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve a stored run as interim or final: post each entitlement's change since the last approval (true-up).",
        discussion: """
            For every program of the run (or those given with --program), the run's amount of each (partner, item) \
            becomes its entitlement (MDF: its allocation, usable for funds_valid_months); the entry posted is the \
            difference to what was posted for that key before, negative for a clawback. All programs are approved \
            in one transaction. A final approval closes its program until `incentives reopen`. Approving the same \
            run the same way again changes nothing and says so.

            Examples:
              incentives approve 1 --interim
              incentives approve 2 --final --program VIP25-6M --on 2024-01-10
            """
    )

    @Argument(help: ArgumentHelp("The stored run to approve (see: incentives runs).", valueName: "run"))
    var runID: Int

    @Flag(help: "Interim (more approvals follow) or final (closes the program).")
    var kind: ApprovalKind

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program of the run (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Option(help: ArgumentHelp("The approval date, from which its entries count (default: today).", valueName: "YYYY-MM-DD"))
    var on: Day?

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let store = try workspace.open()
        let outcome: ApprovalOutcome
        do {
            outcome = try store.approve(run: runID, kind: kind, programs: programIDs, on: on)
        } catch let error as WorkspaceError {
            var message = error.commandLineMessage
            if error.code == .conflict,
                let closed = try? (programIDs.isEmpty ? store.runSummary(runID).programs.map(\.id) : programIDs)
                    .first(where: { try store.closure(of: $0).closed })
            {
                message += "\nreopen it with: incentives reopen \(closed) --reason \"...\""
            }
            throw CommandFailure(description: message)
        }
        for line in outcome.programs {
            if let later = line.laterRunApproved {
                Output.standardError(
                    "warning: \(line.programID): the later run \(later) was approved before; approving run \(runID) makes its older amounts the entitlement"
                )
            }
        }
        guard outcome.changed else {
            let programs = outcome.programs.map { line in
                "\(line.programID) (approval \(line.earlier?.id ?? 0) on \(line.earlier.map { "\($0.approvedOn)" } ?? "?"))"
            }
            Output.standardOutput(
                "run \(runID) is already approved as \(kind.rawValue) for \(programs.joined(separator: ", ")); nothing posted, nothing changed\n")
            return
        }
        var text = "run \(runID) approved as \(kind.rawValue) on \(outcome.approvedOn):\n"
        for line in outcome.programs {
            if let earlier = line.earlier {
                text +=
                    "  \(line.programID): already approved as \(kind.rawValue) (approval \(earlier.id) on \(earlier.approvedOn)); nothing posted\n"
                continue
            }
            let what = line.programKind == .mdf ? "allocation" : "entitlement change"
            text +=
                "  \(line.programID): approval \(line.approvalID!), \(line.entries) \(what)\(line.entries == 1 ? "" : "s") posted, "
                + "total \(line.total.groupedText) \(line.currency)"
            if line.clawbacks != .zero { text += " (clawbacks \(line.clawbacks.groupedText) \(line.currency))" }
            if let through = line.validThrough, line.entries > 0 { text += ", funds usable through \(through)" }
            if kind == .final { text += "; \(line.programID) is now closed" }
            text += "\n"
        }
        Output.standardOutput(Output.forPeople(text))
    }
}

struct Reopen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reopen a program closed by a final approval, so that it can be approved again.",
        discussion: """
            The reason is recorded with who reopened and when. Reopening a program that is not closed changes nothing.

            Example:
              incentives reopen VIP25-6M --reason "credit note CN-7 arrived after the final approval"
            """
    )

    @Argument(help: ArgumentHelp("The program id.", valueName: "program"))
    var program: String

    @Option(help: ArgumentHelp("Why it is reopened (required).", valueName: "text"))
    var reason: String

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let reopened = try workspace.attempt { try $0.reopen(program: program, reason: reason) }
        Output.standardOutput(
            Output.forPeople(reopened ? "\(program) reopened: it can be approved again\n" : "\(program) is not closed; nothing changed\n"))
    }
}

struct Payments: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record payments to partners (cash programs) and list them.",
        discussion: """
            A payment lowers the partner's balance due of the program. Its reference (credit memo or payment \
            number) is unique: the same payment again changes nothing; the reference with other values is an error. \
            MDF funds are paid through claims, not payments.
            """,
        subcommands: [Add.self, Import.self, List.self]
    )

    static func report(_ outcome: PaymentsOutcome) -> String {
        var text = ""
        for payment in outcome.alreadyRecorded {
            text += "\(payment.reference): already recorded, nothing changed\n"
        }
        for payment in outcome.added {
            text +=
                "\(payment.reference): recorded \(payment.amount.groupedText) \(payment.currency) to \(payment.partnerID) for \(payment.programID), paid on \(payment.paidOn)\n"
        }
        if outcome.added.count > 1 || (outcome.added.count == 1 && !outcome.alreadyRecorded.isEmpty) {
            text += "\(outcome.added.count) payments recorded, \(outcome.alreadyRecorded.count) already recorded\n"
        }
        return Output.forPeople(text)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record one payment.",
            discussion: """
                Example:
                  incentives payments add --partner NL1001 --program VIP25-6M --amount 1200.00 --currency EUR --reference PAY-1 --paid-on 2023-10-20
                """)

        @Option(help: ArgumentHelp("The partner id.", valueName: "id"))
        var partner: String
        @Option(help: ArgumentHelp("The (cash) program id.", valueName: "id"))
        var program: String
        @Option(help: ArgumentHelp("The amount paid, > 0, at most 2 decimals.", valueName: "amount"))
        var amount: String
        @Option(help: ArgumentHelp("The program's currency (ISO 4217).", valueName: "code"))
        var currency: String
        @Option(help: ArgumentHelp("The credit memo or payment number (unique).", valueName: "text"))
        var reference: String
        @Option(name: .customLong("paid-on"), help: ArgumentHelp("The day paid.", valueName: "YYYY-MM-DD"))
        var paidOn: String

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            do {
                let outcome = try store.addPayment(
                    partner: partner, program: program, amount: amount, currency: currency, reference: reference, paidOn: paidOn,
                    source: "payments add")
                Output.standardOutput(Payments.report(outcome))
            } catch {
                throw Terminal.reportProblems(error, outcome: "no payment was recorded; the workspace is unchanged")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the payments of a CSV file, all or nothing.",
            discussion: """
                The columns, exactly: partner_id,program_id,amount,currency,reference,paid_on. Every line is checked \
                first; any problem is reported with file, line, column and value, and nothing is recorded.

                Example:
                  incentives payments import payments.csv
                """)

        @Argument(help: ArgumentHelp("The payments file.", valueName: "file"))
        var file: String

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            do {
                let outcome = try store.importPayments(path: file)
                Output.standardOutput(Payments.report(outcome))
            } catch {
                throw Terminal.reportProblems(error, outcome: "no payment was recorded; the workspace is unchanged")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the recorded payments, by date paid.")

        @Option(help: ArgumentHelp("Only this partner's.", valueName: "id"))
        var partner: String?
        @Option(help: ArgumentHelp("Only this program's.", valueName: "id"))
        var program: String?

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let payments = try workspace.attempt { try $0.payments(partner: partner, program: program) }
            let text = Output.listing(payments, none: "no payments recorded") { payment in
                "\(payment.paidOn)  \(payment.reference)  \(payment.partnerID)  \(payment.programID)  \(payment.amount.groupedText) \(payment.currency)  by \(payment.actor ?? "")"
            }
            Output.standardOutput(Output.forPeople(text))
        }
    }
}

struct StatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement",
        abstract: "A partner's statement per program as of a date: approvals with entitlement and delta per item, payments, balance.",
        discussion: """
            One statement per program with ledger entries for the partner (or the one given). For a cash program \
            (VIP) the balance is the balance due (entitlements - payments), negative after a clawback; for an MDF \
            program it is the partner's funds (allocations - paid claims - expired).

            Examples:
              incentives statement NL1001
              incentives statement NL1001 --program VIP25-6M --as-of 2023-12-31 --format csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    @Argument(help: ArgumentHelp("The partner id.", valueName: "partner"))
    var partner: String

    @Option(help: ArgumentHelp("Only this program.", valueName: "id"))
    var program: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Entries effective on or before this day (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: Day?

    @Option(help: "Output format: text, csv or json.")
    var format: Format = .text

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let statements = try workspace.attempt { try $0.statements(partner: partner, program: program, asOf: asOf) }
        switch format {
        case .text:
            let text =
                statements.isEmpty
                ? "no ledger entries for \(partner) yet (approve a run with: incentives approve RUN --interim)\n"
                : statements.map(StatementText.text).joined(separator: "\n")
            Output.standardOutput(Output.forPeople(text))
        case .csv: Output.standardOutput(StatementDocument.csv(statements))
        case .json: Output.standardOutput(try StatementText.json(statements))
        }
    }
}

/// Statements as `incentives statement` writes them.
enum StatementText {
    static func balanceName(_ statement: IncentiveLedger.Statement) -> String { statement.programKind == .mdf ? "funds" : "balance due" }

    static func text(_ statement: IncentiveLedger.Statement) -> String {
        let currency = statement.currency
        var text =
            "Statement of \(statement.partnerID), \(statement.programID) (\(statement.programKind.rawValue.uppercased()), \(currency)), as of \(statement.asOf)\n"
        text += "\nApprovals\n"
        if statement.approvals.isEmpty { text += "  none\n" }
        let width = max(5, statement.approvals.flatMap(\.items).map(\.item.count).max() ?? 0)
        for line in statement.approvals {
            let approval = line.approval
            text += "  \(approval.approvedOn)  approval \(approval.id), run \(approval.runID), \(approval.kind.rawValue), by \(approval.actor)\n"
            text +=
                "    " + "item".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad("entitlement", 14) + "  " + pad("delta", 14) + "\n"
            for item in line.items {
                text +=
                    "    " + item.item.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad(item.entitlement.groupedText, 14) + "  "
                    + pad(item.delta.groupedText, 14) + "\n"
            }
            text +=
                "    " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad(line.entitlement.groupedText, 14) + "  "
                + pad(line.delta.groupedText, 14) + "\n"
        }
        if statement.programKind != .mdf || !statement.payments.isEmpty {
            text += "\nPayments\n"
            if statement.payments.isEmpty { text += "  none\n" }
            for payment in statement.payments {
                text += "  \(payment.paidOn)  \(payment.reference)  \(pad(payment.amount.groupedText, 14)) \(currency)  by \(payment.actor ?? "")\n"
            }
        }
        if !statement.otherEntries.isEmpty {
            text += "\nOther entries\n"
            for entry in statement.otherEntries {
                text += "  \(entry.effectiveOn)  \(entry.kind.rawValue)  \(pad(entry.amount.groupedText, 14)) \(currency)\n"
            }
        }
        text += "\n"
        text += "  " + "entitled".padding(toLength: 12, withPad: " ", startingAt: 0) + pad(statement.entitled.groupedText, 14) + " \(currency)\n"
        if statement.programKind != .mdf {
            text += "  " + "paid".padding(toLength: 12, withPad: " ", startingAt: 0) + pad(statement.paid.groupedText, 14) + " \(currency)\n"
        }
        text +=
            "  " + balanceName(statement).padding(toLength: 12, withPad: " ", startingAt: 0) + pad(statement.balance.groupedText, 14)
            + " \(currency)\n"
        return text
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// `{"statements": [...]}`, amounts as exact decimal strings (`"-200.00"`).
    static func json(_ statements: [IncentiveLedger.Statement]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = StatementDocument.List(statements: statements.map(StatementDocument.init))
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "List the ledger's entries, oldest first: what was posted, from what, by whom and when.",
        discussion: """
            Entries are never changed or deleted; a correction is a new entry. Amounts are signed as they count \
            toward their balance (payments, paid claims and lapsed funds negative).

            Example:
              incentives ledger --partner NL1001 --format csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv }

    @Option(help: ArgumentHelp("Only this partner's.", valueName: "id"))
    var partner: String?
    @Option(help: ArgumentHelp("Only this program's.", valueName: "id"))
    var program: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Only entries effective on or before this day.", valueName: "YYYY-MM-DD"))
    var asOf: Day?
    @Option(help: ArgumentHelp("Show at most this many entries, the oldest.", valueName: "N"))
    var limit = 1000
    @Option(help: "Output format: text or csv.")
    var format: Format = .text

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit \(limit): give the number of entries to show, 1 or more") }
    }

    static func source(_ source: EntrySource) -> String {
        switch source {
        case .approval(let id): "approval \(id)"
        case .payment(let id): "payment \(id)"
        case .claim(let id): "claim \(id)"
        case .allocation(let id): "allocation \(id)"
        }
    }

    func run() throws {
        let page = try workspace.attempt { try $0.ledgerEntries(EntryFilter(partner: partner, program: program, asOf: asOf), limit: limit) }
        let header = ["id", "effective_on", "kind", "program_id", "partner_id", "item", "amount", "currency", "valid_through", "source", "at", "by"]
        let rows = page.items.map { stored in
            let entry = stored.entry
            return [
                String(stored.id), entry.effectiveOn.description, entry.kind.rawValue, entry.programID, entry.partnerID, entry.item ?? "",
                entry.amount.plainText, entry.currency, entry.validThrough?.description ?? "", Self.source(entry.source), stored.at, stored.actor,
            ]
        }
        switch format {
        case .csv:
            Output.standardOutput((([header] + rows).map { $0.map(ResultsCSV.field).joined(separator: ",") + "\n" }).joined())
        case .text:
            guard !rows.isEmpty else {
                Output.standardOutput("no ledger entries\n")
                return
            }
            var widths = header.map(\.count)
            for row in rows { for index in row.indices { widths[index] = max(widths[index], row[index].count) } }
            let lines = ([header] + rows).map { row in
                row.enumerated().map { index, cell in
                    index == 6 ? StatementText.pad(cell, widths[index]) : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            }
            var text = lines.joined()
            if page.total > rows.count { text += "(\(rows.count) of \(page.total) entries shown, oldest first; see --limit)\n" }
            Output.standardOutput(Output.forPeople(text))
        }
    }
}
