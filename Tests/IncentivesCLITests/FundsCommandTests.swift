import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger
import Testing

@testable import IncentiveStore

#if canImport(Glibc)
    import Glibc
#endif

/// `incentives funds` as a user runs it (issue 17 point 5, docs/funds.md): a request through a claim with proof,
/// approval and payment; a late claim; two processes approving at once; a process killed before its commit.
@Suite struct FundsCommandTests {
    static let program = "PROVIDER-MDF-FY23-H2"
    static let partner = "NL1001"
    /// The command line's clock is the machine's: dates are chosen around today.
    static let today = WallClock.system.today

    static func day(_ offset: Int) -> String { Day(daysSinceEpoch: today.daysSinceEpoch + Int32(offset)).description }

    /// Until the payouts helper's approvals are merged: an approval row of a stand-in run and its `allocation` entry,
    /// by SQL, as approving an MDF run on `approvedOn` posts them.
    static func allocate(_ path: String, cents: Int64, approvedOn: String) throws {
        let workspace = try Workspace.open(at: path)
        let through = Validity.lastUsableDay(approvedOn: Day(iso: approvedOn)!, months: 12)
        try workspace.pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO runs(started_at, finished_at, engine_version, data_digest, inputs_digest, booking_lines, partners) VALUES ('', '', 'test', '', '', 0, 0)"
            )
            try db.execute(
                sql:
                    "INSERT INTO approvals(run_id, program_id, kind, approved_on, at, actor_kind, actor) VALUES (?, ?, 'interim', ?, '', 'os_user', 'test')",
                arguments: [db.lastInsertedRowID, program, approvedOn])
            try db.execute(
                sql: """
                    INSERT INTO ledger_entries(kind, program_id, partner_id, item, amount_cents, currency, effective_on, valid_through, approval_id,
                    at, actor_kind, actor) VALUES ('allocation', ?, ?, 'mdf', ?, 'USD', ?, ?, ?, '', 'os_user', 'test')
                    """, arguments: [program, partner, cents, approvedOn, through.description, db.lastInsertedRowID])
        }
    }

    /// A workspace with the examples and 1,000.00 USD of funds approved 30 days ago; a proof PDF next to it.
    static func setUp() throws -> (folder: URL, path: String, proof: String) {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        try allocate(path, cents: 100_000, approvedOn: day(-30))
        let proof = folder.appendingPathComponent("invoice.pdf").path
        try Data("%PDF-1.4\n% proof\n%%EOF\n".utf8).write(to: URL(fileURLWithPath: proof))
        return (folder, path, proof)
    }

    /// The SHA-256 of a file as the system's `sha256sum` computes it (not the code under test).
    static func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
    }

    static func run(_ arguments: [String], _ path: String, environment: [String: String] = [:]) throws -> CLI.Run {
        try CLI.run(["funds"] + arguments + ["--workspace", path], environment: environment)
    }

    @discardableResult
    static func succeed(_ arguments: [String], _ path: String) throws -> CLI.Run {
        let run = try run(arguments, path)
        #expect(run.status == 0, "funds \(arguments.joined(separator: " ")): \(run.stderr)")
        return run
    }

    /// The wallet as `funds show --format json` gives it.
    static func wallet(_ path: String) throws -> [String: Any] {
        let run = try succeed(["show", partner, "--program", program, "--format", "json"], path)
        let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return try #require((document?["wallets"] as? [[String: Any]])?.first)
    }

    static func fileRequest(_ path: String, cost: String, starts: String, ends: String) throws {
        try succeed(
            [
                "requests", "add", "--partner", partner, "--program", program, "--activity", "Roadshow", "--planned-cost", cost, "--starts-on",
                starts,
                "--ends-on", ends,
            ], path)
    }

    @Test func requestThroughClaimWithProofApprovalAndPayment() throws {
        let (folder, path, proof) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.fileRequest(path, cost: "600.00", starts: Self.day(-10), ends: Self.day(-2))
        var wallet = try Self.wallet(path)
        #expect(wallet["funds"] as? String == "1000.00" && wallet["pending"] as? String == "600.00" && wallet["available"] as? String == "400.00")
        let queue = try Self.succeed(["requests", "list", "--status", "pending"], path)
        #expect(queue.stdout.contains("1   NL1001   PROVIDER-MDF-FY23-H2  pending  600.00"))

        let approved = try Self.succeed(["requests", "approve", "1", "--amount", "550"], path)
        #expect(approved.stdout.hasPrefix("approved fund request 1: NL1001 PROVIDER-MDF-FY23-H2: approved for 550.00 USD (planned 600.00)\n"))
        #expect(approved.stdout.contains("funds 1,000.00, free 450.00, held 550.00, pending 0.00, available 450.00 USD"))

        let claim = try Self.succeed(["claims", "add", "--request", "1", "--actual-cost", "575.10", "--proof", proof], path)
        #expect(claim.stdout.hasPrefix("submitted claim 1: "))
        let listed = try Self.succeed(["claims", "list", "--status", "submitted"], path)
        let size = try Data(contentsOf: URL(fileURLWithPath: proof)).count
        #expect(listed.stdout.contains("proof invoice.pdf  application/pdf  \(size) bytes  sha256 \(try Self.sha256sum(proof))"), "\(listed.stdout)")

        // At most the request's approved 550.00.
        let tooMuch = try Self.run(["claims", "approve", "1", "--amount", "575.10"], path)
        #expect(tooMuch.status == 1)
        #expect(
            tooMuch.stderr.contains(
                "claim 1 for 575.10 USD: expected an amount above 0 and at most 550.00 USD (the request's approved 550.00 USD, the actual cost 575.10 USD); nothing was changed"
            ))
        try Self.succeed(["claims", "approve", "1"], path)
        let paid = try Self.succeed(["claims", "pay", "1", "--reference", "CR-77"], path)
        #expect(paid.stdout.contains("posted claim_paid -550.00 USD effective \(Self.today)\n"))
        let again = try Self.succeed(["claims", "pay", "1", "--reference", "CR-77"], path)
        #expect(again.stdout == "claim 1 is already paid with CR-77 on \(Self.today); nothing changed\n")

        wallet = try Self.wallet(path)
        #expect(wallet["funds"] as? String == "450.00")
        #expect(wallet["free"] as? String == "450.00")
        #expect(wallet["held"] as? String == "0.00")
        #expect(wallet["available"] as? String == "450.00")
        let requests = wallet["requests"] as? [[String: Any]]
        #expect(requests?.first?["status"] as? String == "closed")
        let claims = wallet["claims"] as? [[String: Any]]
        #expect(claims?.first?["reference"] as? String == "CR-77" && claims?.first?["approved"] as? String == "550.00")
        let log = try CLI.run(["log", "--format", "csv", "--workspace", path])
        for action in ["fund_request", "fund_request_approve", "claim", "claim_approve", "claim_pay"] {
            #expect(
                log.stdout.split(separator: "\n").filter { $0.split(separator: ",").dropFirst(4).first == Substring(action) }.count == 1, "\(action)")
        }
    }

    @Test func aClaimTooLateIsRefusedNamingTheDates() throws {
        let (folder, path, proof) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.fileRequest(path, cost: "100.00", starts: Self.day(-40), ends: Self.day(-29))
        try Self.succeed(["requests", "approve", "1"], path)
        let late = try Self.run(["claims", "add", "--request", "1", "--actual-cost", "100", "--proof", proof], path)
        #expect(late.status == 1)
        #expect(late.stdout.isEmpty)
        #expect(
            late.stderr.contains(
                "a claim for fund request 1 is too late on \(Self.today): its activity ended on \(Self.day(-29)) and claims are due within 28 days, by \(Self.day(-1)); nothing was changed"
            ), "\(late.stderr)")
        let notAProof = folder.appendingPathComponent("notes.txt").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notAProof))
        try Self.fileRequest(path, cost: "100.00", starts: Self.day(-1), ends: Self.day(0))
        try Self.succeed(["requests", "approve", "2"], path)
        let wrongType = try Self.run(["claims", "add", "--request", "2", "--actual-cost", "100", "--proof", notAProof], path)
        #expect(wrongType.status == 1)
        #expect(wrongType.stderr.contains("proof file notes.txt is not a PDF, PNG or JPEG file (its content starts with 68 65 6c 6c 6f)"))
        let badAmount = try Self.run(["requests", "approve", "2", "--amount", "12.345"], path)
        #expect(badAmount.status != 0)
        #expect(badAmount.stderr.contains("--amount \"12.345\": expected an amount with at most 2 decimals"))
        #expect(try Self.succeed(["claims", "list"], path).stdout == "no claims match\n")
    }

    /// Two processes approve, at the same moment, requests that together exceed the free funds: the first holds its
    /// write transaction at the failpoint while the second starts and waits; exactly one succeeds.
    @Test func twoProcessesApprovingAtOnceExactlyOneSucceeds() throws {
        let (folder, path, _) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.fileRequest(path, cost: "700.00", starts: Self.day(1), ends: Self.day(2))
        try Self.fileRequest(path, cost: "400.00", starts: Self.day(1), ends: Self.day(2))
        let signal = folder.appendingPathComponent("reached").path
        let first = try CLI.start(
            ["funds", "requests", "approve", "1", "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "funds-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        let second = try CLI.start(["funds", "requests", "approve", "2", "--workspace", path])
        usleep(200_000)
        try FileManager.default.removeItem(atPath: signal)
        let a = try first.wait(), b = try second.wait()
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 1)
        #expect(
            b.stderr.contains(
                "fund request 2 can't be approved for 400.00 USD: only 300.00 USD of NL1001's funds in PROVIDER-MDF-FY23-H2 are free on \(Self.today) (available to new requests: 0.00 USD); nothing was changed"
            ), "\(b.stderr)")
        let wallet = try Self.wallet(path)
        #expect(wallet["held"] as? String == "700.00" && wallet["free"] as? String == "300.00")
    }

    /// A process killed at the failpoint (after writing its event and entries, before the commit) leaves the ledger,
    /// the funds tables and the audit log as they were.
    @Test(arguments: ["approve", "pay", "expire"])
    func aKillBeforeTheCommitLeavesTheLedgerAsBefore(operation: String) throws {
        let (folder, path, proof) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = ["funds", "requests", "approve", "1"]
        var entriesBefore = 1
        if operation == "expire" {
            // 200.00 approved 400 days ago lapsed about 35 days ago: a lapse is due, not posted (no write since).
            try Self.allocate(path, cents: 20_000, approvedOn: Self.day(-400))
            arguments = ["funds", "expire"]
            entriesBefore = 2
        } else {
            try Self.fileRequest(path, cost: "300.00", starts: Self.day(-3), ends: Self.day(-1))
        }
        if operation == "pay" {
            try Self.succeed(["requests", "approve", "1"], path)
            try Self.succeed(["claims", "add", "--request", "1", "--actual-cost", "250", "--proof", proof], path)
            try Self.succeed(["claims", "approve", "1"], path)
            arguments = ["funds", "claims", "pay", "1", "--reference", "CR-1"]
        }
        let before = try Self.succeed(["show", Self.partner, "--format", "json"], path).stdout
        let logBefore = try CLI.run(["log", "--format", "csv", "--workspace", path]).stdout
        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            arguments + ["--workspace", path], environment: ["INCENTIVES_FAILPOINT": "funds-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        let killed = try child.wait()
        #expect(killed.status == SIGKILL)
        #expect(try Self.succeed(["show", Self.partner, "--format", "json"], path).stdout == before)
        #expect(try CLI.run(["log", "--format", "csv", "--workspace", path]).stdout == logBefore)
        let entries = try Workspace.open(at: path).pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries") }
        #expect(entries == entriesBefore)
        // And the operation then goes through.
        let retried = try CLI.run(arguments + ["--workspace", path])
        #expect(retried.status == 0, "\(retried.stderr)")
        if operation == "expire" {
            let lapse = Validity.lastUsableDay(approvedOn: Day(iso: Self.day(-400))!, months: 12).daysSinceEpoch + 1
            #expect(
                retried.stdout
                    == "posted expired -200.00 USD for NL1001 PROVIDER-MDF-FY23-H2 effective \(Day(daysSinceEpoch: lapse))\n")
        }
    }
}
