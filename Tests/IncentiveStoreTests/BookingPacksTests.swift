import Foundation
import GRDB
import IncentiveEngine
import IncentiveSynthetic
import Synchronization
import Testing

@testable import IncentiveStore

/// The booking lines kept packed for full reads (`BookingPacks`, docs/workspace.md "Packed booking lines"): a full read
/// over the packs, with the lines changed since they were written put over them, is the read of the table.
@Suite struct BookingPacksTests {
    /// A generated workspace (300 partners, 6,000 lines) and its bookings file's lines (header first).
    static func generated(_ sandbox: Sandbox) throws -> (Workspace, [String]) {
        let files = sandbox.path("files")
        try DatasetGenerator(partners: 300, lines: 6_000, seed: 11).write(to: files)
        let workspace = try Workspace.create(at: sandbox.path("packs.sqlite"))
        for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(files + "/data")
        let lines = try String(contentsOfFile: files + "/data/bookings.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        return (workspace, lines)
    }

    static func state(_ workspace: Workspace) throws -> (asOf: Int?, packed: Int, lines: Int, packs: Int) {
        try workspace.pool.read { db in
            (
                try BookingPacks.asOf(db), try BookingPacks.packedLines(db), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings")!,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM booking_packs")!
            )
        }
    }

    /// `lines` with every `every`-th line's amount raised by a cent (from `offset`), the lines `dropping` picks left
    /// out, and `adding` appended.
    static func changed(
        _ lines: [String], every: Int, offset: Int = 3, dropping: (Int) -> Bool = { _ in false }, adding: [String] = []
    ) -> String {
        var out = [lines[0]]
        for index in 1..<lines.count where !dropping(index) {
            var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if index % every == offset {
                // A generated amount has at most two decimals ("1234", "12.5", "-3.25").
                let parts = fields[7].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                let decimals = parts.count == 2 ? parts[1] : ""
                fields[7] = Money(cents: Int64(parts[0] + decimals + String(repeating: "0", count: 2 - decimals.count))! + 1).plainText
            }
            out.append(fields.joined(separator: ","))
        }
        return (out + adding).joined(separator: "\n") + "\n"
    }

    /// After a first import the packs hold every line; a later import that changes, adds and retires a few lines leaves
    /// them as they were and notes the added keys; a full run then reads the packs with the changes put over them
    /// (lines before the first key, inside orders and past the last key, lines without shipping date or quantity) and
    /// stores exactly what the same run over the table stores; its data digest is the one worked out from the export,
    /// and `runs reproduce` (which reads the table and its history) finds it identical.
    @Test func aFullReadOverPacksAndChangesIsTheTables() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (workspace, lines) = try Self.generated(sandbox)
        let first = try Self.state(workspace)
        let bookingsImport = try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(id) FROM imports WHERE kind = 'bookings'") }
        #expect(first.asOf == bookingsImport && first.packed == 6_000 && first.lines == 6_000)
        #expect(first.packs == (6_000 + BookingPacks.linesPerPack - 1) / BookingPacks.linesPerPack)

        // New lines: before every stored key, inside the first line's order, and after every stored key.
        let sample = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func line(_ order: String, _ id: String, shipped: String, quantity: String) -> String {
            ([order, id, sample[2], sample[3], shipped, sample[5], quantity] + sample[7...]).joined(separator: ",")
        }
        let added = [
            line("A-0001", "1", shipped: "", quantity: ""), line(sample[0], "90", shipped: sample[4], quantity: ""),
            line("ZZ-9999", "1", shipped: "", quantity: "3"), line("ZZ-9999", "2", shipped: sample[3], quantity: "4"),
        ]
        let file = try sandbox.write(Self.changed(lines, every: 97, dropping: { $0 % 211 == 5 }, adding: added), to: "bookings-2.csv")
        let outcome = try workspace.importFile(.bookings, path: file, mode: ImportMode(replace: true))
        #expect(outcome.files[0].added == 4 && outcome.files[0].changed > 0 && outcome.files[0].retired > 0)
        let second = try Self.state(workspace)
        #expect(second.asOf == first.asOf && second.packed == 6_000)
        let noted = try workspace.pool.read { db in try String.fetchAll(db, sql: "SELECT order_id || '/' || line FROM booking_keys_added ORDER BY 1") }
        #expect(noted == ["A-0001/1", "\(sample[0])/90", "ZZ-9999/1", "ZZ-9999/2"].sorted())

        workspace.takesRecordedDigests.store(false, ordering: .relaxed)
        let overPacks = try workspace.run(full: true).summary
        #expect(overPacks.bookingLines == second.lines)
        #expect(overPacks.dataDigest == (try DigestTests.exportMultisetDigest(workspace, sandbox)))
        let reproduced = try workspace.reproduce(overPacks.id)
        #expect(reproduced.identical && reproduced.inputsMatch)

        // The same run over the table: without packs, a full read takes the table.
        try workspace.pool.write { db in try db.execute(sql: "DELETE FROM booking_packs_as_of") }
        let overTable = try workspace.run(full: true).summary
        #expect(overTable.dataDigest == overPacks.dataDigest)
        #expect(try IncrementalRunTests.dump(workspace, overTable.id) == IncrementalRunTests.dump(workspace, overPacks.id))
    }

    /// The packs are written again by the import that leaves more changed keys than a sixteenth of the packed lines
    /// (from the packs and the changed lines: the packs a pass over the table writes), by an import into an emptied
    /// table, and by the first bookings import of a workspace that had none; the keys noted before no longer count.
    @Test func importsWriteThePacksAgainWhenTheChangesPileUp() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (workspace, lines) = try Self.generated(sandbox)
        let first = try Self.state(workspace)
        // One line in 50: 120 changed keys, fewer than 6,000 / 16.
        _ = try workspace.importFile(.bookings, path: try sandbox.write(Self.changed(lines, every: 50), to: "b2.csv"))
        #expect(try Self.state(workspace).asOf == first.asOf)
        // One in 10 more (another offset): 720 changed keys in all, more than 6,000 / 16.
        _ = try workspace.importFile(.bookings, path: try sandbox.write(Self.changed(lines, every: 10, offset: 4), to: "b3.csv"))
        let third = try Self.state(workspace)
        let last = try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(id) FROM imports WHERE kind = 'bookings'") }
        #expect(third.asOf == last && third.asOf != first.asOf && third.packed == third.lines)
        let changedSince = try workspace.pool.read { db in try BookingPacks.changedBound(db, asOf: third.asOf!) }
        #expect(changedSince == 0)
        // Written again from the packs and the changed lines: the packs a pass over the table writes, byte for byte.
        let contents = "SELECT first_order_id, first_line, lines, data FROM booking_packs ORDER BY pack"
        let merged = try workspace.pool.read { db in try Row.fetchAll(db, sql: contents) }
        let fromTable = try workspace.pool.write { db in
            try BookingPacks.rebuild(db, asOf: third.asOf!)
            return try Row.fetchAll(db, sql: contents)
        }
        #expect(merged.count == 2 && merged == fromTable)

        // Every line retired (the packs written again, empty), then imported again: the packs follow the table.
        _ = try workspace.importFile(.bookings, path: try sandbox.write(lines[0] + "\n", to: "empty.csv"), mode: ImportMode(replace: true))
        let emptied = try Self.state(workspace)
        let emptying = try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(id) FROM imports WHERE kind = 'bookings'") }
        #expect(emptied.lines == 0 && emptied.packed == 0 && emptied.asOf == emptying)
        _ = try workspace.importFile(.bookings, path: try sandbox.write(lines.joined(separator: "\n") + "\n", to: "again.csv"))
        let refilled = try Self.state(workspace)
        #expect(refilled.lines == 6_000 && refilled.packed == 6_000 && refilled.asOf! > emptied.asOf!)

        // A workspace without packs (as made before them) gets them with its next bookings import, even an unchanged one.
        try workspace.pool.write { db in try db.execute(sql: "DELETE FROM booking_packs_as_of") }
        _ = try workspace.importFile(.bookings, path: try sandbox.write(lines.joined(separator: "\n") + "\n", to: "same.csv"))
        let repacked = try Self.state(workspace)
        #expect(repacked.asOf != nil && repacked.packed == 6_000)
    }

    /// An import into an empty table writes the packs with its lines when they come in key order, and from the table
    /// after them when they do not (the same file with its lines reversed): the packs are the same, byte for byte.
    @Test func packsWrittenWithTheLinesAreThoseWrittenFromTheTable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (inOrder, lines) = try Self.generated(sandbox)
        let reversed = try Workspace.create(at: sandbox.path("reversed.sqlite"))
        for file in try Sandbox.programFiles(sandbox.path("files") + "/programs") { _ = try reversed.addProgram(file: file) }
        _ = try reversed.importFile(.partners, path: sandbox.path("files") + "/data/partners.csv")
        _ = try reversed.importFile(
            .bookings, path: try sandbox.write(([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\n") + "\n", to: "reversed.csv"))
        func packs(_ workspace: Workspace) throws -> [Row] {
            try workspace.pool.read { db in try Row.fetchAll(db, sql: "SELECT pack, first_order_id, first_line, lines, data FROM booking_packs ORDER BY pack") }
        }
        let written = try packs(inOrder)
        #expect(written.count == 2 && written.map { $0["lines"] as Int } == [4_096, 1_904])
        #expect(try packs(reversed) == written)
        #expect(try Self.state(reversed).asOf != nil)
    }

    /// A pack that cannot be decoded is reported as damage, never read as other lines.
    @Test func aDamagedPackIsReported() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (workspace, _) = try Self.generated(sandbox)
        try workspace.pool.write { db in
            try db.execute(sql: "UPDATE booking_packs SET data = substr(data, 1, length(data) / 2) WHERE pack = 0")
        }
        #expect {
            _ = try workspace.loadInput(digests: .none)
        } throws: { error in
            "\(error)".contains("a pack of booking lines that cannot be read")
        }
    }
}
