import Foundation
import HTTPTypes
import Hummingbird
import IncentiveAdvisor
import IncentiveEngine
import IncentiveLedger
import IncentiveStore

/// The ledger's pages (issue 17 point 6): a partner's statements (printable on A4), its MDF funds page (the wallet,
/// its requests with a form to file one and to withdraw one, its claims), and the admins' queue `/queues` (pending
/// requests and submitted claims, with forms to approve or reject each). Same access as the partner page: another
/// partner's page is 404, the queue is 404 to a partner user; every form carries the session's CSRF token and is
/// refused (403) without it.
struct LedgerPages: Sendable {
    let pages: Pages
    var workspace: Workspace { pages.workspace }

    func register(on routes: Routes) {
        routes.get("partners/{id}/statement") { request, context in try await statement(request, context) }
        routes.get("partners/{id}/funds") { request, context in try await funds(request, context, outcome: nil) }
        routes.post("partners/{id}/funds") { request, context in try await fundsForm(request, context) }
        routes.get("queues") { request, context in try await queues(request, context, outcome: nil) }
        routes.post("queues") { request, context in try await queuesForm(request, context) }
        routes.post("runs/{id}") { request, context in try await runForm(request, context) }
    }

    /// What a form post came to.
    struct Outcome: Sendable {
        var done: String?
        var problem: String?
    }

    /// The session of a page, or the login page.
    func session(_ context: AppContext) -> Session? { context.session }

    // MARK: Statement

    struct StatementPage: Sendable {
        struct Item: Sendable { var item, entitlement, delta: String }
        struct Approval: Sendable {
            var heading: String
            var items: [Item]
            var entitlement, delta: String
        }
        struct Payment: Sendable { var date, reference, amount: String }
        struct Entry: Sendable { var date, kind, amount: String }
        struct Program: Sendable {
            var heading: String
            var approvals: [Approval]
            var payments: [Payment]
            var showPayments: Bool
            var noPayments: Bool
            var others: [Entry]
            var hasOthers: Bool
            var entitled, paid, balance, balanceName: String
            var isCash: Bool
        }
        var w: [String: String]
        var partner, asOf: String
        var programs: [Program]
        var isEmpty: Bool
        var fundsLink: String
    }

    func statement(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let session = session(context) else { return Pages.redirect("/login") }
        let id = try context.parameters.require("id")
        guard session.user.mayView(partner: id) else { return try pages.notFound(request, context, session: session) }
        let query = request.uri.queryParameters
        let program = query["program"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let asOf = try query["as_of"].flatMap { $0.isEmpty ? nil : $0 }.map { try LedgerAPI.day(String($0), name: "as_of") }
        let workspace = self.workspace
        let language = Language.of(request)
        let w = LedgerText.words(language)
        // Read and written in one go on the short-work threads, first come first served, as the partner page is.
        let body: String
        do {
            body = try await quick {
                let statements = try workspace.statements(partner: id, program: program, asOf: asOf)
                return StatementHTML.render(Self.statementPage(id: id, statements, asOf: asOf ?? workspace.today, language: language))
            }
        } catch let error as WorkspaceError where error.code == .notFound {
            return try pages.notFound(request, context, session: session)
        }
        return pages.page(
            try pages.templates.framed(body, in: pages.frame(request, title: "\(w["statement"]!) \(id)", session: session)), request: request)
    }

    /// The statement page's model: partner `id`'s statements as of `asOf`.
    static func statementPage(id: String, _ statements: [IncentiveLedger.Statement], asOf: Day, language: Language) -> StatementPage {
        let w = LedgerText.words(language)
        return StatementPage(
            w: w, partner: id, asOf: language.date(asOf), programs: statements.map { Self.program($0, language: language, w: w) },
            isEmpty: statements.isEmpty, fundsLink: "/partners/\(id)/funds")
    }

    static func program(_ statement: IncentiveLedger.Statement, language: Language, w: [String: String]) -> StatementPage.Program {
        let currency = statement.currency
        func money(_ amount: Money) -> String { "\(language.money(amount)) \(currency)" }
        return StatementPage.Program(
            heading: "\(statement.programID) (\(statement.programKind.rawValue.uppercased()), \(currency))",
            approvals: statement.approvals.map { line in
                let record = line.approval
                return StatementPage.Approval(
                    heading:
                        "\(language.date(record.approvedOn)) · \(w["approval"]!) \(record.id), \(w["run"]!) \(record.runID), \(w[record.kind.rawValue]!) · \(record.actor)",
                    items: line.items.map { .init(item: $0.item, entitlement: money($0.entitlement), delta: money($0.delta)) },
                    entitlement: money(line.entitlement), delta: money(line.delta))
            },
            payments: statement.payments.map { .init(date: language.date($0.paidOn), reference: $0.reference, amount: money($0.amount)) },
            showPayments: statement.programKind != .mdf || !statement.payments.isEmpty, noPayments: statement.payments.isEmpty,
            others: statement.otherEntries.map { .init(date: language.date($0.effectiveOn), kind: $0.kind.rawValue, amount: money($0.amount)) },
            hasOthers: !statement.otherEntries.isEmpty,
            entitled: money(statement.entitled), paid: money(statement.paid), balance: money(statement.balance),
            balanceName: statement.programKind == .mdf ? w["fundsBalance"]! : w["balanceDue"]!, isCash: statement.programKind != .mdf)
    }

    // MARK: Funds

    struct FundsPage: Sendable {
        struct Figure: Sendable { var label, amount: String }
        struct Allocation: Sendable { var date, validThrough, amount, free: String }
        struct Request: Sendable {
            var id: Int
            var activity, dates, planned, approved, status: String
            var withdrawable: Bool
            /// Approved, without a claim under way: the claim form is shown.
            var claimable: Bool
        }
        struct Claim: Sendable {
            var id, request: Int
            var cost, approved, status, reference: String
            /// Submitted or approved: the withdraw form is shown.
            var withdrawable: Bool
        }
        struct Wallet: Sendable {
            var heading: String
            var figures: [Figure]
            var allocations: [Allocation]
            var requests: [Request]
            var claims: [Claim]
        }
        var w: [String: String]
        var csrf, partner, action: String
        var wallets: [Wallet]
        var programs: [String]
        /// There is an MDF program to file a request in.
        var canFile: Bool
        var isEmpty: Bool
        var done, problem: String?
        var statementLink: String
    }

    func funds(_ request: Request, _ context: AppContext, outcome: Outcome?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = session(context) else { return Pages.redirect("/login") }
        let id = try context.parameters.require("id")
        guard session.user.mayView(partner: id) else { return try pages.notFound(request, context, session: session) }
        let workspace = self.workspace
        let read: (wallets: [WalletState], requests: [FundRequestRecord], claims: [ClaimRecord], programs: [String])?
        do {
            read = try await quick {
                let wallets = try workspace.fundsWallets(partner: id)
                let programs = try workspace.latestPrograms().filter { $0.1.kind == .mdf }.map(\.0.programID)
                return (
                    wallets, try workspace.fundRequests(FundsFilter(partnerID: id)), try workspace.claims(FundsFilter(partnerID: id)), programs
                )
            }
        } catch let error as WorkspaceError where error.code == .notFound {
            read = nil
        }
        guard let read else { return try pages.notFound(request, context, session: session) }
        let language = Language.of(request)
        let w = LedgerText.words(language)
        let wallets = read.wallets.map { wallet -> FundsPage.Wallet in
            func money(_ amount: Money) -> String { "\(language.money(amount)) \(wallet.currency)" }
            return FundsPage.Wallet(
                heading: "\(wallet.programID) (\(wallet.currency))",
                figures: [
                    .init(label: w["funds"]!, amount: money(wallet.funds)), .init(label: w["free"]!, amount: money(wallet.free)),
                    .init(label: w["held"]!, amount: money(wallet.held)), .init(label: w["pending"]!, amount: money(wallet.pending)),
                    .init(label: w["available"]!, amount: money(wallet.available)),
                ],
                allocations: wallet.allocations.map {
                    .init(
                        date: language.date($0.effectiveOn), validThrough: language.date($0.validThrough), amount: money($0.amount),
                        free: money($0.free))
                },
                requests: read.requests.filter { $0.programID == wallet.programID }.map { request in
                    let claimed = read.claims.contains { $0.requestID == request.id && $0.status != .rejected && $0.status != .withdrawn }
                    return .init(
                        id: request.id, activity: request.activity, dates: "\(language.date(request.startsOn)) – \(language.date(request.endsOn))",
                        planned: money(request.plannedCost), approved: request.approved.map(money) ?? "—",
                        status: w[request.status.rawValue] ?? request.status.rawValue,
                        withdrawable: request.status == .pending || (request.status == .approved && !claimed),
                        claimable: request.status == .approved && !claimed)
                },
                claims: read.claims.filter { $0.programID == wallet.programID }.map {
                    .init(
                        id: $0.id, request: $0.requestID, cost: money($0.actualCost), approved: $0.approved.map(money) ?? "—",
                        status: w[$0.status.rawValue] ?? $0.status.rawValue, reference: $0.reference ?? "",
                        withdrawable: $0.status == .submitted || $0.status == .approved)
                })
        }
        let model = FundsPage(
            w: w, csrf: session.csrfToken, partner: id, action: "/partners/\(id)/funds", wallets: wallets, programs: read.programs,
            canFile: !read.programs.isEmpty,
            isEmpty: wallets.isEmpty, done: outcome?.done, problem: outcome?.problem, statementLink: "/partners/\(id)/statement")
        return try pages.render(
            .funds, model, frame: pages.frame(request, title: "\(w["fundsTitle"]!) \(id)", session: session), request: request, status: status)
    }

    /// A claim's upload: one proof file of at most 10 MiB and the form's fields.
    static let maxClaimUpload = ProofFile.maximumSize + 64 * 1024

    /// The funds page's forms, with `csrf`: `do=file` (a new request), `do=withdraw` (`request`), `do=withdraw-claim`
    /// (`claim`), or, multipart, `do=claim` (`request`, `actual_cost` and the proof `file`).
    func fundsForm(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let session = session(context) else { return Pages.redirect("/login") }
        let id = try context.parameters.require("id")
        guard session.user.mayView(partner: id) else { return try pages.notFound(request, context, session: session) }
        // The claim form is multipart (a proof file); the others are plain forms.
        var form: [String: String]
        var proofs: [ProofFile] = []
        if let boundary = Multipart.boundary(request.headers[.contentType] ?? "") {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let body = folder.file("body")
            try await Multipart.store(request.body, to: body, limit: Self.maxClaimUpload)
            let parts = try Multipart.parts(of: body, boundary: boundary, fileTo: folder.file("proof"))
            form = parts.fields
            if let file = parts.file {
                proofs = [ProofFile(fileName: file.name, content: try Data(contentsOf: URL(fileURLWithPath: file.path)))]
            }
        } else {
            form = try await Form.read(request)
        }
        try pages.checkCSRF(form, session)
        let workspace = self.workspace, actor = Actor.account(session.user.name)
        let outcome: Outcome
        do {
            switch form["do"] {
            case "claim":
                guard let number = Int(form["request"] ?? ""), let owner = try await blocking({ try workspace.fundRequestPartner(number) }),
                    owner == id
                else { return try pages.notFound(request, context, session: session) }
                let cost = try LedgerAPI.amount(form["actual_cost"] ?? "", name: "actual cost")
                let files = proofs
                let change = try await blocking { try workspace.submitClaim(request: number, actualCost: cost, proofs: files, by: actor) }
                outcome = Outcome(done: change.message)
            case "file":
                let input = FundRequestInput(
                    programID: form["program"] ?? "", partnerID: id, activity: form["activity"] ?? "", description: form["description"] ?? "",
                    plannedCost: try LedgerAPI.amount(form["planned_cost"] ?? "", name: "planned cost"),
                    startsOn: try LedgerAPI.day(form["starts_on"] ?? "", name: "starts on"),
                    endsOn: try LedgerAPI.day(form["ends_on"] ?? "", name: "ends on"))
                let change = try await blocking { try workspace.fileFundRequest(input, by: actor) }
                outcome = Outcome(done: change.message)
            case "withdraw":
                guard let number = Int(form["request"] ?? ""), let owner = try await blocking({ try workspace.fundRequestPartner(number) }),
                    owner == id
                else { return try pages.notFound(request, context, session: session) }
                let change = try await blocking { try workspace.endFundRequest(number, rejectedFor: nil, by: actor) }
                outcome = Outcome(done: change.message)
            case "withdraw-claim":
                guard let number = Int(form["claim"] ?? ""), let owner = try await blocking({ try workspace.claimPartner(number) }), owner == id
                else { return try pages.notFound(request, context, session: session) }
                let change = try await blocking { try workspace.endClaim(number, rejectedFor: nil, by: actor) }
                outcome = Outcome(done: change.message)
            default:
                throw APIError.badRequest("do: expected file, withdraw, withdraw-claim or claim")
            }
        } catch let error as WorkspaceError {
            guard APIError(error) != nil else { throw error }
            outcome = Outcome(problem: error.message)
        } catch let error as APIError where error.status == .badRequest {
            outcome = Outcome(problem: error.message)
        }
        return try await funds(request, context, outcome: outcome, status: outcome.problem == nil ? .ok : .unprocessableContent)
    }

    // MARK: Queues

    struct QueuesPage: Sendable {
        struct Request: Sendable { var id: Int; var partner, program, activity, dates, planned: String }
        struct Claim: Sendable { var id, request: Int; var partner, program, cost, submitted: String; var proofs: [Proof] }
        struct Proof: Sendable { var name, link: String }
        var w: [String: String]
        var csrf: String
        var requests: [Request]
        var claims: [Claim]
        var noRequests, noClaims: Bool
        var done, problem: String?
        /// The latest runs, newest first: the approval form's choice.
        var runs: [RunOption]
        var hasRuns: Bool
        struct RunOption: Sendable { var id: Int; var label: String }
    }

    func queues(_ request: Request, _ context: AppContext, outcome: Outcome?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = session(context) else { return Pages.redirect("/login") }
        guard session.user.role == .admin else { return try pages.notFound(request, context, session: session) }
        let workspace = self.workspace
        let (queues, runs) = try await quick { (try workspace.fundsQueues(), try workspace.runs().suffix(20).reversed()) }
        let language = Language.of(request)
        let w = LedgerText.words(language)
        let model = QueuesPage(
            w: w, csrf: session.csrfToken,
            requests: queues.requests.map {
                .init(
                    id: $0.id, partner: $0.partnerID, program: $0.programID, activity: $0.activity,
                    dates: "\(language.date($0.startsOn)) – \(language.date($0.endsOn))", planned: language.money($0.plannedCost))
            },
            claims: queues.claims.map { claim in
                .init(
                    id: claim.id, request: claim.requestID, partner: claim.partnerID, program: claim.programID,
                    cost: language.money(claim.actualCost),
                    submitted: language.date(claim.submittedOn),
                    proofs: claim.proofs.enumerated().map {
                        .init(name: $0.element.fileName, link: "/api/v1/claims/\(claim.id)/proofs/\($0.offset + 1)")
                    })
            }, noRequests: queues.requests.isEmpty, noClaims: queues.claims.isEmpty, done: outcome?.done, problem: outcome?.problem,
            runs: runs.map {
                .init(
                    id: $0.id, label: "\(w["run"]!) \($0.id) · \(language.timestamp($0.startedAt)) · \($0.programs.map(\.id).joined(separator: ", "))"
                )
            },
            hasRuns: !runs.isEmpty)
        return try pages.render(.queues, model, frame: pages.frame(request, title: w["queues"]!, session: session), request: request, status: status)
    }

    /// The queue's forms: `what=request|claim`, `id`, `do=approve|reject`, `amount` (approve, optional), `reason` (reject);
    /// or `what=run`, `id`, `do=interim|final`, `on` (optional): the approval of a stored run.
    func queuesForm(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let session = session(context) else { return Pages.redirect("/login") }
        guard session.user.role == .admin else { return try pages.notFound(request, context, session: session) }
        let form = try await Form.read(request)
        try pages.checkCSRF(form, session)
        let workspace = self.workspace, actor = Actor.account(session.user.name)
        let outcome: Outcome
        do {
            guard let id = Int(form["id"] ?? "") else { throw APIError.badRequest("id: expected a number") }
            let amountText = (form["amount"] ?? "").trimmingCharacters(in: .whitespaces)
            let amount = amountText.isEmpty ? nil : try LedgerAPI.amount(amountText, name: "amount")
            let reason = form["reason"] ?? ""
            if form["what"] == "run" {
                guard let kind = ApprovalKind(rawValue: form["do"] ?? "") else { throw APIError.badRequest("do: expected interim or final") }
                let onText = (form["on"] ?? "").trimmingCharacters(in: .whitespaces)
                let day = onText.isEmpty ? nil : try LedgerAPI.day(onText, name: "on")
                let approval = try await blocking { try workspace.approve(run: id, kind: kind, on: day, by: actor) }
                return try await queues(request, context, outcome: Outcome(done: Self.approvalWords(ApprovalDocument(approval))))
            }
            let change: FundsChange
            switch (form["what"], form["do"]) {
            case ("request", "approve"): change = try await blocking { try workspace.approveFundRequest(id, amount: amount, by: actor) }
            case ("request", "reject"): change = try await blocking { try workspace.endFundRequest(id, rejectedFor: reason, by: actor) }
            case ("claim", "approve"): change = try await blocking { try workspace.approveClaim(id, amount: amount, by: actor) }
            case ("claim", "reject"): change = try await blocking { try workspace.endClaim(id, rejectedFor: reason, by: actor) }
            default: throw APIError.badRequest("expected what=request|claim and do=approve|reject")
            }
            outcome = Outcome(done: change.message)
        } catch let error as WorkspaceError {
            guard APIError(error) != nil else { throw error }
            outcome = Outcome(problem: error.message)
        } catch let error as APIError where error.status == .badRequest {
            outcome = Outcome(problem: error.message)
        }
        return try await queues(request, context, outcome: outcome, status: outcome.problem == nil ? .ok : .unprocessableContent)
    }
}

// MARK: A run's approvals

extension LedgerPages {
    /// The approval section of a run's page (admins only): its approvals (program, kind, date, who) and the forms to
    /// approve it as interim or final. Rendered by `run.mustache` in its `runApprovals` part.
    struct RunApprovals: Sendable {
        struct Line: Sendable { var id: Int; var program, kind, date, by: String }
        var w: [String: String]
        var csrf, action: String
        var lines: [Line]
        var hasLines: Bool
        var done, problem: String?
    }

    struct RunApprovalsModel: Sendable { var runApprovals: RunApprovals }

    /// The section's HTML for run `id`, read now (approvals change without a new revision of the workspace).
    func runApprovals(run id: Int, session: Session, _ language: Language, _ outcome: Outcome?) async throws -> String {
        let workspace = self.workspace
        let approvals = try await quick { try workspace.approvals().filter { $0.runID == id } }
        let w = LedgerText.words(language)
        let section = RunApprovals(
            w: w, csrf: session.csrfToken, action: "/runs/\(id)",
            lines: approvals.map {
                .init(
                    id: $0.id, program: $0.programID, kind: w[$0.kind.rawValue] ?? $0.kind.rawValue, date: language.date($0.approvedOn), by: $0.actor)
            }, hasLines: !approvals.isEmpty, done: outcome?.done, problem: outcome?.problem)
        return try pages.templates.render(.run, RunApprovalsModel(runApprovals: section))
    }

    /// The run page's form (admins, with `csrf`): `do=interim|final`, `on` (optional, default today): every program of
    /// the run approved, as `/queues` and `POST /api/v1/runs/{id}/approvals` do; the run's page with what came of it.
    func runForm(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let session = session(context) else { return Pages.redirect("/login") }
        guard session.user.role == .admin, let id = Int(try context.parameters.require("id")) else {
            return try pages.notFound(request, context, session: session)
        }
        let form = try await Form.read(request)
        try pages.checkCSRF(form, session)
        let workspace = self.workspace, actor = Actor.account(session.user.name)
        guard try await blocking({ try workspace.hasRun(id) }) else { return try pages.notFound(request, context, session: session) }
        let outcome: Outcome
        do {
            guard let kind = ApprovalKind(rawValue: form["do"] ?? "") else { throw APIError.badRequest("do: expected interim or final") }
            let onText = (form["on"] ?? "").trimmingCharacters(in: .whitespaces)
            let day = onText.isEmpty ? nil : try LedgerAPI.day(onText, name: "on")
            let approval = try await blocking { try workspace.approve(run: id, kind: kind, on: day, by: actor) }
            outcome = Outcome(done: Self.approvalWords(ApprovalDocument(approval)))
        } catch let error as WorkspaceError {
            guard APIError(error) != nil else { throw error }
            outcome = Outcome(problem: error.message)
        } catch let error as APIError where error.status == .badRequest {
            outcome = Outcome(problem: error.message)
        }
        return try await pages.run(request, context, outcome: outcome, status: outcome.problem == nil ? .ok : .unprocessableContent)
    }

    /// An approval's outcome in words: the message, then per program what was posted.
    static func approvalWords(_ document: ApprovalDocument) -> String {
        let words = document.programs.map { line in
            line.already_approved
                ? "\(line.program_id): nothing posted" : "\(line.program_id): \(line.entries) entries, \(line.total) \(line.currency)"
        }
        return document.message + " (" + words.joined(separator: "; ") + ")"
    }
}

/// The ledger pages' words in English and Dutch, side by side (as `PageText` for the other pages).
enum LedgerText {
    static let table: [String: (en: String, nl: String)] = [
        "statement": ("Statement", "Afschrift"), "asOf": ("as of", "per"), "approvals": ("Approvals", "Goedkeuringen"),
        "payments": ("Payments", "Betalingen"), "otherEntries": ("Other entries", "Overige boekingen"), "item": ("Item", "Onderdeel"),
        "entitlement": ("Entitlement", "Recht"), "delta": ("Change", "Wijziging"), "total": ("Total", "Totaal"),
        "date": ("Date", "Datum"), "reference": ("Reference", "Referentie"), "amount": ("Amount", "Bedrag"), "kind": ("Kind", "Soort"),
        "entitled": ("Entitled", "Recht in totaal"), "paid": ("Paid", "Betaald"), "balanceDue": ("Balance due", "Nog te betalen"),
        "fundsBalance": ("Funds", "Fondsen"), "none": ("None.", "Geen."),
        "noStatement": ("Nothing approved for this partner yet.", "Voor deze partner is nog niets goedgekeurd."),
        "approval": ("approval", "goedkeuring"), "run": ("run", "berekening"), "interim": ("interim", "tussentijds"),
        "final": ("final", "definitief"),
        "print": ("Print this page for an A4 statement.", "Druk deze pagina af voor een afschrift op A4."),
        "fundsTitle": ("MDF funds", "MDF-fondsen"), "funds": ("Funds", "Fondsen"), "free": ("Free", "Vrij"),
        "held": ("Held for requests", "Gereserveerd"),
        "pending": ("pending", "in behandeling"), "available": ("Available", "Beschikbaar"), "allocations": ("Allocations", "Toekenningen"),
        "validThrough": ("Usable through", "Bruikbaar t/m"), "requests": ("Fund requests", "Aanvragen"), "claims": ("Claims", "Declaraties"),
        "activity": ("Activity", "Activiteit"), "description": ("Description", "Omschrijving"), "dates": ("Dates", "Data"),
        "planned": ("Planned cost", "Geplande kosten"), "approved": ("approved", "goedgekeurd"), "approvedAmount": ("Approved", "Goedgekeurd"),
        "status": ("Status", "Status"), "request": ("Request", "Aanvraag"), "cost": ("Actual cost", "Werkelijke kosten"),
        "fileRequest": ("File a fund request", "Een aanvraag indienen"), "program": ("Program", "Programma"), "startsOn": ("Starts on", "Begint op"),
        "endsOn": ("Ends on", "Eindigt op"), "submit": ("Submit", "Indienen"), "submitClaim": ("Claim with proof", "Declareren met bewijs"),
        "withdraw": ("Withdraw", "Intrekken"),
        "noFunds": ("No MDF funds, requests or claims yet.", "Nog geen MDF-fondsen, aanvragen of declaraties."),
        "rejected": ("rejected", "afgewezen"), "withdrawn": ("withdrawn", "ingetrokken"), "closed": ("closed", "afgesloten"),
        "submitted": ("submitted", "ingediend"), "queues": ("Queues", "Wachtrijen"),
        "pendingRequests": ("Pending fund requests", "Aanvragen in behandeling"),
        "submittedClaims": ("Submitted claims", "Ingediende declaraties"), "partner": ("Partner", "Partner"), "approve": ("Approve", "Goedkeuren"),
        "reject": ("Reject", "Afwijzen"), "reason": ("Reason", "Reden"), "proofs": ("Proof", "Bewijs"),
        "nothingPending": ("Nothing waiting.", "Niets in de wachtrij."),
        "amountOptional": ("Amount (empty: in full)", "Bedrag (leeg: volledig)"), "submittedOn": ("Submitted", "Ingediend"),
        "statementLink": ("Statement", "Afschrift"), "approveRun": ("Approve a run", "Een berekening goedkeuren"),
        "approveInterim": ("Approve as interim", "Tussentijds goedkeuren"), "approveFinal": ("Approve as final", "Definitief goedkeuren"),
        "approvedOn": ("Approval date (empty: today)", "Datum van goedkeuring (leeg: vandaag)"), "fundsLink": ("MDF funds", "MDF-fondsen"),
        "by": ("By", "Door"), "notApproved": ("This run is not approved.", "Deze berekening is niet goedgekeurd."),
    ]

    static let english = table.mapValues(\.en)
    static let dutch = table.mapValues(\.nl)

    static func words(_ language: Language) -> [String: String] { language == .en ? english : dutch }
}

/// What a partner's ledger says it should act on (issue 17 point 7): for the partner page and `incentives advise`, from
/// the records one read gives (`Workspace.partnerLedger`, or the partner page's own read).
public enum PartnerLedger {
    public static func outlook(_ workspace: Workspace, partner id: String, asOf today: Day) throws -> LedgerOutlook {
        outlook(try workspace.partnerLedger(partner: id, asOf: today))
    }

    public static func outlook(_ records: PartnerLedgerRecords) -> LedgerOutlook {
        let currencies = Dictionary(records.wallets.map { ($0.programID, $0.currency) }, uniquingKeysWith: { first, _ in first })
        return LedgerOutlook(
            expiring: records.wallets.flatMap { wallet in
                wallet.expiring(withinDays: LedgerOutlook.expiryHorizonDays).map {
                    LedgerOutlook.Expiring(programID: wallet.programID, currency: wallet.currency, amount: $0.free, lastDay: $0.validThrough)
                }
            },
            pendingClaims: records.claims.filter { $0.status == .submitted || $0.status == .approved }.map {
                LedgerOutlook.PendingClaim(
                    programID: $0.programID, currency: currencies[$0.programID] ?? "", claimID: $0.id, amount: $0.approved ?? $0.actualCost,
                    approved: $0.status == .approved)
            },
            balances: records.balances.map { LedgerOutlook.Balance(programID: $0.programID, currency: $0.currency, amount: $0.balance) })
    }
}

extension Pages {
    /// The partner page's ledger advice (issue 17 point 7): MDF funds lapsing within 90 days, claims waiting for a
    /// decision or a payment, and the balance due per cash program, as of today, from the records the page's read gave.
    func ledgerLines(_ records: PartnerLedgerRecords, language: Language) -> [String] {
        let format = AdviceFormat(
            money: { language.money($0) }, date: { language.date($0) }, check: { language.check($0) }, decimalSeparator: language == .nl ? "," : ".")
        return LedgerAdvice.lines(PartnerLedger.outlook(records), words: language == .nl ? .dutch : .english, format: format)
    }
}
