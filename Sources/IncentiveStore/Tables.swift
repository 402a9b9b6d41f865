import GRDB
import GRDBSQLite
import IncentiveEngine

/// The kinds of data a workspace holds: one per file of a dataset folder (formats.md §1).
public enum DataKind: String, Sendable, CaseIterable {
    case partners, tiers, credentials, csat, services, enrollments, products, fx, bookings

    /// Order of an import or export of a whole folder: partners before what refers to them.
    public static let importOrder: [DataKind] = [.partners, .tiers, .products, .credentials, .csat, .services, .enrollments, .fx, .bookings]

    /// A kind added after the first dataset format (the tier history of formats.md §5.5): a folder need
    /// not have its file, and while the workspace holds none of its rows it is left out of exports and
    /// of the data digest, so that the digests of workspaces without it are what they were.
    public var isOptional: Bool { self == .tiers }

    public var fileName: String { "\(rawValue).csv" }

    /// The columns of the file, as `export` writes them.
    public var header: [String] { layout.header }

    var table: String { self == .fx ? "fx_rates" : rawValue }

    /// How a column's stored value is written back as CSV text.
    enum Format { case text, optionalText, flag, cents, micros }

    /// The columns of the file in order, each with how it is written back. A `cents` or `micros` column
    /// is stored as a whole number under its name with that suffix (`amount_cents`); the others under their name.
    var columns: [(name: String, format: Format)] {
        switch self {
        case .partners: [("partner_id", .text), ("name", .text), ("country", .text), ("tier", .text), ("provider", .flag)]
        case .tiers: [("partner_id", .text), ("tier", .text), ("valid_from", .text)]
        case .credentials: [("partner_id", .text), ("credential", .text), ("achieved_on", .text), ("expires_on", .optionalText)]
        case .csat: [("partner_id", .text), ("survey_id", .text), ("submitted_on", .text)]
        case .services: [("partner_id", .text), ("service", .text), ("strategic", .flag), ("active_from", .text), ("active_until", .optionalText)]
        case .enrollments: [("partner_id", .text), ("program", .text), ("subtrack", .text), ("enrolled_on", .text)]
        case .products: [("sku", .text), ("description", .optionalText), ("family", .optionalText)]
        case .fx: [("currency", .text), ("valid_from", .text), ("rate", .micros)]
        case .bookings:
            [
                ("order_id", .text), ("line", .text), ("partner_id", .text), ("booked_on", .text), ("shipped_on", .optionalText), ("sku", .text),
                ("quantity", .optionalText), ("amount", .cents), ("currency", .text), ("intended_use", .optionalText),
            ]
        }
    }

    /// The stored columns of `columns`, in their order.
    var storedColumns: [String] {
        columns.map { column in
            switch column.format {
            case .cents: "\(column.name)_cents"
            case .micros: "\(column.name)_micros"
            case .text, .optionalText, .flag: column.name
            }
        }
    }

    /// The CSV header, the SELECT giving those columns in key order (the order of the table's key,
    /// `TableWriter.columns`), and each column's format.
    var layout: (header: [String], select: String, formats: [Format]) {
        let order = TableWriter.columns(self).keys.joined(separator: ", ")
        return (
            columns.map(\.name), "SELECT \(storedColumns.joined(separator: ", ")) FROM \(table) ORDER BY \(order)", columns.map(\.format)
        )
    }
}

/// Writes stored rows back as the CSV of formats.md: the bytes that `export` writes and that the
/// data digest of a run is computed over, so both mean the same thing.
enum CanonicalCSV {
    static func appendHeader(_ header: [String], to buffer: inout [UInt8]) {
        buffer.append(contentsOf: header.joined(separator: ",").utf8)
        buffer.append(0x0A)
    }

    /// Appends the current row of `statement` as one CSV line.
    static func appendRow(_ statement: SQLiteStatement, formats: [DataKind.Format], to buffer: inout [UInt8]) {
        for (index, format) in formats.enumerated() {
            if index > 0 { buffer.append(0x2C) }
            let column = Int32(index)
            if sqlite3_column_type(statement, column) == SQLITE_NULL { continue }
            switch format {
            case .text, .optionalText:
                appendField(text(statement, column), to: &buffer)
            case .flag:
                buffer.append(contentsOf: sqlite3_column_int64(statement, column) != 0 ? Array("true".utf8) : Array("false".utf8))
            case .cents:
                appendDecimal(sqlite3_column_int64(statement, column), scale: 2, trim: false, to: &buffer)
            case .micros:
                appendDecimal(sqlite3_column_int64(statement, column), scale: 6, trim: true, to: &buffer)
            }
        }
        buffer.append(0x0A)
    }

    /// Appends a booking line as `export` writes it: its ten stored columns in order (`order_id` ... `intended_use`), the
    /// amount (column 7) from `amount`, a column whose bit is set in `nulls` left empty.
    static func appendBookingLine(_ columns: [UnsafeBufferPointer<UInt8>], nulls: UInt16, amount: Int64, to buffer: inout [UInt8]) {
        for column in 0..<10 {
            if column > 0 { buffer.append(0x2C) }
            if column == 7 {
                appendDecimal(amount, scale: 2, trim: false, to: &buffer)
            } else if nulls & (1 << column) == 0 {
                appendField(columns[column], to: &buffer)
            }
        }
        buffer.append(0x0A)
    }

    /// The column's text as bytes owned by SQLite (valid until the next step).
    static func text(_ statement: SQLiteStatement, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let pointer = sqlite3_column_text(statement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// RFC 4180: quoted only when it holds a comma, a quote or a line break.
    static func appendField<Sink: ByteSinking>(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout Sink) {
        var needsQuotes = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        if !needsQuotes {
            buffer.put(bytes)
            return
        }
        buffer.put(0x22)
        for byte in bytes {
            if byte == 0x22 { buffer.put(0x22) }
            buffer.put(byte)
        }
        buffer.put(0x22)
    }

    /// `units / 10^scale` as a plain decimal; with `trim`, trailing zeros of the fraction are dropped.
    static func appendDecimal<Sink: ByteSinking>(_ units: Int64, scale: Int, trim: Bool, to buffer: inout Sink) {
        var divisor: UInt64 = 1
        for _ in 0..<scale { divisor *= 10 }
        if units < 0 { buffer.put(0x2D) }
        let magnitude = units.magnitude
        appendDigits(magnitude / divisor, minimum: 1, to: &buffer)
        var fraction = magnitude % divisor
        var digits = scale
        if trim {
            while digits > 0 && fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
        }
        if digits > 0 {
            buffer.put(0x2E)
            appendDigits(fraction, minimum: digits, to: &buffer)
        }
    }

    static func appendDigits<Sink: ByteSinking>(_ value: UInt64, minimum: Int, to buffer: inout Sink) {
        // Digits right to left into a small stack buffer, then appended in order.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { scratch in
            var position = 24
            var rest = value
            repeat {
                position -= 1
                scratch[position] = 0x30 + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            while 24 - position < minimum {
                position -= 1
                scratch[position] = 0x30
            }
            buffer.put(UnsafeBufferPointer(rebasing: scratch[position..<24]))
        }
    }

    /// Appends `day` as `YYYY-MM-DD`.
    static func appendDay(_ day: Day, to buffer: inout [UInt8]) {
        let (year, month, dayOfMonth) = day.components
        appendDigits(UInt64(max(year, 0)), minimum: 4, to: &buffer)
        buffer.append(0x2D)
        appendDigits(UInt64(month), minimum: 2, to: &buffer)
        buffer.append(0x2D)
        appendDigits(UInt64(dayOfMonth), minimum: 2, to: &buffer)
    }
}

/// Where `CanonicalCSV` writes: a growing array (an export's text), or room made beforehand (`PointerSink`).
protocol ByteSinking {
    mutating func put(_ byte: UInt8)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: ByteSinking where Element == UInt8 {
    @inline(__always) mutating func put(_ byte: UInt8) { append(byte) }
    @inline(__always) mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// Bytes written from `base` on into room the caller made large enough: no check of the room, no growth, no
/// copy-on-write check per write, as an array's appends have (about 1 s of the first import's reading thread at
/// 10,000,000 lines, in the text of each booking line hashed, `LineHasher`).
struct PointerSink: ByteSinking {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always) mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always) mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let start = bytes.baseAddress { (base + count).update(from: start, count: bytes.count) }
        count += bytes.count
    }

    var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
