import Foundation
import GRDB
import IncentiveEngine

/// What differs between two runs, and why: the program versions and data they used, and every result
/// row whose numbers or checks changed.
public struct RunDiff: Sendable {
    public struct ProgramChange: Sendable {
        public var id: String
        public var before: Int?
        public var after: Int?
        /// In the definition's words (`data-center/ucs rebate_percent: 6 -> 7`).
        public var changes: [String]
    }

    public struct CheckFlip: Sendable, Hashable {
        public var code: String
        public var before: Bool?
        public var after: Bool?
        /// The check's explanation in the later run (or the earlier one when it is gone).
        public var explanation: String
    }

    public struct RowChange: Sendable {
        public var program: String
        public var partnerID: String
        public var item: String
        public var before: ResultRow?
        public var after: ResultRow?
        public var flips: [CheckFlip]

        public var kind: String { before == nil ? "added" : after == nil ? "removed" : "changed" }
    }

    public var before: RunSummary
    public var after: RunSummary
    /// The programs' currency (one per workspace).
    public var currency: String
    public var programs: [ProgramChange]
    public var dataChanged: Bool
    /// False when the two runs' data digests are of different schemes (`RunSummary.digestScheme`) and the workspace
    /// holds no digest of one scheme for both: whether the data changed is then not known from the digests.
    public var digestsComparable: Bool = true
    /// Imports recorded between the two runs' starts.
    public var imports: [ImportSummary]
    public var rows: [RowChange]
    /// The booking lines whose data differs between the two runs' inputs (nil: the data is the same).
    public var lines: LineChanges?
}

extension Workspace {
    /// What differs between runs `first` and `second`; with `partner`, only that partner's rows are read
    /// and compared (through the runs' indexes).
    ///
    /// Without `partner`, the partners whose rows differ are found in the database first (`partnerChanges`, the pairs
    /// the run pages list), and only theirs are read, when there are at most `partnerReadsLimit`: the diff of two runs
    /// of 100,000 partners read both whole (7 s and 700 MB at 10 million lines) even when a weekly import changed a
    /// thousand. Past the limit, both runs are read whole, which is faster than that many reads of one partner.
    public func diffRuns(_ first: Int, _ second: Int, partner: String? = nil) throws -> RunDiff {
        try diffRuns(first, second, partner: partner, partnerReadsLimit: Self.partnerReadsLimit)
    }

    /// At most this many changed partners are read one by one by `diffRuns`.
    static let partnerReadsLimit = 5_000

    func diffRuns(_ first: Int, _ second: Int, partner: String?, partnerReadsLimit: Int) throws -> RunDiff {
        let (a, b) = (try runSummary(first), try runSummary(second))
        let rowsOfA: [ResultRow], rowsOfB: [ResultRow], currency: String
        let changed = partner == nil ? Set(try partnerChanges(first, second).map(\.partnerID)) : []
        if partner == nil && changed.count <= partnerReadsLimit {
            (rowsOfA, rowsOfB, currency) = try pool.read { db in
                var (rowsA, rowsB): ([ResultRow], [ResultRow]) = ([], [])
                for id in changed {
                    rowsA += try runResult(db, first, partner: id).result.rows
                    rowsB += try runResult(db, second, partner: id).result.rows
                }
                // The programs' currency, as the whole runs' results give it: the second run's first program's, else the first's.
                let program = b.programs.first.map { (b.id, $0) } ?? a.programs.first.map { (a.id, $0) }
                let currency = try program.map { run, entry in try runProgram(db, run: run, id: entry.id, version: entry.version).currency }
                return (rowsA, rowsB, currency ?? "")
            }
        } else {
            let (resultA, resultB) = (try runResult(first, partner: partner).result, try runResult(second, partner: partner).result)
            (rowsOfA, rowsOfB) = (resultA.rows, resultB.rows)
            currency = resultB.programs.first?.program.currency ?? resultA.programs.first?.program.currency ?? ""
        }
        let programs = try programChanges(a, b)
        let (imports, lines, same) = try pool.read { db in
            let same = try Self.sameData(db, a, b)
            return (try importsBetween(db, a, b), same == true ? nil : try lineChanges(db, a, b, partner: partner), same)
        }
        var rowsA: [String: ResultRow] = [:]
        for row in rowsOfA { rowsA[Self.key(row)] = row }
        var changes: [RunDiff.RowChange] = []
        var seen: Set<String> = []
        for row in rowsOfB {
            let key = Self.key(row)
            seen.insert(key)
            let old = rowsA[key]
            if let old, old == row { continue }
            changes.append(
                RunDiff.RowChange(
                    program: row.program, partnerID: row.partnerID, item: row.item, before: old, after: row, flips: Self.flips(old, row)))
        }
        for row in rowsOfA where !seen.contains(Self.key(row)) {
            changes.append(
                RunDiff.RowChange(
                    program: row.program, partnerID: row.partnerID, item: row.item, before: row, after: nil, flips: Self.flips(row, nil)))
        }
        changes.sort { Self.key($0.before ?? $0.after!).utf8.lexicographicallyPrecedes(Self.key($1.before ?? $1.after!).utf8) }
        return RunDiff(
            before: a, after: b, currency: currency, programs: programs, dataChanged: same != true, digestsComparable: same != nil, imports: imports, rows: changes, lines: lines)
    }

    /// Whether two runs read the same data, by their data digests: compared directly when made by the same scheme;
    /// otherwise through the multiset digests (scheme 2) recorded at both runs' known imports, when there are such;
    /// nil when neither can be compared (a run of scheme 1 stored before the workspace recorded those digests).
    static func sameData(_ db: Database, _ a: RunSummary, _ b: RunSummary) throws -> Bool? {
        if a.digestScheme == b.digestScheme { return a.dataDigest == b.dataDigest }
        guard let knownA = a.knownImport, let knownB = b.knownImport,
            let digestsA = try TableDigests.stored(db, importID: knownA), let digestsB = try TableDigests.stored(db, importID: knownB)
        else { return nil }
        return digestsA.dataDigest == digestsB.dataDigest
    }

    /// Each program of either run with its versions, and what changed in its definition between them.
    func programChanges(_ a: RunSummary, _ b: RunSummary) throws -> [RunDiff.ProgramChange] {
        var programs: [RunDiff.ProgramChange] = []
        let ids = Set(a.programs.map(\.id)).union(b.programs.map(\.id)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for id in ids {
            let before = a.programs.first { $0.id == id }?.version, after = b.programs.first { $0.id == id }?.version
            var changes: [String] = []
            if let before, let after, before != after {
                changes = ProgramChanges.between(try program(id, version: before).1, try program(id, version: after).1)
            }
            programs.append(RunDiff.ProgramChange(id: id, before: before, after: after, changes: changes))
        }
        return programs
    }

    static func key(_ row: ResultRow) -> String { "\(row.program)\u{0}\(row.partnerID)\u{0}\(row.item)" }

    /// Checks matched by code and their order among checks of that code; those whose outcome differs.
    static func flips(_ before: ResultRow?, _ after: ResultRow?) -> [RunDiff.CheckFlip] {
        func keyed(_ row: ResultRow?) -> [(String, Check)] {
            var counts: [Check.Code: Int] = [:]
            return (row?.checks ?? []).map { check in
                counts[check.code, default: 0] += 1
                return ("\(check.code.rawValue)#\(counts[check.code]!)", check)
            }
        }
        let old = keyed(before), new = keyed(after)
        var flips: [RunDiff.CheckFlip] = []
        for (key, check) in new {
            let previous = old.first { $0.0 == key }?.1
            if previous?.passed != check.passed {
                flips.append(
                    RunDiff.CheckFlip(code: check.code.rawValue, before: previous?.passed, after: check.passed, explanation: check.explanation))
            }
        }
        for (key, check) in old where !new.contains(where: { $0.0 == key }) {
            flips.append(RunDiff.CheckFlip(code: check.code.rawValue, before: check.passed, after: nil, explanation: check.explanation))
        }
        return flips
    }
}

/// The diff as people read it, and as CSV for a spreadsheet.
public enum RunDiffText {
    public static func render(_ diff: RunDiff) -> String {
        let a = diff.before, b = diff.after, currency = diff.currency
        var text = "run \(a.id) (\(a.startedAt)) -> run \(b.id) (\(b.startedAt))\n\nprograms:\n"
        for program in diff.programs {
            switch (program.before, program.after) {
            case (let before?, let after?) where before == after:
                text += "  \(program.id) v\(after) (same version)\n"
            case (let before?, let after?):
                text += "  \(program.id) v\(before) -> v\(after)\n"
                if program.changes.isEmpty { text += "    (the definitions differ only in form, not in any rule)\n" }
                for change in program.changes { text += "    \(change)\n" }
            case (nil, let after?):
                text += "  \(program.id) only in run \(b.id) (v\(after))\n"
            case (let before?, nil):
                text += "  \(program.id) only in run \(a.id) (v\(before))\n"
            default: break
            }
        }
        text += "\ndata: "
        if !diff.dataChanged && a.digestScheme != b.digestScheme {
            text += "the same in both runs (digests of schemes \(a.digestScheme) and \(b.digestScheme), compared through the tables' digests)\n"
        } else if !diff.dataChanged {
            text += "the same in both runs (digest \(b.dataDigest.prefix(12)))\n"
        } else if !diff.digestsComparable {
            text +=
                "cannot be compared by digest (run \(a.id)'s is of scheme \(a.digestScheme), run \(b.id)'s of scheme \(b.digestScheme)); "
                + "the imports between them and the changed booking lines follow\n"
            for entry in diff.imports { text += "  \(entry.kind.rawValue): \(entry.file)\n" }
        } else {
            text += "changed (digest \(a.dataDigest.prefix(12)) -> \(b.dataDigest.prefix(12)))\n"
            for entry in diff.imports {
                if entry.digest.isEmpty {
                    text += "  \(entry.kind.rawValue): \(entry.file)\n"
                } else {
                    text +=
                        "  imported \(entry.kind.rawValue) from \(entry.file): \(entry.added) added, \(entry.changed) changed, \(entry.unchanged) unchanged\(entry.retired > 0 ? ", \(entry.retired) retired" : "")\n"
                }
            }
            if diff.imports.isEmpty { text += "  (no import or enrolment was recorded between the runs)\n" }
        }
        let added = diff.rows.filter { $0.before == nil }.count, removed = diff.rows.filter { $0.after == nil }.count
        text += "\nresults: \(diff.rows.count - added - removed) row(s) changed, \(added) added, \(removed) removed\n"
        text += "  total paid   \(a.amount.groupedText) -> \(b.amount.groupedText) \(currency) (\(Self.change(a.amount, b.amount)))\n"
        text +=
            "  total missed \(a.missedAmount.groupedText) -> \(b.missedAmount.groupedText) \(currency) (\(Self.change(a.missedAmount, b.missedAmount)))\n"
        for change in diff.rows {
            text += "\n\(change.program)  \(change.partnerID)  \(change.item)  (\(change.kind))\n"
            let before = change.before, after = change.after
            if let before, let after {
                if before.qualifyingVolume != after.qualifyingVolume {
                    text +=
                        "  qualifying volume \(before.qualifyingVolume.groupedText) -> \(after.qualifyingVolume.groupedText) (\(Self.change(before.qualifyingVolume, after.qualifyingVolume)))\n"
                }
                if before.threshold != after.threshold {
                    text += "  threshold \(before.threshold.groupedText) -> \(after.threshold.groupedText)\n"
                }
                if before.eligible != after.eligible { text += "  eligible \(before.eligible) -> \(after.eligible)\n" }
                if before.amount != after.amount {
                    text +=
                        "  amount \(before.amount.groupedText) -> \(after.amount.groupedText) (\(Self.change(before.amount, after.amount)))\n"
                }
                if before.missedAmount != after.missedAmount {
                    text +=
                        "  missed \(before.missedAmount.groupedText) -> \(after.missedAmount.groupedText) (\(Self.change(before.missedAmount, after.missedAmount)))\n"
                }
            } else if let row = after ?? before {
                text +=
                    "  qualifying volume \(row.qualifyingVolume.groupedText), eligible \(row.eligible), amount \(row.amount.groupedText), missed \(row.missedAmount.groupedText)\n"
            }
            for flip in change.flips {
                text += "  check \(flip.code): \(mark(flip.before)) -> \(mark(flip.after)): \(flip.explanation)\n"
            }
        }
        if let lines = diff.lines { text += Self.lines(lines, diff: diff, limit: lineLimit) }
        return text
    }

    /// How many changed booking lines the text lists (the CSV and JSON list them all).
    public static let lineLimit = 100

    /// The section of the changed booking lines: each with its key, partner, the import that changed it and
    /// its columns' old and new values; the first `limit` and a count of the rest.
    public static func lines(_ changes: LineChanges, diff: RunDiff, limit: Int?) -> String {
        let a = diff.before, b = diff.after
        var text = "\nbooking lines: \(changes.changed) changed, \(changes.added) added, \(changes.retired) retired"
        text += " (run \(a.id)'s data as known at import \(changes.fromImport), run \(b.id)'s at import \(changes.toImport))\n"
        if !changes.recorded {
            text +=
                "  (a run stored before the workspace kept history is taken as known at the last import before it started; lines changed before history was kept are not listed)\n"
        }
        let shown = limit.map { Array(changes.lines.prefix($0)) } ?? changes.lines
        for line in shown {
            text += "  \(line.orderID) line \(line.line)  \(line.partnerID)  \(line.kind.rawValue) by import \(line.importID)"
            text += " (\(line.importFile), \(line.importedAt))\n"
            switch line.kind {
            case .changed:
                for column in line.columns { text += "    \(column.name) \(column.before ?? "") -> \(column.after ?? "")\n" }
            case .added, .retired:
                let values = (line.after ?? line.before)!.values
                let fields = zip(BookingValues.columns, values).compactMap { name, value in value.map { "\(name) \($0)" } }
                text += "    \(fields.joined(separator: ", "))\n"
            }
        }
        if shown.count < changes.lines.count {
            text += "  ... and \(changes.lines.count - shown.count) more (all of them: --format csv --lines, or --format json)\n"
        }
        return text
    }

    /// The changed booking lines as CSV: one row per line, each column's value before and after.
    public static let linesCSVHeader =
        "order_id,line,change,partner_id,import_id,import_file,imported_at,changed_columns,"
        + BookingValues.columns.map { "\($0)_before,\($0)_after" }.joined(separator: ",")

    public static func linesCSV(_ diff: RunDiff) -> String {
        var text = linesCSVHeader + "\n"
        for line in diff.lines?.lines ?? [] {
            var fields = [
                line.orderID, line.line, line.kind.rawValue, line.partnerID, String(line.importID), line.importFile, line.importedAt,
                line.columns.map(\.name).joined(separator: ";"),
            ]
            for index in BookingValues.columns.indices {
                fields.append(line.before?.values[index] ?? "")
                fields.append(line.after?.values[index] ?? "")
            }
            text += fields.map(ResultsCSV.field).joined(separator: ",") + "\n"
        }
        return text
    }

    public static let csvHeader =
        "program,partner_id,item,change,eligible_before,eligible_after,amount_before,amount_after,amount_change,missed_before,missed_after,missed_change,checks_flipped"

    public static func csv(_ diff: RunDiff) -> String {
        var text = csvHeader + "\n"
        for change in diff.rows {
            let before = change.before, after = change.after
            let amountChange = difference(before?.amount ?? .zero, after?.amount ?? .zero, grouped: false)
            let missedChange = difference(before?.missedAmount ?? .zero, after?.missedAmount ?? .zero, grouped: false)
            let flips = change.flips.map { "\($0.code):\(mark($0.before))->\(mark($0.after))" }.joined(separator: ";")
            let fields = [
                change.program, change.partnerID, change.item, change.kind, before.map { String($0.eligible) } ?? "",
                after.map { String($0.eligible) } ?? "", before?.amount.plainText ?? "", after?.amount.plainText ?? "",
                amountChange, before?.missedAmount.plainText ?? "", after?.missedAmount.plainText ?? "", missedChange, flips,
            ]
            text += fields.map(ResultsCSV.field).joined(separator: ",") + "\n"
        }
        return text
    }

    static func mark(_ passed: Bool?) -> String {
        switch passed {
        case true?: return "pass"
        case false?: return "FAIL"
        case nil: return "none"
        }
    }

    /// `after - before` with a sign, grouped: `+1,234.50`, `-0.01`.
    static func change(_ before: Money, _ after: Money) -> String {
        let text = difference(before, after, grouped: true)
        return after > before ? "+" + text : text
    }

    /// `after - before` as text, exact whatever the two amounts (their difference may not fit in 64 bits).
    static func difference(_ before: Money, _ after: Money, grouped: Bool) -> String {
        let (cents, overflow) = after.cents.subtractingReportingOverflow(before.cents)
        if !overflow { return grouped ? Money(cents: cents).groupedText : Money(cents: cents).plainText }
        let exact = Int128(after.cents) - Int128(before.cents)
        var digits = String(exact.magnitude / 100)
        if grouped {
            var index = digits.count - 3
            while index > 0 {
                digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index))
                index -= 3
            }
        }
        let fraction = exact.magnitude % 100
        return (exact < 0 ? "-" : "") + digits + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
