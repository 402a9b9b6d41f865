import Foundation
import GRDB
import IncentiveEngine

/// A point in the workspace's past, as given (`--as-known-at`): an import id, or an instant.
public enum KnownAt: Sendable, Hashable, CustomStringConvertible {
    /// Right after this import (an `imports.id`) was committed.
    case importID(Int)
    /// The latest import committed at or before this instant, as the workspace writes instants
    /// (`2026-11-30T10:00:00.000Z`, UTC, milliseconds).
    case instant(String)

    /// Reads `text`: digits are an import id; otherwise an ISO 8601 date-time with its time zone
    /// (`2026-11-30T10:00:00Z`, `2026-11-30T11:00:00.250+01:00`, minutes without seconds too), or a bare date
    /// (`2026-11-30`), which means the end of that day in UTC (`2026-11-30T23:59:59.999Z`).
    /// Returns the problem, in words, when `text` is neither.
    public static func parse(_ text: String) -> Result<KnownAt, KnownAtProblem> {
        let bytes = Array(text.utf8)
        if !bytes.isEmpty && bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard bytes.count <= 18, let id = Int(text) else { return .failure(KnownAtProblem(text, "the import id is too large")) }
            if id == 0 { return .failure(KnownAtProblem(text, "import ids start at 1 (0 is the data before any import)")) }
            return .success(.importID(id))
        }
        guard let milliseconds = Self.milliseconds(bytes) else {
            return .failure(
                KnownAtProblem(
                    text,
                    "expected an import id (a whole number) or an ISO 8601 date-time with its time zone, e.g. 2026-11-30T10:00:00Z, or a date (2026-11-30: the end of that day, UTC)"
                ))
        }
        return .success(.instant(Self.text(milliseconds: milliseconds)))
    }

    public var description: String {
        switch self {
        case .importID(let id): "import \(id)"
        case .instant(let instant): instant
        }
    }

    /// Milliseconds since 1970-01-01T00:00:00Z of an ISO 8601 date or date-time, or nil when malformed.
    static func milliseconds(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count >= 10, let day = Day(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        let dayStart = Int64(day.daysSinceEpoch) * 86_400_000
        if bytes.count == 10 { return dayStart + 86_400_000 - 1 }
        var index = 10
        guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") else { return nil }
        index += 1
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<(index + digits)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += digits
            return value
        }
        func skip(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        guard let hour = number(2), hour < 24, skip(":"), let minute = number(2), minute < 60 else { return nil }
        var second: Int64 = 0, fraction: Int64 = 0
        if skip(":") {
            guard let value = number(2), value < 60 else { return nil }
            second = value
            if skip(".") || skip(",") {
                // Milliseconds: further digits are cut off (an import at .999 is at or before .9999).
                var digits = 0
                while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                    if digits < 3 { fraction = fraction * 10 + Int64(bytes[index] - 0x30) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<max(digits, 3) { fraction *= 10 }
            }
        }
        var offset: Int64 = 0
        guard index < bytes.count else { return nil }  // a time zone is required
        if skip("Z") || skip("z") {
            offset = 0
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), hours < 24 else { return nil }
            _ = skip(":")
            guard let minutes = number(2), minutes < 60 else { return nil }
            offset = sign * (hours * 60 + minutes) * 60_000
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        return dayStart + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset
    }

    /// An instant as the workspace writes it: `2026-11-30T10:00:00.000Z`.
    static func text(milliseconds: Int64) -> String {
        let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        var rest = milliseconds - days * 86_400_000
        let day = Day(daysSinceEpoch: Int32(days))
        let hour = rest / 3_600_000
        rest %= 3_600_000
        let minute = rest / 60_000
        rest %= 60_000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millisecond = rest % 1000
        let milliText = millisecond < 10 ? "00\(millisecond)" : millisecond < 100 ? "0\(millisecond)" : "\(millisecond)"
        return "\(day)T\(two(hour)):\(two(minute)):\(two(rest / 1000)).\(milliText)Z"
    }
}

/// Why a `--as-known-at` value was refused.
public struct KnownAtProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public var message: String

    init(_ value: String, _ message: String) {
        self.value = value
        self.message = message
    }

    public var description: String { message }
}

/// A point of the workspace's past, resolved: the data as known right after import `importID`, and the
/// program versions added at or before `moment`.
public struct KnownPoint: Sendable, Hashable {
    /// The import (an `imports.id`, 1 or more) whose committed state the data is read at.
    public var importID: Int
    /// When that import was committed (`imports.imported_at`).
    public var importedAt: String
    /// What that import was: a file's name, or an enrolment change.
    public var importFile: String
    /// Program versions added at or before this instant are known (the import's time, or the instant given).
    public var moment: String
    /// Exact program versions to use instead of those of `moment` (a run's, when it is reproduced).
    public var programVersions: [ProgramKey]?

    /// A program version: its id and number.
    public struct ProgramKey: Sendable, Hashable {
        public var id: String
        public var version: Int

        public init(id: String, version: Int) {
            self.id = id
            self.version = version
        }
    }

    public init(importID: Int, importedAt: String, importFile: String, moment: String, programVersions: [ProgramKey]? = nil) {
        self.importID = importID
        self.importedAt = importedAt
        self.importFile = importFile
        self.moment = moment
        self.programVersions = programVersions
    }

    /// `import 3 (bookings.csv, 2026-11-30T10:00:00.000Z)`.
    public var label: String { "import \(importID) (\(importFile), \(importedAt))" }
}

/// The tables' rows as known at an import: each current row brought by that import or an earlier one, and
/// each superseded version that was brought by then and superseded after (the design's UNION read).
enum KnownRows {
    /// The table's columns, without `added_by`.
    static func columns(_ kind: DataKind) -> [String] { kind.storedColumns }

    /// A subquery giving the rows of `kind` as known right after import `known`, with the table's columns.
    static func source(_ kind: DataKind, known: Int) -> String {
        let columns = columns(kind).joined(separator: ", ")
        return """
            (SELECT \(columns) FROM \(kind.table) WHERE added_by <= \(known) \
            UNION ALL SELECT \(columns) FROM \(kind.table)_history WHERE added_by <= \(known) AND retired_by > \(known))
            """
    }

    /// Where a read of `kind` takes its rows: the table itself (`point` nil), or its rows as known then.
    static func from(_ kind: DataKind, _ point: KnownPoint?) -> String {
        guard let point else { return kind.table }
        return source(kind, known: point.importID)
    }

    /// `layout.select` of `kind` over its rows as known at `point`.
    static func select(_ kind: DataKind, _ point: KnownPoint?) -> String {
        guard point != nil else { return kind.layout.select }
        let order = TableWriter.columns(kind).keys.joined(separator: ", ")
        return "SELECT \(kind.storedColumns.joined(separator: ", ")) FROM \(from(kind, point)) ORDER BY \(order)"
    }
}

extension ProgramStore {
    /// The latest version of every program added at or before `moment`, sorted by id.
    static func latest(_ db: Database, at moment: String) throws -> [ProgramVersion] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(columns) FROM program_versions AS p
                WHERE version = (SELECT MAX(version) FROM program_versions WHERE program_id = p.program_id AND added_at <= ?)
                ORDER BY program_id
                """, arguments: [moment]
        ).map(ProgramVersion.init(row:))
    }

    /// The program versions a read at `point` sees: its exact versions, or the latest of its moment.
    static func versions(_ db: Database, at point: KnownPoint) throws -> [ProgramVersion] {
        guard let keys = point.programVersions else { return try latest(db, at: point.moment) }
        return try keys.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }.map { key in
            guard let version = try ProgramStore.version(db, id: key.id, version: key.version) else {
                throw WorkspaceError(.damaged, "\(key.id) v\(key.version) is missing from the workspace")
            }
            return version
        }
    }
}

extension Workspace {
    /// The largest import id committed in `db`'s snapshot (0: none yet).
    static func lastImport(_ db: Database) throws -> Int {
        try Int.fetchOne(cached: db, sql: "SELECT COALESCE(MAX(id), 0) FROM imports") ?? 0
    }

    /// Resolves `knownAt` against the import log: an import id that exists, or the latest import committed at or
    /// before an instant. Refused (`.notFound`) for an unknown import id and for an instant before the first import.
    public func resolve(_ knownAt: KnownAt) throws(WorkspaceError) -> KnownPoint {
        do {
            return try pool.read { db in try Self.resolve(knownAt, db) }
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw WorkspaceError(.failed, "reading the workspace failed: \(error)")
        }
    }

    static func resolve(_ knownAt: KnownAt, _ db: Database) throws -> KnownPoint {
        let range = try Row.fetchOne(db, sql: "SELECT MIN(id), MAX(id), MIN(imported_at) FROM imports")
        let first: Int? = range?[0], last: Int? = range?[1], firstAt: String? = range?[2]
        switch knownAt {
        case .importID(let id):
            guard let row = try Row.fetchOne(db, sql: "SELECT imported_at, file_name FROM imports WHERE id = ?", arguments: [id]) else {
                guard let first, let last else { throw WorkspaceError(.notFound, "no import \(id) in the workspace (it has no imports yet)") }
                throw WorkspaceError(.notFound, "no import \(id) in the workspace (imports are \(first) to \(last))")
            }
            return KnownPoint(importID: id, importedAt: row[0], importFile: row[1], moment: row[0])
        case .instant(let instant):
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, imported_at, file_name FROM imports WHERE imported_at <= ? ORDER BY id DESC LIMIT 1", arguments: [instant])
            else {
                guard let firstAt else { throw WorkspaceError(.notFound, "nothing was imported by \(instant) (the workspace has no imports yet)") }
                throw WorkspaceError(.notFound, "nothing was imported by \(instant): the first import is at \(firstAt)")
            }
            return KnownPoint(importID: row[0], importedAt: row[1], importFile: row[2], moment: instant)
        }
    }
}
