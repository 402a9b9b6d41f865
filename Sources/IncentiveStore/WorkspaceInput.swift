import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine
import Synchronization

/// What a computation from the workspace used, besides the data itself.
public struct InputRecord: Sendable {
    /// (program id, version) of each program used, sorted by id.
    public var programVersions: [(id: String, version: Int, digest: String)]
    /// The data digest of the scheme asked for (`DataDigests`): "" for `.none` and for a one-partner read (no whole data,
    /// no digest).
    public var dataDigest: String
    /// SHA-256 of the data digest and the program versions' digests ("" for a one-partner read).
    public var inputsDigest: String
    /// The largest import id committed in the snapshot the data was read from (or the import it was read as
    /// known at): 0 when nothing was imported yet, and for a one-partner read of the current data.
    public var knownImport: Int = 0
    /// Each data table's multiset digest (digest scheme 2) as read, for a read of all the data with `.multiset` digests.
    var tableDigests: TableDigests?
}

/// Which digest of the whole data a read works out as it goes (docs/workspace.md "Runs").
public enum DataDigests: Sendable {
    /// None: `compute`, `advise` and the pages need only the input.
    case none
    /// Scheme 1: the SHA-256 of the data written out as `export` writes it (the runs stored before scheme 2 was every
    /// run's, for `runs reproduce`). The bookings are then read on one thread, in key order.
    case export
    /// Scheme 2: each table's multiset digest (the sum of its rows' SHA-256), and the data digest made of them: what a
    /// run records. Rows can be hashed in any order, so the bookings are read on several threads.
    case multiset
}

/// A `SetDigest` that the closures of a read add rows to.
final class SetDigestBox {
    var set = SetDigest()
}

/// What every partner's input shares at one revision of the workspace.
struct SharedInput: Sendable {
    /// The workspace revision it was read at (nil: not kept).
    var revision: Int?
    var programs: [Program]
    /// (program id, version, digest) of each of `programs`.
    var programRecords: [(String, Int, String)]
    /// Programs that no longer load, and problems of loading them together.
    var problems: DiagnosticCollector
    var products: ByteInterner?
    var fxRates: [String: [FXRate]]
    /// The latest stored run's id at `revision` (a run moves the revision on), read by the one-partner reads
    /// that keep it (`Workspace.sharedInput(_:revision:)`); nil otherwise and when there is no run.
    var latestRun: Int?
}

extension Workspace {
    /// The name bookings are reported under when they come from the workspace.
    var bookingsSource: String { "\(path) (bookings)" }

    /// Reads everything a computation needs in one consistent snapshot and passes it through the engine's
    /// one bookings pass. With `onlyPartner`, only that partner's booking lines are read (for `explain`,
    /// `enroll`), and the data digest is not computed.
    /// - Parameter bookingView: how each booking line is seen (`nil`: left out), e.g. as it stood on a date.
    /// - Parameter asKnownAt: read the data as the workspace knew it right after that import, with the program
    ///   versions of its moment (`resolve(_:)`), instead of the current data (`nil`).
    /// - Parameter remedies: the front end's words for what to do about an empty workspace or an unknown id.
    /// - Parameter digests: the digest of the whole data to work out in the same pass (`record.dataDigest`; with
    ///   `.multiset`, `record.tableDigests` too): a run and `runs reproduce` need one.
    public func loadInput(
        programIDs: [String] = [], tracePartner: String? = nil, onlyPartner: Bool = false, bookingView: ((BookingLine) -> BookingLine?)? = nil,
        asKnownAt: KnownPoint? = nil, remedies: Remedies = .plain, digests: DataDigests = .none
    ) throws(DiagnosticReport) -> (input: LoadedInput, record: InputRecord) {
        do {
            return try pool.read { db in
                try loadInput(
                    db, programIDs: programIDs, tracePartner: tracePartner, onlyPartner: onlyPartner, bookingView: bookingView, point: asKnownAt,
                    remedies: remedies, digests: digests)
            }
        } catch let report as DiagnosticReport {
            throw report
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "reading the workspace failed: \(error)"))
        }
    }

    /// A read with `partnerMayBeMissing` found no such partner: a page answers 404.
    struct NoSuchPartner: Error {}

    /// `loadInput` inside a read the caller holds (a `DiagnosticReport` for problems of the data).
    func loadInput(
        _ db: Database, programIDs: [String], tracePartner: String?, onlyPartner: Bool, bookingView: ((BookingLine) -> BookingLine?)?,
        point: KnownPoint? = nil, remedies: Remedies, partnerMayBeMissing: Bool = false, digests: DataDigests = .none, revision: Int? = nil
    ) throws -> (LoadedInput, InputRecord) {
        // A one-partner read has no digest of the whole data.
        let digests = onlyPartner ? .none : digests
        var collector = DiagnosticCollector()
        // A one-partner read takes what every partner shares from the revision it reads at (a read of the
        // past reads its own: the kept one is the current data's).
        let common =
            point != nil
            ? try Self.sharedInput(db, source: path, revision: nil, point: point)
            : onlyPartner ? try sharedInput(db, revision: revision) : try Self.sharedInput(db, source: path, revision: nil)
        let programs = common.programs
        var programRecords = common.programRecords
        collector.merge(common.problems)
        if programs.isEmpty && !collector.hasErrors {
            collector.error(file: path, line: nil, "the workspace has no programs yet; \(remedies.addAProgram)")
        }
        let (selected, unknown) = ProgramSelection.select(programs, ids: programIDs)
        if !programs.isEmpty {
            for id in unknown {
                let known = programs.map(\.id).sorted().joined(separator: ", ")
                collector.error(
                    file: path, line: nil, column: remedies.programChoice, value: id, "no such program in the workspace (it has: \(known))")
            }
        }
        programRecords = programRecords.filter { record in selected.contains { $0.id.isExactly(record.0) } }
        programRecords.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }

        // The booking pass of a full read starts before the side rows are in (`PendingDataset`).
        let pending = try Self.pendingDataset(db, source: path, partner: onlyPartner ? tracePartner : nil, shared: common, point: point, pool: pool)
        defer { pending.abandon() }
        var dataset = pending.partial
        if dataset.partners.isEmpty && !(onlyPartner && tracePartner != nil) {
            collector.error(file: path, line: nil, "the workspace has no partners yet; \(remedies.importData)")
        }
        var traceIndex: Int?
        if let tracePartner {
            traceIndex = dataset.partnerIndex(tracePartner)
            if traceIndex == nil && partnerMayBeMissing { throw NoSuchPartner() }
            if traceIndex == nil {
                collector.error(file: path, line: nil, column: remedies.partnerChoice, value: tracePartner, "no such partner in the workspace")
            }
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }

        let file = bookingsSource
        var digest = Digest()
        var buffer: [UInt8] = []
        // The canonical text is written only for a digest (a partner page does not need one); hashed as it goes for
        // scheme 1, only row by row for scheme 2.
        if digests != .none { buffer.reserveCapacity(1 << 17) }
        var tableDigests = TableDigests()
        // The digests the changes recorded for the current data, when they did (`ImportDigests`): nothing to hash.
        let recorded =
            digests == .multiset && point == nil && takesRecordedDigests.load(ordering: .relaxed)
            ? try TableDigests.stored(db, importID: Self.lastImport(db)) : nil
        if let recorded { tableDigests = recorded }
        if digests != .none && recorded == nil {
            for kind in DataKind.importOrder where kind != .bookings {
                if kind.isOptional, try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM \(KnownRows.from(kind, point)))") != true {
                    continue
                }
                let box = SetDigestBox()
                try Self.appendTable(kind, db, point: point, to: &buffer, row: digests == .multiset ? { box.set.update($0, sign: 1) } : nil) {
                    if digests == .export { digest.consume(&$0) } else { $0.removeAll(keepingCapacity: true) }
                }
                tableDigests[kind] = box.set
            }
            if digests == .multiset { buffer.removeAll(keepingCapacity: true) }
        }
        var accumulator: BookingAccumulator
        var records = 0
        if point == nil && digests != .export && bookingView == nil && !onlyPartner {
            // Every current line, in any order: on several threads, each over a range of keys.
            let read = try ParallelBookingsRead.read(
                db, pool: pool, dataset: dataset, programs: selected, tracePartner: traceIndex, hashRows: digests == .multiset && recorded == nil,
                file: file, threads: readThreads.load(ordering: .relaxed))
            (accumulator, records) = (read.accumulator, read.records)
            if recorded == nil { tableDigests[.bookings] = read.digest }
            collector.merge(read.collector)
        } else {
            accumulator = BookingAccumulator(programs: selected, dataset: dataset, tracePartner: traceIndex)
            let bookingsSet = SetDigestBox()
            try Self.readBookings(
                db, dataset: dataset, partner: onlyPartner ? tracePartner : nil, point: point,
                row: digests == .multiset ? { bookingsSet.set.update($0, sign: 1) } : nil,
                canonical: digests == .none
                    ? nil
                    : { buffer in
                        if buffer.count >= 1 << 16 {
                            if digests == .export { digest.consume(&buffer) } else { buffer.removeAll(keepingCapacity: true) }
                        }
                    }, buffer: &buffer
            ) { line in
                records += 1
                if let bookingView {
                    if let seen = bookingView(line) { accumulator.add(seen, file: file, collector: &collector) }
                } else {
                    accumulator.add(line, file: file, collector: &collector)
                }
            }
            digest.consume(&buffer)
            tableDigests[.bookings] = bookingsSet.set
        }
        if let recorded, recorded[.bookings].rows != records {
            throw WorkspaceError(
                .damaged, "\(path): the digests recorded at its last change count \(recorded[.bookings].rows) booking lines; it holds \(records)")
        }
        var totals = accumulator.finish(file: file, collector: &collector)
        totals.lineCount = records
        if collector.hasErrors { throw DiagnosticReport(collector) }
        let dataDigest =
            switch digests {
            case .none: ""
            case .export: digest.finalize()
            case .multiset: tableDigests.dataDigest
            }
        dataset = try pending.complete(db)
        let input = LoadedInput(programs: selected, dataset: dataset, totals: totals, warnings: collector)
        let versions = programRecords.map { (id: $0.0, version: $0.1, digest: $0.2) }
        return (
            input,
            InputRecord(
                programVersions: versions, dataDigest: dataDigest,
                inputsDigest: digests == .none ? "" : Self.inputsDigest(data: dataDigest, programs: versions),
                knownImport: try point?.importID ?? (onlyPartner ? 0 : Self.lastImport(db)),
                tableDigests: digests == .multiset ? tableDigests : nil)
        )
    }

    /// The inputs digest: SHA-256 of the data digest and the id, version and SHA-256 of each program used.
    static func inputsDigest(data dataDigest: String, programs: [(id: String, version: Int, digest: String)]) -> String {
        var inputs = Digest()
        inputs.update("data \(dataDigest)\n")
        for program in programs { inputs.update("program \(program.id) \(program.version) \(program.digest)\n") }
        return inputs.finalize()
    }

    /// Reports, as a run would, booking amounts that add up beyond what the engine sums exactly
    /// (`BookingAccumulator.sumLimit`) with the workspace's latest programs, so that an import that
    /// would make every run fail is refused. A bound from the largest amount and rate skips the pass
    /// over the bookings whenever no sum can come near the limit (every real dataset): first from `bookings_bounds`
    /// (no read of the bookings), then from the stored lines' largest amount and count (a scan of the table).
    static func checkBookingSums(_ db: Database, file: String, collector: inout DiagnosticCollector) throws {
        var programs: [Program] = []
        for version in try ProgramStore.latest(db) {
            if let program = try? ProgramStore.parse(version) { programs.append(program) }
        }
        guard !programs.isEmpty else { return }
        let rate = max(try Int64.fetchOne(db, sql: "SELECT MAX(rate_micros) FROM fx_rates") ?? 0, 1_000_000)
        func withinLimit(_ sql: String) throws -> Bool {
            let sizes = try Row.fetchOne(db, sql: sql)
            let largest: Int64 = sizes?[0] ?? 0, lines: Int64 = sizes?[1] ?? 0
            // A converted amount is at most |amount| × rate, plus one cent of rounding.
            let bound = (Int128(largest) * Int128(rate) / 1_000_000 + 1) * Int128(lines) * Int128(programs.count)
            return bound <= Int128(BookingAccumulator.sumLimit)
        }
        if try withinLimit("SELECT COALESCE(MAX(largest_amount_cents), 0), COALESCE(SUM(lines_added), 0) FROM bookings_bounds") { return }
        if try withinLimit("SELECT COALESCE(MAX(ABS(amount_cents)), 0), COUNT(*) FROM bookings") { return }
        let dataset = try Self.dataset(db, source: file)
        var accumulator = BookingAccumulator(programs: programs, dataset: dataset)
        // Only the sums matter here: a missing fx rate is for the run to report, as before.
        var scratch = DiagnosticCollector()
        var buffer: [UInt8] = []
        try readBookings(db, dataset: dataset, partner: nil, canonical: nil, buffer: &buffer) { line in
            accumulator.add(line, file: file, collector: &scratch)
        }
        accumulator.reportOverflow(file: file, collector: &collector)
    }

    /// The latest programs (parsed, with the problems of loading them together), every product and every
    /// exchange rate, as of `db`'s snapshot: from the last one-partner read when the revision is the same.
    /// `revision`: the snapshot's revision when the caller has read it already. With them, the latest run's id.
    func sharedInput(_ db: Database, revision known: Int? = nil) throws -> SharedInput {
        let revision = try known ?? Self.revision(db)
        if let kept = shared.withLock({ $0 }), kept.revision == revision { return kept }
        var read = try Self.sharedInput(db, source: path, revision: revision)
        read.latestRun = try Int.fetchOne(cached: db, sql: "SELECT MAX(id) FROM runs")
        shared.withLock { $0 = read }
        return read
    }

    static func revision(_ db: Database) throws -> Int {
        Int(try String.fetchOne(cached: db, sql: "SELECT value FROM workspace_info WHERE key = 'revision'") ?? "0") ?? 0
    }

    static func sharedInput(_ db: Database, source: String, revision: Int?, point: KnownPoint? = nil) throws -> SharedInput {
        var problems = DiagnosticCollector()
        var programs: [Program] = []
        var programRecords: [(String, Int, String)] = []
        for version in try point.map({ try ProgramStore.versions(db, at: $0) }) ?? ProgramStore.latest(db) {
            do {
                programs.append(try ProgramStore.parse(version))
                programRecords.append((version.programID, version.version, version.digest))
            } catch {
                problems.error(file: version.label, line: nil, "\(error)")
            }
        }
        ProgramLoader.checkTogether(programs, collector: &problems)
        let catalogue = try catalogue(db, point: point)
        return SharedInput(
            revision: revision, programs: programs, programRecords: programRecords, problems: problems, products: catalogue.products,
            fxRates: catalogue.fxRates)
    }

    /// Every product and exchange rate, in a dataset of no partners.
    static func catalogue(_ db: Database, point: KnownPoint? = nil) throws -> Dataset {
        var catalogue = Dataset()
        let products = KnownRows.from(.products, point)
        if try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM \(products))") == true {
            for row in try Row.fetchAll(cached: db, sql: "SELECT sku, description, family FROM \(products) ORDER BY sku") {
                catalogue.add(Product(sku: row[0], description: row[1], family: row[2]))
            }
        }
        for row in try Row.fetchAll(
            cached: db, sql: "SELECT currency, valid_from, rate_micros FROM \(KnownRows.from(.fx, point)) ORDER BY currency, valid_from")
        {
            catalogue.add(FXRate(currency: row[0], validFrom: try day(row[1]), rate: ScaledDecimal(units: row[2], scale: 6)))
        }
        catalogue.finish()
        return catalogue
    }

    /// Everything but bookings, as the engine's `Dataset`; with `partner`, only what concerns that partner
    /// (read through the tables' partner indexes), with every product and exchange rate (`shared`'s when given).
    /// With `point`, the rows as known then.
    /// With `partnersOnly`, the partners (and the catalogue) without their tier history, credentials, CSAT
    /// reports, services and enrolments: what an import checks a file's partner ids and SKUs against.
    /// With `partners` (a JSON array of partner ids), only what concerns those partners (an incremental run).
    ///
    /// With `pool`, a read of every current partner's rows takes the credentials, CSAT reports and services (1.2 million
    /// rows at 100,000 partners; the booking pass needs none of them) on a thread and a read of its own while this one
    /// reads the tier history and the enrolments (`sideRows`).
    static func dataset(
        _ db: Database, source: String, partner: String? = nil, partners: String? = nil, shared: SharedInput? = nil, point: KnownPoint? = nil,
        partnersOnly: Bool = false, pool: DatabasePool? = nil
    ) throws -> Dataset {
        let pending = try pendingDataset(
            db, source: source, partner: partner, partners: partners, shared: shared, point: point, partnersOnly: partnersOnly, pool: pool)
        return try pending.complete(db)
    }

    /// `dataset`, whose credentials, CSAT reports and services may still be read on their thread (`SideRows`): what the
    /// booking pass needs (the partners, their tier history and enrolments, the catalogue) is there, and `complete`
    /// adds the rest. A full read starts the booking pass before it completes the dataset, so that the side thread's
    /// rows are read while the booking threads work.
    struct PendingDataset {
        /// Without the side rows while `side` reads them.
        let partial: Dataset
        let side: SideRows?
        let tables: (credentials: String, csat: String, services: String)

        /// The dataset with every row (waits for the side thread).
        func complete(_ db: Database) throws -> Dataset {
            guard let side else { return partial }
            var dataset = partial
            if var read = try side.take() {
                // Moved, not shared: `finish` sorts each partner's CSAT dates in place.
                (dataset.credentials, dataset.csatDates, dataset.services) = (read.credentials, read.csatDates, read.services)
                (read.credentials, read.csatDates, read.services) = ([], [], [])
            } else {
                // Its read saw another revision of the workspace: read here, in this snapshot.
                try sideRows(db, into: &dataset, tables: tables, only: "", arguments: [])
            }
            dataset.finish()
            return dataset
        }

        /// Waits for the side thread, when the caller gives up before `complete` (no thread outlives its read).
        func abandon() { side?.wait() }
    }

    static func pendingDataset(
        _ db: Database, source: String, partner: String? = nil, partners: String? = nil, shared: SharedInput? = nil, point: KnownPoint? = nil,
        partnersOnly: Bool = false, pool: DatabasePool? = nil
    ) throws -> PendingDataset {
        var dataset = Dataset()
        dataset.partnersSource = "the workspace"
        let only = partner != nil ? "WHERE partner_id = ?" : partners != nil ? "WHERE partner_id IN (SELECT value FROM json_each(?))" : ""
        let arguments: StatementArguments = partner.map { [$0] } ?? partners.map { [$0] } ?? []
        // The tables, or their rows as known at `point`.
        let (partners, tiers, credentials) = (KnownRows.from(.partners, point), KnownRows.from(.tiers, point), KnownRows.from(.credentials, point))
        let (csat, services, enrollments) = (KnownRows.from(.csat, point), KnownRows.from(.services, point), KnownRows.from(.enrollments, point))
        // Rows are read straight from SQLite (`forEachRow`): this runs for every partner page.
        try db.forEachRow(
            cached: "SELECT partner_id, name, country, tier, provider FROM \(partners) \(only) ORDER BY partner_id", arguments: arguments
        ) {
            row in
            let tierText = row.text(3)
            guard let tier = Tier(rawValue: tierText) else {
                throw WorkspaceError(.damaged, "\(source): partner \(row.text(0)) has an unknown tier \(tierText)")
            }
            dataset.add(Partner(id: row.text(0), name: row.text(1), country: row.text(2), tier: tier, provider: row.bool(4)))
        }
        let sideTables = (credentials, csat, services)
        if partnersOnly {
            let catalogue = try catalogue(db, point: point)
            (dataset.products, dataset.fxRates) = (catalogue.products, catalogue.fxRates)
            dataset.finish()
            return PendingDataset(partial: dataset, side: nil, tables: sideTables)
        }
        let side = pool != nil && only.isEmpty && point == nil ? try SideRows.start(db, pool: pool!, dataset: dataset) : nil
        var handedOver = false
        defer { if !handedOver { side?.wait() } }
        try db.forEachRow(cached: "SELECT partner_id, tier, valid_from FROM \(tiers) \(only) ORDER BY partner_id, valid_from", arguments: arguments) {
            row in
            let tierText = row.text(1)
            guard let tier = Tier(rawValue: tierText) else {
                throw WorkspaceError(.damaged, "\(source): partner \(row.text(0)) has an unknown tier \(tierText) in its tier history")
            }
            dataset.add(TierChange(partnerID: row.text(0), tier: tier, validFrom: try day(row, 2)))
        }
        if side == nil {
            try sideRows(db, into: &dataset, tables: (credentials, csat, services), only: only, arguments: arguments)
        }
        try db.forEachRow(
            cached: "SELECT partner_id, program, subtrack, enrolled_on FROM \(enrollments) \(only) ORDER BY partner_id, program, subtrack",
            arguments: arguments
        ) { row in
            dataset.enrollments.append(
                Enrollment(partnerID: row.text(0), program: row.text(1), subtrack: row.text(2), enrolledOn: try day(row, 3)))
        }
        if let shared {
            (dataset.products, dataset.fxRates) = (shared.products, shared.fxRates)
        } else {
            let catalogue = try catalogue(db, point: point)
            (dataset.products, dataset.fxRates) = (catalogue.products, catalogue.fxRates)
        }
        dataset.finish()
        handedOver = true
        return PendingDataset(partial: dataset, side: side, tables: sideTables)
    }

    /// The credentials, CSAT reports and services of `dataset`'s partners (its partners read already), from `tables`.
    static func sideRows(
        _ db: Database, into dataset: inout Dataset, tables: (credentials: String, csat: String, services: String), only: String,
        arguments: StatementArguments
    ) throws {
        let (credentials, csat, services) = tables
        try db.forEachRow(
            cached: "SELECT partner_id, credential, achieved_on, expires_on FROM \(credentials) \(only) ORDER BY partner_id, credential, achieved_on",
            arguments: arguments
        ) { row in
            dataset.add(
                Credential(
                    partnerID: row.text(0), credential: row.text(1), achievedOn: try day(row, 2), expiresOn: try optionalDay(row, 3)
                ))
        }
        // Only the partner and the day count (the survey id orders them); both are taken from SQLite's bytes.
        try db.forEachRow(cached: "SELECT partner_id, submitted_on FROM \(csat) \(only) ORDER BY survey_id", arguments: arguments) { row in
            dataset.addCSAT(partnerID: row.bytes(0), submittedOn: try day(row, 1))
        }
        try db.forEachRow(
            cached:
                "SELECT partner_id, service, strategic, active_from, active_until FROM \(services) \(only) ORDER BY partner_id, service, active_from",
            arguments: arguments
        ) { row in
            dataset.add(
                PoweredService(
                    partnerID: row.text(0), service: row.text(1), strategic: row.bool(2), activeFrom: try day(row, 3),
                    activeUntil: try optionalDay(row, 4)))
        }
    }

    /// `sideRows` of every current partner on a thread of its own, with a read of its own (a pool reader, when one may
    /// be taken: `ParallelBookingsRead.takeReaders`), checked to see the caller's revision.
    final class SideRows: @unchecked Sendable {
        private var read: Dataset?
        private var error: (any Error)?
        private let done = DispatchSemaphore(value: 0)
        private let pool: DatabasePool
        private var waited = false

        private init(pool: DatabasePool) { self.pool = pool }

        /// Nil when no reader may be taken: the caller reads the rows itself.
        static func start(_ db: Database, pool: DatabasePool, dataset: Dataset) throws -> SideRows? {
            let revision = try Workspace.revision(db)
            guard ParallelBookingsRead.takeReaders(pool, wanted: 1) == 1 else {
                ParallelBookingsRead.giveBack(pool, threads: 0)
                return nil
            }
            let side = SideRows(pool: pool)
            let thread = Thread {
                defer { side.done.signal() }
                do {
                    side.read = try pool.read { other -> Dataset? in
                        guard try Workspace.revision(other) == revision else { return nil }
                        // Read while the booking threads read theirs: a connection kept open with its cache full would
                        // add to the run's peak memory.
                        let cacheSize = try ParallelBookingsRead.useScanCache(other)
                        defer { try? other.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
                        var read = dataset
                        try sideRows(
                            other, into: &read, tables: (KnownRows.from(.credentials, nil), KnownRows.from(.csat, nil), KnownRows.from(.services, nil)),
                            only: "", arguments: [])
                        return read
                    }
                } catch {
                    side.error = error
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
            return side
        }

        /// Waits for the thread the first time (and gives its reader back); a caller that gives up waits too (`defer`),
        /// so no thread outlives its read.
        func wait() {
            if !waited {
                done.wait()
                ParallelBookingsRead.giveBack(pool, threads: 1)
                waited = true
            }
        }

        /// The partners with their rows, handed over (not kept here: the caller sorts them in place, without a copy);
        /// nil when the thread's read saw another revision. Waits for the thread.
        func take() throws -> Dataset? {
            wait()
            if let error { throw error }
            defer { read = nil }
            return read
        }
    }

    static func day(_ text: String) throws -> Day {
        guard let day = Day(iso: text) else { throw WorkspaceError(.damaged, "the workspace holds a malformed date \(text)") }
        return day
    }

    static func optionalDay(_ text: String?) throws -> Day? {
        guard let text else { return nil }
        return try day(text)
    }

    /// `day` of a column of the row being read, parsed from its bytes.
    static func day(_ row: ColumnReader, _ column: Int32) throws -> Day {
        guard let day = row.isoDay(column) else { throw WorkspaceError(.damaged, "the workspace holds a malformed date \(row.text(column))") }
        return day
    }

    static func optionalDay(_ row: ColumnReader, _ column: Int32) throws -> Day? {
        row.isNull(column) ? nil : try day(row, column)
    }

    /// Appends a whole table as canonical CSV (header first), handing `flush` the buffer whenever it is large.
    /// With `row`, each row's bytes (its CSV line) are handed to it too.
    static func appendTable(
        _ kind: DataKind, _ db: Database, marked: Bool = true, point: KnownPoint? = nil, to buffer: inout [UInt8],
        row: ((ArraySlice<UInt8>) -> Void)? = nil, flush: (inout [UInt8]) throws -> Void
    ) throws {
        let layout = kind.layout
        if marked { buffer.append(contentsOf: "# \(kind.fileName)\n".utf8) }
        CanonicalCSV.appendHeader(layout.header, to: &buffer)
        let statement = try db.makeStatement(sql: KnownRows.select(kind, point))
        let raw = statement.sqliteStatement
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            let start = buffer.count
            CanonicalCSV.appendRow(raw, formats: layout.formats, to: &buffer)
            row?(buffer[start...])
            if buffer.count >= 1 << 16 { try flush(&buffer) }
        }
        sqlite3_reset(raw)
    }

    /// Streams booking lines in key order as the engine's `BookingLine`s. With `canonical`, each row is
    /// also appended to `buffer` as canonical CSV and `canonical` is called after it.
    /// With `row` (and `canonical`), each row's canonical CSV line is handed to it too.
    /// With `partners` (a JSON array of partner ids), only those partners' lines, in key order (an incremental run);
    /// with `addedAfter` too, the canonical CSV is written (and `row` called) only for the lines added after that import.
    static func readBookings(
        _ db: Database, dataset: Dataset, partner: String?, partners: String? = nil, addedAfter: Int? = nil, point: KnownPoint? = nil,
        row: ((ArraySlice<UInt8>) -> Void)? = nil, canonical: ((inout [UInt8]) -> Void)?, buffer: inout [UInt8], _ body: (BookingLine) -> Void
    ) throws {
        if canonical != nil {
            buffer.append(contentsOf: "# bookings.csv\n".utf8)
            CanonicalCSV.appendHeader(DataKind.bookings.layout.header, to: &buffer)
        }
        let sql =
            partner == nil && partners == nil
            ? KnownRows.select(.bookings, point)
            : """
            SELECT order_id, line, partner_id, booked_on, shipped_on, sku, quantity, amount_cents, currency, intended_use\(addedAfter != nil ? ", added_by" : "")
            FROM \(KnownRows.from(.bookings, point)) WHERE \(partner != nil ? "partner_id = ?" : "partner_id IN (SELECT value FROM json_each(?))")
            ORDER BY order_id, line
            """
        let statement = partner == nil || point != nil ? try db.makeStatement(sql: sql) : try db.cachedStatement(sql: sql)
        if let partner { try statement.setArguments([partner]) }
        if let partners { try statement.setArguments([partners]) }
        let raw = statement.sqliteStatement
        if partner == nil && partners == nil {
            try readAllBookings(raw, dataset: dataset, row: row, canonical: canonical, buffer: &buffer, body)
            return
        }
        var columns = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: 10)
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            // Each column is fetched once; the canonical CSV is written from the same bytes.
            var nulls: UInt16 = 0
            for column in [0, 1, 2, 3, 4, 5, 6, 8, 9] {
                if sqlite3_column_type(raw, Int32(column)) == SQLITE_NULL { nulls |= 1 << column }
                columns[column] = CanonicalCSV.text(raw, Int32(column))
            }
            let amount = sqlite3_column_int64(raw, 7)
            if let canonical, addedAfter.map({ sqlite3_column_int64(raw, 10) > $0 }) ?? true {
                let start = buffer.count
                CanonicalCSV.appendBookingLine(columns, nulls: nulls, amount: amount, to: &buffer)
                row?(buffer[start...])
                canonical(&buffer)
            }
            guard let index = dataset.partnerIDs.lookup(columns[2]), let booked = Day(isoBytes: columns[3]) else {
                throw WorkspaceError(.damaged, "the workspace holds a booking line that does not fit its partners or dates")
            }
            body(
                BookingLine(
                    line: 0, orderID: columns[0], lineID: columns[1], partner: Int(index), partnerID: columns[2], bookedOn: booked,
                    shippedOn: nulls & (1 << 4) != 0 ? nil : Day(isoBytes: columns[4]), sku: columns[5], quantity: columns[6], amount: amount,
                    currency: columns[8], intendedUse: columns[9]))
        }
        sqlite3_reset(raw)
    }

    /// Every stored booking line (a run's read): SQLite's rows are stepped and copied on a second thread
    /// while this one writes the canonical CSV and hands the lines on, so the two halves of the work run at
    /// once. The statement is used by the reading thread only until it finishes, and reset here after it.
    static func readAllBookings(
        _ raw: SQLiteStatement, dataset: Dataset, row: ((ArraySlice<UInt8>) -> Void)?, canonical: ((inout [UInt8]) -> Void)?, buffer: inout [UInt8],
        _ body: (BookingLine) -> Void
    ) throws {
        struct Statement: @unchecked Sendable { let raw: SQLiteStatement }
        let statement = Statement(raw: raw)
        let queue = BatchQueue<StoredBookingBatch, Int32>()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            var batch = StoredBookingBatch()
            var code = SQLITE_OK
            while true {
                code = sqlite3_step(statement.raw)
                guard code == SQLITE_ROW else { break }
                batch.append(statement.raw)
                if batch.count == StoredBookingBatch.capacity {
                    guard queue.put(batch) else { break }
                    batch = StoredBookingBatch()
                }
            }
            if code == SQLITE_DONE { queue.put(batch) }
            queue.finish(code)
            done.signal()
        }
        reader.start()
        defer {
            done.wait()
            sqlite3_reset(raw)
        }
        var columns = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: 10)
        while let batch = queue.take() {
            var damaged = false
            batch.forEach { texts, nulls, amount in
                if damaged { return }
                for column in 0..<10 { columns[column] = texts[column] }
                if let canonical {
                    let start = buffer.count
                    CanonicalCSV.appendBookingLine(columns, nulls: nulls, amount: amount, to: &buffer)
                    row?(buffer[start...])
                    canonical(&buffer)
                }
                guard let index = dataset.partnerIDs.lookup(columns[2]), let booked = Day(isoBytes: columns[3]) else {
                    damaged = true
                    return
                }
                body(
                    BookingLine(
                        line: 0, orderID: columns[0], lineID: columns[1], partner: Int(index), partnerID: columns[2], bookedOn: booked,
                        shippedOn: nulls & (1 << 4) != 0 ? nil : Day(isoBytes: columns[4]), sku: columns[5], quantity: columns[6],
                        amount: amount, currency: columns[8], intendedUse: columns[9]))
            }
            if damaged {
                queue.stop()
                throw WorkspaceError(.damaged, "the workspace holds a booking line that does not fit its partners or dates")
            }
        }
        if let code = queue.result, code != SQLITE_DONE { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }
}

/// Stored booking rows copied out of SQLite (`SELECT order_id, line, partner_id, booked_on, shipped_on, sku,
/// quantity, amount_cents, currency, intended_use`), handed from the thread that steps the statement to the
/// one that uses them.
struct StoredBookingBatch: Sendable {
    static let capacity = 4096
    private var bytes: [UInt8] = []
    /// Where each row's 10 texts end in `bytes` (the amount's slot is empty).
    private var ends: [Int32] = []
    /// Per row, bit `c` set when column `c` is NULL.
    private var nulls: [UInt16] = []
    private var amounts: [Int64] = []

    init() {
        bytes.reserveCapacity(Self.capacity * 80)
        ends.reserveCapacity(Self.capacity * 10)
        nulls.reserveCapacity(Self.capacity)
        amounts.reserveCapacity(Self.capacity)
    }

    var count: Int { amounts.count }

    /// Copies the row `raw` stands on.
    mutating func append(_ raw: SQLiteStatement) {
        var isNull: UInt16 = 0
        for column in 0..<10 {
            if column != 7 {
                if sqlite3_column_type(raw, Int32(column)) == SQLITE_NULL {
                    isNull |= 1 << column
                } else {
                    bytes.append(contentsOf: CanonicalCSV.text(raw, Int32(column)))
                }
            }
            ends.append(Int32(bytes.count))
        }
        nulls.append(isNull)
        amounts.append(sqlite3_column_int64(raw, 7))
    }

    /// Each row: its 10 texts (valid during the call), NULL bits and amount.
    func forEach(_ body: ([UnsafeBufferPointer<UInt8>], UInt16, Int64) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            var texts = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: 10)
            var start = 0
            for row in 0..<amounts.count {
                for column in 0..<10 {
                    let end = Int(ends[row * 10 + column])
                    texts[column] = UnsafeBufferPointer(rebasing: all[start..<end])
                    start = end
                }
                body(texts, nulls[row], amounts[row])
            }
        }
    }
}
