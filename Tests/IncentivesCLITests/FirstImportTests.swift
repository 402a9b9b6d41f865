import Foundation
import IncentiveStore
import Testing

/// The first bookings of a workspace are written outside WAL mode when nothing else has the file open
/// (`Workspace.writeTransaction(bulk:)`): these tests check that the rollback-journal path is the one taken
/// (its journal beside the file while the import is paused), that it is as safe as the WAL path (killed, it
/// leaves no booking; another process waits for it), that it is not taken while another connection is open,
/// and that the file is in WAL mode again afterwards.
@Suite struct FirstImportTests {
    /// A workspace with the example's programs and every data file but its bookings.
    static func workspaceWithoutBookings() throws -> (folder: URL, path: String) {
        let folder = try CLI.temporaryFolder()
        let path = folder.appendingPathComponent("w.sqlite").path
        try WorkspaceTests.expectSuccess(["init", "--workspace", path])
        let examples = WorkspaceTests.examples
        let programs = try FileManager.default.contentsOfDirectory(atPath: examples.appendingPathComponent("programs").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { examples.appendingPathComponent("programs/\($0)").path }
        try WorkspaceTests.expectSuccess(["programs", "add"] + programs + ["--workspace", path])
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: examples.appendingPathComponent("data").path) where file != "bookings.csv" {
            try FileManager.default.copyItem(at: examples.appendingPathComponent("data/\(file)"), to: data.appendingPathComponent(file))
        }
        try WorkspaceTests.expectSuccess(["import", "--dir", data.path, "--workspace", path])
        #expect(try WorkspaceTests.bookingCount(path) == 0)
        return (folder, path)
    }

    /// The journal mode the file's header records: bytes 18 and 19 are 2 in WAL mode, 1 otherwise.
    static func isWAL(_ path: String) throws -> Bool {
        let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(20)
        return header[18] == 2 && header[19] == 2
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// `incentives import bookings FILE` in a child process, paused inside its transaction after 1,000 lines
    /// (the failpoint's `signal` file is there once it is; removing the file lets it go on).
    static func pausedImport(_ file: String, into path: String, signal: String) throws -> CLI.Child {
        let child = try CLI.start(
            ["import", "bookings", file, "--workspace", path],
            environment: ["INCENTIVES_FAILPOINT": "import-mid-bookings", "INCENTIVES_FAILPOINT_FILE": signal])
        #expect(CLI.waitForFile(signal))
        return child
    }

    @Test func theFirstBookingsAreWrittenWithARollbackJournalAndTheFileIsInWALModeAfter() throws {
        let (folder, path) = try Self.workspaceWithoutBookings()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try WorkspaceTests.bookings(prefix: "F", count: 3000, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let child = try Self.pausedImport(file, into: path, signal: signal)
        // Paused inside its transaction after 1,000 lines: a rollback journal, no WAL.
        #expect(Self.exists(path + "-journal"))
        #expect(!Self.exists(path + "-wal"))
        #expect(try !Self.isWAL(path))
        try FileManager.default.removeItem(atPath: signal)
        let done = try child.wait()
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("3000 rows (3000 added, 0 changed, 0 unchanged)"))
        #expect(!Self.exists(path + "-journal"))
        #expect(try Self.isWAL(path))
        #expect(try WorkspaceTests.bookingCount(path) == 3000)
        // A second import (the table is no longer empty) goes through the WAL as any other write.
        let second = try WorkspaceTests.bookings(prefix: "G", count: 1500, in: folder)
        let paused = try Self.pausedImport(second, into: path, signal: signal)
        #expect(!Self.exists(path + "-journal"))
        #expect(Self.exists(path + "-wal"))
        try FileManager.default.removeItem(atPath: signal)
        #expect(try paused.wait().status == 0)
        #expect(try WorkspaceTests.bookingCount(path) == 4500)
    }

    /// Killed half-way, the first import leaves its journal behind: the next command plays it back (no booking
    /// stored, the file sound and in WAL mode again) and the import goes through afterwards.
    @Test func aFirstImportKilledHalfWayLeavesNoBooking() throws {
        let (folder, path) = try Self.workspaceWithoutBookings()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try WorkspaceTests.bookings(prefix: "K", count: 3000, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let child = try Self.pausedImport(file, into: path, signal: signal)
        #expect(Self.exists(path + "-journal"))
        kill(child.process.processIdentifier, SIGKILL)
        #expect(try child.wait().status == SIGKILL)
        #expect(try WorkspaceTests.bookingCount(path) == 0)
        #expect(!Self.exists(path + "-journal"))
        #expect(try Self.isWAL(path))
        let log = try WorkspaceTests.expectSuccess(["imports", "--workspace", path])
        #expect(!log.stdout.contains("K.csv"))
        try WorkspaceTests.expectSuccess(["import", "bookings", file, "--workspace", path])
        #expect(try WorkspaceTests.bookingCount(path) == 3000)
    }

    /// A first import with a bad line is refused whole: no booking, no journal left, the file in WAL mode again,
    /// and the message names the file, the line and the value.
    @Test func aBadFirstImportLeavesNothing() throws {
        let (folder, path) = try Self.workspaceWithoutBookings()
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = "order_id,line,partner_id,booked_on,sku,amount,currency\n"
        for index in 1...2000 { text += "B-\(index),1,NL1001,2015-03-01,UCS-C240M4SX,100.00,USD\n" }
        text += "B-2001,1,NL1001,2015-03-01,UCS-C240M4SX,\"12,50\",USD\n"
        let file = folder.appendingPathComponent("bad.csv").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try CLI.run(["import", "bookings", file, "--workspace", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(file):2002: amount \"12,50\""), "\(run.stderr)")
        #expect(run.stderr.contains("nothing was imported; the workspace is unchanged."))
        #expect(!Self.exists(path + "-journal"))
        #expect(try Self.isWAL(path))
        #expect(try WorkspaceTests.bookingCount(path) == 0)
    }

    /// Another process that opens the workspace while the first import holds it waits, and both land.
    @Test func aSecondImportWaitsForTheFirst() throws {
        let (folder, path) = try Self.workspaceWithoutBookings()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try WorkspaceTests.bookings(prefix: "A", count: 2000, in: folder)
        let second = try WorkspaceTests.bookings(prefix: "B", count: 2500, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let a = try Self.pausedImport(file, into: path, signal: signal)
        #expect(Self.exists(path + "-journal"))
        let b = try CLI.start(["import", "bookings", second, "--workspace", path])
        usleep(300_000)
        try FileManager.default.removeItem(atPath: signal)
        let resultA = try a.wait(), resultB = try b.wait()
        #expect(resultA.status == 0, "\(resultA.stderr)")
        #expect(resultB.status == 0, "\(resultB.stderr)")
        #expect(resultA.stdout.contains("2000 rows (2000 added"))
        #expect(resultB.stdout.contains("2500 rows (2500 added"))
        #expect(try WorkspaceTests.bookingCount(path) == 4500)
        #expect(try Self.isWAL(path))
    }

    /// While another connection has the workspace open (a server, here this process), the first import
    /// does not take the file for itself: it writes through the WAL, and lands.
    @Test func withAnotherConnectionOpenTheFirstImportUsesTheWAL() throws {
        let (folder, path) = try Self.workspaceWithoutBookings()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try Workspace.open(at: path)
        #expect(try workspace.revision() > 0)
        let file = try WorkspaceTests.bookings(prefix: "W", count: 2000, in: folder)
        let signal = folder.appendingPathComponent("reached").path
        let child = try Self.pausedImport(file, into: path, signal: signal)
        #expect(!Self.exists(path + "-journal"))
        #expect(Self.exists(path + "-wal"))
        try FileManager.default.removeItem(atPath: signal)
        let done = try child.wait()
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try workspace.revision() > 0)
        #expect(try WorkspaceTests.bookingCount(path) == 2000)
        #expect(try Self.isWAL(path))
    }
}
