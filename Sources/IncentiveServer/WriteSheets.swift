import IncentiveAdvisor
import IncentiveEngine
import IncentiveSheets
import IncentiveStore

/// The reports made of the workspace's and the advisor's types as workbooks (`IncentiveSheets` knows only the
/// engine's types): a runs diff and a partner's advice. Used by the command line and the server alike.
public enum WriteSheets {
    // MARK: Runs diff

    /// `runs diff` as a workbook: the changed (program, partner) pairs with their totals in both runs (what the
    /// diff page lists; `Workspace.changedPartners`), the changed result rows, the changed booking lines (when the
    /// data changed) and the programs.
    public static func diff(_ diff: RunDiff, partners: [PartnerChange]) -> XLSXWorkbook {
        var sheets = [changedPartners(partners, diff: diff), changedRows(diff)]
        if let lines = diff.lines { sheets.append(changedLines(lines)) }
        sheets.append(programs(diff))
        return XLSXWorkbook(sheets: sheets)
    }

    /// The changed pairs of `Workspace.changedPartners(_:_:query:)`, by partner id: status, paid and missed in both
    /// runs and the changes.
    public static func changedPartners(_ changes: [PartnerChange], diff: RunDiff) -> XLSXSheet {
        let currency = diff.currency
        let columns = [
            XLSXColumn("Program"), XLSXColumn("Partner"), XLSXColumn("Name"), XLSXColumn("Status in run \(diff.before.id)"),
            XLSXColumn("Status in run \(diff.after.id)"), XLSXColumn("Paid before (\(currency))"), XLSXColumn("Paid after (\(currency))"),
            XLSXColumn("Paid change (\(currency))"), XLSXColumn("Missed before (\(currency))"), XLSXColumn("Missed after (\(currency))"),
            XLSXColumn("Missed change (\(currency))"),
        ]
        let rows: [[XLSXCell]] = changes.map { change in
            let before = change.before, after = change.after
            return [
                .text(change.program), .text(change.partnerID), .text(change.name), before.map { .text($0.status.rawValue) } ?? .empty,
                after.map { .text($0.status.rawValue) } ?? .empty, before.map { .money($0.amount) } ?? .empty,
                after.map { .money($0.amount) } ?? .empty, difference(before?.amount ?? .zero, after?.amount ?? .zero),
                before.map { .money($0.missedAmount) } ?? .empty, after.map { .money($0.missedAmount) } ?? .empty,
                difference(before?.missedAmount ?? .zero, after?.missedAmount ?? .zero),
            ]
        }
        return XLSXSheet(name: "Changed partners", columns: columns, rows: rows)
    }

    /// One row per changed result row: the columns of `runs diff --format csv`, typed.
    public static func changedRows(_ diff: RunDiff) -> XLSXSheet {
        let currency = diff.currency
        let columns = [
            XLSXColumn("Program"), XLSXColumn("Partner"), XLSXColumn("Item"), XLSXColumn("Change"), XLSXColumn("Eligible before"),
            XLSXColumn("Eligible after"), XLSXColumn("Paid before (\(currency))"), XLSXColumn("Paid after (\(currency))"),
            XLSXColumn("Paid change (\(currency))"), XLSXColumn("Missed before (\(currency))"), XLSXColumn("Missed after (\(currency))"),
            XLSXColumn("Missed change (\(currency))"), XLSXColumn("Checks flipped"),
        ]
        let rows: [[XLSXCell]] = diff.rows.map { change in
            let before = change.before, after = change.after
            let flips = change.flips.map { "\($0.code):\(mark($0.before))->\(mark($0.after))" }.joined(separator: ";")
            return [
                .text(change.program), .text(change.partnerID), .text(change.item), .text(change.kind),
                before.map { .bool($0.eligible) } ?? .empty, after.map { .bool($0.eligible) } ?? .empty,
                before.map { .money($0.amount) } ?? .empty, after.map { .money($0.amount) } ?? .empty,
                difference(before?.amount ?? .zero, after?.amount ?? .zero),
                before.map { .money($0.missedAmount) } ?? .empty, after.map { .money($0.missedAmount) } ?? .empty,
                difference(before?.missedAmount ?? .zero, after?.missedAmount ?? .zero), .text(flips),
            ]
        }
        return XLSXSheet(name: "Changed results", columns: columns, rows: rows)
    }

    /// One row per changed booking line: the columns of `runs diff --format csv --lines`. The booking values are
    /// text as the workspace keeps them (the file's own words), the import id a number.
    public static func changedLines(_ changes: LineChanges) -> XLSXSheet {
        var columns = [
            XLSXColumn("Order"), XLSXColumn("Line"), XLSXColumn("Change"), XLSXColumn("Partner"), XLSXColumn("Import"),
            XLSXColumn("Import file"), XLSXColumn("Imported at"), XLSXColumn("Changed columns"),
        ]
        for name in BookingValues.columns { columns += [XLSXColumn("\(name) before"), XLSXColumn("\(name) after")] }
        let rows: [[XLSXCell]] = changes.lines.map { line in
            var cells: [XLSXCell] = [
                .text(line.orderID), .text(line.line), .text(line.kind.rawValue), .text(line.partnerID), .integer(Int64(line.importID)),
                .text(line.importFile), .text(line.importedAt), .text(line.columns.map(\.name).joined(separator: ";")),
            ]
            for index in BookingValues.columns.indices {
                cells.append(line.before?.values[index].map(XLSXCell.text) ?? .empty)
                cells.append(line.after?.values[index].map(XLSXCell.text) ?? .empty)
            }
            return cells
        }
        return XLSXSheet(name: "Changed lines", columns: columns, rows: rows)
    }

    /// The programs of either run: their versions and what changed in their definitions.
    static func programs(_ diff: RunDiff) -> XLSXSheet {
        let columns = [
            XLSXColumn("Program"), XLSXColumn("Version in run \(diff.before.id)"), XLSXColumn("Version in run \(diff.after.id)"),
            XLSXColumn("Changes"),
        ]
        let rows: [[XLSXCell]] = diff.programs.map { program in
            [
                .text(program.id), program.before.map { .integer(Int64($0)) } ?? .empty, program.after.map { .integer(Int64($0)) } ?? .empty,
                .text(program.changes.joined(separator: "; ")),
            ]
        }
        return XLSXSheet(name: "Programs", columns: columns, rows: rows)
    }

    static func mark(_ passed: Bool?) -> String {
        switch passed {
        case true?: return "pass"
        case false?: return "FAIL"
        case nil: return "none"
        }
    }

    /// `after - before` as an amount; as text in the (theoretical) case it does not fit in 64 bits of cents.
    static func difference(_ before: Money, _ after: Money) -> XLSXCell {
        let (cents, overflow) = after.cents.subtractingReportingOverflow(before.cents)
        if !overflow { return .money(Money(cents: cents)) }
        let exact = Int128(after.cents) - Int128(before.cents)
        let fraction = exact.magnitude % 100
        return .text((exact < 0 ? "-" : "") + String(exact.magnitude / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction))
    }

    // MARK: Advice

    /// `advise` as a workbook: every VIP subtrack, the MDF programs (when any), and with a catalogue the
    /// recommendation.
    public static func advice(_ advice: PartnerAdvice, recommendation: Recommendation?) -> XLSXWorkbook {
        let currency = advice.programs.first?.program.currency ?? ""
        let subtrackColumns = [
            XLSXColumn("Program"), XLSXColumn("Subtrack"), XLSXColumn("Name"), XLSXColumn("Rebate %"), XLSXColumn("Enrolled on"),
            XLSXColumn("Can enrol"), XLSXColumn("Volume so far (\(currency))"), XLSXColumn("Minimum (\(currency))"),
            XLSXColumn("Gap (\(currency))"), XLSXColumn("Projected volume (\(currency))"), XLSXColumn("Minimum met"),
            XLSXColumn("Minimum reached on"), XLSXColumn("Missing"), XLSXColumn("Rebate now (\(currency))"),
            XLSXColumn("Rebate at projection (\(currency))"),
        ]
        var subtracks: [[XLSXCell]] = []
        var mdf: [[XLSXCell]] = []
        for program in advice.programs {
            for subtrack in program.subtracks {
                subtracks.append([
                    .text(program.program.id), .text(subtrack.path), .text(subtrack.name), .decimal(subtrack.rebatePercent),
                    subtrack.enrolledOn.map(XLSXCell.date) ?? .empty, .bool(subtrack.canEnroll), .money(subtrack.qualifyingVolume),
                    .money(subtrack.minimum), .money(subtrack.gap), .money(subtrack.projectedVolume), .bool(subtrack.minimumAlreadyMet),
                    subtrack.minimumReachedOn.map(XLSXCell.date) ?? .empty, .text(subtrack.failingChecks.compactMap(\.reason).joined(separator: ";")),
                    .money(subtrack.rebateNow), .money(subtrack.rebateAtProjection),
                ])
            }
            if let entry = program.mdf {
                mdf.append([
                    .text(program.program.id), .text(entry.tier), .money(entry.qualifyingVolume), .money(entry.minimum),
                    .money(entry.projectedVolume),
                    entry.minimumReachedOn.map(XLSXCell.date) ?? .empty, .money(entry.inPeriodVolume), .money(entry.taggedVolume),
                    .money(entry.untaggedVolume), .integer(Int64(entry.untaggedLines)), .money(entry.mdfLost),
                ])
            }
        }
        var sheets = [XLSXSheet(name: "Advice \(advice.partner.id)", columns: subtrackColumns, rows: subtracks)]
        if !mdf.isEmpty {
            let columns = [
                XLSXColumn("Program"), XLSXColumn("Tier"), XLSXColumn("Volume so far (\(currency))"), XLSXColumn("Minimum (\(currency))"),
                XLSXColumn("Projected volume (\(currency))"), XLSXColumn("Minimum reached on"), XLSXColumn("In-period volume (\(currency))"),
                XLSXColumn("Tagged volume (\(currency))"), XLSXColumn("Untagged volume (\(currency))"), XLSXColumn("Untagged lines"),
                XLSXColumn("MDF lost (\(currency))"),
            ]
            sheets.append(XLSXSheet(name: "MDF", columns: columns, rows: mdf))
        }
        if let recommendation { sheets.append(self.recommendation(recommendation, currency: currency)) }
        return XLSXWorkbook(sheets: sheets)
    }

    /// The recommendation: one row per credential to acquire or renew (its name; what it costs this partner is in
    /// the reasoning) and per subtrack to enrol in or keep (its rebate), then the totals and the reasoning.
    static func recommendation(_ plan: Recommendation, currency: String) -> XLSXSheet {
        let columns = [XLSXColumn("Item"), XLSXColumn("What"), XLSXColumn("Amount (\(currency))"), XLSXColumn("Note")]
        var rows: [[XLSXCell]] = []
        for credential in plan.credentials {
            rows.append([.text("credential"), .text(credential.id), .empty, .text(credential.name)])
        }
        for choice in plan.subtracks {
            rows.append([
                .text("subtrack"), .text("\(choice.program) \(choice.path)"), .money(choice.rebate), .text(choice.enrolled ? "enrolled" : "enrol"),
            ])
        }
        rows.append([.text("expected rebate"), .empty, .money(plan.expectedRebate), .empty])
        rows.append([.text("investment"), .empty, .money(plan.investment), .empty])
        rows.append([.text("net"), .empty, .money(plan.net), .empty])
        rows.append([.text("horizon (periods)"), .integer(Int64(plan.horizon)), .empty, .empty])
        rows.append([.text("expected rebate over horizon"), .empty, .money(plan.expectedRebateOverHorizon), .empty])
        rows.append([.text("net over horizon"), .empty, .money(plan.netOverHorizon), .empty])
        for line in plan.reasoning { rows.append([.text("reasoning"), .empty, .empty, .text(line)]) }
        return XLSXSheet(name: "Recommendation", columns: columns, rows: rows)
    }
}
