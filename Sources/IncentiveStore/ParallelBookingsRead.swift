import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine
import Synchronization

/// What takes the lines of a merged read of the packs (`ParallelBookingsRead.mergePacks`), each with what its pack's
/// texts stand for.
protocol PackedLineSink {
    mutating func take(_ cursor: PackCursor, _ meanings: inout ParallelBookingsRead.Meanings) throws
}

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
    struct Part: Sendable {
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
        let source = try Source.plan(db, dataset: dataset, parts: helpers + 1)
        @Sendable func readRange(_ db: Database, _ index: Int, into part: inout Part) throws {
            switch source {
            case .table(let ranges):
                try Self.readRange(db, ranges[index], dataset: dataset, hashRows: hashRows, file: file, into: &part)
            case .packs(let ranges, let overlay):
                try Self.readPacks(db, ranges[index], overlay: overlay, dataset: dataset, hashRows: hashRows, file: file, into: &part)
            }
        }
        func fresh() -> Part {
            Part(accumulator: BookingAccumulator(programs: programs, dataset: dataset, tracePartner: tracePartner), collector: DiagnosticCollector())
        }
        let revision = source.count > 1 ? try Workspace.revision(db) : 0
        // Ranges 1... on threads of their own, each with a read of its own; range 0 here.
        var slots: [Slot] = []
        for index in 1..<source.count {
            let slot = Slot()
            slots.append(slot)
            let part = fresh()
            let thread = Thread {
                defer { slot.done.signal() }
                do {
                    slot.part = try pool.read { other -> Part? in
                        guard try Workspace.revision(other) == revision else { return nil }
                        var part = part
                        try readRange(other, index, into: &part)
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
            try readRange(db, 0, into: &merged)
        } catch {
            failure = error
        }
        for slot in slots { slot.done.wait() }
        if let failure { throw failure }
        for (index, slot) in slots.enumerated() {
            if let error = slot.error { throw error }
            var part: Part
            if let read = slot.part, !merged.accumulator.mustReread(read.accumulator) {
                part = read
            } else {
                // Another snapshot, or sums that pass the limit only together with the ranges before: read here,
                // continuing from them.
                part = fresh()
                part.accumulator.continueAfter(merged.accumulator)
                try readRange(db, index + 1, into: &part)
            }
            merged.collector.merge(part.collector)
            merged.accumulator.absorb(part.accumulator, lineShift: 0)
            merged.records += part.records
            merged.digest = merged.digest.adding(part.digest)
        }
        return Outcome(accumulator: merged.accumulator, collector: merged.collector, records: merged.records, digest: merged.digest)
    }

    /// Where a full read takes the lines from, cut into ranges.
    enum Source: Sendable {
        /// The table, by ranges of order ids (lower bound included, upper excluded; nil: open).
        case table([(lower: String?, upper: String?)])
        /// The packs (`BookingPacks`), by ranges of packs, with what was changed since they were written.
        case packs([PackRange], BookingPacks.Overlay)

        var count: Int {
            switch self {
            case .table(let ranges): ranges.count
            case .packs(let ranges, _): ranges.count
            }
        }

        /// The packs when they are there and the lines changed since they were written are few (at most a quarter
        /// of the packed lines), else the table; in at most `parts` ranges.
        static func plan(_ db: Database, dataset: Dataset, parts: Int) throws -> Source {
            if let asOf = try BookingPacks.asOf(db),
                try BookingPacks.changedBound(db, asOf: asOf) * 4 <= max(try BookingPacks.packedLines(db), BookingPacks.linesPerPack)
            {
                let packs = try Row.fetchAll(db, sql: "SELECT pack, first_order_id, first_line FROM booking_packs ORDER BY pack")
                    .map { (pack: $0[0] as Int, order: Array(($0[1] as String).utf8), line: Array(($0[2] as String).utf8)) }
                let count = packs.count >= parts * 2 ? parts : 1
                let ranges = (0..<count).map { index -> PackRange in
                    let start = packs.count * index / count, end = packs.count * (index + 1) / count
                    return PackRange(
                        firstPack: index == 0 ? nil : packs[start].pack, endPack: end == packs.count ? nil : packs[end].pack,
                        lower: index == 0 ? nil : (packs[start].order, packs[start].line),
                        upper: end == packs.count ? nil : (packs[end].order, packs[end].line))
                }
                return .packs(ranges, try BookingPacks.overlay(db, asOf: asOf))
            }
            let cuts = parts > 1 ? try ParallelBookingsRead.cuts(db, dataset: dataset, parts: parts) : []
            return .table(
                (0...cuts.count).map { index in (index == 0 ? nil : cuts[index - 1], index == cuts.count ? nil : cuts[index]) })
        }
    }

    /// Packs `firstPack..<endPack` (nil: open), whose lines' keys are from `lower` (nil: the first) to before `upper`
    /// (nil: past the last): the overlay's rows in those keys are read with them.
    struct PackRange: Sendable {
        var firstPack: Int?
        var endPack: Int?
        var lower: (order: [UInt8], line: [UInt8])?
        var upper: (order: [UInt8], line: [UInt8])?
    }

    /// What a pack's texts stand for, worked out when first met: the partner's index (-2: not yet) and the day
    /// (`Int32.min`: not yet).
    struct Meanings {
        var partner: [Int32] = []
        var day: [Int32] = []
        /// The text's id among the dataset's products (`BookingLine.catalogueSKU`; -1: not one of them, -2: not looked
        /// up yet), so that the booking pass does not look the SKU up line by line.
        var sku: [Int32] = []

        mutating func reset(_ count: Int) {
            partner.removeAll(keepingCapacity: true)
            partner.append(contentsOf: repeatElement(-2, count: count))
            day.removeAll(keepingCapacity: true)
            day.append(contentsOf: repeatElement(Int32.min, count: count))
            sku.removeAll(keepingCapacity: true)
            sku.append(contentsOf: repeatElement(-2, count: count))
        }
    }

    /// Reads the lines of `range` from the packs, putting the overlay's rows over them, in key order, into `part`.
    private static func readPacks(
        _ db: Database, _ range: PackRange, overlay: BookingPacks.Overlay, dataset: Dataset, hashRows: Bool, file: String, into part: inout Part
    ) throws {
        /// Adds each line to the part (through a pointer: the part's arrays are not copied).
        struct Adding: PackedLineSink {
            let part: UnsafeMutablePointer<Part>
            let dataset: Dataset
            let hashRows: Bool
            let file: String
            var buffer: [UInt8] = []
            var columns = [UnsafeBufferPointer<UInt8>](repeating: UnsafeBufferPointer(start: nil, count: 0), count: 10)

            mutating func take(_ cursor: PackCursor, _ meanings: inout Meanings) throws {
                try ParallelBookingsRead.add(
                    cursor, &meanings, dataset: dataset, hashRows: hashRows, file: file, columns: &columns, buffer: &buffer, into: &part.pointee)
            }
        }
        try withUnsafeMutablePointer(to: &part) { pointer in
            var adding = Adding(part: pointer, dataset: dataset, hashRows: hashRows, file: file)
            adding.buffer.reserveCapacity(512)
            try mergePacks(db, range, overlay: overlay, into: &adding)
        }
    }

    /// Hands every line of `range` to `sink` in key order: the packs' lines, less the overlay's keys, and the overlay's
    /// rows in those keys.
    static func mergePacks<Sink: PackedLineSink>(_ db: Database, _ range: PackRange, overlay: BookingPacks.Overlay, into sink: inout Sink) throws {
        let statement = try bounded(db, "SELECT data FROM booking_packs", column: "pack", range.firstPack, range.endPack, then: "ORDER BY pack")
        let cacheSize = try useScanCache(db)
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        try overlay.arena.withUnsafeBufferPointer { arena in
            try overlay.rows.withUnsafeBytes { rowBytes in
                func key(_ index: Int) -> (order: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>) {
                    let bounds = overlay.bounds
                    return (
                        UnsafeBufferPointer(rebasing: arena[bounds[2 * index]..<bounds[2 * index + 1]]),
                        UnsafeBufferPointer(rebasing: arena[bounds[2 * index + 1]..<bounds[2 * index + 2]])
                    )
                }
                // The first changed key and the first current row of a changed key at or after the range's lower key.
                var changed = 0
                var rows = try PackCursor(rowBytes)
                defer { rows.deallocate() }
                var rowMeanings = Meanings()
                rowMeanings.reset(rows.strings.count)
                var hasRow = try rows.next()
                if let lower = range.lower {
                    try lower.order.withUnsafeBufferPointer { order in
                        try lower.line.withUnsafeBufferPointer { line in
                            var low = 0, high = overlay.count
                            while low < high {
                                let middle = (low + high) / 2
                                let at = key(middle)
                                let byOrder = TableWriter.compareBytes(at.order, order)
                                if (byOrder != 0 ? byOrder : TableWriter.compareBytes(at.line, line)) < 0 { low = middle + 1 } else { high = middle }
                            }
                            changed = low
                            while hasRow && rows.compare(order: order, line: line) < 0 { hasRow = try rows.next() }
                        }
                    }
                }
                var meanings = Meanings()
                while true {
                    let code = sqlite3_step(raw)
                    if code == SQLITE_DONE { break }
                    guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                    let bytes = UnsafeRawBufferPointer(start: sqlite3_column_blob(raw, 0), count: Int(sqlite3_column_bytes(raw, 0)))
                    var cursor = try PackCursor(bytes)
                    defer { cursor.deallocate() }
                    meanings.reset(cursor.strings.count)
                    while try cursor.next() {
                        let order = cursor.order, line = cursor.strings[Int(cursor.lineID)]
                        while hasRow && rows.compare(order: order, line: line) < 0 {
                            try sink.take(rows, &rowMeanings)
                            hasRow = try rows.next()
                        }
                        var against = 1
                        while changed < overlay.count {
                            let at = key(changed)
                            let byOrder = TableWriter.compareBytes(at.order, order)
                            against = byOrder != 0 ? byOrder : TableWriter.compareBytes(at.line, line)
                            if against >= 0 { break }
                            changed += 1
                        }
                        if changed < overlay.count && against == 0 { continue }
                        try sink.take(cursor, &meanings)
                    }
                }
                while hasRow {
                    if let upper = range.upper {
                        let below = upper.order.withUnsafeBufferPointer { order in
                            upper.line.withUnsafeBufferPointer { line in rows.compare(order: order, line: line) < 0 }
                        }
                        if !below { break }
                    }
                    try sink.take(rows, &rowMeanings)
                    hasRow = try rows.next()
                }
            }
        }
    }

    /// `select` over the rows whose `column` is from `lower` (included) to `upper` (excluded), either open when nil,
    /// then `tail`.
    private static func bounded<Bound: DatabaseValueConvertible>(
        _ db: Database, _ select: String, column: String, _ lower: Bound?, _ upper: Bound?, then tail: String
    ) throws -> Statement {
        var conditions: [String] = []
        var arguments: [Bound] = []
        if let lower {
            conditions.append("\(column) >= ?")
            arguments.append(lower)
        }
        if let upper {
            conditions.append("\(column) < ?")
            arguments.append(upper)
        }
        let statement = try db.makeStatement(sql: "\(select) \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) \(tail)")
        try statement.setArguments(StatementArguments(arguments))
        return statement
    }

    /// A scan in key order reads each page once: a small page cache for it, so that each connection reading a range
    /// (or the partners' other rows, `Workspace.SideRows`) does not grow to the reader's 8 MiB. Returns the cache size
    /// to put back after.
    static func useScanCache(_ db: Database) throws -> Int {
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -8192
        try db.execute(sql: "PRAGMA cache_size = -\(scanCacheKiB)")
        return cacheSize
    }

    /// Adds the line `cursor` stands on to `part`, as `readRange` adds a row of the table.
    static func add(
        _ cursor: PackCursor, _ meanings: inout Meanings, dataset: Dataset, hashRows: Bool, file: String, columns: inout [UnsafeBufferPointer<UInt8>],
        buffer: inout [UInt8], into part: inout Part
    ) throws {
        let strings = cursor.strings
        func day(_ index: Int32) throws -> Day {
            var days = meanings.day[Int(index)]
            if days == Int32.min {
                guard let day = Day(isoBytes: strings[Int(index)]) else { throw damaged }
                days = day.daysSinceEpoch
                meanings.day[Int(index)] = days
            }
            return Day(daysSinceEpoch: days)
        }
        var partner = meanings.partner[Int(cursor.partner)]
        if partner == -2 {
            partner = dataset.partnerIDs.lookup(strings[Int(cursor.partner)]) ?? -1
            meanings.partner[Int(cursor.partner)] = partner
        }
        guard partner >= 0 else { throw damaged }
        var sku = meanings.sku[Int(cursor.sku)]
        if sku == -2 {
            sku = dataset.products?.lookup(strings[Int(cursor.sku)]) ?? -1
            meanings.sku[Int(cursor.sku)] = sku
        }
        let booked = try day(cursor.booked)
        let shipped = cursor.shipped < 0 ? nil : try day(cursor.shipped)
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        let quantity = cursor.quantity < 0 ? empty : strings[Int(cursor.quantity)]
        if hashRows {
            columns[0] = cursor.order
            columns[1] = strings[Int(cursor.lineID)]
            columns[2] = strings[Int(cursor.partner)]
            columns[3] = strings[Int(cursor.booked)]
            columns[4] = cursor.shipped < 0 ? empty : strings[Int(cursor.shipped)]
            columns[5] = strings[Int(cursor.sku)]
            columns[6] = quantity
            columns[8] = strings[Int(cursor.currency)]
            columns[9] = strings[Int(cursor.intendedUse)]
            buffer.removeAll(keepingCapacity: true)
            CanonicalCSV.appendBookingLine(
                columns, nulls: (cursor.shipped < 0 ? 1 << 4 : 0) | (cursor.quantity < 0 ? 1 << 6 : 0), amount: cursor.amount, to: &buffer)
            buffer.withUnsafeBytes { part.digest.update($0, sign: 1) }
        }
        part.records += 1
        part.accumulator.add(
            BookingLine(
                line: 0, orderID: cursor.order, lineID: strings[Int(cursor.lineID)], partner: Int(partner), partnerID: strings[Int(cursor.partner)],
                bookedOn: booked, shippedOn: shipped, sku: strings[Int(cursor.sku)], quantity: quantity, amount: cursor.amount,
                currency: strings[Int(cursor.currency)], intendedUse: strings[Int(cursor.intendedUse)], catalogueSKU: sku),
            file: file, collector: &part.collector)
    }

    private static let damaged = WorkspaceError(.damaged, "the workspace holds a booking line that does not fit its partners or dates")

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
        let statement = try bounded(
            db, "SELECT order_id, line, partner_id, booked_on, shipped_on, sku, quantity, amount_cents, currency, intended_use FROM bookings",
            column: "order_id", range.lower, range.upper, then: "ORDER BY order_id, line")
        let cacheSize = try useScanCache(db)
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
