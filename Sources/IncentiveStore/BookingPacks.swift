import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine

/// The current booking lines also kept packed, many to a row (`booking_packs`, migration `v18-booking-packs`), so that
/// a full read (a run, a computation of the whole data) steps SQLite once per pack of `linesPerPack` lines and decodes
/// the lines from memory, instead of stepping 10,000,000 rows and reading ten columns of each through SQLite's API.
///
/// The packs are derived data, like an index: the `bookings` table (with its history) stays the record. They hold the
/// lines in key order (order id, line) as the table stood after the import `booking_packs_as_of` names. The
/// lines changed since are found without reading the packs' lines again: every changed or retired line left a version
/// in `bookings_history` with `retired_by` after that import, and every added line's key is noted in
/// `booking_keys_added` by the import that added it (only while packs exist, and never for an import into an empty
/// table). A full read takes the packs' lines except those keys and puts the current rows of those keys in between,
/// in key order: the same lines in the same order as a read of the table.
///
/// A bookings import that starts from an empty table or finds no packs writes them from the table; one that leaves more
/// changed keys than a sixteenth of the packed lines writes them again from the packs and the changed lines
/// (`repack`); in its own transaction (`maintain`). A full read for which the changed keys exceed a quarter of the
/// packed lines (a safeguard: every bookings import leaves at most a sixteenth) reads the table.
enum BookingPacks {
    /// Lines per pack: about 80 KB of blob at the benchmark's 20 bytes a line.
    static let linesPerPack = 4096

    /// Adds the migration `v18-booking-packs` (after `v17-anchored-runs`). A workspace made before has no packs: its
    /// reads take the table until its next bookings import writes them.
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v18-booking-packs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE booking_packs (
                        pack INTEGER PRIMARY KEY,
                        first_order_id TEXT NOT NULL,
                        first_line TEXT NOT NULL,
                        lines INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE TABLE booking_packs_as_of (import_id INTEGER NOT NULL);
                    CREATE TABLE booking_keys_added (
                        import_id INTEGER NOT NULL,
                        order_id TEXT NOT NULL,
                        line TEXT NOT NULL,
                        PRIMARY KEY (import_id, order_id, line)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    /// The import the packs stand for; nil: no packs.
    static func asOf(_ db: Database) throws -> Int? {
        try Int.fetchOne(cached: db, sql: "SELECT MAX(import_id) FROM booking_packs_as_of")
    }

    /// At most how many keys changed since import `asOf` (a version in the history counts once per version).
    static func changedBound(_ db: Database, asOf: Int) throws -> Int {
        try Int.fetchOne(
            cached: db,
            sql: """
                SELECT (SELECT COUNT(*) FROM bookings_history WHERE retired_by > ?1) + (SELECT COUNT(*) FROM booking_keys_added WHERE import_id > ?1)
                """, arguments: [asOf]) ?? 0
    }

    static func packedLines(_ db: Database) throws -> Int {
        try Int.fetchOne(cached: db, sql: "SELECT COALESCE(SUM(lines), 0) FROM booking_packs") ?? 0
    }

    /// After the bookings of import `importID` were written (the last change of the import's transaction to them):
    /// writes the packs again when there are none, when `fromEmpty` (the import began with an empty table) or when the
    /// keys changed since they were written exceed a sixteenth of the packed lines.
    /// `packedWhileWriting`: the import began with an empty table and wrote the packs the reading thread made from its
    /// lines (`ReaderPacker`), every line inserted in key order.
    static func maintain(_ db: Database, importID: Int, fromEmpty: Bool, packedWhileWriting: Bool) throws {
        if fromEmpty && packedWhileWriting { return try setAsOf(db, importID) }
        if !fromEmpty, let asOf = try asOf(db) {
            let changed = try changedBound(db, asOf: asOf)
            let packed = try packedLines(db)
            if changed == 0 || changed * 16 <= max(packed, linesPerPack) { return }
            return try repack(db, from: asOf, asOf: importID)
        }
        try rebuild(db, asOf: importID)
    }

    /// Writes the packs again from themselves and the lines changed since import `old` (the overlay, as a full read
    /// puts it over them), for import `asOf`: the new packs after the old ones, which are then deleted. No pass over
    /// the table.
    static func repack(_ db: Database, from old: Int, asOf: Int) throws {
        struct Repacking: PackedLineSink {
            var writer: PackWriter

            mutating func take(_ cursor: PackCursor, _ meanings: inout ParallelBookingsRead.Meanings) throws {
                let strings = cursor.strings
                writer.encoder.append(
                    order: cursor.order, line: strings[Int(cursor.lineID)], partner: strings[Int(cursor.partner)], booked: strings[Int(cursor.booked)],
                    shipped: cursor.shipped < 0 ? nil : strings[Int(cursor.shipped)], sku: strings[Int(cursor.sku)],
                    quantity: cursor.quantity < 0 ? nil : strings[Int(cursor.quantity)], amount: cursor.amount,
                    currency: strings[Int(cursor.currency)], intendedUse: strings[Int(cursor.intendedUse)])
                try writer.flushIfFull()
            }
        }
        let overlay = try overlay(db, asOf: old)
        let last = try Int.fetchOne(db, sql: "SELECT MAX(pack) FROM booking_packs") ?? -1
        var repacking = Repacking(writer: try PackWriter(db, after: last))
        try ParallelBookingsRead.mergePacks(
            db, ParallelBookingsRead.PackRange(firstPack: nil, endPack: last + 1, lower: nil, upper: nil), overlay: overlay, into: &repacking)
        try repacking.writer.finish()
        try db.execute(sql: "DELETE FROM booking_packs WHERE pack <= ?", arguments: [last])
        try setAsOf(db, asOf)
    }

    /// Writes the packs from the table, for import `asOf`.
    static func rebuild(_ db: Database, asOf: Int) throws {
        var writer = try PackWriter(db, after: nil)
        try scan(db, sql: "SELECT \(columns) FROM bookings ORDER BY order_id, line", arguments: []) { raw in
            writer.encoder.append(raw)
            try writer.flushIfFull()
        }
        try writer.finish()
        try setAsOf(db, asOf)
    }

    /// Records that the packs stand for import `asOf`.
    static func setAsOf(_ db: Database, _ asOf: Int) throws {
        try db.execute(sql: "DELETE FROM booking_packs_as_of; INSERT INTO booking_packs_as_of(import_id) VALUES (?)", arguments: [asOf])
    }

    static let columns = "order_id, line, partner_id, booked_on, shipped_on, sku, quantity, amount_cents, currency, intended_use"

    /// Steps `sql` (the ten columns of `columns` in that order), handing each row's statement to `body`.
    static func scan(_ db: Database, sql: String, arguments: StatementArguments, _ body: (SQLiteStatement) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            try body(raw)
        }
    }

    /// What a full read puts over the packs: the keys changed since they were written (sorted) and the current rows of
    /// those keys (packed, in key order).
    struct Overlay: Sendable {
        /// The keys, each as order id then line, in `arena`; `bounds[2k]..<bounds[2k+1]` and `bounds[2k+1]..<bounds[2k+2]`.
        var arena: [UInt8] = []
        var bounds: [Int] = [0]
        var rows: [UInt8]
        var count: Int { (bounds.count - 1) / 2 }
    }

    /// The overlay of the packs written for import `asOf`, as `db` sees the table.
    static func overlay(_ db: Database, asOf: Int) throws -> Overlay {
        let keys = """
            SELECT order_id, line FROM bookings_history WHERE retired_by > ?1
            UNION SELECT order_id, line FROM booking_keys_added WHERE import_id > ?1
            """
        var arena: [UInt8] = []
        var bounds = [0]
        try scan(db, sql: keys + " ORDER BY 1, 2", arguments: [asOf]) { raw in
            arena.append(contentsOf: CanonicalCSV.text(raw, 0))
            bounds.append(arena.count)
            arena.append(contentsOf: CanonicalCSV.text(raw, 1))
            bounds.append(arena.count)
        }
        let encoder = PackEncoder()
        try scan(
            db,
            sql: """
                SELECT \(columns.split(separator: ",").map { "b." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM (\(keys)) k JOIN bookings b ON b.order_id = k.order_id AND b.line = k.line ORDER BY b.order_id, b.line
                """, arguments: [asOf]
        ) { raw in encoder.append(raw) }
        return Overlay(arena: arena, bounds: bounds, rows: encoder.finish())
    }
}

/// Writes packs one after the other.
struct PackWriter {
    private(set) var encoder = PackEncoder()
    private var pack = 0
    private let insert: Statement

    /// `last`: the last pack kept, the new ones numbered after it; nil: every pack deleted, the new ones from 0.
    init(_ db: Database, after last: Int?) throws {
        if let last { pack = last + 1 } else { try db.execute(sql: "DELETE FROM booking_packs") }
        insert = try db.makeStatement(sql: "INSERT INTO booking_packs(pack, first_order_id, first_line, lines, data) VALUES (?, ?, ?, ?, ?)")
    }

    /// Writes the pack being made once it holds `BookingPacks.linesPerPack` lines.
    mutating func flushIfFull() throws {
        if encoder.lines == BookingPacks.linesPerPack { try flush() }
    }

    mutating func flush() throws {
        guard let made = EncodedPack(encoder) else { return }
        try write(made)
        encoder = PackEncoder()
    }

    /// Writes a pack made elsewhere (`ReaderPacker`), after those written before.
    mutating func write(_ made: EncodedPack) throws {
        try insert.execute(arguments: [pack, made.firstOrder, made.firstLine, made.lines, Data(made.data)])
        pack += 1
    }

    /// Writes the last pack.
    mutating func finish() throws { try flush() }
}

/// A pack ready to be written.
struct EncodedPack: Sendable {
    var firstOrder: String
    var firstLine: String
    var lines: Int
    var data: [UInt8]

    /// What `encoder` holds; nil when it holds no line.
    init?(_ encoder: PackEncoder) {
        guard encoder.lines > 0 else { return nil }
        (firstOrder, firstLine, lines, data) = (encoder.firstOrder, encoder.firstLine, encoder.lines, encoder.finish())
    }
}

/// The packs of an import into an empty table, made on the thread that reads the file (which mostly waits on the
/// writer) from the lines as the writer binds them: dates as ISO text, the currency in capitals, an empty quantity as
/// NULL. Abandoned at the first line whose key does not follow the line before's. Used by that thread alone.
final class ReaderPacker: @unchecked Sendable {
    @exclusivity(unchecked) private var encoder = PackEncoder()
    @exclusivity(unchecked) private(set) var abandoned = false
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) private var days = DayTexts()

    /// Adds `line`; the pack it fills, if it does.
    func add(_ line: BookingLine) -> EncodedPack? {
        guard !abandoned else { return nil }
        guard encoder.follows(order: line.orderID, line: line.lineID) else {
            abandoned = true
            return nil
        }
        let (booked, shipped, currency) = BookingBatch.storedTexts(line, &scratch, days: &days)
        scratch.withUnsafeBufferPointer { all in
            encoder.append(
                order: line.orderID, line: line.lineID, partner: line.partnerID, booked: UnsafeBufferPointer(rebasing: all[0..<booked]),
                shipped: line.shippedOn == nil ? nil : UnsafeBufferPointer(rebasing: all[booked..<shipped]), sku: line.sku,
                quantity: line.quantity.isEmpty ? nil : line.quantity, amount: line.amount,
                currency: UnsafeBufferPointer(rebasing: all[shipped..<currency]), intendedUse: line.intendedUse)
        }
        return encoder.lines == BookingPacks.linesPerPack ? take() : nil
    }

    /// The pack being made (nil: none, or abandoned), a new one begun.
    func take() -> EncodedPack? {
        guard !abandoned, let made = EncodedPack(encoder) else { return nil }
        encoder = PackEncoder()
        return made
    }
}

/// Writes one pack: a table of the distinct texts of its lines (every column but the order id and the amount), then
/// the lines, each its order id front-coded against the line before, its amount as a zigzag varint and its other
/// columns as indexes into the table (a null as 0, the text k as k + 1, for the two columns that may be null).
///
/// A class (its buffers freed with it), whose properties are used by one thread at a time: not checked for exclusive
/// access at run time (`@exclusivity(unchecked)`), which cost as much as the encoding.
final class PackEncoder {
    @exclusivity(unchecked) private(set) var lines = 0
    @exclusivity(unchecked) private var strings = ByteInterner(capacity: 256)
    @exclusivity(unchecked) private var body = ByteSink(capacity: BookingPacks.linesPerPack * 24)
    @exclusivity(unchecked) private var previousOrder = ByteSink(capacity: 64)
    @exclusivity(unchecked) private(set) var firstOrder = ""
    @exclusivity(unchecked) private(set) var firstLine = ""
    /// The last text of each column (up to `lastCapacity` bytes) and its id: a column often repeats the line
    /// before's (the partner and dates of an order's lines, the currency), which is then not hashed again. Small
    /// copies go through these buffers, not arrays: appending a few bytes to an array cost more than the encoding.
    private static let lastCapacity = 64
    private let lastTexts = UnsafeMutablePointer<UInt8>.allocate(capacity: 8 * PackEncoder.lastCapacity)
    @exclusivity(unchecked) private var lastCounts = [Int](repeating: -1, count: 8)
    @exclusivity(unchecked) private var lastIDs = [Int32](repeating: -1, count: 8)

    deinit {
        lastTexts.deallocate()
        body.deallocate()
        previousOrder.deallocate()
    }

    /// Appends the row `raw` stands on (the columns of `BookingPacks.columns`).
    func append(_ raw: SQLiteStatement) {
        append(
            order: CanonicalCSV.text(raw, 0), line: CanonicalCSV.text(raw, 1), partner: CanonicalCSV.text(raw, 2), booked: CanonicalCSV.text(raw, 3),
            shipped: sqlite3_column_type(raw, 4) == SQLITE_NULL ? nil : CanonicalCSV.text(raw, 4), sku: CanonicalCSV.text(raw, 5),
            quantity: sqlite3_column_type(raw, 6) == SQLITE_NULL ? nil : CanonicalCSV.text(raw, 6), amount: sqlite3_column_int64(raw, 7),
            currency: CanonicalCSV.text(raw, 8), intendedUse: CanonicalCSV.text(raw, 9))
    }

    /// Whether (order, line) comes after the last line appended (always, for the first).
    func follows(order: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lines > 0 else { return true }
        let byOrder = TableWriter.compareBytes(previousOrder.bytes, order)
        if byOrder != 0 { return byOrder < 0 }
        let last = UnsafeBufferPointer(start: lastTexts, count: max(lastCounts[0], 0))
        // A line id longer than the kept texts is never followed (the packs are then written from the table).
        return lastCounts[0] >= 0 && TableWriter.compareBytes(last, line) < 0
    }

    /// Appends a line given by its stored texts (nil: NULL).
    func append(
        order: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>, partner: UnsafeBufferPointer<UInt8>, booked: UnsafeBufferPointer<UInt8>,
        shipped: UnsafeBufferPointer<UInt8>?, sku: UnsafeBufferPointer<UInt8>, quantity: UnsafeBufferPointer<UInt8>?, amount: Int64,
        currency: UnsafeBufferPointer<UInt8>, intendedUse: UnsafeBufferPointer<UInt8>
    ) {
        if lines == 0 {
            firstOrder = String(decoding: order, as: UTF8.self)
            firstLine = String(decoding: line, as: UTF8.self)
        }
        var shared = 0
        let previous = previousOrder.bytes
        let limit = min(previous.count, order.count)
        while shared < limit && previous[shared] == order[shared] { shared += 1 }
        body.appendVarint(UInt64(shared))
        body.appendVarint(UInt64(order.count - shared))
        body.append(UnsafeBufferPointer(rebasing: order[shared...]))
        previousOrder.removeAll()
        previousOrder.append(order)
        body.appendVarint(UInt64(id(line, 0)))
        body.appendVarint(UInt64(id(partner, 1)))
        body.appendVarint(UInt64(id(booked, 2)))
        body.appendVarint(shipped.map { UInt64(id($0, 3)) + 1 } ?? 0)
        body.appendVarint(UInt64(id(sku, 4)))
        body.appendVarint(quantity.map { UInt64(id($0, 5)) + 1 } ?? 0)
        body.appendVarint(Varint.zigzag(amount))
        body.appendVarint(UInt64(id(currency, 6)))
        body.appendVarint(UInt64(id(intendedUse, 7)))
        lines += 1
    }

    /// The id of `text` in the pack's texts, `column` naming its slot in the last texts.
    private func id(_ text: UnsafeBufferPointer<UInt8>, _ column: Int) -> Int32 {
        let slot = lastTexts + column * Self.lastCapacity
        if lastCounts[column] == text.count && (text.isEmpty || memcmp(slot, text.baseAddress!, text.count) == 0) { return lastIDs[column] }
        let found = strings.intern(text)
        if text.count <= Self.lastCapacity {
            if !text.isEmpty { slot.update(from: text.baseAddress!, count: text.count) }
            lastCounts[column] = text.count
        } else {
            lastCounts[column] = -1
        }
        lastIDs[column] = found
        return found
    }

    /// The pack: the texts, the count of lines, the lines.
    func finish() -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(body.count + strings.count * 12 + 16)
        Varint.append(UInt64(strings.count), to: &data)
        for id in 0..<Int32(strings.count) {
            let bytes = strings.bytes(id)
            Varint.append(UInt64(bytes.count), to: &data)
            data.append(contentsOf: bytes)
        }
        Varint.append(UInt64(lines), to: &data)
        data.append(contentsOf: body.bytes)
        return data
    }
}

/// A growing buffer of bytes without an array's checks, for the encoder's many small appends.
struct ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    mutating func removeAll() { count = 0 }

    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        let larger = max(capacity * 2, count + more)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func appendVarint(_ value: UInt64) {
        reserve(10)
        var value = value
        while value >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        base[count] = UInt8(value)
        count += 1
    }
}

/// Reads the lines of one pack (or of an overlay's rows) in order. The texts point into the pack's bytes, which must
/// outlive the cursor; the order id into the cursor's own buffer (`deallocate` when done).
struct PackCursor {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var offset = 0
    private var remaining = 0
    private(set) var strings: [UnsafeBufferPointer<UInt8>] = []
    private var orderBuffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var orderCount = 0
    /// The current line's columns as indexes into `strings` (-1: null).
    private(set) var lineID: Int32 = 0, partner: Int32 = 0, booked: Int32 = 0, shipped: Int32 = -1, sku: Int32 = 0, quantity: Int32 = -1
    private(set) var currency: Int32 = 0, intendedUse: Int32 = 0
    private(set) var amount: Int64 = 0

    init(_ bytes: UnsafeRawBufferPointer) throws {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        end = bytes.count
        orderBuffer = .allocate(capacity: 64)
        do {
            let count = try varint()
            guard count <= UInt64(end) else { throw Self.damaged }
            strings.reserveCapacity(Int(count))
            for _ in 0..<count {
                let length = Int(try varint())
                guard length <= end - offset else { throw Self.damaged }
                strings.append(UnsafeBufferPointer(start: base + offset, count: length))
                offset += length
            }
            remaining = Int(try varint())
        } catch {
            orderBuffer.deallocate()
            throw error
        }
    }

    func deallocate() { orderBuffer.deallocate() }

    static let damaged = WorkspaceError(.damaged, "the workspace holds a pack of booking lines that cannot be read (booking_packs)")

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = base[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift > 63 { break }
        }
        throw Self.damaged
    }

    private mutating func text() throws -> Int32 {
        let index = try varint()
        guard index < UInt64(strings.count) else { throw Self.damaged }
        return Int32(index)
    }

    private mutating func nullableText() throws -> Int32 {
        let index = try varint()
        guard index <= UInt64(strings.count) else { throw Self.damaged }
        return Int32(index) - 1
    }

    var order: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: orderBuffer[0..<orderCount]) }

    /// Moves to the next line; false at the end.
    mutating func next() throws -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        let shared = Int(try varint())
        let suffix = Int(try varint())
        guard shared <= orderCount, suffix <= end - offset else { throw Self.damaged }
        if shared + suffix > orderBuffer.count {
            let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(shared + suffix, orderBuffer.count * 2))
            _ = larger.initialize(from: orderBuffer)
            orderBuffer.deallocate()
            orderBuffer = larger
        }
        for index in 0..<suffix { orderBuffer[shared + index] = base[offset + index] }
        offset += suffix
        orderCount = shared + suffix
        lineID = try text()
        partner = try text()
        booked = try text()
        shipped = try nullableText()
        sku = try text()
        quantity = try nullableText()
        let zigzag = try varint()
        amount = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        currency = try text()
        intendedUse = try text()
        return true
    }

    /// The current line's key against (order, line): <0, 0, >0 (SQLite's BINARY order).
    func compare(order other: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>) -> Int {
        let byOrder = TableWriter.compareBytes(order, other)
        return byOrder != 0 ? byOrder : TableWriter.compareBytes(strings[Int(lineID)], line)
    }
}

/// LEB128 varints.
enum Varint {
    static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.append(UInt8(value))
    }

    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
}
