import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveLedger
import IncentiveStore
import NIOCore

/// The ledger's routes under `/api/v1` (issue 17, docs/ledger.md and docs/funds.md): approvals, reopening, payments,
/// statements, and the MDF funds wallet with its requests and claims.
///
/// Access as everywhere: admins act on everything; a partner user sees only its own partner (another partner's
/// statement, wallet, request, claim or proof answers 404, as if it did not exist), files requests and claims for
/// itself and withdraws its own requests and claims; approvals, reopening, payments and every decision on a request or a
/// claim need an admin (403).
struct LedgerAPI: Sendable {
    let api: API
    var workspace: Workspace { api.workspace }

    /// A claim's body carries its proof files in base64: at most 64 MiB (a few proofs of 10 MiB each).
    static let maxClaimBody = 64 << 20

    func register(on api: Routes) {
        api.post("runs/{id}/approvals", use: approve)
        api.post("programs/{id}/reopen", use: reopen)
        api.get("payments", use: listPayments)
        api.post("payments", use: addPayments)
        api.get("partners/{id}/statement", use: statement)
        api.get("partners/{id}/funds", use: funds)
        api.post("partners/{id}/fund-requests", use: fileRequest)
        api.get("fund-requests", use: listRequests)
        api.post("fund-requests/{id}/approve", use: approveRequest)
        api.post("fund-requests/{id}/reject", use: rejectRequest)
        api.post("fund-requests/{id}/withdraw", use: withdrawRequest)
        api.post("fund-requests/{id}/claims", use: submitClaim)
        api.get("claims", use: listClaims)
        api.post("claims/{id}/approve", use: approveClaim)
        api.post("claims/{id}/reject", use: rejectClaim)
        api.post("claims/{id}/pay", use: payClaim)
        api.post("claims/{id}/withdraw", use: withdrawClaim)
        api.get("claims/{id}/proofs/{n}", use: proof)
    }

    // MARK: Input

    /// An optional JSON body: empty (or absent) is `nil`.
    func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int = API.maxJSONBody) async throws -> T? {
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { return nil }
        try API.requireJSON(request)
        return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    /// A JSON body that must be there.
    func body<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int = API.maxJSONBody) async throws -> T {
        guard let value = try await optionalBody(type, request, limit: limit) else {
            throw APIError.badRequest("the body is empty: send a JSON object")
        }
        return value
    }

    /// An amount above 0 with at most 2 decimals (`"1200.00"`), exact.
    static func amount(_ text: String, name: String) throws -> Money {
        let result = FieldParsing.withBytes(text.trimmingCharacters(in: .whitespaces)) { FieldParsing.decimal($0, scale: 2, allowNegative: false) }
        switch result {
        case .success(let cents) where cents > 0: return Money(cents: cents)
        case .success: throw APIError.badRequest("\(name) \"\(APIError.cut(text, to: 40))\": expected an amount above 0")
        case .failure(let problem):
            throw APIError.badRequest("\(name) \"\(APIError.cut(text, to: 40))\": \(FieldParsing.explain(problem, decimals: 2, what: "an amount"))")
        }
    }

    static func day(_ text: String, name: String) throws -> Day {
        guard let day = Day(iso: text) else {
            throw APIError.badRequest("\(name) \"\(APIError.cut(text, to: 40))\": expected a real calendar date YYYY-MM-DD")
        }
        return day
    }

    /// A numeric id of the path (`{id}`); anything else is 404, as for runs.
    static func id(_ context: AppContext, _ name: String = "id", what: String) throws -> Int {
        let text = try context.parameters.require(name)
        guard let id = Int(text), id > 0 else { throw APIError.notFound("no \(what) \(APIError.cut(text, to: 40))") }
        return id
    }

    /// The partner a list is about: a partner user's own (another one is 404), an admin's choice (nil: all).
    static func partnerFilter(_ user: User, _ request: Request) throws -> String? {
        let asked = request.uri.queryParameters["partner"].map(String.init)
        guard user.role == .partner else { return asked }
        if let asked, asked != user.partnerID { throw APIError.notFound("no partner \(APIError.cut(asked, to: 40))") }
        return user.partnerID
    }

    /// A request the user may see (its partner's), or 404.
    func visibleRequest(_ user: User, _ id: Int) async throws {
        let workspace = self.workspace
        guard let partner = try await blocking({ try workspace.fundRequestPartner(id) }), user.mayView(partner: partner) else {
            throw APIError.notFound("there is no fund request \(id)")
        }
    }

    /// A claim the user may see (its partner's), or 404; its partner.
    @discardableResult
    func visibleClaim(_ user: User, _ id: Int) async throws -> String {
        let workspace = self.workspace
        guard let partner = try await blocking({ try workspace.claimPartner(id) }), user.mayView(partner: partner) else {
            throw APIError.notFound("there is no claim \(id)")
        }
        return partner
    }

    // MARK: Approvals

    struct ApprovalRequest: Decodable {
        var kind: String
        var programs: [String]?
        var on: String?
    }

    /// `{kind: interim|final, programs?, on?}`: 201 with what was posted, or 200 "already approved, nothing posted".
    func approve(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let runID = try await api.runID(context)
        let body = try await body(ApprovalRequest.self, request)
        guard let kind = ApprovalKind(rawValue: body.kind) else {
            throw APIError.badRequest("kind \"\(APIError.cut(body.kind, to: 40))\": expected interim or final")
        }
        let day = try body.on.map { try Self.day($0, name: "on") }
        let workspace = self.workspace
        let outcome = try await blocking {
            try workspace.approve(run: runID, kind: kind, programs: body.programs ?? [], on: day, by: .account(admin.name))
        }
        return JSONBody.response(ApprovalDocument(outcome), status: outcome.changed ? .created : .ok)
    }

    struct ReopenRequest: Decodable { var reason: String }

    func reopen(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let program = try context.parameters.require("id")
        let body = try await body(ReopenRequest.self, request)
        guard !body.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("reason: a reopen needs a reason (who asked, why)")
        }
        let workspace = self.workspace
        let reopened = try await blocking { try workspace.reopen(program: program, reason: body.reason, by: .account(admin.name)) }
        struct Answer: Encodable {
            var program_id: String
            var reopened: Bool
            var message: String
        }
        return JSONBody.response(
            Answer(
                program_id: program, reopened: reopened,
                message: reopened ? "\(program) reopened: it can be approved again" : "\(program) is not closed; nothing changed"))
    }

    // MARK: Payments

    func listPayments(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let partner = try Self.partnerFilter(user, request)
        let program = request.uri.queryParameters["program"].map(String.init)
        let workspace = self.workspace
        let payments = try await quick { try workspace.payments(partner: partner, program: program) }
        return JSONBody.response(page.slice(payments.map(PaymentDocument.init)))
    }

    struct PaymentRequest: Decodable {
        var partnerID, programID, amount, currency, reference, paidOn: String
        enum CodingKeys: String, CodingKey {
            case amount, currency, reference
            case partnerID = "partner_id", programID = "program_id", paidOn = "paid_on"
        }
    }

    /// One payment as JSON, or a `payments.csv` file as `text/csv`: all or nothing, every problem with file, line,
    /// column and value (422). 201 when something was recorded; 200 when every payment was already recorded.
    func addPayments(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let media = request.headers[.contentType].map { $0.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased() }
        let workspace = self.workspace
        let outcome: PaymentsOutcome
        if media == "text/csv" {
            let folder = try TemporaryFolder()
            let path = folder.file("payments.csv")
            do {
                // Streamed to the file as it arrives, never held whole (as every upload).
                try await Multipart.store(request.body, to: path, limit: api.options.maxBodySize)
            } catch {
                folder.remove()
                throw error
            }
            do {
                outcome = try await blocking {
                    try folder.keep { try workspace.importPayments(path: path, displayName: "upload:payments.csv", by: .account(admin.name)) }
                }
            } catch let report as DiagnosticReport {
                throw APIError.invalid(report, what: "no payment was recorded")
            }
        } else {
            let body = try await body(PaymentRequest.self, request)
            do {
                outcome = try await blocking {
                    try workspace.addPayment(
                        partner: body.partnerID, program: body.programID, amount: body.amount, currency: body.currency, reference: body.reference,
                        paidOn: body.paidOn, source: "body", by: .account(admin.name))
                }
            } catch let report as DiagnosticReport {
                throw APIError.invalid(report, what: "no payment was recorded")
            }
        }
        struct Answer: Encodable {
            var added: [PaymentDocument]
            var already_recorded: [PaymentDocument]
            var message: String
        }
        let message =
            outcome.added.isEmpty
            ? "already recorded, nothing changed"
            : "\(outcome.added.count) payment(s) recorded"
                + (outcome.alreadyRecorded.isEmpty ? "" : ", \(outcome.alreadyRecorded.count) already recorded")
        return JSONBody.response(
            Answer(
                added: outcome.added.map(PaymentDocument.init), already_recorded: outcome.alreadyRecorded.map(PaymentDocument.init), message: message),
            status: outcome.added.isEmpty ? .ok : .created)
    }

    // MARK: Statements

    /// `?program=&as_of=&format=json|csv`: the partner's statements (docs/ledger.md), as `incentives statement` gives them.
    func statement(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let partner = try context.parameters.require("id")
        guard user.mayView(partner: partner) else { throw APIError.notFound("no partner \(APIError.cut(partner, to: 40))") }
        let query = request.uri.queryParameters
        let program = query["program"].map(String.init)
        let asOf = try query["as_of"].map { try Self.day(String($0), name: "as_of") }
        let format = query["format"].map(String.init) ?? "json"
        guard format == "json" || format == "csv" else { throw APIError.badRequest("format \(APIError.cut(format, to: 40)): expected json or csv") }
        let workspace = self.workspace
        // One partner's read: on the short-work threads, first come first served, as the statement page.
        let statements = try await quick { try workspace.statements(partner: partner, program: program, asOf: asOf) }
        if format == "csv" { return JSONBody.text(StatementDocument.csv(statements), contentType: "text/csv; charset=utf-8") }
        return JSONBody.response(StatementDocument.List(statements: statements.map(StatementDocument.init)))
    }

    // MARK: Funds

    /// `?program=&as_of=`: the partner's MDF wallets (docs/funds.md), with the lapses due.
    func funds(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let partner = try context.parameters.require("id")
        guard user.mayView(partner: partner) else { throw APIError.notFound("no partner \(APIError.cut(partner, to: 40))") }
        let query = request.uri.queryParameters
        let program = query["program"].map(String.init)
        let asOf = try query["as_of"].map { try Self.day(String($0), name: "as_of") }
        let workspace = self.workspace
        let wallets = try await quick { try workspace.fundsWallets(partner: partner, program: program, asOf: asOf) }
        return JSONBody.response(WalletDocument.List(wallets))
    }

    struct FundRequestBody: Decodable {
        var programID, activity, plannedCost, startsOn, endsOn: String
        var description: String?
        enum CodingKeys: String, CodingKey {
            case activity, description
            case programID = "program_id", plannedCost = "planned_cost", startsOn = "starts_on", endsOn = "ends_on"
        }
    }

    /// A partner user for itself, or an admin for any partner: the request, pending.
    func fileRequest(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let partner = try context.parameters.require("id")
        guard user.mayView(partner: partner) else { throw APIError.notFound("no partner \(APIError.cut(partner, to: 40))") }
        let body = try await body(FundRequestBody.self, request)
        let input = FundRequestInput(
            programID: body.programID, partnerID: partner, activity: body.activity, description: body.description ?? "",
            plannedCost: try Self.amount(body.plannedCost, name: "planned_cost"), startsOn: try Self.day(body.startsOn, name: "starts_on"),
            endsOn: try Self.day(body.endsOn, name: "ends_on"))
        let workspace = self.workspace
        let change = try await blocking { try workspace.fileFundRequest(input, by: .account(user.name)) }
        return try await requestAnswer(change, status: change.changed ? .created : .ok)
    }

    /// `?status=&partner=&program=`: admins every request (`status=pending`: the queue), a partner user its own.
    func listRequests(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let filter = try Self.filter(user, request, statuses: FundRequestStatus.allCases.map(\.rawValue))
        let workspace = self.workspace
        let requests = try await quick { try workspace.fundRequests(filter) }
        return JSONBody.response(page.slice(requests.map(FundRequestDocument.init)))
    }

    static func filter(_ user: User, _ request: Request, statuses: [String]) throws -> FundsFilter {
        let query = request.uri.queryParameters
        let status = query["status"].map(String.init)
        if let status, !statuses.contains(status) {
            throw APIError.badRequest("status \"\(APIError.cut(status, to: 40))\": expected one of \(statuses.joined(separator: ", "))")
        }
        return FundsFilter(partnerID: try partnerFilter(user, request), programID: query["program"].map(String.init), status: status)
    }

    struct AmountBody: Decodable { var amount: String? }
    struct ReasonBody: Decodable { var reason: String }

    func approveRequest(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let id = try Self.id(context, what: "fund request")
        let amount = try await optionalBody(AmountBody.self, request)?.amount.map { try Self.amount($0, name: "amount") }
        let workspace = self.workspace
        let change = try await blocking { try workspace.approveFundRequest(id, amount: amount, by: .account(admin.name)) }
        return try await requestAnswer(change)
    }

    func rejectRequest(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let id = try Self.id(context, what: "fund request")
        let reason = try await Self.reason(body(ReasonBody.self, request))
        let workspace = self.workspace
        let change = try await blocking { try workspace.endFundRequest(id, rejectedFor: reason, by: .account(admin.name)) }
        return try await requestAnswer(change)
    }

    static func reason(_ body: ReasonBody) throws -> String {
        guard !body.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("reason: a rejection needs a reason")
        }
        return body.reason
    }

    /// The partner's own request (a partner user), or any (an admin).
    func withdrawRequest(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try Self.id(context, what: "fund request")
        try await visibleRequest(user, id)
        let workspace = self.workspace
        let change = try await blocking { try workspace.endFundRequest(id, rejectedFor: nil, by: .account(user.name)) }
        return try await requestAnswer(change)
    }

    /// What a request operation did, with the request as it stands now.
    func requestAnswer(_ change: FundsChange, status: HTTPResponse.Status = .ok) async throws -> Response {
        let workspace = self.workspace, id = change.id, partner = change.wallet.partnerID
        let record = try await blocking { try workspace.fundRequests(FundsFilter(partnerID: partner)).first { $0.id == id } }
        return JSONBody.response(ChangeDocument(change, request: record.map(FundRequestDocument.init), claim: nil), status: status)
    }

    // MARK: Claims

    struct ClaimBody: Decodable {
        struct Proof: Decodable {
            var fileName, content: String
            enum CodingKeys: String, CodingKey { case fileName = "file_name", content = "content_base64" }
        }
        var actualCost: String
        var proofs: [Proof]
        enum CodingKeys: String, CodingKey { case actualCost = "actual_cost", proofs }
    }

    /// `{actual_cost, proofs: [{file_name, content_base64}]}`: a claim against the partner's own approved request (a
    /// partner user) or any (an admin). The store checks each proof: PDF, PNG or JPEG by its first bytes, at most 10 MiB.
    func submitClaim(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try Self.id(context, what: "fund request")
        try await visibleRequest(user, id)
        let body = try await body(ClaimBody.self, request, limit: Self.maxClaimBody)
        let cost = try Self.amount(body.actualCost, name: "actual_cost")
        var proofs: [ProofFile] = []
        for (index, proof) in body.proofs.enumerated() {
            guard let content = Data(base64Encoded: proof.content, options: .ignoreUnknownCharacters) else {
                throw APIError.badRequest("proofs[\(index)].content_base64: not valid base64")
            }
            let name = (proof.fileName as NSString).lastPathComponent
            proofs.append(ProofFile(fileName: name.isEmpty ? "proof-\(index + 1)" : name, content: content))
        }
        let workspace = self.workspace, files = proofs
        let change = try await blocking { try workspace.submitClaim(request: id, actualCost: cost, proofs: files, by: .account(user.name)) }
        return try await claimAnswer(change, status: change.changed ? .created : .ok)
    }

    func listClaims(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let filter = try Self.filter(user, request, statuses: ClaimStatus.allCases.map(\.rawValue))
        let workspace = self.workspace
        let claims = try await quick { try workspace.claims(filter) }
        return JSONBody.response(page.slice(claims.map(ClaimDocument.init)))
    }

    func approveClaim(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let id = try Self.id(context, what: "claim")
        let amount = try await optionalBody(AmountBody.self, request)?.amount.map { try Self.amount($0, name: "amount") }
        let workspace = self.workspace
        let change = try await blocking { try workspace.approveClaim(id, amount: amount, by: .account(admin.name)) }
        return try await claimAnswer(change)
    }

    func rejectClaim(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let id = try Self.id(context, what: "claim")
        let reason = try await Self.reason(body(ReasonBody.self, request))
        let workspace = self.workspace
        let change = try await blocking { try workspace.endClaim(id, rejectedFor: reason, by: .account(admin.name)) }
        return try await claimAnswer(change)
    }

    /// The partner's own claim (a partner user), or any (an admin): withdrawn, its request stays approved. A claim
    /// already withdrawn changes nothing and says so (200, as the sibling routes); a rejected or paid one is 409.
    func withdrawClaim(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try Self.id(context, what: "claim")
        try await visibleClaim(user, id)
        let workspace = self.workspace
        let change = try await blocking { try workspace.endClaim(id, rejectedFor: nil, by: .account(user.name)) }
        return try await claimAnswer(change)
    }

    struct PayBody: Decodable {
        var reference: String
        var paidOn: String?
        enum CodingKeys: String, CodingKey { case reference, paidOn = "paid_on" }
    }

    func payClaim(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let id = try Self.id(context, what: "claim")
        let body = try await body(PayBody.self, request)
        guard !body.reference.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("reference: a payment needs its reference")
        }
        let paidOn = try body.paidOn.map { try Self.day($0, name: "paid_on") }
        let workspace = self.workspace
        let change = try await blocking { try workspace.payClaim(id, reference: body.reference, paidOn: paidOn, by: .account(admin.name)) }
        return try await claimAnswer(change)
    }

    func claimAnswer(_ change: FundsChange, status: HTTPResponse.Status = .ok) async throws -> Response {
        let workspace = self.workspace, id = change.id, partner = change.wallet.partnerID
        let record = try await blocking { try workspace.claims(FundsFilter(partnerID: partner)).first { $0.id == id } }
        return JSONBody.response(ChangeDocument(change, request: nil, claim: record.map(ClaimDocument.init)), status: status)
    }

    /// The `n`th proof file of a claim (from 1), with its content type; a partner user only its own.
    func proof(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try Self.id(context, what: "claim")
        let n = try Self.id(context, "n", what: "proof file")
        let partner = try await visibleClaim(user, id)
        let workspace = self.workspace
        let file = try await blocking { () -> (ProofRecord, Data)? in
            let claim = try workspace.claims(FundsFilter(partnerID: partner)).first { $0.id == id }
            guard let proofs = claim?.proofs, n <= proofs.count else { return nil }
            return try workspace.claimProof(proofs[n - 1].id)
        }
        guard let (record, content) = file else { throw APIError.notFound("claim \(id) has no proof file \(n)") }
        var headers: HTTPFields = [.contentType: record.contentType]
        headers[.contentDisposition] = "attachment; filename=\"\(Self.headerSafe(record.fileName))\""
        headers[HTTPField.Name("X-Content-SHA256")!] = record.sha256
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: content)))
    }

    /// A file name for a header: printable ASCII without quotes or backslashes (others become `_`).
    static func headerSafe(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" ? $0 : "_" }))
    }
}

// MARK: Documents

struct ApprovalDocument: Encodable {
    struct Program: Encodable {
        var program_id, program_kind, currency: String
        var approval_id: Int?
        var already_approved: Bool
        var earlier_approval_id: Int?
        var entries: Int
        var total, clawbacks: String
        var valid_through: String?
        var later_run_approved: Int?
    }
    var run: Int
    var kind, approved_on: String
    var changed: Bool
    var message: String
    var programs: [Program]

    init(_ outcome: ApprovalOutcome) {
        run = outcome.runID
        kind = outcome.kind.rawValue
        approved_on = outcome.approvedOn.description
        changed = outcome.changed
        message =
            outcome.changed
            ? "run \(outcome.runID) approved as \(outcome.kind.rawValue) on \(outcome.approvedOn)"
            : "run \(outcome.runID) is already approved as \(outcome.kind.rawValue): nothing posted, nothing changed"
        programs = outcome.programs.map {
            Program(
                program_id: $0.programID, program_kind: $0.programKind.rawValue, currency: $0.currency, approval_id: $0.approvalID,
                already_approved: $0.approvalID == nil, earlier_approval_id: $0.earlier?.id, entries: $0.entries, total: $0.total.plainText,
                clawbacks: $0.clawbacks.plainText, valid_through: $0.validThrough?.description, later_run_approved: $0.laterRunApproved)
        }
    }
}

struct PaymentDocument: Encodable {
    var reference, partner_id, program_id, amount, currency, paid_on: String
    var by: String?

    init(_ payment: PaymentRecord) {
        reference = payment.reference
        partner_id = payment.partnerID
        program_id = payment.programID
        amount = payment.amount.plainText
        currency = payment.currency
        paid_on = payment.paidOn.description
        by = payment.actor
    }
}

struct FundRequestDocument: Encodable {
    var id: Int
    var partner_id, program_id, activity, description, planned_cost, starts_on, ends_on, status, filed_at, filed_by: String
    var approved, reason: String?

    init(_ record: FundRequestRecord) {
        id = record.id
        partner_id = record.partnerID
        program_id = record.programID
        activity = record.activity
        description = record.description
        planned_cost = record.plannedCost.plainText
        starts_on = record.startsOn.description
        ends_on = record.endsOn.description
        status = record.status.rawValue
        filed_at = record.at
        filed_by = record.actor.name
        approved = record.approved?.plainText
        reason = record.reason
    }
}

struct ClaimDocument: Encodable {
    struct Proof: Encodable {
        var n: Int
        var file_name, content_type, sha256: String
        var size: Int
    }
    var id, request_id: Int
    var partner_id, program_id, actual_cost, submitted_on, status, submitted_by: String
    var approved, reason, reference, paid_on: String?
    var proofs: [Proof]

    init(_ record: ClaimRecord) {
        id = record.id
        request_id = record.requestID
        partner_id = record.partnerID
        program_id = record.programID
        actual_cost = record.actualCost.plainText
        submitted_on = record.submittedOn.description
        status = record.status.rawValue
        submitted_by = record.actor.name
        approved = record.approved?.plainText
        reason = record.reason
        reference = record.reference
        paid_on = record.paidOn?.description
        proofs = record.proofs.enumerated().map {
            Proof(
                n: $0.offset + 1, file_name: $0.element.fileName, content_type: $0.element.contentType, sha256: $0.element.sha256,
                size: $0.element.size)
        }
    }
}

/// What a funds operation did: changed or not, in words, the entries it posted, the wallet after it, and the request or
/// claim as it stands.
struct ChangeDocument: Encodable {
    var id: Int
    var changed: Bool
    var message: String
    var posted: [WalletDocument.Entry]
    var wallet: WalletDocument
    var request: FundRequestDocument?
    var claim: ClaimDocument?

    init(_ change: FundsChange, request: FundRequestDocument?, claim: ClaimDocument?) {
        id = change.id
        changed = change.changed
        message = change.message
        posted = change.posted.map(WalletDocument.Entry.init)
        wallet = WalletDocument(change.wallet)
        self.request = request
        self.claim = claim
    }
}
