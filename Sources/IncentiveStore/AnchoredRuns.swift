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
                    CREATE TRIGGER run_recomputed_append_only_update BEFORE UPDATE ON run_recomputed
                    BEGIN SELECT RAISE(ABORT, 'run_recomputed is append-only'); END;
                    CREATE TRIGGER run_recomputed_append_only_delete BEFORE DELETE ON run_recomputed
                    BEGIN SELECT RAISE(ABORT, 'run_recomputed is append-only'); END;
                    """)
        }
    }
}

extension Workspace {
    /// The figures of stored run `summary`'s summary table, per program of `programs` (its program versions, in its
    /// order), counted by SQLite over its totals and rows (through `RunRows`).
    static func runFigures(_ db: Database, summary: RunSummary, programs: [Program]) throws -> [ProgramFigures] {
        let source = RunRows(summary)
        return try programs.map { program in
            let totals = source.select("status, amount_cents, missed_amount_cents", from: "run_partner_totals", where: "program_id = ?")
            var takingPart = 0, eligible = 0
            var amount: Int64 = 0, missed: Int64 = 0
            try db.forEachRow(
                cached: "SELECT status, COUNT(*), SUM(amount_cents), SUM(missed_amount_cents) FROM (\(totals.sql)) GROUP BY status",
                arguments: RunRows.arguments([program.id], arms: totals.arms)
            ) { row in
                let text = row.text(0)
                guard let status = PartnerStatus(rawValue: text) else { throw WorkspaceError(.damaged, "run \(summary.id) holds an unknown status \(text)") }
                let count = Int(row.int64(1))
                if status.takesPart { takingPart += count }
                if status.isEligible { eligible += count }
                amount += row.int64(2)
                missed += row.int64(3)
            }
            let rows = source.select("eligible", from: "run_rows", where: "program_id = ?")
            let counts = try Row.fetchOne(
                db, sql: "SELECT COUNT(*), COALESCE(SUM(eligible <> 0), 0) FROM (\(rows.sql))", arguments: RunRows.arguments([program.id], arms: rows.arms))
            let paid = source.select("partner_id, item, amount_cents", from: "run_rows", where: "program_id = ? AND amount_cents > 0")
            let largest = try Row.fetchAll(
                db, sql: "SELECT partner_id, item, amount_cents FROM (\(paid.sql)) ORDER BY amount_cents DESC, partner_id || item LIMIT ?",
                arguments: RunRows.arguments([program.id], arms: paid.arms) + [SummaryTable.largestCount]
            ).map { LargestAmount(partnerID: $0[0], item: $0[1], amount: Money(cents: $0[2])) }
            return ProgramFigures(
                program: program, partnersTakingPart: takingPart, eligiblePartners: eligible, rows: counts?[0] ?? 0, eligibleRows: counts?[1] ?? 0,
                amount: Money(cents: amount), missedAmount: Money(cents: missed), largest: largest)
        }
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
        _ columns: String, from table: String, as alias: String = "", indexedBy index: String? = nil, where condition: String = "",
        orderBy order: String? = nil
    ) -> (sql: String, arms: Int) {
        let indexed = index.map { " INDEXED BY \($0)" } ?? ""
        let named = alias.isEmpty ? "" : " \(alias)"
        let prefix = alias.isEmpty ? "" : "\(alias)."
        let extra = condition.isEmpty ? "" : " AND (\(condition))"
        var sql = "SELECT \(columns) FROM \(table)\(named)\(indexed) WHERE \(prefix)run_id = \(run)\(extra)"
        if let anchor {
            sql += """

                UNION ALL SELECT \(columns) FROM \(table)\(named)\(indexed) WHERE \(prefix)run_id = \(anchor)\(extra)
                AND \(prefix)partner_id NOT IN (SELECT partner_id FROM run_recomputed WHERE run_id = \(run))
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
