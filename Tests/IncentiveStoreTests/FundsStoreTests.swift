import Crypto
import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger
import Synchronization
import Testing

@testable import IncentiveStore

/// The MDF funds wallet in the workspace (issue 17 point 5, docs/funds.md): requests, claims with proof, payments,
/// lapses; each write one transaction with its audit entry; two approvals at once.
@Suite struct FundsStoreTests {
    static let program = "PROVIDER-MDF-FY23-H2"
    static let partner = "NL1001"

    /// Bytes that start like the allow-listed types.
    static let pdf = Data("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52])
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46])

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// A workspace with the example data and programs (one MDF program), its clock as `time` says.
    static func workspace(_ sandbox: Sandbox, _ time: SettableClock) throws -> Workspace {
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"), clock: time.clock)
        for name in try FileManager.default.contentsOfDirectory(atPath: Sandbox.examplePrograms).filter({ $0.hasSuffix(".yaml") }).sorted() {
            _ = try workspace.addProgram(file: Sandbox.examplePrograms + "/" + name)
        }
        _ = try workspace.importFolder(Sandbox.exampleData)
        return workspace
    }

    /// Until the payouts helper's approvals are merged: an `approvals` row (of a stand-in run) and one `allocation`
    /// entry, by SQL, as an MDF approval on `approvedOn` posts it. Returns the entry's id.
    @discardableResult
    static func allocate(
        _ workspace: Workspace, _ cents: Int64, approvedOn: String, months: Int = 12, partner: String = partner, program: String = program
    ) throws -> Int {
        let day = Day(iso: approvedOn)!
        let through = Validity.lastUsableDay(approvedOn: day, months: months)
        return try workspace.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs(started_at, finished_at, engine_version, data_digest, inputs_digest, booking_lines, partners)
                    VALUES (?, ?, 'test', '', '', 0, 0)
                    """, arguments: [workspace.now(), workspace.now()])
            let run = db.lastInsertedRowID
            try db.execute(
                sql:
                    "INSERT INTO approvals(run_id, program_id, kind, approved_on, at, actor_kind, actor) VALUES (?, ?, 'interim', ?, ?, 'os_user', 'test')",
                arguments: [run, program, approvedOn, workspace.now()])
            let approval = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO ledger_entries(kind, program_id, partner_id, item, amount_cents, currency, effective_on, valid_through, approval_id,
                    at, actor_kind, actor) VALUES ('allocation', ?, ?, 'mdf', ?, 'USD', ?, ?, ?, ?, 'os_user', 'test')
                    """, arguments: [program, partner, cents, approvedOn, through.description, approval, workspace.now()])
            return Int(db.lastInsertedRowID)
        }
    }

    /// The partner's funds as the sum of its ledger entries, read by SQL.
    static func entriesSum(_ workspace: Workspace) throws -> Int64 {
        try workspace.pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE partner_id = ? AND program_id = ?",
                arguments: [partner, program]) ?? 0
        }
    }

    static func count(_ workspace: Workspace, _ table: String) throws -> Int {
        try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    static func request(_ cents: Int64, starts: String = "2026-03-10", ends: String = "2026-03-20") -> FundRequestInput {
        FundRequestInput(
            programID: program, partnerID: partner, activity: "Partner event", description: "Breakfast seminar", plannedCost: Money(cents: cents),
            startsOn: Day(iso: starts)!, endsOn: Day(iso: ends)!)
    }

    static func auditActions(_ workspace: Workspace) throws -> [String] {
        try workspace.auditLog(AuditFilter(), offset: 0, limit: 100).items.reversed().map(\.action).filter { $0 != "import" && $0 != "program_add" }
    }

    @Test func requestClaimWithProofApprovalAndPayment() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-03-01T09:00:00Z")
        let workspace = try Self.workspace(sandbox, time)
        try Self.allocate(workspace, 100_000, approvedOn: "2026-01-15")

        let filed = try workspace.fileFundRequest(Self.request(60_000))
        #expect(filed.id == 1 && filed.changed)
        #expect(filed.wallet.available == Money(cents: 40_000))
        #expect(try workspace.fundRequests(FundsFilter(status: "pending")).map(\.id) == [1])
        #expect(try workspace.fundsQueues().requests.map(\.id) == [1])

        time.set("2026-03-02T10:00:00Z")
        let approved = try workspace.approveFundRequest(1, amount: Money(cents: 50_000))
        #expect(approved.message == "NL1001 PROVIDER-MDF-FY23-H2: approved for 500.00 USD (planned 600.00)")
        #expect(approved.wallet.free == Money(cents: 50_000))
        #expect(approved.wallet.held == Money(cents: 50_000))
        #expect(approved.wallet.available == Money(cents: 50_000))
        let entry = try #require(try workspace.auditLog(AuditFilter(action: "fund_request_approve"), offset: 0, limit: 10).items.first)
        #expect(entry.subject == "request 1")
        #expect(entry.detail == "NL1001 PROVIDER-MDF-FY23-H2: approved for 500.00 USD (planned 600.00)")
        #expect(entry.at == "2026-03-02T10:00:00.000Z")
        // The same approval again changes nothing and says so.
        let again = try workspace.approveFundRequest(1, amount: Money(cents: 50_000))
        #expect(!again.changed && again.message == "fund request 1 is already approved for 500.00 USD; nothing changed")
        #expect(try Self.count(workspace, "fund_request_events") == 1)

        time.set("2026-03-25T08:00:00Z")
        let claim = try workspace.submitClaim(
            request: 1, actualCost: Money(cents: 55_000),
            proofs: [ProofFile(fileName: "invoice.pdf", content: Self.pdf), ProofFile(fileName: "photo.png", content: Self.png)])
        #expect(claim.id == 1)
        let stored = try #require(try workspace.claims(FundsFilter(status: "submitted")).first)
        #expect(stored.submittedOn == Day(iso: "2026-03-25"))
        #expect(
            stored.proofs.map { "\($0.fileName) \($0.contentType) \($0.size) \($0.sha256)" } == [
                "invoice.pdf application/pdf \(Self.pdf.count) \(Self.sha256(Self.pdf))", "photo.png image/png 16 \(Self.sha256(Self.png))",
            ])
        #expect(try workspace.claimProof(stored.proofs[0].id).1 == Self.pdf)

        let queues = try workspace.fundsQueues()
        #expect(queues.requests.isEmpty && queues.claims.map(\.id) == [1])
        #expect(try workspace.fundsQueues(partner: "NL1002").claims.isEmpty)
        let claimApproved = try workspace.approveClaim(1)  // as much as allowed: the request's 500.00 < the actual 550.00
        #expect(claimApproved.message == "NL1001 PROVIDER-MDF-FY23-H2: approved for 500.00 USD")
        time.set("2026-03-27T08:00:00Z")
        let paid = try workspace.payClaim(1, reference: "CR-2026-1", paidOn: Day(iso: "2026-03-26"))
        #expect(paid.posted.map { "\($0.kind.rawValue) \($0.amount.plainText) \($0.effectiveOn)" } == ["claim_paid -500.00 2026-03-26"])
        #expect(paid.wallet.funds == Money(cents: 50_000))
        #expect(paid.wallet.free == Money(cents: 50_000))
        #expect(paid.wallet.held == .zero)
        #expect(try Self.entriesSum(workspace) == 50_000)
        let row = try workspace.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT claim_id, currency, actor_kind FROM ledger_entries WHERE kind = 'claim_paid'")
        }
        let claimID: Int? = row?[0], currency: String? = row?[1], actorKind: String? = row?[2]
        #expect(claimID == 1 && currency == "USD" && actorKind == "os_user")
        #expect(try workspace.fundRequests().first?.status == .closed)
        #expect(try workspace.claims().first?.status == .paid)
        #expect(try workspace.claims().first?.reference == "CR-2026-1")
        #expect(try Self.auditActions(workspace) == ["fund_request", "fund_request_approve", "claim", "claim_approve", "claim_pay"])
        let wallet = try #require(try workspace.fundsWallets(partner: Self.partner).first)
        #expect(wallet.funds == Money(cents: 50_000) && wallet.due.isEmpty)
    }

    @Test func proofFilesAreCheckedAndNothingIsWrittenWhenRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-03-01T09:00:00Z")
        let workspace = try Self.workspace(sandbox, time)
        try Self.allocate(workspace, 100_000, approvedOn: "2026-01-15")
        _ = try workspace.fileFundRequest(Self.request(10_000, starts: "2026-03-01", ends: "2026-03-01"))
        _ = try workspace.approveFundRequest(1)
        let before = try Self.auditActions(workspace)
        func refusal(_ proofs: [ProofFile]) -> String? {
            do {
                _ = try workspace.submitClaim(request: 1, actualCost: Money(cents: 10_000), proofs: proofs)
                return nil
            } catch {
                return (error as? WorkspaceError)?.message
            }
        }
        #expect(refusal([]) == "a claim needs at least one proof file; nothing was changed")
        #expect(
            refusal([ProofFile(fileName: "a.gif", content: Data("GIF89a....".utf8))])
                == "proof file a.gif is not a PDF, PNG or JPEG file (its content starts with 47 49 46 38 39 61 2e 2e); nothing was changed")
        var big = Self.pdf
        big.append(Data(count: ProofFile.maximumSize + 1 - Self.pdf.count))
        #expect(
            refusal([ProofFile(fileName: "big.pdf", content: big)])
                == "proof file big.pdf is 10485761 bytes: at most 10 MiB (10,485,760 bytes) each; nothing was changed")
        #expect(refusal([ProofFile(fileName: "empty.pdf", content: Data())]) == "proof file empty.pdf is empty; nothing was changed")
        #expect(try Self.count(workspace, "claims") == 0 && Self.count(workspace, "claim_proofs") == 0)
        #expect(try Self.auditActions(workspace) == before)
        // Exactly 10 MiB, and a JPEG, are allowed.
        var limit = Self.pdf
        limit.append(Data(count: ProofFile.maximumSize - Self.pdf.count))
        _ = try workspace.submitClaim(
            request: 1, actualCost: Money(cents: 10_000),
            proofs: [ProofFile(fileName: "limit.pdf", content: limit), ProofFile(fileName: "p.jpg", content: Self.jpeg)])
        #expect(try workspace.claims().first?.proofs.map(\.contentType) == ["application/pdf", "image/jpeg"])
    }

    @Test func claimTooLateIsRefusedNamingTheDates() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-03-01T09:00:00Z")
        let workspace = try Self.workspace(sandbox, time)
        try Self.allocate(workspace, 100_000, approvedOn: "2026-01-15")
        _ = try workspace.fileFundRequest(Self.request(10_000, starts: "2026-03-01", ends: "2026-03-10"))
        _ = try workspace.approveFundRequest(1)
        time.set("2026-04-08T09:00:00Z")  // 2026-03-10 + 28 days = 2026-04-07
        #expect(
            throws: WorkspaceError(
                .rejected,
                "a claim for fund request 1 is too late on 2026-04-08: its activity ended on 2026-03-10 and claims are due within 28 days, by 2026-04-07; nothing was changed"
            )
        ) { try workspace.submitClaim(request: 1, actualCost: Money(cents: 100), proofs: [ProofFile(fileName: "i.pdf", content: Self.pdf)]) }
        #expect(try Self.count(workspace, "claims") == 0)
    }

    /// Allocation approved 2025-01-10 for 12 months: usable through 2026-01-09. The first write after that posts the lapse
    /// (effective 2026-01-10) before its own change; a read only shows it as due.
    @Test func dueLapsesArePostedByTheNextWriteAndByExpire() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-01-09T12:00:00Z")
        let workspace = try Self.workspace(sandbox, time)
        let old = try Self.allocate(workspace, 30_000, approvedOn: "2025-01-10")
        try Self.allocate(workspace, 20_000, approvedOn: "2025-06-01")
        #expect(try workspace.fundsWallets(partner: Self.partner).first?.due.isEmpty == true)
        #expect(try workspace.expireFunds().isEmpty)
        time.set("2026-01-10T08:00:00Z")
        let view = try #require(try workspace.fundsWallets(partner: Self.partner, program: Self.program).first)
        #expect(view.due.map { "\($0.kind.rawValue) \($0.amount.plainText) \($0.effectiveOn)" } == ["expired -300.00 2026-01-10"])
        #expect(view.free == Money(cents: 20_000))
        #expect(try Self.count(workspace, "ledger_entries") == 2)
        let filed = try workspace.fileFundRequest(Self.request(5_000, starts: "2026-02-01", ends: "2026-02-02"))
        #expect(filed.posted.map { "\($0.kind.rawValue) \($0.amount.plainText) \($0.effectiveOn)" } == ["expired -300.00 2026-01-10"])
        let lapse = try workspace.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT allocation_id, amount_cents, effective_on FROM ledger_entries WHERE kind = 'expired'")
        }
        let allocationID: Int? = lapse?[0], cents: Int64? = lapse?[1], effective: String? = lapse?[2]
        #expect(allocationID == old && cents == -30_000 && effective == "2026-01-10")
        let audit = try #require(try workspace.auditLog(AuditFilter(action: "fund_request"), offset: 0, limit: 1).items.first)
        #expect(audit.detail?.hasSuffix("; posted: expired -300.00 USD on 2026-01-10 (allocation \(old))") == true)
        #expect(try Self.entriesSum(workspace) == 20_000)
        // Nothing more is due: expire posts nothing and writes no audit entry.
        #expect(try workspace.expireFunds().isEmpty)
        #expect(try workspace.auditLog(AuditFilter(action: "funds_expire"), offset: 0, limit: 1).total == 0)
        // The second allocation (through 2026-05-31) lapses through expire, once.
        time.set("2026-06-01T00:00:00Z")
        #expect(throws: WorkspaceError(.rejected, "lapses are posted up to today (2026-06-01) at the latest, not 2026-06-02; nothing was changed")) {
            try workspace.expireFunds(asOf: Day(iso: "2026-06-02"))
        }
        #expect(try workspace.expireFunds().map { "\($0.amount.plainText) \($0.effectiveOn)" } == ["-200.00 2026-06-01"])
        #expect(try workspace.expireFunds().isEmpty)
        #expect(try Self.entriesSum(workspace) == 0)
        let expired = try workspace.auditLog(AuditFilter(action: "funds_expire"), offset: 0, limit: 5).items
        #expect(expired.map(\.subject) == [Self.program])
        #expect(
            expired.first?.detail
                == "as of 2026-06-01: 1 entry, total -200.00 USD: expired -200.00 USD on 2026-06-01 (allocation \(old + 1))")
    }

    @Test func rejectedRequestReturnsItsAmountToAvailable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-03-01T09:00:00Z")
        let workspace = try Self.workspace(sandbox, time)
        try Self.allocate(workspace, 100_000, approvedOn: "2026-01-15")
        _ = try workspace.fileFundRequest(Self.request(70_000))
        #expect(try workspace.approveFundRequest(1).wallet.available == Money(cents: 30_000))
        #expect(throws: WorkspaceError(.rejected, "a reason for the rejection is required (not empty); nothing was changed")) {
            try workspace.endFundRequest(1, rejectedFor: "  ")
        }
        let rejected = try workspace.endFundRequest(1, rejectedFor: "not a marketing activity")
        #expect(rejected.message == "NL1001 PROVIDER-MDF-FY23-H2: rejected: not a marketing activity; 700.00 USD returned")
        #expect(rejected.wallet.available == Money(cents: 100_000))
        #expect(try workspace.fundRequests().first.map { "\($0.status.rawValue) \($0.reason ?? "")" } == "rejected not a marketing activity")
        #expect(
            throws: WorkspaceError(.conflict, "fund request 1 is rejected since 2026-03-01; a claim needs an approved request; nothing was changed")
        ) {
            try workspace.submitClaim(request: 1, actualCost: Money(cents: 100), proofs: [ProofFile(fileName: "i.pdf", content: Self.pdf)])
        }
        // A withdrawn pending request no longer lowers what is available.
        _ = try workspace.fileFundRequest(Self.request(20_000))
        #expect(try workspace.fundsWallets(partner: Self.partner).first?.available == Money(cents: 80_000))
        #expect(try workspace.endFundRequest(2, rejectedFor: nil).wallet.available == Money(cents: 100_000))
    }

    @Test func duplicatePaymentReferenceIsRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-03-01T09:00:00Z")
        let workspace = try Self.workspace(sandbox, time)
        try Self.allocate(workspace, 100_000, approvedOn: "2026-01-15")
        for id in 1...2 {
            _ = try workspace.fileFundRequest(Self.request(10_000, starts: "2026-03-01", ends: "2026-03-01"))
            _ = try workspace.approveFundRequest(id)
            _ = try workspace.submitClaim(request: id, actualCost: Money(cents: 10_000), proofs: [ProofFile(fileName: "i.pdf", content: Self.pdf)])
            _ = try workspace.approveClaim(id)
        }
        _ = try workspace.payClaim(1, reference: "CR-1")
        #expect(throws: WorkspaceError(.conflict, "payment reference CR-1 is already used for claim 1; nothing was changed")) {
            try workspace.payClaim(2, reference: "CR-1")
        }
        #expect(try workspace.payClaim(1, reference: "CR-1").changed == false)
        #expect(try Self.entriesSum(workspace) == 90_000)
    }

    final class Shared: Sendable {
        let arrived = Mutex(0)
        let outcomes = Mutex<[Int: Result<Money, WorkspaceError>]>([:])
    }

    /// Two workspaces on one file approve, at the same moment, two requests (600.00 and 500.00) that together exceed
    /// the free 1,000.00: exactly one succeeds, the other is refused naming the free funds.
    @Test(arguments: 1...3)
    func concurrentApprovalsExactlyOneSucceeds(round: Int) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let time = SettableClock("2026-03-01T09:00:00Z")
        let first = try Self.workspace(sandbox, time)
        try Self.allocate(first, 100_000, approvedOn: "2026-01-15")
        _ = try first.fileFundRequest(Self.request(60_000))
        _ = try first.fileFundRequest(Self.request(50_000))
        let second = try Workspace.open(at: sandbox.path("w.sqlite"), clock: time.clock)
        let shared = Shared()
        let done = DispatchSemaphore(value: 0)
        for index in 0..<2 {
            Thread.detachNewThread {
                defer { done.signal() }
                shared.arrived.withLock { $0 += 1 }
                while shared.arrived.withLock({ $0 }) < 2 {}  // both threads start the approval together
                let workspace = index == 0 ? first : second
                let result: Result<Money, WorkspaceError>
                do {
                    result = .success(try workspace.approveFundRequest(index + 1).wallet.held)
                } catch {
                    result = .failure(error as? WorkspaceError ?? WorkspaceError(.failed, "\(error)"))
                }
                shared.outcomes.withLock { $0[index + 1] = result }
            }
        }
        done.wait()
        done.wait()
        let results = shared.outcomes.withLock { $0 }
        let succeeded = results.filter { if case .success = $0.value { true } else { false } }.map(\.key)
        #expect(succeeded.count == 1, "round \(round): \(results)")
        let winner = try #require(succeeded.first)
        let loser = winner == 1 ? 2 : 1
        let free = winner == 1 ? "400.00" : "500.00"
        let planned = loser == 1 ? "600.00" : "500.00"
        guard case .failure(let error) = results[loser] else { return }
        #expect(error.code == .conflict)
        #expect(
            error.message
                == "fund request \(loser) can't be approved for \(planned) USD: only \(free) USD of NL1001's funds in PROVIDER-MDF-FY23-H2 are free on 2026-03-01 (available to new requests: 0.00 USD); nothing was changed"
        )
        #expect(try Self.count(first, "fund_request_events") == 1)
        let wallet = try #require(try second.fundsWallets(partner: Self.partner).first)
        #expect(wallet.held == Money(cents: winner == 1 ? 60_000 : 50_000))
        #expect(wallet.funds == Money(cents: 100_000))
    }
}
