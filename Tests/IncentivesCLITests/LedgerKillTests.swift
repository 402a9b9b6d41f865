import Foundation
import GRDB
import Testing

@testable import IncentiveStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 17, reliability: a process killed in the middle of a ledger operation leaves the ledger as before it. The
/// command is stopped at its failpoint (after it wrote its rows and its audit entry, before the commit) and killed
/// with SIGKILL; the ledger's tables are then exactly as before, and the command run again succeeds.
@Suite struct LedgerKillTests {
    /// Every row of the ledger's tables and the audit log, as text: what must not change.
    static func tables(_ path: String) throws -> [String: [String]] {
        let workspace = try Workspace.open(at: path)
        return try workspace.pool.read { db in
            var tables: [String: [String]] = [:]
            for table in ["ledger_entries", "payments", "program_closures", "approvals", "audit_log"] {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").map(\.description)
            }
            return tables
        }
    }

    /// Runs `arguments` with `failpoint` on, kills it with SIGKILL once it is there, and checks the tables and the
    /// command line's view of the ledger are as before.
    static func killAtFailpoint(_ arguments: [String], _ failpoint: String, folder: URL, path: String) throws {
        let before = try tables(path)
        let ledger = try WorkspaceTests.expectSuccess(["ledger", "--format", "csv", "--workspace", path]).stdout
        let payments = try WorkspaceTests.expectSuccess(["payments", "list", "--workspace", path]).stdout
        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            arguments + ["--workspace", path], environment: ["INCENTIVES_FAILPOINT": failpoint, "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        let killed = try child.wait()
        #expect(killed.status == SIGKILL)
        #expect(try tables(path) == before)
        #expect(try WorkspaceTests.expectSuccess(["ledger", "--format", "csv", "--workspace", path]).stdout == ledger)
        #expect(try WorkspaceTests.expectSuccess(["payments", "list", "--workspace", path]).stdout == payments)
        #expect(try WorkspaceTests.expectSuccess(["status", "--check", "--workspace", path]).stdout.contains("check: ok"))
    }

    @Test func aKilledPaymentsImportRecordsNothingAndARerunRecordsAll() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = ["--workspace", path]
        _ = try WorkspaceTests.expectSuccess(["run"] + w)
        _ = try WorkspaceTests.expectSuccess(["approve", "1", "--interim", "--on", "2015-08-15"] + w)
        let file = folder.appendingPathComponent("payments.csv").path
        try """
        partner_id,program_id,amount,currency,reference,paid_on
        NL1001,VIP25-6M,9002.04,USD,PAY-1,2015-09-01
        NL1002,VIP25-6M,10.00,USD,PAY-2,2015-09-02

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let entries = try Self.tables(path)["ledger_entries"]?.count ?? 0
        try Self.killAtFailpoint(["payments", "import", file], "payments-import-before-commit", folder: folder, path: path)
        #expect(try Self.tables(path)["payments"] == [])

        let rerun = try WorkspaceTests.expectSuccess(["payments", "import", file] + w)
        #expect(
            rerun.stdout == """
                PAY-1: recorded 9,002.04 USD to NL1001 for VIP25-6M, paid on 2015-09-01
                PAY-2: recorded 10.00 USD to NL1002 for VIP25-6M, paid on 2015-09-02
                2 payments recorded, 0 already recorded

                """, "\(rerun.stdout)")
        let after = try Self.tables(path)
        #expect(after["payments"]?.count == 2)
        #expect(after["ledger_entries"]?.count == entries + 2)
        let list = try WorkspaceTests.expectSuccess(["payments", "list"] + w).stdout
        #expect(list.contains("PAY-1") && list.contains("9,002.04") && list.contains("PAY-2"), "\(list)")
        // NL1001's balance in VIP25-6M: 9,002.04 entitled, all paid.
        let statement = try WorkspaceTests.expectSuccess(
            ["statement", "NL1001", "--program", "VIP25-6M", "--as-of", "2015-12-31", "--format", "csv"] + w)
        #expect(statement.stdout.hasSuffix("NL1001,VIP25-6M,USD,2015-12-31,balance,,,,,0.00\n"), "\(statement.stdout)")
    }

    @Test func aKilledReopenLeavesTheProgramClosedAndARerunReopensIt() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = ["--workspace", path]
        _ = try WorkspaceTests.expectSuccess(["run"] + w)
        _ = try WorkspaceTests.expectSuccess(["approve", "1", "--final", "--on", "2015-08-15"] + w)
        #expect(try Workspace.open(at: path).closure(of: "VIP25-6M").closed)
        try Self.killAtFailpoint(["reopen", "VIP25-6M", "--reason", "late credit note"], "reopen-before-commit", folder: folder, path: path)
        #expect(try Workspace.open(at: path).closure(of: "VIP25-6M").closed)
        // Still closed: another approval is refused.
        let refused = try CLI.run(["approve", "1", "--interim", "--program", "VIP25-6M"] + w)
        #expect(refused.status == 1)

        let rerun = try WorkspaceTests.expectSuccess(["reopen", "VIP25-6M", "--reason", "late credit note"] + w)
        #expect(rerun.stdout == "VIP25-6M reopened: it can be approved again\n")
        let closure = try Workspace.open(at: path).closure(of: "VIP25-6M")
        #expect(!closure.closed && closure.reason == "late credit note")
        #expect(try Workspace.open(at: path).closure(of: "VIP25-3M").closed)
        let reopens = try Self.tables(path)["audit_log"]?.filter { $0.contains("reopen") }
        #expect(reopens?.count == 1)
    }
}
