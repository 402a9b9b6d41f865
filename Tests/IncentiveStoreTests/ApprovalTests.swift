import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger
import Synchronization
import Testing

@testable import IncentiveStore

/// The bundled example with a known clock, and the credit note that corrects it.
enum LedgerFixture {
    /// The bundled example's programs and data, today 2026-11-30.
    static func workspace(_ sandbox: Sandbox, name: String = "w.sqlite") throws -> Workspace {
        let path = sandbox.path(name)
        _ = try sandbox.exampleWorkspace(name: name)
        return try Workspace.open(at: path, clock: .fixed(Day(iso: "2026-11-30")!))
    }

    /// A credit note for NL1001: -1,250.00 of IP phones (VIP25-6M collaboration/voice, 16%) on 2015-07-20, in the
    /// period. Voice volume 34,700.00 -> 33,450.00, still above NL's 25,000.00: 16% of it is 5,352.00, 200.00 less
    /// than the 5,552.00 of the example.
    static func importCreditNote(_ workspace: Workspace, _ sandbox: Sandbox) throws {
        let file = try sandbox.write(
            "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
                + "SO15-1099,1,NL1001,2015-07-20,2015-07-20,CP-8865-K9,,-1250.00,USD,\n", to: "credit-note.csv")
        _ = try workspace.importFile(.bookings, path: file)
    }

    static func day(_ text: String) -> Day { Day(iso: text)! }

    static func count(_ workspace: Workspace, _ table: String) throws -> Int {
        try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}

@Suite struct ApprovalTests {
    /// ledger.md's true-up on the bundled example: the interim approval of run 1 posts every non-zero amount of
    /// expected/results.csv; after a payment and a credit note, the final approval of run 2 posts only the
    /// difference (-200.00 for NL1001's voice), and NL1001's balance due is -200.00.
    @Test func trueUpOverTwoRunsOfTheExample() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        let interim = try workspace.approve(run: 1, kind: .interim, on: LedgerFixture.day("2015-08-15"))
        #expect(interim.changed)
        #expect(interim.programs.map(\.programID) == ["PROVIDER-MDF-FY23-H2", "VIP25-3M", "VIP25-6M"])
        #expect(interim.programs.map(\.approvalID) == [1, 2, 3])
        // The non-zero amounts of expected/results.csv: MDF 1273.01 + 592.54; VIP25-3M 2564.89; VIP25-6M 4360.00 +
        // 2283.56 + 5117.39 + 5552.00 + 3450.04 + 4940.74.
        #expect(interim.programs.map(\.entries) == [2, 1, 6])
        #expect(interim.programs.map(\.total.plainText) == ["1865.55", "2564.89", "25703.73"])
        #expect(interim.programs.map(\.clawbacks) == [.zero, .zero, .zero])
        // MDF funds approved 2015-08-15 for 12 months: usable through 2016-08-14.
        #expect(interim.programs.map { $0.validThrough?.description } == ["2016-08-14", nil, nil])
        let allocations = try workspace.ledgerEntries(EntryFilter(program: "PROVIDER-MDF-FY23-H2")).items.map(\.entry)
        #expect(allocations.map(\.kind) == [.allocation, .allocation])
        #expect(allocations.map(\.partnerID) == ["NL1005", "NL1006"])
        #expect(allocations.map(\.amount.cents) == [127_301, 59_254])

        let paid = try workspace.addPayment(
            partner: "NL1001", program: "VIP25-6M", amount: "9002.04", currency: "USD", reference: "PAY-1", paidOn: "2015-09-01")
        #expect(paid.added.map(\.amount.cents) == [900_204])

        try LedgerFixture.importCreditNote(workspace, sandbox)
        // Run 2 computes NL1001 alone and is stored anchored on run 1: the approval reads every other partner's rows
        // from run 1 (were they missing, it would claw every other amount back).
        #expect(try workspace.run().summary.anchorRun == 1)
        let final = try workspace.approve(run: 2, kind: .final, on: LedgerFixture.day("2015-10-01"))
        #expect(final.programs.map(\.approvalID) == [4, 5, 6])
        #expect(final.programs.map(\.entries) == [0, 0, 1])
        #expect(final.programs.map(\.total.plainText) == ["0.00", "0.00", "-200.00"])
        #expect(final.programs.map(\.clawbacks.plainText) == ["0.00", "0.00", "-200.00"])

        let nl1001 = try workspace.ledgerEntries(EntryFilter(partner: "NL1001")).items.map(\.entry)
        #expect(nl1001.map(\.kind) == [.entitlement, .entitlement, .payment, .entitlement])
        #expect(nl1001.map(\.item) == ["collaboration/voice", "data-center/ucs", nil, "collaboration/voice"])
        #expect(nl1001.map(\.amount.cents) == [555_200, 345_004, -900_204, -20_000])
        #expect(nl1001.map(\.effectiveOn.description) == ["2015-08-15", "2015-08-15", "2015-09-01", "2015-10-01"])

        let statements = try workspace.statements(partner: "NL1001", asOf: LedgerFixture.day("2015-12-31"))
        #expect(statements.map(\.programID) == ["VIP25-6M"])
        let statement = try #require(statements.first)
        #expect(statement.currency == "USD")
        #expect(statement.approvals.map(\.approval.id) == [3, 6])
        #expect(
            statement.approvals[1].items == [
                StatementItem(item: "collaboration/voice", entitlement: Money(cents: 535_200), delta: Money(cents: -20_000)),
                StatementItem(item: "data-center/ucs", entitlement: Money(cents: 345_004), delta: .zero),
            ])
        #expect(statement.entitled.cents == 880_204)
        #expect(statement.paid.cents == 900_204)
        #expect(statement.balance.cents == -20_000)
        // As of the day before the final approval: paid in full.
        #expect(try workspace.statements(partner: "NL1001", program: "VIP25-6M", asOf: LedgerFixture.day("2015-09-30")).first?.balance == .zero)

        #expect(try workspace.closure(of: "VIP25-6M").closed)
        let audit = try workspace.auditLog(AuditFilter(action: "approve")).items
        #expect(audit.map(\.subject) == ["run 2", "run 1"])
        #expect(audit.first?.detail?.contains("VIP25-6M: approval 6, 1 entries, -200.00 USD") == true)
    }

    @Test func theSameApprovalTwiceChangesNothingAndSaysSo() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        let first = try workspace.approve(run: 1, kind: .interim, programs: ["VIP25-6M"])
        #expect(first.approvedOn.description == "2026-11-30")
        let (entries, audit, revision) = (
            try LedgerFixture.count(workspace, "ledger_entries"), try LedgerFixture.count(workspace, "audit_log"), try workspace.revision()
        )
        let again = try workspace.approve(run: 1, kind: .interim, programs: ["VIP25-6M"])
        #expect(!again.changed)
        #expect(again.programs.map { $0.earlier?.id } == [1])
        #expect(again.programs.map(\.approvalID) == [nil])
        #expect(try LedgerFixture.count(workspace, "ledger_entries") == entries)
        #expect(try LedgerFixture.count(workspace, "audit_log") == audit)
        #expect(try workspace.revision() == revision)
        // With all programs: the one approved before is said so, the others are approved.
        let all = try workspace.approve(run: 1, kind: .interim)
        #expect(all.programs.map(\.approvalID) == [2, 3, nil])
        #expect(all.programs.map { $0.earlier?.id } == [nil, nil, 1])
        #expect(try LedgerFixture.count(workspace, "ledger_entries") == entries + 3)
    }

    @Test func aClosedProgramIsRefusedUntilReopenedWithAReason() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        _ = try workspace.approve(run: 1, kind: .final, programs: ["VIP25-6M"], on: LedgerFixture.day("2015-10-01"))
        let before = (try LedgerFixture.count(workspace, "ledger_entries"), try LedgerFixture.count(workspace, "audit_log"))
        try LedgerFixture.importCreditNote(workspace, sandbox)
        _ = try workspace.run()
        // All or nothing: VIP25-3M is open, but VIP25-6M is closed, so neither is approved.
        let error = #expect(throws: WorkspaceError.self) { try workspace.approve(run: 2, kind: .interim, programs: ["VIP25-3M", "VIP25-6M"]) }
        #expect(error?.code == .conflict)
        #expect(
            error?.message
                == "VIP25-6M is closed by the final approval 1 of run 1 on 2015-10-01; it must be reopened (with a reason) before another approval; nothing was approved"
        )
        #expect(try LedgerFixture.count(workspace, "ledger_entries") == before.0)
        #expect(try LedgerFixture.count(workspace, "approvals") == 1)
        // The final approval made again is not refused: it says it was made.
        #expect(try workspace.approve(run: 1, kind: .final, programs: ["VIP25-6M"]).programs.map { $0.earlier?.id } == [1])

        #expect(throws: WorkspaceError.self) { try workspace.reopen(program: "VIP25-6M", reason: "  ") }
        #expect(throws: WorkspaceError.self) { try workspace.reopen(program: "NOPE", reason: "x") }
        #expect(try workspace.reopen(program: "VIP25-6M", reason: "credit note SO15-1099 arrived"))
        #expect(try workspace.reopen(program: "VIP25-6M", reason: "again") == false)
        #expect(try workspace.closure(of: "VIP25-6M").closed == false)
        let reopened = try workspace.auditLog(AuditFilter(action: "reopen")).items
        #expect(reopened.map(\.subject) == ["VIP25-6M"])
        #expect(reopened.map(\.detail) == ["credit note SO15-1099 arrived"])
        #expect(try LedgerFixture.count(workspace, "audit_log") == before.1 + 3)  // the import, the run and the reopen

        let after = try workspace.approve(run: 2, kind: .final, programs: ["VIP25-6M"], on: LedgerFixture.day("2015-11-01"))
        #expect(after.programs.map(\.total.plainText) == ["-200.00"])
        #expect(try workspace.closure(of: "VIP25-6M").approval?.id == 2)
    }

    /// Approving an older run after a newer one is allowed, with a warning; its amounts become the entitlement.
    @Test func anOlderRunAfterANewerOneWarns() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        try LedgerFixture.importCreditNote(workspace, sandbox)
        _ = try workspace.run()
        let newer = try workspace.approve(run: 2, kind: .interim, programs: ["VIP25-6M"])
        #expect(newer.programs.map(\.laterRunApproved) == [nil])
        let older = try workspace.approve(run: 1, kind: .interim, programs: ["VIP25-6M"])
        #expect(older.programs.map(\.laterRunApproved) == [2])
        #expect(older.programs.map(\.total.plainText) == ["200.00"])
    }

    @Test func unknownRunsAndProgramsAreRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        #expect(throws: WorkspaceError.self) { try workspace.approve(run: 1, kind: .interim) }
        _ = try workspace.run(programIDs: ["VIP25-3M"])
        let error = #expect(throws: WorkspaceError.self) { try workspace.approve(run: 1, kind: .interim, programs: ["VIP25-6M"]) }
        #expect(error?.message == "run 1 has no program VIP25-6M (it has VIP25-3M)")
        #expect(try LedgerFixture.count(workspace, "approvals") == 0)
    }

    /// Two Workspace instances on one file approve the same run at the same moment: exactly one posts.
    @Test func twoWorkspacesApprovingTheSameRunAtOnceExactlyOnePosts() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        let path = sandbox.path("w.sqlite")
        let a = try Workspace.open(at: path), b = try Workspace.open(at: path)
        let outcomes = Mutex<[Bool]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let outcome = try (index == 0 ? a : b).approve(run: 1, kind: .interim)
                outcomes.withLock { $0.append(outcome.changed) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(outcomes.withLock { $0.sorted { !$0 && $1 } } == [false, true])
        #expect(try LedgerFixture.count(workspace, "approvals") == 3)
        #expect(try LedgerFixture.count(workspace, "ledger_entries") == 9)
        #expect(try workspace.auditLog(AuditFilter(action: "approve")).total == 1)
    }
}
