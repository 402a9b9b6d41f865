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
        return try pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = ?)", arguments: [partner]) == true else {
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
                    db, sql: "SELECT DISTINCT program_id FROM ledger_entries WHERE partner_id = ? ORDER BY program_id", arguments: [partner])
            }
            return try programIDs.map { id in
                guard let definition = try LedgerRows.program(db, id) else { throw WorkspaceError(.notFound, "no program \(id) in the workspace") }
                let entries = try Row.fetchAll(
                    db,
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
}
