import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine
import Synchronization

/// One workspace: a single SQLite file (WAL mode, foreign keys on) holding the imported data,
/// the versions of every program definition, the import log and every run with its results.
///
/// Opening never changes a file that is not a workspace or was written by a newer version:
/// the file's header is read first, and migrations run only on our own, older schema.
///
/// Every time it records (an import, a program version, a run, an account change, an expiry compared
/// with now) is read from its `clock`.
public final class Workspace: Sendable {
    /// `PRAGMA application_id` of every workspace: "INCV".
    public static let applicationID: Int32 = 0x494E_4356
    /// How long a writer waits for another process's write to finish before giving up.
    public static let busyTimeout: TimeInterval = 600

    public let path: String
    /// Where "now" comes from for every timestamp the workspace writes or compares.
    public let clock: WallClock
    let pool: DatabasePool
    /// The connections of `snapshotRead` and `statementRead`.
    let quickReaders: QuickReaders
    /// Stored runs' summaries by id, and the program versions they used by "id\0version": neither ever
    /// changes once committed, and a request about one partner would read them again every time (a
    /// summary's paid and missed totals are a sum over all the run's rows).
    let runSummaries = Mutex<[Int: RunSummary]>([:])
    let runPrograms = Mutex<[String: Program]>([:])
    /// Per stored run (or pair of runs) what the partner lists work out once: overviews, changed partners.
    let runLists = RunListCache()
    /// An incremental run is stored anchored when at most this many partners in a hundred changed since the run it
    /// builds on (`AnchoredRuns.largestSharePercent`; the tests set 0 or 100 to take either way).
    let anchoredSharePercent = Atomic<Int>(AnchoredRuns.largestSharePercent)
    /// How many of each program's largest amounts a run keeps (`RunFigures.kept`; the tests set fewer).
    let figuresKept = Atomic<Int>(RunFigures.kept)
    /// How many threads (each with a connection of its own) read every booking line for a run or a computation
    /// (`ParallelBookingsRead`): the active processors, at most 4; the tests set 1, 2 or more.
    let readThreads = Atomic<Int>(ParallelBookingsRead.defaultThreads)
    /// Whether a run takes the digests the changes recorded (`ImportDigests`) instead of hashing every row it reads
    /// (the tests set false to hash).
    let takesRecordedDigests = Atomic<Bool>(true)
    /// What every partner's input shares at one revision (programs, products, exchange rates), so that
    /// a one-partner read reads only that partner's rows.
    let shared = Mutex<SharedInput?>(nil)

    private init(path: String, pool: DatabasePool, clock: WallClock) {
        self.path = path
        self.pool = pool
        self.quickReaders = QuickReaders(path: path)
        self.clock = clock
    }

    /// The current instant as the workspace records it (UTC ISO 8601 with milliseconds).
    func now() -> String { Timestamp.text(clock.now()) }

    /// Where commands look when no `--workspace` is given: `$INCENTIVES_WORKSPACE`, else `./incentives.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["INCENTIVES_WORKSPACE"], !path.isEmpty { return path }
        return "incentives.sqlite"
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "incentives"
        // 64 MiB of page cache for the writer (SQLite's default is 2 MiB): a million-line import touches
        // the bookings index all over, and misses in a small cache made it twice as slow. Readers (up to
        // five at once in a server) read a partner or a page of a list, or stream the bookings in key
        // order, and keep 8 MiB each: with 64 MiB each a server serving 100,000 partners grew past 350 MB.
        configuration.prepareDatabase { db in
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -\(writerCacheKiB)")
            db.add(function: CheckBlobs.wordsDifferFunction())
        }
        return configuration
    }

    /// The writer's page cache, in KiB (above).
    static let writerCacheKiB = 65_536

    /// Creates a new, empty workspace at `path`; fails when a file is already there.
    public static func create(at path: String, clock: WallClock = .system) throws(WorkspaceError) -> Workspace {
        if FileManager.default.fileExists(atPath: path) {
            throw WorkspaceError(
                .conflict, "\(path) already exists; a workspace is only created in a new file", detail: .workspaceExists(path: path))
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            throw WorkspaceError(.notFound, "cannot create \(path): the folder \(directory) does not exist")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration())
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(applicationID)") }
            try Schema.migrator.migrate(pool)
            try pool.writeWithoutTransaction { db in
                try db.execute(
                    sql: "INSERT INTO workspace_info(key, value) VALUES ('created_at', ?), ('created_by', ?), (?, '1')",
                    arguments: [Timestamp.text(clock.now()), "incentives \(Engine.version)", ImportDigests.fromEmptyKey])
                // Move the header (and its application id) into the main file at once.
                try db.checkpoint(.truncate)
            }
            return Workspace(path: path, pool: pool, clock: clock)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw WorkspaceError(.failed, "cannot create a workspace at \(path): \(error)")
        }
    }

    /// Opens the workspace at `path`, upgrading an older schema.
    ///
    /// The applied migrations are first read straight from the file (`appliedMigrations`): a workspace
    /// written by a newer version is refused before any connection that could write to it is opened.
    public static func open(at path: String, clock: WallClock = .system) throws(WorkspaceError) -> Workspace {
        try checkHeader(path)
        let applied = try appliedMigrations(path)
        let known = Set(Schema.migrator.migrations)
        if !applied.isSubset(of: known) { throw newerSchema(path) }
        let complete = known.isSubset(of: applied)
        do {
            let pool = try openPool(path)
            // The file may have been read before a newer version's changes were checkpointed into it.
            if try pool.read({ db in try Schema.migrator.hasBeenSuperseded(db) }) { throw newerSchema(path) }
            if !complete { try Schema.migrator.migrate(pool) }
            return Workspace(path: path, pool: pool, clock: clock)
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw WorkspaceError(Self.isBusy(error) ? .busy : .failed, "cannot open the workspace \(path): \(error)")
        }
    }

    /// The pool of an existing workspace. Its writer puts the file in WAL mode as it opens; while another process
    /// writes the file in rollback-journal mode (its first import, `writeTransaction(bulk:)`), SQLite refuses that
    /// change at once instead of waiting, so the opening is tried again until the other write ends (`busyTimeout`).
    static func openPool(_ path: String) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration())
            } catch let error where isBusy(error) && Date() < deadline {
                usleep(20_000)
            }
        }
    }

    static func newerSchema(_ path: String) -> WorkspaceError {
        WorkspaceError(
            .newerSchema,
            "\(path) was written by a newer version of incentives (its schema has changes this version \(Engine.version) does not know); use a newer incentives; nothing was changed"
        )
    }

    /// Whether SQLite gave up waiting for another connection's lock.
    static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    /// The migrations recorded in the file, read with SQLite's `immutable` flag: no lock, no journal or
    /// WAL file is created, nothing is written (unless a rollback journal lies beside the file: below).
    static func appliedMigrations(_ path: String) throws(WorkspaceError) -> Set<String> {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        // A rollback journal beside the file (`writeTransaction(bulk:)`): a write in progress, or one whose process
        // died. The file itself may hold half of that write, so it is read through an ordinary connection, which
        // waits for the writer or plays the journal back (any SQLite does that; it changes nothing of the schema).
        let journal = FileManager.default.fileExists(atPath: path + "-journal")
        let uri = "file:\(path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path)" + (journal ? "" : "?immutable=1")
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        let flags = (journal ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI
        guard sqlite3_open_v2(uri, &handle, flags, nil) == SQLITE_OK else {
            throw WorkspaceError(.failed, "cannot read the workspace \(path): \(handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open")")
        }
        if journal { sqlite3_busy_timeout(handle, Int32(busyTimeout * 1000)) }
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, "SELECT identifier FROM grdb_migrations", -1, &statement, nil) == SQLITE_OK else {
            // A workspace whose creation was interrupted before its first migration: it has none.
            return []
        }
        var identifiers: Set<String> = []
        while sqlite3_step(statement) == SQLITE_ROW {
            if let text = sqlite3_column_text(statement, 0) { identifiers.insert(String(cString: text)) }
        }
        return identifiers
    }

    /// Reads the first 100 bytes: a SQLite header with our application id, or an error that touches nothing.
    static func checkHeader(_ path: String) throws(WorkspaceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WorkspaceError(.notFound, "no workspace at \(path)", detail: .noWorkspace(path: path))
        }
        if isDirectory.boolValue { throw WorkspaceError(.notAWorkspace, "\(path) is a folder, not a workspace file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw WorkspaceError(.failed, "cannot read \(path)") }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        guard header.count == 100, header.starts(with: Array("SQLite format 3\u{0}".utf8)) else {
            throw WorkspaceError(.notAWorkspace, "\(path) is not an incentives workspace (not a SQLite database); nothing was changed")
        }
        let id = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Int32(bitPattern: id) == applicationID else {
            throw WorkspaceError(.notAWorkspace, "\(path) is a SQLite database but not an incentives workspace; nothing was changed")
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: it waits for other writers, and everything it wrote
    /// is rolled back when it throws. A wait longer than `busyTimeout` is a `WorkspaceError` `.busy`.
    ///
    /// - Parameter changesData: whether the transaction changes what results are computed from; it then
    ///   moves the workspace's revision on (sessions and tokens do not).
    func writeTransaction<T>(changesData: Bool = true, _ body: (Database) throws -> T) throws -> T {
        do {
            return try immediateTransaction(changesData: changesData, body)
        } catch let error where Self.isBusy(error) {
            throw Self.busyError
        }
    }

    /// A write that waited longer than `busyTimeout` for another.
    static var busyError: WorkspaceError {
        WorkspaceError(.busy, "the workspace is busy: another change held it for more than \(Int(busyTimeout)) seconds; nothing was changed")
    }

    private func immediateTransaction<T>(changesData: Bool, _ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in try Self.immediateTransaction(db, changesData: changesData, body) }
    }

    /// `writeTransaction` for many small statements that each insert several rows (a run's results, 32 rows to an
    /// `INSERT`): their statement journals are kept in memory.
    ///
    /// A statement that writes several rows into a table with foreign keys may fail after its first rows, so SQLite
    /// keeps a statement journal for it (the pages it changed, to undo it alone), and writes it to a temporary file
    /// once it passes 64 KiB. A full run at 100,000 partners wrote 992 MB that way (484,104 writes of a page each), all
    /// of it copied into the kernel and thrown away. With `temp_store` at MEMORY when the transaction begins, the journals
    /// stay in memory (a statement's: some 30 pages). Only for this: an import's index builds sort in temporary files,
    /// which in memory would hold the whole index.
    func writeTransaction<T>(journalsInMemory: Bool, _ body: (Database) throws -> T) throws -> T {
        guard journalsInMemory else { return try writeTransaction(body) }
        do {
            return try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                defer { try? db.execute(sql: "PRAGMA temp_store = DEFAULT") }
                return try Self.immediateTransaction(db, changesData: true, body)
            }
        } catch let error where Self.isBusy(error) {
            throw Self.busyError
        }
    }

    private static func immediateTransaction<T>(_ db: Database, changesData: Bool, _ body: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inTransaction(.immediate) {
            result = try body(db)
            if changesData {
                try db.execute(
                    sql: """
                        INSERT INTO workspace_info(key, value) VALUES ('revision', '1')
                        ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                        """)
            }
            return .commit
        }
        return result!
    }

    /// `writeTransaction`, when `bulk`, for a write that makes the file much larger (the first import of millions of booking
    /// lines): when no other connection has the file open, the transaction runs in SQLite's rollback-journal mode
    /// and the file goes back to WAL mode after it.
    ///
    /// In WAL mode every page written goes to the WAL first and is copied into the database file by the checkpoint
    /// after the commit: 1.2 GB twice for 10,000,000 lines. A rollback journal keeps a copy of the pages that
    /// existed before the transaction only (the pages appended at the end of the file need none: a rollback cuts
    /// the file back to its old size), so the new pages are written once. Atomicity is the same: a process killed
    /// in the middle leaves a "hot" journal that the next connection to open the file plays back (`appliedMigrations`
    /// does so before reading the file).
    ///
    /// Leaving WAL mode needs the file to itself: with any other connection open (a server, another command), the
    /// attempt fails at once and the transaction runs in WAL mode as usual. A process that opens the file during
    /// the transaction waits for it (`busyTimeout`), as it would for any writer.
    ///
    /// SQLite's check of each row's foreign keys is off for the transaction (`PRAGMA foreign_keys`, set on the connection
    /// before it begins): for 10,000,000 booking lines, looking up each line's partner cost about 15 s. The references
    /// are checked once at the end instead, before the commit (`checkReferences`); a row that refers to nothing makes
    /// the transaction roll back, as SQLite's own check would have.
    func writeTransaction<T>(bulk: Bool, _ body: (Database) throws -> T) throws -> T {
        guard bulk else { return try writeTransaction(body) }
        // This process's idle readers hold the file open too (opening reads the schema through one).
        pool.releaseMemory()
        do {
            return try pool.writeWithoutTransaction { db in
                let alone = Self.leaveWAL(db)
                defer { if alone { Self.returnToWAL(db) } }
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                return try Self.immediateTransaction(db, changesData: true) { db in
                    let result = try body(db)
                    try Self.checkReferences(db)
                    return result
                }
            }
        } catch let error where Self.isBusy(error) {
            throw Self.busyError
        }
    }

    /// Every foreign key of the file, checked at once (a transaction that wrote with SQLite's checks off): a
    /// `WorkspaceError` naming the first row that refers to nothing. A reference to a partner is checked per distinct
    /// partner id, each looked up once (for 10,000,000 booking lines, 1.3 s with the ids read from the whole partner
    /// index, against 4 s for `PRAGMA foreign_key_check` and 15 s for the check row by row; 0.45-0.48 s with the ids
    /// found by a seek each, below); any other reference by `PRAGMA foreign_key_check`.
    static func checkReferences(_ db: Database) throws {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        for table in tables {
            let keys = try Row.fetchAll(db, sql: "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?)", arguments: [table])
            if keys.isEmpty { continue }
            if keys.allSatisfy({ ($0[0] as String) == "partners" && ($0[2] as String?) == "partner_id" }) {
                for column in Set(keys.map { $0[1] as String }).sorted() {
                    // With an index that begins with the column, from one partner id to the next by a seek each (the
                    // index's entries of a partner are stepped over): 100,000 seeks instead of reading the 10,000,000
                    // entries of `bookings_by_partner`.
                    let indexed =
                        try Bool.fetchOne(
                            db,
                            sql: """
                                SELECT EXISTS (SELECT 1 FROM pragma_index_list(?1) l, pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name = ?2)
                                """, arguments: [table, column]) ?? false
                    let ids =
                        indexed
                        ? """
                        WITH RECURSIVE c(id) AS (
                            SELECT MIN(\(column)) FROM \(table)
                            UNION ALL
                            SELECT (SELECT MIN(\(column)) FROM \(table) WHERE \(column) > c.id) FROM c WHERE c.id IS NOT NULL
                        )
                        """
                        : "WITH c(id) AS (SELECT DISTINCT \(column) FROM \(table))"
                    let missing = try String.fetchOne(
                        db,
                        sql: """
                            \(ids)
                            SELECT c.id FROM c WHERE c.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM partners p WHERE p.partner_id = c.id) LIMIT 1
                            """)
                    if let missing {
                        throw WorkspaceError(
                            .failed, "rows of \(table) would refer to partner \(missing), which is not among the partners; nothing was changed")
                    }
                }
            } else if let violation = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check(\(table))") {
                throw WorkspaceError(
                    .failed,
                    "a row of \(table) (rowid \(violation[1] as Int64? ?? 0)) would refer to a missing row of \(violation[2] as String? ?? "?"); nothing was changed"
                )
            }
        }
    }

    /// Puts the file in rollback-journal mode when this is its only connection; false (nothing changed) otherwise.
    static func leaveWAL(_ db: Database) -> Bool {
        // Without waiting: another connection that has the file open does not let go of it for us.
        sqlite3_busy_timeout(db.sqliteConnection, 0)
        defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(busyTimeout * 1000)) }
        return (try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")) == "delete"
    }

    /// Back to WAL mode, as `DatabasePool` opens it (with a WAL file that is not empty, which read-only
    /// connections need to open the file). When another process has meanwhile opened the file, it has put
    /// the file back in WAL mode itself (every workspace connection does as it opens), or will.
    static func returnToWAL(_ db: Database) {
        guard (try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")) == "wal" else { return }
        try? db.execute(sql: "PRAGMA synchronous = NORMAL")
        try? db.inSavepoint {
            try db.execute(sql: "CREATE TABLE wal_marker (id INTEGER PRIMARY KEY); DROP TABLE wal_marker;")
            return .commit
        }
    }

    /// `pool.read` for the reads every request makes (a partner page's, a session's): the same isolation, one
    /// DEFERRED transaction on a read-only connection (`QuickReaders`), but begun and ended with statements each
    /// connection prepares once. GRDB's `read` prepares `BEGIN` and `COMMIT` anew every time, which was 2% of a
    /// partner page.
    func snapshotRead<T>(_ body: (Database) throws -> T) throws -> T {
        try quickReaders.read { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            let value: T
            do {
                value = try body(db)
            } catch {
                try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute()
                throw error
            }
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return value
        }
    }

    /// A read of ONE statement (a single `SELECT` sees one snapshot by itself), without a transaction around it.
    func statementRead<T>(_ body: (Database) throws -> T) throws -> T {
        try quickReaders.read(body)
    }

    /// A number that changes with every committed change of data, programs, enrolments or runs:
    /// anything computed from the workspace may be reused while it stays the same.
    public func revision() throws -> Int {
        try pool.read { db in try Self.revision(db) }
    }

    /// Checks the whole file (`PRAGMA integrity_check`) and foreign keys; empty when sound.
    public func integrityProblems() throws -> [String] {
        try pool.read { db in
            var problems = try String.fetchAll(cached: db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let violations = try Row.fetchAll(cached: db, sql: "PRAGMA foreign_key_check")
            problems += violations.map { "foreign key violation in \($0[0] as String? ?? "?")" }
            return problems
        }
    }
}

/// How the workspace writes an instant: UTC ISO 8601 with milliseconds (`2015-04-30T12:00:00.000Z`), so
/// that timestamps sort as text.
/// The workspace's timestamps: `2026-11-30T11:19:22.314Z`, UTC, to the millisecond.
public enum Timestamp {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    /// What `style` writes (a test compares the two), without the formatter, since every signed-in request asks
    /// for the time (the session's expiry).
    static func text(_ date: Date) -> String {
        // The milliseconds as Foundation takes them: the reference interval's fraction, cut (not rounded).
        let interval = date.timeIntervalSinceReferenceDate
        let whole = interval.rounded(.down)
        guard abs(whole) < 6e10 else { return style.format(date) }  // years 100 to 3900
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(millisecondsSince1970: (Int64(whole) + 978_307_200) * 1000 + Int64(((interval - whole) * 1000).rounded(.down)), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the timestamp of an instant given in milliseconds since 1970 (years 0 to 9999).
    public static func append(millisecondsSince1970 milliseconds: Int64, to bytes: inout [UInt8]) {
        let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let rest = milliseconds - days * 86_400_000
        let (year, month, day) = Day(daysSinceEpoch: Int32(days)).components
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int64(year), 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int64(month), 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int64(day), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(rest / 3_600_000, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(rest / 60_000 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(rest / 1000 % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(rest % 1000, 3)
        bytes.append(UInt8(ascii: "Z"))
    }
}
