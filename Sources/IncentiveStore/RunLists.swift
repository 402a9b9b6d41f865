import Foundation
import GRDB
import IncentiveEngine
import Synchronization

/// How a list of partners is ordered: by id (A to Z), or the largest paid or missed amount first, ties by id.
public enum PartnerOrder: String, Sendable, CaseIterable {
    case id, paid, missed
}

/// One page of a partner list: the order, a search and where the page starts.
public struct PartnerQuery: Sendable, Equatable {
    public var order: PartnerOrder
    /// A prefix of the partner's id or name, compared without regard to ASCII case; nil or empty lists all.
    public var search: String?
    public var offset: Int
    public var limit: Int

    public init(order: PartnerOrder = .id, search: String? = nil, offset: Int = 0, limit: Int = 50) {
        self.order = order
        self.search = search
        self.offset = offset
        self.limit = limit
    }

    /// The search as a `LIKE` pattern (`%` and `_` in it taken literally), nil when there is none.
    var pattern: String? {
        guard let search, !search.isEmpty else { return nil }
        var escaped = ""
        for character in search {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}

/// Some items of a longer list, and how many the whole list holds.
public struct ListPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int

    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

/// One partner's status and totals in one program of a stored run.
public struct PartnerTotals: Sendable, Equatable {
    public var status: PartnerStatus
    public var amount: Money
    public var missedAmount: Money

    public init(status: PartnerStatus, amount: Money, missedAmount: Money) {
        self.status = status
        self.amount = amount
        self.missedAmount = missedAmount
    }
}

/// A partner in a list: id, name (as the workspace holds it now) and totals in the run.
public struct PartnerStanding: Sendable, Equatable {
    public var partnerID: String
    /// Empty when the workspace no longer has the partner.
    public var name: String
    public var totals: PartnerTotals

    public init(partnerID: String, name: String, totals: PartnerTotals) {
        self.partnerID = partnerID
        self.name = name
        self.totals = totals
    }
}

/// How many partners have an amount in each range.
public struct AmountHistogram: Sendable, Equatable {
    /// Partners with an amount in [from, below); `below` is nil for the last bucket, which holds the largest.
    public struct Bucket: Sendable, Equatable {
        public var from: Money
        public var below: Money?
        public var count: Int
    }

    /// Decades of whole currency units: [0.01, 10), [10, 100), [100, 1,000), … up to the decade of the
    /// largest amount; empty when no partner has an amount above zero.
    public var buckets: [Bucket]

    /// The histogram of the positive amounts (cents) among `amounts`.
    static func decades(_ amounts: [Int64]) -> AmountHistogram {
        var counts: [Int] = []
        for cents in amounts where cents > 0 {
            // Bucket 0 holds up to 9.99; bucket k >= 1 holds [10^k, 10^(k+1)) units.
            var bucket = 0, bound: Int64 = 1_000
            while cents >= bound {
                bucket += 1
                let (next, overflow) = bound.multipliedReportingOverflow(by: 10)
                if overflow { break }
                bound = next
            }
            if counts.count <= bucket { counts += Array(repeating: 0, count: bucket + 1 - counts.count) }
            counts[bucket] += 1
        }
        var buckets: [Bucket] = []
        var from: Int64 = 1, below: Int64 = 1_000
        for (index, count) in counts.enumerated() {
            let last = index == counts.count - 1
            buckets.append(Bucket(from: Money(cents: from), below: last ? nil : Money(cents: below), count: count))
            from = below
            below = below.multipliedReportingOverflow(by: 10).overflow ? Int64.max : below * 10
        }
        return AmountHistogram(buckets: buckets)
    }
}

/// One program of a stored run in figures: counts, totals, the spread of amounts and the largest.
public struct ProgramOverview: Sendable {
    /// The version the run used.
    public var program: Program
    public var version: Int
    public var takingPart: Int
    /// Paid in full or in part (`PartnerResult.isEligible`).
    public var eligible: Int
    /// Statuses with at least one partner, in the order of `PartnerStatus.allCases`.
    public var statusCounts: [(status: PartnerStatus, count: Int)]
    public var amount: Money
    public var missedAmount: Money
    /// Over the partners paid something.
    public var paid: AmountHistogram
    /// Over the partners who missed something.
    public var missed: AmountHistogram
    /// At most `ProgramOverview.largest`, largest first, ties by id.
    public var largestPaid: [PartnerStanding]
    public var largestMissed: [PartnerStanding]

    public static let largest = 10
}

/// A (program, partner) whose results differ between two runs.
public struct PartnerChange: Sendable, Equatable {
    public var program: String
    public var partnerID: String
    public var name: String
    /// Nil: not in the first run.
    public var before: PartnerTotals?
    /// Nil: not in the second run.
    public var after: PartnerTotals?

    /// The change in what is paid, after minus before (a side that is missing counts as zero).
    public var paidChange: Int64 { (after?.amount.cents ?? 0) &- (before?.amount.cents ?? 0) }
    public var missedChange: Int64 { (after?.missedAmount.cents ?? 0) &- (before?.missedAmount.cents ?? 0) }
}

/// What a diff page shows above its list: the runs, their programs and data, and how many partners changed.
public struct RunDiffHeader: Sendable {
    public var before: RunSummary
    public var after: RunSummary
    public var currency: String
    public var programs: [RunDiff.ProgramChange]
    public var dataChanged: Bool
    /// Imports recorded between the two runs' starts.
    public var imports: [ImportSummary]
    /// (program, partner) pairs whose results differ.
    public var changedPartners: Int
}

/// A partner in a stored run: the run, and the partner's status and totals in each of the run's
/// programs that has it (by program id).
public struct StoredStanding: Sendable {
    public var summary: RunSummary
    public var totals: [String: PartnerTotals]

    public init(summary: RunSummary, totals: [String: PartnerTotals]) {
        self.summary = summary
        self.totals = totals
    }
}

/// What a partner page is made of, read in one transaction (`Workspace.partnerView`).
public struct PartnerView: Sendable {
    /// The partner's input: its rows only, with the programs, products and fx rates every partner shares.
    public var input: LoadedInput
    /// Its status and totals per program in the latest stored run (nil: no run yet).
    public var stored: StoredStanding?
    /// What the ledger holds of the partner as of the day asked for (nil: nothing, no entry and no fund request).
    public var ledger: PartnerLedgerRecords?

    public init(input: LoadedInput, stored: StoredStanding?, ledger: PartnerLedgerRecords?) {
        self.input = input
        self.stored = stored
        self.ledger = ledger
    }
}

/// One entry of the import log.
public struct ImportLogEntry: Sendable {
    public var id: Int
    public var importedAt: String
    public var summary: ImportSummary
}

/// What the lists compute once per stored run (or pair of runs) and keep: a stored run never changes.
final class RunListCache: Sendable {
    let overviews = Mutex<[Int: [ProgramOverview]]>([:])
    /// Changed pairs by (before, after), in (program, partner) order.
    let changes = Mutex<[Pair: [PartnerChange]]>([:])
    /// Taken while a pair's changes are worked out, so that concurrent requests wait for one computation.
    let computing = Mutex<Void>(())
    /// Per run, program and amount, how many partners taking part have an amount above zero and below it
    /// (`Workspace.largestFirst`: counted through the amount's index, 16 ms for 50,000 at 100,000 partners).
    let signedCounts = Mutex<[SignedKey: (above: Int, below: Int)]>([:])
    static let kept = 8

    struct Pair: Hashable { var a, b: Int }
    struct SignedKey: Hashable {
        var run: Int
        var program: String
        var paid: Bool
    }
}

extension Workspace {
    /// Statuses of partners who take part in a program (the lists show only them), from the engine's
    /// `PartnerStatus.takesPart`.
    static let takingPartSQL =
        "status IN (" + PartnerStatus.allCases.filter(\.takesPart).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// The partners taking part in `program` in stored run `run`, a page of them as `query` orders and
    /// searches. Each page is read through an index: no page reads the whole run.
    public func runPartners(run: Int, program: String, query: PartnerQuery) throws -> ListPage<PartnerStanding> {
        let totalWithoutSearch = try runOverview(run).first { $0.program.id == program }?.takingPart ?? 0
        return try pool.read { db in
            let source = RunRows(try runSummary(db, run))
            let order: String
            switch query.order {
            case .id: order = "t.partner_id"
            case .paid: order = "t.amount_cents DESC, t.partner_id"
            case .missed: order = "t.missed_amount_cents DESC, t.partner_id"
            }
            let columns = "t.partner_id, COALESCE(p.name, ''), t.status, t.amount_cents, t.missed_amount_cents"
            let items: [PartnerStanding]
            let total: Int
            if let pattern = query.pattern {
                // The partners matching the search first (two prefix indexes), then their totals by key (in the run
                // that holds each); CROSS JOIN keeps SQLite to that order (it would rather walk the whole program's totals).
                let from = """
                    FROM partners p CROSS JOIN run_partner_totals t
                        ON t.run_id = \(source.holder(of: "p.partner_id")) AND t.program_id = ? AND t.partner_id = p.partner_id
                    WHERE (p.partner_id LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\') AND t.\(Self.takingPartSQL)
                    """
                let arguments: StatementArguments = [program, pattern, pattern]
                total = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) \(from)", arguments: arguments) ?? 0
                items = try Row.fetchAll(
                    cached: db, sql: "SELECT \(columns) \(from) ORDER BY \(order) LIMIT ? OFFSET ?",
                    arguments: arguments + [query.limit, query.offset]
                ).map(Self.standing)
            } else {
                total = totalWithoutSearch
                let keys: [Row]
                switch query.order {
                case .id:
                    let select = source.select(
                        "partner_id, status, amount_cents, missed_amount_cents", from: "run_partner_totals",
                        where: "program_id = ? AND \(Self.takingPartSQL)", orderBy: "partner_id")
                    keys = try Row.fetchAll(
                        cached: db, sql: "\(select.sql) LIMIT ? OFFSET ?",
                        arguments: RunRows.arguments([program], arms: select.arms) + [query.limit, query.offset])
                case .paid: keys = try largestFirst(db, source, run: run, program: program, by: .paid, total: total, query: query)
                case .missed: keys = try largestFirst(db, source, run: run, program: program, by: .missed, total: total, query: query)
                }
                // Then the names of those 50 only.
                items = try keys.map { key in
                    let name = try String.fetchOne(cached: db, sql: "SELECT name FROM partners WHERE partner_id = ?", arguments: [key[0]])
                    return PartnerStanding(partnerID: key[0], name: name ?? "", totals: try Self.totals(key, from: 1))
                }
            }
            return ListPage(items: items, total: total)
        }
    }

    /// A list's amount column and the index of its amounts other than zero (`v20-list-indexes`: only those are indexed; at
    /// 100,000 partners most amounts are zero, and filling two indexes of every partner in the order of the amounts
    /// was a third of the writing of a run).
    enum Amount {
        case paid, missed

        var column: String { self == .paid ? "amount_cents" : "missed_amount_cents" }
        var index: String { self == .paid ? "run_partner_totals_by_paid" : "run_partner_totals_by_missed" }
    }

    /// Keys, status and totals of a page of the partners taking part in `program`, the largest `amount` first and equal
    /// amounts by id: the amounts above zero through the index, then the zeros in the order of the totals' key, then the
    /// amounts below zero through the index again. `total`: how many take part.
    func largestFirst(
        _ db: Database, _ source: RunRows, run: Int, program: String, by amount: Amount, total: Int, query: PartnerQuery
    ) throws -> [Row] {
        let column = amount.column
        let columns = "partner_id, status, amount_cents, missed_amount_cents"
        // The index holds the amounts other than zero; a query names that condition as the index does, so that SQLite uses it.
        let above = source.select(
            columns, from: "run_partner_totals", indexedBy: amount.index,
            where: "program_id = ? AND \(column) <> 0 AND \(column) > 0 AND \(Self.takingPartSQL)", orderBy: "\(column) DESC, partner_id")
        let below = source.select(
            columns, from: "run_partner_totals", indexedBy: amount.index,
            where: "program_id = ? AND \(column) <> 0 AND \(column) < 0 AND \(Self.takingPartSQL)", orderBy: "\(column) DESC, partner_id")
        let zero = source.select(
            columns, from: "run_partner_totals", where: "program_id = ? AND \(column) = 0 AND \(Self.takingPartSQL)", orderBy: "partner_id")
        func count(_ select: (sql: String, arms: Int)) throws -> Int {
            try Int.fetchOne(
                cached: db, sql: "SELECT COUNT(*) FROM (\(select.sql))", arguments: RunRows.arguments([program], arms: select.arms)) ?? 0
        }
        let key = RunListCache.SignedKey(run: run, program: program, paid: amount == .paid)
        let counts: (above: Int, below: Int)
        if let kept = runLists.signedCounts.withLock({ $0[key] }) {
            counts = kept
        } else {
            counts = (try count(above), try count(below))
            runLists.signedCounts.withLock { kept in
                if kept.count >= 64 * RunListCache.kept { kept.removeAll() }
                kept[key] = counts
            }
        }
        let aboveCount = counts.above
        let zeroCount = max(0, total - aboveCount - counts.below)
        var rows: [Row] = []
        var offset = query.offset
        for (select, size) in [(above, aboveCount), (zero, zeroCount), (below, Int.max)] {
            let wanted = query.limit - rows.count
            if wanted <= 0 { break }
            if offset >= size {
                offset -= size
                continue
            }
            rows += try Row.fetchAll(
                cached: db, sql: "\(select.sql) LIMIT ? OFFSET ?", arguments: RunRows.arguments([program], arms: select.arms) + [wanted, offset])
            offset = 0
        }
        return rows
    }

    static func standing(_ row: Row) throws -> PartnerStanding {
        PartnerStanding(partnerID: row[0], name: row[1], totals: try totals(row, from: 2))
    }

    /// Status, amount and missed amount from three columns starting at `index`.
    static func totals(_ row: Row, from index: Int) throws -> PartnerTotals {
        try totals(status: row[index], amount: row[index + 1], missed: row[index + 2])
    }

    static func totals(status text: String, amount: Int64, missed: Int64) throws -> PartnerTotals {
        guard let status = PartnerStatus(rawValue: text) else { throw WorkspaceError(.damaged, "a run holds an unknown status \(text)") }
        return PartnerTotals(status: status, amount: Money(cents: amount), missedAmount: Money(cents: missed))
    }

    /// Every program of stored run `run` in figures, sorted by program id. Worked out once per run (one
    /// pass over its partners' totals) and kept.
    public func runOverview(_ run: Int) throws -> [ProgramOverview] {
        if let kept = runLists.overviews.withLock({ $0[run] }) { return kept }
        let overviews = try pool.read { db in
            let summary = try runSummary(db, run)
            let source = RunRows(summary)
            var result: [ProgramOverview] = []
            for entry in summary.programs.sorted(by: { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }) {
                let program = try runProgram(db, run: run, id: entry.id, version: entry.version)
                var counts: [PartnerStatus: Int] = [:]
                var amount: Int64 = 0, missed: Int64 = 0
                var paidAmounts: [Int64] = [], missedAmounts: [Int64] = []
                let all = source.select("status, amount_cents, missed_amount_cents", from: "run_partner_totals", where: "program_id = ?")
                let rows = try Row.fetchCursor(db, sql: all.sql, arguments: RunRows.arguments([entry.id], arms: all.arms))
                while let row = try rows.next() {
                    let totals = try Self.totals(row, from: 0)
                    counts[totals.status, default: 0] += 1
                    amount += totals.amount.cents
                    missed += totals.missedAmount.cents
                    if totals.amount.cents > 0 { paidAmounts.append(totals.amount.cents) }
                    if totals.missedAmount.cents > 0 { missedAmounts.append(totals.missedAmount.cents) }
                }
                func largest(_ amount: Amount) throws -> [PartnerStanding] {
                    let column = amount.column
                    let keys = source.select(
                        "partner_id, status, amount_cents, missed_amount_cents", from: "run_partner_totals", indexedBy: amount.index,
                        where: "program_id = ? AND \(column) <> 0 AND \(column) > 0", orderBy: "\(column) DESC, partner_id")
                    return try Row.fetchAll(
                        db,
                        sql: """
                            SELECT t.partner_id, COALESCE(p.name, ''), t.status, t.amount_cents, t.missed_amount_cents
                            FROM (\(keys.sql) LIMIT ?) t LEFT JOIN partners p ON p.partner_id = t.partner_id
                            ORDER BY t.\(column) DESC, t.partner_id
                            """, arguments: RunRows.arguments([entry.id], arms: keys.arms) + [ProgramOverview.largest]
                    ).map(Self.standing)
                }
                let takingPart = counts.reduce(0) { $1.key.takesPart ? $0 + $1.value : $0 }
                result.append(
                    ProgramOverview(
                        program: program, version: entry.version, takingPart: takingPart,
                        eligible: counts.reduce(0) { $1.key.isEligible ? $0 + $1.value : $0 },
                        statusCounts: PartnerStatus.allCases.compactMap { status in counts[status].map { (status, $0) } },
                        amount: Money(cents: amount), missedAmount: Money(cents: missed), paid: .decades(paidAmounts),
                        missed: .decades(missedAmounts), largestPaid: try largest(.paid),
                        largestMissed: try largest(.missed)))
            }
            return result
        }
        runLists.overviews.withLock { kept in
            if kept.count >= RunListCache.kept { kept.removeAll() }
            kept[run] = overviews
        }
        return overviews
    }

    /// Everything a partner page shows, read in one transaction: the partner's input (its rows only,
    /// through the partner indexes) and its status and totals per program in the latest stored run
    /// (one key lookup per program). Nil when the workspace has no such partner.
    /// The partner's ledger is read as of `ledgerAsOf` (default: today).
    public func partnerView(_ id: String, ledgerAsOf day: Day? = nil) throws -> PartnerView? {
        let day = day ?? today
        return try snapshotRead { db in try partnerView(db, id, ledgerAsOf: day) }
    }

    /// The workspace's revision and, unless `known(revision)` says the caller already has what it makes
    /// of the partner at that revision, `partnerView(id)` (`view` nil: no such partner): one read.
    public func partnerView(_ id: String, ledgerAsOf day: Day? = nil, unlessKnown known: (Int) -> Bool) throws -> (
        revision: Int, known: Bool, view: PartnerView?
    ) {
        try snapshotRead { db in
            let revision = try Self.revision(db)
            if known(revision) { return (revision, true, nil) }
            return (revision, false, try partnerView(db, id, ledgerAsOf: day ?? today, revision: revision))
        }
    }

    /// `partnerView(_:unlessKnown:)` for a page that also finds out who asks, in the same read: the live
    /// session with hash `sessionHash` first (`session` nil: none, and nothing else is read), then the partner
    /// only when `allowed` says the session's user may see it (`allowed` false: nothing else is read).
    public func partnerView(
        _ id: String, sessionHash: String, allowed: (User) -> Bool, ledgerAsOf day: Day? = nil, unlessKnown known: (Int) -> Bool
    ) throws -> (
        session: Session?, allowed: Bool, revision: Int, known: Bool, view: PartnerView?
    ) {
        try snapshotRead { db in
            guard let session = try session(db, hash: sessionHash) else { return (nil, false, 0, false, nil) }
            guard allowed(session.user) else { return (session, false, 0, false, nil) }
            let revision = try Self.revision(db)
            if known(revision) { return (session, true, revision, true, nil) }
            return (session, true, revision, false, try partnerView(db, id, ledgerAsOf: day ?? today, revision: revision))
        }
    }

    /// `revision`: the snapshot's revision when the caller has read it already.
    func partnerView(_ db: Database, _ id: String, ledgerAsOf ledgerDay: Day, revision: Int? = nil) throws -> PartnerView? {
        let input: LoadedInput
        do {
            (input, _) = try loadInput(
                db, programIDs: [], tracePartner: id, onlyPartner: true, bookingView: nil, remedies: .plain, partnerMayBeMissing: true,
                revision: revision)
        } catch is NoSuchPartner {
            return nil
        }
        // A partner with nothing in the ledger costs one indexed look; the ledger of one with something is read here too.
        // (A ledger that cannot be read leaves the page without its lines, as a page without a ledger.)
        let ledger = try Self.hasLedger(db, partner: id) ? try? partnerLedger(db, partner: id, asOf: ledgerDay) : nil
        // The latest run's id is kept with what every partner shares at this revision.
        guard let run = try sharedInput(db, revision: revision).latestRun else {
            return PartnerView(input: input, stored: nil, ledger: ledger)
        }
        let summary = try runSummary(db, run)
        let holder = try RunRows(summary).holder(db, of: id)
        var totals: [String: PartnerTotals] = [:]
        // One primary-key seek per program (an `IN (...)` list of programs made SQLite build a table for it first).
        for program in summary.programs {
            try db.forEachRow(
                cached: """
                    SELECT status, amount_cents, missed_amount_cents FROM run_partner_totals
                    WHERE run_id = ? AND program_id = ? AND partner_id = ?
                    """, arguments: [holder, program.id, id]
            ) { row in
                totals[program.id] = try Self.totals(status: row.text(0), amount: row.int64(1), missed: row.int64(2))
            }
        }
        return PartnerView(input: input, stored: StoredStanding(summary: summary, totals: totals), ledger: ledger)
    }

    /// Partner `partner`'s rows and checks in stored run `run` (`runResult(run, partner:)`), nil when there is no such
    /// run: the partner API's one read.
    public func storedPartnerResult(run: Int, partner: String) throws -> ComputeResult? {
        try snapshotRead { db in
            guard try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)", arguments: [run]) == true else {
                return nil
            }
            return try runResult(db, run, partner: partner).result
        }
    }

    /// The latest stored run, if any.
    public func latestRun() throws -> RunSummary? {
        try pool.read { db in
            guard let id = try Int.fetchOne(cached: db, sql: "SELECT MAX(id) FROM runs") else { return nil }
            return try runSummary(db, id)
        }
    }

    /// The import log, newest first, a page of it.
    public func importLog(offset: Int, limit: Int) throws -> ListPage<ImportLogEntry> {
        try snapshotRead { db in
            let total = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM imports") ?? 0
            let items = try Row.fetchAll(
                cached: db,
                sql:
                    "SELECT id, imported_at, kind, file_name, digest, rows, added, changed, unchanged, retired FROM imports ORDER BY id DESC LIMIT ? OFFSET ?",
                arguments: [limit, offset]
            ).map(Self.importEntry)
            return ListPage(items: items, total: total)
        }
    }

    static func importEntry(_ row: Row) -> ImportLogEntry {
        let id: Int = row[0], kind: String = row[2]
        var summary = ImportSummary(
            kind: DataKind(rawValue: kind) ?? .bookings, file: row[3], digest: row[4], rows: row[5], added: row[6], changed: row[7],
            unchanged: row[8])
        summary.retired = row[9]
        summary.id = id
        return ImportLogEntry(id: id, importedAt: row[1], summary: summary)
    }

    /// Imports recorded between two instants (inclusive), oldest first.
    /// The imports (and enrolment changes) between the data of runs `a` and `b`: by the last import each
    /// run's data included (`known_import`, exact), or, for runs stored before it was kept, by time.
    func importsBetween(_ db: Database, _ a: RunSummary, _ b: RunSummary) throws -> [ImportSummary] {
        guard let knownA = a.knownImport, let knownB = b.knownImport else {
            return try importsBetween(db, from: min(a.startedAt, b.startedAt), to: max(a.startedAt, b.startedAt))
        }
        return try Row.fetchAll(
            cached: db,
            sql: """
                SELECT id, imported_at, kind, file_name, digest, rows, added, changed, unchanged, retired FROM imports
                WHERE id > ? AND id <= ? ORDER BY id
                """, arguments: [min(knownA, knownB), max(knownA, knownB)]
        ).map { Self.importEntry($0).summary }
    }

    func importsBetween(_ db: Database, from: String, to: String) throws -> [ImportSummary] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT id, imported_at, kind, file_name, digest, rows, added, changed, unchanged, retired FROM imports
                WHERE imported_at >= ? AND imported_at <= ? ORDER BY id
                """, arguments: [from, to]
        ).map { Self.importEntry($0).summary }
    }

    // MARK: Diff lists

    /// What the diff page shows above its list.
    public func runDiffHeader(_ first: Int, _ second: Int) throws -> RunDiffHeader {
        let changes = try partnerChanges(first, second)
        let (a, b) = (try runSummary(first), try runSummary(second))
        let programs = try programChanges(a, b)
        let (imports, same) = try pool.read { db in (try importsBetween(db, a, b), try Self.sameData(db, a, b)) }
        let overview = try runOverview(second).first ?? runOverview(first).first
        return RunDiffHeader(
            before: a, after: b, currency: overview?.program.currency ?? "", programs: programs, dataChanged: same != true,
            imports: imports, changedPartners: changes.count)
    }

    /// The (program, partner) pairs whose results differ between two runs, a page of them: `.paid` and
    /// `.missed` put the largest change (either way) first, `.id` orders by partner id, then program.
    public func changedPartners(_ first: Int, _ second: Int, query: PartnerQuery) throws -> ListPage<PartnerChange> {
        var changes = try partnerChanges(first, second)
        if let search = query.search, !search.isEmpty {
            let prefix = search.lowercased()
            changes = changes.filter { $0.partnerID.lowercased().hasPrefix(prefix) || $0.name.lowercased().hasPrefix(prefix) }
        }
        func byID(_ x: PartnerChange, _ y: PartnerChange) -> Bool {
            if x.partnerID != y.partnerID { return x.partnerID.utf8.lexicographicallyPrecedes(y.partnerID.utf8) }
            return x.program.utf8.lexicographicallyPrecedes(y.program.utf8)
        }
        func by(_ change: @escaping (PartnerChange) -> Int64) -> (PartnerChange, PartnerChange) -> Bool {
            { x, y in
                let (cx, cy) = (change(x).magnitude, change(y).magnitude)
                return cx != cy ? cx > cy : byID(x, y)
            }
        }
        switch query.order {
        case .id: changes.sort(by: byID)
        case .paid: changes.sort(by: by(\.paidChange))
        case .missed: changes.sort(by: by(\.missedChange))
        }
        let start = min(max(query.offset, 0), changes.count)
        let end = start + min(max(query.limit, 0), changes.count - start)
        return ListPage(items: Array(changes[start..<end]), total: changes.count)
    }

    /// Every changed pair of two runs, worked out once in the database and kept: a pair differs when a row
    /// is in one run only, or a row's numbers, reasons or checks differ (the rows `diffRuns` lists).
    func partnerChanges(_ first: Int, _ second: Int) throws -> [PartnerChange] {
        let pair = RunListCache.Pair(a: first, b: second)
        if let kept = runLists.changes.withLock({ $0[pair] }) { return kept }
        _ = try runSummary(first)
        _ = try runSummary(second)
        return try runLists.computing.withLock { _ in
            if let kept = runLists.changes.withLock({ $0[pair] }) { return kept }
            let changes = try pool.read { db in try Self.partnerChanges(db, first, second) }
            runLists.changes.withLock { kept in
                if kept.count >= RunListCache.kept { kept.removeAll() }
                kept[pair] = changes
            }
            return changes
        }
    }

    static func partnerChanges(_ db: Database, _ a: Int, _ b: Int) throws -> [PartnerChange] {
        // As `diffRuns` compares: rows of the first run with no equal row in the second (numbers, reasons,
        // and checks worded alike: `checks_words_differ` words two blobs only when their bytes differ, `CheckBlobs`;
        // two rows that share their checks, `checks_of`, have the same), then rows of the second that the first lacks.
        // Each run's rows are those it holds (`RunRows`: an anchored run's partners that it did not compute are its anchor's).
        let (x, y) = (try RunRows.of(db, a), try RunRows.of(db, b))
        let sql = """
            WITH changed(program_id, partner_id) AS (
                SELECT x.program_id, x.partner_id FROM run_rows x
                LEFT JOIN run_rows y ON y.run_id = \(y.holder(of: "x.partner_id")) AND y.program_id = x.program_id AND y.partner_id = x.partner_id
                    AND y.item = x.item
                WHERE \(x.contains("x")) AND (
                    y.id IS NULL OR y.qualifying_volume_cents <> x.qualifying_volume_cents OR y.threshold_cents <> x.threshold_cents
                    OR y.eligible <> x.eligible OR y.amount_cents <> x.amount_cents OR y.missed_amount_cents <> x.missed_amount_cents
                    OR y.reasons <> x.reasons
                    OR (COALESCE(x.checks_of, x.id) <> COALESCE(y.checks_of, y.id)
                        AND checks_words_differ((SELECT hx.checks FROM run_rows hx WHERE hx.id = COALESCE(x.checks_of, x.id)),
                            (SELECT hy.checks FROM run_rows hy WHERE hy.id = COALESCE(y.checks_of, y.id)))))
                UNION
                SELECT y.program_id, y.partner_id FROM run_rows y
                WHERE \(y.contains("y")) AND NOT EXISTS (
                    SELECT 1 FROM run_rows x WHERE x.run_id = \(x.holder(of: "y.partner_id")) AND x.program_id = y.program_id
                        AND x.partner_id = y.partner_id AND x.item = y.item)
            )
            SELECT c.program_id, c.partner_id, COALESCE(p.name, ''),
                   ta.status, ta.amount_cents, ta.missed_amount_cents, tb.status, tb.amount_cents, tb.missed_amount_cents
            FROM changed c
            LEFT JOIN run_partner_totals ta ON ta.run_id = \(x.holder(of: "c.partner_id")) AND ta.program_id = c.program_id
                AND ta.partner_id = c.partner_id
            LEFT JOIN run_partner_totals tb ON tb.run_id = \(y.holder(of: "c.partner_id")) AND tb.program_id = c.program_id
                AND tb.partner_id = c.partner_id
            LEFT JOIN partners p ON p.partner_id = c.partner_id
            ORDER BY c.program_id, c.partner_id
            """
        return try Row.fetchAll(db, sql: sql).map { row in
            PartnerChange(
                program: row[0], partnerID: row[1], name: row[2],
                before: row[3] == nil ? nil : try totals(row, from: 3),
                after: row[6] == nil ? nil : try totals(row, from: 6))
        }
    }
}
