#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One validated booking line, as a reader hands it on. The byte views are valid only during the call.
public struct BookingLine {
    /// Physical line in the file (0 when the line comes from a workspace).
    public var line: Int
    public var orderID: UnsafeBufferPointer<UInt8>
    public var lineID: UnsafeBufferPointer<UInt8>
    /// Index into the dataset's partners.
    public var partner: Int
    public var partnerID: UnsafeBufferPointer<UInt8>
    public var bookedOn: Day
    public var shippedOn: Day?
    public var sku: UnsafeBufferPointer<UInt8>
    /// As written; empty when not given.
    public var quantity: UnsafeBufferPointer<UInt8>
    /// Cents in the line's currency.
    public var amount: Int64
    /// As written (any case).
    public var currency: UnsafeBufferPointer<UInt8>
    /// Normalised (`managed_services`); empty when untagged.
    public var intendedUse: UnsafeBufferPointer<UInt8>
    /// The SKU's id in the dataset's products (`Dataset.products`), -1 when not known there.
    public var catalogueSKU: Int32

    public init(
        line: Int, orderID: UnsafeBufferPointer<UInt8>, lineID: UnsafeBufferPointer<UInt8>, partner: Int, partnerID: UnsafeBufferPointer<UInt8>,
        bookedOn: Day, shippedOn: Day?, sku: UnsafeBufferPointer<UInt8>, quantity: UnsafeBufferPointer<UInt8>, amount: Int64,
        currency: UnsafeBufferPointer<UInt8>, intendedUse: UnsafeBufferPointer<UInt8>, catalogueSKU: Int32 = -1
    ) {
        self.catalogueSKU = catalogueSKU
        self.line = line
        self.orderID = orderID
        self.lineID = lineID
        self.partner = partner
        self.partnerID = partnerID
        self.bookedOn = bookedOn
        self.shippedOn = shippedOn
        self.sku = sku
        self.quantity = quantity
        self.amount = amount
        self.currency = currency
        self.intendedUse = intendedUse
    }
}

/// Where valid booking lines go. A value type passed `inout` is specialised into the reading loop,
/// with no closure call and no exclusivity check per line.
public protocol BookingSink {
    mutating func take(_ line: BookingLine, collector: inout DiagnosticCollector)
}

/// A sink that calls a closure (for callers that write lines somewhere, like a workspace import).
struct ClosureSink: BookingSink {
    let body: (BookingLine, inout DiagnosticCollector) -> Void
    func take(_ line: BookingLine, collector: inout DiagnosticCollector) { body(line, &collector) }
}

/// Adds every line, seen through `view` when there is one, into an accumulator.
public struct AccumulatingSink: BookingSink {
    public var accumulator: BookingAccumulator
    public let file: String
    public let view: ((BookingLine) -> BookingLine?)?

    public init(_ accumulator: BookingAccumulator, file: String, view: ((BookingLine) -> BookingLine?)? = nil) {
        self.accumulator = accumulator
        self.file = file
        self.view = view
    }

    @inlinable
    public mutating func take(_ line: BookingLine, collector: inout DiagnosticCollector) {
        if let view {
            if let seen = view(line) { accumulator.add(seen, file: file, collector: &collector) }
        } else {
            accumulator.add(line, file: file, collector: &collector)
        }
    }
}

/// Streams a `bookings.csv` once, validating every line (formats.md §1) and handing each valid one
/// to a sink. Memory does not grow with the number of lines: the fingerprints used to find duplicate
/// (`order_id`, `line`) keys spill to a temporary file (`BookingKeys`). See `ParallelBookings.swift`
/// for reading on every core.
public enum BookingFile {
    public static let requiredColumns = ["order_id", "line", "partner_id", "booked_on", "sku", "amount", "currency"]
    public static let optionalColumns = ["shipped_on", "quantity", "intended_use"]

    /// Reads `path` (shown as `displayName`). Partner ids are checked against `dataset`, SKUs against its catalogue.
    /// The sink sees only valid lines; it may add problems of its own. Returns the number of records read.
    @discardableResult
    public static func read(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector,
        progress: (Int) -> Void = { _ in },
        sink: (BookingLine, inout DiagnosticCollector) -> Void
    ) -> Int {
        withoutActuallyEscaping(sink) { body in
            var adapter = ClosureSink(body: body)
            return read(path: path, displayName: displayName, dataset: dataset, collector: &collector, progress: progress, into: &adapter)
        }
    }

    /// Reads `path` into `sink` on one thread.
    @discardableResult
    public static func read<Sink: BookingSink>(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector,
        progress: (Int) -> Void = { _ in }, into sink: inout Sink
    ) -> Int {
        let name = displayName ?? path
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, displayName: name)
        } catch {
            collector.merge(error.collector)
            return 0
        }
        return read(
            reader: reader, reopen: { () throws(DiagnosticReport) -> CSVReader in try CSVReader(path: path, displayName: name) },
            dataset: dataset, collector: &collector, progress: progress, into: &sink)
    }

    /// Reads bookings from `reader`; `reopen` gives a fresh reader of the same bytes for the
    /// rare second pass that confirms duplicate keys. `progress` is called now and then with the bytes read so far.
    public static func read<Sink: BookingSink>(
        reader: CSVReader, reopen: () throws(DiagnosticReport) -> CSVReader, dataset: Dataset, collector: inout DiagnosticCollector,
        progress: (Int) -> Void = { _ in },
        into sink: inout Sink
    ) -> Int {
        guard checkColumns(reader, collector: &collector) else { return 0 }
        var keys = BookingKeys(partitions: BookingKeys.partitions(forBytes: reader.size))
        let outcome = readRecords(reader: reader, dataset: dataset, collector: &collector, keys: &keys, progress: progress, into: &sink)
        let suspects = BookingKeys.repeated([keys], workers: defaultWorkers)
        if !suspects.isEmpty { confirmDuplicates(suspects, reopen: reopen, file: reader.file, collector: &collector) }
        return outcome.records
    }

    /// Reports the required columns the header lacks; true when it has them all.
    static func checkColumns(_ reader: CSVReader, collector: inout DiagnosticCollector) -> Bool {
        var complete = true
        for name in requiredColumns where reader.column(name) == nil {
            collector.error(
                file: reader.file, line: 1, column: name, "missing required column (the header has: \(reader.headerSummary))")
            complete = false
        }
        return complete
    }

    /// How reading a run of records ended.
    struct Outcome {
        var records = 0
        /// Reading stopped at a problem after which nothing more can be read (an unterminated quote).
        var fatal = false
    }

    /// Reads records from `reader` until it stops, validating each and handing valid lines to `sink`;
    /// every key's fingerprint goes into `keys`. The header must have the required columns.
    static func readRecords<Sink: BookingSink>(
        reader: CSVReader, dataset: Dataset, collector: inout DiagnosticCollector, keys: inout BookingKeys,
        progress: (Int) -> Void = { _ in }, into sink: inout Sink
    ) -> Outcome {
        let file = reader.file
        var outcome = Outcome()
        var columnIndex: [String: Int] = [:]
        for name in requiredColumns { columnIndex[name] = reader.column(name) }
        let orderColumn = columnIndex["order_id"]!, lineColumn = columnIndex["line"]!, partnerColumn = columnIndex["partner_id"]!
        let bookedColumn = columnIndex["booked_on"]!, skuColumn = columnIndex["sku"]!, amountColumn = columnIndex["amount"]!
        let currencyColumn = columnIndex["currency"]!
        let shippedColumn = reader.column("shipped_on"), quantityColumn = reader.column("quantity"), useColumn = reader.column("intended_use")
        let expectedFields = reader.header.count
        let catalogue = dataset.products
        let partnerIDs = dataset.partnerIDs
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

        var lineCount = 0
        // The lines of an order mostly share partner and dates: remember the last ones.
        var lastPartner = LastBytes()
        defer { lastPartner.release() }
        let days = DayCache()
        defer { days.release() }
        var lastPartnerIndex: Int32 = -1

        while true {
            let more: Bool
            do {
                more = try reader.next()
            } catch {
                collector.merge(error.collector)
                outcome.fatal = true
                break
            }
            guard more else { break }
            lineCount += 1
            if lineCount & 0xFFFF == 0 { progress(reader.bytesRead) }
            let line = reader.recordLine
            if let problem = reader.recordProblem {
                collector.error(file: file, line: line, column: reader.recordProblemColumn, problem)
                continue
            }
            let record = reader.record
            if record.count != expectedFields {
                collector.error(file: file, line: line, "expected \(expectedFields) fields like the header, found \(record.count)")
                continue
            }
            var bad = false
            func fail(_ column: String, _ index: Int?, _ message: String) {
                bad = true
                collector.error(file: file, line: line, column: column, value: index.map { record.string($0) }, message)
            }

            // Key (order_id, line): non-empty, unique.
            let orderBytes = record[orderColumn], lineBytes = record[lineColumn]
            if orderBytes.isEmpty { fail("order_id", nil, "required value is empty") }
            if lineBytes.isEmpty { fail("line", nil, "required value is empty") }
            if !orderBytes.isEmpty && !lineBytes.isEmpty {
                keys.add(ByteHash.key(order: orderBytes, line: lineBytes))
            }

            // Partner.
            let partnerBytes = record[partnerColumn]
            let partner: Int32
            if lastPartner.holds(partnerBytes) {
                partner = lastPartnerIndex
            } else {
                partner = partnerIDs.lookup(partnerBytes) ?? -1
                lastPartner.set(partnerBytes)
                lastPartnerIndex = partner
            }
            if partner < 0 {
                if partnerBytes.isEmpty {
                    fail("partner_id", nil, "required value is empty")
                } else if dataset.reportsUnknownPartner(record.string(partnerColumn)) {
                    fail("partner_id", partnerColumn, "unknown partner (not in \(dataset.partnersSource))")
                } else {
                    bad = true  // partners.csv has a problem of its own, already reported
                }
            }

            // Dates.
            let booked = days.day(record[bookedColumn])
            if booked == nil {
                if record[bookedColumn].isEmpty {
                    fail("booked_on", nil, "required date is empty")
                } else {
                    fail("booked_on", bookedColumn, "expected a real calendar date YYYY-MM-DD")
                }
            }
            var shipped: Day?
            if let shippedColumn, !record[shippedColumn].isEmpty {
                shipped = days.day(record[shippedColumn])
                if shipped == nil {
                    fail("shipped_on", shippedColumn, "expected a real calendar date YYYY-MM-DD")
                } else if let booked, shipped! < booked {
                    collector.warning(
                        file: file, line: line, column: "shipped_on", value: record.string(shippedColumn), "before booked_on (\(booked))")
                }
            }

            // SKU.
            let skuBytes = record[skuColumn]
            var catalogueSKU: Int32 = -1
            if skuBytes.isEmpty {
                fail("sku", nil, "required value is empty")
            } else if let catalogue {
                catalogueSKU = catalogue.lookup(skuBytes) ?? -1
                if catalogueSKU < 0 {
                    collector.warning(file: file, line: line, column: "sku", value: record.string(skuColumn), "not in products.csv")
                }
            }

            var quantity = empty
            if let quantityColumn, !record[quantityColumn].isEmpty {
                quantity = record[quantityColumn]
                if case .failure = FieldParsing.decimal(quantity, scale: 6, limit: Int64.max) {
                    fail("quantity", quantityColumn, "expected a number")
                }
            }

            // Amount and currency.
            var amount: Int64 = 0
            switch FieldParsing.decimal(record[amountColumn], scale: 2) {
            case .success(let cents): amount = cents
            case .failure(let problem): fail("amount", amountColumn, FieldParsing.explain(problem, decimals: 2, what: "an amount"))
            }
            if FieldParsing.currencyKey(record[currencyColumn]) == 0 {
                fail("currency", currencyColumn, "expected an ISO 4217 currency code such as USD")
            }
            if bad { continue }

            // Intended use, normalised in the reader's buffer (the record is not read again):
            // trimmed (by the reader), lower-cased, spaces and hyphens as `_`.
            var intendedUse = empty
            if let useColumn, let base = record[useColumn].baseAddress, !record[useColumn].isEmpty {
                let bytes = UnsafeMutablePointer(mutating: base)
                for index in 0..<record[useColumn].count {
                    let lowered = FieldParsing.asciiLower(bytes[index])
                    bytes[index] = lowered == 0x20 || lowered == 0x2D ? 0x5F : lowered
                }
                intendedUse = record[useColumn]
            }
            sink.take(
                BookingLine(
                    line: line, orderID: orderBytes, lineID: lineBytes, partner: Int(partner), partnerID: partnerBytes, bookedOn: booked!,
                    shippedOn: shipped, sku: skuBytes, quantity: quantity, amount: amount, currency: record[currencyColumn],
                    intendedUse: intendedUse, catalogueSKU: catalogueSKU), collector: &collector)
        }
        outcome.records = lineCount
        return outcome
    }

    /// Fingerprints can collide: re-read the file and report only keys that really repeat.
    static func confirmDuplicates(
        _ suspects: Set<UInt64>, reopen: () throws(DiagnosticReport) -> CSVReader, file: String, collector: inout DiagnosticCollector
    ) {
        guard let reader = try? reopen(), let orderColumn = reader.column("order_id"), let lineColumn = reader.column("line") else { return }
        var firstLine: [ExactText: Int] = [:]
        while (try? reader.next()) == true {
            guard reader.recordProblem == nil, reader.fieldCount == reader.header.count else { continue }
            if reader.isEmpty(orderColumn) || reader.isEmpty(lineColumn) { continue }
            let hash = ByteHash.key(order: reader.record[orderColumn], line: reader.record[lineColumn])
            guard suspects.contains(hash) else { continue }
            let order = reader.string(orderColumn), lineID = reader.string(lineColumn)
            let key = ExactText(order + "\u{1F}" + lineID)
            if let first = firstLine[key] {
                collector.error(
                    file: file, line: reader.recordLine, column: "order_id, line", value: "\(order), \(lineID)",
                    "duplicate order line (first on line \(first))")
            } else {
                firstLine[key] = reader.recordLine
            }
        }
    }
}

/// The last value seen of a field, to skip parsing or looking up the same bytes again.
struct LastBytes {
    private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
    private var capacity = 32
    /// -1 before any value.
    private var count = -1

    @inline(__always)
    func holds(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == count else { return false }
        return count == 0 || bytesEqual(storage, bytes.baseAddress!, count: count)
    }

    mutating func set(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > capacity {
            storage.deallocate()
            capacity = bytes.count
            storage = .allocate(capacity: capacity)
        }
        if let base = bytes.baseAddress { storage.update(from: base, count: bytes.count) }
        count = bytes.count
    }

    func release() { storage.deallocate() }
}

/// Dates already parsed, by their ten bytes: booking files hold a few hundred distinct dates in
/// millions of lines. Direct-mapped; a slot holds the last date that hashed to it.
struct DayCache {
    private static let slots = 1024
    private let heads = UnsafeMutablePointer<UInt64>.allocate(capacity: DayCache.slots)
    private let tails = UnsafeMutablePointer<UInt16>.allocate(capacity: DayCache.slots)
    private let values = UnsafeMutablePointer<Int32>.allocate(capacity: DayCache.slots)

    /// Marks an empty slot (no real date is that far from 1970).
    private static let empty = Int32.min

    init() {
        heads.initialize(repeating: 0, count: DayCache.slots)
        tails.initialize(repeating: 0, count: DayCache.slots)
        values.initialize(repeating: DayCache.empty, count: DayCache.slots)
    }

    /// `Day(isoBytes:)`, remembered when valid.
    @inline(__always)
    func day(_ bytes: UnsafeBufferPointer<UInt8>) -> Day? {
        guard bytes.count == 10, let base = bytes.baseAddress else { return Day(isoBytes: bytes) }
        let raw = UnsafeRawPointer(base)
        let head = raw.loadUnaligned(as: UInt64.self), tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let slot = Int(truncatingIfNeeded: ((head ^ UInt64(tail) &* 0x9E37) &* 0x9E37_79B9_7F4A_7C15) >> 54)
        if heads[slot] == head && tails[slot] == tail && values[slot] != DayCache.empty { return Day(daysSinceEpoch: values[slot]) }
        guard let day = Day(isoBytes: bytes) else { return nil }
        heads[slot] = head
        tails[slot] = tail
        values[slot] = day.daysSinceEpoch
        return day
    }

    func release() {
        heads.deallocate()
        tails.deallocate()
        values.deallocate()
    }
}

/// Hashes of booking keys, for their fingerprints.
enum ByteHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The fingerprint of a booking key (`order_id`, `line`): both parts hashed eight bytes at a
    /// time, lengths included so that ("ab", "c") and ("a", "bc") differ.
    @inline(__always)
    static func key(order: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>) -> UInt64 {
        finish(words(line, seed: words(order, seed: offset) ^ 0x1F))
    }

    @inline(__always)
    static func words(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var hash = (seed ^ UInt64(bytes.count)) &* 0x9E37_79B9_7F4A_7C15
        guard let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 31
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(base[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0xC2B2_AE3D_27D4_EB4F
        return hash ^ (hash >> 29)
    }

    /// A final mix so that low bits spread well in hash tables.
    @inline(__always)
    static func finish(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x = x &* 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}

/// An open-addressing set of 64-bit fingerprints (0 is stored out of band).
struct FingerprintSet {
    private var slots: [UInt64]
    private var mask: Int
    private var count = 0
    private var hasZero = false

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts `value`; false when it was already there.
    mutating func insert(_ value: UInt64) -> Bool {
        if value == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        var slot = Int(truncatingIfNeeded: value) & mask
        while true {
            let current = slots[slot]
            if current == 0 { break }
            if current == value { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = value
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for value in old where value != 0 {
            var slot = Int(truncatingIfNeeded: value) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = value
        }
    }
}
