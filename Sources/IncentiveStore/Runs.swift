import Foundation
import GRDB
import IncentiveEngine
import Synchronization

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
}

extension Workspace {
    /// Computes every program (or those named) from the workspace with the engine and stores the run:
    /// the program versions, the digests of its inputs, and every result row with its checks.
    public func run(
        programIDs: [String] = [], remedies: Remedies = .plain
    ) throws(DiagnosticReport) -> (summary: RunSummary, result: ComputeResult, warnings: DiagnosticCollector) {
        let started = now()
        let (input, record) = try loadInput(programIDs: programIDs, remedies: remedies)
        let result = Engine.compute(input)
        do {
            let id = try writeTransaction { db throws -> Int in
                try db.execute(
                    sql: """
                        INSERT INTO runs(started_at, finished_at, engine_version, data_digest, inputs_digest, booking_lines, partners)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        started, now(), Engine.version, record.dataDigest, record.inputsDigest, input.totals.lineCount,
                        input.dataset.partners.count,
                    ])
                let id = Int(db.lastInsertedRowID)
                for (position, program) in record.programVersions.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO run_programs(run_id, position, program_id, version) VALUES (?, ?, ?, ?)",
                        arguments: [id, position, program.id, program.version])
                }
                let partnerStatement = try db.makeStatement(
                    sql: "INSERT INTO run_partners(run_id, program_id, partner_id, status) VALUES (?, ?, ?, ?)")
                let totalsStatement = try db.makeStatement(
                    sql: """
                        INSERT INTO run_partner_totals(run_id, program_id, partner_id, status, amount_cents, missed_amount_cents)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """)
                let rowStatement = try db.makeStatement(
                    sql: """
                        INSERT INTO run_rows(run_id, program_id, partner_id, item, qualifying_volume_cents, threshold_cents, eligible,
                                             amount_cents, missed_amount_cents, reasons)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                let checkStatement = try db.makeStatement(
                    sql: "INSERT INTO run_checks(row_id, position, code, passed, reason, explanation) VALUES (?, ?, ?, ?, ?, ?)")
                // The facts of formats.md §5.6: written only for the rows and partners that carry them.
                let v2 = try StoredV2Facts.Statements(db)
                for programResult in result.programs {
                    let programID = programResult.program.id
                    for partner in programResult.partners {
                        try partnerStatement.execute(arguments: [id, programID, partner.partnerID, partner.status.rawValue])
                        try totalsStatement.execute(arguments: [
                            id, programID, partner.partnerID, partner.status.rawValue, partner.amount.cents, partner.missedAmount.cents,
                        ])
                        if let tier = partner.tier { try v2.insert(tier, run: id, program: programID, partner: partner.partnerID) }
                        for row in partner.rows {
                            try rowStatement.execute(arguments: [
                                id, programID, row.partnerID, row.item, row.qualifyingVolume.cents, row.threshold.cents, row.eligible,
                                row.amount.cents, row.missedAmount.cents, row.reasons.joined(separator: ";"),
                            ])
                            let rowID = db.lastInsertedRowID
                            for (position, check) in row.checks.enumerated() {
                                try checkStatement.execute(arguments: [
                                    rowID, position, check.code.rawValue, check.passed, check.reason, check.explanation,
                                ])
                            }
                            if let rebate = row.rebate { try v2.insert(rebate, row: rowID) }
                            if let leftOut = row.leftOut { try v2.insert(leftOut, row: rowID) }
                        }
                    }
                }
                Failpoint.reach("run-before-commit")
                return id
            }
            return (try runSummary(id), result, input.warnings)
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "the run was not stored: \(error)"))
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
        // A sum over all the run's rows: done once per run, as the summary is then kept (`runSummaries`).
        let sums = try Row.fetchOne(
            cached: db, sql: "SELECT COALESCE(SUM(amount_cents), 0), COALESCE(SUM(missed_amount_cents), 0) FROM run_rows WHERE run_id = ?",
            arguments: [id])!
        return RunSummary(
            id: id, startedAt: row["started_at"], finishedAt: row["finished_at"], engineVersion: row["engine_version"],
            dataDigest: row["data_digest"], inputsDigest: row["inputs_digest"], bookingLines: row["booking_lines"], partners: row["partners"],
            programs: programs, amount: Money(cents: sums[0]), missedAmount: Money(cents: sums[1]))
    }

    /// A stored run's results, rebuilt exactly as `compute` produced them (same programs, partners, rows, checks).
    /// With `partner`, only that partner's results (the programs' lists hold just that partner).
    public func runResult(_ id: Int, partner: String? = nil) throws -> (summary: RunSummary, result: ComputeResult) {
        try pool.read { db in try runResult(db, id, partner: partner) }
    }

    /// `runResult` inside a read the caller holds.
    func runResult(_ db: Database, _ id: Int, partner: String?) throws -> (summary: RunSummary, result: ComputeResult) {
        let summary = try runSummary(db, id)
        var programs: [ProgramResult] = []
        for entry in summary.programs {
            let program = try runProgram(db, run: id, id: entry.id, version: entry.version)
            var checksByRow: [Int64: [Check]] = [:]
            for row in try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT c.row_id, c.code, c.passed, c.reason, c.explanation FROM run_checks c JOIN run_rows r ON r.id = c.row_id
                    WHERE r.run_id = ? AND r.program_id = ? \(partner == nil ? "" : "AND r.partner_id = ?") ORDER BY c.row_id, c.position
                    """, arguments: [id, entry.id] + (partner.map { [$0] } ?? []))
            {
                let code: String = row[1]
                guard let checkCode = Check.Code(rawValue: code) else {
                    throw WorkspaceError(.damaged, "run \(id) holds an unknown check code \(code)")
                }
                checksByRow[row[0], default: []].append(Check(code: checkCode, passed: row[2], reason: row[3], explanation: row[4]))
            }
            var stored: [(id: Int64, row: ResultRow)] = []
            for row in try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT id, partner_id, item, qualifying_volume_cents, threshold_cents, eligible, amount_cents, missed_amount_cents
                    FROM run_rows WHERE run_id = ? AND program_id = ? \(partner == nil ? "" : "AND partner_id = ?") ORDER BY id
                    """, arguments: [id, entry.id] + (partner.map { [$0] } ?? []))
            {
                let rowID: Int64 = row[0]
                stored.append(
                    (
                        rowID,
                        ResultRow(
                            program: program.id, kind: program.kind, partnerID: row[1], item: row[2], qualifyingVolume: Money(cents: row[3]),
                            threshold: Money(cents: row[4]), eligible: row[5], amount: Money(cents: row[6]), missedAmount: Money(cents: row[7]),
                            checks: checksByRow[rowID] ?? [])
                    ))
            }
            // The rules-v2 facts of these rows, looked up by the range of their ids (none for a v1 run).
            if let first = stored.first?.id, let last = stored.last?.id {
                let facts = try StoredV2Facts.rows(db, run: id, ids: first...last)
                if !facts.rebates.isEmpty || !facts.leftOut.isEmpty {
                    for index in stored.indices {
                        let rowID = stored[index].id
                        if let rebate = facts.rebates[rowID] { stored[index].row.rebate = rebate }
                        if let leftOut = facts.leftOut[rowID] { stored[index].row.leftOut = leftOut }
                    }
                }
            }
            var rowsByPartner: [String: [ResultRow]] = [:]
            for (_, row) in stored { rowsByPartner[row.partnerID, default: []].append(row) }
            let tiers = try StoredV2Facts.tiers(db, run: id, program: entry.id, partner: partner)
            var partners: [PartnerResult] = []
            for row in try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT partner_id, status FROM run_partners WHERE run_id = ? AND program_id = ? \(partner == nil ? "" : "AND partner_id = ?")
                    ORDER BY partner_id
                    """, arguments: [id, entry.id] + (partner.map { [$0] } ?? []))
            {
                let partnerID: String = row[0], statusText: String = row[1]
                guard let status = PartnerStatus(rawValue: statusText) else {
                    throw WorkspaceError(.damaged, "run \(id) holds an unknown status \(statusText)")
                }
                partners.append(PartnerResult(partnerID: partnerID, status: status, rows: rowsByPartner[partnerID] ?? [], tier: tiers[partnerID]))
            }
            programs.append(ProgramResult(program: program, partners: partners))
        }
        return (summary, ComputeResult(programs: programs))
    }
}

/// The facts of formats.md §5.6 a stored run keeps (`run_row_rebates`, `run_row_slices`, `run_row_left_out`,
/// `run_partner_tiers`, migration `v6-run-rules-v2`): written for the rows and partners that carry them and read
/// back into `ResultRow.rebate`, `.leftOut` and `PartnerResult.tier`, typed column by column.
enum StoredV2Facts {
    /// The prepared inserts of one run.
    struct Statements {
        let rebate: Statement
        let slice: Statement
        let leftOut: Statement
        let tier: Statement

        init(_ db: Database) throws {
            rebate = try db.makeStatement(
                sql: """
                    INSERT INTO run_row_rebates(row_id, rebate_base, base_cents, tier_method, percent_tier, attach_volume_cents,
                        attach_band_from_percent_units, attach_band_from_percent_scale, attach_band_percent_units, attach_band_percent_scale,
                        attach_bonus_units, attach_bonus_scale, baseline_start, baseline_end, baseline_period_name, baseline_sum_cents,
                        baseline_days, program_days, baseline_amount_cents, uncapped_cents, cap_cents, amount_cents)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            slice = try db.makeStatement(
                sql: """
                    INSERT INTO run_row_slices(row_id, position, from_cents, amount_cents, percent_units, percent_scale,
                        total_percent_units, total_percent_scale)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            leftOut = try db.makeStatement(
                sql: """
                    INSERT INTO run_row_left_out(row_id, enrolled_late_on, before_enrollment_lines, before_enrollment_volume_cents,
                        outside_product_dates_lines, outside_product_dates_volume_cents, attach_before_enrollment_lines,
                        attach_before_enrollment_volume_cents)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            tier = try db.makeStatement(
                sql: "INSERT INTO run_partner_tiers(run_id, program_id, partner_id, tier, taken_on, valid_from) VALUES (?, ?, ?, ?, ?, ?)")
        }

        func insert(_ rebate: RebateComputation, row: Int64) throws {
            let attach = rebate.attach, band = rebate.attach?.band, baseline = rebate.baseline
            var arguments: StatementArguments = [row, rebate.rebateBase.rawValue, rebate.base.cents, rebate.tierMethod?.rawValue]
            arguments += [rebate.percentTier?.rawValue, attach?.volume.cents]
            arguments += [band?.fromPercent.units, band?.fromPercent.scale, band?.percent.units, band?.percent.scale]
            arguments += [attach?.bonus.units, attach?.bonus.scale]
            arguments += [baseline?.period.start.description, baseline?.period.end.description, baseline?.periodName, baseline?.sum.cents]
            arguments += [baseline?.baselineDays, baseline?.programDays, baseline?.amount.cents]
            arguments += [rebate.uncapped.cents, rebate.cap?.cents, rebate.amount.cents]
            try self.rebate.execute(arguments: arguments)
            for (position, slice) in rebate.slices.enumerated() {
                try self.slice.execute(arguments: [
                    row, position, slice.from.cents, slice.amount.cents, slice.percent.units, slice.percent.scale, slice.totalPercent.units,
                    slice.totalPercent.scale,
                ])
            }
        }

        func insert(_ lines: LeftOutLines, row: Int64) throws {
            try leftOut.execute(arguments: [
                row, lines.enrolledLateOn?.description, lines.beforeEnrollmentLines, lines.beforeEnrollmentVolume.cents,
                lines.outsideProductDatesLines, lines.outsideProductDatesVolume.cents, lines.attachBeforeEnrollmentLines,
                lines.attachBeforeEnrollmentVolume.cents,
            ])
        }

        func insert(_ tier: TierOnDay, run: Int, program: String, partner: String) throws {
            try self.tier.execute(arguments: [run, program, partner, tier.tier.rawValue, tier.day.description, tier.validFrom?.description])
        }
    }

    /// The rebate computations and left-out lines of the rows whose ids lie in `ids`, by row id. A run's rows
    /// are found through the range of their ids (its primary key): a v1 run costs two empty range reads.
    static func rows(_ db: Database, run: Int, ids: ClosedRange<Int64>) throws -> (
        rebates: [Int64: RebateComputation], leftOut: [Int64: LeftOutLines]
    ) {
        var slices: [Int64: [RebateComputation.Slice]] = [:]
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT row_id, from_cents, amount_cents, percent_units, percent_scale, total_percent_units, total_percent_scale
                FROM run_row_slices WHERE row_id BETWEEN ? AND ? ORDER BY row_id, position
                """, arguments: [ids.lowerBound, ids.upperBound])
        {
            slices[row[0], default: []].append(
                RebateComputation.Slice(
                    from: Money(cents: row[1]), amount: Money(cents: row[2]), percent: ScaledDecimal(units: row[3], scale: row[4]),
                    totalPercent: ScaledDecimal(units: row[5], scale: row[6])))
        }
        var rebates: [Int64: RebateComputation] = [:]
        for row in try Row.fetchAll(
            cached: db, sql: "SELECT * FROM run_row_rebates WHERE row_id BETWEEN ? AND ?", arguments: [ids.lowerBound, ids.upperBound])
        {
            let rowID: Int64 = row["row_id"]
            var attach: RebateComputation.Attach?
            if let volume: Int64 = row["attach_volume_cents"] {
                var band: AttachBand?
                if let from = scaled(row, "attach_band_from_percent"), let percent = scaled(row, "attach_band_percent") {
                    band = AttachBand(fromPercent: from, percent: percent)
                }
                guard let bonus = scaled(row, "attach_bonus") else {
                    throw WorkspaceError(.damaged, "run \(run) holds an attach volume without a bonus (row \(rowID))")
                }
                attach = RebateComputation.Attach(volume: Money(cents: volume), band: band, bonus: bonus)
            }
            var baseline: RebateComputation.BaselineFigure?
            if let start: String = row["baseline_start"] {
                let end: String = row["baseline_end"]
                guard let startDay = Day(iso: start), let endDay = Day(iso: end) else {
                    throw WorkspaceError(.damaged, "run \(run) holds a baseline period \(start)..\(end) that is not two dates (row \(rowID))")
                }
                baseline = RebateComputation.BaselineFigure(
                    period: DayRange(start: startDay, end: endDay), periodName: row["baseline_period_name"], sum: Money(cents: row["baseline_sum_cents"]),
                    baselineDays: row["baseline_days"], programDays: row["program_days"], amount: Money(cents: row["baseline_amount_cents"]))
            }
            let cap: Int64? = row["cap_cents"]
            rebates[rowID] = RebateComputation(
                rebateBase: try value(row, "rebate_base", run: run), base: Money(cents: row["base_cents"]),
                tierMethod: try optionalValue(row, "tier_method", run: run), percentTier: try optionalValue(row, "percent_tier", run: run),
                slices: slices[rowID] ?? [], attach: attach, baseline: baseline, uncapped: Money(cents: row["uncapped_cents"]),
                cap: cap.map(Money.init(cents:)), amount: Money(cents: row["amount_cents"]))
        }
        var leftOut: [Int64: LeftOutLines] = [:]
        for row in try Row.fetchAll(
            cached: db, sql: "SELECT * FROM run_row_left_out WHERE row_id BETWEEN ? AND ?", arguments: [ids.lowerBound, ids.upperBound])
        {
            let rowID: Int64 = row["row_id"]
            leftOut[rowID] = LeftOutLines(
                enrolledLateOn: try day(row, "enrolled_late_on", run: run), beforeEnrollmentLines: row["before_enrollment_lines"],
                beforeEnrollmentVolume: Money(cents: row["before_enrollment_volume_cents"]), outsideProductDatesLines: row["outside_product_dates_lines"],
                outsideProductDatesVolume: Money(cents: row["outside_product_dates_volume_cents"]),
                attachBeforeEnrollmentLines: row["attach_before_enrollment_lines"],
                attachBeforeEnrollmentVolume: Money(cents: row["attach_before_enrollment_volume_cents"]))
        }
        return (rebates, leftOut)
    }

    /// The tier each partner of the program was taken at, for the partners that have one stored (or only `partner`).
    static func tiers(_ db: Database, run: Int, program: String, partner: String?) throws -> [String: TierOnDay] {
        var tiers: [String: TierOnDay] = [:]
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT partner_id, tier, taken_on, valid_from FROM run_partner_tiers
                WHERE run_id = ? AND program_id = ? \(partner == nil ? "" : "AND partner_id = ?")
                """, arguments: [run, program] + (partner.map { [$0] } ?? []))
        {
            guard let takenOn = try day(row, "taken_on", run: run) else {
                throw WorkspaceError(.damaged, "run \(run) holds a tier without the day it was taken on")
            }
            tiers[row["partner_id"]] = TierOnDay(tier: try value(row, "tier", run: run), day: takenOn, validFrom: try day(row, "valid_from", run: run))
        }
        return tiers
    }

    /// `<name>_units` at scale `<name>_scale`, or `nil` when either is NULL.
    private static func scaled(_ row: Row, _ name: String) -> ScaledDecimal? {
        guard let units: Int64 = row[name + "_units"], let scale: Int = row[name + "_scale"] else { return nil }
        return ScaledDecimal(units: units, scale: scale)
    }

    private static func day(_ row: Row, _ column: String, run: Int) throws -> Day? {
        guard let text: String = row[column] else { return nil }
        guard let day = Day(iso: text) else { throw WorkspaceError(.damaged, "run \(run) holds \(column) \(text), which is not a date") }
        return day
    }

    private static func optionalValue<Value: RawRepresentable<String>>(_ row: Row, _ column: String, run: Int) throws -> Value? {
        guard let text: String = row[column] else { return nil }
        guard let value = Value(rawValue: text) else { throw WorkspaceError(.damaged, "run \(run) holds an unknown \(column) \(text)") }
        return value
    }

    private static func value<Value: RawRepresentable<String>>(_ row: Row, _ column: String, run: Int) throws -> Value {
        guard let value: Value = try optionalValue(row, column, run: run) else {
            throw WorkspaceError(.damaged, "run \(run) holds no \(column)")
        }
        return value
    }
}
