import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger
import Testing

@testable import IncentiveStore

@Suite struct LedgerTests {
    /// The ledger's tables are append-only: the triggers refuse every UPDATE and DELETE, also of SQL written by hand.
    @Test func theAppendOnlyTriggersRefuseUpdatesAndDeletes() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        _ = try workspace.approve(run: 1, kind: .final, programs: ["VIP25-6M"])
        _ = try workspace.addPayment(partner: "NL1001", program: "VIP25-6M", amount: "1.00", currency: "USD", reference: "P", paidOn: "2015-09-01")
        let before = try workspace.ledgerEntries().items
        #expect(before.count == 7)
        for sql in [
            "UPDATE ledger_entries SET amount_cents = 0", "DELETE FROM ledger_entries", "UPDATE approvals SET kind = 'interim'",
            "DELETE FROM approvals", "DELETE FROM program_closures", "UPDATE payments SET amount_cents = 1", "DELETE FROM payments",
        ] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") { try workspace.pool.write { db in try db.execute(sql: sql) } }
            #expect(error?.message?.contains("is append-only") == true, "\(sql)")
        }
        #expect(try workspace.ledgerEntries().items == before)
    }

    /// An MDF program's statement lists its allocations; its balance is the partner's funds.
    @Test func anMDFStatementShowsTheAllocations() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        _ = try workspace.approve(run: 1, kind: .interim, on: LedgerFixture.day("2023-08-15"))
        let statements = try workspace.statements(partner: "NL1005")
        #expect(statements.map(\.programID) == ["PROVIDER-MDF-FY23-H2"])
        let statement = try #require(statements.first)
        #expect(statement.programKind == .mdf)
        #expect(statement.approvals.map(\.approval.id) == [1])
        #expect(statement.approvals.first?.items == [StatementItem(item: "gold", entitlement: Money(cents: 127_301), delta: Money(cents: 127_301))])
        #expect(statement.balance.cents == 127_301)
        let allocation = try #require(try workspace.ledgerEntries(EntryFilter(partner: "NL1005")).items.first?.entry)
        #expect(allocation.kind == .allocation)
        #expect(allocation.validThrough?.description == "2024-08-14")
    }

    /// Every balance on any date is the sum of the entries effective by then.
    @Test func aStatementsBalanceIsTheSumOfItsEntries() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        _ = try workspace.approve(run: 1, kind: .interim, on: LedgerFixture.day("2015-08-15"))
        _ = try workspace.addPayment(
            partner: "DE3001", program: "VIP25-6M", amount: "1000.00", currency: "USD", reference: "P-1", paidOn: "2015-09-01")
        for asOf in ["2015-08-14", "2015-08-15", "2015-08-31", "2015-09-01", "2026-11-30"] {
            let statements = try workspace.statements(partner: "DE3001", asOf: LedgerFixture.day(asOf))
            for statement in statements {
                let sum = try workspace.ledgerEntries(EntryFilter(partner: "DE3001", program: statement.programID, asOf: LedgerFixture.day(asOf)))
                    .items.reduce(0) { $0 + $1.entry.amount.cents }
                #expect(statement.balance.cents == sum, "\(asOf) \(statement.programID)")
            }
        }
        // DE3001: VIP25-3M 2564.89; VIP25-6M 2283.56 + 5117.39 = 7400.95, less 1000.00 paid.
        let now = try workspace.statements(partner: "DE3001")
        #expect(now.map(\.programID) == ["VIP25-3M", "VIP25-6M"])
        #expect(now.map(\.balance.plainText) == ["2564.89", "6400.95"])
        #expect(try workspace.statements(partner: "DE3001", asOf: LedgerFixture.day("2015-08-14")).map(\.balance) == [.zero, .zero])
        #expect(throws: WorkspaceError.self) { try workspace.statements(partner: "XX0000") }
        #expect(throws: WorkspaceError.self) { try workspace.statements(partner: "DE3001", program: "NOPE") }
    }
}
