import Foundation
import GRDB
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// Issue 16 point 1: every row version names the import that brought it (`added_by`), and the version a
/// change or a removal supersedes moves into the table's history with `retired_by`.
@Suite struct RowHistoryTests {
    /// The ids the example folder's files get in a new workspace (importOrder, no tiers.csv).
    static let exampleIDs: [DataKind: Int] = [
        .partners: 1, .products: 2, .credentials: 3, .csat: 4, .services: 5, .enrollments: 6, .fx: 7, .bookings: 8,
    ]

    static let bookingsHeader = "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
    static let firstLine = "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n"

    static func rows(_ workspace: Workspace, _ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [[String]] {
        try workspace.pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                (0..<row.count).map { index -> String in
                    let value: DatabaseValue = row[index]
                    switch value.storage {
                    case .null: return "NULL"
                    case .int64(let number): return String(number)
                    case .string(let text): return text
                    case .double(let number): return "\(number)"
                    case .blob(let data): return "blob \(data.count)"
                    }
                }
            }
        }
    }

    /// The example data's file, with `replacements` (old line -> new line) applied, written into the sandbox.
    static func changed(_ sandbox: Sandbox, _ kind: DataKind, _ replacements: [(String, String)]) throws -> String {
        var text = try Sandbox.text((Sandbox.exampleData as NSString).appendingPathComponent(kind.fileName))
        for (old, new) in replacements {
            #expect(text.contains(old), "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try sandbox.write(text, to: "changed-\(kind.fileName)")
    }

    @Test func aNewImportNamesItselfInEveryRow() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        for (kind, id) in Self.exampleIDs {
            let byImport = try Self.rows(workspace, "SELECT added_by, COUNT(*) FROM \(kind.table) GROUP BY added_by")
            #expect(byImport == [[String(id), String(exampleCounts[kind]!)]], "\(kind)")
            #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM \(kind.table)_history") == [["0"]], "\(kind)")
        }
        let log = try workspace.importLog()
        #expect(log.map(\.id) == Array(1...8))
        #expect(log.map(\.summary.kind) == exampleKinds)
        // Counts are written into the imports row that was made before the rows.
        #expect(log.map(\.summary.added) == exampleKinds.map { exampleCounts[$0]! })
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM workspace_info WHERE key = 'writing_import'") == [["0"]])
    }

    /// The first import of bookings makes the partner index once, after the rows: it is there afterwards, as
    /// the schema makes it, and a refused first import leaves it as it was; the partner's rows are found by it.
    @Test func theFirstBookingsImportMakesThePartnerIndexAfterTheRows() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try workspace.addProgram(file: file) }
        let index = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bookings' AND sql IS NOT NULL"
        let made = [["bookings_by_partner", "CREATE INDEX bookings_by_partner ON bookings(partner_id)"]]
        #expect(try Self.rows(workspace, index) == made)
        let bad = try sandbox.write(Self.bookingsHeader + Self.firstLine + "SO15-9,1,NL1001,2015-13-01,,UCS-B200M4-U,1,1.00,USD,\n", to: "bad.csv")
        #expect(throws: DiagnosticReport.self) { try workspace.importFile(.bookings, path: bad) }
        #expect(try Self.rows(workspace, index) == made)
        _ = try workspace.importFolder(Sandbox.exampleData)
        #expect(try Self.rows(workspace, index) == made)
        let plan = try Self.rows(workspace, "EXPLAIN QUERY PLAN SELECT * FROM bookings WHERE partner_id = 'NL1001'")
        #expect(plan.contains { $0.last?.contains("bookings_by_partner") == true })
        #expect(
            try Self.rows(workspace, "SELECT COUNT(*) FROM bookings WHERE partner_id = 'NL1001'") == [["9"]], "the lines of NL1001 in bookings.csv")
    }

    /// A small table's text is stored whole: a NUL inside a value does not end it (values are bound with
    /// their length, not as C strings), and importing the file again finds the row unchanged.
    @Test func aTextWithANulIsStoredWhole() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let file = try sandbox.write("partner_id,name,country,tier,provider\nNL1001,A\u{0}B,NL,gold,false\n", to: "partners.csv")
        _ = try workspace.importFile(.partners, path: file)
        #expect(try Self.rows(workspace, "SELECT hex(name) FROM partners") == [["410042"]])
        let again = try workspace.importFile(.partners, path: file)
        #expect(again.files.map(\.unchanged) == [1])
    }

    @Test func aReimportKeepsTheVersionsItReplaces() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let partners = try Self.changed(
            sandbox, .partners,
            [("NL1001,Amsterdam Data Systems B.V.,NL,gold,false", "NL1001,Amsterdam Data Systems N.V.,NL,gold,false")])
        let bookings = try Self.changed(
            sandbox, .bookings, [(Self.firstLine, "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n")])
        let first = try workspace.importFile(.partners, path: partners)
        #expect(first.files.map { [$0.id, $0.rows, $0.added, $0.changed, $0.unchanged, $0.retired] } == [[9, 13, 0, 1, 12, 0]])
        let second = try workspace.importFile(.bookings, path: bookings)
        #expect(second.files.map { [$0.id, $0.rows, $0.added, $0.changed, $0.unchanged, $0.retired] } == [[10, 66, 0, 1, 65, 0]])
        // 24,000.00 -> 24,000.01 is no move, no sign flip, not more than half: no warning.
        #expect(second.warnings.warnings.isEmpty)

        // Current tables: the new values, named by their imports.
        #expect(
            try Self.rows(workspace, "SELECT name, added_by FROM partners WHERE partner_id = 'NL1001'") == [["Amsterdam Data Systems N.V.", "9"]])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM partners WHERE added_by = 1") == [["12"]])
        #expect(
            try Self.rows(workspace, "SELECT amount_cents, added_by FROM bookings WHERE order_id = 'SO15-1001' AND line = '1'") == [
                ["2400001", "10"]
            ])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM bookings WHERE added_by = 8") == [["65"]])
        // History: the old versions, with the import that brought them and the one that changed them.
        #expect(
            try Self.rows(workspace, "SELECT partner_id, name, country, tier, provider, added_by, retired_by FROM partners_history") == [
                ["NL1001", "Amsterdam Data Systems B.V.", "NL", "gold", "0", "1", "9"]
            ])
        #expect(
            try Self.rows(workspace, "SELECT order_id, line, partner_id, amount_cents, currency, added_by, retired_by FROM bookings_history") == [
                ["SO15-1001", "1", "NL1001", "2400000", "USD", "8", "10"]
            ])
        // Importing the same files again changes nothing, in the tables or in history.
        let again = try workspace.importFile(.bookings, path: bookings)
        #expect(again.files.map { [$0.changed, $0.unchanged] } == [[0, 66]])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM bookings_history") == [["1"]])
        #expect(try Self.rows(workspace, "SELECT added_by FROM bookings WHERE order_id = 'SO15-1001' AND line = '1'") == [["10"]])
        // And back to the old amount: a second history version, the first one untouched.
        _ = try workspace.importFile(.bookings, path: (Sandbox.exampleData as NSString).appendingPathComponent("bookings.csv"))
        #expect(
            try Self.rows(workspace, "SELECT amount_cents, added_by, retired_by FROM bookings_history ORDER BY added_by") == [
                ["2400000", "8", "10"], ["2400001", "10", "12"],
            ])
        #expect(
            try Self.rows(workspace, "SELECT amount_cents, added_by FROM bookings WHERE order_id = 'SO15-1001' AND line = '1'") == [
                ["2400000", "12"]
            ])
    }

    @Test func enrolmentsChangeAndLeaveThroughHistory() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let first = try #require(Day(iso: "2015-03-01")), later = try #require(Day(iso: "2015-04-01"))
        _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: first)  // import 9
        _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: later)  // import 10
        try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice")  // import 11
        // NL1001's UCS enrolment came with enrollments.csv (import 6).
        try workspace.unenroll(partner: "NL1001", program: "VIP25-6M", subtrack: "data-center/ucs")  // import 12
        #expect(
            try Self.rows(
                workspace, "SELECT partner_id, subtrack, enrolled_on, added_by, retired_by FROM enrollments_history ORDER BY retired_by") == [
                    ["NL1002", "collaboration/voice", "2015-03-01", "9", "10"], ["NL1002", "collaboration/voice", "2015-04-01", "10", "11"],
                    ["NL1001", "data-center/ucs", "2015-01-20", "6", "12"],
                ])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM enrollments") == [["16"]])
        let log = try Self.rows(workspace, "SELECT id, rows, added, changed, unchanged, retired FROM imports WHERE id > 8 ORDER BY id")
        #expect(
            log == [
                ["9", "1", "1", "0", "0", "0"], ["10", "1", "0", "1", "0", "0"], ["11", "1", "0", "0", "0", "1"], ["12", "1", "0", "0", "0", "1"],
            ])
        // A refused unenrolment leaves no trace: no import row, no history.
        _ = workspaceError { try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice") }
        #expect(try Self.rows(workspace, "SELECT MAX(id) FROM imports") == [["12"]])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM enrollments_history") == [["3"]])
    }

    /// No code path can lose a version: the triggers refuse a change that names no import, and a removal
    /// outside a change set.
    @Test func theTriggersRefuseChangesThatNameNoImport() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        #expect(throws: DatabaseError.self) {
            try workspace.pool.write { db in try db.execute(sql: "UPDATE bookings SET amount_cents = 1 WHERE order_id = 'SO15-1001'") }
        }
        #expect(throws: DatabaseError.self) {
            try workspace.pool.write { db in try db.execute(sql: "DELETE FROM partners WHERE partner_id = 'NL1004'") }
        }
        #expect(throws: DatabaseError.self) {
            try workspace.pool.write { db in try db.execute(sql: "DELETE FROM enrollments") }
        }
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM enrollments") == [["17"]])
        #expect(try Self.rows(workspace, "SELECT SUM(amount_cents) FROM bookings WHERE order_id = 'SO15-1001'") == [["2400000"]])
        for kind in DataKind.allCases { #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM \(kind.table)_history") == [["0"]]) }
    }

    /// `Tests/Fixtures/workspace-v6.sqlite`, made by the release before row history (see
    /// `ImportHistoryCLITests`), upgrades in place: every stored row is a version of import 0 (known before
    /// history was kept), nothing is in history, the old run has no `known_import`, and a re-import keeps history.
    @Test func aWorkspaceOfThePreviousReleaseMigratesInPlace() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("old.sqlite")
        try FileManager.default.copyItem(atPath: Sandbox.packageRoot.appendingPathComponent("Tests/Fixtures/workspace-v6.sqlite").path, toPath: path)
        #expect(try Workspace.appliedMigrations(path).contains("v7-row-history") == false)
        let workspace = try Workspace.open(at: path)
        #expect(
            try workspace.pool.read { db in try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) }
                == Set(Schema.migrator.migrations))
        for kind in DataKind.allCases {
            let count = kind == .enrollments ? 18 : exampleCounts[kind]!
            #expect(
                try Self.rows(workspace, "SELECT added_by, COUNT(*) FROM \(kind.table) GROUP BY added_by")
                    == (count == 0 ? [] : [["0", String(count)]]), "\(kind)")
            #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM \(kind.table)_history") == [["0"]], "\(kind)")
        }
        #expect(try Self.rows(workspace, "SELECT id, known_import FROM runs") == [["1", "NULL"]])
        #expect(try Self.rows(workspace, "SELECT COUNT(*), SUM(retired) FROM imports") == [["9", "0"]])
        let before = try workspace.runResult(1).result
        // The stored run is what this version computes from the same data.
        let run = try workspace.run()
        #expect(try ResultsCSV.render(run.result.rows) == ResultsCSV.render(before.rows))
        // The data as the old release stored it digests as it did then (added_by is not data): run 1's digest (scheme 1,
        // the export's SHA-256) recomputed from the migrated rows; the new run's is of scheme 2.
        let stored = try workspace.runSummary(1)
        #expect(stored.digestScheme == 1 && run.summary.digestScheme == 2)
        let reproduced = try workspace.reproduce(1)
        #expect(reproduced.identical && reproduced.dataDigest == stored.dataDigest && reproduced.inputsDigest == stored.inputsDigest)
        #expect(run.summary.inputsDigest != stored.inputsDigest)

        let bookings = try Self.changed(
            sandbox, .bookings, [(Self.firstLine, "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n")])
        let imported = try workspace.importFile(.bookings, path: bookings)
        #expect(imported.files.map { [$0.id, $0.changed, $0.unchanged] } == [[10, 1, 65]])
        #expect(
            try Self.rows(workspace, "SELECT order_id, line, amount_cents, added_by, retired_by FROM bookings_history") == [
                ["SO15-1001", "1", "2400000", "0", "10"]
            ])
        try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice")
        #expect(
            try Self.rows(workspace, "SELECT partner_id, subtrack, enrolled_on, added_by, retired_by FROM enrollments_history") == [
                ["NL1002", "collaboration/voice", "2015-03-01", "0", "11"]
            ])
        #expect(ResultsCSV.render(try workspace.runResult(1).result.rows) == ResultsCSV.render(before.rows))
    }

    /// Rows of one file go in with a plain insert while the row before was new and with the upsert while it
    /// was stored: a file that mixes new, changed and unchanged rows in every order is counted, written and
    /// kept in history exactly.
    @Test func newChangedAndUnchangedRowsInAnyOrder() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let stored = try Sandbox.text((Sandbox.exampleData as NSString).appendingPathComponent("bookings.csv"))
            .split(separator: "\n").dropFirst().map(String.init)
        #expect(stored.count == 66)
        // new, new, changed, changed, unchanged, new, changed, unchanged, unchanged, new (then the rest unchanged).
        func new(_ index: Int) -> String { "N\(index),1,NL1001,2015-03-01,,UCS-C240M4SX,1,100.00,USD," }
        func changed(_ line: String) -> String {
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[6] = "99"  // quantity: no warning
            return fields.joined(separator: ",")
        }
        let lines =
            [new(1), new(2), changed(stored[0]), changed(stored[1]), stored[2], new(3), changed(stored[3]), stored[4], stored[5], new(4)]
            + stored[6...]
        let file = try sandbox.write(Self.bookingsHeader + lines.joined(separator: "\n") + "\n", to: "mixed.csv")
        let outcome = try workspace.importFile(.bookings, path: file)
        #expect(outcome.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[70, 4, 3, 63]])
        #expect(outcome.warnings.warnings.isEmpty)
        #expect(
            try Self.rows(workspace, "SELECT order_id, line, quantity, added_by FROM bookings WHERE added_by = 9 ORDER BY order_id, line") == [
                ["N1", "1", "1", "9"], ["N2", "1", "1", "9"], ["N3", "1", "1", "9"], ["N4", "1", "1", "9"],
                ["SO15-1001", "1", "99", "9"], ["SO15-1002", "1", "99", "9"], ["SO15-1003", "1", "99", "9"],
            ])
        #expect(
            try Self.rows(workspace, "SELECT order_id, line, quantity, added_by, retired_by FROM bookings_history ORDER BY order_id, line") == [
                ["SO15-1001", "1", "3", "8", "9"], ["SO15-1002", "1", "60", "8", "9"], ["SO15-1003", "1", "2", "8", "9"],
            ])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM bookings") == [["70"]])
    }

    /// A re-import compares the file with the stored rows through one cursor in key order: lines in key order,
    /// backwards, skipping far ahead (more rows than the cursor steps before it seeks), new keys before, between
    /// and after the stored ones, and line numbers whose text order is not their number order are each found
    /// (unchanged), changed or added exactly, and the rows left out of the file stay as they were.
    @Test func aReimportInAnyKeyOrderFindsEveryStoredRow() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        func line(_ order: String, _ line: Int, quantity: Int = 1) -> String {
            "\(order),\(line),NL1001,2015-03-01,,UCS-C240M4SX,\(quantity),100.00,USD,"
        }
        // 60 orders of 12 lines each: line "10" sorts before "2" as text.
        var first: [String] = []
        for order in 0..<60 { for number in 1...12 { first.append(line("K\(1000 + order)", number)) } }
        let firstFile = try sandbox.write(Self.bookingsHeader + first.joined(separator: "\n") + "\n", to: "first.csv")
        let firstOutcome = try workspace.importFile(.bookings, path: firstFile)
        #expect(firstOutcome.files.map { [$0.rows, $0.added] } == [[720, 720]])
        // Then: orders 0-4 backwards; order 5 in number order; order 30 (a jump of 24 orders, 288 rows); new keys
        // before everything, between two stored keys and after everything; order 31 with lines 3 and 11 changed;
        // order 59 shuffled; orders 6-29 and 32-58 are not in the file.
        var second: [String] = []
        for order in (0..<5).reversed() { for number in (1...12).reversed() { second.append(line("K\(1000 + order)", number)) } }
        for number in 1...12 { second.append(line("K1005", number)) }
        for number in 1...12 { second.append(line("K1030", number)) }
        second.append(line("A0001", 1))
        second.append(line("K1030", 13))
        second.append(line("Z9999", 1))
        for number in 1...12 { second.append(line("K1031", number, quantity: number == 3 || number == 11 ? 7 : 1)) }
        for number in [5, 12, 1, 9, 2, 11, 3, 10, 4, 8, 6, 7] { second.append(line("K1059", number)) }
        let secondFile = try sandbox.write(Self.bookingsHeader + second.joined(separator: "\n") + "\n", to: "second.csv")
        let outcome = try workspace.importFile(.bookings, path: secondFile)
        #expect(outcome.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[111, 3, 2, 106]])
        #expect(
            try Self.rows(workspace, "SELECT order_id, line, quantity FROM bookings WHERE added_by = 10 ORDER BY order_id, line") == [
                ["A0001", "1", "1"], ["K1030", "13", "1"], ["K1031", "11", "7"], ["K1031", "3", "7"], ["Z9999", "1", "1"],
            ])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM bookings WHERE order_id LIKE 'K%'") == [["721"]])
        #expect(try Self.rows(workspace, "SELECT COUNT(*) FROM bookings WHERE order_id LIKE 'K%' AND added_by = 9 AND quantity = '1'") == [["718"]])
        // Again: nothing changes.
        let again = try workspace.importFile(.bookings, path: secondFile)
        #expect(again.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[111, 0, 0, 111]])
    }

    /// The small tables are compared through the same kind of cursor: credentials (a key of three columns) given
    /// backwards, with one row changed and one new, are counted and stored exactly; given again, nothing changes.
    @Test func aSmallTableInAnyKeyOrderFindsEveryStoredRow() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let lines = try Sandbox.text((Sandbox.exampleData as NSString).appendingPathComponent("credentials.csv"))
            .split(separator: "\n").map(String.init)
        let header = lines[0]
        var rows = Array(lines.dropFirst().reversed())
        let stored = rows.count
        // The row of NL1001's ADV-COLLAB gets another expiry; NL1002 gains a credential (between stored keys).
        let changedIndex = try #require(rows.firstIndex { $0.hasPrefix("NL1001,ADV-COLLAB,2014-03-15,") })
        rows[changedIndex] = "NL1001,ADV-COLLAB,2014-03-15,2016-06-30"
        rows.insert("NL1002,ADV-COLLAB,2015-01-10,", at: rows.count / 2)
        let file = try sandbox.write(([header] + rows).joined(separator: "\n") + "\n", to: "credentials.csv")
        let outcome = try workspace.importFile(.credentials, path: file)
        #expect(outcome.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[stored + 1, 1, 1, stored - 1]])
        let id = try #require(outcome.files.first?.id)
        #expect(
            try Self.rows(
                workspace,
                "SELECT partner_id, credential, achieved_on, COALESCE(expires_on, '') FROM credentials WHERE added_by = ? ORDER BY 1, 2, 3",
                [id]) == [["NL1001", "ADV-COLLAB", "2014-03-15", "2016-06-30"], ["NL1002", "ADV-COLLAB", "2015-01-10", ""]])
        let again = try workspace.importFile(.credentials, path: file)
        #expect(again.files.map { [$0.rows, $0.added, $0.changed, $0.unchanged] } == [[stored + 1, 0, 0, stored + 1]])
    }
}
