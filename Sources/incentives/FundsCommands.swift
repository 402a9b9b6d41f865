import ArgumentParser
import Foundation
import IncentiveEngine
import IncentiveLedger
import IncentiveStore

/// `incentives funds`: the MDF funds wallet (issue 17 point 5, docs/funds.md): wallets, requests, claims, lapses.
struct Funds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "MDF funds: a partner's wallet, fund requests, claims with proof, and lapsed funds.",
        discussion: """
            Approving an MDF run allocates funds, usable for funds_valid_months (default 12). A partner files a \
            fund request for an activity; an admin approves it (possibly for less, never above the free funds) or \
            rejects it. After the activity a claim with proof files (PDF, PNG or JPEG, at most 10 MiB each) is \
            submitted within claim_within_days (default 28) of its end, approved up to the request's approved \
            amount and paid with a reference. Unused funds lapse the day after their last usable day, oldest first. \
            Every operation happens today (the workspace's clock) and is in the audit log (incentives log).
            """,
        subcommands: [Show.self, Requests.self, Claims.self, Expire.self]
    )

    /// An amount option: above 0, at most 2 decimals, no thousands separators.
    static func amount(_ text: String, option: String) throws -> Money {
        let result = FieldParsing.withBytes(text.trimmingCharacters(in: .whitespaces)) {
            FieldParsing.decimal($0, scale: 2, allowNegative: false)
        }
        switch result {
        case .success(let cents) where cents > 0: return Money(cents: cents)
        case .success: throw ValidationError("\(option) \"\(Diagnostic.escaped(text))\": expected an amount above 0")
        case .failure(let problem):
            throw ValidationError("\(option) \"\(Diagnostic.escaped(text))\": \(FieldParsing.explain(problem, decimals: 2, what: "an amount"))")
        }
    }

    static func day(_ text: String, option: String) throws -> Day {
        guard let day = Day(iso: text) else {
            throw ValidationError("\(option) \"\(Diagnostic.escaped(text))\": expected a real calendar date YYYY-MM-DD")
        }
        return day
    }

    /// What an operation says: what it did and what it posted, or that nothing changed.
    static func report(_ change: FundsChange, _ what: String) {
        guard change.changed else {
            Output.standardOutput(Output.forPeople(change.message + "\n"))
            return
        }
        var text = "\(what): \(change.message)\n"
        for entry in change.posted {
            text += "posted \(entry.kind.rawValue) \(entry.amount.groupedText) \(entry.currency) effective \(entry.effectiveOn)\n"
        }
        let wallet = change.wallet
        text += "\(wallet.partnerID) \(wallet.programID) now: \(FundsText.summary(wallet))\n"
        Output.standardOutput(Output.forPeople(text))
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a partner's MDF wallet as of a date: allocations, requests, claims, funds and what is available.",
            discussion: """
                Lapses due by the date are applied and listed as due until a write or incentives funds expire posts \
                them. Available = free funds of unexpired allocations - debt - pending requests, never below zero.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Argument(help: "The partner id.")
        var partner: String

        @Option(help: ArgumentHelp("Only this MDF program (default: every one the partner has funds or requests in).", valueName: "id"))
        var program: String?

        @Option(name: .customLong("as-of"), help: ArgumentHelp("The date (default: today).", valueName: "YYYY-MM-DD"))
        var asOf: String?

        @Option(help: "Output format: text or json.")
        var format: Format = .text

        @OptionGroup var workspace: WorkspaceOption

        func validate() throws { _ = try asOf.map { try Funds.day($0, option: "--as-of") } }

        func run() throws {
            let day = try asOf.map { try Funds.day($0, option: "--as-of") }
            let wallets = try workspace.attempt { try $0.fundsWallets(partner: partner, program: program, asOf: day) }
            switch format {
            case .text:
                let text = wallets.isEmpty ? "\(partner) has no MDF funds or requests\n" : wallets.map(FundsText.wallet).joined(separator: "\n")
                Output.standardOutput(Output.forPeople(text))
            case .json: Output.standardOutput(try FundsText.json(wallets))
            }
        }
    }

    struct Requests: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "File, approve, reject, withdraw and list fund requests.",
            subcommands: [Add.self, Approve.self, Reject.self, Withdraw.self, List.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "File a fund request: pending until an admin approves or rejects it.")

            @Option(help: ArgumentHelp("The partner id.", valueName: "id")) var partner: String
            @Option(help: ArgumentHelp("The MDF program id.", valueName: "id")) var program: String
            @Option(help: "What the activity is (a few words).") var activity: String
            @Option(help: "More about the activity.") var description: String = ""
            @Option(name: .customLong("planned-cost"), help: ArgumentHelp("The planned cost, like 1200.00.", valueName: "amount"))
            var plannedCost: String
            @Option(name: .customLong("starts-on"), help: ArgumentHelp("The activity's first day.", valueName: "YYYY-MM-DD")) var startsOn: String
            @Option(name: .customLong("ends-on"), help: ArgumentHelp("The activity's last day.", valueName: "YYYY-MM-DD")) var endsOn: String
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws {
                _ = try Funds.amount(plannedCost, option: "--planned-cost")
                _ = try Funds.day(startsOn, option: "--starts-on")
                _ = try Funds.day(endsOn, option: "--ends-on")
            }

            func run() throws {
                let input = FundRequestInput(
                    programID: program, partnerID: partner, activity: activity, description: description,
                    plannedCost: try Funds.amount(plannedCost, option: "--planned-cost"), startsOn: try Funds.day(startsOn, option: "--starts-on"),
                    endsOn: try Funds.day(endsOn, option: "--ends-on"))
                let change = try workspace.attempt { try $0.fileFundRequest(input) }
                Funds.report(change, "filed fund request \(change.id)")
            }
        }

        struct Approve: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Approve a pending request, for its planned cost or less; refused above the partner's free funds.")

            @Argument(help: "The request id.") var id: Int
            @Option(help: ArgumentHelp("Approve for this amount (default: the planned cost).", valueName: "amount")) var amount: String?
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws { _ = try amount.map { try Funds.amount($0, option: "--amount") } }

            func run() throws {
                let amount = try self.amount.map { try Funds.amount($0, option: "--amount") }
                let change = try workspace.attempt { try $0.approveFundRequest(id, amount: amount) }
                Funds.report(change, "approved fund request \(id)")
            }
        }

        struct Reject: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Reject a pending or approved request with a reason; an approved one returns its funds.")

            @Argument(help: "The request id.") var id: Int
            @Option(help: "Why (required).") var reason: String
            @OptionGroup var workspace: WorkspaceOption

            func run() throws {
                let change = try workspace.attempt { try $0.endFundRequest(id, rejectedFor: reason) }
                Funds.report(change, "rejected fund request \(id)")
            }
        }

        struct Withdraw: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Withdraw a pending or approved request; an approved one returns its funds.")

            @Argument(help: "The request id.") var id: Int
            @OptionGroup var workspace: WorkspaceOption

            func run() throws {
                let change = try workspace.attempt { try $0.endFundRequest(id, rejectedFor: nil) }
                Funds.report(change, "withdrew fund request \(id)")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List fund requests, oldest first (--status pending: the queue to decide).")

            @Option(help: ArgumentHelp("Only this partner's.", valueName: "id")) var partner: String?
            @Option(help: ArgumentHelp("Only this program's.", valueName: "id")) var program: String?
            @Option(help: ArgumentHelp("Only requests with this status.", valueName: "pending|approved|rejected|withdrawn|closed")) var status:
                String?
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws {
                if let status, FundRequestStatus(rawValue: status) == nil {
                    throw ValidationError(
                        "--status \"\(Diagnostic.escaped(status))\": expected one of \(FundRequestStatus.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }

            func run() throws {
                let filter = FundsFilter(partnerID: partner, programID: program, status: status)
                let requests = try workspace.attempt { try $0.fundRequests(filter) }
                if requests.isEmpty { return Output.standardOutput("no fund requests match\n") }
                let rows = requests.map { request in
                    [
                        String(request.id), request.partnerID, request.programID, request.status.rawValue, request.plannedCost.groupedText,
                        request.approved?.groupedText ?? "-", "\(request.startsOn)..\(request.endsOn)",
                        request.activity
                            + (request.reason.map { " (rejected: \($0))" } ?? ""),
                    ]
                }
                Output.standardOutput(
                    Output.forPeople(Users.table(["ID", "PARTNER", "PROGRAM", "STATUS", "PLANNED", "APPROVED", "DATES", "ACTIVITY"], rows)))
            }
        }
    }

    struct Claims: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit, approve, reject, withdraw, pay and list claims.",
            subcommands: [Add.self, Approve.self, Reject.self, Withdraw.self, Pay.self, List.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Submit a claim against an approved request, with proof files, within claim_within_days after the activity.")

            @Option(help: ArgumentHelp("The approved fund request.", valueName: "id")) var request: Int
            @Option(name: .customLong("actual-cost"), help: ArgumentHelp("What the activity cost, like 1150.00.", valueName: "amount"))
            var actualCost: String
            @Option(help: ArgumentHelp("A proof file (PDF, PNG or JPEG, at most 10 MiB); repeat for more.", valueName: "file"))
            var proof: [String] = []
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws {
                _ = try Funds.amount(actualCost, option: "--actual-cost")
                if proof.isEmpty { throw ValidationError("a claim needs at least one --proof FILE") }
            }

            func run() throws {
                var proofs: [ProofFile] = []
                for path in proof {
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                        throw CommandFailure(description: "\(path): no such file (--proof)")
                    }
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                    guard size <= ProofFile.maximumSize else {
                        throw CommandFailure(
                            description: "\(path): \(size) bytes, at most 10 MiB (10,485,760 bytes) per proof file; nothing was changed")
                    }
                    guard let content = FileManager.default.contents(atPath: path) else {
                        throw CommandFailure(description: "\(path): cannot be read")
                    }
                    proofs.append(ProofFile(fileName: (path as NSString).lastPathComponent, content: content))
                }
                let cost = try Funds.amount(actualCost, option: "--actual-cost")
                let change = try workspace.attempt { try $0.submitClaim(request: request, actualCost: cost, proofs: proofs) }
                Funds.report(change, "submitted claim \(change.id)")
            }
        }

        struct Approve: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Approve a submitted claim, at most its request's approved amount and its actual cost.")

            @Argument(help: "The claim id.") var id: Int
            @Option(help: ArgumentHelp("Approve for this amount (default: as much as allowed).", valueName: "amount")) var amount: String?
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws { _ = try amount.map { try Funds.amount($0, option: "--amount") } }

            func run() throws {
                let amount = try self.amount.map { try Funds.amount($0, option: "--amount") }
                let change = try workspace.attempt { try $0.approveClaim(id, amount: amount) }
                Funds.report(change, "approved claim \(id)")
            }
        }

        struct Reject: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Reject a submitted or approved claim with a reason; its request stays approved.")

            @Argument(help: "The claim id.") var id: Int
            @Option(help: "Why (required).") var reason: String
            @OptionGroup var workspace: WorkspaceOption

            func run() throws {
                let change = try workspace.attempt { try $0.endClaim(id, rejectedFor: reason) }
                Funds.report(change, "rejected claim \(id)")
            }
        }

        struct Withdraw: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Withdraw a submitted or approved claim; its request stays approved.")

            @Argument(help: "The claim id.") var id: Int
            @OptionGroup var workspace: WorkspaceOption

            func run() throws {
                let change = try workspace.attempt { try $0.endClaim(id, rejectedFor: nil) }
                Funds.report(change, "withdrew claim \(id)")
            }
        }

        struct Pay: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record the payment of an approved claim with a unique reference; what its request held beyond it returns.")

            @Argument(help: "The claim id.") var id: Int
            @Option(help: ArgumentHelp("The payment reference (unique).", valueName: "text")) var reference: String
            @Option(name: .customLong("paid-on"), help: ArgumentHelp("The payment date (default: today).", valueName: "YYYY-MM-DD")) var paidOn:
                String?
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws { _ = try paidOn.map { try Funds.day($0, option: "--paid-on") } }

            func run() throws {
                let day = try paidOn.map { try Funds.day($0, option: "--paid-on") }
                let change = try workspace.attempt { try $0.payClaim(id, reference: reference, paidOn: day) }
                Funds.report(change, "paid claim \(id)")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List claims with their proof files, oldest first (--status submitted: the queue).")

            @Option(help: ArgumentHelp("Only this partner's.", valueName: "id")) var partner: String?
            @Option(help: ArgumentHelp("Only this program's.", valueName: "id")) var program: String?
            @Option(help: ArgumentHelp("Only claims with this status.", valueName: "submitted|approved|rejected|withdrawn|paid")) var status: String?
            @OptionGroup var workspace: WorkspaceOption

            func validate() throws {
                if let status, ClaimStatus(rawValue: status) == nil {
                    throw ValidationError(
                        "--status \"\(Diagnostic.escaped(status))\": expected one of \(ClaimStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }

            func run() throws {
                let claims = try workspace.attempt { try $0.claims(FundsFilter(partnerID: partner, programID: program, status: status)) }
                if claims.isEmpty { return Output.standardOutput("no claims match\n") }
                var text = ""
                for claim in claims {
                    var words = "claim \(claim.id)  request \(claim.requestID)  \(claim.partnerID) \(claim.programID)  \(claim.status.rawValue)"
                    words += "  actual \(claim.actualCost.groupedText)  submitted \(claim.submittedOn)"
                    if let approved = claim.approved { words += "  approved \(approved.groupedText)" }
                    if let reference = claim.reference, let paidOn = claim.paidOn { words += "  paid \(paidOn) \(reference)" }
                    if let reason = claim.reason { words += "  rejected: \(reason)" }
                    text += words + "\n"
                    for proof in claim.proofs {
                        text += "  proof \(proof.fileName)  \(proof.contentType)  \(proof.size) bytes  sha256 \(proof.sha256)\n"
                    }
                }
                Output.standardOutput(Output.forPeople(text))
            }
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post the lapses due by a date (default today) in every wallet: free funds of allocations past their last usable day.",
            discussion: "Every funds operation posts the lapses of its wallet first; this posts them for every wallet at once."
        )

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Post lapses due by this date, at the latest today.", valueName: "YYYY-MM-DD"))
        var asOf: String?
        @OptionGroup var workspace: WorkspaceOption

        func validate() throws { _ = try asOf.map { try Funds.day($0, option: "--as-of") } }

        func run() throws {
            let day = try asOf.map { try Funds.day($0, option: "--as-of") }
            let posted = try workspace.attempt { try $0.expireFunds(asOf: day) }
            if posted.isEmpty { return Output.standardOutput("no funds lapse by \(day ?? Terminal.clock.today); nothing posted\n") }
            var text = ""
            for entry in posted {
                text +=
                    "posted expired \(entry.amount.groupedText) \(entry.currency) for \(entry.partnerID) \(entry.programID) effective \(entry.effectiveOn)\n"
            }
            Output.standardOutput(Output.forPeople(text))
        }
    }
}

/// How the funds commands write a wallet.
enum FundsText {
    static func summary(_ wallet: WalletState) -> String {
        func amount(_ money: Money) -> String { money.groupedText }
        return "funds \(amount(wallet.funds)), free \(amount(wallet.free)), held \(amount(wallet.held)), pending \(amount(wallet.pending)), "
            + "available \(amount(wallet.available)) \(wallet.currency)" + (wallet.debt.cents > 0 ? ", debt \(amount(wallet.debt))" : "")
    }

    static func wallet(_ wallet: WalletState) -> String {
        var text = "\(wallet.partnerID) in \(wallet.programID) as of \(wallet.asOf): \(summary(wallet))\n"
        if !wallet.allocations.isEmpty {
            text += "\nallocations (oldest first)\n"
            text += Users.table(
                ["ID", "FROM", "USABLE THROUGH", "AMOUNT", "FREE", "HELD", "SPENT", "LAPSED"],
                wallet.allocations.map {
                    [
                        String($0.id), $0.effectiveOn.description, $0.validThrough.description, $0.amount.groupedText, $0.free.groupedText,
                        $0.held.groupedText, $0.spent.groupedText, $0.lapsed.groupedText,
                    ]
                })
        }
        if !wallet.requests.isEmpty {
            text += "\nrequests\n"
            text += Users.table(
                ["ID", "STATUS", "PLANNED", "APPROVED", "HELD", "ACTIVITY DATES"],
                wallet.requests.map {
                    [
                        String($0.id), $0.status.rawValue, $0.plannedCost.groupedText, $0.approved?.groupedText ?? "-", $0.held.groupedText,
                        "\($0.startsOn)..\($0.endsOn)",
                    ]
                })
        }
        if !wallet.claims.isEmpty {
            text += "\nclaims\n"
            text += Users.table(
                ["ID", "REQUEST", "STATUS", "ACTUAL", "APPROVED", "PAID"],
                wallet.claims.map { claim in
                    [
                        String(claim.id), String(claim.requestID), claim.status.rawValue, claim.actualCost.groupedText,
                        claim.approved?.groupedText ?? "-",
                        claim.paidOn.map { "\($0) \(claim.reference ?? "")" } ?? "-",
                    ]
                })
        }
        if !wallet.due.isEmpty {
            text += "\ndue, not yet posted (the next funds operation or incentives funds expire posts them)\n"
            for entry in wallet.due { text += "  \(entry.kind.rawValue) \(entry.amount.groupedText) effective \(entry.effectiveOn)\n" }
        }
        return text
    }

    /// The wallets as `{"wallets": [...]}` (`WalletDocument`, the API's document too); amounts as decimal strings
    /// (exact), dates as YYYY-MM-DD.
    static func json(_ wallets: [WalletState]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(WalletDocument.List(wallets)), as: UTF8.self) + "\n"
    }
}
