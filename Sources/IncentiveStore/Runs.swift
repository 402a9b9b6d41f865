import Foundation
import GRDB
import IncentiveEngine
import Synchronization

/// Which checks `runResult` reads back with a stored run's rows.
public enum StoredChecks: Sendable {
    /// Every check with its explanation (the JSON of the results, explanations, diffs).
    case all
    /// Only the failed checks, without their explanations: what the results CSV, the summary table and the
    /// results workbook show (each row's reasons). A run of 100,000 partners holds millions of explanations.
    case failedReasons
    /// No checks (the summary table of `run` after an incremental run: amounts, eligibility and statuses).
    case none
}

/// What `Workspace.run` stored: the run, the figures of its summary table, the warnings of its input.
public struct RunOutcome: Sendable {
    public var summary: RunSummary
    /// Per program, in the run's order (by id).
    public var figures: [ProgramFigures]
    public var warnings: DiagnosticCollector
    let workspace: Workspace
    /// A full run's results as computed (an incremental run computed only some partners').
    let computed: ComputeResult?

    /// Every partner's results: a full run's as computed, an incremental run's read back from the workspace.
    public var result: ComputeResult {
        get throws {
            if let computed { return computed }
            return try workspace.runResult(summary.id).result
        }
    }
}

/// A stored run: when, with what, and its totals.
public struct RunSummary: Sendable {
    public var id: Int
    public var startedAt: String
    public var finishedAt: String
    public var engineVersion: String
    public var dataDigest: String
    public var inputsDigest: String
    public var bookingLines: Int
    public var partners: Int
    /// Sorted by program id.
    public var programs: [(id: String, version: Int)]
    public var amount: Money
    public var missedAmount: Money
    /// The largest import id committed when the run read its data: the run is the data as known at that
    /// import (0: nothing imported yet); nil for runs stored before the workspace kept history.
    public var knownImport: Int?
    /// How `dataDigest` was made: 2, the SHA-256 of the tables' multiset digests (every run stored by this version); 1,
    /// the SHA-256 of the canonical CSV of all the data (full runs stored by earlier versions).
    public var digestScheme: Int = 1
    /// The run whose stored results of the partners that did not change an incremental run took (nil: a full run).
    public var baseRun: Int? = nil
    /// For a run stored anchored (only the partners it computed), the run it takes every other partner's stored
    /// results from (`RunRows`); nil when the run holds every partner's results itself.
    public var anchorRun: Int? = nil
}

extension Workspace {
    /// Computes every program (or those named) from the workspace with the engine and stores the run:
    /// the program versions, the digests of its inputs, and every result row with its checks.
    ///
    /// When the previous run can be built on (`incrementalInput`: same engine, programs, enrolments, products and
    /// rates, and every import since it recorded its partners), only the partners whose rows changed since are
    /// computed, and the stored results of the others are taken from that run: the stored run is byte for byte
    /// what a full run stores. `full` computes every partner whatever changed. The result returned is the computed one
    /// for a full run; for an incremental run it is the stored run read back when asked for (`RunOutcome.result`), and
    /// the figures of the summary table are counted in the database.
    public func run(
        programIDs: [String] = [], full: Bool = false, remedies: Remedies = .plain, by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> RunOutcome {
        let started = now()
        if !full, let incremental = try incrementalInput(programIDs: programIDs) {
            return try storeIncremental(incremental, started: started, by: actor)
        }
        // The input (every partner's rows and totals) is let go before the results are written: at 100,000
        // partners it and the results with their explanations would otherwise be held together.
        let (result, record, lineCount, partnerCount, warnings) = try { () throws(DiagnosticReport) in
            let (input, record) = try loadInput(programIDs: programIDs, remedies: remedies, digests: .multiset)
            return (Engine.compute(input), record, input.totals.lineCount, input.dataset.partners.count, input.warnings)
        }()
        // The summary figures (a pass over every partner's rows) are counted beside the writing, once: those stored keep
        // more of the largest amounts than the summary table shows, which shows the first of them.
        let kept = figuresKept.load(ordering: .relaxed)
        let figures = Beside { result.programs.map { ProgramFigures($0, keeping: kept) } }
        do {
            let id = try writeTransaction(journalsInMemory: true) { db throws -> Int in
                try db.execute(
                    sql: """
                        INSERT INTO runs(started_at, finished_at, engine_version, data_digest, inputs_digest, booking_lines, partners, known_import,
                                         digest_scheme)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2)
                        """,
                    arguments: [
                        started, now(), Engine.version, record.dataDigest, record.inputsDigest, lineCount, partnerCount, record.knownImport,
                    ])
                let id = Int(db.lastInsertedRowID)
                for (position, program) in record.programVersions.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO run_programs(run_id, position, program_id, version) VALUES (?, ?, ?, ?)",
                        arguments: [id, position, program.id, program.version])
                }
                try Self.withWriteCache(db) { try Self.writeResults(db, run: id, result: result) }
                try RunFigures.store(db, run: id, figures: figures.value)
                if let digests = record.tableDigests { try digests.store(db, importID: record.knownImport) }
                try auditRun(db, actor, id: id, record: record, lines: lineCount, partners: partnerCount)
                Failpoint.reach("run-before-commit")
                return id
            }
            return RunOutcome(
                summary: try runSummary(id), figures: figures.value, warnings: warnings, workspace: self, computed: result)
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "the run was not stored: \(error)"))
        }
    }

    /// Runs `body` (the writing of a run's results) with the writer's page cache at `runWriteCacheKiB`, then puts it
    /// back at the import's size. A run's rows are appended in key order (and its totals' two indexes grow within the
    /// run's own range), so a small cache writes them as fast (measured at 10 million lines); the import's 64 MiB, filled by the writing, added 10 MB to
    /// the peak memory of `run` at 100,000 partners and 10 million lines.
    static func withWriteCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA cache_size = -\(runWriteCacheKiB)")
        defer { try? db.execute(sql: "PRAGMA cache_size = -\(Workspace.writerCacheKiB)") }
        return try body()
    }

    static let runWriteCacheKiB = 16_384

    /// Writes every partner's status, totals, result rows with their checks (`CheckBlobs`) and rules-v2 facts of `result`
    /// into run `id`.
    static func writeResults(_ db: Database, run id: Int, result: ComputeResult) throws {
        // Bound straight through SQLite, value by value (`StatementBinder`): a run of 100,000 partners writes more than
        // half a million rows, where GRDB's arguments cost a fifth of the writing and an array of values per row a third.
        // Totals and rows go in `BatchedInsert.rows` to a statement; the rows with their ids given, those SQLite would
        // give them (one past the largest stored, in order), which the rules-v2 facts that refer to them need.
        let partnerCount = result.programs.reduce(0) { $0 + $1.partners.count }
        let rowCount = result.programs.reduce(0) { sum, program in program.partners.reduce(sum) { $0 + $1.rows.count } }
        var totals = try BatchedInsert(
            db, "INSERT INTO run_partner_totals(run_id, program_id, partner_id, status, amount_cents, missed_amount_cents) VALUES",
            columns: 6, count: partnerCount)
        var rows = try BatchedInsert(
            db,
            """
            INSERT INTO run_rows(id, run_id, program_id, partner_id, item, qualifying_volume_cents, threshold_cents, eligible,
                                 amount_cents, missed_amount_cents, reasons, checks)
            VALUES
            """, columns: 12, count: rowCount)
        var rowID = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM run_rows") ?? 0
        // The facts of formats.md §5.6: written only for the rows and partners that carry them, each once the statement
        // that holds its partner's totals (a tier) or its row (a rebate, a line left out) has run.
        let v2 = try StoredV2Facts.Statements(db)
        var pendingTiers: [(program: String, partner: String, tier: TierOnDay)] = []
        var pendingFacts: [(id: Int64, row: ResultRow)] = []
        let run = Int64(id)
        let checks = CheckBlobFeed(result)
        defer { checks.finish() }
        for programResult in result.programs {
            let programID = programResult.program.id
            for partner in programResult.partners {
                if let tier = partner.tier { pendingTiers.append((programID, partner.partnerID, tier)) }
                let written = try totals.add { binder in
                    binder.bind(run)
                    binder.bind(programID)
                    binder.bind(partner.partnerID)
                    binder.bind(partner.status.rawValue)
                    binder.bind(partner.amount.cents)
                    binder.bind(partner.missedAmount.cents)
                }
                if written {
                    for (program, partner, tier) in pendingTiers { try v2.insert(tier, run: id, program: program, partner: partner) }
                    pendingTiers.removeAll(keepingCapacity: true)
                }
                for row in partner.rows {
                    rowID += 1
                    if row.rebate != nil || row.leftOut != nil { pendingFacts.append((rowID, row)) }
                    let written = try rows.add { binder in
                        binder.bind(rowID)
                        binder.bind(run)
                        binder.bind(programID)
                        binder.bind(row.partnerID)
                        binder.bind(row.item)
                        binder.bind(row.qualifyingVolume.cents)
                        binder.bind(row.threshold.cents)
                        binder.bind(row.eligible)
                        binder.bind(row.amount.cents)
                        binder.bind(row.missedAmount.cents)
                        binder.bind(row.reasons.count == 1 ? row.reasons[0] : row.reasons.joined(separator: ";"))
                        checks.bindNext(to: &binder)
                    }
                    if written {
                        for (id, row) in pendingFacts {
                            if let rebate = row.rebate { try v2.insert(rebate, row: id) }
                            if let leftOut = row.leftOut { try v2.insert(leftOut, row: id) }
                        }
                        pendingFacts.removeAll(keepingCapacity: true)
                    }
                }
            }
        }
    }

    public func hasRun(_ id: Int) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)", arguments: [id]) ?? false }
    }

    /// Every run, oldest first.
    public func runs() throws -> [RunSummary] {
        try pool.read { db in try Int.fetchAll(cached: db, sql: "SELECT id FROM runs ORDER BY id").map { try runSummary(db, $0) } }
    }

    public func runSummary(_ id: Int) throws -> RunSummary {
        try pool.read { db in try runSummary(db, id) }
    }

    /// Read in a committed snapshot only (a run being written could still roll back).
    func runSummary(_ db: Database, _ id: Int) throws -> RunSummary {
        if let kept = runSummaries.withLock({ $0[id] }) { return kept }
        let summary = try readRunSummary(db, id)
        runSummaries.withLock { kept in
            if kept.count >= 1_024 { kept.removeAll() }
            kept[id] = summary
        }
        return summary
    }

    /// The program version a stored run used, parsed; kept by (id, version), which never change.
    func runProgram(_ db: Database, run: Int, id: String, version: Int) throws -> Program {
        let key = "\(id)\u{0}\(version)"
        if let kept = runPrograms.withLock({ $0[key] }) { return kept }
        guard let stored = try ProgramStore.version(db, id: id, version: version) else {
            throw WorkspaceError(.damaged, "run \(run) used \(id) v\(version), which is missing")
        }
        let program = try ProgramStore.parse(stored)
        runPrograms.withLock { $0[key] = program }
        return program
    }

    private func readRunSummary(_ db: Database, _ id: Int) throws -> RunSummary {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else {
            let last = try Int.fetchOne(cached: db, sql: "SELECT MAX(id) FROM runs")
            guard let last else { throw WorkspaceError(.notFound, "no run \(id) in the workspace (it has no runs yet)", detail: .noRunsYet(run: id)) }
            throw WorkspaceError(.notFound, "no run \(id) in the workspace (runs are 1 to \(last))")
        }
        let programs = try Row.fetchAll(
            cached: db, sql: "SELECT program_id, version FROM run_programs WHERE run_id = ? ORDER BY position", arguments: [id]
        )
        .map { (id: $0[0] as String, version: $0[1] as Int) }
        let anchor: Int? = row["anchor_run"]
        // The kept figures' sums when the run has them, else a sum over all the run's rows: done once per run, as the
        // summary is then kept (`runSummaries`).
        let kept = try Row.fetchOne(
            cached: db, sql: "SELECT SUM(amount_cents), SUM(missed_amount_cents) FROM run_figures WHERE run_id = ?", arguments: [id])
        let sums = try kept.flatMap { $0[0] == nil ? nil : $0 } ?? Row.fetchOne(
            db,
            sql: "SELECT COALESCE(SUM(amount_cents), 0), COALESCE(SUM(missed_amount_cents), 0) FROM \(RunRows(run: id, anchor: anchor).from("run_rows"))")!
        return RunSummary(
            id: id, startedAt: row["started_at"], finishedAt: row["finished_at"], engineVersion: row["engine_version"],
            dataDigest: row["data_digest"], inputsDigest: row["inputs_digest"], bookingLines: row["booking_lines"], partners: row["partners"],
            programs: programs, amount: Money(cents: sums[0]), missedAmount: Money(cents: sums[1]), knownImport: row["known_import"],
            digestScheme: row["digest_scheme"], baseRun: row["base_run"], anchorRun: anchor)
    }

    /// A stored run's results, rebuilt exactly as `compute` produced them (same programs, partners, rows, checks).
    /// With `partner`, only that partner's results (the programs' lists hold just that partner).
    public func runResult(_ id: Int, partner: String? = nil, checks: StoredChecks = .all) throws -> (summary: RunSummary, result: ComputeResult) {
        try pool.read { db in try runResult(db, id, partner: partner, checks: checks) }
    }

    /// `runResult` inside a read the caller holds.
    func runResult(_ db: Database, _ id: Int, partner: String?, checks detail: StoredChecks = .all) throws -> (
        summary: RunSummary, result: ComputeResult
    ) {
        let summary = try runSummary(db, id)
        // One partner's results are all in one run (an anchored run's own, or its anchor's): read there by key.
        let source = try partner.map { RunRows(run: try RunRows(summary).holder(db, of: $0), anchor: nil) } ?? RunRows(summary)
        var programs: [ProgramResult] = []
        for entry in summary.programs {
            programs.append(try storedProgram(db, run: summary, entry: entry, source: source, partner: partner, checks: detail))
        }
        return (summary, ComputeResult(programs: programs))
    }

    /// A stored run's results a program at a time, in the order of `runResult`: each program's results are handed to
    /// `body` and let go before the next program's are read (all in one read), so that a writer of the whole run
    /// (`runs show --format csv` or `json`) holds one program's results at most.
    public func forEachStoredProgram(_ id: Int, checks: StoredChecks = .all, _ body: (RunSummary, ProgramResult) throws -> Void) throws -> RunSummary {
        try pool.read { db in
            let summary = try runSummary(db, id)
            let source = RunRows(summary)
            for entry in summary.programs {
                try body(summary, try storedProgram(db, run: summary, entry: entry, source: source, partner: nil, checks: checks))
            }
            return summary
        }
    }

    /// One program's stored results in run `summary` (with `partner`, only that partner's), read from `source`.
    func storedProgram(
        _ db: Database, run summary: RunSummary, entry: (id: String, version: Int), source: RunRows, partner: String?, checks detail: StoredChecks
    ) throws -> ProgramResult {
        let id = summary.id
        let program = try runProgram(db, run: id, id: entry.id, version: entry.version)
        // Rows and checks are read straight from SQLite's statements (`forEachRow`), not copied into GRDB rows:
        // the partner API reads one partner's this way on every request.
        var values: [(any DatabaseValueConvertible)?] = [entry.id]
        if let partner { values.append(partner) }
        let condition = partner == nil ? "program_id = ?" : "program_id = ? AND partner_id = ?"
        var stored: [(id: Int64, run: Int, row: ResultRow)] = []
        // A row's checks are in its own `checks`, or for a row an incremental run copied, in those of the row it names
        // (`checks_of`, `CheckBlobs`).
        let checksColumn = detail == .none ? "NULL" : "CASE WHEN r.checks_of IS NULL THEN r.checks ELSE (SELECT h.checks FROM run_rows h WHERE h.id = r.checks_of) END"
        let rows = source.select(
            "r.id, r.run_id, r.partner_id, r.item, r.qualifying_volume_cents, r.threshold_cents, r.eligible, r.amount_cents, "
                + "r.missed_amount_cents, \(checksColumn)",
            from: "run_rows r", where: condition, orderBy: "id")
        try db.forEachRow(cached: rows.sql, arguments: RunRows.arguments(values, arms: rows.arms)) { row in
            let rowID = row.int64(0)
            let partnerID = row.text(2)
            let checks = try CheckBlobs.decode(row.blob(9), failedOnly: detail == .failedReasons, partner: partnerID, row: rowID)
            stored.append(
                (
                    rowID, Int(row.int64(1)),
                    ResultRow(
                        program: program.id, kind: program.kind, partnerID: partnerID, item: row.text(3),
                        qualifyingVolume: Money(cents: row.int64(4)), threshold: Money(cents: row.int64(5)), eligible: row.bool(6),
                        amount: Money(cents: row.int64(7)), missedAmount: Money(cents: row.int64(8)), checks: checks)
                ))
        }
        // The rules-v2 facts of these rows, looked up by the range of their ids in each run they are stored in (a
        // run's rows have ids of their own, one range); only a program using the rules of formats.md §5.2-5.4 has
        // them (a partner's tier, below, any program may).
        if program.usesV2Rules {
            for run in Set(stored.map(\.run)) {
                let ids = stored.lazy.filter { $0.run == run }.map(\.id)
                guard let first = ids.min(), let last = ids.max() else { continue }
                let facts = try StoredV2Facts.rows(db, run: run, ids: first...last)
                if facts.rebates.isEmpty && facts.leftOut.isEmpty { continue }
                for index in stored.indices where stored[index].run == run {
                    let rowID = stored[index].id
                    if let rebate = facts.rebates[rowID] { stored[index].row.rebate = rebate }
                    if let leftOut = facts.leftOut[rowID] { stored[index].row.leftOut = leftOut }
                }
            }
        }
        var rowsByPartner: [String: [ResultRow]] = [:]
        for (_, _, row) in stored { rowsByPartner[row.partnerID, default: []].append(row) }
        let tiers = try StoredV2Facts.tiers(db, run: source, program: entry.id, partner: partner)
        var partners: [PartnerResult] = []
        let totals = source.select("partner_id, status", from: "run_partner_totals", where: condition, orderBy: "partner_id")
        try db.forEachRow(cached: totals.sql, arguments: RunRows.arguments(values, arms: totals.arms)) { row in
            let partnerID = row.text(0), statusText = row.text(1)
            guard let status = PartnerStatus(rawValue: statusText) else {
                throw WorkspaceError(.damaged, "run \(id) holds an unknown status \(statusText)")
            }
            partners.append(PartnerResult(partnerID: partnerID, status: status, rows: rowsByPartner[partnerID] ?? [], tier: tiers[partnerID]))
        }
        return ProgramResult(program: program, partners: partners)
    }
}

/// Rows of one table inserted `rows` to a statement while at least that many are left to insert, then one statement
/// each (`count`, the number to insert, is known beforehand): SQLite's work per statement (step, reset, the program's
/// start) is paid once for 32 rows. One statement each, the 300,000 partner totals and 211,341 result rows of a
/// 100,000-partner run took about 0.2 s and 0.4 s more of its 6-7 s (alternated pairs, 2026-12-02).
struct BatchedInsert {
    static let rows = 32
    private var one: StatementBinder
    private var many: StatementBinder
    /// How many rows go through `many`: the most that fill whole statements.
    private let inMany: Int
    private var added = 0

    /// `insert`: the statement up to `VALUES`; `columns`: the parameters of a row.
    init(_ db: Database, _ insert: String, columns: Int, count: Int) throws {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        one = StatementBinder(try db.makeStatement(sql: insert + " " + row), connection: db.sqliteConnection)
        many = StatementBinder(
            try db.makeStatement(sql: insert + " " + Array(repeating: row, count: Self.rows).joined(separator: ", ")),
            connection: db.sqliteConnection)
        inMany = count - count % Self.rows
    }

    /// Binds the next row with `bind`; true when it was written, with every row added before it.
    mutating func add(_ bind: (inout StatementBinder) -> Void) throws -> Bool {
        added += 1
        if added <= inMany {
            bind(&many)
            guard added % Self.rows == 0 else { return false }
            try many.step()
        } else {
            bind(&one)
            try one.step()
        }
        return true
    }
}
