import Foundation
import IncentiveEngine

/// `runs diff --format json`: everything the text says, in full (every changed row and booking line).
public enum RunDiffJSON {
    struct Document: Encodable {
        var before: RunDocument
        var after: RunDocument
        var currency: String
        var programs: [ProgramDocument]
        var dataChanged: Bool
        var imports: [ImportDocument]
        var rows: [RowDocument]
        var bookingLines: LinesDocument?
    }

    struct RunDocument: Encodable {
        var run: Int
        var startedAt: String
        var knownImport: Int?
        var dataDigest: String
        var inputsDigest: String
        var amount: String
        var missedAmount: String
    }

    struct ProgramDocument: Encodable {
        var id: String
        var before: Int?
        var after: Int?
        var changes: [String]
    }

    struct ImportDocument: Encodable {
        var kind: String
        var file: String
        var digest: String
        var rows: Int
        var added: Int
        var changed: Int
        var unchanged: Int
    }

    struct RowDocument: Encodable {
        var program: String
        var partnerID: String
        var item: String
        var change: String
        var before: RowValues?
        var after: RowValues?
        var checksFlipped: [FlipDocument]
    }

    struct RowValues: Encodable {
        var qualifyingVolume: String
        var threshold: String
        var eligible: Bool
        var amount: String
        var missedAmount: String

        init(_ row: ResultRow) {
            qualifyingVolume = row.qualifyingVolume.plainText
            threshold = row.threshold.plainText
            eligible = row.eligible
            amount = row.amount.plainText
            missedAmount = row.missedAmount.plainText
        }
    }

    struct FlipDocument: Encodable {
        var code: String
        var before: Bool?
        var after: Bool?
        var explanation: String
    }

    struct LinesDocument: Encodable {
        var fromImport: Int
        var toImport: Int
        var historyRecorded: Bool
        var changed: Int
        var added: Int
        var retired: Int
        var lines: [LineDocument]
    }

    struct LineDocument: Encodable {
        var orderID: String
        var line: String
        var change: String
        var partnerID: String
        var importID: Int
        var importFile: String
        var importedAt: String
        var columns: [ColumnDocument]
        var before: [String: String?]?
        var after: [String: String?]?
    }

    /// A changed column of a booking line, as JSON: both values always there, null when empty (also the
    /// server's `GET /runs/{id}/changed-lines`).
    public struct ColumnDocument: Encodable, Sendable {
        public var name: String
        public var before: String?
        public var after: String?

        public init(name: String, before: String?, after: String?) {
            self.name = name
            self.before = before
            self.after = after
        }

        public func encode(to encoder: any Encoder) throws {
            // Both values always present, null when empty.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(before, forKey: .before)
            try container.encode(after, forKey: .after)
        }

        enum CodingKeys: String, CodingKey { case name, before, after }
    }

    static func run(_ summary: RunSummary) -> RunDocument {
        RunDocument(
            run: summary.id, startedAt: summary.startedAt, knownImport: summary.knownImport, dataDigest: summary.dataDigest,
            inputsDigest: summary.inputsDigest, amount: summary.amount.plainText, missedAmount: summary.missedAmount.plainText)
    }

    static func values(_ values: BookingValues?) -> [String: String?]? {
        guard let values else { return nil }
        var document: [String: String?] = [:]
        for (name, value) in zip(BookingValues.columns, values.values) { document[name] = .some(value) }
        return document
    }

    /// Pretty-printed JSON with sorted keys, snake_case names.
    public static func render(_ diff: RunDiff) -> String {
        let document = Document(
            before: run(diff.before), after: run(diff.after), currency: diff.currency,
            programs: diff.programs.map { ProgramDocument(id: $0.id, before: $0.before, after: $0.after, changes: $0.changes) },
            dataChanged: diff.dataChanged,
            imports: diff.imports.map {
                ImportDocument(
                    kind: $0.kind.rawValue, file: $0.file, digest: $0.digest, rows: $0.rows, added: $0.added, changed: $0.changed,
                    unchanged: $0.unchanged)
            },
            rows: diff.rows.map { change in
                RowDocument(
                    program: change.program, partnerID: change.partnerID, item: change.item, change: change.kind,
                    before: change.before.map(RowValues.init), after: change.after.map(RowValues.init),
                    checksFlipped: change.flips.map { FlipDocument(code: $0.code, before: $0.before, after: $0.after, explanation: $0.explanation) })
            },
            bookingLines: diff.lines.map { changes in
                LinesDocument(
                    fromImport: changes.fromImport, toImport: changes.toImport, historyRecorded: changes.recorded, changed: changes.changed,
                    added: changes.added, retired: changes.retired,
                    lines: changes.lines.map { line in
                        LineDocument(
                            orderID: line.orderID, line: line.line, change: line.kind.rawValue, partnerID: line.partnerID, importID: line.importID,
                            importFile: line.importFile, importedAt: line.importedAt,
                            columns: line.columns.map { ColumnDocument(name: $0.name, before: $0.before, after: $0.after) },
                            before: values(line.before), after: values(line.after))
                    })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
