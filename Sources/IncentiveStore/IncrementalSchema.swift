import Crypto
import Foundation
import GRDB
import GRDBSQLite

/// What an incremental run needs (issue 16 point 4, docs/workspace.md "Incremental runs"), migration
/// `v12-incremental-runs`:
///
/// - `import_partners(import_id, partner_id)`: per import, the partners whose rows it added, changed or retired
///   (written by the import in its transaction; an empty partner id stands for every partner: an import into an
///   empty table, which brings everything).
///   Imports logged before the migration have none; `workspace_info` key `import_partners_from` is the first
///   import id that has them.
/// - `data_digests(import_id, table_name, rows, digest)`: the multiset digest of each data table as known right
///   after an import (digest scheme 2), written by the runs that know that import. Append-only.
/// - `runs.digest_scheme` (1: the SHA-256 of the canonical CSV of everything; 2: the SHA-256 of the tables'
///   multiset digests) and `runs.base_run` (the run whose stored results of the unchanged partners an incremental
///   run took; NULL for a full run).
enum IncrementalSchema {
    /// Adds the migration `v12-incremental-runs` (after `v11-statement-indexes`).
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12-incremental-runs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE import_partners (
                        import_id INTEGER NOT NULL REFERENCES imports(id),
                        partner_id TEXT NOT NULL,
                        PRIMARY KEY (import_id, partner_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE data_digests (
                        import_id INTEGER NOT NULL,
                        table_name TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        digest TEXT NOT NULL,
                        PRIMARY KEY (import_id, table_name)
                    ) WITHOUT ROWID;
                    CREATE TRIGGER data_digests_append_only_update BEFORE UPDATE ON data_digests
                    BEGIN SELECT RAISE(ABORT, 'data_digests is append-only'); END;
                    CREATE TRIGGER data_digests_append_only_delete BEFORE DELETE ON data_digests
                    BEGIN SELECT RAISE(ABORT, 'data_digests is append-only'); END;
                    CREATE TRIGGER import_partners_append_only_update BEFORE UPDATE ON import_partners
                    BEGIN SELECT RAISE(ABORT, 'import_partners is append-only'); END;
                    CREATE TRIGGER import_partners_append_only_delete BEFORE DELETE ON import_partners
                    BEGIN SELECT RAISE(ABORT, 'import_partners is append-only'); END;
                    ALTER TABLE runs ADD COLUMN digest_scheme INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE runs ADD COLUMN base_run INTEGER;
                    INSERT INTO workspace_info(key, value) SELECT 'import_partners_from', CAST(COALESCE(MAX(id), 0) + 1 AS TEXT) FROM imports WHERE true
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                    """)
        }
    }

    /// `v14-shared-checks`: `run_rows.checks_of`, the row whose `run_checks` are this row's (NULL: its own). An
    /// incremental run's copied rows name the row of the run that computed them (never a row that itself names
    /// another) instead of copying its checks: 769,327 checks with their explanations, 2 of the 5.5 seconds of an
    /// incremental run at 10,000,000 lines. Rows are never changed or deleted, so the row named stays.
    static func registerSharedChecks(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v14-shared-checks") { db in
            try db.execute(sql: "ALTER TABLE run_rows ADD COLUMN checks_of INTEGER")
        }
    }

    /// `v15-statuses-in-totals`: a run's partners and their statuses are those of `run_partner_totals`, which has
    /// held them (with the amounts) since `v4-run-partner-totals`; runs no longer write them into `run_partners` as
    /// well (300,000 rows a run at 100,000 partners, copied again by every incremental run). `run_partners` keeps the
    /// rows of the runs stored before. `run_partner_tiers` referred to `run_partners`; it is made again, with every
    /// row, referring to `run_partner_totals`.
    static func registerStatusesInTotals(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v15-statuses-in-totals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run_partner_tiers_v15 (
                        run_id INTEGER NOT NULL,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        tier TEXT NOT NULL,
                        taken_on TEXT NOT NULL,
                        valid_from TEXT,
                        PRIMARY KEY (run_id, program_id, partner_id),
                        FOREIGN KEY (run_id, program_id, partner_id)
                            REFERENCES run_partner_totals(run_id, program_id, partner_id) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    INSERT INTO run_partner_tiers_v15(run_id, program_id, partner_id, tier, taken_on, valid_from)
                        SELECT run_id, program_id, partner_id, tier, taken_on, valid_from FROM run_partner_tiers ORDER BY 1, 2, 3;
                    DROP TABLE run_partner_tiers;
                    ALTER TABLE run_partner_tiers_v15 RENAME TO run_partner_tiers;
                    """)
        }
    }

    /// `v16-bookings-bounds`: per bookings import, the largest |amount| of the lines it added or changed and how many
    /// it added (`bookings_bounds`, append-only; import 0 stands for the lines stored before the migration). Their
    /// maximum and sum bound every stored line's amount and the number of lines (lines come in only by imports),
    /// so the check of an import that changes amounts (`checkBookingSums`) no longer scans 10,000,000 lines for them
    /// (0.6–0.9 s).
    static func registerBookingsBounds(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v16-bookings-bounds") { db in
            try db.execute(
                sql: """
                    CREATE TABLE bookings_bounds (
                        import_id INTEGER PRIMARY KEY,
                        largest_amount_cents INTEGER NOT NULL,
                        lines_added INTEGER NOT NULL
                    );
                    INSERT INTO bookings_bounds(import_id, largest_amount_cents, lines_added)
                        SELECT 0, COALESCE(MAX(ABS(amount_cents)), 0), COUNT(*) FROM bookings;
                    CREATE TRIGGER bookings_bounds_append_only_update BEFORE UPDATE ON bookings_bounds
                    BEGIN SELECT RAISE(ABORT, 'bookings_bounds is append-only'); END;
                    CREATE TRIGGER bookings_bounds_append_only_delete BEFORE DELETE ON bookings_bounds
                    BEGIN SELECT RAISE(ABORT, 'bookings_bounds is append-only'); END;
                    """)
        }
    }

    /// Records what a bookings import wrote into `bookings_bounds`.
    static func recordBookingBounds(_ db: Database, importID: Int, largest: Int64, added: Int) throws {
        try db.execute(
            sql: "INSERT INTO bookings_bounds(import_id, largest_amount_cents, lines_added) VALUES (?, ?, ?)", arguments: [importID, largest, added])
    }

    /// The `partner_id` of `import_partners` that stands for every partner (no partner's id is empty).
    static let everyPartner = ""

    /// The kinds whose rows belong to one partner: a change of them changes only that partner's results.
    static let partnerKinds: [DataKind] = [.partners, .tiers, .credentials, .csat, .services, .bookings]

    /// Where `partner_id` is among `TableWriter.columns(kind)`'s keys and values (nil: not a partner's row).
    static func partnerColumn(_ kind: DataKind) -> Int? {
        switch kind {
        case .partners, .tiers, .credentials, .services, .enrollments: 0
        case .csat: 1
        case .bookings: 2
        case .products, .fx: nil
        }
    }

    /// Records the partners import `id` of `kind` touched: `added` (the partners of the rows it added or changed,
    /// collected while writing) and the partners of every version it moved into the history (changed or retired,
    /// found by `retired_by`). `everyPartner`: the table was empty before (recorded as `everyPartner`).
    static func recordPartners(_ db: Database, kind: DataKind, importID id: Int, added: Set<String>, everyPartner: Bool) throws {
        guard partnerColumn(kind) != nil else { return }
        if everyPartner {
            try db.execute(sql: "INSERT OR IGNORE INTO import_partners(import_id, partner_id) VALUES (?, ?)", arguments: [id, Self.everyPartner])
            return
        }
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO import_partners(import_id, partner_id) VALUES (?, ?)")
        for partner in added { try insert.execute(arguments: [id, partner]) }
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO import_partners(import_id, partner_id)
                SELECT DISTINCT ?1, partner_id FROM \(kind.table)_history WHERE retired_by = ?1
                """, arguments: [id])
    }
}

/// A multiset digest (digest scheme 2): the sum modulo 2^256 of the SHA-256 of each canonical CSV row of a table,
/// with the number of rows. Adding a row adds its hash, retiring it subtracts it, so the digest of the data as known
/// at an import follows from an earlier one and the rows changed in between, in any order.
struct SetDigest: Equatable, Sendable {
    /// Most significant first.
    var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var rows = 0

    static func == (a: SetDigest, b: SetDigest) -> Bool { a.hex == b.hex && a.rows == b.rows }

    init() {}

    init?(hex: String, rows: Int) {
        let bytes = Array(hex.utf8)
        guard bytes.count == 64 else { return nil }
        var values: [UInt64] = []
        for part in 0..<4 {
            guard let value = UInt64(String(decoding: bytes[(part * 16)..<(part * 16 + 16)], as: UTF8.self), radix: 16) else { return nil }
            values.append(value)
        }
        limbs = (values[0], values[1], values[2], values[3])
        self.rows = rows
    }

    /// A row's hash as four limbs, most significant first.
    typealias Limbs = (UInt64, UInt64, UInt64, UInt64)

    /// The SHA-256 of one row's bytes, as `update` adds it.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Limbs { limbs(bytes) }

    /// Adds a row whose hash (`hash`) was worked out already.
    mutating func add(_ h: Limbs) {
        var carry: Bool
        (limbs.3, carry) = limbs.3.addingReportingOverflow(h.3)
        (limbs.2, carry) = Self.add(limbs.2, h.2, carry)
        (limbs.1, carry) = Self.add(limbs.1, h.1, carry)
        (limbs.0, _) = Self.add(limbs.0, h.0, carry)
        rows += 1
    }

    private static func limbs(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64) {
        let digest = SHA256.hash(data: bytes)
        var values: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { hash in
            func word(_ at: Int) -> UInt64 {
                var value: UInt64 = 0
                for index in at..<(at + 8) { value = value << 8 | UInt64(hash[index]) }
                return value
            }
            values = (word(0), word(8), word(16), word(24))
        }
        return values
    }

    /// Adds (`sign` 1) or subtracts (`sign` -1) the hash of one row's bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer, sign: Int) {
        let h = Self.limbs(bytes)
        if sign > 0 {
            add(h)
        } else {
            var borrow: Bool
            (limbs.3, borrow) = limbs.3.subtractingReportingOverflow(h.3)
            (limbs.2, borrow) = Self.subtract(limbs.2, h.2, borrow)
            (limbs.1, borrow) = Self.subtract(limbs.1, h.1, borrow)
            (limbs.0, _) = Self.subtract(limbs.0, h.0, borrow)
            rows -= 1
        }
    }

    mutating func update(_ bytes: ArraySlice<UInt8>, sign: Int) {
        bytes.withUnsafeBytes { update($0, sign: sign) }
    }

    /// The digest of both multisets together.
    func adding(_ other: SetDigest) -> SetDigest {
        var sum = self
        var carry: Bool
        (sum.limbs.3, carry) = limbs.3.addingReportingOverflow(other.limbs.3)
        (sum.limbs.2, carry) = Self.add(limbs.2, other.limbs.2, carry)
        (sum.limbs.1, carry) = Self.add(limbs.1, other.limbs.1, carry)
        (sum.limbs.0, _) = Self.add(limbs.0, other.limbs.0, carry)
        sum.rows = rows + other.rows
        return sum
    }

    private static func add(_ a: UInt64, _ b: UInt64, _ carry: Bool) -> (UInt64, Bool) {
        let (sum, first) = a.addingReportingOverflow(b)
        let (total, second) = sum.addingReportingOverflow(carry ? 1 : 0)
        return (total, first || second)
    }

    private static func subtract(_ a: UInt64, _ b: UInt64, _ borrow: Bool) -> (UInt64, Bool) {
        let (difference, first) = a.subtractingReportingOverflow(b)
        let (total, second) = difference.subtractingReportingOverflow(borrow ? 1 : 0)
        return (total, first || second)
    }

    var hex: String {
        func word(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return word(limbs.0) + word(limbs.1) + word(limbs.2) + word(limbs.3)
    }
}

/// The multiset digests of every data table at one import: what digest scheme 2 keeps.
struct TableDigests: Equatable, Sendable {
    var tables: [DataKind: SetDigest] = [:]

    subscript(kind: DataKind) -> SetDigest {
        get { tables[kind] ?? SetDigest() }
        set { tables[kind] = newValue }
    }

    /// The data digest of scheme 2: SHA-256 of one line per table, in import order: `name rows digest`.
    var dataDigest: String {
        var digest = Digest()
        for kind in DataKind.importOrder {
            let set = self[kind]
            digest.update("\(kind.table) \(set.rows) \(set.hex)\n")
        }
        return digest.finalize()
    }

    /// The stored digests at `importID`, or nil when no run recorded them.
    static func stored(_ db: Database, importID: Int) throws -> TableDigests? {
        var result = TableDigests()
        var found = false
        for row in try Row.fetchAll(
            cached: db, sql: "SELECT table_name, rows, digest FROM data_digests WHERE import_id = ?", arguments: [importID])
        {
            let name: String = row[0]
            guard let kind = DataKind.allCases.first(where: { $0.table == name }), let set = SetDigest(hex: row[2], rows: row[1]) else {
                throw WorkspaceError(.damaged, "data_digests holds a malformed row for import \(importID)")
            }
            result[kind] = set
            found = true
        }
        return found ? result : nil
    }

    /// Records the digests at `importID` (left as they are when already recorded: the data as known at an import
    /// never changes, so they are the same).
    func store(_ db: Database, importID: Int) throws {
        for kind in DataKind.importOrder {
            let set = self[kind]
            try db.execute(
                sql: "INSERT OR IGNORE INTO data_digests(import_id, table_name, rows, digest) VALUES (?, ?, ?, ?)",
                arguments: [importID, kind.table, set.rows, set.hex])
        }
    }
}
