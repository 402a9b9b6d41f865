import Foundation
import GRDB
import IncentiveEngine

/// Runs stored as a change to an earlier run (issue 16 point 4, docs/workspace.md "Anchored runs"), migration
/// `v17-anchored-runs`:
///
/// - `runs.anchor_run`: for a run stored anchored, the run whose stored results it takes for every partner it did
///   not compute (NULL: the run holds every partner's results itself). An anchor always holds all of its own.
/// - `run_recomputed(run_id, partner_id)`: the partners an anchored run computed, those that no longer exist
///   included: their results in the anchor are not the run's. Append-only.
/// - `run_figures` and `run_largest`: per run and program, the figures of the summary table (`ProgramFigures`) with
///   the `RunFigures.kept` largest amounts, written with the run: an incremental run's follow from its base run's and
///   the partners it computed, without a pass over the run. Runs stored before have none (counted when needed).
///
/// A run after a small import used to copy every unchanged partner's totals, rows and facts (half a million rows
/// at 100,000 partners, 1.2 of its 1.9 seconds with the commit); an anchored run writes only what it computed.
enum AnchoredRuns {
    /// An incremental run is stored anchored when at most this many partners in a hundred changed since its anchor;
    /// above, it copies the anchor's other partners and becomes an anchor itself (its readers then read one run).
    static let largestSharePercent = 10

    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v17-anchored-runs") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN anchor_run INTEGER REFERENCES runs(id);
                    CREATE TABLE run_recomputed (
                        run_id INTEGER NOT NULL REFERENCES runs(id),
                        partner_id TEXT NOT NULL,
                        PRIMARY KEY (run_id, partner_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_figures (
                        run_id INTEGER NOT NULL REFERENCES runs(id),
                        program_id TEXT NOT NULL,
                        partners_taking_part INTEGER NOT NULL,
                        eligible_partners INTEGER NOT NULL,
                        rows INTEGER NOT NULL,
                        eligible_rows INTEGER NOT NULL,
                        amount_cents INTEGER NOT NULL,
                        missed_amount_cents INTEGER NOT NULL,
                        largest_complete INTEGER NOT NULL,
                        PRIMARY KEY (run_id, program_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_largest (
                        run_id INTEGER NOT NULL,
                        program_id TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        partner_id TEXT NOT NULL,
                        item TEXT NOT NULL,
                        amount_cents INTEGER NOT NULL,
                        PRIMARY KEY (run_id, program_id, position),
                        FOREIGN KEY (run_id, program_id) REFERENCES run_figures(run_id, program_id)
                    ) WITHOUT ROWID;
                    """)
            for table in ["run_recomputed", "run_figures", "run_largest"] { try LedgerSchema.appendOnly(db, table) }
        }
    }
}

/// The figures of a stored run's summary table (`ProgramFigures`), kept with the run (`run_figures`, `run_largest`).
enum RunFigures {
    /// How many of each program's largest amounts a run keeps: an incremental run's list is its base run's less the
    /// partners it computed, merged with theirs; when fewer than `SummaryTable.largestCount` are left, the run's own
    /// rows are ranked instead.
    static let kept = 50

    static func store(_ db: Database, run: Int, figures: [ProgramFigures]) throws {
        for figure in figures {
            try db.execute(
                sql: """
                    INSERT INTO run_figures(run_id, program_id, partners_taking_part, eligible_partners, rows, eligible_rows, amount_cents,
                                            missed_amount_cents, largest_complete)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run, figure.program.id, figure.partnersTakingPart, figure.eligiblePartners, figure.rows, figure.eligibleRows,
                    figure.amount.cents, figure.missedAmount.cents, figure.largestComplete,
                ])
            for (position, largest) in figure.largest.enumerated() {
                try db.execute(
                    sql: "INSERT INTO run_largest(run_id, program_id, position, partner_id, item, amount_cents) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [run, figure.program.id, position, largest.partnerID, largest.item, largest.amount.cents])
            }
        }
    }

    /// Run `run`'s kept figures of `program`, nil when it has none (a run stored before `v17-anchored-runs`).
    static func stored(_ db: Database, run: Int, program: Program) throws -> ProgramFigures? {
        guard
            let row = try Row.fetchOne(
                cached: db,
                sql: """
                    SELECT partners_taking_part, eligible_partners, rows, eligible_rows, amount_cents, missed_amount_cents, largest_complete
                    FROM run_figures WHERE run_id = ? AND program_id = ?
                    """, arguments: [run, program.id])
        else { return nil }
        let largest = try Row.fetchAll(
            cached: db, sql: "SELECT partner_id, item, amount_cents FROM run_largest WHERE run_id = ? AND program_id = ? ORDER BY position",
            arguments: [run, program.id]
        ).map { LargestAmount(partnerID: $0[0], item: $0[1], amount: Money(cents: $0[2])) }
        return ProgramFigures(
            program: program, partnersTakingPart: row[0], eligiblePartners: row[1], rows: row[2], eligibleRows: row[3],
            amount: Money(cents: row[4]), missedAmount: Money(cents: row[5]), largest: largest, largestComplete: row[6])
    }

    /// Stored run `source`'s figures of `program` counted by SQLite over its totals and rows (a pass over the run).
    static func counted(_ db: Database, _ source: RunRows, program: Program, kept: Int = kept) throws -> ProgramFigures {
        let totals = source.select("status, amount_cents, missed_amount_cents", from: "run_partner_totals", where: "program_id = ?")
        var takingPart = 0, eligible = 0
        var amount: Int64 = 0, missed: Int64 = 0
        try db.forEachRow(
            cached: "SELECT status, COUNT(*), SUM(amount_cents), SUM(missed_amount_cents) FROM (\(totals.sql)) GROUP BY status",
            arguments: RunRows.arguments([program.id], arms: totals.arms)
        ) { row in
            let status = try status(row.text(0), run: source.run)
            let count = Int(row.int64(1))
            if status.takesPart { takingPart += count }
            if status.isEligible { eligible += count }
            amount += row.int64(2)
            missed += row.int64(3)
        }
        let rows = source.select("eligible, amount_cents", from: "run_rows", where: "program_id = ?")
        let counts = try Row.fetchOne(
            db, sql: "SELECT COUNT(*), COALESCE(SUM(eligible <> 0), 0), COALESCE(SUM(amount_cents > 0), 0) FROM (\(rows.sql))",
            arguments: RunRows.arguments([program.id], arms: rows.arms))
        let paid = source.select("partner_id, item, amount_cents", from: "run_rows", where: "program_id = ? AND amount_cents > 0")
        let largest = try Row.fetchAll(
            db, sql: "SELECT partner_id, item, amount_cents FROM (\(paid.sql)) ORDER BY amount_cents DESC, partner_id || item LIMIT ?",
            arguments: RunRows.arguments([program.id], arms: paid.arms) + [kept]
        ).map { LargestAmount(partnerID: $0[0], item: $0[1], amount: Money(cents: $0[2])) }
        return ProgramFigures(
            program: program, partnersTakingPart: takingPart, eligiblePartners: eligible, rows: counts?[0] ?? 0, eligibleRows: counts?[1] ?? 0,
            amount: Money(cents: amount), missedAmount: Money(cents: missed), largest: largest, largestComplete: (counts?[2] ?? 0) <= kept)
    }

    /// The figures of an incremental run on `base` that computed the partners `changed` (a JSON array) with `result`:
    /// the base run's (kept or counted), less those partners' stored totals and rows in it, plus what was computed.
    /// `run` is the new run, already written, ranked when too few of the base's largest amounts are left.
    static func incremental(
        _ db: Database, base: RunSummary, programs: [Program], changed: String, result: ComputeResult, run: RunRows, kept: Int = kept
    ) throws
        -> [ProgramFigures]
    {
        try programs.map { program in
            var figures = try stored(db, run: base.id, program: program) ?? counted(db, RunRows(base), program: program, kept: kept)
            var takingPart = figures.partnersTakingPart, eligible = figures.eligiblePartners, rows = figures.rows
            var eligibleRows = figures.eligibleRows
            var amount = figures.amount.cents, missed = figures.missedAmount.cents
            // The base run's stored results of the computed partners, in the run that holds each (the base may be anchored).
            let source = RunRows(base)
            let condition = "program_id = ? AND partner_id IN (SELECT value FROM json_each(?))"
            let totals = source.select("status, amount_cents, missed_amount_cents", from: "run_partner_totals", where: condition)
            try db.forEachRow(cached: totals.sql, arguments: RunRows.arguments([program.id, changed], arms: totals.arms)) { row in
                let status = try status(row.text(0), run: base.id)
                if status.takesPart { takingPart -= 1 }
                if status.isEligible { eligible -= 1 }
                amount -= row.int64(1)
                missed -= row.int64(2)
            }
            let rowsOf = source.select("eligible", from: "run_rows", where: condition)
            try db.forEachRow(
                cached: "SELECT COUNT(*), COALESCE(SUM(eligible <> 0), 0) FROM (\(rowsOf.sql))",
                arguments: RunRows.arguments([program.id, changed], arms: rowsOf.arms)
            ) { row in
                rows -= Int(row.int64(0))
                eligibleRows -= Int(row.int64(1))
            }
            let computed = ProgramFigures(result.programs.first { $0.program.id == program.id } ?? ProgramResult(program: program, partners: []), keeping: kept)
            let gone = Set(try String.fetchAll(db, sql: "SELECT value FROM json_each(?)", arguments: [changed]))
            let left = figures.largest.filter { !gone.contains($0.partnerID) }
            // What is left of the base's list is its largest amounts of the other partners, as far as it goes; merged
            // with the computed partners', the merge is the run's down to the last amount left (all of it when the
            // base's list was complete).
            var largest: [LargestAmount] = []
            var complete = false
            if figures.largestComplete || left.count >= SummaryTable.largestCount {
                for amount in left + computed.largest { SummaryTable.keepLargest(amount, in: &largest, limit: kept) }
                if figures.largestComplete {
                    complete = computed.largestComplete && left.count + computed.largest.count <= kept
                } else if let last = left.last {
                    largest = largest.filter { !SummaryTable.listedBefore(last, $0) }
                }
            } else {
                let ranked = try counted(db, run, program: program, kept: kept)
                largest = ranked.largest
                complete = ranked.largestComplete
            }
            figures.partnersTakingPart = takingPart + computed.partnersTakingPart
            figures.eligiblePartners = eligible + computed.eligiblePartners
            figures.rows = rows + computed.rows
            figures.eligibleRows = eligibleRows + computed.eligibleRows
            figures.amount = Money(cents: amount + computed.amount.cents)
            figures.missedAmount = Money(cents: missed + computed.missedAmount.cents)
            figures.largest = largest
            figures.largestComplete = complete
            return figures
        }
    }

    static func status(_ text: String, run: Int) throws -> PartnerStatus {
        guard let status = PartnerStatus(rawValue: text) else { throw WorkspaceError(.damaged, "run \(run) holds an unknown status \(text)") }
        return status
    }
}

/// Where a stored run's results are: its own rows of each results table and, for a run stored anchored, the
/// anchor's rows of every partner the run did not compute. Every reader of a run's totals, rows, tiers and facts
/// reads them through this.
struct RunRows: Sendable, Hashable {
    let run: Int
    let anchor: Int?

    init(run: Int, anchor: Int?) {
        self.run = run
        self.anchor = anchor
    }

    init(_ summary: RunSummary) {
        self.init(run: summary.id, anchor: summary.anchorRun)
    }

    /// The run's rows of `table` (which has `run_id` and `partner_id`) whose `condition` holds, as one SELECT of
    /// `columns` per run read (`arms`: 1 or 2; a statement's arguments for `condition` are given once per arm).
    /// With `orderBy`, the arms are merged in that order (each read through its index, `indexedBy`).
    func select(
        _ columns: String, from table: String, indexedBy index: String? = nil, where condition: String = "", orderBy order: String? = nil
    ) -> (sql: String, arms: Int) {
        let indexed = index.map { " INDEXED BY \($0)" } ?? ""
        let extra = condition.isEmpty ? "" : " AND (\(condition))"
        var sql = "SELECT \(columns) FROM \(table)\(indexed) WHERE run_id = \(run)\(extra)"
        if let anchor {
            sql += """

                UNION ALL SELECT \(columns) FROM \(table)\(indexed) WHERE run_id = \(anchor)\(extra)
                AND partner_id NOT IN (SELECT partner_id FROM run_recomputed WHERE run_id = \(run))
                """
        }
        if let order { sql += " ORDER BY \(order)" }
        return (sql, anchor == nil ? 1 : 2)
    }

    /// The run's rows of `table` as a subquery to read FROM (every column, and `run_id` as stored: the anchor's for
    /// the rows taken from it).
    func from(_ table: String) -> String {
        "(\(select("*", from: table).sql))"
    }

    /// The stored run `id`'s rows (its anchor read from `runs`).
    static func of(_ db: Database, _ id: Int) throws -> RunRows {
        RunRows(run: id, anchor: try Int.fetchOne(cached: db, sql: "SELECT anchor_run FROM runs WHERE id = ?", arguments: [id]))
    }

    /// SQL for the run holding the stored results of the partner named by the SQL `partner`: the run itself, or for
    /// an anchored run that did not compute that partner, its anchor.
    func holder(of partner: String) -> String {
        guard let anchor else { return "\(run)" }
        return "(CASE WHEN EXISTS (SELECT 1 FROM run_recomputed WHERE run_id = \(run) AND partner_id = \(partner)) THEN \(run) ELSE \(anchor) END)"
    }

    /// The run holding partner `partner`'s stored results (`holder(of:)` worked out).
    func holder(_ db: Database, of partner: String) throws -> Int {
        guard let anchor else { return run }
        let computed = try Bool.fetchOne(
            cached: db, sql: "SELECT EXISTS (SELECT 1 FROM run_recomputed WHERE run_id = ? AND partner_id = ?)", arguments: [run, partner])
        return computed == true ? run : anchor
    }

    /// An SQL condition: the row of a results table named `alias` is one of the run's.
    func contains(_ alias: String) -> String {
        guard let anchor else { return "\(alias).run_id = \(run)" }
        return "\(alias).run_id IN (\(run), \(anchor)) AND \(alias).run_id = \(holder(of: "\(alias).partner_id"))"
    }

    /// `values` once per arm of a statement made by `select`.
    static func arguments(_ values: [(any DatabaseValueConvertible)?], arms: Int) -> StatementArguments {
        StatementArguments(Array([[(any DatabaseValueConvertible)?]](repeating: values, count: arms).joined()))
    }
}
