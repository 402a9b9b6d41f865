import Crypto
import Foundation
import GRDB
import IncentiveEngine
@testable import IncentiveStore
import IncentiveSynthetic
import Synchronization
import Testing

/// A temporary folder for one test, and the example files of the package.
struct Sandbox {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = packageRoot.appendingPathComponent("examples")
    static let exampleData = examples.appendingPathComponent("data").path
    static let examplePrograms = examples.appendingPathComponent("programs").path

    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("incentive-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Copies the example data folder (or programs folder) into the sandbox under `name`.
    func copy(_ source: String, as name: String) throws -> String {
        let target = path(name)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }

    /// Writes `text` to `name` in the sandbox and returns its path.
    func write(_ text: String, to name: String) throws -> String {
        let target = path(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The `.yaml` files of a folder, sorted.
    static func programFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// Data lines of a CSV file (lines after the header; the example files have no line breaks inside fields).
    static func dataLines(_ path: String) throws -> Int {
        try text(path).split(separator: "\n", omittingEmptySubsequences: true).count - 1
    }

    /// A new workspace with the example programs added (and, unless told otherwise, the example data imported).
    func exampleWorkspace(name: String = "w.sqlite", importData: Bool = true) throws -> Workspace {
        let workspace = try Workspace.create(at: path(name))
        for file in try Self.programFiles(Self.examplePrograms) {
            let added = try workspace.addProgram(file: file)
            #expect(added.isNew && added.version.version == 1)
        }
        if importData { _ = try workspace.importFolder(Self.exampleData) }
        return workspace
    }

    /// Runs the engine on two folders, without any workspace.
    static func engineResult(data: String, programs: String) throws -> ComputeResult {
        Engine.compute(try Engine.load(dataDirectory: data, programsDirectory: programs))
    }
}

extension WorkspaceStatus {
    var counts: [DataKind: Int] { Dictionary(uniqueKeysWithValues: rows.map { ($0.kind, $0.count) }) }
}

/// The expected number of rows of each example file (counted by hand, and checked against the files).
let exampleCounts: [DataKind: Int] = [
    .partners: 13, .tiers: 0, .products: 17, .credentials: 13, .csat: 74, .services: 6, .enrollments: 17, .fx: 3, .bookings: 66,
]

/// The kinds of the example folder: every kind but the optional ones (it has no `tiers.csv`).
let exampleKinds = DataKind.importOrder.filter { !$0.isOptional }

/// Calls `body`, which must throw a `WorkspaceError`; returns its message ("" when something else happened).
func workspaceErrorMessage(_ body: () throws -> Void) -> String {
    workspaceError(body)?.message ?? ""
}

/// Calls `body`, which must throw a `WorkspaceError`, and returns it.
func workspaceError(_ body: () throws -> Void) -> WorkspaceError? {
    do {
        try body()
        Issue.record("expected a WorkspaceError, nothing was thrown")
        return nil
    } catch let error as WorkspaceError {
        return error
    } catch {
        Issue.record("expected a WorkspaceError, got \(error)")
        return nil
    }
}

/// Calls `body`, which must throw a `DiagnosticReport`; returns its error lines.
func reportErrorLines(_ body: () throws -> Void) -> [String] {
    do {
        try body()
        Issue.record("expected a DiagnosticReport, nothing was thrown")
        return []
    } catch let report as DiagnosticReport {
        return report.errorLines
    } catch {
        Issue.record("expected a DiagnosticReport, got \(error)")
        return []
    }
}

// MARK: - 1. Creating and opening

@Suite struct OpenWorkspaceTests {
    @Test func createThenOpen() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("w.sqlite")
        do {
            let created = try Workspace.create(at: path)
            #expect(created.path == path)
            #expect(try created.status().createdAt != nil)
        }
        let header = try #require(Sandbox.bytes(path))
        #expect(header.prefix(16) == Data("SQLite format 3\u{0}".utf8))
        // PRAGMA application_id is stored big-endian at offset 68: "INCV".
        #expect(Array(header[68..<72]) == Array("INCV".utf8))

        let opened = try Workspace.open(at: path)
        let status = try opened.status()
        #expect(status.createdAt != nil)
        #expect(status.runs == 0 && status.imports == 0 && status.programs.isEmpty)
        #expect(status.rows.map(\.kind) == DataKind.importOrder)
        #expect(status.rows.allSatisfy { $0.count == 0 })
        #expect(try opened.integrityProblems().isEmpty)
    }

    @Test func openMissingFileCreatesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("missing.sqlite")
        let error = workspaceError { _ = try Workspace.open(at: path) }
        // The store names no command: the detail lets each front end word its remedy (CLI: WorkspaceTests).
        #expect(error == WorkspaceError(.notFound, "no workspace at \(path)", detail: .noWorkspace(path: path)))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root.path).isEmpty)
    }

    @Test func openPlainTextFileLeavesItAlone() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        for (name, text) in [
            ("long.txt", String(repeating: "partner_id,name,country,tier,provider\n", count: 10)),
            ("short.txt", "hello\n"),
            // Starts like SQLite but is only 20 bytes long.
            ("truncated.sqlite", "SQLite format 3\u{0}abcd"),
        ] {
            let path = try sandbox.write(text, to: name)
            let before = try #require(Sandbox.bytes(path))
            let message = workspaceErrorMessage { _ = try Workspace.open(at: path) }
            #expect(message == "\(path) is not an incentives workspace (not a SQLite database); nothing was changed")
            #expect(Sandbox.bytes(path) == before)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        }
    }

    @Test func openFolderIsRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let message = workspaceErrorMessage { _ = try Workspace.open(at: sandbox.root.path) }
        #expect(message == "\(sandbox.root.path) is a folder, not a workspace file")
    }

    @Test func openForeignSQLiteDatabaseLeavesItAlone() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("other.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
                try db.execute(sql: "INSERT INTO notes(text) VALUES ('keep me')")
            }
            try queue.close()
        }
        let before = try #require(Sandbox.bytes(path))
        let message = workspaceErrorMessage { _ = try Workspace.open(at: path) }
        #expect(message == "\(path) is a SQLite database but not an incentives workspace; nothing was changed")
        #expect(Sandbox.bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        // Still the other program's database, still in rollback-journal mode.
        let queue = try DatabaseQueue(path: path)
        let (notes, mode) = try queue.read { db in
            (try String.fetchAll(db, sql: "SELECT text FROM notes"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        try queue.close()
        #expect(notes == ["keep me"])
        #expect(mode == "delete")
    }

    @Test func workspaceOfANewerVersionIsRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("w.sqlite")
        do { _ = try Workspace.create(at: path) }
        do {
            let queue = try DatabaseQueue(path: path)
            let known = try queue.write { db in
                let known = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
                try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future')")
                return known
            }
            try queue.close()
            #expect(
                known == [
                    "v1", "v10-funds", "v11-statement-indexes", "v12-incremental-runs", "v13-statement-covering", "v14-shared-checks", "v15-statuses-in-totals", "v16-bookings-bounds", "v17-anchored-runs", "v18-booking-packs", "v19-checks-in-rows", "v2-accounts", "v20-list-indexes", "v21-check-facts",
                    "v3-revocable-accounts", "v4-run-partner-totals", "v5-tier-history", "v6-run-rules-v2",
                    "v7-row-history", "v8-audit-log", "v9-ledger",
                ])
        }
        let before = try #require(Sandbox.bytes(path))
        let message = workspaceErrorMessage { _ = try Workspace.open(at: path) }
        #expect(message.hasPrefix("\(path) was written by a newer version of incentives"))
        #expect(message.contains("use a newer incentives"))
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        // The schema is read through a read-only connection before any pool (whose WAL set-up writes) is opened.
        #expect(Sandbox.bytes(path) == before)
        // Nothing was migrated or removed: the unknown migration is still recorded.
        let queue = try DatabaseQueue(path: path)
        let identifiers = try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        try queue.close()
        #expect(
            identifiers == [
                "v1", "v10-funds", "v11-statement-indexes", "v12-incremental-runs", "v13-statement-covering", "v14-shared-checks", "v15-statuses-in-totals", "v16-bookings-bounds", "v17-anchored-runs", "v18-booking-packs", "v19-checks-in-rows", "v2-accounts", "v20-list-indexes", "v21-check-facts",
                "v3-revocable-accounts",
                "v4-run-partner-totals", "v5-tier-history", "v6-run-rules-v2",
                "v7-row-history", "v8-audit-log", "v9-ledger", "v99-from-the-future",
            ])
    }

    @Test func createRefusesAnExistingFileOrAMissingFolder() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let text = try sandbox.write("not a database\n", to: "existing.txt")
        let message = workspaceErrorMessage { _ = try Workspace.create(at: text) }
        #expect(message.hasPrefix("\(text) already exists"))
        #expect(Sandbox.bytes(text) == Data("not a database\n".utf8))

        let path = sandbox.path("w.sqlite")
        do { _ = try Workspace.create(at: path) }
        let before = try #require(Sandbox.bytes(path))
        let again = workspaceErrorMessage { _ = try Workspace.create(at: path) }
        #expect(again.hasPrefix("\(path) already exists"))
        #expect(Sandbox.bytes(path) == before)
        _ = try Workspace.open(at: path)

        let nowhere = sandbox.path("no-such-folder/w.sqlite")
        let missing = workspaceErrorMessage { _ = try Workspace.create(at: nowhere) }
        #expect(missing.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }
}

// MARK: - 2-4. Imports

@Suite struct ImportTests {
    @Test func exampleCountsMatchTheFiles() throws {
        for kind in exampleKinds {
            let file = (Sandbox.exampleData as NSString).appendingPathComponent(kind.fileName)
            #expect(try Sandbox.dataLines(file) == exampleCounts[kind], "\(kind.fileName)")
        }
    }

    @Test func importCountsAddedThenUnchangedThenOneChanged() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace(importData: false)
        let data = try sandbox.copy(Sandbox.exampleData, as: "data")

        let first = try workspace.importFolder(data)
        #expect(first.files.map(\.kind) == exampleKinds)
        for summary in first.files {
            let expected = try #require(exampleCounts[summary.kind])
            #expect(summary.rows == expected, "\(summary.kind)")
            #expect(summary.added == expected, "\(summary.kind)")
            #expect(summary.changed == 0 && summary.unchanged == 0, "\(summary.kind)")
            #expect(summary.file == (data as NSString).appendingPathComponent(summary.kind.fileName))
            #expect(summary.digest.count == 64)
        }
        #expect(try workspace.status().counts == exampleCounts)

        let second = try workspace.importFolder(data)
        #expect(second.files.map(\.kind) == exampleKinds)
        for summary in second.files {
            let expected = try #require(exampleCounts[summary.kind])
            #expect(summary.rows == expected && summary.unchanged == expected, "\(summary.kind)")
            #expect(summary.added == 0 && summary.changed == 0, "\(summary.kind)")
        }
        #expect(second.files.map(\.digest) == first.files.map(\.digest))
        #expect(try workspace.status().counts == exampleCounts)
        #expect(try workspace.importLog().count == 16)

        let before = try workspace.run()
        let row = try #require(before.result.rows.first { $0.program == "VIP25-6M" && $0.partnerID == "NL1001" && $0.item == "data-center/ucs" })
        #expect(row.qualifyingVolume.plainText == "57500.75" && row.amount.plainText == "3450.04")

        // SO15-1001 line 1 (NL1001, UCS, booked 2015-01-25): 24,000.00 -> 25,000.00.
        let bookingsPath = (data as NSString).appendingPathComponent("bookings.csv")
        let original = try Sandbox.text(bookingsPath)
        let oldLine = "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n"
        #expect(original.contains(oldLine))
        try original.replacingOccurrences(of: oldLine, with: "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,25000.00,USD,\n")
            .write(toFile: bookingsPath, atomically: true, encoding: .utf8)
        let changed = try workspace.importFile(.bookings, path: bookingsPath)
        let summary = try #require(changed.files.first)
        #expect(changed.files.count == 1)
        #expect(summary.kind == .bookings && summary.rows == 66)
        #expect(summary.added == 0 && summary.changed == 1 && summary.unchanged == 65)
        #expect(try workspace.status().counts == exampleCounts)

        let after = try workspace.run()
        let newRow = try #require(after.result.rows.first { $0.program == "VIP25-6M" && $0.partnerID == "NL1001" && $0.item == "data-center/ucs" })
        // 57,500.75 + 1,000.00 = 58,500.75; 6% = 3,510.045 -> 3,510.04 (half even).
        #expect(newRow.qualifyingVolume.plainText == "58500.75")
        #expect(newRow.amount.plainText == "3510.04")
        #expect(after.summary.dataDigest != before.summary.dataDigest)
        #expect(after.summary.amount.cents - before.summary.amount.cents == 351_004 - 345_004)
        // And the whole stored run (an incremental one: `run` returns it without checks) is what the engine computes
        // from the changed folder.
        let engine = try Sandbox.engineResult(data: data, programs: Sandbox.examplePrograms)
        let stored = try workspace.runResult(after.summary.id, checks: .failedReasons).result
        #expect(ResultsCSV.render(stored.rows) == ResultsCSV.render(engine.rows))

        let diff = try workspace.diffRuns(before.summary.id, after.summary.id)
        #expect(diff.dataChanged)
        #expect(diff.rows.map { "\($0.program) \($0.partnerID) \($0.item)" } == ["VIP25-6M NL1001 data-center/ucs"])
    }

    /// The example bookings with line 5 (SO15-1003) given the amount "12,50", line 8 (SO15-1006) an unknown
    /// partner, a valid change on line 2 and a valid new line at the end: none of it may be written.
    static func badBookings() throws -> String {
        var lines = try Sandbox.text((Sandbox.exampleData as NSString).appendingPathComponent("bookings.csv"))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[4] == "SO15-1003,1,NL1001,2015-04-20,2015-04-28,UCS-C240M4SX,2,18000.00,USD,")
        lines[4] = "SO15-1003,1,NL1001,2015-04-20,2015-04-28,UCS-C240M4SX,2,\"12,50\",USD,"
        #expect(lines[7] == "SO15-1006,1,NL1001,2015-06-12,2015-06-12,UCS-C240M4SX,,-2750.00,USD,")
        lines[7] = "SO15-1006,1,XX9999,2015-06-12,2015-06-12,UCS-C240M4SX,,-2750.00,USD,"
        lines[1] = lines[1].replacingOccurrences(of: "24000.00", with: "99000.00")
        #expect(lines.last == "")
        lines.insert("SO15-9999,1,NL1001,2015-03-01,,UCS-B200M4-U,1,1000.00,USD,", at: lines.count - 1)
        return lines.joined(separator: "\n")
    }

    @Test func aBadBookingsFileIsRejectedWhole() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let before = try workspace.status()
        let logBefore = try workspace.importLog().count
        let bad = try sandbox.write(try Self.badBookings(), to: "bad-bookings.csv")

        let errors = reportErrorLines { _ = try workspace.importFile(.bookings, path: bad) }
        #expect(errors.contains { $0.hasPrefix("\(bad):5:") && $0.contains("amount") && $0.contains("12,50") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("\(bad):8:") && $0.contains("XX9999") }, "\(errors)")
        #expect(errors.count == 2, "\(errors)")

        let after = try workspace.status()
        #expect(after.counts == before.counts)
        #expect(after.counts == exampleCounts)
        #expect(after.imports == before.imports)
        #expect(try workspace.importLog().count == logBefore)
        // The valid change on line 2 was not written either: the results are still the golden ones.
        let run = try workspace.run()
        #expect(try ResultsCSV.render(run.result.rows) == (try Sandbox.text(Sandbox.examples.appendingPathComponent("expected/results.csv").path)))
        #expect(try workspace.integrityProblems().isEmpty)
    }

    @Test func aFolderWhoseLastFileIsBadImportsNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace(importData: false)
        let data = try sandbox.copy(Sandbox.exampleData, as: "data")
        let bookings = (data as NSString).appendingPathComponent("bookings.csv")
        try FileManager.default.removeItem(atPath: bookings)
        _ = try sandbox.write(try Self.badBookings(), to: "data/bookings.csv")

        let errors = reportErrorLines { _ = try workspace.importFolder(data) }
        #expect(errors.contains { $0.hasPrefix("\(bookings):5:") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("\(bookings):8:") }, "\(errors)")
        #expect(errors.allSatisfy { $0.hasPrefix(bookings) }, "\(errors)")

        let status = try workspace.status()
        #expect(status.rows.allSatisfy { $0.count == 0 }, "\(status.rows)")
        #expect(status.imports == 0)
        #expect(try workspace.importLog().isEmpty)
        #expect(status.programs.count == 3)

        // Once the file is fixed, the same folder imports in full.
        try FileManager.default.removeItem(atPath: bookings)
        try FileManager.default.copyItem(atPath: (Sandbox.exampleData as NSString).appendingPathComponent("bookings.csv"), toPath: bookings)
        let outcome = try workspace.importFolder(data)
        #expect(outcome.files.map(\.added) == exampleKinds.map { exampleCounts[$0]! })
    }

    @Test func enrollmentsNeedProgramsFirst() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let enrollments = (Sandbox.exampleData as NSString).appendingPathComponent("enrollments.csv")

        let folderErrors = reportErrorLines { _ = try workspace.importFolder(Sandbox.exampleData) }
        #expect(folderErrors.count == 1, "\(folderErrors)")
        #expect(folderErrors.first?.hasPrefix("\(enrollments): ") == true, "\(folderErrors)")
        // The remedy is the front end's to word (`Remedies`); the store's own words name no command.
        #expect(folderErrors.first?.hasSuffix("no enrolment can be checked; add them first") == true, "\(folderErrors)")
        #expect(try workspace.status().rows.allSatisfy { $0.count == 0 })

        // The partners alone import; the enrolments file alone is still refused.
        let partners = try workspace.importFile(.partners, path: (Sandbox.exampleData as NSString).appendingPathComponent("partners.csv"))
        #expect(partners.files.map(\.added) == [13])
        let words = Remedies(unenrollFirst: "", addProgramsFirst: "add them first with: incentives programs add FILE", giveAFile: "")
        let fileErrors = reportErrorLines { _ = try workspace.importFile(.enrollments, path: enrollments, remedies: words) }
        #expect(fileErrors.count == 1 && fileErrors.first?.hasSuffix("; add them first with: incentives programs add FILE") == true, "\(fileErrors)")
        #expect(try workspace.status().counts[.enrollments] == 0)
    }
}

// MARK: - 5. Runs

@Suite struct RunTests {
    @Test func runEqualsTheEngineAndIsStoredExactly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let outcome = try workspace.run()
        let (summary, result) = (outcome.summary, try outcome.result)

        let engine = try Sandbox.engineResult(data: Sandbox.exampleData, programs: Sandbox.examplePrograms)
        let csv = ResultsCSV.render(result.rows)
        #expect(csv == ResultsCSV.render(engine.rows))
        #expect(ResultsJSON.render(result) == ResultsJSON.render(engine))
        #expect(csv == (try Sandbox.text(Sandbox.examples.appendingPathComponent("expected/results.csv").path)))

        #expect(summary.id == 1)
        #expect(summary.bookingLines == 66 && summary.partners == 13)
        #expect(summary.programs.map { "\($0.id) v\($0.version)" } == ["PROVIDER-MDF-FY23-H2 v1", "VIP25-3M v1", "VIP25-6M v1"])
        #expect(summary.engineVersion == Engine.version)
        // Sum of the golden amount and missed_amount columns.
        #expect(summary.amount.plainText == "30134.17")
        #expect(summary.missedAmount.plainText == "26077.23")

        let stored = try workspace.runResult(summary.id)
        #expect(ResultsCSV.render(stored.result.rows) == csv)
        #expect(ResultsJSON.render(stored.result) == ResultsJSON.render(result))
        #expect(stored.result.rows == result.rows)
        #expect(stored.summary.dataDigest == summary.dataDigest && stored.summary.inputsDigest == summary.inputsDigest)

        let runs = try workspace.runs()
        #expect(runs.map(\.id) == [1])
        let second = try workspace.run(programIDs: ["VIP25-3M"])
        #expect(second.summary.id == 2)
        #expect(second.summary.programs.map(\.id) == ["VIP25-3M"])
        #expect(second.summary.dataDigest == summary.dataDigest)
        let secondRows = try second.result.rows
        #expect(
            ResultsCSV.render(secondRows) == ResultsCSV.header + "\n"
                + csv.split(separator: "\n").filter { $0.hasPrefix("VIP25-3M,") }.joined(separator: "\n") + "\n")
        #expect(try workspace.runs().map(\.id) == [1, 2])

        let message = workspaceErrorMessage { _ = try workspace.runResult(3) }
        #expect(message == "no run 3 in the workspace (runs are 1 to 2)")
        let unknown = reportErrorLines { _ = try workspace.run(programIDs: ["NOPE"]) }
        #expect(unknown.count == 1 && unknown.first?.contains("NOPE") == true, "\(unknown)")
        #expect(try workspace.runs().count == 2)
    }

    @Test func runNeedsProgramsAndPartners() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let errors = reportErrorLines { _ = try workspace.run() }
        #expect(errors.contains { $0.contains("no programs yet") }, "\(errors)")
        #expect(errors.contains { $0.contains("no partners yet") }, "\(errors)")
        #expect(try workspace.runs().isEmpty)
    }
}

// MARK: - 6. Program versions

@Suite struct ProgramVersionTests {
    static func variant(of name: String, _ replace: [(String, String)], in sandbox: Sandbox, as target: String) throws -> String {
        var text = try Sandbox.text((Sandbox.examplePrograms as NSString).appendingPathComponent(name))
        for (old, new) in replace {
            #expect(text.contains(old), "\(name) has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try sandbox.write(text, to: target)
    }

    @Test func versionsChangesRefusalsAndTheDiff() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let sixMonths = (Sandbox.examplePrograms as NSString).appendingPathComponent("vip25-6m.yaml")

        // The same file again stores nothing.
        let same = try workspace.addProgram(file: sixMonths)
        #expect(!same.isNew && same.version.version == 1 && same.changes.isEmpty)
        #expect(try workspace.programHistory("VIP25-6M").map(\.version) == [1])
        #expect(same.version.definition == (try Sandbox.text(sixMonths)))

        let first = try workspace.run()

        // 6% -> 7% on data-center/ucs.
        let raised = try Self.variant(of: "vip25-6m.yaml", [("rebate_percent: 6\n", "rebate_percent: 7\n")], in: sandbox, as: "raised.yaml")
        let added = try workspace.addProgram(file: raised)
        #expect(added.isNew)
        #expect(added.version.programID == "VIP25-6M" && added.version.version == 2 && added.version.label == "VIP25-6M v2")
        #expect(added.version.fileName == "raised.yaml")
        #expect(added.changes == ["data-center/ucs rebate_percent: 6 -> 7"])
        #expect(try workspace.programHistory("VIP25-6M").map(\.version) == [1, 2])
        #expect(
            try workspace.programVersions().map { "\($0.programID) v\($0.version)" } == ["PROVIDER-MDF-FY23-H2 v1", "VIP25-3M v1", "VIP25-6M v2"])
        #expect(try workspace.program("VIP25-6M", version: 1).0.definition == (try Sandbox.text(sixMonths)))
        #expect(try workspace.program("VIP25-6M").0.version == 2)
        #expect(workspaceErrorMessage { _ = try workspace.program("VIP25-6M", version: 3) } == "program VIP25-6M has no version 3")
        #expect(workspaceErrorMessage { _ = try workspace.program("NOPE") }.hasPrefix("no program NOPE in the workspace"))
        // Adding it again is no new version either.
        #expect(try !workspace.addProgram(file: raised).isNew)

        // Removing collaboration/video, in which BE2001, BE2003 and DE3001 are enrolled, is refused.
        let text = try Sandbox.text(raised)
        let videoStart = try #require(text.range(of: "      - id: video\n"))
        let withoutVideo = try sandbox.write(String(text[..<videoStart.lowerBound]), to: "no-video.yaml")
        let removalErrors = reportErrorLines { _ = try workspace.addProgram(file: withoutVideo) }
        #expect(removalErrors.count == 3, "\(removalErrors)")
        for partner in ["BE2001", "BE2003", "DE3001"] {
            #expect(
                removalErrors.contains { $0.contains("partner \(partner) is enrolled in VIP25-6M collaboration/video") && $0.contains("unenroll") },
                "\(removalErrors)")
        }
        #expect(try workspace.programHistory("VIP25-6M").map(\.version) == [1, 2])

        // Another currency than the other programs is refused.
        let euros = try Self.variant(of: "vip25-3m.yaml", [("currency: USD", "currency: EUR")], in: sandbox, as: "eur.yaml")
        let currencyErrors = reportErrorLines { _ = try workspace.addProgram(file: euros) }
        #expect(currencyErrors.count == 1 && currencyErrors.first?.contains("one currency") == true, "\(currencyErrors)")
        #expect(currencyErrors.first?.hasPrefix("\(euros):") == true, "\(currencyErrors)")
        #expect(try workspace.programHistory("VIP25-3M").map(\.version) == [1])

        let second = try workspace.run()
        #expect(second.summary.programs.map { "\($0.id) v\($0.version)" } == ["PROVIDER-MDF-FY23-H2 v1", "VIP25-3M v1", "VIP25-6M v2"])
        let diff = try workspace.diffRuns(first.summary.id, second.summary.id)
        #expect(!diff.dataChanged)
        #expect(diff.currency == "USD")
        #expect(diff.imports.isEmpty)
        #expect(
            diff.programs.map { "\($0.id) \($0.before.map(String.init) ?? "-")->\($0.after.map(String.init) ?? "-")" }
                == ["PROVIDER-MDF-FY23-H2 1->1", "VIP25-3M 1->1", "VIP25-6M 1->2"])
        #expect(diff.programs.last?.changes == ["data-center/ucs rebate_percent: 6 -> 7"])

        // Every changed row is a VIP25-6M data-center/ucs row; amounts and missed amounts at 6% and 7%, half even:
        //   DE3001 85,289.90 eligible:   5,117.394 -> 5,117.39;  5,970.293   -> 5,970.29  (+852.90)
        //   NL1001 57,500.75 eligible:   3,450.045 -> 3,450.04;  4,025.0525  -> 4,025.05  (+575.01)
        //   NL1003 82,345.67 eligible:   4,940.7402 -> 4,940.74; 5,764.1969  -> 5,764.20  (+823.46)
        //   BE2002 80,500.00 missed:     4,830.00               -> 5,635.00               (+805.00)
        //   NL1002 57,499.99 missed:     3,449.9994 -> 3,450.00; 4,024.9993  -> 4,025.00  (+575.00)
        //   NL1004 12,000.00 missed:       720.00               ->   840.00               (+120.00)
        let expected: [String: (amount: Int64, missed: Int64)] = [
            "DE3001": (85_290, 0), "NL1001": (57_501, 0), "NL1003": (82_346, 0),
            "BE2002": (0, 80_500), "NL1002": (0, 57_500), "NL1004": (0, 12_000),
        ]
        let byPartner = Dictionary(uniqueKeysWithValues: diff.rows.map { ($0.partnerID, $0) })
        #expect(diff.rows.allSatisfy { $0.program == "VIP25-6M" && $0.item == "data-center/ucs" && $0.kind == "changed" })
        #expect(Set(byPartner.keys) == Set(expected.keys), "\(diff.rows.map(\.partnerID))")
        for (partner, delta) in expected {
            let change = try #require(byPartner[partner])
            let before = try #require(change.before), after = try #require(change.after)
            #expect(after.amount.cents - before.amount.cents == delta.amount, "\(partner)")
            #expect(after.missedAmount.cents - before.missedAmount.cents == delta.missed, "\(partner)")
            #expect(after.qualifyingVolume == before.qualifyingVolume && after.eligible == before.eligible, "\(partner)")
            #expect(change.flips.isEmpty, "\(partner)")
        }
        #expect(byPartner["NL1001"]?.after?.amount.plainText == "4025.05")
        #expect(byPartner["NL1003"]?.after?.amount.plainText == "5764.20")
        #expect(byPartner["DE3001"]?.after?.amount.plainText == "5970.29")
        #expect(second.summary.amount.cents - first.summary.amount.cents == 85_290 + 57_501 + 82_346)
        #expect(second.summary.dataDigest == first.summary.dataDigest)
        #expect(second.summary.inputsDigest != first.summary.inputsDigest)
        #expect(RunDiffText.csv(diff).contains("VIP25-6M,NL1001,data-center/ucs,changed,true,true,3450.04,4025.05,575.01,0.00,0.00,0.00,\n"))
    }
}

// MARK: - 7. Enrolments

@Suite struct EnrollmentTests {
    @Test func enrollChecksAndReportsWhatIsLacking() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let march = try #require(Day(iso: "2015-03-01"))

        let unknownSubtrack = workspaceErrorMessage {
            _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/nope", on: march)
        }
        #expect(unknownSubtrack.hasPrefix("cannot enrol: subtrack collaboration/nope: program VIP25-6M has no such subtrack"))
        let mdf = workspaceErrorMessage {
            _ = try workspace.enroll(partner: "NL1005", program: "PROVIDER-MDF-FY23-H2", subtrack: "gold", on: try #require(Day(iso: "2023-03-01")))
        }
        #expect(mdf.contains("is an MDF program"))
        let late = workspaceErrorMessage {
            _ = try workspace.enroll(
                partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: try #require(Day(iso: "2015-07-26")))
        }
        #expect(late == "cannot enrol: enrolled_on 2015-07-26: after the end of VIP25-6M (2015-07-25)")
        let stranger = workspaceErrorMessage {
            _ = try workspace.enroll(partner: "XX9999", program: "VIP25-6M", subtrack: "collaboration/voice", on: march)
        }
        #expect(stranger == "no partner \"XX9999\" in the workspace (it has 13 partners; ids match exactly, case included)")
        let noProgram = workspaceErrorMessage {
            _ = try workspace.enroll(partner: "NL1002", program: "VIP99", subtrack: "collaboration/voice", on: march)
        }
        #expect(noProgram.hasPrefix("no program VIP99 in the workspace"))
        #expect(try workspace.status().counts[.enrollments] == 17)
        let logCount = try workspace.importLog().count

        let outcome = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: march)
        #expect(outcome.change == .added)
        #expect(outcome.program.id == "VIP25-6M")
        let row = try #require(outcome.row)
        // NL1002 (premier, NL, 10 CSATs) has no voice bookings and no ADV-COLLAB/MASTER-COLLAB.
        #expect(
            ResultsCSV.line(row)
                == "VIP25-6M,vip,NL1002,collaboration/voice,0.00,25000.00,false,0.00,0.00,credential:ADV-COLLAB|MASTER-COLLAB;volume:0.00<25000.00")
        #expect(outcome.lacking.map(\.code) == [.credential, .volume])
        #expect(try workspace.status().counts[.enrollments] == 18)
        #expect(try workspace.importLog().count == logCount + 1)

        // A run computes the same row for it.
        let run = try workspace.run()
        #expect(try run.result.rows.first { $0.partnerID == "NL1002" && $0.item == "collaboration/voice" } == row)

        let again = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: march)
        #expect(again.change == .unchanged)
        #expect(try workspace.importLog().count == logCount + 1)
        // Another date (the period end itself is allowed) changes the enrolment.
        let moved = try workspace.enroll(
            partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: try #require(Day(iso: "2015-07-25")))
        #expect(moved.change == .changed)
        #expect(try workspace.status().counts[.enrollments] == 18)

        let notEnrolled = workspaceErrorMessage { try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/video") }
        #expect(
            notEnrolled == "partner NL1002 is not enrolled in VIP25-6M collaboration/video (it is enrolled in: collaboration/voice, data-center/ucs)")
        try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice")
        #expect(try workspace.status().counts[.enrollments] == 17)
        let twice = workspaceErrorMessage { try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice") }
        #expect(twice.hasPrefix("partner NL1002 is not enrolled in VIP25-6M collaboration/voice"))
        let nobody = workspaceErrorMessage { try workspace.unenroll(partner: "XX9999", program: "VIP25-6M", subtrack: "data-center/ucs") }
        // An unknown partner is named as such (issue 11), not as one that is not enrolled.
        #expect(nobody == "no partner \"XX9999\" in the workspace (it has 13 partners; ids match exactly, case included)")

        // Back to the example's enrolments: the golden results again.
        let last = try workspace.run()
        #expect(try ResultsCSV.render(last.result.rows) == (try Sandbox.text(Sandbox.examples.appendingPathComponent("expected/results.csv").path)))
        let diff = try workspace.diffRuns(run.summary.id, last.summary.id)
        #expect(diff.dataChanged)
        #expect(diff.rows.map { "\($0.kind) \($0.partnerID) \($0.item)" } == ["removed NL1002 collaboration/voice"])
        #expect(
            diff.imports.map(\.file) == [
                "enroll NL1002 in VIP25-6M collaboration/voice on 2015-07-25", "unenroll NL1002 from VIP25-6M collaboration/voice",
            ])
        #expect(diff.imports.allSatisfy { $0.kind == .enrollments && $0.digest.isEmpty })
    }
}

// MARK: - 8. Export

@Suite struct ExportTests {
    static func fileBytes(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            files[name] = Sandbox.bytes((folder as NSString).appendingPathComponent(name))
        }
        return files
    }

    @Test func exportImportRoundTrip() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let original = try sandbox.exampleWorkspace()
        // A change made by a command, not by a file, must travel too.
        _ = try original.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: try #require(Day(iso: "2015-03-01")))
        let first = try original.run()

        let data = sandbox.path("out/data"), programs = sandbox.path("out/programs")
        let written = try original.export(to: data, programsDirectory: programs)
        #expect(
            written.map { ($0 as NSString).lastPathComponent } == exampleKinds.map(\.fileName) + [
                "PROVIDER-MDF-FY23-H2.yaml", "VIP25-3M.yaml", "VIP25-6M.yaml",
            ])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: data)) == Set(exampleKinds.map(\.fileName)))
        for kind in exampleKinds {
            let expected = exampleCounts[kind]! + (kind == .enrollments ? 1 : 0)
            #expect(try Sandbox.dataLines((data as NSString).appendingPathComponent(kind.fileName)) == expected, "\(kind)")
        }
        // Programs are written exactly as added.
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) {
            let id = try original.programVersions().first { $0.fileName == (file as NSString).lastPathComponent }?.programID
            let exported = (programs as NSString).appendingPathComponent("\(try #require(id)).yaml")
            #expect(Sandbox.bytes(exported) == Sandbox.bytes(file))
        }

        // The engine on the exported folders.
        let engine = try Sandbox.engineResult(data: data, programs: programs)
        #expect(try ResultsCSV.render(engine.rows) == ResultsCSV.render(first.result.rows))
        #expect(try ResultsJSON.render(engine) == ResultsJSON.render(first.result))

        // A new workspace from the exported folders.
        let copy = try Workspace.create(at: sandbox.path("copy.sqlite"))
        for file in try Sandbox.programFiles(programs) { _ = try copy.addProgram(file: file) }
        let imported = try copy.importFolder(data)
        #expect(imported.files.allSatisfy { $0.changed == 0 && $0.unchanged == 0 && $0.added == $0.rows })
        #expect(try copy.status().counts == original.status().counts)
        let rerun = try copy.run()
        #expect(try ResultsCSV.render(rerun.result.rows) == ResultsCSV.render(first.result.rows))
        #expect(try ResultsJSON.render(rerun.result) == ResultsJSON.render(first.result))
        #expect(rerun.summary.dataDigest == first.summary.dataDigest)
        #expect(rerun.summary.inputsDigest == first.summary.inputsDigest)

        // Two exports of the same workspace, and the export of the copy, are byte for byte the same.
        let again = sandbox.path("again"), fromCopy = sandbox.path("from-copy")
        _ = try original.export(to: again + "/data", programsDirectory: again + "/programs")
        _ = try copy.export(to: fromCopy + "/data", programsDirectory: fromCopy + "/programs")
        let reference = try Self.fileBytes(data)
        #expect(reference.count == 8)
        #expect(try Self.fileBytes(again + "/data") == reference)
        #expect(try Self.fileBytes(fromCopy + "/data") == reference)
        #expect(try Self.fileBytes(again + "/programs") == (try Self.fileBytes(programs)))
        #expect(try Self.fileBytes(fromCopy + "/programs") == (try Self.fileBytes(programs)))
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: data).allSatisfy { !$0.contains(".partial-") })
    }

    @Test func exportOfAnEmptyWorkspaceWritesHeadersOnly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let folder = sandbox.path("out")
        let written = try workspace.export(to: folder)
        #expect(written.map { ($0 as NSString).lastPathComponent } == ["partners.csv", "bookings.csv"])
        #expect(try Sandbox.text(folder + "/partners.csv") == "partner_id,name,country,tier,provider\n")
        #expect(
            try Sandbox.text(folder + "/bookings.csv")
                == "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n")
    }
}

// MARK: - Awkward values: the workspace computes and exports what the engine reads

/// A small dataset with values that test the normalising and the CSV writing: quoted names with commas,
/// quotes and a line break, lower-case ids, country, tier and currency codes, a negative amount of a few
/// cents, an fx rate of exactly 1, intended uses in odd spellings, no products catalogue.
@Suite struct AwkwardValuesTests {
    static let vip = """
        id: VIP
        kind: vip
        currency: USD
        period: {start: 2015-01-25, end: 2015-07-25}
        count_bookings_by: booked_on
        csat_required: 0
        knowledge_deadline: period_end
        eligible_tiers: [gold, premier, select]
        tracks:
          - id: dc
            subtracks:
              - id: ucs
                rebate_percent: 6
                products: ["UCS-*"]
                requires_any: [ADV-UCT]
                minimum_volume: {default: 75000, NL: 57500}

        """

    static let mdf = """
        id: MDF
        kind: mdf
        currency: USD
        period: {start: 2023-01-29, end: 2023-07-29}
        intended_use_rules:
          - {counts: any}
          - {from: 2023-02-01, counts: [managed_services]}
        tiers:
          gold:    {accrual_percent: 2, minimum_volume: 0, requires_strategic_service: true}

        """

    static let files: [String: String] = [
        "partners.csv": """
        partner_id,name,country,tier,provider
        P1,"Quote ""Q"", comma, and
        a line break",nl,Gold,true
        p2,Lower-case id,de,premier,false

        """,
        "credentials.csv": """
        partner_id,credential,achieved_on,expires_on
        P1,ADV-UCT,2014-01-01,
        p2,ADV-UCT,2014-01-01,2015-06-30

        """,
        "services.csv": """
        partner_id,service,strategic,active_from,active_until
        P1,"Managed, strategic",true,2020-01-01,

        """,
        "enrollments.csv": """
        partner_id,program,subtrack,enrolled_on
        P1,VIP,dc/ucs,2015-02-01
        p2,VIP,dc/ucs,2015-02-01

        """,
        "fx.csv": """
        currency,valid_from,rate
        eur,2015-01-01,1
        EUR,2015-03-01,1.100000

        """,
        "bookings.csv": """
        order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
        O1,1,P1,2015-03-01,,UCS-A,1,57500.00,USD,
        O1,2,P1,2015-04-01,2015-04-02,UCS-B,,1000,eur,
        O2,1,P1,2015-05-01,,UCS-A,,-0.05,USD,
        O3,1,p2,2015-05-01,,UCS-A,2,80000.00,usd,
        M1,1,P1,2023-03-01,,X,1,10000.00,USD," MANAGED SERVICES "
        M2,1,P1,2023-03-02,,X,1,500.50,USD,Resale
        M3,1,P1,2023-03-03,,X,1,1000.00,USD,

        """,
    ]

    @Test func workspaceEngineAndExportAgree() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.path("data"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sandbox.path("programs"), withIntermediateDirectories: true)
        for (name, text) in Self.files { _ = try sandbox.write(text, to: "data/\(name)") }
        _ = try sandbox.write(Self.vip, to: "programs/vip.yaml")
        _ = try sandbox.write(Self.mdf, to: "programs/mdf.yaml")

        let engine = try Sandbox.engineResult(data: sandbox.path("data"), programs: sandbox.path("programs"))
        let csv = ResultsCSV.render(engine.rows)
        // P1 UCS: 57,500.00 + 1,000 EUR x 1.1 (rate from 2015-03-01) - 0.05 = 58,599.95; 6% = 3,515.997 -> 3,516.00.
        // p2 UCS: 80,000.00 >= 75,000 (DE) but ADV-UCT expired on 2015-06-30: 4,800.00 missed.
        // P1 MDF: 10,000.00 tagged x 2% = 200.00; 1,000.00 untagged x 2% = 20.00 missed; resale is not missed.
        #expect(
            csv == """
                program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons
                MDF,mdf,P1,gold,10000.00,0.00,true,200.00,20.00,
                VIP,vip,P1,dc/ucs,58599.95,57500.00,true,3516.00,0.00,
                VIP,vip,p2,dc/ucs,80000.00,75000.00,false,0.00,4800.00,credential:ADV-UCT

                """)

        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        for file in try Sandbox.programFiles(sandbox.path("programs")) { _ = try workspace.addProgram(file: file) }
        let outcome = try workspace.importFolder(sandbox.path("data"))
        #expect(outcome.files.map(\.kind) == [.partners, .credentials, .services, .enrollments, .fx, .bookings])
        #expect(outcome.files.map(\.added) == [2, 2, 1, 2, 2, 7])
        let run = try workspace.run()
        #expect(try ResultsCSV.render(run.result.rows) == csv)
        #expect(try ResultsJSON.render(run.result) == ResultsJSON.render(engine))
        #expect(ResultsJSON.render(try workspace.runResult(run.summary.id).result) == ResultsJSON.render(engine))

        let out = sandbox.path("out")
        let written = try workspace.export(to: out + "/data", programsDirectory: out + "/programs")
        #expect(
            written.map { ($0 as NSString).lastPathComponent } == [
                "partners.csv", "credentials.csv", "services.csv", "enrollments.csv", "fx.csv", "bookings.csv", "MDF.yaml", "VIP.yaml",
            ])
        // Normalised values, sorted by key, quoted where needed.
        #expect(
            try Sandbox.text(out + "/data/partners.csv") == """
                partner_id,name,country,tier,provider
                P1,"Quote ""Q"", comma, and
                a line break",NL,gold,true
                p2,Lower-case id,DE,premier,false

                """)
        #expect(try Sandbox.text(out + "/data/fx.csv") == "currency,valid_from,rate\nEUR,2015-01-01,1\nEUR,2015-03-01,1.1\n")
        #expect(
            try Sandbox.text(out + "/data/bookings.csv") == """
                order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
                M1,1,P1,2023-03-01,,X,1,10000.00,USD,managed_services
                M2,1,P1,2023-03-02,,X,1,500.50,USD,resale
                M3,1,P1,2023-03-03,,X,1,1000.00,USD,
                O1,1,P1,2015-03-01,,UCS-A,1,57500.00,USD,
                O1,2,P1,2015-04-01,2015-04-02,UCS-B,,1000.00,EUR,
                O2,1,P1,2015-05-01,,UCS-A,,-0.05,USD,
                O3,1,p2,2015-05-01,,UCS-A,2,80000.00,USD,

                """)
        #expect(ResultsCSV.render(try Sandbox.engineResult(data: out + "/data", programs: out + "/programs").rows) == csv)

        let copy = try Workspace.create(at: sandbox.path("copy.sqlite"))
        for file in try Sandbox.programFiles(out + "/programs") { _ = try copy.addProgram(file: file) }
        _ = try copy.importFolder(out + "/data")
        let rerun = try copy.run()
        #expect(try ResultsCSV.render(rerun.result.rows) == csv)
        #expect(rerun.summary.dataDigest == run.summary.dataDigest)
        // Importing the original files again into the copy changes nothing.
        let again = try copy.importFolder(sandbox.path("data"))
        #expect(again.files.allSatisfy { $0.added == 0 && $0.changed == 0 && $0.unchanged == $0.rows }, "\(again.files)")
    }

    /// Two rows of credentials.csv (or services.csv) with the same key say different things about one
    /// fact: the engine and the workspace both refuse them, with the same message.
    @Test func duplicateKeysInOneFileAreRefusedByBoth() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.path("data"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sandbox.path("programs"), withIntermediateDirectories: true)
        var files = Self.files
        // The same (partner_id, credential, achieved_on) twice: first without expiry, then expiring in the period.
        files["credentials.csv"] = "partner_id,credential,achieved_on,expires_on\nP1,ADV-UCT,2014-01-01,\nP1,ADV-UCT,2014-01-01,2015-03-01\n"
        // The same (partner_id, service, active_from) twice: first strategic, then not.
        files["services.csv"] = "partner_id,service,strategic,active_from,active_until\nP1,Hosting,true,2020-01-01,\nP1,Hosting,false,2020-01-01,\n"
        for (name, text) in files { _ = try sandbox.write(text, to: "data/\(name)") }
        _ = try sandbox.write(Self.vip, to: "programs/vip.yaml")
        _ = try sandbox.write(Self.mdf, to: "programs/mdf.yaml")
        let credentials = sandbox.path("data/credentials.csv"), services = sandbox.path("data/services.csv")
        let expected = [
            "\(credentials):3: credential \"ADV-UCT\": partner P1 already has this credential achieved on 2014-01-01 (line 2)",
            "\(services):3: service \"Hosting\": partner P1 already has this service active from 2020-01-01 (line 2)",
        ]
        do {
            _ = try Engine.load(dataDirectory: sandbox.path("data"), programsDirectory: sandbox.path("programs"))
            Issue.record("the engine accepted duplicate keys")
        } catch {
            #expect(error.errorLines == expected)
        }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        for file in try Sandbox.programFiles(sandbox.path("programs")) { _ = try workspace.addProgram(file: file) }
        do {
            _ = try workspace.importFolder(sandbox.path("data"))
            Issue.record("the workspace accepted duplicate keys")
        } catch {
            #expect(error.errorLines == expected)
        }
        #expect(try workspace.status().rows.allSatisfy { $0.count == 0 })
    }
}

/// The digests a run records mean what docs/workspace.md says, computed here independently.
@Suite struct DigestTests {
    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// The SHA-256 of the workspace's export: every table in import order, each after a `# file` line; a
    /// table the export leaves out (optional, no rows) is its header alone, an optional kind without rows (the
    /// example's tier history) is not part of it.
    static func exportDigest(_ workspace: Workspace, _ sandbox: Sandbox) throws -> String {
        let data = sandbox.path("out/data")
        _ = try workspace.export(to: data)
        var bytes = Data()
        for kind in DataKind.importOrder {
            let path = (data as NSString).appendingPathComponent(kind.fileName)
            if kind.isOptional && !FileManager.default.fileExists(atPath: path) { continue }
            bytes.append(Data("# \(kind.fileName)\n".utf8))
            if let file = FileManager.default.contents(atPath: path) {
                bytes.append(file)
            } else {
                bytes.append(Data((kind.header.joined(separator: ",") + "\n").utf8))
            }
        }
        return sha256(bytes)
    }

    /// The data digest of scheme 2 worked out from the export: per table in import order, the sum modulo 2^256 of
    /// the SHA-256 of each exported row's line (newline included), with the number of rows; the digest is the SHA-256
    /// of a line `table rows sum` per table (a table the export leaves out has no rows).
    static func exportMultisetDigest(_ workspace: Workspace, _ sandbox: Sandbox) throws -> String {
        let data = sandbox.path("out/multiset")
        _ = try workspace.export(to: data)
        var lines = ""
        for kind in DataKind.importOrder {
            let path = (data as NSString).appendingPathComponent(kind.fileName)
            var sum = [UInt8](repeating: 0, count: 32)
            var rows = 0
            if let file = FileManager.default.contents(atPath: path) {
                // Every line after the header (no field of the test data holds a newline).
                for line in String(decoding: file, as: UTF8.self).split(separator: "\n").dropFirst() {
                    let hash = Array(SHA256.hash(data: Data((line + "\n").utf8)))
                    var carry = 0
                    for index in (0..<32).reversed() {
                        let total = Int(sum[index]) + Int(hash[index]) + carry
                        sum[index] = UInt8(total & 0xFF)
                        carry = total >> 8
                    }
                    rows += 1
                }
            }
            lines += "\(kind.table) \(rows) \(sum.map { String(format: "%02x", $0) }.joined())\n"
        }
        return sha256(Data(lines.utf8))
    }

    /// A run reads the bookings on several threads, each over a range of order ids: on 12,000 generated lines, run
    /// on 1 to 5 threads, the run's data digest is that worked out from the export, and its results are what the
    /// engine computes from the files. Read on one thread in key order, the data digests as the export (scheme 1).
    @Test(arguments: [1, 2, 3, 5]) func aRunOnSeveralThreadsDigestsAndComputesAsTheFiles(threads: Int) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let files = sandbox.path("files")
        try DatasetGenerator(partners: 400, lines: 12_000, seed: 21).write(to: files)
        let workspace = try Workspace.create(at: sandbox.path("batches.sqlite"))
        workspace.readThreads.store(threads, ordering: .relaxed)
        // The run hashes the rows it reads, rather than taking the digests the import recorded.
        workspace.takesRecordedDigests.store(false, ordering: .relaxed)
        for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(files + "/data")
        if threads > 1 {
            // The cuts split the lines into about as many ranges.
            let cuts = try workspace.pool.read { db in
                try ParallelBookingsRead.cuts(db, dataset: try Workspace.dataset(db, source: ""), parts: threads)
            }
            #expect(cuts.count == threads - 1 && cuts == cuts.sorted())
        }
        let run = try workspace.run(full: true)
        #expect(run.summary.bookingLines == 12_000 && run.summary.digestScheme == 2)
        #expect(run.summary.dataDigest == (try Self.exportMultisetDigest(workspace, sandbox)))
        // The import recorded the same digests, its booking lines hashed as the file was read.
        let recorded = try workspace.pool.read { db in try TableDigests.stored(db, importID: try Workspace.lastImport(db)) }
        #expect(recorded?.dataDigest == run.summary.dataDigest)
        let engine = try Sandbox.engineResult(data: files + "/data", programs: files + "/programs")
        #expect(try ResultsCSV.render(run.result.rows) == ResultsCSV.render(engine.rows))
        #expect(try run.result.rows.count > 400)
        #expect(try workspace.loadInput(digests: .export).record.dataDigest == (try Self.exportDigest(workspace, sandbox)))
    }

    /// A run's transaction keeps its statement journals in memory (`temp_store` MEMORY while it lasts) and puts the
    /// setting back after it, committed or not: an import's index builds on the same connection sort in files.
    @Test func aRunsJournalsAreKeptInMemoryForItsTransactionOnly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let tempStore = { (db: Database) in try Int.fetchOne(db, sql: "PRAGMA temp_store")! }
        #expect(try workspace.writeTransaction(journalsInMemory: true) { db in try tempStore(db) } == 2)
        #expect(try workspace.pool.writeWithoutTransaction { db in try tempStore(db) } == 0)
        struct Stop: Error {}
        #expect(throws: Stop.self) { try workspace.writeTransaction(journalsInMemory: true) { _ in throw Stop() } }
        #expect(try workspace.pool.writeWithoutTransaction { db in try tempStore(db) } == 0)
        _ = try workspace.run()
        #expect(try workspace.pool.writeWithoutTransaction { db in try tempStore(db) } == 0)
    }

    /// A run's partner totals and result rows go in 32 to a statement, those left at the end one by one
    /// (`writeResults`): with 400 partners a program (12 statements of 32 totals, then 16 alone), every stored total and
    /// row is the computed one, in its place and order; with rules v2, so are each partner's tier and each row's rebate
    /// facts, which refer to them.
    @Test(arguments: [DatasetGenerator.Rules.v1, .v2]) func totalsAndRowsAreStoredAsComputed(rules: DatasetGenerator.Rules) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let files = sandbox.path("files")
        try DatasetGenerator(partners: 400, lines: 4_000, seed: 8, rules: rules).write(to: files)
        let workspace = try Workspace.create(at: sandbox.path("totals.sqlite"))
        for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(files + "/data")
        let run = try workspace.run(full: true)
        let computed = try #require(run.computed)
        var expected: [[String]] = []
        for program in computed.programs {
            #expect(program.partners.count == 400)
            for partner in program.partners {
                expected.append([program.program.id, partner.partnerID, partner.status.rawValue, "\(partner.amount.cents)", "\(partner.missedAmount.cents)"])
            }
        }
        let stored = try workspace.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT program_id, partner_id, status, amount_cents, missed_amount_cents FROM run_partner_totals WHERE run_id = ?
                    ORDER BY program_id, partner_id
                    """, arguments: [run.summary.id]
            ).map { row in [row[0] as String, row[1] as String, row[2] as String, "\(row[3] as Int64)", "\(row[4] as Int64)"] }
        }
        #expect(stored == expected.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
        #expect(stored.contains { $0[3] != "0" } && stored.contains { $0[4] != "0" })
        let tiers = computed.programs.flatMap { program in
            program.partners.compactMap { partner in partner.tier.map { "\(program.program.id) \(partner.partnerID) \($0.tier.rawValue)" } }
        }
        let storedTiers = try workspace.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT program_id, partner_id, tier FROM run_partner_tiers WHERE run_id = ?", arguments: [run.summary.id])
                .map { "\($0[0] as String) \($0[1] as String) \($0[2] as String)" }
        }
        #expect(storedTiers.sorted() == tiers.sorted())
        #expect(tiers.count > (rules == .v2 ? 32 : -1))
        let rows = computed.programs.flatMap { program in
            program.partners.flatMap { partner in
                partner.rows.map { "\(program.program.id) \($0.partnerID) \($0.item) \($0.amount.cents) \($0.missedAmount.cents) \($0.rebate?.base.cents ?? -1)" }
            }
        }
        let storedRows = try workspace.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.program_id, r.partner_id, r.item, r.amount_cents, r.missed_amount_cents, COALESCE(b.base_cents, -1)
                    FROM run_rows r LEFT JOIN run_row_rebates b ON b.row_id = r.id WHERE r.run_id = ? ORDER BY r.id
                    """, arguments: [run.summary.id]
            ).map { "\($0[0] as String) \($0[1] as String) \($0[2] as String) \($0[3] as Int64) \($0[4] as Int64) \($0[5] as Int64)" }
        }
        #expect(storedRows == rows)
        #expect(rows.count % 32 != 0 && rows.count > 64)
        #expect(rows.contains { !$0.hasSuffix(" -1") } == (rules == .v2))
    }

    /// Reads of the whole data at once never wait on each other for pool readers: a read holding a reader takes threads
    /// only while they fit in the pool beside the others', and reads the other ranges itself. Eight at once on four
    /// threads each (five readers in the pool) all finish with the digest worked out from the export.
    @Test func concurrentFullReadsShareThePoolsReaders() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let files = sandbox.path("files")
        try DatasetGenerator(partners: 300, lines: 6_000, seed: 5).write(to: files)
        let workspace = try Workspace.create(at: sandbox.path("shared.sqlite"))
        workspace.readThreads.store(4, ordering: .relaxed)
        workspace.takesRecordedDigests.store(false, ordering: .relaxed)
        for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(files + "/data")

        // The budget: with five readers, a caller and three threads leave room for one caller alone.
        #expect(workspace.pool.configuration.maximumReaderCount == 5)
        #expect(ParallelBookingsRead.takeReaders(workspace.pool, wanted: 3) == 3)
        #expect(ParallelBookingsRead.takeReaders(workspace.pool, wanted: 3) == 0)
        ParallelBookingsRead.giveBack(workspace.pool, threads: 0)
        #expect(ParallelBookingsRead.takeReaders(workspace.pool, wanted: 1) == 0)
        ParallelBookingsRead.giveBack(workspace.pool, threads: 0)
        ParallelBookingsRead.giveBack(workspace.pool, threads: 3)
        #expect(ParallelBookingsRead.takeReaders(workspace.pool, wanted: 9) == 4)
        ParallelBookingsRead.giveBack(workspace.pool, threads: 4)

        let expected = try Self.exportMultisetDigest(workspace, sandbox)
        let results = Mutex<[String]>([])
        // Eight threads of their own (not a pool the size of the processors), started together: five take the pool's
        // readers at once. Waited for with a limit, so that a deadlock fails the test rather than hanging it.
        let finished = DispatchGroup()
        for _ in 0..<8 {
            finished.enter()
            Thread {
                let record = try? workspace.loadInput(digests: .multiset).record
                results.withLock { $0.append(record?.dataDigest ?? "failed") }
                finished.leave()
            }.start()
        }
        let ended = finished.wait(timeout: .now() + 60)
        #expect(ended == .success)
        // Stuck readers would keep the pool from closing: never closed then, so the test fails rather than hangs.
        if ended != .success { _ = Unmanaged.passRetained(workspace) }
        #expect(results.withLock { $0 } == Array(repeating: expected, count: 8))
    }

    @Test func dataDigestIsTheExportsMultisetDigestAndInputsDigestAddsTheProgramVersions() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let run = try workspace.run()
        #expect(run.summary.dataDigest == (try Self.exportMultisetDigest(workspace, sandbox)))

        var inputs = "data \(run.summary.dataDigest)\n"
        for file in try Sandbox.programFiles(Sandbox.examplePrograms).sorted() {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let id = try #require(text.split(separator: "\n").first { $0.hasPrefix("id: ") }).dropFirst(4)
            inputs += "program \(id) 1 \(Self.sha256(Data(text.utf8)))\n"
        }
        #expect(run.summary.inputsDigest == Self.sha256(Data(inputs.utf8)))
    }
}
