import Foundation
import GRDB
import GRDBSQLite

/// The tables' multiset digests (digest scheme 2) recorded by every change to the data as it is committed, so that a
/// run takes them instead of hashing every row it reads (docs/workspace.md "Digests kept by the changes").
///
/// After change `id` (an import's file, an enrolment), the digests are those after the change before it, plus the rows
/// it added (`added_by = id`), less the versions it retired (`retired_by = id` in the history). They are recorded only
/// when the change before has its digests recorded (by its own change, or by a run that read the data as it knew it),
/// or when it is the workspace's first change and the workspace was created empty by a version that keeps them
/// (`workspace_info.digests_from_empty`): a workspace made by an earlier version takes up the chain at its next run.
enum ImportDigests {
    /// The `workspace_info` key set when a workspace is created: its data was empty before its first change.
    static let fromEmptyKey = "digests_from_empty"

    /// `added`: the multiset digest of the rows the change added, when its writer hashed them (a booking import, as it
    /// read the file); else they are read back (`added_by = id`).
    static func record(_ db: Database, id: Int, added addedDigest: SetDigest? = nil) throws {
        guard let kindText = try String.fetchOne(db, sql: "SELECT kind FROM imports WHERE id = ?", arguments: [id]),
            let kind = DataKind(rawValue: kindText)
        else { return }
        var digests: TableDigests
        if let previous = try Int.fetchOne(db, sql: "SELECT MAX(id) FROM imports WHERE id < ?", arguments: [id]) {
            guard let stored = try TableDigests.stored(db, importID: previous) else { return }
            digests = stored
        } else {
            guard try String.fetchOne(db, sql: "SELECT value FROM workspace_info WHERE key = ?", arguments: [fromEmptyKey]) != nil else { return }
            digests = TableDigests()
        }
        var set = digests[kind]
        let columns = kind.storedColumns.joined(separator: ", ")
        // The versions it added: hashed by its writer (a booking import), or read back.
        if let addedDigest {
            set = set.adding(addedDigest)
        } else {
            set = set.adding(try hashRows(db, kind, sql: "SELECT \(columns) FROM \(kind.table) WHERE added_by = ?", arguments: [id]))
        }
        try Workspace.forEachCanonicalRow(db, kind, sql: "SELECT \(columns) FROM \(kind.table)_history WHERE retired_by = ?", arguments: [id]) {
            set.update($0, sign: -1)
        }
        digests[kind] = set
        try digests.store(db, importID: id)
    }

    /// Canonical CSV lines of rows, handed from the thread that steps SQLite to the one that hashes them.
    private struct Lines: Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
    }

    /// The multiset digest of the rows of `sql` (the stored columns of `kind`): this thread steps SQLite and writes each
    /// row's canonical line, a second one hashes them (the SHA-256 of each line is most of the cost: the first import of
    /// 10,000,000 booking lines hashes them all).
    static func hashRows(_ db: Database, _ kind: DataKind, sql: String, arguments: StatementArguments) throws -> SetDigest {
        // Written by the hashing thread only, read here after it signalled `done`.
        final class Result: @unchecked Sendable {
            var set = SetDigest()
        }
        let queue = BatchQueue<Lines, Int>()
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        let hasher = Thread {
            defer { done.signal() }
            while let lines = queue.take() {
                lines.bytes.withUnsafeBytes { all in
                    var start = 0
                    for end in lines.ends {
                        result.set.update(UnsafeRawBufferPointer(rebasing: all[start..<end]), sign: 1)
                        start = end
                    }
                }
            }
        }
        hasher.start()
        var lines = Lines()
        var failure: (any Error)?
        do {
            let statement = try db.makeStatement(sql: sql)
            try statement.setArguments(arguments)
            let raw = statement.sqliteStatement
            defer { sqlite3_reset(raw) }
            let formats = kind.layout.formats
            while true {
                let code = sqlite3_step(raw)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                CanonicalCSV.appendRow(raw, formats: formats, to: &lines.bytes)
                lines.ends.append(lines.bytes.count)
                if lines.ends.count == 4096 {
                    queue.put(lines)
                    lines = Lines()
                }
            }
            queue.put(lines)
        } catch {
            failure = error
            queue.stop()
        }
        queue.finish(nil)
        done.wait()
        if let failure { throw failure }
        return result.set
    }
}
