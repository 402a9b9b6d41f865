import GRDB
import GRDBSQLite
import IncentiveEngine

/// Reads through SQLite statements prepared once per connection and kept (GRDB's statement cache):
/// a server asks the same questions on every request, and preparing them anew (with GRDB's
/// authorizer tracking every column) was most of a request's time.
extension Row {
    static func fetchAll(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    static func fetchAll(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

/// The current row of a statement being stepped, read straight from SQLite: no `Row` is copied and no
/// value boxed (a partner page reads a partner's rows of six tables on every view).
struct ColumnReader {
    let statement: OpaquePointer

    /// The text of a column that is not NULL (an integer or real column reads as SQLite's text of it).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    /// The text of a column, nil when NULL.
    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : text(column)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    /// The bytes of a text column (empty when NULL), valid until the statement steps on.
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: sqlite3_column_text(statement, column), count: Int(sqlite3_column_bytes(statement, column)))
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    /// The ISO date of a column, parsed from its bytes without making a `String` (a run reads a million CSAT dates);
    /// nil when NULL or malformed.
    func isoDay(_ column: Int32) -> Day? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        return Day(isoBytes: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))))
    }

    /// The bytes of a blob column, nil when NULL or empty; valid until the statement steps on.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer? {
        guard let bytes = sqlite3_column_blob(statement, column) else { return nil }
        return UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column)))
    }

    func bool(_ column: Int32) -> Bool { sqlite3_column_int64(statement, column) != 0 }
}

extension Database {
    /// Steps through the rows of a cached statement, handing each to `body` as a `ColumnReader`.
    func forEachRow(cached sql: String, arguments: StatementArguments = StatementArguments(), _ body: (ColumnReader) throws -> Void) throws {
        let statement = try cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        let reader = ColumnReader(statement: raw)
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: sql)
            }
            try body(reader)
        }
    }
}
