import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ledger on the command line (issue 17): approvals with true-up, payments, statements.
@Suite struct LedgerCommandTests {
    /// A credit note for NL1001: -1,250.00 of IP phones (VIP25-6M voice, 16%): its voice rebate goes from 5,552.00
    /// (16% of 34,700.00) to 5,352.00 (16% of 33,450.00), 200.00 less.
    static func creditNote(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("credit-note.csv").path
        try
            ("order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
            + "SO15-1099,1,NL1001,2015-07-20,2015-07-20,CP-8865-K9,,-1250.00,USD,\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func expectSuccess(_ arguments: [String]) throws -> CLI.Run { try WorkspaceTests.expectSuccess(arguments) }

    /// The README's walk-through: run the example, approve it as interim, record a payment, import a credit note,
    /// run again, approve as final; the statement shows the true-up (-200.00) and the balance due (-200.00).
    @Test func theWalkThrough() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = ["--workspace", path]
        _ = try Self.expectSuccess(["run"] + w)
        let interim = try Self.expectSuccess(["approve", "1", "--interim", "--on", "2015-08-15"] + w)
        #expect(
            interim.stdout == """
                run 1 approved as interim on 2015-08-15:
                  PROVIDER-MDF-FY23-H2: approval 1, 2 allocations posted, total 1,865.55 USD, funds usable through 2016-08-14
                  VIP25-3M: approval 2, 1 entitlement change posted, total 2,564.89 USD
                  VIP25-6M: approval 3, 6 entitlement changes posted, total 25,703.73 USD

                """)
        let again = try Self.expectSuccess(["approve", "1", "--interim"] + w)
        #expect(again.stdout.hasPrefix("run 1 is already approved as interim for PROVIDER-MDF-FY23-H2 (approval 1 on 2015-08-15)"))
        #expect(again.stdout.hasSuffix("nothing posted, nothing changed\n"))

        let paid = try Self.expectSuccess(
            [
                "payments", "add", "--partner", "NL1001", "--program", "VIP25-6M", "--amount", "9002.04", "--currency", "USD", "--reference", "PAY-1",
                "--paid-on", "2015-09-01",
            ] + w)
        #expect(paid.stdout == "PAY-1: recorded 9,002.04 USD to NL1001 for VIP25-6M, paid on 2015-09-01\n")

        _ = try Self.expectSuccess(["import", "bookings", try Self.creditNote(in: folder)] + w)
        _ = try Self.expectSuccess(["run"] + w)
        let final = try Self.expectSuccess(["approve", "2", "--final", "--on", "2015-10-01"] + w)
        #expect(
            final.stdout == """
                run 2 approved as final on 2015-10-01:
                  PROVIDER-MDF-FY23-H2: approval 4, 0 allocations posted, total 0.00 USD; PROVIDER-MDF-FY23-H2 is now closed
                  VIP25-3M: approval 5, 0 entitlement changes posted, total 0.00 USD; VIP25-3M is now closed
                  VIP25-6M: approval 6, 1 entitlement change posted, total -200.00 USD (clawbacks -200.00 USD); VIP25-6M is now closed

                """)

        let statement = try Self.expectSuccess(["statement", "NL1001", "--as-of", "2015-12-31"] + w)
        let me = statement.stdout.split(separator: "by ").last.map { String($0.prefix { $0 != "\n" }) } ?? ""
        #expect(
            statement.stdout == """
                Statement of NL1001, VIP25-6M (VIP, USD), as of 2015-12-31

                Approvals
                  2015-08-15  approval 3, run 1, interim, by \(me)
                    item                    entitlement           delta
                    collaboration/voice        5,552.00        5,552.00
                    data-center/ucs            3,450.04        3,450.04
                    total                      9,002.04        9,002.04
                  2015-10-01  approval 6, run 2, final, by \(me)
                    item                    entitlement           delta
                    collaboration/voice        5,352.00         -200.00
                    data-center/ucs            3,450.04            0.00
                    total                      8,802.04         -200.00

                Payments
                  2015-09-01  PAY-1        9,002.04 USD  by \(me)

                  entitled          8,802.04 USD
                  paid              9,002.04 USD
                  balance due        -200.00 USD

                """)
        #expect(me.hasSuffix(" (os_user)"))

        let csv = try Self.expectSuccess(["statement", "NL1001", "--as-of", "2015-12-31", "--format", "csv"] + w)
        #expect(
            csv.stdout == """
                partner_id,program_id,currency,date,entry,reference,item,entitlement,amount,balance
                NL1001,VIP25-6M,USD,2015-08-15,interim,approval 3 run 1,collaboration/voice,5552.00,5552.00,5552.00
                NL1001,VIP25-6M,USD,2015-08-15,interim,approval 3 run 1,data-center/ucs,3450.04,3450.04,9002.04
                NL1001,VIP25-6M,USD,2015-09-01,payment,PAY-1,,,-9002.04,0.00
                NL1001,VIP25-6M,USD,2015-10-01,final,approval 6 run 2,collaboration/voice,5352.00,-200.00,-200.00
                NL1001,VIP25-6M,USD,2015-10-01,final,approval 6 run 2,data-center/ucs,3450.04,0.00,-200.00
                NL1001,VIP25-6M,USD,2015-12-31,balance,,,,,-200.00

                """)

        let json = try Self.expectSuccess(["statement", "NL1001", "--program", "VIP25-6M", "--as-of", "2015-12-31", "--format", "json"] + w)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let one = try #require((document["statements"] as? [[String: Any]])?.first)
        #expect(one["balance"] as? String == "-200.00")
        #expect(one["entitled"] as? String == "8802.04")
        #expect(one["paid"] as? String == "9002.04")
        let approvals = try #require(one["approvals"] as? [[String: Any]])
        #expect(approvals.map { $0["delta"] as? String } == ["9002.04", "-200.00"])
        #expect(approvals.map { $0["kind"] as? String } == ["interim", "final"])

        // Closed now: another approval is refused with the way out.
        let refused = try CLI.run(["approve", "2", "--interim", "--program", "VIP25-6M"] + w)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "VIP25-6M is closed by the final approval 6 of run 2 on 2015-10-01; it must be reopened (with a reason) before another approval; nothing was approved"
            ))
        #expect(refused.stderr.contains("reopen it with: incentives reopen VIP25-6M --reason"))
        let reopened = try Self.expectSuccess(["reopen", "VIP25-6M", "--reason", "late credit note"] + w)
        #expect(reopened.stdout == "VIP25-6M reopened: it can be approved again\n")

        let ledger = try Self.expectSuccess(["ledger", "--partner", "NL1001", "--format", "csv"] + w)
        let amounts = ledger.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[6] }
        #expect(amounts == ["5552.00", "3450.04", "-9002.04", "-200.00"])
        let list = try Self.expectSuccess(["payments", "list"] + w)
        #expect(list.stdout.hasPrefix("2015-09-01  PAY-1  NL1001  VIP25-6M  9,002.04 USD  by "))
    }

    @Test func aBadPaymentsFileNamesFileLineColumnAndValueAndWritesNothing() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("payments.csv")
        try
            "partner_id,program_id,amount,currency,reference,paid_on\nNL1001,VIP25-6M,1200.00,USD,PAY-1,2015-09-01\nNL1001,VIP25-6M,1.5.0,USD,PAY-2,2015-09-01\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try CLI.run(["payments", "import", file.path, "--workspace", path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("\(file.path):3: amount \"1.5.0\": expected an amount"))
        #expect(run.stderr.contains("1 problem found; no payment was recorded; the workspace is unchanged."))
        let list = try Self.expectSuccess(["payments", "list", "--workspace", path])
        #expect(list.stdout == "no payments recorded\n")
    }

    /// A process killed at the approval's last step, before its commit, leaves the ledger as before it.
    @Test func aKilledApprovalLeavesTheLedgerAsBefore() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.expectSuccess(["run", "--workspace", path])
        let before = try Self.expectSuccess(["ledger", "--format", "csv", "--workspace", path]).stdout
        let log = try Self.expectSuccess(["log", "--workspace", path]).stdout
        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            ["approve", "1", "--interim", "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "approve-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        let killed = try child.wait()
        #expect(killed.status == SIGKILL)
        #expect(try Self.expectSuccess(["ledger", "--format", "csv", "--workspace", path]).stdout == before)
        #expect(try Self.expectSuccess(["log", "--workspace", path]).stdout == log)
        #expect(try Self.expectSuccess(["status", "--check", "--workspace", path]).stdout.contains("check: ok"))
        // And the approval made again lands whole.
        let approved = try Self.expectSuccess(["approve", "1", "--interim", "--workspace", path])
        #expect(approved.stdout.contains("VIP25-6M: approval 3, 6 entitlement changes posted, total 25,703.73 USD"))
        #expect(try Self.expectSuccess(["ledger", "--format", "csv", "--workspace", path]).stdout.split(separator: "\n").count == 1 + 9)
    }

    /// Two processes approve the same run at once: the second waits for the first's transaction, then finds the
    /// approval made and posts nothing.
    @Test func twoProcessesApprovingAtOnceExactlyOnePosts() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.expectSuccess(["run", "--workspace", path])
        let signal = folder.appendingPathComponent("reached").path
        let a = try CLI.start(
            ["approve", "1", "--interim", "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "approve-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        // A holds the write transaction; B starts now and has to wait for it.
        let b = try CLI.start(["approve", "1", "--interim", "--workspace", path])
        usleep(300_000)
        try FileManager.default.removeItem(atPath: signal)
        let resultA = try a.wait(), resultB = try b.wait()
        #expect(resultA.status == 0, "\(resultA.stderr)")
        #expect(resultB.status == 0, "\(resultB.stderr)")
        #expect(resultA.stdout.hasPrefix("run 1 approved as interim on "))
        #expect(resultB.stdout.hasPrefix("run 1 is already approved as interim for "))
        #expect(try Self.expectSuccess(["ledger", "--format", "csv", "--workspace", path]).stdout.split(separator: "\n").count == 1 + 9)
    }
}
