import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `incentives users` and `incentives tokens` (issue 11): the password policy, names unique without
/// regard to case, tokens listed by id and revoked, users disabled, enabled, deleted and given a new
/// password; and all of it effective at once on a running server.
@Suite struct UsersCommandTests {
    /// Runs the CLI with `input` as its standard input (how a password is given without a terminal).
    static func run(_ arguments: [String], input: String = "") throws -> CLI.Run {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputURL = folder.appendingPathComponent("stdin")
        try Data(input.utf8).write(to: inputURL)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["INCENTIVES_WORKSPACE"] = nil
        process.environment = variables
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CLI.Run(
            status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A new workspace with the example partners.
    static func workspace(_ folder: URL) throws -> String {
        let path = folder.appendingPathComponent("w.sqlite").path
        #expect(try CLI.run(["init", "--workspace", path]).status == 0)
        let partners = CLI.packageRoot.appendingPathComponent("examples/data/partners.csv").path
        #expect(try CLI.run(["import", "partners", partners, "--workspace", path]).status == 0)
        return path
    }

    @Test func usersAddAppliesThePasswordPolicy() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.workspace(folder)
        let refused: [(String, String, String)] = [
            ("ada", "short\n", "a password needs at least 12 characters (this one has 5)"),
            ("ada", "            \n", "a password cannot be white space only"),
            ("ada-lovelace", "Ada-Lovelace\n", "a password cannot be the user name"),
            (
                "ada", String(repeating: "é", count: 37) + "\n",
                "a password can have at most 72 bytes in UTF-8, as bcrypt ignores the rest (this one has 74); choose a shorter one"
            ),
            ("ada", "", "a password needs at least 12 characters (this one has 0)"),
        ]
        for (name, input, message) in refused {
            let run = try Self.run(["users", "add", "--name", name, "--role", "admin", "--workspace", path], input: input)
            #expect(run.status == 1, "\(message)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let listed = try Self.run(["users", "list", "--workspace", path])
        #expect(listed.stdout == "NAME  ROLE  PARTNER  CREATED  STATUS\n")

        let added = try Self.run(
            ["users", "add", "--name", "ada", "--role", "admin", "--workspace", path], input: String(repeating: "é", count: 36) + "\n")
        #expect(added.status == 0)
        #expect(added.stdout == "added admin ada\n")
    }

    @Test func userNamesAreTrimmedAndUniqueWithoutRegardToCase() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.workspace(folder)
        let password = "a long enough secret\n"
        #expect(
            try Self.run(["users", "add", "--name", " Ada ", "--role", "admin", "--workspace", path], input: password).stdout == "added admin Ada\n")
        let again = try Self.run(["users", "add", "--name", "ADA", "--role", "admin", "--workspace", path], input: password)
        #expect(again.status == 1)
        #expect(again.stderr.contains("the name ADA is taken: a user named Ada exists, and names are compared without regard to case"))
        let empty = try Self.run(["users", "add", "--name", "   ", "--role", "admin", "--workspace", path], input: password)
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("a user name cannot be empty"))
        let partner = try Self.run(
            ["users", "add", "--name", "nl1", "--role", "partner", "--partner", "NL1001", "--workspace", path], input: password)
        #expect(partner.stdout == "added partner nl1 for partner NL1001\n")
    }

    @Test func tokensAreCreatedListedAndRevokedByID() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.workspace(folder)
        #expect(try Self.run(["users", "add", "--name", "ada", "--role", "admin", "--workspace", path], input: "a long enough secret\n").status == 0)

        let created = try Self.run(["tokens", "create", "--user", "ada", "--expires-in", "30d", "--workspace", path])
        #expect(created.status == 0)
        let token = created.stdout.trimmingCharacters(in: .newlines)
        #expect(token.wholeMatch(of: /inc_[0-9a-f]{64}/) != nil)
        let id = try #require(created.stderr.firstMatch(of: /token ([0-9a-f]{12}) for ada, expires (\S+); it is shown only now/))
        let second = try Self.run(["tokens", "create", "--user", "ADA", "--workspace", path])
        let secondToken = second.stdout.trimmingCharacters(in: .newlines)

        let listed = try Self.run(["tokens", "list", "--workspace", path])
        let lines = listed.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.count == 3)
        #expect(lines[0] == ["ID", "USER", "CREATED", "EXPIRES", "STATUS"])
        #expect(lines[1][0] == String(id.output.1) && lines[1][1] == "ada" && lines[1][3] == String(id.output.2) && lines[1][4] == "active")
        #expect(!listed.stdout.contains(token) && !listed.stdout.contains(secondToken))
        // 30 days and 90 days (the default) after creation, to the second.
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let days = { (line: [String]) in (try format.parse(line[3]).timeIntervalSince(try format.parse(line[2]))) / 86_400 }
        #expect(try abs(days(lines[1]) - 30) < 1.0 / 86_400)
        #expect(try abs(days(lines[2]) - 90) < 1.0 / 86_400)

        let revoked = try Self.run(["tokens", "revoke", String(id.output.1), "--workspace", path])
        #expect(revoked.stdout == "revoked token \(id.output.1) of ada\n")
        let twice = try Self.run(["tokens", "revoke", String(id.output.1).uppercased(), "--workspace", path])
        #expect(twice.status == 0)
        #expect(twice.stdout.hasPrefix("token \(id.output.1) of ada was already revoked (20"))
        // The token itself does as well as its id.
        #expect(try Self.run(["tokens", "revoke", secondToken, "--workspace", path]).stdout.hasPrefix("revoked token "))
        let after = try Self.run(["tokens", "list", "--user", "ada", "--workspace", path])
        #expect(after.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.contains(" revoked 20") })

        let unknown = try Self.run(["tokens", "revoke", "0123456789ab", "--workspace", path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no token with id 0123456789ab (see: incentives tokens list)"))
        let malformed = try Self.run(["tokens", "revoke", "xyz", "--workspace", path])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("xyz is not a token id"))
    }

    @Test(arguments: ["0d", "5x", "367d", "1.5d", "-1d", "d", "30"])
    func tokenLifetimesOutsideTheRulesAreRefused(_ lifetime: String) throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.run([
            "tokens", "create", "--user", "ada", "--expires-in=\(lifetime)", "--workspace", folder.appendingPathComponent("none").path,
        ])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--expires-in takes a whole number followed by h (hours), d (days) or w (weeks), from 1h to 366d"))
        #expect(run.stdout.isEmpty)
    }

    @Test func usersAreDisabledEnabledDeletedAndGivenPasswords() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.workspace(folder)
        let w = ["--workspace", path]
        #expect(try Self.run(["users", "add", "--name", "ada", "--role", "admin"] + w, input: "a long enough secret\n").status == 0)
        #expect(try Self.run(["tokens", "create", "--user", "ada"] + w).status == 0)

        #expect(
            try Self.run(["users", "disable", "--name", "ada"] + w).stdout == "disabled ada: their sessions have ended and their tokens are refused\n"
        )
        #expect(try Self.run(["users", "disable", "--name", "ada"] + w).stdout.hasPrefix("ada was already disabled (since 20"))
        let refused = try Self.run(["tokens", "create", "--user", "ada"] + w)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("ada is disabled; a token for it would not work"))
        #expect(try Self.run(["users", "list"] + w).stdout.contains("  disabled since 20"))
        #expect(try Self.run(["users", "enable", "--name", "ada"] + w).stdout == "enabled ada\n")
        #expect(try Self.run(["users", "enable", "--name", "ada"] + w).stdout == "ada was not disabled\n")

        let weak = try Self.run(["users", "passwd", "--name", "ada"] + w, input: "ada\n")
        #expect(weak.status == 1)
        #expect(weak.stderr.contains("a password needs at least 12 characters (this one has 3)"))
        #expect(
            try Self.run(["users", "passwd", "--name", "ADA"] + w, input: "another long secret\n").stdout
                == "password set for ada; their sessions have ended\n")

        #expect(
            try Self.run(["users", "delete", "--name", "ada"] + w).stdout
                == "deleted ada: their sessions have ended and their tokens are revoked; the name stays taken\n")
        #expect(try Self.run(["tokens", "list"] + w).stdout.contains(" revoked 20"))
        let listed = try Self.run(["users", "list"] + w).stdout
        #expect(listed.contains("ada   admin  -        20"))
        #expect(listed.contains("  deleted since 20"))
        let taken = try Self.run(["users", "add", "--name", "Ada", "--role", "admin"] + w, input: "a long enough secret\n")
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("the name Ada is taken"))
        let passwd = try Self.run(["users", "passwd", "--name", "ada"] + w, input: "another long secret\n")
        #expect(passwd.stderr.contains("ada is deleted; a deleted user gets no new password"))
        let enable = try Self.run(["users", "enable", "--name", "ada"] + w)
        #expect(enable.stderr.contains("ada is deleted; a deleted user cannot be enabled again"))
        let nobody = try Self.run(["users", "disable", "--name", "nobody"] + w)
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("no user named nobody (see: incentives users list)"))
    }

    /// A token revoked and a user disabled from the command line are refused by a server already running
    /// on the same workspace, from its next request on.
    @Test func revocationReachesARunningServer() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.workspace(folder)
        let w = ["--workspace", path]
        #expect(try Self.run(["users", "add", "--name", "ada", "--role", "admin"] + w, input: "a long enough secret\n").status == 0)
        let first = try Self.run(["tokens", "create", "--user", "ada"] + w).stdout.trimmingCharacters(in: .newlines)
        let second = try Self.run(["tokens", "create", "--user", "ada"] + w).stdout.trimmingCharacters(in: .newlines)
        let port = try ServeTests.freePort()
        let server = try CLI.start(["serve", "--port", "\(port)"] + w)
        defer { server.process.terminate() }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<600 where !up {
            up = (try? await ServeTests.request("\(base)/api/v1/health"))?.0 == 200
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(up)
        #expect(try await ServeTests.request("\(base)/api/v1/partners", token: first).0 == 200)
        #expect(try Self.run(["tokens", "revoke", first] + w).status == 0)
        let revoked = try await ServeTests.request("\(base)/api/v1/partners", token: first)
        #expect(revoked.0 == 401)
        #expect(revoked.1.contains("unknown or revoked token"))
        #expect(try await ServeTests.request("\(base)/api/v1/partners", token: second).0 == 200)
        #expect(try Self.run(["users", "disable", "--name", "ada"] + w).status == 0)
        #expect(try await ServeTests.request("\(base)/api/v1/partners", token: second).0 == 401)
        server.process.terminate()
        _ = try server.wait()
    }
}
