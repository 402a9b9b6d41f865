import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine
import Synchronization

/// One version of a booking line's values (all but its key), as `export` writes them (`amount` as `1234.50`).
public struct BookingValues: Sendable, Hashable {
    /// The non-key columns of bookings.csv, in its order: partner_id, booked_on, shipped_on, sku, quantity,
    /// amount, currency, intended_use.
    public static let columns = ["partner_id", "booked_on", "shipped_on", "sku", "quantity", "amount", "currency", "intended_use"]

    /// One value per column of `columns` (nil: empty).
    public var values: [String?]

    public var partnerID: String { values[0] ?? "" }
}

/// A booking line whose data differs between the two runs' inputs.
public struct LineChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Only in the later run's data.
        case added
        /// In both, with other values.
        case changed
        /// Only in the earlier run's data: a `--replace` retired it (or it was never brought back).
        case retired
    }

    /// A column whose value differs.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var before: String?
        public var after: String?
    }

    public var orderID: String
    public var line: String
    public var kind: Kind
    /// The line's values in the earlier run's data (nil: added) and in the later run's (nil: retired).
    public var before: BookingValues?
    public var after: BookingValues?
    /// The import that made the later state: brought the later version, or retired the line.
    public var importID: Int
    public var importFile: String
    public var importedAt: String

    /// The partner the line counts for in the later data (the earlier one's when retired).
    public var partnerID: String { (after ?? before)?.partnerID ?? "" }

    /// The columns that differ (every column with a value, for a line added or retired).
    public var columns: [Column] {
        var columns: [Column] = []
        for (index, name) in BookingValues.columns.enumerated() {
            let old = before?.values[index] ?? nil, new = after?.values[index] ?? nil
            if old != new { columns.append(Column(name: name, before: old, after: new)) }
        }
        return columns
    }
}

/// The booking lines that differ between the data as known at two imports.
public struct LineChanges: Sendable {
    /// The imports the two runs' data is known at (earlier run first), and whether each was recorded
    /// by the run (false: a run stored before the workspace kept history; its import is inferred from its start).
    public var fromImport: Int
    public var toImport: Int
    public var recorded: Bool
    public var lines: [LineChange]

    public var added: Int { lines.count { $0.kind == .added } }
    public var changed: Int { lines.count { $0.kind == .changed } }
    public var retired: Int { lines.count { $0.kind == .retired } }
}

extension Workspace {
    /// The booking lines whose data differs between runs `a` and `b`'s inputs (the data as known at each
    /// run's import), sorted by order id and line; with `partner`, those that count for it in either.
    func lineChanges(_ db: Database, _ a: RunSummary, _ b: RunSummary, partner: String? = nil) throws -> LineChanges {
        let (from, recordedA) = try Self.knownImport(db, of: a)
        let (to, recordedB) = try Self.knownImport(db, of: b)
        var changes = LineChanges(fromImport: from, toImport: to, recorded: recordedA && recordedB, lines: [])
        if from == to { return changes }
        changes.lines = try Self.lineChanges(db, from: from, to: to, partner: partner)
        return changes
    }

    /// The booking lines that differ between the data as known at import `from` and at import `to`.
    static func lineChanges(_ db: Database, from: Int, to: Int, partner: String? = nil) throws -> [LineChange] {
        let (low, high) = (min(from, to), max(from, to))
        // Every line with a version brought or superseded by an import in (low, high].
        let filter = partner == nil ? "" : "AND partner_id = ?"
        let keySQL = """
            SELECT order_id, line FROM bookings WHERE added_by > \(low) AND added_by <= \(high) \(filter)
            UNION SELECT order_id, line FROM bookings_history WHERE added_by > \(low) AND added_by <= \(high) \(filter)
            UNION SELECT order_id, line FROM bookings_history WHERE retired_by > \(low) AND retired_by <= \(high) \(filter)
            ORDER BY order_id, line
            """
        let arguments: StatementArguments = partner.map { [$0, $0, $0] } ?? []
        let keys = try Row.fetchAll(db, sql: keySQL, arguments: arguments).map { ($0[0] as String, $0[1] as String) }
        if keys.isEmpty { return [] }
        let columns = DataKind.bookings.storedColumns.filter { $0 != "order_id" && $0 != "line" }.joined(separator: ", ")
        // The version of one line known at an import: (values, added_by, retired_by), retired_by nil when current.
        let versionSQL = """
            SELECT \(columns), added_by, NULL FROM bookings WHERE order_id = ?1 AND line = ?2 AND added_by <= ?3
            UNION ALL SELECT \(columns), added_by, retired_by FROM bookings_history
            WHERE order_id = ?1 AND line = ?2 AND added_by <= ?3 AND retired_by > ?3
            """
        let version = try db.makeStatement(sql: versionSQL)
        func known(_ key: (String, String), at point: Int) throws -> (values: BookingValues, added: Int, retired: Int?)? {
            guard let row = try Row.fetchOne(version, arguments: [key.0, key.1, point]) else { return nil }
            var values: [String?] = []
            for index in 0..<8 {
                if index == 5 {
                    var buffer: [UInt8] = []
                    CanonicalCSV.appendDecimal(row[index] as Int64, scale: 2, trim: false, to: &buffer)
                    values.append(String(decoding: buffer, as: UTF8.self))
                } else {
                    // Empty and NULL are both an empty field of the CSV.
                    let text: String? = row[index]
                    values.append(text?.isEmpty == false ? text : nil)
                }
            }
            return (BookingValues(values: values), row[8], row[9])
        }
        var imports: [Int: (String, String)] = [:]
        func describe(_ id: Int) throws -> (String, String) {
            if let known = imports[id] { return known }
            let row = try Row.fetchOne(db, sql: "SELECT file_name, imported_at FROM imports WHERE id = ?", arguments: [id])
            let entry = (row?[0] as String? ?? "", row?[1] as String? ?? "")
            imports[id] = entry
            return entry
        }
        var lines: [LineChange] = []
        for key in keys {
            let old = try known(key, at: from), new = try known(key, at: to)
            if old?.values == new?.values { continue }
            // The import in (low, high] that made the later state: brought the version known at `high`, else
            // retired the version known at `low`.
            let atHigh = from < to ? new : old, atLow = from < to ? old : new
            let importID: Int
            if let atHigh, atHigh.added > low {
                importID = atHigh.added
            } else {
                importID = atLow?.retired ?? high
            }
            let (file, time) = try describe(importID)
            let kind: LineChange.Kind = old == nil ? .added : new == nil ? .retired : .changed
            lines.append(
                LineChange(
                    orderID: key.0, line: key.1, kind: kind, before: old?.values, after: new?.values, importID: importID, importFile: file,
                    importedAt: time))
        }
        return lines
    }
}

extension Workspace {
    /// The changed lines of the last few pairs of runs: two stored runs' data never changes, and a server
    /// reads the list a page at a time.
    static let keptLineChanges = Mutex<[String: LineChanges]>([:])

    /// The booking lines whose data differs between runs `first` and `second`'s inputs, kept for the next page.
    /// Worked out once per pair: requests arriving while it is worked out wait for it (a scan of the bookings)
    /// instead of each doing it again.
    public func changedLines(_ first: Int, _ second: Int) throws -> LineChanges {
        let (a, b) = (try runSummary(first), try runSummary(second))
        let key = [path, String(first), a.startedAt, String(second), b.startedAt].joined(separator: "\u{0}")
        if let kept = Self.keptLineChanges.withLock({ $0[key] }) { return kept }
        return try runLists.computing.withLock { _ in
            if let kept = Self.keptLineChanges.withLock({ $0[key] }) { return kept }
            let result = try pool.read { db in try lineChanges(db, a, b) }
            Self.keptLineChanges.withLock { kept in
                if kept.count >= 4 { kept.removeAll() }
                kept[key] = result
            }
            return result
        }
    }
}
