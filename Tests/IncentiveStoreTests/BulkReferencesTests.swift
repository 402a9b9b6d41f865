import Foundation
import GRDB
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// The first import writes with SQLite's row-by-row foreign-key check off and checks every reference once before
/// it commits (`Workspace.writeTransaction(bulk:)`, `Workspace.checkReferences`).
@Suite struct BulkReferencesTests {
    /// The example workspace: programs and every data file imported (its bookings in the bulk transaction).
    static func example(_ sandbox: Sandbox) throws -> Workspace {
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(Sandbox.exampleData)
        return workspace
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as WorkspaceError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func aSoundWorkspacePassesAndTheBulkImportLeavesTheCheckOn() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.example(sandbox)
        try workspace.pool.read { db in try Workspace.checkReferences(db) }
        // The writer's connection checks each row again after the bulk transaction.
        let (checking, refused) = try workspace.pool.writeWithoutTransaction { db -> (Int?, Bool) in
            let checking = try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            do {
                try db.execute(
                    sql: """
                        INSERT INTO bookings(order_id, line, partner_id, booked_on, sku, amount_cents, currency, intended_use, added_by)
                        VALUES ('X-1', '1', 'NO-SUCH-PARTNER', '2015-03-01', 'UCS-C240M4SX', 100, 'USD', '', 1)
                        """)
                return (checking, false)
            } catch let error as DatabaseError {
                return (checking, error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY)
            }
        }
        #expect(checking == 1)
        #expect(refused)
    }

    /// Rows written with the check off that refer to nothing: each kind is named, and `checkReferences` throws.
    @Test func aRowThatRefersToNothingIsNamed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.example(sandbox)
        let partner = try #require(try workspace.pool.read { db in try String.fetchOne(db, sql: "SELECT MIN(partner_id) FROM partners") })
        let noSuchImport = try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imports WHERE id = 999999") }
        #expect(noSuchImport == 0)
        func withCheckOff(_ sql: String, _ arguments: StatementArguments = []) throws -> String? {
            try workspace.pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                var message: String?
                try db.inTransaction {
                    try db.execute(sql: sql, arguments: arguments)
                    message = Self.message { try Workspace.checkReferences(db) }
                    return .rollback
                }
                return message
            }
        }
        // A booking line of an unknown partner (the bookings are checked per distinct partner id).
        let booking = try withCheckOff(
            """
            INSERT INTO bookings(order_id, line, partner_id, booked_on, sku, amount_cents, currency, intended_use, added_by)
            VALUES ('X-1', '1', 'NO-SUCH-PARTNER', '2015-03-01', 'UCS-C240M4SX', 100, 'USD', '', 1)
            """)
        #expect(booking == "rows of bookings would refer to partner NO-SUCH-PARTNER, which is not among the partners; nothing was changed")
        // A CSAT report of an unknown partner: every table that refers to partners is checked.
        let report = try withCheckOff("INSERT INTO csat(survey_id, partner_id, submitted_on, added_by) VALUES ('S-X', 'NOBODY', '2015-03-01', 1)")
        #expect(report == "rows of csat would refer to partner NOBODY, which is not among the partners; nothing was changed")
        // A reference other than to a partner (checked by SQLite's `foreign_key_check`).
        let other = try withCheckOff("INSERT INTO import_partners(import_id, partner_id) VALUES (999999, ?)", [partner])
        #expect(other?.contains("import_partners") == true && other?.contains("would refer to a missing row of imports") == true, "\(other ?? "nil")")
        // Nothing of it stayed.
        try workspace.pool.read { db in try Workspace.checkReferences(db) }
    }
}
