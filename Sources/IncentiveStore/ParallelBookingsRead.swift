import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine
import Synchronization

/// Every current booking line read on several threads, for a run or a computation of the whole data: the key range
/// is cut at order ids sampled through the partner index, and each range is stepped on a connection of its own, in
/// the same snapshot as the caller's (same workspace revision), into an accumulator of its own; the accumulators are
/// then put together in key order, as the engine puts together the chunks of a CSV file (`ParallelBookings`). The
/// rows of each range are hashed for the bookings' multiset digest (scheme 2: a sum, so the order does not matter).
///
/// A range whose connection saw another revision (a change committed between the two reads began) is read again by
/// the caller's connection, after the others: the result is always that of the caller's snapshot.
enum ParallelBookingsRead {
    /// The active processors, at most 4 (the reading of one range keeps one core busy).
    static var defaultThreads: Int { min(4, BookingFile.defaultWorkers) }

    /// The page cache of a connection while it reads a range, in KiB.
    static let scanCacheKiB = 1024

    /// How many partners' order ids the cuts are chosen from.
    static let sampledPartners = 64

    struct Outcome {
        var accumulator: BookingAccumulator
        var collector: DiagnosticCollector
        var records: Int
        /// The bookings' multiset digest (empty when not hashed).
        var digest: SetDigest
    }

    /// What one range's read left.
    private struct Part: Sendable {
        var accumulator: BookingAccumulator
        var collector: DiagnosticCollector
        var records = 0
        var digest = SetDigest()
    }

    /// A slot a reading thread writes its part (or its error) into once, before signalling `done`.
    private final class Slot: @unchecked Sendable {
        var part: Part?
        var error: (any Error)?
        let done = DispatchSemaphore(value: 0)
    }

    /// The pool readers taken by the reads of this type, per pool: the callers' (each holds one while it waits for its
    /// threads) and their threads'. A thread is given a reader only while these fit in the pool, so reads that each
    /// hold a reader never all wait for another (a deadlock): the ranges no thread was given are read by the caller.
    private static let readersInUse = Mutex<[ObjectIdentifier: Int]>([:])

    /// How many threads besides the caller may read now (at most `wanted`), counted as in use until `giveBack`.
    static func takeReaders(_ pool: DatabasePool, wanted: Int) -> Int {
        let limit = pool.configuration.maximumReaderCount
        return readersInUse.withLock { inUse in
            let key = ObjectIdentifier(pool)
            let used = inUse[key, default: 0] + 1
            let granted = max(0, min(wanted, limit - used))
            inUse[key] = used + granted
            return granted
        }
    }

    /// Gives back the caller's count and its threads'.
    static func giveBack(_ pool: DatabasePool, threads: Int) {
        readersInUse.withLock { inUse in
            let key = ObjectIdentifier(pool)
            let left = inUse[key, default: 0] - 1 - threads
            inUse[key] = left > 0 ? left : nil
        }
    }

    /// `db`: the caller's read, whose snapshot every range is read in.
    static func read(
        _ db: Database, pool: DatabasePool, dataset: Dataset, programs: [Program], tracePartner: Int?, hashRows: Bool, file: String, threads: Int
    ) throws -> Outcome {
        let helpers = threads > 1 ? takeReaders(pool, wanted: threads - 1) : 0
        defer { if threads > 1 { giveBack(pool, threads: helpers) } }
        let cuts = helpers > 0 ? try self.cuts(db, dataset: dataset, parts: helpers + 1) : []
        let ranges: [(lower: String?, upper: String?)] = (0...cuts.count).map { index in
            (index == 0 ? nil : cuts[index - 1], index == cuts.count ? nil : cuts[index])
        }
        func fresh() -> Part {
            Part(accumulator: BookingAccumulator(programs: programs, dataset: dataset, tracePartner: tracePartner), collector: DiagnosticCollector())
        }
        let revision = ranges.count > 1 ? try Workspace.revision(db) : 0
        // Ranges 1... on threads of their own, each with a read of its own; range 0 here.
        var slots: [Slot] = []
        for range in ranges.dropFirst() {
            let slot = Slot()
            slots.append(slot)
            let part = fresh()
            let thread = Thread {
                defer { slot.done.signal() }
                do {
                    slot.part = try pool.read { other -> Part? in
                        guard try Workspace.revision(other) == revision else { return nil }
                        var part = part
                        try readRange(other, range, dataset: dataset, hashRows: hashRows, file: file, into: &part)
                        return part
                    }
                } catch {
                    slot.error = error
                }
            }
            thread.start()
        }
        var merged = fresh()
        var failure: (any Error)?
        do {
            try readRange(db, ranges[0], dataset: dataset, hashRows: hashRows, file: file, into: &merged)
        } catch {
            failure = error
        }
        for slot in slots { slot.done.wait() }
        if let failure { throw failure }
        for (index, slot) in slots.enumerated() {
            if let error = slot.error { throw error }
            let range = ranges[index + 1]
            var part: Part
            if let read = slot.part, !merged.accumulator.mustReread(read.accumulator) {
                part = read
            } else {
                // Another snapshot, or sums that pass the limit only together with the ranges before: read here,
                // continuing from them.
                part = fresh()
                part.accumulator.continueAfter(merged.accumulator)
                try readRange(db, range, dataset: dataset, hashRows: hashRows, file: file, into: &part)
            }
            merged.collector.merge(part.collector)
            merged.accumulator.absorb(part.accumulator, lineShift: 0)
            merged.records += part.records
            merged.digest = merged.digest.adding(part.digest)
        }
        return Outcome(accumulator: merged.accumulator, collector: merged.collector, records: merged.records, digest: merged.digest)
    }

    /// Order ids that cut the bookings into about `parts` ranges of as many lines: quantiles of the order ids of
    /// partners spread over the partner list (through the partner index). Sorted, distinct, none empty; fewer (none)
    /// when the sample is too small to be worth it.
    static func cuts(_ db: Database, dataset: Dataset, parts: Int) throws -> [String] {
        let partners = dataset.partners
        guard !partners.isEmpty else { return [] }
        let step = max(1, partners.count / sampledPartners)
        var sample: [[UInt8]] = []
        let statement = try db.cachedStatement(sql: "SELECT order_id FROM bookings WHERE partner_id = ?")
        for index in stride(from: step / 2, to: partners.count, by: step) {
            try statement.setArguments([partners[index].id])
            let raw = statement.sqliteStatement
            while sqlite3_step(raw) == SQLITE_ROW { sample.append(Array(CanonicalCSV.text(raw, 0))) }
            sqlite3_reset(raw)
        }
        guard sample.count >= parts * 2 else { return [] }
        sample.sort { $0.lexicographicallyPrecedes($1) }
        var cuts: [[UInt8]] = []
        for part in 1..<parts {
            let cut = sample[sample.count * part / parts]
            if cut != sample[0] && cut != cuts.last { cuts.append(cut) }
        }
        return cuts.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads the lines whose order id is in `range` (lower bound included, upper excluded; nil: open) in key order into
    /// `part`.
    private static func readRange(
        _ db: Database, _ range: (lower: String?, upper: String?), dataset: Dataset, hashRows: Bool, file: String, into part: inout Part
    ) throws {
        var conditions: [String] = []
        var arguments: [String] = []
        if let lower = range.lower {
            conditions.append("order_id >= ?")
            arguments.append(lower)
        }
        if let upper = range.upper {
            conditions.append("order_id < ?")
            arguments.append(upper)
        }
        let statement = try db.makeStatement(
            sql: """
                SELECT order_id, line, partner_id, booked_on, shipped_on, sku, quantity, amount_cents, currency, intended_use FROM bookings
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY order_id, line
                """)
        try statement.setArguments(StatementArguments(arguments))
        // A scan in key order reads each page once: a small page cache for it, so that each connection reading a range
        // does not grow to the reader's 8 MiB (put back after).
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -8192
        try db.execute(sql: "PRAGMA cache_size = -\(scanCacheKiB)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512)
        var columns = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: 10)
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            for column in [0, 1, 2, 3, 5, 8, 9] { columns[column] = CanonicalCSV.text(raw, Int32(column)) }
            let shippedIsNull = sqlite3_column_type(raw, 4) == SQLITE_NULL
            let quantityIsNull = sqlite3_column_type(raw, 6) == SQLITE_NULL
            columns[4] = shippedIsNull ? UnsafeBufferPointer(start: nil, count: 0) : CanonicalCSV.text(raw, 4)
            columns[6] = quantityIsNull ? UnsafeBufferPointer(start: nil, count: 0) : CanonicalCSV.text(raw, 6)
            let amount = sqlite3_column_int64(raw, 7)
            if hashRows {
                // The row's canonical CSV line, as `export` writes it.
                buffer.removeAll(keepingCapacity: true)
                CanonicalCSV.appendBookingLine(
                    columns, nulls: (shippedIsNull ? 1 << 4 : 0) | (quantityIsNull ? 1 << 6 : 0), amount: amount, to: &buffer)
                buffer.withUnsafeBytes { part.digest.update($0, sign: 1) }
            }
            guard let index = dataset.partnerIDs.lookup(columns[2]), let booked = Day(isoBytes: columns[3]) else {
                throw WorkspaceError(.damaged, "the workspace holds a booking line that does not fit its partners or dates")
            }
            part.records += 1
            part.accumulator.add(
                BookingLine(
                    line: 0, orderID: columns[0], lineID: columns[1], partner: Int(index), partnerID: columns[2], bookedOn: booked,
                    shippedOn: shippedIsNull ? nil : Day(isoBytes: columns[4]), sku: columns[5], quantity: columns[6], amount: amount,
                    currency: columns[8], intendedUse: columns[9]),
                file: file, collector: &part.collector)
        }
    }
}
