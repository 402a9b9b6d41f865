import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine

/// What one file of an import did to the workspace.
public struct ImportSummary: Sendable, Hashable {
    public var kind: DataKind
    public var file: String
    /// SHA-256 of the file's bytes.
    public var digest: String
    public var rows: Int
    public var added: Int
    public var changed: Int
    public var unchanged: Int
    /// Rows the file no longer holds when it is the full extract of its kind (`--replace`): removed from the
    /// current data, kept in the kind's history table.
    public var retired: Int = 0
    /// The `imports.id` of the file (the `added_by` of the rows it brought); in a dry run the id it would
    /// have had. 0 where not known.
    public var id: Int = 0
    /// In a dry run: the rows that would be added, changed and retired (the first `ImportPreview.listLimit` of each).
    public var preview: ImportPreview? = nil
}

/// A finished import: one summary per file, and the warnings (the import succeeded).
public struct ImportOutcome: Sendable {
    public var files: [ImportSummary]
    public var warnings: DiagnosticCollector
    /// Nothing was written: the summaries say what the import would do.
    public var dryRun: Bool = false
}

/// Progress of a long import: bytes of `file` read so far, out of `total`.
public typealias ImportProgress = (_ file: String, _ bytesRead: Int, _ total: Int) -> Void

/// How an import treats the rows of the workspace that its files do not hold, and whether it writes at all.
public struct ImportMode: Sendable, Hashable {
    /// Each file is the full current extract of its kind: stored rows missing from it are retired
    /// (removed from the current data, kept in history). Otherwise they stay (an upsert).
    public var replace: Bool
    /// Validate and work out what would change, write nothing.
    public var dryRun: Bool

    public init(replace: Bool = false, dryRun: Bool = false) {
        self.replace = replace
        self.dryRun = dryRun
    }
}

/// Thrown out of a dry run's transaction so that it rolls back, carrying what the import would have done.
private struct DryRunRollback: Error {
    var outcome: ImportOutcome
}

extension Workspace {
    /// Imports one file of `kind`: validated exactly as the engine validates a dataset folder (partner ids
    /// against the workspace), then written in one transaction. Rows with the key of a stored row replace it
    /// (the stored version moves to the kind's history table).
    /// - Parameters:
    ///   - displayName: how messages and the log name the file (default: `path`), e.g. an upload's name.
    ///   - mode: `replace` (the file is the full extract: missing rows are retired) and `dryRun` (write nothing).
    ///   - remedies: the front end's words for what to do about a refusal.
    ///   - actor: who imports, for the audit log.
    public func importFile(
        _ kind: DataKind, path: String, displayName: String? = nil, mode: ImportMode = ImportMode(), remedies: Remedies = .plain,
        progress: ImportProgress? = nil, by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> ImportOutcome {
        try importFiles([(kind, path, displayName ?? path)], mode: mode, remedies: remedies, progress: progress, by: actor)
    }

    static func isEmpty(_ db: Database, table: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(table))") ?? true
    }

    /// When `table` holds no row, drops its secondary indexes and returns the statements that make them again,
    /// to be run once its rows are in (in the same transaction: a failed import leaves them as they were).
    static func dropIndexesIfEmpty(_ db: Database, table: String) throws -> [String] {
        guard try isEmpty(db, table: table) else { return [] }
        let indexes = try Row.fetchAll(
            db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
            arguments: [table])
        for index in indexes {
            let name: String = index[0]
            try db.execute(sql: "DROP INDEX \(name)")
        }
        return indexes.map { $0[1] }
    }

    /// Imports every dataset file found in `directory` (at least one), all in one transaction.
    public func importFolder(
        _ directory: String, mode: ImportMode = ImportMode(), remedies: Remedies = .plain, progress: ImportProgress? = nil,
        by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> ImportOutcome {
        if let problem = DatasetLoader.folderProblem(
            directory, what: "data folder", holds: "the dataset's CSV files (partners.csv, bookings.csv, ...)")
        {
            throw DiagnosticReport(Diagnostic(file: directory, line: nil, message: problem))
        }
        let files = DataKind.importOrder.map { kind -> (DataKind, String, String) in
            let path = (directory as NSString).appendingPathComponent(kind.fileName)
            return (kind, path, path)
        }.filter { FileManager.default.fileExists(atPath: $0.1) }
        if files.isEmpty {
            throw DiagnosticReport(
                Diagnostic(
                    file: directory, line: nil,
                    message: "no dataset files here (expected some of \(DataKind.importOrder.map(\.fileName).joined(separator: ", ")))"))
        }
        var outcome = try importFiles(files, mode: mode, remedies: remedies, progress: progress, by: actor)
        DatasetLoader.warnUnreadFiles(in: directory, collector: &outcome.warnings)
        return outcome
    }

    /// Imports `files` (kind, the path read, the name messages and the log give it) in one transaction.
    /// `originals` maps a path read to the file whose SHA-256 the log records (a spreadsheet read as converted CSV).
    public func importFiles(
        _ files: [(DataKind, String, String)], mode: ImportMode, remedies: Remedies, progress: ImportProgress?, by actor: Actor,
        originals: [String: String] = [:]
    ) throws(DiagnosticReport) -> ImportOutcome {
        var collector = DiagnosticCollector()
        for (_, path, name) in files {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "file not found"))
            }
            if isDirectory.boolValue {
                throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "is a folder, not a file: \(remedies.giveAFile)"))
            }
        }
        // Each file's SHA-256 is read on another thread while the files before it are written (the bookings,
        // the largest, come last): an import waits for a digest only when it begins that file.
        let digests = FileDigests(files.map { originals[$0.1] ?? $0.1 })
        let ordered = files.sorted { DataKind.importOrder.firstIndex(of: $0.0)! < DataKind.importOrder.firstIndex(of: $1.0)! }
        do {
            // The first bookings (millions of lines into an empty table) are written outside WAL mode when the
            // workspace is not open elsewhere: the new pages once, not into the WAL and then again into the file.
            let firstBookings = try files.contains { $0.0 == .bookings } && pool.read { db in try Self.isEmpty(db, table: "bookings") }
            return try writeTransaction(bulk: firstBookings) { db throws -> ImportOutcome in
                // The stored partners and catalogue are what the files' rows are checked against (their other rows are not).
                var dataset = try Self.dataset(db, source: path, partnersOnly: true)
                dataset.partnersSource = files.contains { $0.0 == .partners } ? "partners.csv or the workspace" : "the workspace"
                var programs: [Program] = []
                for version in try ProgramStore.latest(db) { programs.append(try ProgramStore.parse(version)) }
                var summaries: [ImportSummary] = []
                // Per import id: the partners its rows were written for, or every partner (into an empty table).
                var touchedPartners: [Int: (partners: Set<String>, every: Bool)] = [:]
                // Per booking import id: the multiset digest of the lines it wrote, hashed as they were read.
                var addedDigests: [Int: SetDigest] = [:]
                // The last bookings import of the transaction, and whether any began with an empty table (`BookingPacks`).
                var bookingsImport: (id: Int, fromEmpty: Bool, packed: Bool)?
                for (kind, file, name) in ordered {
                    let errorsBefore = collector.errorCount
                    guard let digest = digests.wait(files.firstIndex { $0.1 == file }!) else {
                        throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "cannot read file"))
                    }
                    // The change set first: its id is the `added_by` of every row the file brings.
                    let id = try Self.beginChange(db, kind: kind, fileName: name, digest: digest)
                    // Into an empty table, the secondary indexes (by partner, by name) are made once from the stored
                    // rows (a sort) instead of growing row by row in file order, a B-tree search per row (the first import).
                    let wasEmpty = try Self.isEmpty(db, table: kind.table)
                    let rebuilt = try Self.dropIndexesIfEmpty(db, table: kind.table)
                    var writer = try TableWriter(db, kind: kind, importID: Int64(id), tracksKeys: mode.replace)
                    writer.tracksPartners = !wasEmpty && IncrementalSchema.partnerColumn(kind) != nil
                    switch kind {
                    case .partners:
                        for partner in DatasetLoader.readPartners(path: file, displayName: name, into: &dataset, collector: &collector) {
                            try writer.upsert([partner.id, partner.name, partner.country, partner.tier.rawValue, partner.provider])
                        }
                    case .tiers:
                        for row in DatasetLoader.readTiers(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.partnerID, row.validFrom.description, row.tier.rawValue])
                        }
                    case .credentials:
                        for row in DatasetLoader.readCredentials(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.partnerID, row.credential, row.achievedOn.description, row.expiresOn?.description])
                        }
                    case .csat:
                        if wasEmpty && !mode.replace {
                            try writer.insertCSAT(file, displayName: name, dataset: dataset, collector: &collector)
                        } else {
                            for row in DatasetLoader.readCSAT(path: file, displayName: name, dataset: dataset, collector: &collector) {
                                try writer.upsert([row.surveyID, row.partnerID, row.submittedOn.description])
                            }
                        }
                    case .services:
                        for row in DatasetLoader.readServices(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.partnerID, row.service, row.activeFrom.description, row.strategic, row.activeUntil?.description])
                        }
                    case .enrollments:
                        if programs.isEmpty {
                            collector.error(
                                file: name, line: nil,
                                "the workspace has no programs yet, so no enrolment can be checked; \(remedies.addProgramsFirst)"
                            )
                        } else {
                            for row in DatasetLoader.readEnrollments(
                                path: file, displayName: name, dataset: dataset, programs: programs, collector: &collector)
                            {
                                try writer.upsert([row.partnerID, row.program, row.subtrack, row.enrolledOn.description])
                            }
                        }
                    case .products:
                        for row in DatasetLoader.readProducts(path: file, displayName: name, collector: &collector) ?? [] {
                            dataset.add(row)
                            try writer.upsert([row.sku, row.description, row.family])
                        }
                    case .fx:
                        for row in DatasetLoader.readFX(path: file, displayName: name, collector: &collector) {
                            try writer.upsert([row.currency, row.validFrom.description, row.rate.units])
                        }
                    case .bookings:
                        // What the files before it let go (their rows, read whole) is given back first: the bookings
                        // are the import's longest part, and its peak memory.
                        FreeMemory.giveBack()
                        try writer.importBookings(file, displayName: name, dataset: dataset, collector: &collector) { read, total in
                            progress?(name, read, total)
                        }
                    }
                    writer.park()
                    for index in rebuilt { try db.execute(sql: index) }
                    if collector.errorCount > errorsBefore { continue }
                    let counts = try writer.finish()
                    if kind == .bookings {
                        try IncrementalSchema.recordBookingBounds(db, importID: id, largest: writer.largestWritten, added: counts.added)
                        bookingsImport = (id, wasEmpty || bookingsImport?.fromEmpty == true, writer.packedWhileWriting)
                    }
                    touchedPartners[id] = (writer.writtenPartners, wasEmpty && counts.added > 0)
                    if let added = writer.addedDigest { addedDigests[id] = added }
                    summaries.append(
                        ImportSummary(
                            kind: kind, file: name, digest: digest, rows: counts.rows, added: counts.added, changed: counts.changed,
                            unchanged: counts.unchanged, id: id))
                }
                if mode.replace && !collector.hasErrors {
                    // What refers to a partner goes first, so that a partner is retired only once nothing current refers to it.
                    for index in summaries.indices.reversed() {
                        summaries[index].retired = try Self.retireMissing(
                            db, kind: summaries[index].kind, file: summaries[index].file, importID: summaries[index].id, collector: &collector)
                    }
                }
                // Amounts a run could not add up exactly are refused now, not found by every run after. Only an import
                // that adds, changes or retires booking lines or exchange rates can bring such amounts: a weekly
                // extract that changes none of them is spared the pass over every booking line.
                let changesAmounts = summaries.contains { ($0.kind == .bookings || $0.kind == .fx) && $0.added + $0.changed + $0.retired > 0 }
                if !collector.hasErrors && changesAmounts {
                    try Self.checkBookingSums(db, file: bookingsSource, collector: &collector)
                }
                if collector.hasErrors { throw DiagnosticReport(collector) }
                if let bookingsImport, !mode.dryRun {
                    try BookingPacks.maintain(
                        db, importID: bookingsImport.id, fromEmpty: bookingsImport.fromEmpty, packedWhileWriting: bookingsImport.packed)
                }
                for summary in summaries {
                    let touched = touchedPartners[summary.id] ?? ([], false)
                    try IncrementalSchema.recordPartners(
                        db, kind: summary.kind, importID: summary.id, added: touched.partners, everyPartner: touched.every)
                }
                let finished = self.now()
                for summary in summaries {
                    try Self.finishChange(
                        db, id: summary.id, at: finished, rows: summary.rows, added: summary.added, changed: summary.changed,
                        unchanged: summary.unchanged,
                        retired: summary.retired, addedDigest: addedDigests[summary.id])
                }
                try Self.endChanges(db)
                if mode.dryRun {
                    for index in summaries.indices { summaries[index].preview = try ImportPreview.of(db, summaries[index]) }
                    throw DryRunRollback(outcome: ImportOutcome(files: summaries, warnings: collector, dryRun: true))
                }
                try auditImport(db, actor, summaries)
                Failpoint.reach("import-before-commit")
                return ImportOutcome(files: summaries, warnings: collector)
            }
        } catch let report as DiagnosticReport {
            throw report
        } catch let dryRun as DryRunRollback {
            return dryRun.outcome
        } catch {
            collector.error(file: path, line: nil, "the import was not written: \(error)")
            throw DiagnosticReport(collector)
        }
    }
}

/// The per-line work of a bookings import (`TableWriter.importBookings`): each line is compared with its stored
/// row through a cursor in key order and written only when it differs. The state of the merge lives here, in
/// one value changed by mutating methods.
struct BookingMerge {
    let raw: SQLiteStatement
    let insertRaw: SQLiteStatement
    /// A stored row the cursor found different: rewritten in place by key (its trigger keeps the old version), without
    /// the upsert's insert attempt; without touching `partner_id` (and so the partner index) when it is the same.
    let updateRaw: SQLiteStatement
    let updateSamePartnerRaw: SQLiteStatement
    let currentRaw: SQLiteStatement
    let oldRaw: SQLiteStatement
    let seenRaw: SQLiteStatement?
    /// Notes the key of each line added (`booking_keys_added`), when the table holds packs (`BookingPacks`).
    var addedKeysRaw: SQLiteStatement?
    /// Into an empty table: whether every line so far was inserted (the packs the reader makes are then the table's).
    var packing = false
    /// Into an empty table (`bulk`): the lines are inserted `BulkInsert.rows` at a time by one statement (`takeBulk`).
    var bulk: BulkInsert?
    let connection: SQLiteConnection?
    let importID: Int64
    let displayName: String
    var insertFirst: Bool
    /// The cursor: `positioned` when it stands on the first stored row whose key is not below the last line's
    /// key (`previousOrder`, `previousLine`), or past the end (`exhausted`); nothing was written to the table since.
    var positioned = false, exhausted = false
    var previousOrder: [UInt8] = [], previousLine: [UInt8] = []
    var failure: Int32 = SQLITE_OK
    var failureMessage = ""
    // Values are bound without a copy (`SQLITE_STATIC`): the line's fields stay where the reader put them,
    // and each text made here has its own buffer, until the statement has run (within this line's call).
    let booked = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 10)
    let shipped = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 10)
    var currency = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 16)
    // The texts of the days met lately (a line's dates are written as text for every comparison and write).
    var days = DayTexts()
    var rows = 0, touched = 0, added = 0
    /// The largest |amount| of the lines added or changed (`bookings_bounds`).
    var largestWritten: Int64 = 0
    /// The multiset digest of the lines added or changed: the versions the import adds (`ImportDigests`).
    var addedSet = SetDigest()
    /// Hashes a line written whose reader did not hash it (`BookingBatch.hashAhead`).
    var hasher = LineHasher()
    var changeWarnings: [Diagnostic] = []
    /// The partners of the lines added or changed (`import_partners`), when `tracksPartners`.
    var tracksPartners = false
    var writtenPartners: Set<String> = []
    var lastPartner: [UInt8] = []

    init(
        raw: SQLiteStatement, insertRaw: SQLiteStatement, updateRaw: SQLiteStatement, updateSamePartnerRaw: SQLiteStatement,
        currentRaw: SQLiteStatement, oldRaw: SQLiteStatement, seenRaw: SQLiteStatement?, connection: SQLiteConnection?, importID: Int64,
        displayName: String, insertFirst: Bool
    ) {
        self.raw = raw
        self.insertRaw = insertRaw
        self.updateRaw = updateRaw
        self.updateSamePartnerRaw = updateSamePartnerRaw
        self.currentRaw = currentRaw
        self.oldRaw = oldRaw
        self.seenRaw = seenRaw
        self.connection = connection
        self.importID = importID
        self.displayName = displayName
        self.insertFirst = insertFirst
    }

    func deallocate() {
        booked.deallocate()
        shipped.deallocate()
        currency.deallocate()
    }

    /// The key of the row the cursor stands on, against (order, line): <0, 0, >0 (SQLite's BINARY order).
    func cursorOrder(_ order: UnsafeBufferPointer<UInt8>, _ line: UnsafeBufferPointer<UInt8>) -> Int {
        let byOrder = TableWriter.compareBytes(CanonicalCSV.text(currentRaw, 0), order)
        return byOrder != 0 ? byOrder : TableWriter.compareBytes(CanonicalCSV.text(currentRaw, 1), line)
    }

    /// Lets go of the table (before a write to it).
    mutating func park() {
        if positioned { sqlite3_reset(currentRaw) }
        positioned = false
    }

    /// Notes the key of an added line for the packs; false (with `failure` set) when SQLite refused.
    mutating func noteAdded(_ line: BookingLine) -> Bool {
        guard let addedKeysRaw else { return true }
        TableWriter.bindStatic(addedKeysRaw, 2, line.orderID)
        TableWriter.bindStatic(addedKeysRaw, 3, line.lineID)
        let code = sqlite3_step(addedKeysRaw)
        sqlite3_reset(addedKeysRaw)
        if code == SQLITE_DONE { return true }
        failure = code
        failureMessage = String(cString: sqlite3_errmsg(connection))
        return false
    }

    /// Writes one line into an empty table: kept with the lines before it until `BulkInsert.rows` are there, then
    /// inserted by one statement (`flushBulk`). Nothing is compared: a key met twice in the file is a duplicate,
    /// which the reader reports.
    mutating func takeBulk(_ line: BookingLine, afterAnError: Bool, hash: SetDigest.Limbs?) {
        if afterAnError || failure != SQLITE_OK { return }
        guard var bulk = self.bulk else { return }
        self.bulk = nil
        defer { self.bulk = bulk }
        // The stored texts of the dates and the currency, in the line's slot (bound when the slot's statement runs).
        let slot = bulk.lines.count
        let texts = bulk.texts.baseAddress! + slot * BulkInsert.textBytes
        func dayText(_ day: Day, at offset: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: texts + offset, count: days.write(day, to: texts + offset))
        }
        // A currency longer than its place (the reader lets none through) goes through the one-line insert.
        if line.currency.count > BulkInsert.textBytes - 20 {
            flushBulk(&bulk)
            take(line, afterAnError: false, hash: hash)
            return
        }
        let booked = dayText(line.bookedOn, at: 0)
        let shipped = line.shippedOn.map { dayText($0, at: 10) }
        for (index, byte) in line.currency.enumerated() { texts[20 + index] = FieldParsing.asciiUpper(byte) }
        bulk.lines.append((line, booked, shipped, UnsafeBufferPointer(start: texts + 20, count: line.currency.count)))
        touched += 1
        added += 1
        addedSet.add(hash ?? hasher.hash(line))
        largestWritten = max(largestWritten, line.amount == .min ? .max : abs(line.amount))
        rows += 1
        if bulk.lines.count == BulkInsert.rows { flushBulk(&bulk) }
        if rows == 1000 {
            flushBulk(&bulk)
            Failpoint.reach("import-mid-bookings")
        }
    }

    /// Inserts the lines kept (`takeBulk`): a full set by the statement of `BulkInsert.rows` rows, fewer (the end of a
    /// batch, whose lines' bytes are let go after it) one at a time.
    mutating func flushBulk(_ bulk: inout BulkInsert) {
        if bulk.lines.isEmpty || failure != SQLITE_OK {
            bulk.lines.removeAll(keepingCapacity: true)
            return
        }
        let full = bulk.lines.count == BulkInsert.rows
        let target = full ? bulk.statement : insertRaw
        var expected = 0
        func run() -> Bool {
            let code = sqlite3_step(target)
            let changes = Int(sqlite3_changes(connection))
            sqlite3_reset(target)
            if code != SQLITE_DONE {
                failure = code
                failureMessage = String(cString: sqlite3_errmsg(connection))
                return false
            }
            // A line left out (its key met before): the file has a duplicate key, which its reader names.
            if changes != expected { bulk.dropped = true }
            return true
        }
        for (index, line) in bulk.lines.enumerated() {
            let base = full ? Int32(index * BulkInsert.columns) : 0
            TableWriter.bindStatic(target, base + 1, line.line.orderID)
            TableWriter.bindStatic(target, base + 2, line.line.lineID)
            TableWriter.bindStatic(target, base + 3, line.line.partnerID)
            TableWriter.bindStatic(target, base + 4, line.booked)
            if let shipped = line.shipped { TableWriter.bindStatic(target, base + 5, shipped) } else { sqlite3_bind_null(target, base + 5) }
            TableWriter.bindStatic(target, base + 6, line.line.sku)
            if line.line.quantity.isEmpty { sqlite3_bind_null(target, base + 7) } else { TableWriter.bindStatic(target, base + 7, line.line.quantity) }
            sqlite3_bind_int64(target, base + 8, line.line.amount)
            TableWriter.bindStatic(target, base + 9, line.currency)
            TableWriter.bindStatic(target, base + 10, line.line.intendedUse)
            if !full {
                expected = 1
                guard run() else { break }
            }
        }
        if full {
            expected = BulkInsert.rows
            _ = run()
        }
        bulk.lines.removeAll(keepingCapacity: true)
    }

    /// Compares and writes one line.
    mutating func take(_ line: BookingLine, afterAnError: Bool, hash: SetDigest.Limbs?) {
        if afterAnError || failure != SQLITE_OK { return }
        /// The text of `day` in `buffer` (10 bytes), from the cache of recent days' texts when there.
        func dayText(_ day: Day, _ buffer: UnsafeMutableBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: buffer.baseAddress, count: days.write(day, to: buffer.baseAddress!))
        }
        if line.currency.count > currency.count {
            currency.deallocate()
            currency = .allocate(capacity: line.currency.count)
        }
        for (index, byte) in line.currency.enumerated() { currency[index] = FieldParsing.asciiUpper(byte) }
        let currencyText = UnsafeBufferPointer(rebasing: currency[0..<line.currency.count])
        let bookedText = dayText(line.bookedOn, booked)
        let shippedText = line.shippedOn.map { dayText($0, shipped) }
        /// Binds the line to `target`.
        func bindLine(_ target: SQLiteStatement) {
            TableWriter.bindStatic(target, 1, line.orderID)
            TableWriter.bindStatic(target, 2, line.lineID)
            TableWriter.bindStatic(target, 3, line.partnerID)
            TableWriter.bindStatic(target, 4, bookedText)
            if let shippedText { TableWriter.bindStatic(target, 5, shippedText) } else { sqlite3_bind_null(target, 5) }
            TableWriter.bindStatic(target, 6, line.sku)
            if line.quantity.isEmpty { sqlite3_bind_null(target, 7) } else { TableWriter.bindStatic(target, 7, line.quantity) }
            sqlite3_bind_int64(target, 8, line.amount)
            TableWriter.bindStatic(target, 9, currencyText)
            TableWriter.bindStatic(target, 10, line.intendedUse)
        }
        /// Runs `target` once; false (with `failure` set) when SQLite refused. `changes`: the rows it changed.
        var changes = 0
        func step(_ target: SQLiteStatement) -> Bool {
            let code = sqlite3_step(target)
            changes = Int(sqlite3_changes(connection))
            sqlite3_reset(target)
            if code == SQLITE_DONE { return true }
            failure = code
            failureMessage = String(cString: sqlite3_errmsg(connection))
            return false
        }
        var written = false
        /// The stored version of a line whose key the cursor found with other values: its partner, amount and currency.
        var stored: (partner: String, samePartner: Bool, amount: Int64, currency: String)?
        /// Records the line as written by the import: the size of its amount (`largestWritten`) and its partner.
        func recordWrite() {
            addedSet.add(hash ?? hasher.hash(line))
            largestWritten = max(largestWritten, line.amount == .min ? .max : abs(line.amount))
            guard tracksPartners, !lastPartner.elementsEqual(line.partnerID) else { return }
            lastPartner.removeAll(keepingCapacity: true)
            lastPartner.append(contentsOf: line.partnerID)
            writtenPartners.insert(String(decoding: line.partnerID, as: UTF8.self))
        }
        if !insertFirst {
            /// Steps the cursor; false (with `failure` set) when SQLite refused.
            func advance() -> Bool {
                let code = sqlite3_step(currentRaw)
                exhausted = code == SQLITE_DONE
                if code == SQLITE_ROW || code == SQLITE_DONE { return true }
                failure = code
                failureMessage = String(cString: sqlite3_errmsg(connection))
                sqlite3_reset(currentRaw)
                positioned = false
                return false
            }
            func seek() -> Bool {
                park()
                TableWriter.bindTransient(currentRaw, 1, line.orderID)
                TableWriter.bindTransient(currentRaw, 2, line.lineID)
                positioned = true
                return advance()
            }
            let following =
                positioned
                && {
                    let byOrder = previousOrder.withUnsafeBufferPointer { TableWriter.compareBytes($0, line.orderID) }
                    return byOrder < 0 || (byOrder == 0 && previousLine.withUnsafeBufferPointer { TableWriter.compareBytes($0, line.lineID) } <= 0)
                }()
            // Where the cursor's key stands against the line's, worked out once per position of the cursor (each
            // comparison reads two columns through SQLite's API; comparing again at the same position was a
            // quarter of those calls in an unchanged re-import). Inline, not in a local function: a local variable
            // captured by one is checked for exclusive access at run time.
            var order = 0
            if following {
                var steps = 0
                order = exhausted ? 0 : cursorOrder(line.orderID, line.lineID)
                while !exhausted && order < 0 && steps < 16 {
                    guard advance() else { return }
                    order = exhausted ? 0 : cursorOrder(line.orderID, line.lineID)
                    steps += 1
                }
                if !exhausted && order < 0 {
                    guard seek() else { return }
                    order = exhausted ? 0 : cursorOrder(line.orderID, line.lineID)
                }
            } else {
                guard seek() else { return }
                order = exhausted ? 0 : cursorOrder(line.orderID, line.lineID)
            }
            previousOrder.removeAll(keepingCapacity: true)
            previousOrder.append(contentsOf: line.orderID)
            previousLine.removeAll(keepingCapacity: true)
            previousLine.append(contentsOf: line.lineID)
            if !exhausted && order == 0 {
                let samePartner = TableWriter.sameText(currentRaw, 2, line.partnerID)
                written =
                    samePartner && TableWriter.sameText(currentRaw, 3, bookedText)
                    && TableWriter.sameText(currentRaw, 4, shippedText) && TableWriter.sameText(currentRaw, 5, line.sku)
                    && TableWriter.sameText(currentRaw, 6, line.quantity.isEmpty ? nil : line.quantity)
                    && sqlite3_column_type(currentRaw, 7) == SQLITE_INTEGER && sqlite3_column_int64(currentRaw, 7) == line.amount
                    && TableWriter.sameText(currentRaw, 8, currencyText) && TableWriter.sameText(currentRaw, 9, line.intendedUse)
                if !written {
                    // Read before the cursor lets go of the row: what the warnings compare the new line with.
                    stored = (
                        String(decoding: CanonicalCSV.text(currentRaw, 2), as: UTF8.self), samePartner, sqlite3_column_int64(currentRaw, 7),
                        String(decoding: CanonicalCSV.text(currentRaw, 8), as: UTF8.self)
                    )
                }
            } else {
                insertFirst = true
            }
            // A line to write: the cursor lets go of the table first (it seeks again at the next line).
            if !written { park() }
        }
        if !written, let stored {
            // A stored row with other values: the trigger moves its old version into the history.
            let update = stored.samePartner ? updateSamePartnerRaw : updateRaw
            packing = false
            bindLine(update)
            guard step(update) else { return }
            touched += changes
            written = true
            recordWrite()
            let currency = String(decoding: currencyText, as: UTF8.self)
            if let warning = TableWriter.changeWarning(
                order: String(decoding: line.orderID, as: UTF8.self), line: String(decoding: line.lineID, as: UTF8.self),
                old: (stored.partner, stored.amount, stored.currency),
                new: (String(decoding: line.partnerID, as: UTF8.self), line.amount, currency))
            {
                changeWarnings.append(Diagnostic(.warning, file: displayName, line: line.line, message: warning))
            }
        }
        if !written && insertFirst {
            bindLine(insertRaw)
            guard step(insertRaw) else { return }
            if changes > 0 {
                touched += 1
                added += 1
                written = true
                recordWrite()
                guard noteAdded(line) else { return }
            } else {
                insertFirst = false
            }
        }
        if !written {
            packing = false
            bindLine(raw)
            let before = sqlite3_total_changes(connection)
            guard step(raw) else { return }
            touched += changes
            if changes > 0 { recordWrite() }
            let made = sqlite3_total_changes(connection) &- before
            // One change: a new row (insert first again); two: a changed one and its history row.
            insertFirst = made == 1
            if made == 1 {
                added += 1
                guard noteAdded(line) else { return }
            }
            if changes > 0 && made > 1 {
                // Changed, not added: the old version is in the history now.
                TableWriter.bindStatic(oldRaw, 1, line.orderID)
                TableWriter.bindStatic(oldRaw, 2, line.lineID)
                sqlite3_bind_int64(oldRaw, 3, importID)
                if sqlite3_step(oldRaw) == SQLITE_ROW {
                    let oldPartner = String(decoding: CanonicalCSV.text(oldRaw, 0), as: UTF8.self)
                    let oldAmount = sqlite3_column_int64(oldRaw, 1)
                    let oldCurrency = String(decoding: CanonicalCSV.text(oldRaw, 2), as: UTF8.self)
                    let currency = String(decoding: currencyText, as: UTF8.self)
                    if let warning = TableWriter.changeWarning(
                        order: String(decoding: line.orderID, as: UTF8.self), line: String(decoding: line.lineID, as: UTF8.self),
                        old: (oldPartner, oldAmount, oldCurrency),
                        new: (String(decoding: line.partnerID, as: UTF8.self), line.amount, currency))
                    {
                        changeWarnings.append(Diagnostic(.warning, file: displayName, line: line.line, message: warning))
                    }
                }
                sqlite3_reset(oldRaw)
            }
        }
        if let seenRaw {
            TableWriter.bindStatic(seenRaw, 1, line.orderID)
            TableWriter.bindStatic(seenRaw, 2, line.lineID)
            guard step(seenRaw) else { return }
        }
        rows += 1
        if rows == 1000 { Failpoint.reach("import-mid-bookings") }
    }
}

/// The SHA-256 of a booking line written as the workspace stores and exports it (`CanonicalCSV.appendBookingLine`: dates
/// as ISO text, the currency in capitals, the amount with two decimals; `BookingMerge.take` binds the same), with its
/// scratch kept from one line to the next: the reading thread of a first import hashes every line, and a new buffer
/// and column list per line, and each day's digits written again, were a fifth of its time. The text is written into room
/// made for the longest it can be (`PointerSink`): appended to an array, the appends took about 1 s more of that thread's
/// 20.5 s of CPU at 10,000,000 lines (`perf`, 2026-12-02).
struct LineHasher {
    private var texts: [UInt8] = []
    /// Room for the line's text, at least as large as the longest it can be (`hash`).
    private var room = [UInt8](repeating: 0, count: 1_024)
    private var days = DayTexts()

    init() {
        texts.reserveCapacity(64)
    }

    mutating func hash(_ line: BookingLine) -> SetDigest.Limbs {
        let (booked, shipped, currency) = BookingBatch.storedTexts(line, &texts, days: &days)
        // At most: each text field quoted with every byte doubled, ten separators, the amount's 21 characters.
        let length = line.orderID.count + line.lineID.count + line.partnerID.count + line.sku.count + line.quantity.count
            + line.intendedUse.count + currency
        if room.count < 2 * length + 52 { room = [UInt8](repeating: 0, count: 2 * (2 * length + 52)) }
        return texts.withUnsafeBufferPointer { all in
            room.withUnsafeMutableBufferPointer { room in
                var text = PointerSink(room.baseAddress!)
                // The columns in the table's order, each followed by a comma (the last by the line's end).
                func field(_ bytes: UnsafeBufferPointer<UInt8>, end: UInt8 = 0x2C) {
                    CanonicalCSV.appendField(bytes, to: &text)
                    text.put(end)
                }
                field(line.orderID)
                field(line.lineID)
                field(line.partnerID)
                field(UnsafeBufferPointer(rebasing: all[0..<booked]))
                field(UnsafeBufferPointer(rebasing: all[booked..<shipped]))
                field(line.sku)
                field(line.quantity)
                CanonicalCSV.appendDecimal(line.amount, scale: 2, trim: false, to: &text)
                text.put(0x2C)
                field(UnsafeBufferPointer(rebasing: all[shipped..<currency]))
                field(line.intendedUse, end: 0x0A)
                return SetDigest.hash(text.written)
            }
        }
    }
}

/// The ISO texts (`YYYY-MM-DD`) of the days met lately, each written once: a day's slot is its number modulo the slots.
/// A file's lines share a few hundred days.
struct DayTexts {
    static let slots = 4_096
    private var keys = [Int32](repeating: .min, count: slots)
    private var texts = [UInt8](repeating: 0, count: slots * 10)

    private var scratch: [UInt8] = []

    /// Writes `day`'s text at `target`, which has room for 10 bytes (a text longer than that, of a year past 9999,
    /// is cut there); its length.
    mutating func write(_ day: Day, to target: UnsafeMutablePointer<UInt8>) -> Int {
        let slot = Self.slot(day)
        if keys[slot] != day.daysSinceEpoch {
            // The miss is written by `append` (which keeps the text) into the scratch, taken out of `self` meanwhile.
            var text: [UInt8] = []
            swap(&text, &scratch)
            defer { swap(&text, &scratch) }
            text.removeAll(keepingCapacity: true)
            append(day, to: &text)
            let count = min(text.count, 10)
            for index in 0..<count { target[index] = text[index] }
            return count
        }
        texts.withUnsafeBufferPointer { for index in 0..<10 { target[index] = $0[slot * 10 + index] } }
        return 10
    }

    static func slot(_ day: Day) -> Int { Int(UInt32(bitPattern: day.daysSinceEpoch) & UInt32(slots - 1)) }

    /// Appends `day` as `CanonicalCSV.appendDay` does.
    mutating func append(_ day: Day, to buffer: inout [UInt8]) {
        let slot = Self.slot(day)
        if keys[slot] != day.daysSinceEpoch {
            let start = buffer.count
            CanonicalCSV.appendDay(day, to: &buffer)
            // Only the texts of 10 bytes (years 0 to 9999) are kept.
            guard buffer.count - start == 10 else { return }
            for index in 0..<10 { texts[slot * 10 + index] = buffer[start + index] }
            keys[slot] = day.daysSinceEpoch
            return
        }
        texts.withUnsafeBufferPointer { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: $0[(slot * 10)..<(slot * 10 + 10)])) }
    }
}

/// The first lines of a bookings table, inserted `rows` at a time (`BookingMerge.takeBulk`): one statement of 32 rows
/// costs SQLite about 40% less than 32 statements of one row (its per-statement work: the step, the reset, the
/// program's start), measured with SQLite's C API on 3,000,000 lines of the bookings table's shape. `INSERT OR
/// IGNORE`: a statement of several rows that could fail half-way (a NOT NULL or UNIQUE constraint's ABORT) makes SQLite
/// keep a statement journal of the pages it changes; with IGNORE none can, and a line left out shows in the count of
/// rows changed (`dropped`).
struct BulkInsert {
    static let rows = 32
    /// The bookings' ten columns and `added_by`.
    static let columns = 11
    /// Per line: its booked day, its shipped day, its currency in capitals.
    static let textBytes = 36
    let statement: SQLiteStatement
    let texts = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rows * textBytes)
    var lines: [(line: BookingLine, booked: UnsafeBufferPointer<UInt8>, shipped: UnsafeBufferPointer<UInt8>?, currency: UnsafeBufferPointer<UInt8>)] = []
    /// Whether a line was left out: its key was in the table already (a duplicate in the file).
    var dropped = false

    /// The statement: `rows` rows of the bookings' columns with `importID` as `added_by`, bound once.
    static func statement(_ db: Database, importID: Int64) throws -> Statement {
        let (sql, all) = insert(.bookings, rows: rows)
        let statement = try db.makeStatement(sql: sql)
        precondition(all.count == Self.columns)
        for index in 0..<rows { sqlite3_bind_int64(statement.sqliteStatement, Int32(index * Self.columns + Self.columns), importID) }
        return statement
    }

    /// `INSERT OR IGNORE` of `rows` rows into `kind`'s table: its key and value columns (`TableWriter.columns`), then
    /// `added_by`; and those columns, in the order of each row's parameters.
    static func insert(_ kind: DataKind, rows: Int) -> (sql: String, columns: [String]) {
        let names = TableWriter.columns(kind)
        let all = names.keys + names.values + ["added_by"]
        let row = "(" + all.map { _ in "?" }.joined(separator: ", ") + ")"
        return ("INSERT OR IGNORE INTO \(kind.table) (\(all.joined(separator: ", "))) VALUES " + Array(repeating: row, count: rows).joined(separator: ", "), all)
    }

    init(_ statement: SQLiteStatement) {
        self.statement = statement
        lines.reserveCapacity(Self.rows)
    }

    func deallocate() { texts.deallocate() }
}

/// Copies of booking lines, handed from the thread that reads a file to the one that writes them.
struct BookingBatch: Sendable {
    static let capacity = 4096
    struct Record: Sendable {
        var line: Int
        var partner: Int
        var bookedOn: Day
        var shippedOn: Day?
        var amount: Int64
        var catalogueSKU: Int32
        var afterAnError: Bool
        /// Where each text ends in `bytes`: order, line, partner, SKU, quantity, currency, intended use.
        var ends: (Int32, Int32, Int32, Int32, Int32, Int32, Int32)
        /// The SHA-256 of the line as it is stored and exported (`CanonicalCSV.appendBookingLine`), worked out by the
        /// reading thread when `hashAhead`: what the multiset digest of the bookings gains when the line is written
        /// (`ImportDigests`). Nil: hashed by the writer if it writes the line.
        var hash: SetDigest.Limbs?
    }
    /// Whether the reader hashes every line: when the import writes them all (into an empty table), on the reading
    /// thread. That thread is then the busier one (measured 2026-12-02 at 10,000,000 lines: 96-99% busy through the
    /// bookings, the writer 80-90%). Into a table that holds lines, most lines of a file usually match the stored ones
    /// and are not written: the writer hashes the few it writes (hashing all 10,000,000 lines of an unchanged file on
    /// the reading thread made the re-import slower than its reading).
    let hashAhead: Bool
    var records: [Record] = []
    var bytes: [UInt8] = []
    /// How far the reader had read the file when the batch was handed on.
    var bytesRead = 0
    /// Into an empty table: the packs the reader finished with this batch's lines (`ReaderPacker`), and whether it
    /// gave up making them (a line out of key order).
    var packs: [EncodedPack] = []
    var packsAbandoned = false

    init(hashAhead: Bool) {
        self.hashAhead = hashAhead
        records.reserveCapacity(Self.capacity)
        bytes.reserveCapacity(Self.capacity * 64)
    }

    var count: Int { records.count }

    /// Appends a copy of `line`, hashed by `hasher` when the batch hashes lines (`hashAhead`).
    mutating func append(_ line: BookingLine, afterAnError: Bool, hasher: inout LineHasher) {
        func add(_ field: UnsafeBufferPointer<UInt8>) -> Int32 {
            bytes.append(contentsOf: field)
            return Int32(bytes.count)
        }
        let ends = (
            add(line.orderID), add(line.lineID), add(line.partnerID), add(line.sku), add(line.quantity), add(line.currency), add(line.intendedUse)
        )
        records.append(
            Record(
                line: line.line, partner: line.partner, bookedOn: line.bookedOn, shippedOn: line.shippedOn, amount: line.amount,
                catalogueSKU: line.catalogueSKU, afterAnError: afterAnError, ends: ends,
                hash: afterAnError || !hashAhead ? nil : hasher.hash(line)))
    }

    /// The texts the workspace stores for `line`'s dates and currency, as `BookingMerge.take` binds them (dates as ISO
    /// text, the currency in capitals), written into `scratch`: where the booked day, the shipped day (empty when
    /// none) and the currency end.
    static func storedTexts(_ line: BookingLine, _ scratch: inout [UInt8], days: inout DayTexts) -> (booked: Int, shipped: Int, currency: Int) {
        scratch.removeAll(keepingCapacity: true)
        days.append(line.bookedOn, to: &scratch)
        let booked = scratch.count
        if let shipped = line.shippedOn { days.append(shipped, to: &scratch) }
        let shipped = scratch.count
        for byte in line.currency { scratch.append(FieldParsing.asciiUpper(byte)) }
        return (booked, shipped, scratch.count)
    }

    /// Each line as the reader handed it on (its byte views valid during the call).
    func forEach(_ body: (BookingLine, Bool, SetDigest.Limbs?) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            var start: Int32 = 0
            func field(_ end: Int32) -> UnsafeBufferPointer<UInt8> {
                defer { start = end }
                return UnsafeBufferPointer(rebasing: all[Int(start)..<Int(end)])
            }
            for record in records {
                let order = field(record.ends.0), lineID = field(record.ends.1), partnerID = field(record.ends.2), sku = field(record.ends.3)
                let quantity = field(record.ends.4), currency = field(record.ends.5), intendedUse = field(record.ends.6)
                body(
                    BookingLine(
                        line: record.line, orderID: order, lineID: lineID, partner: record.partner, partnerID: partnerID, bookedOn: record.bookedOn,
                        shippedOn: record.shippedOn, sku: sku, quantity: quantity, amount: record.amount, currency: currency,
                        intendedUse: intendedUse,
                        catalogueSKU: record.catalogueSKU),
                    record.afterAnError, record.hash)
            }
        }
    }
}

/// The SHA-256 of files, computed on a background thread in the given order, each awaited on its own.
final class FileDigests: Sendable {
    /// One file's digest: written once by the background thread before `done` is signalled, read after it.
    private final class Slot: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var digest: String?
    }
    private let slots: [Slot]

    init(_ paths: [String]) {
        let slots = paths.map { _ in Slot() }
        self.slots = slots
        DispatchQueue.global(qos: .userInitiated).async {
            for (slot, path) in zip(slots, paths) {
                slot.digest = Digest.file(path)
                slot.done.signal()
            }
        }
    }

    /// The digest of file `index` (nil: it could not be read), once computed. Call once per file.
    func wait(_ index: Int) -> String? {
        slots[index].done.wait()
        return slots[index].digest
    }
}

private let transientDestructor = StatementBinder.transient

/// Writes the rows of one table: an upsert per row that leaves an identical row alone, and counts of what changed.
/// Every row it inserts or changes names the import (`added_by`); the table's trigger moves a changed row's
/// old version into its history table.
struct TableWriter {
    let db: Database
    let kind: DataKind
    let importID: Int64
    /// The upsert: inserts a new row, or replaces a stored row that differs (its trigger keeps the old version).
    let statement: Statement
    /// A plain insert that leaves a stored row alone (`ON CONFLICT DO NOTHING`). A statement that may fire the
    /// history triggers needs SQLite's statement journal (a copy of every page it changes, so that it can be
    /// undone on its own), which made a first import of a million lines 20% slower; this one fires none. Rows
    /// are written with it while the previous row was new, with the upsert while the previous row was stored.
    let insert: Statement
    var insertFirst = true
    /// With `--replace`: records every key of the file in `temp.import_seen_<table>` (see `retireMissing`).
    let seen: Statement?
    var rows = 0
    /// Rows inserted or updated (SQLite's change count of the upserts).
    var touched = 0
    /// Rows inserted: an insert that changed a row, or an upsert that made one change (a changed row makes two,
    /// with its history row).
    var added = 0
    /// The stored rows in key order (key columns, then value columns), for comparing a file's row before any
    /// write: a merge when the file lists its rows by key, as bookings are compared (`importBookings`).
    let current: Statement
    /// The cursor stands on the first stored row whose key is not below `previousKey`, or past the end.
    var positioned = false, exhausted = false
    var previousKey: [String] = []
    /// The partners of the rows written (inserted or changed), when `tracksPartners` (`import_partners`).
    var tracksPartners = false
    var writtenPartners: Set<String> = []
    /// Bookings: the largest |amount| of the lines written (`bookings_bounds`).
    var largestWritten: Int64 = 0
    /// Into an empty table: the packs were written with the lines, all in key order (`BookingPacks.maintain`).
    var packedWhileWriting = false
    /// Bookings: the multiset digest of the lines written, the versions the import adds (`ImportDigests`).
    var addedDigest: SetDigest?

    /// Key columns first, then the values, in the order `upsert` takes them.
    static func columns(_ kind: DataKind) -> (keys: [String], values: [String]) {
        switch kind {
        case .partners: return (["partner_id"], ["name", "country", "tier", "provider"])
        case .tiers: return (["partner_id", "valid_from"], ["tier"])
        case .credentials: return (["partner_id", "credential", "achieved_on"], ["expires_on"])
        case .csat: return (["survey_id"], ["partner_id", "submitted_on"])
        case .services: return (["partner_id", "service", "active_from"], ["strategic", "active_until"])
        case .enrollments: return (["partner_id", "program", "subtrack"], ["enrolled_on"])
        case .products: return (["sku"], ["description", "family"])
        case .fx: return (["currency", "valid_from"], ["rate_micros"])
        case .bookings:
            return (
                ["order_id", "line"], ["partner_id", "booked_on", "shipped_on", "sku", "quantity", "amount_cents", "currency", "intended_use"]
            )
        }
    }

    /// The temporary table of the keys a `--replace` file holds.
    static func seenTable(_ kind: DataKind) -> String { "temp.import_seen_\(kind.table)" }

    init(_ db: Database, kind: DataKind, importID: Int64, tracksKeys: Bool) throws {
        self.db = db
        self.kind = kind
        self.importID = importID
        let (keys, values) = Self.columns(kind)
        let all = keys + values + ["added_by"]
        let sql = """
            INSERT INTO \(kind.table) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET \((values + ["added_by"]).map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            WHERE \(values.map { "\($0) IS NOT excluded.\($0)" }.joined(separator: " OR "))
            """
        statement = try db.makeStatement(sql: sql)
        insert = try db.makeStatement(
            sql: """
                INSERT INTO \(kind.table) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))
                ON CONFLICT (\(keys.joined(separator: ", "))) DO NOTHING
                """)
        if tracksKeys {
            let table = Self.seenTable(kind)
            try db.execute(
                sql: """
                    DROP TABLE IF EXISTS \(table);
                    CREATE TABLE \(table) (\(keys.joined(separator: ", ")), PRIMARY KEY (\(keys.joined(separator: ", ")))) WITHOUT ROWID;
                    """)
            seen = try db.makeStatement(sql: "INSERT OR IGNORE INTO \(table) VALUES (\(keys.map { _ in "?" }.joined(separator: ", ")))")
        } else {
            seen = nil
        }
        current = try db.makeStatement(
            sql: """
                SELECT \((keys + values).joined(separator: ", ")) FROM \(kind.table)
                WHERE (\(keys.joined(separator: ", "))) >= (\(keys.map { _ in "?" }.joined(separator: ", "))) ORDER BY \(keys.joined(separator: ", "))
                """)
    }

    /// Lets go of the table (before a write to it, or a change of its schema).
    mutating func park() {
        if positioned { sqlite3_reset(current.sqliteStatement) }
        positioned = false
    }

    enum Stored { case unchanged, changed, missing }

    /// Whether the stored row of `values`' key holds exactly `values` (no write needed), differs, or is not
    /// stored. Moves the cursor as `importBookings` does.
    mutating func stored(_ values: [(any DatabaseValueConvertible)?], keyCount: Int) throws -> Stored {
        let raw = current.sqliteStatement
        var key: [String] = []
        key.reserveCapacity(keyCount)
        for value in values.prefix(keyCount) {
            guard case .string(let text) = value?.databaseValue.storage ?? .null else { return .changed }
            key.append(text)
        }
        /// The cursor's key against `key`: <0, 0, >0.
        func cursorOrder() -> Int {
            for (index, part) in key.enumerated() {
                let order = Self.withBytes(part) { Self.compareBytes(CanonicalCSV.text(raw, Int32(index)), $0) }
                if order != 0 { return order }
            }
            return 0
        }
        func advance() throws {
            let code = sqlite3_step(raw)
            exhausted = code == SQLITE_DONE
            guard code == SQLITE_ROW || code == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                park()
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: current.sql)
            }
        }
        func seek() throws {
            park()
            for (index, part) in key.enumerated() {
                Self.withBytes(part) { Self.bindTransient(raw, Int32(index + 1), $0) }
            }
            positioned = true
            try advance()
        }
        var following = false
        if positioned {
            following = true
            for (previous, part) in zip(previousKey, key) {
                let order = Self.withBytes(previous) { a in Self.withBytes(part) { b in Self.compareBytes(a, b) } }
                if order < 0 { break }
                if order > 0 {
                    following = false
                    break
                }
            }
        }
        if following {
            var steps = 0
            while !exhausted && cursorOrder() < 0 && steps < 16 {
                try advance()
                steps += 1
            }
            if !exhausted && cursorOrder() < 0 { try seek() }
        } else {
            try seek()
        }
        previousKey = key
        guard !exhausted && cursorOrder() == 0 else { return .missing }
        for (index, value) in values.enumerated().dropFirst(keyCount) {
            let column = Int32(index)
            let type = sqlite3_column_type(raw, column)
            switch value?.databaseValue.storage ?? .null {
            case .null: if type != SQLITE_NULL { return .changed }
            case .int64(let number): if type != SQLITE_INTEGER || sqlite3_column_int64(raw, column) != number { return .changed }
            case .double: return .changed
            case .string(var text):
                guard type == SQLITE_TEXT else { return .changed }
                let same = text.withUTF8 { bytes in Self.compareBytes(CanonicalCSV.text(raw, column), bytes) == 0 }
                if !same { return .changed }
            case .blob: return .changed
            }
        }
        return .unchanged
    }

    mutating func upsert(_ values: [(any DatabaseValueConvertible)?]) throws {
        rows += 1
        let connection = db.sqliteConnection
        let keyCount = Self.columns(kind).keys.count
        if !insertFirst {
            let stored = try stored(values, keyCount: keyCount)
            if stored == .unchanged {
                if let seen { try Self.execute(seen, values.prefix(keyCount), nil, connection) }
                return
            }
            if stored == .missing { insertFirst = true }
        }
        park()
        if tracksPartners, let column = IncrementalSchema.partnerColumn(kind),
            case .string(let partner) = values[column]?.databaseValue.storage ?? .null
        {
            writtenPartners.insert(partner)
        }
        if insertFirst {
            try Self.execute(insert, values, importID, connection)
            if sqlite3_changes(connection) > 0 {
                touched += 1
                added += 1
                if let seen { try Self.execute(seen, values.prefix(keyCount), nil, connection) }
                return
            }
            insertFirst = false
        }
        let before = sqlite3_total_changes(connection)
        try Self.execute(statement, values, importID, connection)
        touched += Int(sqlite3_changes(connection))
        // A new row (one change; a changed one makes two, with its history row): insert first again.
        insertFirst = sqlite3_total_changes(connection) &- before == 1
        if insertFirst { added += 1 }
        if let seen { try Self.execute(seen, values.prefix(keyCount), nil, connection) }
    }

    /// Into an empty `csat` table (a first import: a million reports at 100,000 partners), without `upsert`: each report
    /// as the reader handed it over (its survey id's bytes, its partner, its day), `BulkInsert.rows` to a statement, with
    /// no value made for it. The rows stored are those `upsert` stores. The reader refuses a survey id met twice, so no
    /// report can meet another's key; one that did would fail the import here. The file is read whole first, as
    /// `readCSAT` does, into a few arrays (26 MB for a million reports, against 40 MB of `CSATReport`s).
    mutating func insertCSAT(_ file: String, displayName: String, dataset: Dataset, collector: inout DiagnosticCollector) throws {
        var surveys: [UInt8] = [], ends: [Int] = [], partners: [Int32] = [], days: [Day] = []
        DatasetLoader.scanCSAT(path: file, displayName: displayName, dataset: dataset, collector: &collector) { partner, survey, day in
            surveys.append(contentsOf: survey)
            ends.append(surveys.count)
            partners.append(Int32(partner))
            days.append(day)
        }
        let (manySQL, all) = BulkInsert.insert(.csat, rows: BulkInsert.rows)
        precondition(all == ["survey_id", "partner_id", "submitted_on", "added_by"])
        let many = try db.makeStatement(sql: manySQL)
        let one = try db.makeStatement(sql: BulkInsert.insert(.csat, rows: 1).sql)
        let connection = db.sqliteConnection
        var dayTexts = DayTexts()
        let dayBytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: BulkInsert.rows * 10)
        defer { dayBytes.deallocate() }
        let importID = self.importID
        try surveys.withUnsafeBufferPointer { surveyBytes in
            /// Binds report `index` at slot `slot` of `statement`, whose first parameter for it is `base + 1`.
            func bind(_ statement: SQLiteStatement, _ index: Int, slot: Int, at base: Int32) {
                let start = index == 0 ? 0 : ends[index - 1]
                Self.bindStatic(statement, base + 1, UnsafeBufferPointer(rebasing: surveyBytes[start..<ends[index]]))
                Self.withBytes(dataset.partners[Int(partners[index])].id) { Self.bindTransient(statement, base + 2, $0) }
                let day = dayBytes.baseAddress! + slot * 10
                Self.bindStatic(statement, base + 3, UnsafeBufferPointer(start: day, count: dayTexts.write(days[index], to: day)))
                sqlite3_bind_int64(statement, base + 4, importID)
            }
            func run(_ statement: SQLiteStatement, rows: Int) throws {
                defer { sqlite3_reset(statement) }
                let code = sqlite3_step(statement)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
                }
                if Int(sqlite3_changes(connection)) != rows {
                    throw WorkspaceError(.failed, "\(displayName): a survey id is in the file twice; nothing was changed")
                }
            }
            var next = 0
            while ends.count - next >= BulkInsert.rows {
                for slot in 0..<BulkInsert.rows { bind(many.sqliteStatement, next + slot, slot: slot, at: Int32(slot * all.count)) }
                try run(many.sqliteStatement, rows: BulkInsert.rows)
                next += BulkInsert.rows
            }
            for index in next..<ends.count {
                bind(one.sqliteStatement, index, slot: 0, at: 0)
                try run(one.sqliteStatement, rows: 1)
            }
        }
        rows += ends.count
        added += ends.count
        touched += ends.count
    }

    /// Binds `values` (and `importID` after them) to `statement` straight through SQLite and runs it: a
    /// first import writes a million small-table rows, where GRDB's arguments cost more than SQLite's work.
    static func execute(
        _ statement: Statement, _ values: some Collection<(any DatabaseValueConvertible)?>, _ importID: Int64?, _ connection: SQLiteConnection?
    ) throws {
        var binder = StatementBinder(statement, connection: connection)
        for value in values { binder.bind(value?.databaseValue ?? .null) }
        if let importID { binder.bind(importID) }
        try binder.step()
    }

    func finish() throws -> (rows: Int, added: Int, changed: Int, unchanged: Int) {
        (rows, added, touched - added, rows - touched)
    }

    /// Streams a bookings file through the engine's validation into the table, binding bytes directly
    /// (a million lines is the everyday case). Once a problem is found, lines are still validated but no
    /// longer written: the transaction will be rolled back.
    ///
    /// A line that changes a stored one is compared with the stored version: the one the cursor read before the
    /// line's `UPDATE` (the usual case), or, when the upsert of a line written in insert order found the key stored
    /// (its trigger wrote the old version into `bookings_history`: two changes, where an insert makes one), the
    /// old version read back by key. A move to another partner, a flipped sign or an amount changed by more than
    /// half is a warning naming the line.
    mutating func importBookings(
        _ file: String, displayName: String, dataset: Dataset, collector: inout DiagnosticCollector, progress: (Int, Int) -> Void
    ) throws {
        let old = try db.cachedStatement(
            sql: "SELECT partner_id, amount_cents, currency FROM bookings_history WHERE order_id = ? AND line = ? AND retired_by = ?")
        let oldRaw = old.sqliteStatement
        // While the file's lines are stored ones, each is compared here first with the stored row: an unchanged
        // line (a weekly extract is mostly unchanged) costs no write. The stored rows are read by one cursor in
        // key order (a merge with the file, which an extract usually lists by order): a line whose key follows
        // the previous line's steps the cursor forward, a few rows at most; any other line, and the first line
        // after a write to the table, seeks the cursor to its key.
        let current = try db.cachedStatement(
            sql: """
                SELECT order_id, line, partner_id, booked_on, shipped_on, sku, quantity, amount_cents, currency, intended_use FROM bookings
                WHERE (order_id, line) >= (?, ?) ORDER BY order_id, line
                """)
        let currentRaw = current.sqliteStatement
        // The per-line work keeps its state in one struct (`BookingMerge`): variables captured by local functions
        // were checked for exclusive access at run time on every use, a tenth of the writer's time.
        let update = try db.cachedStatement(
            sql: """
                UPDATE bookings SET partner_id = ?3, booked_on = ?4, shipped_on = ?5, sku = ?6, quantity = ?7, amount_cents = ?8, currency = ?9,
                                    intended_use = ?10, added_by = ?11
                WHERE order_id = ?1 AND line = ?2
                """)
        let updateSamePartner = try db.cachedStatement(
            sql: """
                UPDATE bookings SET booked_on = ?4, shipped_on = ?5, sku = ?6, quantity = ?7, amount_cents = ?8, currency = ?9,
                                    intended_use = ?10, added_by = ?11
                WHERE order_id = ?1 AND line = ?2 AND partner_id = ?3
                """)
        var merge = BookingMerge(
            raw: statement.sqliteStatement, insertRaw: insert.sqliteStatement, updateRaw: update.sqliteStatement,
            updateSamePartnerRaw: updateSamePartner.sqliteStatement, currentRaw: currentRaw, oldRaw: oldRaw, seenRaw: seen?.sqliteStatement,
            connection: db.sqliteConnection, importID: importID, displayName: displayName, insertFirst: insertFirst)
        defer { merge.deallocate() }
        merge.tracksPartners = tracksPartners
        let hashAhead = try Workspace.isEmpty(db, table: "bookings")
        // Into a table with packs, each added line's key is noted for the reads that put the changes over the packs.
        let addedKeys =
            try !hashAhead && BookingPacks.asOf(db) != nil
            ? db.cachedStatement(sql: "INSERT OR IGNORE INTO booking_keys_added(import_id, order_id, line) VALUES (?, ?, ?)") : nil
        if let addedKeys { sqlite3_bind_int64(addedKeys.sqliteStatement, 1, importID) }
        merge.addedKeysRaw = addedKeys?.sqliteStatement
        // Into an empty table, the reader makes the packs (`ReaderPacker`) and this thread writes them while every
        // line is inserted.
        var packs = hashAhead ? try PackWriter(db, after: nil) : nil
        merge.packing = hashAhead
        // Into an empty table, with no keys to note (`--replace` notes them to retire the missing ones; there are none).
        let bulkStatement = hashAhead && seen == nil && addedKeys == nil && !tracksPartners ? try BulkInsert.statement(db, importID: importID) : nil
        if let bulkStatement { merge.bulk = BulkInsert(bulkStatement.sqliteStatement) }
        defer { merge.bulk?.deallocate() }
        for target in [merge.raw, merge.insertRaw, merge.updateRaw, merge.updateSamePartnerRaw] { sqlite3_bind_int64(target, 11, importID) }
        let total = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        // The file is read and checked on another thread while this one compares and writes: the reader hands
        // on copies of the lines in batches (`BookingBatch`). Its problems join the collector at the end; a
        // line read after the first error is no longer written, as when both ran on one thread.
        let hadErrors = collector.hasErrors
        let batches = BatchQueue<BookingBatch, DiagnosticCollector>()
        let reader = Thread {
            var readCollector = DiagnosticCollector()
            var batch = BookingBatch(hashAhead: hashAhead)
            var hasher = LineHasher()
            let packer = hashAhead ? ReaderPacker() : nil
            BookingFile.read(path: file, displayName: displayName, dataset: dataset, collector: &readCollector, progress: { batch.bytesRead = $0 }) {
                line, readCollector in
                batch.append(line, afterAnError: hadErrors || readCollector.hasErrors, hasher: &hasher)
                if let packer, let made = packer.add(line) { batch.packs.append(made) }
                if batch.count == BookingBatch.capacity {
                    batch.packsAbandoned = packer?.abandoned ?? false
                    let read = batch.bytesRead
                    batches.put(batch)
                    batch = BookingBatch(hashAhead: hashAhead)
                    batch.bytesRead = read
                }
            }
            if let made = packer?.take() { batch.packs.append(made) }
            batch.packsAbandoned = packer?.abandoned ?? false
            batches.put(batch)
            batches.finish(readCollector)
        }
        reader.stackSize = 1 << 22
        reader.start()
        var packsAbandoned = false
        while let batch = batches.take() {
            if merge.bulk != nil {
                batch.forEach { line, afterAnError, hash in merge.takeBulk(line, afterAnError: afterAnError, hash: hash) }
                // The lines kept point into the batch's bytes: inserted before it is let go.
                if var bulk = merge.bulk {
                    merge.bulk = nil
                    merge.flushBulk(&bulk)
                    merge.bulk = bulk
                }
            } else {
                batch.forEach { line, afterAnError, hash in merge.take(line, afterAnError: afterAnError, hash: hash) }
            }
            packsAbandoned = packsAbandoned || batch.packsAbandoned
            if merge.packing && !packsAbandoned && merge.failure == SQLITE_OK {
                do {
                    for made in batch.packs { try packs?.write(made) }
                } catch {
                    merge.failure = SQLITE_ERROR
                    merge.failureMessage = "writing a pack of booking lines: \(error)"
                }
            }
            progress(batch.bytesRead, total)
        }
        if let read = batches.result { collector.merge(read) }
        for warning in merge.changeWarnings { collector.add(warning) }
        self.insertFirst = merge.insertFirst
        merge.park()
        for target in [merge.insertRaw, merge.raw, merge.updateRaw, merge.updateSamePartnerRaw] { sqlite3_clear_bindings(target) }
        sqlite3_clear_bindings(oldRaw)
        sqlite3_clear_bindings(currentRaw)
        if let addedKeysRaw = merge.addedKeysRaw { sqlite3_clear_bindings(addedKeysRaw) }
        if let seenRaw = merge.seenRaw { sqlite3_clear_bindings(seenRaw) }
        if merge.failure != SQLITE_OK {
            throw WorkspaceError(.failed, "writing bookings failed: \(merge.failureMessage) (SQLite code \(merge.failure))")
        }
        if merge.bulk?.dropped == true && !collector.hasErrors {
            throw WorkspaceError(.failed, "writing bookings failed: a line's order and line id were met twice, and no duplicate was reported")
        }
        self.packedWhileWriting = packs != nil && merge.packing && !packsAbandoned
        self.rows = merge.rows
        self.touched = merge.touched
        self.added = merge.added
        self.largestWritten = merge.largestWritten
        self.writtenPartners = merge.writtenPartners
        self.addedDigest = merge.addedSet
    }

    /// The warning for a changed booking line that moves to another partner, flips the sign of its amount
    /// or changes it by more than half (|new − old| × 2 > |old|); nil for any other change.
    static func changeWarning(
        order: String, line: String, old: (partner: String, amount: Int64, currency: String), new: (partner: String, amount: Int64, currency: String)
    ) -> String? {
        func money(_ cents: Int64, _ currency: String) -> String { "\(Money(cents: cents).groupedText) \(currency)" }
        var parts: [String] = []
        if old.partner != new.partner {
            parts.append("moves from partner \(old.partner) to \(new.partner) (\(money(new.amount, new.currency)))")
        }
        let flipped = (old.amount > 0 && new.amount < 0) || (old.amount < 0 && new.amount > 0)
        if flipped {
            parts.append("flips the sign of its amount: \(money(old.amount, old.currency)) -> \(money(new.amount, new.currency))")
        } else if (Int128(new.amount) - Int128(old.amount)).magnitude * 2 > Int128(old.amount).magnitude {
            parts.append("changes its amount by more than half: \(money(old.amount, old.currency)) -> \(money(new.amount, new.currency))")
        }
        if parts.isEmpty { return nil }
        return "order \(Diagnostic.escaped(order))/\(Diagnostic.escaped(line)) " + parts.joined(separator: "; ")
    }

    /// Whether column `index` of the row `statement` stands on is the text `bytes` (nil: NULL).
    @inline(__always)
    static func sameText(_ statement: SQLiteStatement, _ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>?) -> Bool {
        let type = sqlite3_column_type(statement, index)
        guard let bytes else { return type == SQLITE_NULL }
        guard type == SQLITE_TEXT else { return false }
        let stored = CanonicalCSV.text(statement, index)
        return stored.count == bytes.count && (bytes.isEmpty || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
    }

    /// `text`'s UTF-8 bytes, without a copy when the string holds them contiguously (a native string does).
    @inline(__always)
    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// `a` against `b` as SQLite's BINARY collation orders texts (bytes, then length): <0, 0, >0.
    @inline(__always)
    static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let byBytes = memcmp(a.baseAddress!, b.baseAddress!, common)
            if byBytes != 0 { return Int(byBytes) }
        }
        return a.count - b.count
    }

    /// Binds a copy of `bytes` (for a statement that lives on after them).
    static func bindTransient(_ statement: SQLiteStatement, _ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            _ = sqlite3_bind_text(statement, index, "", 0, transientDestructor)
            return
        }
        _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            sqlite3_bind_text(statement, index, $0, Int32(bytes.count), transientDestructor)
        }
    }

    /// Binds `bytes` without a copy: they must stay as they are until the statement has run and been reset.
    @inline(__always)
    static func bindStatic(_ statement: SQLiteStatement, _ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(statement, index, $0, Int32(bytes.count), nil)
            }
        } else {
            _ = sqlite3_bind_text(statement, index, "", 0, transientDestructor)
        }
    }
}
