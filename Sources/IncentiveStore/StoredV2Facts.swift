import GRDB
import IncentiveEngine

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
    /// are found through the range of their ids (the tables' primary keys): a v1 run costs three empty range reads.
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
                    period: DayRange(start: startDay, end: endDay), periodName: row["baseline_period_name"],
                    sum: Money(cents: row["baseline_sum_cents"]), baselineDays: row["baseline_days"], programDays: row["program_days"],
                    amount: Money(cents: row["baseline_amount_cents"]))
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
                beforeEnrollmentVolume: Money(cents: row["before_enrollment_volume_cents"]),
                outsideProductDatesLines: row["outside_product_dates_lines"],
                outsideProductDatesVolume: Money(cents: row["outside_product_dates_volume_cents"]),
                attachBeforeEnrollmentLines: row["attach_before_enrollment_lines"],
                attachBeforeEnrollmentVolume: Money(cents: row["attach_before_enrollment_volume_cents"]))
        }
        return (rebates, leftOut)
    }

    /// The tier each partner of the program was taken at, for the partners that have one stored (or only `partner`).
    static func tiers(_ db: Database, run source: RunRows, program: String, partner: String?) throws -> [String: TierOnDay] {
        var tiers: [String: TierOnDay] = [:]
        let run = source.run
        let values: [(any DatabaseValueConvertible)?] = [program] + (partner.map { [$0] } ?? [])
        let select = source.select(
            "partner_id, tier, taken_on, valid_from", from: "run_partner_tiers",
            where: partner == nil ? "program_id = ?" : "program_id = ? AND partner_id = ?")
        for row in try Row.fetchAll(cached: db, sql: select.sql, arguments: RunRows.arguments(values, arms: select.arms)) {
            guard let takenOn = try day(row, "taken_on", run: run) else {
                throw WorkspaceError(.damaged, "run \(run) holds a tier without the day it was taken on")
            }
            tiers[row["partner_id"]] = TierOnDay(
                tier: try value(row, "tier", run: run), day: takenOn, validFrom: try day(row, "valid_from", run: run))
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
