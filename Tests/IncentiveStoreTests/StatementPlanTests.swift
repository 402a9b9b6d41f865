import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger
import Testing

@testable import IncentiveStore

/// Issue 17, "Speed": a statement reads one partner's rows through indexes, never a whole table, so that its cost
/// does not grow with the other partners' entries, payments and approvals (bench/statement.sh measures it with a
/// million entries).
@Suite struct StatementPlanTests {
    /// Every query a statement runs (traced on its connection) is planned by SQLite without a SCAN of any table (`SCAN
    /// CONSTANT ROW` is the one row of a `SELECT EXISTS`, not a table); the entries, payments and approvals are searched
    /// through their partner and program indexes.
    @Test func everyStatementQueryIsAnIndexSearch() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        _ = try workspace.run()
        _ = try workspace.approve(run: 1, kind: .interim, on: LedgerFixture.day("2015-08-15"))
        _ = try workspace.addPayment(
            partner: "DE3001", program: "VIP25-6M", amount: "1000.00", currency: "USD", reference: "P-1", paidOn: "2015-09-01")
        _ = try workspace.addPayment(
            partner: "NL1001", program: "VIP25-6M", amount: "2000.00", currency: "USD", reference: "P-2", paidOn: "2015-09-01")
        let day = LedgerFixture.day("2026-11-30")
        for program in [nil, "VIP25-6M"] {
            let (statements, queries) = try workspace.pool.read { db in
                var queries: [String] = []
                db.trace { event in
                    if case .statement(let statement) = event, statement.sql.hasPrefix("SELECT") { queries.append(statement.expandedSQL) }
                }
                defer { db.trace(options: [], nil) }
                return (try Workspace.statements(db, partner: "DE3001", program: program, asOf: day), queries)
            }
            // The same statements as the workspace's own read; DE3001's balances as in LedgerTests (less the 1,000.00).
            #expect(statements.map(\.balance.plainText) == (program == nil ? ["2564.89", "6400.95"] : ["6400.95"]))
            #expect(try workspace.statements(partner: "DE3001", program: program, asOf: day).map(\.balance) == statements.map(\.balance))
            #expect(statements.last?.payments.map(\.reference) == ["P-1"])
            var details: [String] = []
            for query in queries {
                let plan = try workspace.pool.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(query)").map { $0["detail"] as String } }
                #expect(!plan.contains { $0.hasPrefix("SCAN") && $0 != "SCAN CONSTANT ROW" }, "\(query): \(plan)")
                details += plan
            }
            #expect(
                details.contains { $0.contains("USING INDEX approvals_by_program ") || $0.contains("USING COVERING INDEX approvals_by_program ") },
                "approvals_by_program: \(details)")
            // The entries and payments come from their indexes alone, without a seek into the table for each row
            // (`v13-statement-covering`).
            for index in ["ledger_entries_by_partner", "payments_by_partner"] {
                #expect(details.contains { $0.contains("USING COVERING INDEX \(index) ") }, "\(index): \(details)")
            }
        }
    }
}
