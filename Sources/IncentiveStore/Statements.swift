import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

extension Workspace {
    /// A partner's statements as of a day (default: today by the workspace's clock): one per program that has
    /// ledger entries for the partner, or of the one program named (then also when it has none yet). Read in one
    /// snapshot, so the entries, approvals and payments agree.
    public func statements(partner: String, program: String? = nil, asOf: Day? = nil) throws -> [IncentiveLedger.Statement] {
        let day = asOf ?? clock.today
        return try snapshotRead { db in try Self.statements(db, partner: partner, program: program, asOf: day) }
    }

    /// The statements' reads. Each goes through an index (`ledger_entries_by_partner`, and `payments_by_partner` and
    /// `approvals_by_program` of `v11-statement-indexes`), so that a statement costs the same with a million entries
    /// of other partners in the workspace (`StatementPlanTests`).
    static func statements(_ db: Database, partner: String, program: String?, asOf day: Day) throws -> [IncentiveLedger.Statement] {
        guard try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = ?)", arguments: [partner]) == true else {
            throw WorkspaceError(.notFound, "no partner \(partner) in the workspace")
        }
        let programIDs: [String]
        if let program {
            guard try ProgramStore.version(db, id: program, version: nil) != nil else {
                throw WorkspaceError(.notFound, "no program \(program) in the workspace")
            }
            programIDs = [program]
        } else {
            programIDs = try String.fetchAll(
                cached: db, sql: "SELECT DISTINCT program_id FROM ledger_entries WHERE partner_id = ? ORDER BY program_id", arguments: [partner])
        }
        return try programIDs.map { id in
            guard let definition = try LedgerRows.program(db, id) else { throw WorkspaceError(.notFound, "no program \(id) in the workspace") }
            let entries = try Row.fetchAll(
                cached: db,
                sql:
                    "SELECT \(LedgerRows.entryColumns) FROM ledger_entries WHERE partner_id = ? AND program_id = ? AND effective_on <= ? ORDER BY id",
                arguments: [partner, id, day.description]
            ).map { try LedgerRows.storedEntry($0).entry }
            return IncentiveLedger.Statement(
                partnerID: partner, programID: id, kind: definition.kind, currency: definition.currency, asOf: day,
                approvals: try Self.approvals(db, program: id), entries: entries,
                payments: try Self.paymentRows(db, "WHERE partner_id = ? AND program_id = ? AND paid_on <= ?", [partner, id, day.description]))
        }
    }
}
