import Crypto
import Foundation
import GRDB
import IncentiveEngine
import IncentiveSynthetic
import Synchronization
import Testing

@testable import IncentiveStore

/// Issue 16 point 4: a run after a small import computes only the partners whose rows changed and takes the stored
/// results of the others from the previous run; what it stores is exactly what a full run stores. Imports record the
/// partners they touch; the data digest of such a run (scheme 2) follows from the tables' multiset digests.
@Suite struct IncrementalRunTests {
    /// Every stored row of run `id`, without ids, in key order (the rows of a partner numbered in their stored
    /// order), with each row's checks (the blob of the row it names in `checks_of`, if any) and rules-v2 facts: what must
    /// not differ between an incremental and a full run.
    static func dump(_ workspace: Workspace, _ id: Int) throws -> [String] {
        try workspace.pool.read { db in
            // The run's rows as every reader reads them: an anchored run's include its anchor's of the partners it did
            // not compute.
            let source = try RunRows.of(db, id)
            var lines: [String] = []
            func add(_ label: String, _ sql: String) throws {
                for row in try Row.fetchAll(db, sql: sql) { lines.append(label + " " + row.description) }
            }
            try add(
                "totals",
                "SELECT program_id, partner_id, status, amount_cents, missed_amount_cents FROM \(source.from("run_partner_totals")) ORDER BY 1, 2")
            try add(
                "tier", "SELECT program_id, partner_id, tier, taken_on, valid_from FROM \(source.from("run_partner_tiers")) ORDER BY 1, 2")
            let rows = """
                (SELECT id, COALESCE(checks_of, id) AS checks_id, program_id, partner_id, item,
                        ROW_NUMBER() OVER (PARTITION BY program_id, partner_id ORDER BY id) AS position,
                        qualifying_volume_cents, threshold_cents, eligible, amount_cents, missed_amount_cents, reasons
                 FROM \(source.from("run_rows")))
                """
            try add(
                "row",
                """
                SELECT program_id, partner_id, item, position, qualifying_volume_cents, threshold_cents, eligible, amount_cents,
                       missed_amount_cents, reasons FROM \(rows) ORDER BY 1, 2, 3
                """)
            try add(
                "checks",
                """
                SELECT r.program_id, r.partner_id, r.item, hex(h.checks) FROM \(rows) r
                JOIN run_rows h ON h.id = r.checks_id ORDER BY 1, 2, 3
                """)
            for table in ["run_row_rebates", "run_row_slices", "run_row_left_out"] {
                let columns = try db.columns(in: table).map(\.name).filter { $0 != "row_id" }.map { "t.\($0)" }.joined(separator: ", ")
                try add(
                    table,
                    """
                    SELECT r.program_id, r.partner_id, r.item, \(columns) FROM \(rows) r
                    JOIN \(table) t ON t.row_id = r.id ORDER BY 1, 2, 3, 4, 5
                    """)
            }
            return lines
        }
    }

    /// What `runs show N` prints as CSV and as JSON.
    static func shown(_ workspace: Workspace, _ id: Int) throws -> (csv: String, json: String) {
        (
            ResultsCSV.render(try workspace.runResult(id, checks: .failedReasons).result.rows),
            ResultsJSON.render(try workspace.runResult(id).result)
        )
    }

    /// Run `incremental` (made incrementally on run `base`) stores exactly what the full run `full` stores, shows the
    /// same, and reproduces from the data as known at its import.
    static func expectSame(_ workspace: Workspace, incremental: Int, base: Int, full: Int) throws {
        let a = try workspace.runSummary(incremental), b = try workspace.runSummary(full)
        #expect(a.baseRun == base && a.digestScheme == 2)
        // Stored anchored (only the partners it computed) or with the base run's other partners copied, by the share of
        // partners that changed; read the same either way.
        #expect(a.anchorRun == (workspace.anchoredSharePercent.load(ordering: .relaxed) == 100 ? base : nil))
        #expect(b.baseRun == nil && b.digestScheme == 2)
        // Digests of the same scheme: those following from the base run's are those worked out over all the data.
        #expect(a.dataDigest == b.dataDigest && a.inputsDigest == b.inputsDigest)
        #expect(a.bookingLines == b.bookingLines && a.partners == b.partners)
        #expect(a.amount == b.amount && a.missedAmount == b.missedAmount)
        // The summary table's figures kept with the run (following from the base run's) and counted over the stored run
        // are those counted from the full run's results.
        let fullResult = try workspace.runResult(full).result
        let kept = workspace.figuresKept.load(ordering: .relaxed)
        let (keptFigures, countedFigures) = try workspace.pool.read { db in
            (
                try fullResult.programs.map { try #require(try RunFigures.stored(db, run: incremental, program: $0.program)) },
                try fullResult.programs.map { try RunFigures.counted(db, RunRows.of(db, incremental), program: $0.program, kept: kept) }
            )
        }
        for (index, program) in fullResult.programs.enumerated() {
            let expected = ProgramFigures(program, keeping: kept)
            for figures in [keptFigures[index], countedFigures[index]] {
                #expect(figures.partnersTakingPart == expected.partnersTakingPart && figures.eligiblePartners == expected.eligiblePartners)
                #expect(figures.rows == expected.rows && figures.eligibleRows == expected.eligibleRows)
                #expect(figures.amount == expected.amount && figures.missedAmount == expected.missedAmount)
                // The largest amounts kept: the run's, as far as they go, and at least as many as the table shows.
                #expect(figures.largest == Array(expected.largest.prefix(figures.largest.count)))
                #expect(figures.largest.count >= min(SummaryTable.largestCount, expected.largest.count))
                #expect(!figures.largestComplete || expected.largestComplete)
            }
            #expect(countedFigures[index].largest == expected.largest && countedFigures[index].largestComplete == expected.largestComplete)
        }
        #expect(SummaryTable.render(keptFigures) == SummaryTable.render(fullResult))
        #expect(keptFigures.map(\.largest.count).reduce(0, +) > 0)
        // One partner's results (a page, the API), read by key in the run that holds them: those of the full run, for
        // every partner the run computed and a sample of the others.
        let everyPartner = Set(fullResult.programs.flatMap { $0.partners.map(\.partnerID) }).sorted()
        let recomputed = try workspace.pool.read { db in
            try String.fetchAll(db, sql: "SELECT partner_id FROM run_recomputed WHERE run_id = ?", arguments: [incremental])
        }
        let sample = Set(recomputed + everyPartner.enumerated().filter { $0.offset % max(1, everyPartner.count / 40) == 0 }.map(\.element))
        for partner in sample.sorted() {
            #expect(
                ResultsJSON.render(try workspace.runResult(incremental, partner: partner).result)
                    == ResultsJSON.render(try workspace.runResult(full, partner: partner).result), "partner \(partner)")
        }
        let stored = try dump(workspace, incremental)
        #expect(stored.count > 60)
        #expect(stored == (try dump(workspace, full)))
        let (csv, json) = try shown(workspace, incremental)
        #expect(csv == (try shown(workspace, full)).csv)
        #expect(json == (try shown(workspace, full)).json)
        // The multiset digests worked out from the change alone are those of a pass over all the data.
        let reproduced = try workspace.reproduce(incremental)
        #expect(reproduced.identical && reproduced.inputsMatch && reproduced.dataDigest == a.dataDigest)
        let diff = try workspace.diffRuns(incremental, full)
        #expect(!diff.dataChanged && diff.digestsComparable && diff.rows.isEmpty)
    }

    /// How many booking lines partner `id` has.
    static func linesOf(_ workspace: Workspace, _ id: String) throws -> Int {
        try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings WHERE partner_id = ?", arguments: [id])! }
    }

    /// The partners import `id` recorded.
    static func touched(_ workspace: Workspace, _ id: Int) throws -> [String] {
        try workspace.pool.read { db in
            try String.fetchAll(db, sql: "SELECT partner_id FROM import_partners WHERE import_id = ? ORDER BY partner_id", arguments: [id])
        }
    }

    /// The example bookings with `replacements` made (each the whole line) and `dropped` lines left out (by their
    /// order and line), plus `added` lines.
    static func bookings(
        _ sandbox: Sandbox, replacing replacements: [String: String] = [:], dropping dropped: Set<String> = [], adding added: [String] = []
    )
        throws -> String
    {
        let lines = try Sandbox.text(Sandbox.exampleData + "/bookings.csv").split(separator: "\n").map(String.init)
        var out = [lines[0]]
        for line in lines.dropFirst() {
            let key = line.split(separator: ",").prefix(2).joined(separator: "/")
            if dropped.contains(key) { continue }
            out.append(replacements[key] ?? line)
        }
        return try sandbox.write((out + added).joined(separator: "\n") + "\n", to: "bookings-\(UUID().uuidString).csv")
    }

    /// Stored anchored (share 100) and with the other partners copied (share 0); with the digests the imports recorded,
    /// and without (`recorded` false: the incremental run adds and takes off the rows changed since the base run, the
    /// full run hashes every row).
    @Test(arguments: [0, 100], [true, false]) func anIncrementalRunStoresWhatAFullRunStores(share: Int, recorded: Bool) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        workspace.anchoredSharePercent.store(share, ordering: .relaxed)
        workspace.takesRecordedDigests.store(recorded, ordering: .relaxed)
        #expect(try workspace.run().summary.baseRun == nil)
        let lastImport = try workspace.importLog().map(\.id).max()!
        // A new partner with a line; a changed amount (NL1001); a line moved from NL1003 to NL1002.
        let partners = try sandbox.write(
            "partner_id,name,country,tier,provider\nNL1099,Utrecht Nieuw B.V.,NL,select,false\n", to: "partners-new.csv")
        _ = try workspace.importFile(.partners, path: partners)
        let changed = try Self.bookings(
            sandbox,
            replacing: [
                "SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24100.00,USD,",
                "SO15-1203/1": "SO15-1203,1,NL1002,2015-07-10,,UCS-B200M4-U,2,12345.67,USD,",
            ], adding: ["SO15-9901,1,NL1099,2015-03-01,2015-03-09,UCS-B200M4-U,1,5000.00,USD,"])
        let outcome = try workspace.importFile(.bookings, path: changed)
        #expect(outcome.files.map { [$0.added, $0.changed] } == [[1, 2]])
        #expect(try Self.touched(workspace, lastImport + 1) == ["NL1099"])
        #expect(try Self.touched(workspace, lastImport + 2) == ["NL1001", "NL1002", "NL1003", "NL1099"])
        let incremental = try workspace.run()
        #expect(incremental.summary.id == 2 && incremental.summary.bookingLines == 67 && incremental.summary.partners == 14)
        // The summary `run` prints is the whole run's, as stored.
        #expect(SummaryTable.render(incremental.figures) == SummaryTable.render(try workspace.runResult(2, checks: .none).result))
        #expect(try workspace.run(full: true).summary.id == 3)
        try Self.expectSame(workspace, incremental: 2, base: 1, full: 3)
        // The data did change between runs 1 and 2 (digests of two schemes, compared through the tables' digests).
        let diff = try workspace.diffRuns(1, 2)
        #expect(diff.dataChanged && diff.digestsComparable)
        #expect(diff.lines.map { [$0.changed, $0.added, $0.retired] } == [2, 1, 0])
        #expect(!diff.rows.isEmpty)
    }

    /// The rows an incremental run copies do not copy their checks: each names the row that holds them, in the run
    /// that computed that partner (never a copy of a copy), and reads, shows and compares as if it held them.
    @Test func copiedRowsNameTheRowThatHoldsTheirChecks() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        workspace.anchoredSharePercent.store(0, ordering: .relaxed)
        _ = try workspace.run()
        let first = try Self.bookings(sandbox, replacing: ["SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24100.00,USD,"])
        _ = try workspace.importFile(.bookings, path: first)
        #expect(try workspace.run().summary.baseRun == 1)
        let second = try Self.bookings(
            sandbox,
            replacing: [
                "SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24100.00,USD,",
                "SO15-1102/1": "SO15-1102,1,NL1002,2015-03-16,2015-03-27,UCS-FI-6248UP,2,31350.00,USD,",
            ])
        _ = try workspace.importFile(.bookings, path: second)
        #expect(try workspace.run().summary.baseRun == 2)
        #expect(try workspace.run(full: true).summary.id == 4)
        // Per partner of run 3: the runs whose rows hold its checks.
        let holders = try workspace.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.partner_id, GROUP_CONCAT(DISTINCT COALESCE(o.run_id, r.run_id)) FROM run_rows r
                    LEFT JOIN run_rows o ON o.id = r.checks_of WHERE r.run_id = 3 GROUP BY r.partner_id ORDER BY r.partner_id
                    """
            ).map { "\($0[0] as String) \($0[1] as String)" }
        }
        #expect(holders.count == 12)
        #expect(holders.first == "BE2001 1")
        #expect(holders.filter { !$0.hasSuffix(" 1") } == ["NL1001 2", "NL1002 3"])
        // Run 3 holds the checks of NL1002's rows only: the same blobs as the full run 4 holds for NL1002.
        let held = try workspace.pool.read { db in
            try [3, 4].map { run in
                try String.fetchAll(
                    db, sql: "SELECT hex(checks) FROM run_rows WHERE run_id = ? AND partner_id = 'NL1002' AND checks IS NOT NULL ORDER BY item",
                    arguments: [run])
            } + [String.fetchAll(db, sql: "SELECT hex(checks) FROM run_rows WHERE run_id = 3 AND checks IS NOT NULL ORDER BY item")]
        }
        #expect(!held[0].isEmpty && held[0] == held[1] && held[2] == held[0])
        try Self.expectSame(workspace, incremental: 3, base: 2, full: 4)
        #expect(try workspace.partnerChanges(3, 4).isEmpty)
        #expect(Set(try workspace.partnerChanges(1, 3).map(\.partnerID)) == ["NL1001", "NL1002"])
        #expect(Set(try workspace.partnerChanges(2, 3).map(\.partnerID)) == ["NL1002"])
    }

    /// Stored anchored (share 100) and with the other partners copied (share 0).
    @Test(arguments: [0, 100]) func aPartnerWhoseOnlyLineWasRetired(share: Int) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        workspace.anchoredSharePercent.store(share, ordering: .relaxed)
        // NL1004 keeps one line (SO15-1301/1) before run 1, and loses it after.
        _ = try workspace.importFile(.bookings, path: try Self.bookings(sandbox, dropping: ["SO23-1301/1"]), mode: ImportMode(replace: true))
        #expect(try workspace.run().summary.bookingLines == 65)
        let last = try workspace.importLog().map(\.id).max()!
        let outcome = try workspace.importFile(
            .bookings, path: try Self.bookings(sandbox, dropping: ["SO23-1301/1", "SO15-1301/1"]), mode: ImportMode(replace: true))
        #expect(outcome.files.map(\.retired) == [1])
        #expect(try Self.touched(workspace, last + 1) == ["NL1004"])
        #expect(try workspace.run().summary.bookingLines == 64)
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 2, base: 1, full: 3)
    }

    /// Stored anchored (share 100) and with the other partners copied (share 0); with the recorded digests and without.
    @Test(arguments: [0, 100], [true, false]) func aChangeOfAPartnersOtherRowsIsIncrementalToo(share: Int, recorded: Bool) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        workspace.anchoredSharePercent.store(share, ordering: .relaxed)
        workspace.takesRecordedDigests.store(recorded, ordering: .relaxed)
        _ = try workspace.run()
        let credentials = try Sandbox.text(Sandbox.exampleData + "/credentials.csv").replacingOccurrences(
            of: "NL1001,ADV-COLLAB,2014-03-15,2016-03-14", with: "NL1001,ADV-COLLAB,2014-03-15,2015-03-14")
        let outcome = try workspace.importFile(.credentials, path: try sandbox.write(credentials, to: "credentials.csv"))
        #expect(outcome.files.map(\.changed) == [1])
        #expect(try workspace.run().summary.baseRun == 1)
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 2, base: 1, full: 3)
    }

    /// The rules-v2 facts (rebates, slices, lines left out, tiers) of the unchanged partners are copied too.
    /// Stored anchored (share 100) and with the other partners copied (share 0).
    @Test(arguments: [0, 100]) func theRulesV2FactsAreTakenFromTheBaseRun(share: Int) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try StoredRunV2Tests.vip30Workspace(sandbox)
        workspace.anchoredSharePercent.store(share, ordering: .relaxed)
        _ = try workspace.run()
        let original = try Sandbox.text(StoredRunV2Tests.vip30.appendingPathComponent("data/bookings.csv").path)
        let changed = original.replacingOccurrences(
            of: "SO18-5001,1,US5001,2017-07-30,2017-08-09,UCSB-B200-M5,5,40000.00,USD,",
            with: "SO18-5001,1,US5001,2017-07-30,2017-08-09,UCSB-B200-M5,5,41000.00,USD,")
        #expect(changed != original)
        _ = try workspace.importFile(.bookings, path: try sandbox.write(changed, to: "bookings.csv"))
        #expect(try workspace.run().summary.baseRun == 1)
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 2, base: 1, full: 3)
        let facts = try Self.dump(workspace, 2).filter { $0.hasPrefix("run_row_rebates") || $0.hasPrefix("tier") }
        #expect(facts.count > 10)
    }

    /// `v15-statuses-in-totals` on a workspace whose runs wrote their statuses into `run_partners` too, with tiers
    /// referring to them: every tier row is kept, the runs read as before, and a new run stores its statuses and tiers
    /// without `run_partners`.
    @Test func theMigrationKeepsEveryTierAndRunsNoLongerWriteRunPartners() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path: String
        do {
            let workspace = try StoredRunV2Tests.vip30Workspace(sandbox)
            _ = try workspace.run()
            path = workspace.path
        }
        let before = try Workspace.open(at: path)
        let dump = try Self.dump(before, 1)
        let shown = try Self.shown(before, 1)
        #expect(dump.filter { $0.hasPrefix("tier") }.count == 2)
        // Back to before the migration: the tiers referring to `run_partners`, which held every run's statuses.
        try before.pool.barrierWriteWithoutTransaction { db in
            try db.execute(
                sql: """
                    PRAGMA foreign_keys = OFF;
                    CREATE TABLE old_tiers (
                        run_id INTEGER NOT NULL, program_id TEXT NOT NULL, partner_id TEXT NOT NULL, tier TEXT NOT NULL,
                        taken_on TEXT NOT NULL, valid_from TEXT, PRIMARY KEY (run_id, program_id, partner_id),
                        FOREIGN KEY (run_id, program_id, partner_id) REFERENCES run_partners(run_id, program_id, partner_id) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    INSERT INTO old_tiers SELECT run_id, program_id, partner_id, tier, taken_on, valid_from FROM run_partner_tiers;
                    DROP TABLE run_partner_tiers;
                    ALTER TABLE old_tiers RENAME TO run_partner_tiers;
                    INSERT INTO run_partners(run_id, program_id, partner_id, status) SELECT run_id, program_id, partner_id, status FROM run_partner_totals;
                    DELETE FROM grdb_migrations WHERE identifier = 'v15-statuses-in-totals';
                    PRAGMA foreign_keys = ON;
                    """)
        }
        // Into the file itself: opening reads the applied migrations from the file, not from the WAL.
        try before.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try before.pool.close()
        let after = try Workspace.open(at: path)
        let schema = try after.pool.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'run_partner_tiers'") ?? ""
        }
        #expect(schema.contains("REFERENCES run_partner_totals"))
        #expect(try Self.dump(after, 1) == dump)
        #expect(try Self.shown(after, 1) == shown)
        #expect(try after.run(full: true).summary.id == 2)
        let stored = try after.pool.read { db in
            try [1, 2].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_partners WHERE run_id = ?", arguments: [$0])! }
        }
        #expect(stored[0] > 0 && stored[1] == 0)
        #expect(try Self.dump(after, 2) == dump)
        #expect(try after.integrityProblems().isEmpty)
    }

    /// `bookings_bounds` on a workspace made before it: import 0 bounds the stored lines (the example's 66); each
    /// bookings import adds the largest amount it wrote and the lines it added.
    @Test func bookingsBoundsCoverEveryStoredLine() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("old.sqlite")
        try FileManager.default.copyItem(atPath: Sandbox.packageRoot.appendingPathComponent("Tests/Fixtures/workspace-v6.sqlite").path, toPath: path)
        let workspace = try Workspace.open(at: path)
        func bounds() throws -> [[Int64]] {
            try workspace.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT import_id, largest_amount_cents, lines_added FROM bookings_bounds ORDER BY import_id").map {
                    [$0[0], $0[1], $0[2]]
                }
            }
        }
        let stored = try workspace.pool.read { db in try Row.fetchOne(db, sql: "SELECT MAX(ABS(amount_cents)), COUNT(*) FROM bookings")! }
        let largest: Int64 = stored[0], lines: Int64 = stored[1]
        #expect(lines == 66 && largest > 0)
        #expect(try bounds() == [[0, largest, lines]])
        let file = try sandbox.write(
            "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
                + "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,-99000.00,USD,\n"
                + "SO15-9001,1,NL1001,2015-03-01,,UCS-B200M4-U,1,12.34,USD,\n", to: "bookings.csv")
        let outcome = try workspace.importFile(.bookings, path: file)
        #expect(outcome.files.map { [$0.added, $0.changed] } == [[1, 1]])
        #expect(try bounds() == [[0, largest, lines], [Int64(outcome.files[0].id), 9_900_000, 1]])
    }

    /// Every change records the tables' multiset digests it leaves (`ImportDigests`): after a first import into a new
    /// workspace, a changed and an added line, a `--replace` that retires one, a partner renamed, an enrolment and its
    /// removal, the digests recorded at each change are those of hashing every row of the data as known then, and a
    /// run takes those of the last change (its digest is the export's multiset digest).
    @Test func everyChangeRecordsTheDigestsItLeaves() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let line = "SO23-1301/1"
        let original = try #require(
            try Sandbox.text(Sandbox.exampleData + "/bookings.csv").split(separator: "\n").first { $0.hasPrefix("SO23-1301,1,") })
        let changed = original.replacingOccurrences(of: ",USD,", with: ",EUR,")
        #expect(changed != original)
        _ = try workspace.importFile(
            .bookings, path: try Self.bookings(sandbox, replacing: [line: String(changed)], adding: ["SO99-1,1,NL1001,2023-09-01,,UCS-B200M4-U,1,10.00,USD,"]))
        _ = try workspace.importFile(.bookings, path: try Self.bookings(sandbox, dropping: [line]), mode: ImportMode(replace: true))
        let partners = try Sandbox.text(Sandbox.exampleData + "/partners.csv").replacingOccurrences(of: "NL1002,", with: "NL1002,Renamed ")
        _ = try workspace.importFile(.partners, path: try sandbox.write(partners, to: "renamed-partners.csv"))
        _ = try workspace.enroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice", on: try #require(Day(iso: "2015-03-01")))
        try workspace.unenroll(partner: "NL1002", program: "VIP25-6M", subtrack: "collaboration/voice")
        let last = try workspace.pool.read { db in try Workspace.lastImport(db) }
        #expect(last >= 12)
        for id in 1...last {
            let recorded = try workspace.pool.read { db in try TableDigests.stored(db, importID: id) }
            let hashed = try workspace.loadInput(asKnownAt: try workspace.resolve(.importID(id)), digests: .multiset).record.tableDigests
            let recordedTables = DataKind.importOrder.map { recorded?[$0] }, hashedTables = DataKind.importOrder.map { hashed?[$0] }
            #expect(recorded != nil && recordedTables == hashedTables, "import \(id)")
        }
        let run = try workspace.run().summary
        #expect(run.dataDigest == (try DigestTests.exportMultisetDigest(workspace, sandbox)))
        #expect(run.dataDigest == (try workspace.pool.read { db in try TableDigests.stored(db, importID: last) })?.dataDigest)
    }

    @Test func programsRatesAndEnrolmentsForceAFullRun() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let first = try workspace.run().summary
        // Nothing changed: every partner's results are taken from run 1, and so are its digests.
        let same = try workspace.run().summary
        #expect(same.baseRun == 1 && same.digestScheme == 2)
        #expect(same.dataDigest == first.dataDigest && same.inputsDigest == first.inputsDigest)
        #expect(try Self.dump(workspace, 2) == Self.dump(workspace, 1))
        // An exchange rate.
        let fx = try Sandbox.text(Sandbox.exampleData + "/fx.csv").replacingOccurrences(of: "1.076543", with: "1.076544")
        _ = try workspace.importFile(.fx, path: try sandbox.write(fx, to: "fx.csv"))
        #expect(try workspace.run().summary.baseRun == nil)
        // An enrolment.
        try workspace.unenroll(partner: "NL1001", program: "VIP25-6M", subtrack: "collaboration/voice")
        #expect(try workspace.run().summary.baseRun == nil)
        // A program version.
        let original = try Sandbox.text(Sandbox.examplePrograms + "/vip25-6m.yaml")
        let raised = try sandbox.write(original.replacingOccurrences(of: "rebate_percent: 6\n", with: "rebate_percent: 7\n"), to: "vip25-6m.yaml")
        #expect(try workspace.addProgram(file: raised).version.version == 2)
        #expect(try workspace.run().summary.baseRun == nil)
        // Another selection of programs than the previous run's.
        #expect(try workspace.run(programIDs: ["VIP25-6M"]).summary.baseRun == nil)
        // A partner's rows changed, but run with `full`.
        _ = try workspace.importFile(
            .bookings,
            path: try Self.bookings(sandbox, replacing: ["SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,1.00,USD,"]))
        #expect(try workspace.run(programIDs: ["VIP25-6M"], full: true).summary.baseRun == nil)
        #expect(try workspace.run(programIDs: ["VIP25-6M"]).summary.baseRun == 7)
    }

    @Test func importsThatDidNotRecordTheirPartnersForceAFullRun() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        _ = try workspace.run()
        // A first import into an empty table (the tier history) stands for every partner.
        let tiers = try sandbox.write("partner_id,tier,valid_from\nNL1001,gold,2015-01-01\n", to: "tiers.csv")
        _ = try workspace.importFile(.tiers, path: tiers)
        let last = try workspace.importLog().map(\.id).max()!
        #expect(try Self.touched(workspace, last) == [IncrementalSchema.everyPartner])
        #expect(try workspace.run().summary.baseRun == nil)
        // Imports logged before the workspace recorded partners (as in a workspace migrated from an earlier release).
        _ = try workspace.importFile(
            .bookings,
            path: try Self.bookings(sandbox, replacing: ["SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,1.00,USD,"]))
        try workspace.pool.write { db in
            try db.execute(sql: "UPDATE workspace_info SET value = '1000' WHERE key = 'import_partners_from'")
        }
        #expect(try workspace.run().summary.baseRun == nil)
        // Run 3 recorded its multiset digests: a run after it builds on it.
        #expect(try workspace.run().summary.baseRun == 3)
    }

    @Test func aMultisetDigestIsTheSumOfItsRowsHashes() throws {
        func sha(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
        var one = SetDigest()
        Array("a,1\n".utf8).withUnsafeBytes { one.update($0, sign: 1) }
        #expect(one.hex == sha("a,1\n") && one.rows == 1)
        var many = SetDigest(), fewer = SetDigest()
        for text in ["a,1\n", "b,2\n", "c,3\n"] { Array(text.utf8).withUnsafeBytes { many.update($0, sign: 1) } }
        for text in ["c,3\n", "a,1\n"] { Array(text.utf8).withUnsafeBytes { fewer.update($0, sign: 1) } }
        Array("b,2\n".utf8).withUnsafeBytes { many.update($0, sign: -1) }
        #expect(many == fewer && many.rows == 2)
        // Two rows: the sum of their hashes as 256-bit numbers modulo 2^256, added here byte by byte.
        let a = Array(SHA256.hash(data: Data("a,1\n".utf8))), b = Array(SHA256.hash(data: Data("b,2\n".utf8)))
        var sum = [UInt8](repeating: 0, count: 32), carry = 0
        for index in (0..<32).reversed() {
            let total = Int(a[index]) + Int(b[index]) + carry
            sum[index] = UInt8(total & 0xFF)
            carry = total >> 8
        }
        var two = SetDigest()
        for text in ["a,1\n", "b,2\n"] { Array(text.utf8).withUnsafeBytes { two.update($0, sign: 1) } }
        #expect(two.hex == sum.map { String(format: "%02x", $0) }.joined())
        #expect(SetDigest(hex: two.hex, rows: 2) == two)
        // Two multisets together: the sum of their digests, as if every row had been added to one.
        var justA = SetDigest(), justB = SetDigest()
        Array("a,1\n".utf8).withUnsafeBytes { justA.update($0, sign: 1) }
        Array("b,2\n".utf8).withUnsafeBytes { justB.update($0, sign: 1) }
        #expect(justA.adding(justB) == two && justB.adding(justA).hex == two.hex)
        // Modulo 2^256: the carry goes through every limb and out.
        let largest = try #require(SetDigest(hex: String(repeating: "f", count: 64), rows: 3))
        let one256 = try #require(SetDigest(hex: String(repeating: "0", count: 63) + "1", rows: 1))
        #expect(largest.adding(one256).hex == String(repeating: "0", count: 64) && largest.adding(one256).rows == 4)
        var empty = SetDigest()
        Array("x".utf8).withUnsafeBytes { empty.update($0, sign: 1) }
        Array("x".utf8).withUnsafeBytes { empty.update($0, sign: -1) }
        #expect(empty.hex == String(repeating: "0", count: 64) && empty.rows == 0)
    }

    /// On a generated workspace (1,200 partners; one line in 40 changed, in about 20% of the partners, and in one partner
    /// only): the run after the change, stored anchored and with the other partners copied, with few or many largest
    /// amounts kept (5: every list runs short and the run's rows are ranked; 50: the base's list less the changed
    /// partners, merged with theirs), stores what the full run stores, and its figures are the full run's.
    @Test(arguments: [(0, 5), (100, 5), (100, 8), (0, 50), (100, 50)]) func aGeneratedWorkspace(share: Int, kept: Int) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let files = sandbox.path("files")
        try DatasetGenerator(partners: 1_200, lines: 12_000, seed: 5).write(to: files)
        let workspace = try Workspace.create(at: sandbox.path("generated.sqlite"))
        workspace.anchoredSharePercent.store(share, ordering: .relaxed)
        workspace.figuresKept.store(kept, ordering: .relaxed)
        for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(files + "/data")
        _ = try workspace.run()
        let original = try String(contentsOfFile: files + "/data/bookings.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        func changed(_ pick: (Int, [String]) -> Bool, by cents: Int) throws -> String {
            var lines = original
            for index in 1..<lines.count {
                var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard pick(index, fields) else { continue }
                // A generated amount has at most two decimals ("1234", "12.5", "-3.25").
                let parts = fields[7].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                let decimals = parts.count == 2 ? parts[1] : ""
                #expect(parts.count <= 2 && decimals.count <= 2)
                let digits = try #require(Int64(parts[0] + decimals + String(repeating: "0", count: 2 - decimals.count)))
                fields[7] = Money(cents: digits + Int64(cents)).plainText
                lines[index] = fields.joined(separator: ",")
            }
            return try sandbox.write(lines.joined(separator: "\n") + "\n", to: "bookings-\(UUID().uuidString).csv")
        }
        _ = try workspace.importFile(.bookings, path: try changed({ index, _ in index % 40 == 7 }, by: 150_000))
        #expect(try workspace.run().summary.baseRun == 1)
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 2, base: 1, full: 3)
        // One partner's lines, built on run 3 (full); then another's, built on run 3 again (the latest run, 4, is anchored
        // on it when the share allows), computing both partners, its digests following from run 4's.
        let partner = original[1].split(separator: ",")[2]
        _ = try workspace.importFile(.bookings, path: try changed({ _, fields in fields[2] == partner }, by: 100))
        #expect(try workspace.run().summary.baseRun == 3)
        let other = original[original.count - 1].split(separator: ",")[2]
        #expect(other != partner)
        _ = try workspace.importFile(
            .bookings, path: try changed({ _, fields in fields[2] == partner || fields[2] == other }, by: 100 * (share == 100 ? 1 : 2)))
        let fifth = try workspace.run().summary
        #expect(fifth.baseRun == (share == 100 ? 3 : 4))
        if share == 100 {
            // Anchored on run 3 like run 4. Only the other partner's lines changed since run 4 (the import before it also
            // put back the lines the first one changed): the partners run 4 computed are copied from it (the first
            // partner's totals among them), not computed again, and run 5 names them all with the other partner.
            let (copied, fourth, fifthRecomputed) = try workspace.pool.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_partner_totals WHERE run_id = 5 AND partner_id = ?", arguments: [String(partner)])!,
                    try String.fetchAll(db, sql: "SELECT partner_id FROM run_recomputed WHERE run_id = 4 ORDER BY 1"),
                    try String.fetchAll(db, sql: "SELECT partner_id FROM run_recomputed WHERE run_id = 5 ORDER BY 1")
                )
            }
            #expect(copied == fifth.programs.count)
            // Copied rows refer to run 4's checks; computed rows hold their own.
            let rows = try workspace.pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT COUNT(*), COUNT(checks_of) FROM run_rows WHERE run_id = 5 AND partner_id = ?", arguments: [String(partner)])!
            }
            #expect((rows[0] as Int) > 0 && (rows[1] as Int) == (rows[0] as Int))
            #expect(fourth.contains(String(partner)) && !fourth.contains(String(other)))
            #expect(fifthRecomputed == (fourth + [String(other)]).sorted())
        }
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 5, base: share == 100 ? 3 : 4, full: 6)
        let reproduced = try workspace.reproduce(4)
        #expect(reproduced.identical && reproduced.inputsMatch)
        let lines = try workspace.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings WHERE partner_id IN (?, ?)", arguments: [String(partner), String(other)])!
        }
        let expectedChanged = share == 100 ? lines - (try Self.linesOf(workspace, String(partner))) : lines
        #expect(try workspace.diffRuns(4, 5).lines?.changed == expectedChanged)
    }


    /// What an anchored run records besides its results (the partners it computed, its figures and largest amounts)
    /// is never changed or deleted.
    @Test func anAnchoredRunsRecordsAreAppendOnly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        _ = try workspace.run()
        let changed = try Self.bookings(sandbox, replacing: ["SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24100.00,USD,"])
        _ = try workspace.importFile(.bookings, path: changed)
        #expect(try workspace.run().summary.anchorRun == 1)
        for sql in [
            "UPDATE run_recomputed SET partner_id = 'X'", "DELETE FROM run_recomputed", "UPDATE run_figures SET rows = 0",
            "DELETE FROM run_figures", "UPDATE run_largest SET amount_cents = 0", "DELETE FROM run_largest",
        ] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") { try workspace.pool.write { db in try db.execute(sql: sql) } }
            #expect(error?.message?.contains("is append-only") == true, "\(sql)")
        }
        #expect(try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_recomputed") } == 1)
    }


    /// A base run stored before `v17-anchored-runs` has no kept figures: the run built on it counts the base run's over
    /// its stored rows, and stores what a full run stores.
    @Test(arguments: [0, 100]) func aBaseRunWithoutKeptFigures(share: Int) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        workspace.anchoredSharePercent.store(share, ordering: .relaxed)
        _ = try workspace.run()
        // As a workspace of the previous release has it after the migration: run 1 without figures.
        try workspace.pool.write { db in
            try db.execute(
                sql: """
                    DROP TRIGGER run_largest_no_delete; DROP TRIGGER run_figures_no_delete;
                    DELETE FROM run_largest; DELETE FROM run_figures;
                    """)
        }
        let changed = try Self.bookings(sandbox, replacing: ["SO15-1001/1": "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24100.00,USD,"])
        _ = try workspace.importFile(.bookings, path: changed)
        #expect(try workspace.run().summary.baseRun == 1)
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 2, base: 1, full: 3)
        #expect(try workspace.runSummary(1).amount.cents > 0)
    }


    /// A run after an anchored run that changed too many partners to be anchored itself copies the base run's other
    /// partners, copies the latest run's results of the partners it computed, computes only those changed since, and
    /// stores what a full run stores.
    @Test func aCopyingRunAfterAnAnchoredOneTakesItsPartners() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        workspace.anchoredSharePercent.store(100, ordering: .relaxed)
        _ = try workspace.run()
        let first = "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24100.00,USD,"
        _ = try workspace.importFile(.bookings, path: try Self.bookings(sandbox, replacing: ["SO15-1001/1": first]))
        #expect(try workspace.run().summary.anchorRun == 1)
        _ = try workspace.importFile(
            .bookings,
            path: try Self.bookings(
                sandbox, replacing: ["SO15-1001/1": first, "SO15-1102/1": "SO15-1102,1,NL1002,2015-03-16,2015-03-27,UCS-FI-6248UP,2,31350.00,USD,"]))
        workspace.anchoredSharePercent.store(0, ordering: .relaxed)
        let third = try workspace.run().summary
        #expect(third.baseRun == 1 && third.anchorRun == nil)
        // NL1001's results are run 2's (copied: they refer to its checks); NL1002's were computed.
        let (copied, computed) = try workspace.pool.read { db in
            (
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM run_rows r JOIN run_rows o ON o.id = r.checks_of WHERE r.run_id = 3 AND r.partner_id = 'NL1001' AND o.run_id = 2")!,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_rows WHERE run_id = 3 AND partner_id = 'NL1002' AND checks_of IS NULL")!
            )
        }
        #expect(copied > 0 && computed > 0)
        _ = try workspace.run(full: true)
        try Self.expectSame(workspace, incremental: 3, base: 1, full: 4)
    }

}
