import GRDB
import IncentiveEngine

// Row history (issue 16, docs/workspace.md "History"): every change of data is a row of `imports` written
// before the data, whose id the changed rows carry in `added_by`; the tables' triggers (migration
// `v7-row-history`) move every superseded or removed version into `<table>_history` with `retired_by`.

extension Workspace {
    /// Starts a change set: its `imports` row (time and counts filled in by `finishChange`, in the same
    /// transaction) and `writing_import`, which the tables' DELETE triggers record as `retired_by`. Returns its id.
    static func beginChange(_ db: Database, kind: DataKind, fileName: String, digest: String) throws -> Int {
        try db.execute(
            sql: "INSERT INTO imports(imported_at, kind, file_name, digest, rows, added, changed, unchanged) VALUES ('', ?, ?, ?, 0, 0, 0, 0)",
            arguments: [kind.rawValue, fileName, digest])
        let id = Int(db.lastInsertedRowID)
        try setWritingImport(db, id)
        return id
    }

    /// Names `id` as the change that removes rows from now on (`retired_by` of the DELETE triggers).
    static func setWritingImport(_ db: Database, _ id: Int) throws {
        try db.execute(
            sql: "INSERT INTO workspace_info(key, value) VALUES ('writing_import', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [String(id)])
    }

    /// Writes the counts of change set `id`, and its time: `at`, when it was written (just before its commit,
    /// as the import log always recorded it).
    static func finishChange(
        _ db: Database, id: Int, at time: String, rows: Int, added: Int, changed: Int, unchanged: Int, retired: Int,
        addedDigest: SetDigest? = nil
    ) throws {
        try db.execute(
            sql: "UPDATE imports SET imported_at = ?, rows = ?, added = ?, changed = ?, unchanged = ?, retired = ? WHERE id = ?",
            arguments: [time, rows, added, changed, unchanged, retired, id])
        // The data's digests as this change leaves it, for the runs to take (`ImportDigests`).
        try ImportDigests.record(db, id: id, added: addedDigest)
    }

    /// Ends the transaction's changes: no row can be removed outside a change set (the DELETE triggers
    /// refuse while `writing_import` is not set).
    static func endChanges(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM workspace_info WHERE key = 'writing_import'")
    }

    /// `--replace`: removes from the current table of `kind` every row whose key the file (recorded in
    /// `TableWriter.seenTable`) did not hold; the DELETE trigger keeps each in the history with
    /// `retired_by = importID`. A partner still referred to by current rows (or an account) is refused,
    /// named with what refers to it. Returns the number of rows retired.
    static func retireMissing(_ db: Database, kind: DataKind, file: String, importID: Int, collector: inout DiagnosticCollector) throws -> Int {
        let keys = TableWriter.columns(kind).keys
        let seen = TableWriter.seenTable(kind)
        let missing = "NOT EXISTS (SELECT 1 FROM \(seen) s WHERE \(keys.map { "s.\($0) = t.\($0)" }.joined(separator: " AND ")))"
        if kind == .partners {
            let retiring = try String.fetchAll(db, sql: "SELECT partner_id FROM partners t WHERE \(missing) ORDER BY partner_id")
            var refused = false
            for partner in retiring {
                var holders: [String] = []
                for table in ["bookings", "tiers", "credentials", "csat", "services", "enrollments"] {
                    let count = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM \(table) WHERE partner_id = ?", arguments: [partner]) ?? 0
                    if count > 0 { holders.append("\(count) row\(count == 1 ? "" : "s") of \(table)") }
                }
                let accounts = try String.fetchAll(
                    cached: db, sql: "SELECT name FROM users WHERE partner_id = ? ORDER BY name", arguments: [partner])
                if !accounts.isEmpty { holders.append("the account\(accounts.count == 1 ? "" : "s") \(accounts.joined(separator: ", "))") }
                if holders.isEmpty { continue }
                refused = true
                collector.error(
                    file: file, line: nil, column: "partner_id", value: partner,
                    "not in the file, so --replace would retire this partner, but \(holders.joined(separator: ", ")) still refer to it; "
                        + "keep it in the file, or replace those files in the same import (import --dir DIR --replace)")
            }
            if refused { return 0 }
        }
        try setWritingImport(db, importID)
        try db.execute(sql: "DELETE FROM \(kind.table) AS t WHERE \(missing)")
        let retired = db.changesCount
        try db.execute(sql: "DROP TABLE \(seen)")
        return retired
    }
}

/// What an import would do to one kind's rows (a dry run): the first `listLimit` rows of each list, in key
/// order; the counts are the summary's.
public struct ImportPreview: Sendable, Hashable {
    public static let listLimit = 50

    /// One row as the file writes it: its key (the key columns' values joined by `/`: `SO-1/1`) and every
    /// column's value (nil when empty), in the order of `columns`.
    public struct Listed: Sendable, Hashable {
        public var key: String
        public var values: [String?]
    }

    /// A column whose value changes.
    public struct ColumnChange: Sendable, Hashable {
        public var column: String
        public var old: String?
        public var new: String?
    }

    /// A stored row and the columns the import changes.
    public struct Changed: Sendable, Hashable {
        public var key: String
        public var changes: [ColumnChange]
    }

    /// The file's columns (formats.md), as `Listed.values` hold them.
    public var columns: [String]
    public var added: [Listed]
    public var changed: [Changed]
    public var retired: [Listed]

    /// Reads what change set `summary.id` did (inside its transaction): added rows are current rows with
    /// `added_by` = id and no old version, changed ones have both, retired ones only an old version.
    static func of(_ db: Database, _ summary: ImportSummary) throws -> ImportPreview {
        let kind = summary.kind
        let table = kind.table
        let stored = kind.storedColumns
        let formats = kind.columns.map(\.format)
        let keys = TableWriter.columns(kind).keys
        let keyPositions = keys.map { stored.firstIndex(of: $0)! }
        let match = keys.map { "h.\($0) = c.\($0)" }.joined(separator: " AND ")
        let order = keys.map { "\($0)" }.joined(separator: ", ")
        func columns(_ alias: String) -> String { stored.map { "\(alias).\($0)" }.joined(separator: ", ") }
        func listed(_ row: Row, from offset: Int) -> Listed {
            let values = formats.indices.map { index -> String? in
                let value: DatabaseValue = row[offset + index]
                return text(value, formats[index])
            }
            return Listed(key: keyPositions.map { values[$0] ?? "" }.joined(separator: "/"), values: values)
        }
        let limit = listLimit
        var preview = ImportPreview(columns: kind.columns.map(\.name), added: [], changed: [], retired: [])
        if summary.added > 0 {
            let noOld = summary.changed + summary.retired == 0
                ? "" : " AND NOT EXISTS (SELECT 1 FROM \(table)_history h WHERE \(match) AND h.retired_by = ?1)"
            preview.added = try Row.fetchAll(
                db, sql: "SELECT \(columns("c")) FROM \(table) c WHERE c.added_by = ?1\(noOld) ORDER BY \(order) LIMIT \(limit)",
                arguments: [summary.id]
            ).map { listed($0, from: 0) }
        }
        if summary.changed > 0 {
            preview.changed = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns("h")), \(columns("c")) FROM \(table)_history h JOIN \(table) c ON \(match)
                    WHERE h.retired_by = ?1 AND c.added_by = ?1 ORDER BY \(keys.map { "h.\($0)" }.joined(separator: ", ")) LIMIT \(limit)
                    """, arguments: [summary.id]
            ).map { row in
                let old = listed(row, from: 0), new = listed(row, from: stored.count)
                let changes = preview.columns.indices.filter { old.values[$0] != new.values[$0] }.map {
                    ColumnChange(column: preview.columns[$0], old: old.values[$0], new: new.values[$0])
                }
                return Changed(key: new.key, changes: changes)
            }
        }
        if summary.retired > 0 {
            preview.retired = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns("h")) FROM \(table)_history h
                    WHERE h.retired_by = ?1 AND NOT EXISTS (SELECT 1 FROM \(table) c WHERE \(match)) ORDER BY \(keys.map { "h.\($0)" }.joined(separator: ", ")) LIMIT \(limit)
                    """, arguments: [summary.id]
            ).map { listed($0, from: 0) }
        }
        return preview
    }

    /// A stored value as the file writes it (nil when empty).
    static func text(_ value: DatabaseValue, _ format: DataKind.Format) -> String? {
        switch value.storage {
        case .null: return nil
        case .string(let text): return text.isEmpty && format == .optionalText ? nil : text
        case .int64(let number):
            var buffer: [UInt8] = []
            switch format {
            case .flag: return number != 0 ? "true" : "false"
            case .cents: CanonicalCSV.appendDecimal(number, scale: 2, trim: false, to: &buffer)
            case .micros: CanonicalCSV.appendDecimal(number, scale: 6, trim: true, to: &buffer)
            case .text, .optionalText: return String(number)
            }
            return String(decoding: buffer, as: UTF8.self)
        case .double(let number): return "\(number)"
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        }
    }
}

extension Workspace {
    /// How many superseded or removed versions each kind's history table keeps.
    public func historyCounts() throws -> [DataKind: Int] {
        try pool.read { db in
            var counts: [DataKind: Int] = [:]
            for kind in DataKind.allCases {
                counts[kind] = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM \(kind.table)_history") ?? 0
            }
            return counts
        }
    }
}
