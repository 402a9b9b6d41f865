import Crypto
import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

/// A new fund request: an activity the partner plans, its planned cost and dates.
public struct FundRequestInput: Sendable, Hashable {
    public var programID: String
    public var partnerID: String
    public var activity: String
    public var description: String
    public var plannedCost: Money
    public var startsOn: Day
    public var endsOn: Day

    public init(programID: String, partnerID: String, activity: String, description: String, plannedCost: Money, startsOn: Day, endsOn: Day) {
        self.programID = programID
        self.partnerID = partnerID
        self.activity = activity
        self.description = description
        self.plannedCost = plannedCost
        self.startsOn = startsOn
        self.endsOn = endsOn
    }
}

/// A proof file of a claim: its name (as given, without folders) and its bytes.
public struct ProofFile: Sendable, Hashable {
    public var fileName: String
    public var content: Data

    public init(fileName: String, content: Data) {
        self.fileName = fileName
        self.content = content
    }

    /// At most 10 MiB each.
    public static let maximumSize = 10 * 1024 * 1024

    /// The allow-listed types, told by their first bytes (not by the file name).
    public static func contentType(of content: Data) -> String? {
        let bytes = [UInt8](content.prefix(8))
        if bytes.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        return nil
    }

    /// The SHA-256 of the bytes, lower-case hex.
    public var sha256: String { Digest.hex(SHA256.hash(data: content)) }
}

/// What a funds operation did: the request or claim it concerns, whether it changed anything, in words, the entries
/// it posted (due lapses, a paid claim) and the wallet after it.
public struct FundsChange: Sendable {
    public var id: Int
    public var changed: Bool
    public var message: String
    public var posted: [LedgerEntry]
    public var wallet: WalletState
}

extension Workspace {
    /// Today, as the workspace's clock says: the day every funds operation happens on.
    public var today: Day { clock.today }

    /// The latest version of MDF program `id`: an error for another kind or an unknown program.
    func mdfProgram(_ db: Database, _ id: String) throws -> Program {
        guard let stored = try ProgramStore.version(db, id: id, version: nil) else {
            let known = try ProgramStore.latest(db).filter { $0.kind == ProgramKind.mdf.rawValue }.map(\.programID)
            throw WorkspaceError(
                .notFound, "no MDF program \(id) in the workspace (MDF programs: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        let program = try ProgramStore.parse(stored)
        guard program.kind == .mdf else {
            throw WorkspaceError(.rejected, "program \(id) is a \(program.kind.rawValue) program; funds, requests and claims are for MDF programs")
        }
        return program
    }

    static func claimRules(_ program: Program) -> FundsRules {
        if case .mdf(let rules) = program.rules { return FundsRules(claimWithinDays: rules.claimWithinDays) }
        return FundsRules()
    }

    static func owner(ofRequest id: Int, _ db: Database) throws -> FundsLoad.Owner {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT program_id, partner_id FROM fund_requests WHERE id = ?", arguments: [id]) else {
            throw WorkspaceError(.notFound, "there is no fund request \(id)")
        }
        return FundsLoad.Owner(programID: row[0], partnerID: row[1])
    }

    static func owner(ofClaim id: Int, _ db: Database) throws -> FundsLoad.Owner {
        guard
            let row = try Row.fetchOne(
                cached: db, sql: "SELECT r.program_id, r.partner_id FROM claims c JOIN fund_requests r ON r.id = c.request_id WHERE c.id = ?",
                arguments: [id])
        else { throw WorkspaceError(.notFound, "there is no claim \(id)") }
        return FundsLoad.Owner(programID: row[0], partnerID: row[1])
    }

    static func refused(_ refusal: FundsRefusal) -> WorkspaceError {
        let code: WorkspaceError.Code
        switch refusal.reason {
        case .notFound: code = .notFound
        case .state, .insufficientFunds: code = .conflict
        case .invalid: code = .rejected
        }
        return WorkspaceError(code, refusal.message + "; nothing was changed")
    }

    /// One funds write: in one IMMEDIATE transaction it reads the wallet of `owner`, lets `decide` take the decision on
    /// its state as of today, records the step with `record` (given the step's `seq`), posts what is then due (lapses
    /// first, by day), writes the audit entry and reaches the failpoint `funds-before-commit`. A decision that
    /// changes nothing writes nothing (no entry, no audit row), also when lapses are due: they wait for a write.
    func fundsWrite(
        _ ownerOf: (Database) throws -> FundsLoad.Owner, id knownID: Int? = nil, actor: Actor, action: AuditAction, subject: String,
        decide: (Database, Program, WalletState) throws -> (decision: FundsDecision, detail: String),
        record: (Database, Int, WalletStep) throws -> Int
    ) throws -> FundsChange {
        let day = today
        return try writeTransaction { db in
            let owner = try ownerOf(db)
            let program = try mdfProgram(db, owner.programID)
            var wallet = try FundsLoad.wallet(db, program: owner.programID, partner: owner.partnerID, currency: program.currency)
            let before = wallet.state(asOf: day)
            let (decision, detail) = try decide(db, program, before)
            let step: WalletStep
            switch decision {
            case .unchanged(let message): return FundsChange(id: knownID ?? 0, changed: false, message: message, posted: [], wallet: before)
            case .record(let recorded): step = recorded
            }
            let at = now()
            let id = try record(db, try FundsLoad.nextSeq(db), step)
            wallet.steps.append(step)
            let after = wallet.state(asOf: day)
            try FundsLoad.post(db, after.due, at: at, actor: actor)
            let posted = after.due.isEmpty ? "" : "; posted: " + FundsLoad.describe(after.due)
            try audit(db, actor, action, subject: subject.replacingOccurrences(of: "#", with: String(id)), detail: detail + posted)
            wallet.posted += after.due.map(Self.postedEntry)
            Failpoint.reach("funds-before-commit")
            return FundsChange(id: id, changed: true, message: detail, posted: after.due, wallet: wallet.state(asOf: day))
        }
    }

    static func postedEntry(_ entry: LedgerEntry) -> PostedFundsEntry {
        let source: Int
        switch entry.source {
        case .claim(let id), .allocation(let id), .approval(let id), .payment(let id): source = id
        }
        return PostedFundsEntry(kind: entry.kind, sourceID: source, effectiveOn: entry.effectiveOn, amount: entry.amount)
    }

    static func decided(_ body: () throws(FundsRefusal) -> FundsDecision) throws(WorkspaceError) -> FundsDecision {
        do throws(FundsRefusal) {
            return try body()
        } catch {
            throw refused(error)
        }
    }

    static func required(_ text: String, _ what: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw WorkspaceError(.rejected, "\(what) is required (not empty); nothing was changed") }
        return trimmed
    }

    /// Files a fund request of a partner in an MDF program: pending until an admin approves or rejects it.
    public func fileFundRequest(_ input: FundRequestInput, by actor: Actor = .operatingSystemUser()) throws -> FundsChange {
        let activity = try Self.required(input.activity, "the activity")
        let description = input.description.trimmingCharacters(in: .whitespacesAndNewlines)
        return try fundsWrite(
            { db in
                try Self.requirePartner(db, input.partnerID)
                return FundsLoad.Owner(programID: input.programID, partnerID: input.partnerID)
            }, actor: actor, action: .fundRequest, subject: "request #",
            decide: { db, program, state in
                let id = (try Int.fetchOne(cached: db, sql: "SELECT MAX(id) FROM fund_requests") ?? 0) + 1
                let decision = try Self.decided { () throws(FundsRefusal) in
                    try state.fileRequest(id: id, plannedCost: input.plannedCost, startsOn: input.startsOn, endsOn: input.endsOn)
                }
                return (
                    decision,
                    "\(input.partnerID) \(input.programID): \(activity), planned \(input.plannedCost.plainText) \(program.currency), \(input.startsOn) to \(input.endsOn)"
                )
            },
            record: { db, seq, step in
                guard case .requestFiled(let id, _, _, _) = step.event else { return 0 }
                try db.execute(
                    sql: """
                        INSERT INTO fund_requests(id, seq, program_id, partner_id, activity, description, planned_cost_cents, starts_on, ends_on, at,
                        actor_kind, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, seq, input.programID, input.partnerID, activity, description, input.plannedCost.cents, input.startsOn.description,
                        input.endsOn.description, now(), actor.kind.rawValue, actor.name,
                    ])
                return id
            })
    }

    /// Approves a pending request for `amount` (nil: its planned cost): refused above the wallet's free funds today.
    public func approveFundRequest(_ id: Int, amount: Money? = nil, by actor: Actor = .operatingSystemUser()) throws -> FundsChange {
        try fundsWrite(
            { db in try Self.owner(ofRequest: id, db) }, id: id, actor: actor, action: .fundRequestApprove, subject: "request \(id)",
            decide: { _, program, state in
                let planned = state.request(id)?.plannedCost ?? .zero
                let amount = amount ?? planned
                let decision = try Self.decided { () throws(FundsRefusal) in try state.approveRequest(id, amount: amount) }
                return (
                    decision,
                    "\(state.partnerID) \(state.programID): approved for \(amount.plainText) \(program.currency)"
                        + (amount == planned ? "" : " (planned \(planned.plainText))")
                )
            },
            record: { db, seq, step in
                guard case .requestApproved(_, let amount) = step.event else { return id }
                try db.execute(
                    sql: """
                        INSERT INTO fund_request_events(seq, request_id, status, approved_cents, reason, at, actor_kind, actor)
                        VALUES (?, ?, 'approved', ?, NULL, ?, ?, ?)
                        """, arguments: [seq, id, amount.cents, now(), actor.kind.rawValue, actor.name])
                return id
            })
    }

    /// Rejects (with a reason) or withdraws a pending or approved request; an approved one returns its funds.
    public func endFundRequest(_ id: Int, rejectedFor reason: String?, by actor: Actor = .operatingSystemUser()) throws -> FundsChange {
        let reason = try reason.map { try Self.required($0, "a reason for the rejection") }
        let rejected = reason != nil
        return try fundsWrite(
            { db in try Self.owner(ofRequest: id, db) }, id: id, actor: actor, action: rejected ? .fundRequestReject : .fundRequestWithdraw,
            subject: "request \(id)",
            decide: { _, program, state in
                let decision = try Self.decided { () throws(FundsRefusal) in try state.endRequest(id, rejected: rejected) }
                let held = state.request(id)?.held ?? .zero
                return (
                    decision,
                    "\(state.partnerID) \(state.programID): \(rejected ? "rejected" : "withdrawn")\(reason.map { ": \($0)" } ?? "")"
                        + (held.cents > 0 ? "; \(held.plainText) \(program.currency) returned" : "")
                )
            },
            record: { db, seq, _ in
                try db.execute(
                    sql: """
                        INSERT INTO fund_request_events(seq, request_id, status, approved_cents, reason, at, actor_kind, actor)
                        VALUES (?, ?, ?, NULL, ?, ?, ?, ?)
                        """, arguments: [seq, id, rejected ? "rejected" : "withdrawn", reason, now(), actor.kind.rawValue, actor.name])
                return id
            })
    }

    /// Submits a claim against an approved request, today, with its proof files (at least one; each at most 10 MiB, a
    /// PDF, PNG or JPEG by its content), stored with their SHA-256.
    public func submitClaim(request requestID: Int, actualCost: Money, proofs: [ProofFile], by actor: Actor = .operatingSystemUser()) throws
        -> FundsChange
    {
        guard !proofs.isEmpty else { throw WorkspaceError(.rejected, "a claim needs at least one proof file; nothing was changed") }
        var types: [String] = []
        for proof in proofs {
            let name = Diagnostic.escaped(proof.fileName)
            guard !proof.content.isEmpty else { throw WorkspaceError(.rejected, "proof file \(name) is empty; nothing was changed") }
            guard proof.content.count <= ProofFile.maximumSize else {
                throw WorkspaceError(
                    .rejected, "proof file \(name) is \(proof.content.count) bytes: at most 10 MiB (10,485,760 bytes) each; nothing was changed")
            }
            guard let type = ProofFile.contentType(of: proof.content) else {
                throw WorkspaceError(
                    .rejected,
                    "proof file \(name) is not a PDF, PNG or JPEG file (its content starts with \(proof.content.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " "))); nothing was changed"
                )
            }
            types.append(type)
        }
        return try fundsWrite(
            { db in try Self.owner(ofRequest: requestID, db) }, actor: actor, action: .claim, subject: "claim #",
            decide: { db, program, state in
                let id = (try Int.fetchOne(cached: db, sql: "SELECT MAX(id) FROM claims") ?? 0) + 1
                let decision = try Self.decided { () throws(FundsRefusal) in
                    try state.submitClaim(id: id, requestID: requestID, actualCost: actualCost, rules: Self.claimRules(program))
                }
                return (
                    decision,
                    "\(state.partnerID) \(state.programID): fund request \(requestID), actual cost \(actualCost.plainText) \(program.currency); proof "
                        + proofs.map { "\($0.fileName) sha256 \($0.sha256)" }.joined(separator: ", ")
                )
            },
            record: { db, seq, step in
                guard case .claimSubmitted(let id, _, _) = step.event else { return 0 }
                let at = now()
                try db.execute(
                    sql:
                        "INSERT INTO claims(id, seq, request_id, actual_cost_cents, submitted_on, at, actor_kind, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [id, seq, requestID, actualCost.cents, step.day.description, at, actor.kind.rawValue, actor.name])
                for (proof, type) in zip(proofs, types) {
                    try db.execute(
                        sql: """
                            INSERT INTO claim_proofs(claim_id, file_name, content_type, size, sha256, content, at, actor_kind, actor)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [id, proof.fileName, type, proof.content.count, proof.sha256, proof.content, at, actor.kind.rawValue, actor.name])
                }
                return id
            })
    }

    /// Approves a submitted claim for `amount` (nil: as much as allowed, the smaller of the request's approved amount
    /// and the actual cost).
    public func approveClaim(_ id: Int, amount: Money? = nil, by actor: Actor = .operatingSystemUser()) throws -> FundsChange {
        try fundsWrite(
            { db in try Self.owner(ofClaim: id, db) }, id: id, actor: actor, action: .claimApprove, subject: "claim \(id)",
            decide: { _, program, state in
                let claim = state.claim(id)
                let limit = min(claim.flatMap { state.request($0.requestID)?.approved } ?? .zero, claim?.actualCost ?? .zero)
                let amount = amount ?? limit
                let decision = try Self.decided { () throws(FundsRefusal) in try state.approveClaim(id, amount: amount) }
                return (decision, "\(state.partnerID) \(state.programID): approved for \(amount.plainText) \(program.currency)")
            },
            record: { db, seq, step in
                guard case .claimApproved(_, let amount) = step.event else { return id }
                try db.execute(
                    sql: """
                        INSERT INTO claim_events(seq, claim_id, status, approved_cents, reason, reference, paid_on, at, actor_kind, actor)
                        VALUES (?, ?, 'approved', ?, NULL, NULL, NULL, ?, ?, ?)
                        """, arguments: [seq, id, amount.cents, now(), actor.kind.rawValue, actor.name])
                return id
            })
    }

    /// Rejects (with a reason) or withdraws a submitted or approved claim; its request stays approved.
    public func endClaim(_ id: Int, rejectedFor reason: String?, by actor: Actor = .operatingSystemUser()) throws -> FundsChange {
        let reason = try reason.map { try Self.required($0, "a reason for the rejection") }
        let rejected = reason != nil
        return try fundsWrite(
            { db in try Self.owner(ofClaim: id, db) }, id: id, actor: actor, action: rejected ? .claimReject : .claimWithdraw, subject: "claim \(id)",
            decide: { _, _, state in
                let decision = try Self.decided { () throws(FundsRefusal) in try state.endClaim(id, rejected: rejected) }
                return (decision, "\(state.partnerID) \(state.programID): \(rejected ? "rejected" : "withdrawn")\(reason.map { ": \($0)" } ?? "")")
            },
            record: { db, seq, _ in
                try db.execute(
                    sql: """
                        INSERT INTO claim_events(seq, claim_id, status, approved_cents, reason, reference, paid_on, at, actor_kind, actor)
                        VALUES (?, ?, ?, NULL, ?, NULL, NULL, ?, ?, ?)
                        """, arguments: [seq, id, rejected ? "rejected" : "withdrawn", reason, now(), actor.kind.rawValue, actor.name])
                return id
            })
    }

    /// Records the payment of an approved claim on `paidOn` (default today) with a reference unique in the workspace;
    /// posts its `claim_paid` entry.
    public func payClaim(_ id: Int, reference: String, paidOn: Day? = nil, by actor: Actor = .operatingSystemUser()) throws -> FundsChange {
        let reference = try Self.required(reference, "a payment reference")
        let paidOn = paidOn ?? today
        return try fundsWrite(
            { db in try Self.owner(ofClaim: id, db) }, id: id, actor: actor, action: .claimPay, subject: "claim \(id)",
            decide: { db, program, state in
                let decision = try Self.decided { () throws(FundsRefusal) in try state.payClaim(id, reference: reference, paidOn: paidOn) }
                if case .record = decision,
                    let other = try Int.fetchOne(
                        cached: db, sql: "SELECT claim_id FROM claim_events WHERE status = 'paid' AND reference = ?", arguments: [reference])
                {
                    throw WorkspaceError(.conflict, "payment reference \(reference) is already used for claim \(other); nothing was changed")
                }
                let amount = state.claim(id)?.approved ?? .zero
                return (
                    decision,
                    "\(state.partnerID) \(state.programID): paid \(amount.plainText) \(program.currency) on \(paidOn), reference \(reference)"
                )
            },
            record: { db, seq, _ in
                try db.execute(
                    sql: """
                        INSERT INTO claim_events(seq, claim_id, status, approved_cents, reason, reference, paid_on, at, actor_kind, actor)
                        VALUES (?, ?, 'paid', NULL, NULL, ?, ?, ?, ?, ?)
                        """, arguments: [seq, id, reference, paidOn.description, now(), actor.kind.rawValue, actor.name])
                return id
            })
    }

    /// Posts every lapse due by `asOf` (default today; not after today) in every wallet, in one transaction with one
    /// audit entry; nothing when none is due.
    public func expireFunds(asOf: Day? = nil, by actor: Actor = .operatingSystemUser()) throws -> [LedgerEntry] {
        let day = asOf ?? today
        guard day <= today else {
            throw WorkspaceError(.rejected, "lapses are posted up to today (\(today)) at the latest, not \(day); nothing was changed")
        }
        return try writeTransaction { db in
            var posted: [LedgerEntry] = []
            let at = now()
            for row in try Row.fetchAll(
                cached: db,
                sql: "SELECT DISTINCT program_id, partner_id, currency FROM ledger_entries WHERE kind = 'allocation' ORDER BY program_id, partner_id")
            {
                let wallet = try FundsLoad.wallet(db, program: row[0], partner: row[1], currency: row[2])
                let due = wallet.state(asOf: day).due
                try FundsLoad.post(db, due, at: at, actor: actor)
                posted += due
            }
            guard !posted.isEmpty else { return [] }
            // One entry per program: its lapses and their total (one currency).
            for program in Set(posted.map(\.programID)).sorted() {
                let lapses = posted.filter { $0.programID == program }
                let total = Money(cents: lapses.reduce(Int64(0)) { $0 + $1.amount.cents })
                try audit(
                    db, actor, .fundsExpire, subject: program,
                    detail: "as of \(day): \(lapses.count) entr\(lapses.count == 1 ? "y" : "ies"), total \(total.plainText) \(lapses[0].currency): "
                        + FundsLoad.describe(lapses))
            }
            Failpoint.reach("funds-before-commit")
            return posted
        }
    }
}
