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
        // Both found from one partner id to the next in an index that begins with the column; a column without one
        // (an account's partner) is read whole.
        let account = try withCheckOff(
            "INSERT INTO users(name, role, partner_id, password_hash, created_at) VALUES ('u', 'partner', 'NO-ONE', 'x', '2015-03-01')")
        #expect(account == "rows of users would refer to partner NO-ONE, which is not among the partners; nothing was changed")
        // A reference other than to a partner (checked by SQLite's `foreign_key_check`).
        let other = try withCheckOff("INSERT INTO import_partners(import_id, partner_id) VALUES (999999, ?)", [partner])
        #expect(other?.contains("import_partners") == true && other?.contains("would refer to a missing row of imports") == true, "\(other ?? "nil")")
        // Nothing of it stayed.
        try workspace.pool.read { db in try Workspace.checkReferences(db) }
    }
}

/// The first lines of a bookings table are inserted 32 to a statement (`BulkInsert`): the table, the digests and the
/// counts must be those the one-line inserts make, and a key met twice must still be named as a duplicate.
@Suite struct BulkInsertTests {
    /// The example's partners and programs, no bookings; and a bookings file of `count` lines over its partners,
    /// with every kind of value: no shipped day, no quantity, a currency in small letters, an intended use.
    static func setUp(_ sandbox: Sandbox, name: String, count: Int, duplicateOf: (line: Int, at: Int)? = nil) throws -> (Workspace, String) {
        let workspace = try example(sandbox, name: name, without: .bookings)
        let partners = ["NL1001", "NL1002", "NL1003", "NL1004"]
        var lines = ["order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use"]
        for index in 1...count {
            let shipped = index % 5 == 0 ? "" : "2015-03-\(10 + index % 18)"
            let quantity = index % 7 == 0 ? "" : "\(index % 9 + 1)"
            let currency = index % 11 == 0 ? "usd" : "USD"
            let use = index % 13 == 0 ? "internal" : ""
            lines.append(
                "B\(index / 3),\(index % 3 + 1),\(partners[index % partners.count]),2015-02-\(10 + index % 17),\(shipped),UCS-C240M4SX,\(quantity),\(index).\(index % 100 < 10 ? "0" : "")\(index % 100),\(currency),\(use)"
            )
        }
        if let duplicateOf { lines.insert(lines[duplicateOf.line], at: duplicateOf.at) }
        let file = sandbox.path(name + ".csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return (workspace, file)
    }

    /// A new workspace with the example's programs and every data file of the example but `kind`'s.
    static func example(_ sandbox: Sandbox, name: String, without left: DataKind) throws -> Workspace {
        let workspace = try Workspace.create(at: sandbox.path(name + ".sqlite"))
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try workspace.addProgram(file: file) }
        for kind in DataKind.importOrder where kind != left {
            let path = Sandbox.exampleData + "/" + kind.fileName
            if FileManager.default.fileExists(atPath: path) { _ = try workspace.importFile(kind, path: path) }
        }
        return workspace
    }

    static func stored(_ workspace: Workspace) throws -> [[String]] {
        try workspace.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM bookings ORDER BY order_id, line").map { row in
                row.databaseValues.map { $0.isNull ? "NULL" : String.fromDatabaseValue($0) ?? "\($0)" }
            }
        }
    }

    /// 1,000 lines (31 statements of 32 and 8 single inserts) against the same file imported with `--replace`, which
    /// notes every key and so inserts one line at a time.
    @Test func theTableIsTheOneTheOneLineInsertsMake() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (bulk, file) = try Self.setUp(sandbox, name: "bulk", count: 1_000)
        let (single, _) = try Self.setUp(sandbox, name: "single", count: 1_000)
        let a = try bulk.importFile(.bookings, path: file)
        let b = try single.importFile(.bookings, path: file, mode: ImportMode(replace: true))
        for outcome in [a, b] {
            #expect(outcome.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[1_000, 1_000, 0, 0]])
        }
        let rows = try Self.stored(bulk)
        #expect(rows.count == 1_000)
        #expect(rows == (try Self.stored(single)).map { row in row.enumerated().map { $0.offset == row.count - 1 ? rows[0].last! : $0.element } })
        #expect(rows.contains { $0[4] == "NULL" } && rows.contains { $0[6] == "NULL" } && rows.allSatisfy { $0[8] == "USD" })
        // The digests recorded by the two imports, and those worked out from the stored lines (`CanonicalCSV.appendRow`,
        // not the import's `LineHasher`), are the same.
        try Self.expectSameDigests(bulk, single, .bookings, rows: 1_000)
    }

    /// The reading thread hashes each line's text in room made for the longest it can be (`LineHasher`): order ids that
    /// CSV must quote (a comma, a quote doubled) and one of 3,000 bytes, past the room it starts with, are hashed as the
    /// stored lines are when worked out again.
    @Test func quotedAndLongTextsAreHashedAsStored() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.example(sandbox, name: "quoted", without: .bookings)
        let long = String(repeating: "L\"", count: 1_500)
        let file = sandbox.path("quoted.csv")
        try """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            "A,1",1,NL1001,2015-02-10,,UCS-C240M4SX,1,10.00,USD,
            "B""2",1,NL1002,2015-02-11,2015-02-12,UCS-C240M4SX,,20.50,eur,
            "\(long.replacingOccurrences(of: "\"", with: "\"\""))",1,NL1003,2015-02-12,,UCS-C240M4SX,2,-3.25,USD,internal
            C,1,NL1004,2015-02-13,,UCS-C240M4SX,3,1234567.89,USD,

            """.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try workspace.importFile(.bookings, path: file)
        #expect(try Self.stored(workspace).map { $0[0] } == ["A,1", "B\"2", "C", long])
        let last = try workspace.pool.read { db in try Workspace.lastImport(db) }
        let recorded = try workspace.pool.read { db in try TableDigests.stored(db, importID: last) }?[.bookings]
        let hashed = try workspace.loadInput(asKnownAt: try workspace.resolve(.importID(last)), digests: .multiset).record.tableDigests?[.bookings]
        #expect(recorded?.rows == 4)
        #expect(recorded == hashed)
    }

    /// The digest of `kind` recorded by the last import of `bulk` is that of `single`'s, counts `rows` rows, and is the
    /// one worked out again from the rows `bulk` stored.
    static func expectSameDigests(_ bulk: Workspace, _ single: Workspace, _ kind: DataKind, rows: Int) throws {
        let digest = { (workspace: Workspace) in try workspace.pool.read { db in try TableDigests.stored(db, importID: Workspace.lastImport(db)) } }
        #expect(try digest(bulk)?[kind] == digest(single)?[kind])
        #expect(try digest(bulk)?[kind].rows == rows)
        let last = try bulk.pool.read { db in try Workspace.lastImport(db) }
        let hashed = try bulk.loadInput(asKnownAt: try bulk.resolve(.importID(last)), digests: .multiset).record.tableDigests
        #expect(try hashed?[kind] == digest(bulk)?[kind])
    }

    /// The messages of importing `file` as `kind` into `workspace` (none when it was imported).
    static func importMessages(_ workspace: Workspace, _ kind: DataKind, _ file: String) -> [String] {
        do {
            _ = try workspace.importFile(kind, path: file)
            return []
        } catch {
            return error.collector.diagnostics.map(\.message)
        }
    }

    /// A key met twice: in the same statement of 32, or in another one; the import is refused, naming both lines.
    @Test(arguments: [(line: 40, at: 45), (line: 3, at: 900)])
    func aKeyMetTwiceIsNamedAndNothingIsStored(duplicate: (line: Int, at: Int)) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (workspace, file) = try Self.setUp(sandbox, name: "dup", count: 1_000, duplicateOf: duplicate)
        let messages = Self.importMessages(workspace, .bookings, file)
        #expect(messages.contains("duplicate order line (first on line \(duplicate.line + 1))"), "\(messages)")
        #expect(try Self.stored(workspace).isEmpty)
    }
}

/// The CSAT reports of a first import are inserted 32 to a statement from the reader's bytes (`TableWriter.insertCSAT`):
/// the table, the counts and the digests must be those `upsert` makes, and a survey id met twice must still be named.
@Suite struct BulkCSATTests {
    /// The example's programs and every file but its CSAT reports; and a CSAT file of `count` reports over four of its
    /// partners, on days of several months and years.
    static func setUp(_ sandbox: Sandbox, name: String, count: Int, duplicateOf: (line: Int, at: Int)? = nil) throws -> (Workspace, String) {
        let workspace = try BulkInsertTests.example(sandbox, name: name, without: .csat)
        let partners = ["NL1001", "NL1002", "BE2001", "DE3003"]
        var lines = ["partner_id,survey_id,submitted_on"]
        for index in 1...count {
            let month = index % 12 + 1, day = index % 28 + 1
            lines.append("\(partners[index % partners.count]),SV-\(index),\(2014 + index % 3)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)")
        }
        if let duplicateOf { lines.insert(lines[duplicateOf.line], at: duplicateOf.at) }
        let file = sandbox.path(name + ".csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return (workspace, file)
    }

    static func stored(_ workspace: Workspace) throws -> [[String]] {
        try workspace.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT survey_id, partner_id, submitted_on, added_by FROM csat ORDER BY survey_id").map { row in
                row.databaseValues.map { String.fromDatabaseValue($0) ?? "\($0)" }
            }
        }
    }

    /// 1,000 reports (31 statements of 32 and 8 single inserts) against the same file imported with `--replace`, which
    /// goes through `upsert`.
    @Test func theTableIsTheOneTheUpsertMakes() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (bulk, file) = try Self.setUp(sandbox, name: "bulk", count: 1_000)
        let (single, _) = try Self.setUp(sandbox, name: "single", count: 1_000)
        let a = try bulk.importFile(.csat, path: file)
        let b = try single.importFile(.csat, path: file, mode: ImportMode(replace: true))
        for outcome in [a, b] {
            #expect(outcome.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[1_000, 1_000, 0, 0]])
        }
        let rows = try Self.stored(bulk)
        #expect(rows.count == 1_000)
        #expect(rows == (try Self.stored(single)))
        #expect(rows.first { $0[0] == "SV-7" } == ["SV-7", "DE3003", "2015-08-08", rows[0][3]])
        // The digests recorded by the two imports are the same, and so is that of the stored rows hashed again.
        try BulkInsertTests.expectSameDigests(bulk, single, .csat, rows: 1_000)
    }

    /// A survey id met twice, in the same statement of 32 or in another one: the import is refused, naming both lines.
    @Test(arguments: [(line: 40, at: 45), (line: 3, at: 900)])
    func aSurveyIdMetTwiceIsNamedAndNothingIsStored(duplicate: (line: Int, at: Int)) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (workspace, file) = try Self.setUp(sandbox, name: "dup", count: 1_000, duplicateOf: duplicate)
        let messages = BulkInsertTests.importMessages(workspace, .csat, file)
        #expect(messages.contains("duplicate survey id (first on line \(duplicate.line + 1))"), "\(messages)")
        #expect(try Self.stored(workspace).isEmpty)
    }
}
