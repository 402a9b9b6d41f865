import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// Every time the workspace records or compares with "now" comes from its clock.
@Suite struct WorkspaceClockTests {
    /// 2015-04-30 09:30:15.250 UTC.
    static let instant = Date(timeIntervalSince1970: 1_430_386_215.25)
    static let stamp = "2015-04-30T09:30:15.250Z"

    @Test func aFixedClockGivesEveryRecordItsTime() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"), clock: .fixed(Self.instant))
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(Sandbox.exampleData)
        try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "data-center/ucs")
        let run = try workspace.run().summary
        let user = try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "h"))

        let status = try workspace.status()
        #expect(status.createdAt == Self.stamp)
        #expect(status.programs.map(\.addedAt) == Array(repeating: Self.stamp, count: status.programs.count))
        #expect(status.lastImport == Self.stamp && status.lastRun == Self.stamp)
        let log = try workspace.importLog()
        #expect(log.count == exampleKinds.count + 1, "one entry per file and one for the unenrolment")
        #expect(log.allSatisfy { $0.importedAt == Self.stamp })
        #expect(run.startedAt == Self.stamp && run.finishedAt == Self.stamp)
        #expect(try workspace.runSummary(run.id).startedAt == Self.stamp)
        #expect(user.createdAt == Self.stamp)
        #expect(try workspace.accountEvents().map(\.at) == [Self.stamp])

        // Opened again with another clock, the same file records the new time.
        let later = try Workspace.open(at: workspace.path, clock: .fixed(try #require(Day(iso: "2016-01-02"))))
        _ = try later.disableUser("ada")
        #expect(try later.user(named: "ada")?.disabledAt == "2016-01-02T00:00:00.000Z")
        #expect(try later.accountEvents().map(\.at) == [Self.stamp, "2016-01-02T00:00:00.000Z"])
    }

    /// A token's expiry is compared with the workspace's clock, not the machine's.
    @Test func expiryIsJudgedByTheClock() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("w.sqlite")
        let before = try Workspace.create(at: path, clock: .fixed(Self.instant))
        try before.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "h"))
        let token = try before.addToken(hash: "hash-of-a-token", user: "ada", expires: Self.instant.addingTimeInterval(3600))
        #expect(token.createdAt == Self.stamp)
        #expect(token.expiresAt == "2015-04-30T10:30:15.250Z")
        #expect(token.status == .active)
        #expect(try before.tokenCheck(hash: "hash-of-a-token") == .valid(try #require(try before.user(named: "ada"))))

        let after = try Workspace.open(at: path, clock: .fixed(Self.instant.addingTimeInterval(3601)))
        #expect(try after.tokenCheck(hash: "hash-of-a-token") == .expired(at: "2015-04-30T10:30:15.250Z"))
        #expect(try after.tokens().map(\.status) == [.expired])
        // The machine's clock (years later) would call it expired too; the fixed clock an hour before does not.
        #expect(try Workspace.open(at: path).tokenCheck(hash: "hash-of-a-token") == .expired(at: "2015-04-30T10:30:15.250Z"))
    }
}

/// Every refusal carries a code (and, where a front end words a remedy, the detail for it); the message
/// names no command.
@Suite struct WorkspaceErrorCodeTests {
    @Test func refusalsHaveCodes() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("w.sqlite")
        let empty = try Workspace.create(at: path)
        #expect(
            workspaceError { _ = try Workspace.create(at: path) }
                == WorkspaceError(
                    .conflict, "\(path) already exists; a workspace is only created in a new file", detail: .workspaceExists(path: path)))
        #expect(
            workspaceError { _ = try empty.runSummary(1) }
                == WorkspaceError(.notFound, "no run 1 in the workspace (it has no runs yet)", detail: .noRunsYet(run: 1)))
        let text = try sandbox.write(
            "not a database, but long enough to have a header of a hundred bytes: " + String(repeating: "x", count: 100), to: "t")
        #expect(workspaceError { _ = try Workspace.open(at: text) }?.code == .notAWorkspace)
        #expect(workspaceError { _ = try Workspace.open(at: sandbox.root.path) }?.code == .notAWorkspace)

        let workspace = try sandbox.exampleWorkspace(name: "examples.sqlite")
        _ = try workspace.run()
        #expect(workspaceError { _ = try workspace.runSummary(5) } == WorkspaceError(.notFound, "no run 5 in the workspace (runs are 1 to 1)"))
        #expect(workspaceError { _ = try workspace.program("NOPE") }?.code == .notFound)
        let march = try #require(Day(iso: "2015-03-01"))
        #expect(
            workspaceError { _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "nope/none", on: march) }?.code == .rejected)
        #expect(
            workspaceError { _ = try workspace.enroll(partner: "XX9", program: "VIP25-6M", subtrack: "collaboration/voice", on: march) }?.code
                == .notFound)
        #expect(workspaceError { try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/video") }?.code == .notFound)

        try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: "h"))
        #expect(workspaceError { try workspace.addUser(User(name: "ADA", role: .admin, partnerID: nil, passwordHash: "h")) }?.code == .conflict)
        #expect(workspaceError { try workspace.addUser(User(name: "", role: .admin, partnerID: nil, passwordHash: "h")) }?.code == .rejected)
        #expect(
            workspaceError { try workspace.addUser(User(name: "p", role: .partner, partnerID: nil, passwordHash: "h")) }
                == WorkspaceError(.rejected, "a partner user needs a partner", detail: .partnerBinding(role: .partner)))
        #expect(
            workspaceError { try workspace.addUser(User(name: "a", role: .admin, partnerID: "NL1001", passwordHash: "h")) }
                == WorkspaceError(.rejected, "an admin is not bound to a partner", detail: .partnerBinding(role: .admin)))
        #expect(workspaceError { try workspace.addUser(User(name: "p", role: .partner, partnerID: "XX9", passwordHash: "h")) }?.code == .rejected)
        #expect(
            workspaceError { _ = try workspace.addToken(hash: "h1", user: "grace", expires: Date()) }
                == WorkspaceError(.notFound, "no user named grace", detail: .noUserForToken(name: "grace")))
        #expect(
            workspaceError { _ = try workspace.disableUser("grace") }
                == WorkspaceError(.notFound, "no user named grace", detail: .noUser(name: "grace")))
        #expect(workspaceError { _ = try workspace.tokens(user: "grace") } == WorkspaceError(.notFound, "no user named grace"))
        #expect(
            workspaceError { _ = try workspace.revokeToken(id: "0123456789ab") }
                == WorkspaceError(.notFound, "no token with id 0123456789ab", detail: .noToken(id: "0123456789ab")))
        #expect(workspaceError { _ = try workspace.revokeToken(id: "xyz") }?.code == .rejected)
        _ = try workspace.deleteUser("ada")
        #expect(workspaceError { _ = try workspace.enableUser("ada") }?.code == .conflict)
        #expect(workspaceError { _ = try workspace.setPassword(user: "ada", hash: "x") }?.code == .conflict)
        #expect(workspaceError { _ = try workspace.addToken(hash: "h2", user: "ada", expires: Date()) }?.code == .conflict)
    }

    /// The remedies in the store's input reports are the front end's words; `plain` names no command.
    @Test func reportsEndWithTheFrontEndsRemedy() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let enrollments = (Sandbox.exampleData as NSString).appendingPathComponent("enrollments.csv")
        let plain = reportErrorLines { _ = try workspace.importFile(.enrollments, path: enrollments, displayName: "enrollments.csv") }
        #expect(plain.first == "enrollments.csv: the workspace has no programs yet, so no enrolment can be checked; add them first")
        let words = Remedies(unenrollFirst: "U", addProgramsFirst: "use POST /programs", giveAFile: "a file, please")
        let worded = reportErrorLines { _ = try workspace.importFile(.enrollments, path: enrollments, displayName: "e.csv", remedies: words) }
        #expect(worded.first == "e.csv: the workspace has no programs yet, so no enrolment can be checked; use POST /programs")
        let folder = reportErrorLines { _ = try workspace.importFile(.bookings, path: sandbox.root.path, displayName: "b", remedies: words) }
        #expect(folder == ["b: is a folder, not a file: a file, please"])
        // A computation over an empty workspace: the plain words, then the caller's (and its name for the choice).
        #expect(
            reportErrorLines { _ = try workspace.run() } == [
                "\(workspace.path): the workspace has no programs yet; add one first",
                "\(workspace.path): the workspace has no partners yet; import a dataset first",
            ])
        let api = Remedies(
            unenrollFirst: "U", addProgramsFirst: "P", giveAFile: "F", addAProgram: "POST one", importData: "POST data", programChoice: "programs",
            partnerChoice: "partner_id")
        #expect(
            reportErrorLines { _ = try workspace.run(remedies: api) } == [
                "\(workspace.path): the workspace has no programs yet; POST one", "\(workspace.path): the workspace has no partners yet; POST data",
            ])
    }
}

/// A stored run's totals are added up once and then reused: they stay those of its own rows, run by run,
/// however often and in whatever order they are asked for.
@Suite struct RunTotalsTests {
    @Test func eachRunKeepsItsOwnTotals() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let first = try workspace.run().result
        #expect(try workspace.runSummary(1).amount.cents == first.programs.reduce(0) { $0 + $1.amount.cents })
        // One more cent of qualifying volume for NL1002 makes run 2 differ from run 1.
        let extra = sandbox.path("extra.csv")
        try "order_id,line,partner_id,booked_on,sku,amount,currency\nC1,1,NL1002,2015-03-01,UCS-C240M4SX,0.01,USD\n".write(
            toFile: extra, atomically: true, encoding: .utf8)
        _ = try workspace.importFile(.bookings, path: extra, displayName: "extra.csv")
        let second = try workspace.run().result
        let expected = [first, second].map { result in
            (result.programs.reduce(0) { $0 + $1.amount.cents }, result.programs.reduce(0) { $0 + $1.missedAmount.cents })
        }
        #expect(expected[0] != expected[1])
        for _ in 0..<2 {
            let runs = try workspace.runs()
            #expect(runs.map { [$0.amount.cents, $0.missedAmount.cents] } == expected.map { [$0.0, $0.1] })
            #expect(try workspace.runResult(2, partner: "NL1002").summary.amount.cents == expected[1].0)
            #expect(try workspace.runSummary(1).missedAmount.cents == expected[0].1)
        }
    }
}

/// `Timestamp.text` writes what Foundation's ISO 8601 style writes, without the formatter.
@Suite struct TimestampTextTests {
    @Test func writesWhatTheFormatterWrites() {
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, -0.001, 978_307_200, 978_307_199.999, 1_430_386_215.25, 951_782_400, 4_102_444_799.999, -86_400.5]
        for _ in 0..<200_000 {
            let seconds = Double.random(in: -2_000_000_000..<5_000_000_000, using: &generator)
            instants.append(seconds)
            instants.append(seconds.rounded(.down) + Double(Int.random(in: 0..<1000, using: &generator)) / 1000)
        }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.text(date) == Timestamp.style.format(date), "\(seconds)")
        }
        #expect(Timestamp.text(Date(timeIntervalSince1970: 1_430_386_215.25)) == "2015-04-30T09:30:15.250Z")
    }
}
