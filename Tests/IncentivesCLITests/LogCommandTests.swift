import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `incentives log` (issue 16 point 3): what the commands did, as the operating-system user that ran them,
/// newest first, filtered and in three formats; an import killed before its commit leaves no entry.
@Suite struct LogCommandTests {
    /// The user the commands run as, found without the code under test.
    static let me: String = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["id", "-un"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try! process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static func entries(_ arguments: [String]) throws -> (entries: [[String: Any]], total: Int) {
        let run = try WorkspaceTests.expectSuccess(["log", "--format", "json"] + arguments)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return (try #require(object["entries"] as? [[String: Any]]), try #require(object["total"] as? Int))
    }

    /// The example workspace (3 programs, then an import of 8 files), an enrolment, an unenrolment and a run.
    static func workspace() throws -> (folder: URL, path: String) {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        try WorkspaceTests.expectSuccess(
            [
                "enroll", "--partner", "NL1002", "--program", "VIP25-6M", "--subtrack", "collaboration/voice", "--on", "2015-03-01", "--workspace",
                path,
            ])
        try WorkspaceTests.expectSuccess(
            ["unenroll", "--partner", "NL1002", "--program", "VIP25-6M", "--subtrack", "collaboration/voice", "--workspace", path])
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        return (folder, path)
    }

    @Test func theCommandsAreLoggedAsTheOperatingSystemUser() throws {
        let (folder, path) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (entries, total) = try Self.entries(["--workspace", path])
        #expect(total == 7)
        #expect(entries.map { $0["id"] as? Int } == [7, 6, 5, 4, 3, 2, 1])
        #expect(entries.map { $0["action"] as? String } == ["run", "unenroll", "enroll", "import", "program_add", "program_add", "program_add"])
        #expect(entries.allSatisfy { $0["actor_kind"] as? String == "os_user" && $0["actor"] as? String == Self.me })
        #expect(
            entries.map { $0["subject"] as? String } == [
                "run 1", "NL1002 VIP25-6M collaboration/voice", "NL1002 VIP25-6M collaboration/voice", "imports 1-8", "VIP25-6M v1", "VIP25-3M v1",
                "PROVIDER-MDF-FY23-H2 v1",
            ])
        #expect(entries[2]["detail"] as? String == "enrolled on 2015-03-01; import 9")
        let data = WorkspaceTests.examples.appendingPathComponent("data").path
        #expect(
            (entries[3]["detail"] as? String)?.contains("bookings \(data)/bookings.csv: 66 rows (66 added, 0 changed, 0 unchanged), sha256 ") == true)
        // Nothing happened that was not a change: reading, listing and the log itself write no entry.
        for command in [["runs"], ["status"], ["imports"], ["log"], ["compute"], ["export", "--dir", folder.appendingPathComponent("out").path]] {
            try WorkspaceTests.expectSuccess(command + ["--workspace", path])
        }
        #expect(try Self.entries(["--workspace", path]).total == 7)
    }

    @Test func theLogIsFilteredAndLimited() throws {
        let (folder, path) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ws = ["--workspace", path]
        let limited = try Self.entries(["--limit", "2"] + ws)
        #expect(limited.entries.map { $0["id"] as? Int } == [7, 6])
        #expect(limited.total == 7)
        #expect(try Self.entries(["--action", "program_add"] + ws).entries.map { $0["id"] as? Int } == [3, 2, 1])
        #expect(try Self.entries(["--action", "program_add", "--limit", "1"] + ws).entries.map { $0["subject"] as? String } == ["VIP25-6M v1"])
        #expect(try Self.entries(["--actor", Self.me] + ws).total == 7)
        #expect(try Self.entries(["--actor", "somebody-else"] + ws).total == 0)
        #expect(try Self.entries(["--since", "2000-01-01"] + ws).total == 7)
        #expect(try Self.entries(["--since", "2999-01-01T00:00Z"] + ws).total == 0)
        // --since is compared with the entries' own times: from the third entry's on, five.
        let third = try #require(try Self.entries(ws).entries.first { $0["id"] as? Int == 3 }?["at"] as? String)
        #expect(try Self.entries(["--since", third] + ws).entries.allSatisfy { ($0["id"] as? Int ?? 0) >= 3 })

        for (arguments, message) in [
            (["--limit", "0"], "--limit 0: give the number of entries to show, 1 or more"),
            (["--action", "delete"], "--action \"delete\": expected one of import, program_add, enroll, unenroll, run, user_add"),
            (["--since", "last week"], "--since \"last week\": expected a date YYYY-MM-DD or a date and time"),
            (["--format", "xml"], "xml"),
        ] {
            let run = try CLI.run(["log"] + arguments + ws)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    @Test func theLogIsATableOrCSV() throws {
        let (folder, path) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (entries, _) = try Self.entries(["--workspace", path])
        let text = try WorkspaceTests.expectSuccess(["log", "--limit", "2", "--workspace", path]).stdout
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5)
        let actor = "\(Self.me) (os_user)"
        let width = max("actor".count, actor.count)
        let at = try #require(entries[0]["at"] as? String), atBefore = try #require(entries[1]["at"] as? String)
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        // Columns two spaces apart, each as wide as its widest cell; the detail last.
        let subject = "NL1002 VIP25-6M collaboration/voice"
        #expect(
            lines[0] == ["id", pad("at", 24), pad("actor", width), pad("action", 8), pad("subject", subject.count), "detail"].joined(separator: "  "))
        let runDetail = try #require(entries[0]["detail"] as? String)
        #expect(lines[1] == ["7 ", at, pad(actor, width), pad("run", 8), pad("run 1", subject.count), runDetail].joined(separator: "  "))
        #expect(lines[2] == ["6 ", atBefore, pad(actor, width), "unenroll", subject, "import 10"].joined(separator: "  "))
        #expect(lines[3] == "(2 of 7 entries shown, newest first; see --limit)")
        #expect(lines[4] == "")
        #expect(runDetail.hasPrefix("PROVIDER-MDF-FY23-H2 v1, VIP25-3M v1, VIP25-6M v1; 66 booking lines, 13 partners; inputs sha256 "))

        let csv = try WorkspaceTests.expectSuccess(["log", "--format", "csv", "--action", "unenroll", "--workspace", path]).stdout
        #expect(
            csv
                == "id,at,actor_kind,actor,action,subject,detail\n6,\(atBefore),os_user,\(Self.me),unenroll,NL1002 VIP25-6M collaboration/voice,import 10\n"
        )
        let none = try WorkspaceTests.expectSuccess(["log", "--actor", "nobody", "--workspace", path]).stdout
        #expect(none == "no audit entries match\n")
        let noneCSV = try WorkspaceTests.expectSuccess(["log", "--actor", "nobody", "--format", "csv", "--workspace", path]).stdout
        #expect(noneCSV == "id,at,actor_kind,actor,action,subject,detail\n")
    }

    /// The entry is written in the import's transaction: killed at its last step before the commit, the
    /// import leaves neither its rows, nor its import log line, nor an audit entry.
    @Test func anImportKilledBeforeItsCommitLeavesNoEntry() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try WorkspaceTests.bookings(prefix: "K", count: 50, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let child = try CLI.start(
            ["import", "bookings", file, "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "import-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        kill(child.process.processIdentifier, SIGKILL)
        #expect(try child.wait().status == SIGKILL)
        #expect(
            try Self.entries(["--workspace", path]).entries.map { $0["action"] as? String } == [
                "import", "program_add", "program_add", "program_add",
            ])
        #expect(try WorkspaceTests.bookingCount(path) == 66)
        try WorkspaceTests.expectSuccess(["import", "bookings", file, "--workspace", path])
        let after = try Self.entries(["--workspace", path]).entries
        #expect(after.count == 5)
        #expect(after.first?["subject"] as? String == "import 9")
        #expect((after.first?["detail"] as? String)?.hasPrefix("bookings \(file): 50 rows (50 added, 0 changed, 0 unchanged)") == true)
    }
}
