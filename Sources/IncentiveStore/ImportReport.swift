import Foundation
import IncentiveEngine

/// How the front ends show an import's summary and, for a dry run, its lists of rows.
public enum ImportReport {
    /// `bookings from FILE: 66 rows (1 added, 1 changed, 64 unchanged[, 2 retired])`.
    public static func counts(_ summary: ImportSummary, retired: Bool) -> String {
        "\(summary.rows) rows (\(summary.added) added, \(summary.changed) changed, \(summary.unchanged) unchanged"
            + (retired ? ", \(summary.retired) retired)" : ")")
    }

    /// A value as a person reads it: `(empty)` for none, control characters escaped.
    public static func shown(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "(empty)" }
        return Diagnostic.escaped(value)
    }

    /// One listed row: `column value, column value, ...` (empty columns left out).
    public static func values(_ row: ImportPreview.Listed, columns: [String]) -> String {
        zip(columns, row.values).compactMap { column, value in value.map { "\(column) \(shown($0))" } }.joined(separator: ", ")
    }

    /// One changed row's changes: `column old -> new; ...`.
    public static func changes(_ row: ImportPreview.Changed) -> String {
        row.changes.map { "\($0.column) \(shown($0.old)) -> \(shown($0.new))" }.joined(separator: "; ")
    }

    /// The lines of a dry run, per file: the counts, then the rows added, changed and retired (the first
    /// `ImportPreview.listLimit` of each, then how many more).
    public static func text(_ outcome: ImportOutcome, replace: Bool) -> String {
        var text = "dry run: nothing was written; the import would do this:\n"
        for file in outcome.files {
            text += "\(file.kind.rawValue) from \(Diagnostic.escaped(file.file)): \(counts(file, retired: replace))\n"
            guard let preview = file.preview else { continue }
            for row in preview.added { text += "  added    \(Diagnostic.escaped(row.key)): \(values(row, columns: preview.columns))\n" }
            if file.added > preview.added.count { text += "  ... and \(file.added - preview.added.count) more added\n" }
            for row in preview.changed { text += "  changed  \(Diagnostic.escaped(row.key)): \(changes(row))\n" }
            if file.changed > preview.changed.count { text += "  ... and \(file.changed - preview.changed.count) more changed\n" }
            for row in preview.retired { text += "  retired  \(Diagnostic.escaped(row.key)): \(values(row, columns: preview.columns))\n" }
            if file.retired > preview.retired.count { text += "  ... and \(file.retired - preview.retired.count) more retired\n" }
        }
        return text
    }

    /// The same as JSON: `{"dry_run": true, "files": [{"kind", "file", "rows", "added", "changed", "unchanged",
    /// "retired", "added_rows", "changed_rows", "retired_rows"}], "warnings": [...]}`; a row is
    /// `{"key", "values": {column: value or null}}`, a changed row `{"key", "changes": [{"column", "old", "new"}]}`.
    public static func json(_ outcome: ImportOutcome) -> String {
        struct File: Encodable {
            var kind: String
            var file: String
            var rows, added, changed, unchanged, retired: Int
            var added_rows: [ListedRow]
            var changed_rows: [ChangedRow]
            var retired_rows: [ListedRow]
        }
        struct Report: Encodable {
            var dry_run: Bool
            var files: [File]
            var warnings: [String]
        }
        let report = Report(
            dry_run: outcome.dryRun,
            files: outcome.files.map { file in
                let rows = listedRows(file)
                return File(
                    kind: file.kind.rawValue, file: file.file, rows: file.rows, added: file.added, changed: file.changed, unchanged: file.unchanged,
                    retired: file.retired, added_rows: rows.added, changed_rows: rows.changed, retired_rows: rows.retired)
            },
            warnings: outcome.warnings.lines(severity: .warning))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// A row of a dry run's lists as JSON: `{"key", "values": {column: value or null}}`.
    public struct ListedRow: Encodable, Sendable {
        public var key: String
        public var values: [String: String?]
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(key, forKey: Key("key"))
            var nested = container.nestedContainer(keyedBy: Key.self, forKey: Key("values"))
            for (column, value) in values { try nested.encode(value, forKey: Key(column)) }
        }
    }

    /// A changed row as JSON: `{"key", "changes": [{"column", "old", "new"}]}`.
    public struct ChangedRow: Encodable, Sendable {
        public struct Change: Encodable, Sendable {
            public var column: String
            public var old: String?
            public var new: String?
            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(column, forKey: Key("column"))
                try container.encode(old, forKey: Key("old"))
                try container.encode(new, forKey: Key("new"))
            }
        }
        public var key: String
        public var changes: [Change]
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The rows a dry run lists for one file (empty lists for an import that was not a dry run).
    public static func listedRows(_ file: ImportSummary) -> (added: [ListedRow], changed: [ChangedRow], retired: [ListedRow]) {
        guard let preview = file.preview else { return ([], [], []) }
        func listed(_ row: ImportPreview.Listed) -> ListedRow {
            ListedRow(key: row.key, values: Dictionary(uniqueKeysWithValues: zip(preview.columns, row.values)))
        }
        return (
            preview.added.map(listed),
            preview.changed.map { row in
                ChangedRow(key: row.key, changes: row.changes.map { ChangedRow.Change(column: $0.column, old: $0.old, new: $0.new) })
            },
            preview.retired.map(listed)
        )
    }
}
