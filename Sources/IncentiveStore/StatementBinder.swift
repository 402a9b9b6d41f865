import GRDB
import GRDBSQLite

/// Binds one row's values to a prepared INSERT in order and steps it: the writing of a run's results (1.3 million
/// rows at 100,000 partners) without GRDB's arguments or an array of existential values per row.
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

    mutating func bind(_ text: String?) {
        if let text {
            bind(text)
        } else {
            sqlite3_bind_null(raw, index)
            index += 1
        }
    }

    /// Runs the statement with the values bound, then readies it for the next row.
    mutating func step() throws {
        index = 1
        let code = sqlite3_step(raw)
        sqlite3_reset(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: statement.sql)
        }
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
