import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine
import Synchronization

/// What an incremental run read and computed (docs/workspace.md "Incremental runs").
struct IncrementalInput {
    /// The run it builds on: the latest stored run, or its anchor when that run is stored anchored (`RunRows`).
    var base: RunSummary
    /// The partners whose results are not the base run's, as a JSON array (sorted): every partner whose rows an import
    /// since the base run's known import added, changed or retired (some may no longer exist). Those of an anchored
    /// run (`run_recomputed`).
    var changed: String
    /// Whether the run is stored anchored on the base run (`RunRows`): at most `anchoredSharePercent` of the
    /// partners changed since it.
    var anchored: Bool
    /// The partners actually computed (a JSON array): `changed`, or when the latest run is anchored on the same base,
    /// only those changed since that run (the others of `changed` are `carried`).
    var computed: String
    /// The latest run, when it is anchored on the base run: the results of `carried` (a JSON array: the partners it
    /// computed that no import changed since) are copied from it instead of being computed again.
    var carriedFrom: RunSummary?
    var carried: String
    /// The run whose figures the run's figures follow from (`RunFigures.incremental`): the latest.
    var figuresBase: RunSummary
    /// The data digest (scheme 2) and the inputs digest, the program versions and the known import.
    var record: InputRecord
    /// The scheme of `record.dataDigest`: 2, or the base run's when no partner changed (the data is the base run's,
    /// and so are its digests).
    var scheme: Int
    /// The tables' multiset digests at `record.knownImport`.
    var digests: TableDigests
    /// The results of the changed partners that still exist.
    var result: ComputeResult
    var warnings: DiagnosticCollector
}

extension Workspace {
    /// The input of an incremental run in one snapshot, or nil when a full run is needed: no run yet, the latest run
    /// made by another engine version or with other program versions, no multiset digests recorded at its known
    /// import, an import since that changed enrolments, products or exchange rates, or one made before the workspace
    /// recorded the partners of its imports (or into an empty table), or more than half the partners changed.
    func incrementalInput(programIDs: [String]) throws(DiagnosticReport) -> IncrementalInput? {
        do {
            return try pool.read { db in try incrementalInput(db, programIDs: programIDs) }
        } catch let report as DiagnosticReport {
            throw report
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "reading the workspace failed: \(error)"))
        }
    }

    private func incrementalInput(_ db: Database, programIDs: [String]) throws -> IncrementalInput? {
        guard let latestID = try Int.fetchOne(db, sql: "SELECT MAX(id) FROM runs") else { return nil }
        let latest = try runSummary(db, latestID)
        // The run built on is the one that holds every partner's results: the latest, or the anchor of an anchored
        // latest run (made by the same engine with the same program versions, as it was built on it).
        let base = try latest.anchorRun.map { try runSummary(db, $0) } ?? latest
        let known = try Self.lastImport(db)
        // The tables' digests follow from the latest run's (those of its known import), and only the rows changed since
        // it: an anchored run's base may be many imports back.
        guard latest.engineVersion == Engine.version, base.engineVersion == Engine.version, let baseKnown = base.knownImport,
            let latestKnown = latest.knownImport, baseKnown <= latestKnown, latestKnown <= known,
            var digests = try TableDigests.stored(db, importID: latestKnown)
        else { return nil }
        // The same program versions as the base run (a full run reports any problem of loading them).
        let common = try Self.sharedInput(db, source: path, revision: nil)
        guard !common.problems.hasErrors else { return nil }
        let (selected, unknown) = ProgramSelection.select(common.programs, ids: programIDs)
        guard unknown.isEmpty, !selected.isEmpty else { return nil }
        var programRecords = common.programRecords.filter { record in selected.contains { $0.id.isExactly(record.0) } }
        programRecords.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        guard programRecords.map({ "\($0.0) \($0.1)" }) == base.programs.map({ "\($0.id) \($0.version)" }) else { return nil }
        // Every import since changed only partners' rows, and recorded which partners.
        let recordedFrom =
            Int(try String.fetchOne(db, sql: "SELECT value FROM workspace_info WHERE key = 'import_partners_from'") ?? "") ?? Int.max
        for row in try Row.fetchAll(
            db, sql: "SELECT id, kind, added + changed + retired FROM imports WHERE id > ? AND id <= ?", arguments: [baseKnown, known])
        {
            let id: Int = row[0], kindText: String = row[1], changes: Int = row[2]
            if changes == 0 { continue }
            guard let kind = DataKind(rawValue: kindText), IncrementalSchema.partnerKinds.contains(kind), id >= recordedFrom else { return nil }
        }
        let changed = try String.fetchAll(
            db, sql: "SELECT DISTINCT partner_id FROM import_partners WHERE import_id > ? AND import_id <= ? ORDER BY partner_id",
            arguments: [baseKnown, known])
        if changed.contains(IncrementalSchema.everyPartner) || changed.count * 2 > max(latest.partners, 1) { return nil }
        let changedJSON = String(decoding: try JSONEncoder().encode(changed), as: UTF8.self)

        // The tables' digests at `known`: those its changes recorded (`ImportDigests`), as a full run takes them; else
        // those at the latest run's import, plus each version added since, minus each version retired since that was
        // known then. Every row added since is a changed partner's. (The booking lines added since are then hashed as
        // the changed partners' lines are read, below.) Hashing them, 90,939 versions retired and as many added, was
        // 0.78-0.95 s → 0.42-0.58 s of a run after a change of 1% of 10,000,000 lines (four alternated pairs).
        let recorded = takesRecordedDigests.load(ordering: .relaxed) ? try TableDigests.stored(db, importID: known) : nil
        for kind in IncrementalSchema.partnerKinds where recorded == nil {
            var set = digests[kind]
            let columns = kind.storedColumns.joined(separator: ", ")
            if kind != .bookings {
                try Self.forEachCanonicalRow(
                    db, kind, sql: "SELECT \(columns) FROM \(kind.table) WHERE partner_id IN (SELECT value FROM json_each(?)) AND added_by > ?",
                    arguments: [changedJSON, latestKnown]
                ) { set.update($0, sign: 1) }
            }
            try Self.forEachCanonicalRow(
                db, kind, sql: "SELECT \(columns) FROM \(kind.table)_history WHERE retired_by > ? AND retired_by <= ? AND added_by <= ?",
                arguments: [latestKnown, known, latestKnown]
            ) { set.update($0, sign: -1) }
            digests[kind] = set
        }
        // Stored anchored when few partners changed since the base run. When the latest run is anchored on the base run,
        // only the partners changed since the latest are computed and the latest's results of the others it computed
        // are copied, whether this run is stored anchored too or copies the base's other partners (every row added
        // since the latest run is a computed partner's, hashed below as they are read).
        let anchored = changed.count * 100 <= digests[.partners].rows * anchoredSharePercent.load(ordering: .relaxed)
        var computedJSON = changedJSON, carriedJSON = "[]"
        let carriedFrom = latest.anchorRun == base.id ? latest : nil
        if carriedFrom != nil {
            let since = try String.fetchAll(
                db, sql: "SELECT DISTINCT partner_id FROM import_partners WHERE import_id > ? AND import_id <= ? ORDER BY partner_id",
                arguments: [latestKnown, known])
            let sinceSet = Set(since)
            computedJSON = String(decoding: try JSONEncoder().encode(since), as: UTF8.self)
            carriedJSON = String(decoding: try JSONEncoder().encode(changed.filter { !sinceSet.contains($0) }), as: UTF8.self)
        }

        // The computed partners' rows (through the tables' partner indexes), computed as a full run computes them.
        var collector = DiagnosticCollector()
        let dataset = try Self.dataset(db, source: path, partners: computedJSON, shared: common)
        var accumulator = BookingAccumulator(programs: selected, dataset: dataset)
        let file = bookingsSource
        var buffer: [UInt8] = []
        let added = SetDigestBox()
        try Self.readBookings(
            db, dataset: dataset, partner: nil, partners: computedJSON, addedAfter: latestKnown, row: { added.set.update($0, sign: 1) },
            canonical: recorded == nil ? { $0.removeAll(keepingCapacity: true) } : nil, buffer: &buffer
        ) { line in
            accumulator.add(line, file: file, collector: &collector)
        }
        let totals = accumulator.finish(file: file, collector: &collector)
        if collector.hasErrors { throw DiagnosticReport(collector) }
        digests[.bookings] = digests[.bookings].adding(added.set)
        if let recorded { digests = recorded }
        // No partner changed: the data is the base run's, and so are its digests (of its scheme).
        let scheme = changed.isEmpty ? base.digestScheme : 2
        let dataDigest = changed.isEmpty ? base.dataDigest : digests.dataDigest
        let versions = programRecords.map { (id: $0.0, version: $0.1, digest: $0.2) }
        let record = InputRecord(
            programVersions: versions, dataDigest: dataDigest, inputsDigest: Self.inputsDigest(data: dataDigest, programs: versions),
            knownImport: known, tableDigests: digests)

        let result = Engine.compute(LoadedInput(programs: selected, dataset: dataset, totals: totals, warnings: collector))
        return IncrementalInput(
            base: base, changed: changedJSON, anchored: anchored, computed: computedJSON, carriedFrom: carriedFrom,
            carried: carriedJSON, figuresBase: latest, record: record, scheme: scheme, digests: digests, result: result, warnings: collector)
    }

    /// Each row of `sql` (the stored columns of `kind`) as its canonical CSV line.
    static func forEachCanonicalRow(
        _ db: Database, _ kind: DataKind, sql: String, arguments: StatementArguments, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let raw = statement.sqliteStatement
        let formats = kind.layout.formats
        var buffer: [UInt8] = []
        defer { sqlite3_reset(raw) }
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            buffer.removeAll(keepingCapacity: true)
            CanonicalCSV.appendRow(raw, formats: formats, to: &buffer)
            buffer.withUnsafeBytes { body($0) }
        }
    }

    /// Stores an incremental run: the changed partners' results as computed, and for every other partner either
    /// nothing (the run is stored anchored on the base run, `RunRows`, when at most
    /// `AnchoredRuns.largestSharePercent` of the partners changed) or the base run's status and totals, rows and facts
    /// copied (row ids moved past the largest stored one, in their order), their checks referred to
    /// (`run_rows.checks_of`).
    func storeIncremental(
        _ input: IncrementalInput, started: String, by actor: Actor
    ) throws(DiagnosticReport) -> RunOutcome {
        let record = input.record, base = input.base.id
        let lines = input.digests[.bookings].rows, partners = input.digests[.partners].rows
        let anchored = input.anchored
        do {
            let (id, figures) = try writeTransaction { db throws -> (Int, [ProgramFigures]) in
                try db.execute(
                    sql: """
                        INSERT INTO runs(started_at, finished_at, engine_version, data_digest, inputs_digest, booking_lines, partners, known_import,
                                         digest_scheme, base_run, anchor_run)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        started, now(), Engine.version, record.dataDigest, record.inputsDigest, lines, partners, record.knownImport, input.scheme,
                        base, anchored ? base : nil,
                    ])
                let id = Int(db.lastInsertedRowID)
                for (position, program) in record.programVersions.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO run_programs(run_id, position, program_id, version) VALUES (?, ?, ?, ?)",
                        arguments: [id, position, program.id, program.version])
                }
                if anchored {
                    try db.execute(
                        sql: "INSERT INTO run_recomputed(run_id, partner_id) SELECT ?, value FROM json_each(?) ORDER BY 2", arguments: [id, input.changed])
                } else {
                    try Self.copyPartners(db, from: base, to: id, partners: input.changed, only: false)
                }
                if let latest = input.carriedFrom { try Self.copyPartners(db, from: latest.id, to: id, partners: input.carried, only: true) }
                try Self.writeResults(db, run: id, result: input.result)
                let figures = try RunFigures.incremental(
                    db, base: input.figuresBase, programs: input.result.programs.map(\.program), changed: input.computed, result: input.result,
                    run: RunRows(run: id, anchor: anchored ? base : nil), kept: figuresKept.load(ordering: .relaxed))
                try RunFigures.store(db, run: id, figures: figures)
                try input.digests.store(db, importID: record.knownImport)
                try auditRun(db, actor, id: id, record: record, lines: lines, partners: partners)
                Failpoint.reach("run-before-commit")
                return (id, figures)
            }
            // The figures of the summary table follow from the base run's (`RunFigures`): reading the whole run back for them
            // cost 0.35-0.43 s at 100,000 partners.
            let summary = try runSummary(id)
            return RunOutcome(summary: summary, figures: figures, warnings: input.warnings, workspace: self, computed: nil)
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "the run was not stored: \(error)"))
        }
    }

    /// Copies run `base`'s own stored results into run `id`: of the partners in `partners` (a JSON array) with `only`,
    /// else of every partner not in it. The copied rows' checks are those of the rows they name in `checks_of`.
    static func copyPartners(_ db: Database, from base: Int, to id: Int, partners changed: String, only: Bool) throws {
        let unchanged = "partner_id \(only ? "IN" : "NOT IN") (SELECT value FROM json_each(?))"
        try db.execute(
            sql: """
                INSERT INTO run_partner_totals(run_id, program_id, partner_id, status, amount_cents, missed_amount_cents)
                SELECT ?, program_id, partner_id, status, amount_cents, missed_amount_cents FROM run_partner_totals WHERE run_id = ? AND \(unchanged)
                """, arguments: [id, base, changed])
        try db.execute(
            sql: """
                INSERT INTO run_partner_tiers(run_id, program_id, partner_id, tier, taken_on, valid_from)
                SELECT ?, program_id, partner_id, tier, taken_on, valid_from FROM run_partner_tiers WHERE run_id = ? AND \(unchanged)
                """, arguments: [id, base, changed])
        // Row ids keep their order: each copied row's id is the base's plus one offset, past every stored row.
        let range = try Row.fetchOne(db, sql: "SELECT MIN(id), (SELECT MAX(id) FROM run_rows) FROM run_rows WHERE run_id = ?", arguments: [base])
        guard let first = range?[0] as Int64?, let last = range?[1] as Int64? else { return }
        let offset = last + 1 - first
        try db.execute(
            sql: """
                INSERT INTO run_rows(id, run_id, program_id, partner_id, item, qualifying_volume_cents, threshold_cents, eligible,
                                     amount_cents, missed_amount_cents, reasons, checks_of)
                SELECT id + ?, ?, program_id, partner_id, item, qualifying_volume_cents, threshold_cents, eligible, amount_cents,
                       missed_amount_cents, reasons, COALESCE(checks_of, id)
                FROM run_rows WHERE run_id = ? AND \(unchanged) ORDER BY id
                """, arguments: [offset, id, base, changed])
        // The rows' checks stay where they are: each copied row names the row that holds them (`checks_of`). Their
        // facts are copied, by the row they belong to.
        for table in ["run_row_rebates", "run_row_slices", "run_row_left_out"] {
            let columns = try db.columns(in: table).map(\.name)
            let selected = columns.map { $0 == "row_id" ? "t.row_id + ?" : "t.\($0)" }
            try db.execute(
                sql: """
                    INSERT INTO \(table)(\(columns.joined(separator: ", ")))
                    SELECT \(selected.joined(separator: ", ")) FROM run_rows r JOIN \(table) t ON t.row_id = r.id
                    WHERE r.run_id = ? AND r.\(unchanged) ORDER BY t.row_id
                    """, arguments: [offset, base, changed])
        }
    }
}
