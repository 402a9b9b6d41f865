import Foundation
import GRDB
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// A stored run keeps the facts of formats.md §5.6 (issue 14): a run of a rules-v2 program reads back exactly as
/// `compute` gave it (the rebate computation and the lines left out of every row, the tier of every partner with a
/// tier history), a v1 run writes nothing more than before, and a workspace of the previous schema upgrades with
/// its runs intact.
@Suite struct StoredRunV2Tests {
    static let vip30 = Sandbox.examples.appendingPathComponent("vip30")

    /// The tables migration `v6-run-rules-v2` adds.
    static let v2Tables = ["run_row_rebates", "run_row_slices", "run_row_left_out", "run_partner_tiers"]

    /// A workspace with the VIP 30 program and data (examples/vip30).
    static func vip30Workspace(_ sandbox: Sandbox, name: String = "vip30.sqlite") throws -> Workspace {
        let workspace = try Workspace.create(at: sandbox.path(name))
        _ = try workspace.addProgram(file: vip30.appendingPathComponent("programs/vip30-fy18h1.yaml").path)
        _ = try workspace.importFolder(vip30.appendingPathComponent("data").path)
        return workspace
    }

    /// What `compute` gives from the workspace as it is now.
    static func computed(_ workspace: Workspace) throws -> ComputeResult {
        Engine.compute(try workspace.loadInput().input)
    }

    /// `result` with only `partner` in each program (what a one-partner read of a run holds).
    static func only(_ partner: String, _ result: ComputeResult) -> ComputeResult {
        ComputeResult(programs: result.programs.map { ProgramResult(program: $0.program, partners: $0.partners.filter { $0.partnerID == partner }) })
    }

    /// `result` without any fact of formats.md §5.6: how a run stored before migration v6 reads back.
    static func withoutV2Facts(_ result: ComputeResult) -> ComputeResult {
        ComputeResult(
            programs: result.programs.map { program in
                ProgramResult(
                    program: program.program,
                    partners: program.partners.map { partner in
                        PartnerResult(
                            partnerID: partner.partnerID, status: partner.status,
                            rows: partner.rows.map { row in
                                ResultRow(
                                    program: row.program, kind: row.kind, partnerID: row.partnerID, item: row.item,
                                    qualifyingVolume: row.qualifyingVolume, threshold: row.threshold, eligible: row.eligible, amount: row.amount,
                                    missedAmount: row.missedAmount, checks: row.checks)
                            })
                    })
            })
    }

    static func count(_ workspace: Workspace, _ table: String) throws -> Int {
        try workspace.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    /// The stored run's JSON is `compute`'s byte for byte, whole and for every partner alone; the JSON does hold the
    /// v2 facts (so the comparison is not between two documents without them).
    @Test func aV2RunReadsBackAsComputeGaveIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.vip30Workspace(sandbox)
        let outcome = try workspace.run()
        let (summary, ranResult) = (outcome.summary, try outcome.result)
        #expect(summary.id == 1)
        let computed = try Self.computed(workspace)
        let expected = ResultsJSON.render(computed)
        #expect(ResultsJSON.render(ranResult) == expected)
        for key in ["\"rebate\"", "\"left_out\"", "\"tier\"", "\"period_name\" : \"FY18-H1\"", "\"slices\"", "\"baseline\"", "\"cap\""] {
            #expect(expected.contains(key), "compute's JSON has no \(key)")
        }
        let stored = try workspace.runResult(1).result
        #expect(ResultsJSON.render(stored) == expected)
        // Equal as values too, not only as JSON (the JSON leaves out an unbound cap and an uncapped amount).
        let storedRows = stored.rows, computedRows = computed.rows
        #expect(storedRows.count == 14)
        #expect(storedRows.map(\.rebate) == computedRows.map(\.rebate))
        #expect(storedRows.map(\.leftOut) == computedRows.map(\.leftOut))
        #expect(stored.programs[0].partners.map(\.tier) == computed.programs[0].partners.map(\.tier))
        #expect(storedRows.allSatisfy { $0.rebate != nil && $0.leftOut != nil })

        let partners = computed.programs[0].partners.map(\.partnerID)
        #expect(partners.count == 12)
        for partner in partners {
            let one = try workspace.runResult(1, partner: partner).result
            #expect(ResultsJSON.render(one) == ResultsJSON.render(Self.only(partner, computed)), "partner \(partner)")
            #expect(one.programs[0].partners.map(\.tier) == Self.only(partner, computed).programs[0].partners.map(\.tier))
        }
        // A second run of the same workspace reads back the same, and the first is unchanged.
        _ = try workspace.run()
        #expect(ResultsJSON.render(try workspace.runResult(2).result) == expected)
        #expect(ResultsJSON.render(try workspace.runResult(1).result) == expected)
    }

    /// The stored columns hold the figures of examples/vip30/README.md, worked out by hand: money in cents,
    /// percents as units at their scale, days as ISO text.
    @Test func theStoredColumnsHoldTheHandComputedFigures() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.vip30Workspace(sandbox)
        _ = try workspace.run()
        try workspace.pool.read { db in
            func rebate(_ partner: String, _ item: String) throws -> Row? {
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT b.* FROM run_row_rebates b JOIN run_rows r ON r.id = b.row_id
                        WHERE r.run_id = 1 AND r.partner_id = ? AND r.item = ?
                        """, arguments: [partner, item])
            }
            func slices(_ partner: String, _ item: String) throws -> [[Int64]] {
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.position, s.from_cents, s.amount_cents, s.percent_units, s.percent_scale, s.total_percent_units,
                               s.total_percent_scale
                        FROM run_row_slices s JOIN run_rows r ON r.id = s.row_id
                        WHERE r.run_id = 1 AND r.partner_id = ? AND r.item = ? ORDER BY s.position
                        """, arguments: [partner, item]
                ).map { row in (0..<7).map { row[$0] as Int64 } }
            }
            // US5005 voice: attach exactly 30% (18,000 of 60,000): +6 -> 22%, 13,200.00 capped at 12,000.00.
            let voice = try #require(try rebate("US5005", "collaboration/voice"))
            #expect(voice["rebate_base"] as String == "all")
            #expect(voice["base_cents"] as Int64 == 6_000_000)
            #expect(voice["tier_method"] as String? == nil)
            #expect(voice["percent_tier"] as String? == nil)
            #expect(voice["attach_volume_cents"] as Int64 == 1_800_000)
            #expect(voice["attach_band_from_percent_units"] as Int64 == 300_000 && voice["attach_band_from_percent_scale"] as Int == 4)
            #expect(voice["attach_band_percent_units"] as Int64 == 60_000 && voice["attach_band_percent_scale"] as Int == 4)
            #expect(voice["attach_bonus_units"] as Int64 == 60_000 && voice["attach_bonus_scale"] as Int == 4)
            #expect(voice["baseline_start"] as String? == nil)
            #expect(voice["uncapped_cents"] as Int64 == 1_320_000)
            #expect(voice["cap_cents"] as Int64 == 1_200_000)
            #expect(voice["amount_cents"] as Int64 == 1_200_000)
            #expect(try slices("US5005", "collaboration/voice") == [[0, 0, 6_000_000, 160_000, 4, 220_000, 4]])
            // US5004 voice: attach one cent under 15%: no band, a bonus of 0.
            let under = try #require(try rebate("US5004", "collaboration/voice"))
            #expect(under["attach_volume_cents"] as Int64 == 599_999)
            #expect(under["attach_band_from_percent_units"] as Int64? == nil && under["attach_band_percent_units"] as Int64? == nil)
            #expect(under["attach_bonus_units"] as Int64 == 0)
            #expect(under["amount_cents"] as Int64 == 640_000 && under["uncapped_cents"] as Int64 == 640_000)

            // CA6002 hyperflex: FY17 baseline 9,000.03 x 182 / 364 = 4,500.015 -> 4,500.02; select takes the default 3%.
            let hyperflex = try #require(try rebate("CA6002", "data-center/hyperflex"))
            #expect(hyperflex["rebate_base"] as String == "growth")
            #expect(hyperflex["base_cents"] as Int64 == 2_549_998)
            #expect(hyperflex["percent_tier"] as String? == nil)
            #expect(hyperflex["baseline_start"] as String == "2016-07-31" && hyperflex["baseline_end"] as String == "2017-07-29")
            #expect(hyperflex["baseline_period_name"] as String == "FY17")
            #expect(hyperflex["baseline_sum_cents"] as Int64 == 900_003 && hyperflex["baseline_amount_cents"] as Int64 == 450_002)
            #expect(hyperflex["baseline_days"] as Int == 364 && hyperflex["program_days"] as Int == 182)
            #expect(hyperflex["amount_cents"] as Int64 == 76_500)
            #expect(try slices("CA6002", "data-center/hyperflex") == [[0, 0, 2_549_998, 30_000, 4, 30_000, 4]])
            // US5006 hyperflex: gold on the last day (tiers.csv) takes 5%.
            #expect(try rebate("US5006", "data-center/hyperflex")?["percent_tier"] as String? == "gold")

            // CA6002 security: above the minimum, marginal: 50,000.00 at 1% and 10,000.00 at 2% (missed 700.00).
            let security = try #require(try rebate("CA6002", "security/core"))
            #expect(security["rebate_base"] as String == "above_minimum" && security["tier_method"] as String == "marginal")
            #expect(security["base_cents"] as Int64 == 6_000_000 && security["amount_cents"] as Int64 == 70_000)
            #expect(
                try slices("CA6002", "security/core") == [
                    [0, 0, 5_000_000, 10_000, 4, 10_000, 4], [1, 5_000_000, 1_000_000, 20_000, 4, 20_000, 4],
                ])

            // CA6001 voice, enrolled 2017-08-27 after the cut-off: a 20,000.00 phone and a 9,000.00 licence left out.
            let late = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT l.* FROM run_row_left_out l JOIN run_rows r ON r.id = l.row_id
                        WHERE r.run_id = 1 AND r.partner_id = 'CA6001' AND r.item = 'collaboration/voice'
                        """))
            #expect(late["enrolled_late_on"] as String == "2017-08-27")
            #expect(late["before_enrollment_lines"] as Int == 1 && late["before_enrollment_volume_cents"] as Int64 == 2_000_000)
            #expect(late["attach_before_enrollment_lines"] as Int == 1 && late["attach_before_enrollment_volume_cents"] as Int64 == 900_000)
            #expect(late["outside_product_dates_lines"] as Int == 0 && late["outside_product_dates_volume_cents"] as Int64 == 0)
            // US5001 ucs: the M4 server booked 2017-10-01, after its entry's until, 12,000.00.
            let dates = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT l.* FROM run_row_left_out l JOIN run_rows r ON r.id = l.row_id
                        WHERE r.run_id = 1 AND r.partner_id = 'US5001' AND r.item = 'data-center/ucs'
                        """))
            #expect(dates["enrolled_late_on"] as String? == nil)
            #expect(dates["outside_product_dates_lines"] as Int == 1 && dates["outside_product_dates_volume_cents"] as Int64 == 1_200_000)

            // Tiers: only the two partners with a tier history, taken on the period's last day 2018-01-27.
            let tiers = try Row.fetchAll(
                db, sql: "SELECT partner_id, tier, taken_on, valid_from FROM run_partner_tiers WHERE run_id = 1 ORDER BY partner_id"
            ).map { [$0[0] as String, $0[1] as String, $0[2] as String, ($0[3] as String?) ?? "-"] }
            #expect(tiers == [["US5006", "gold", "2018-01-27", "2018-01-27"], ["US5010", "registered", "2018-01-27", "2017-06-01"]])
            // Every one of the 14 rows has its computation and its left-out lines.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_row_rebates") == 14)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_row_left_out") == 14)
        }
    }

    /// A run of v1 programs writes no row into the new tables, and reads back as `compute` gave it.
    @Test func aV1RunWritesNothingNewAndReadsBackUnchanged() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        _ = try workspace.run()
        for table in Self.v2Tables { #expect(try Self.count(workspace, table) == 0, "\(table)") }
        let computed = try Self.computed(workspace)
        #expect(computed.rows.allSatisfy { $0.rebate == nil && $0.leftOut == nil })
        #expect(computed.rows.count > 10)
        let stored = try workspace.runResult(1).result
        #expect(ResultsJSON.render(stored) == ResultsJSON.render(computed))
        #expect(ResultsCSV.render(stored.rows) == ResultsCSV.render(computed.rows))
        #expect(stored.rows.allSatisfy { $0.rebate == nil && $0.leftOut == nil })
        #expect(stored.programs.allSatisfy { $0.partners.allSatisfy { $0.tier == nil } })
        let partner = try #require(computed.rows.first?.partnerID)
        #expect(ResultsJSON.render(try workspace.runResult(1, partner: partner).result) == ResultsJSON.render(Self.only(partner, computed)))
    }

    /// A v1 run after a v2 run (ids further on) and a v2 run after a v1 run each read back only their own facts.
    @Test func runsOfBothKindsInOneWorkspaceKeepTheirOwnFacts() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.vip30Workspace(sandbox)
        let v2 = ResultsJSON.render(try Self.computed(workspace))
        _ = try workspace.run()
        // A plain (v1) program over the same data, run alone, then both.
        let v1Program = try sandbox.write(
            """
            id: VIP-PLAIN
            kind: vip
            name: Plain VIP
            currency: USD
            period: {start: 2017-07-30, end: 2018-01-27}
            count_bookings_by: booked_on
            eligible_tiers: [gold, premier, select]
            knowledge_deadline: period_end
            tracks:
              - id: data-center
                name: Data Center
                subtracks:
                  - id: ucs
                    name: UCS
                    rebate_percent: 2
                    products: ["UCS*"]
                    minimum_volume: 50000

            """, to: "plain.yaml")
        _ = try workspace.addProgram(file: v1Program)
        for partner in ["US5001", "US5010"] {
            _ = try workspace.enroll(partner: partner, program: "VIP-PLAIN", subtrack: "data-center/ucs", on: try #require(Day(iso: "2017-08-01")))
        }
        let before = try Self.v2Tables.map { try Self.count(workspace, $0) }
        #expect(before == [14, 15, 14, 2])
        _ = try workspace.run(programIDs: ["VIP-PLAIN"])
        // No rebate computation or left-out lines for a v1 program; the tier history (§5.5) is every program's:
        // the two partners with one get their tier of 2018-01-27 here too.
        #expect(try Self.v2Tables.map { try Self.count(workspace, $0) } == [14, 15, 14, 4])
        let plain = try Self.computed(workspace)
        let plainOnly = ComputeResult(programs: plain.programs.filter { $0.program.id == "VIP-PLAIN" })
        #expect(plainOnly.rows.count == 2)
        #expect(plainOnly.rows.allSatisfy { $0.rebate == nil && $0.leftOut == nil })
        #expect(plainOnly.programs[0].partners.compactMap(\.tier).map(\.tier) == [.gold, .registered])
        #expect(ResultsJSON.render(try workspace.runResult(2).result) == ResultsJSON.render(plainOnly))
        _ = try workspace.run()
        #expect(ResultsJSON.render(try workspace.runResult(3).result) == ResultsJSON.render(plain))
        #expect(ResultsJSON.render(try workspace.runResult(1).result) == v2)
    }

    /// A workspace made by the previous schema (migrations up to v5), holding a run of the v2 program as the
    /// previous version stored it, upgrades in place: its run reads back as before (no v2 facts), and a new run
    /// keeps them.
    @Test func aWorkspaceOfThePreviousSchemaUpgradesAndItsRunsReadBack() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        // A run stored by this version, to take the previous version's tables from.
        let source = try Self.vip30Workspace(sandbox, name: "source.sqlite")
        _ = try source.run()
        let computed = try Self.computed(source)
        try source.pool.close()

        let path = sandbox.path("old.sqlite")
        do {
            var configuration = Workspace.configuration()
            configuration.foreignKeysEnabled = false
            let pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(Workspace.applicationID)") }
            try Schema.migrator.migrate(pool, upTo: "v5-tier-history")
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [sandbox.path("source.sqlite")])
                let tables = try String.fetchAll(
                    db, sql: "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
                #expect(tables.contains("run_rows") && tables.contains("tiers"))
                #expect(Set(tables).isDisjoint(with: Self.v2Tables))
                try db.inTransaction {
                    // The previous schema's columns only (later migrations added some, e.g. `added_by`).
                    for table in tables {
                        let columns = try db.columns(in: table, in: "main").map(\.name).joined(separator: ", ")
                        try db.execute(sql: "INSERT INTO main.\(table) (\(columns)) SELECT \(columns) FROM source.\(table)")
                    }
                    // That schema kept a row's checks in `run_checks`, a row per check (`v19-checks-in-rows` moves them
                    // into their rows): written from the source rows' blobs.
                    var checks = 0
                    for row in try Row.fetchAll(db, sql: "SELECT id, checks FROM source.run_rows WHERE checks IS NOT NULL ORDER BY id") {
                        let id: Int64 = row[0], blob: Data = row[1]
                        for (position, check) in try blob.withUnsafeBytes({ try CheckBlobs.decode($0, partner: "", row: id) }).enumerated() {
                            try db.execute(
                                sql: "INSERT INTO main.run_checks(row_id, position, code, passed, reason, explanation) VALUES (?, ?, ?, ?, ?, ?)",
                                arguments: [id, position, check.code.rawValue, check.passed, check.reason, check.explanation])
                            checks += 1
                        }
                    }
                    #expect(checks > 14)
                    return .commit
                }
                try db.execute(sql: "DETACH DATABASE source")
            }
            try pool.close()
        }
        let old = try Workspace.open(at: path)
        let migrations = try old.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(migrations.contains("v6-run-rules-v2") && Set(migrations) == Set(Schema.migrator.migrations))
        for table in Self.v2Tables { #expect(try Self.count(old, table) == 0, "\(table)") }
        // The old run: every v1 column and check as computed, no rebate, left-out lines or tier.
        let stored = try old.runResult(1).result
        #expect(stored.rows.count == 14)
        #expect(stored.rows.allSatisfy { $0.rebate == nil && $0.leftOut == nil })
        #expect(stored.programs[0].partners.allSatisfy { $0.tier == nil })
        #expect(ResultsJSON.render(stored) == ResultsJSON.render(Self.withoutV2Facts(computed)))
        #expect(ResultsCSV.render(stored.rows) == ResultsCSV.render(computed.rows))
        #expect(
            ResultsJSON.render(try old.runResult(1, partner: "US5010").result)
                == ResultsJSON.render(Self.only("US5010", Self.withoutV2Facts(computed))))
        // A run after the upgrade keeps every fact.
        _ = try old.run()
        #expect(ResultsJSON.render(try old.runResult(2).result) == ResultsJSON.render(computed))
        #expect(ResultsJSON.render(try old.runResult(1).result) == ResultsJSON.render(Self.withoutV2Facts(computed)))
    }

    /// A stored value the reader does not know is a damaged workspace, named, not a guess.
    @Test func anUnknownStoredValueIsADamagedWorkspace() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Self.vip30Workspace(sandbox)
        _ = try workspace.run()
        try workspace.pool.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE run_partner_tiers SET tier = 'platinum' WHERE partner_id = 'US5010'")
        }
        let error = try #require(workspaceError { _ = try workspace.runResult(1, partner: "US5010") })
        #expect(error.message == "run 1 holds an unknown tier platinum")
        #expect(ResultsJSON.render(try workspace.runResult(1, partner: "US5006").result).contains("\"tier\" : \"gold\""))
    }
}
