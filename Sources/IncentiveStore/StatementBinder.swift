import Foundation
import GRDB
import GRDBSQLite

/// Binds one row's values to a prepared statement in order and steps it, straight through SQLite: the writing of a
/// run's results (1.3 million rows at 100,000 partners) and of an import's rows (`TableWriter.execute`) without
/// GRDB's arguments.
struct StatementBinder {
    private let statement: Statement
    private let raw: SQLiteStatement
    private let connection: SQLiteConnection?
    private var index: Int32 = 1

    init(_ statement: Statement, connection: SQLiteConnection?) {
        self.statement = statement
        self.raw = statement.sqliteStatement
        self.connection = connection
    }

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(raw, index, value)
        index += 1
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }

    /// Bound with its length (a text may hold a NUL, which a C string would end at), copied by SQLite.
    mutating func bind(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress, !bytes.isEmpty {
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    _ = sqlite3_bind_text(raw, index, $0, Int32(bytes.count), Self.transient)
                }
            } else {
                _ = sqlite3_bind_text(raw, index, "", 0, Self.transient)
            }
        }
        index += 1
    }

    mutating func bind(_ value: Double) {
        sqlite3_bind_double(raw, index, value)
        index += 1
    }

    mutating func bindNull() {
        sqlite3_bind_null(raw, index)
        index += 1
    }

    mutating func bind(_ data: Data) {
        _ = data.withUnsafeBytes { sqlite3_bind_blob(raw, index, $0.baseAddress, Int32($0.count), Self.transient) }
        index += 1
    }

    /// Bytes bound as a blob, copied by SQLite.
    mutating func bind(_ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(raw, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        index += 1
    }

    /// A value as GRDB holds it.
    mutating func bind(_ value: DatabaseValue) {
        switch value.storage {
        case .null: bindNull()
        case .int64(let number): bind(number)
        case .double(let number): bind(number)
        case .string(let text): bind(text)
        case .blob(let data): bind(data)
        }
    }

    mutating func bind(_ text: String?) {
        if let text { bind(text) } else { bindNull() }
    }

    /// Runs the statement with the values bound, then readies it for the next row.
    mutating func step() throws {
        index = 1
        let code = sqlite3_step(raw)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(raw)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(raw)
    }

    /// SQLite's `SQLITE_TRANSIENT`: it copies the bytes before the call returns.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
