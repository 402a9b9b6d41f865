import Foundation
import GRDB
import IncentiveEngine

/// A result row's checks kept in the row itself (issue 16 point 4, docs/workspace.md "Checks in their row"),
/// migration `v19-checks-in-rows`: `run_rows.checks`, one blob per row instead of one `run_checks` row per check.
/// A run of 100,000 partners has some 770,000 checks; writing them as rows of their own was about 3 s of a full run.
///
/// The blob holds the row's checks in order. Each check is:
/// - its code as text (a varint length, then the UTF-8 bytes);
/// - a byte, 1 when it passed and 0 when it failed;
/// - its reason (a varint, 0 for none, else the length plus one, then the bytes);
/// - its explanation (a varint length, then the bytes).
///
/// A row with no checks has NULL. A row copied by an incremental run has NULL too and names the row that holds its
/// checks in `checks_of`. One list of checks has one blob, so two rows have the same checks exactly when their blobs
/// are equal.
enum CheckBlobs {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v19-checks-in-rows", foreignKeyChecks: .immediate) { db in
            try db.execute(sql: "ALTER TABLE run_rows ADD COLUMN checks BLOB")
            // The checks of runs stored before are written into their rows, in the same order. `run_checks` keeps its
            // rows as they were (nothing stored is deleted) and is no longer read or written.
            let update = try db.makeStatement(sql: "UPDATE run_rows SET checks = ? WHERE id = ?")
            var rowID: Int64? = nil
            var checks: [Check] = []
            func flush() throws {
                guard let id = rowID, !checks.isEmpty else { return }
                try update.execute(arguments: [encode(checks), id])
                checks.removeAll(keepingCapacity: true)
            }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT row_id, code, passed, reason, explanation FROM run_checks ORDER BY row_id, position")
            while let row = try rows.next() {
                let id: Int64 = row[0]
                if id != rowID {
                    try flush()
                    rowID = id
                }
                let code: String = row[1]
                guard let checkCode = Check.Code(rawValue: code) else {
                    throw WorkspaceError(.damaged, "run_checks of row \(id) holds an unknown check code \(code)")
                }
                checks.append(Check(code: checkCode, passed: row[2], reason: row[3], explanation: row[4]))
            }
            try flush()
        }
    }

    /// The blob of `checks` (nil when there are none).
    static func encode(_ checks: [Check]) -> Data? {
        if checks.isEmpty { return nil }
        var bytes: [UInt8] = []
        append(checks, to: &bytes)
        return Data(bytes)
    }

    /// Appends the blob of `checks` to `bytes`.
    static func append(_ checks: [Check], to bytes: inout [UInt8]) {
        for check in checks {
            appendText(check.code.rawValue, to: &bytes)
            bytes.append(check.passed ? 1 : 0)
            if let reason = check.reason {
                var reason = reason
                reason.withUTF8 { text in
                    appendVarint(UInt64(text.count) + 1, to: &bytes)
                    bytes.append(contentsOf: text)
                }
            } else {
                bytes.append(0)
            }
            appendText(check.explanation, to: &bytes)
        }
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The checks in `blob` (nil: none). With `failedOnly`, only the failed ones, without their explanations (the
    /// reasons a results CSV shows). A blob that does not decode is reported as a damaged workspace.
    static func decode(_ blob: UnsafeRawBufferPointer?, failedOnly: Bool = false, row: Int64) throws -> [Check] {
        guard let blob, !blob.isEmpty else { return [] }
        var reader = Reader(bytes: blob)
        var checks: [Check] = []
        while !reader.atEnd {
            guard let codeText = reader.text(), let code = Check.Code(rawValue: codeText), let passedByte = reader.byte(), passedByte <= 1,
                let reasonLength = reader.varint()
            else { throw damaged(row) }
            let reason: String?
            if reasonLength == 0 {
                reason = nil
            } else {
                guard let text = reader.text(length: reasonLength - 1) else { throw damaged(row) }
                reason = text
            }
            let passed = passedByte == 1
            if failedOnly && passed {
                guard reader.skipText() else { throw damaged(row) }
                continue
            }
            if failedOnly {
                guard reader.skipText() else { throw damaged(row) }
                checks.append(Check(code: code, passed: passed, reason: reason, explanation: ""))
            } else {
                guard let explanation = reader.text() else { throw damaged(row) }
                checks.append(Check(code: code, passed: passed, reason: reason, explanation: explanation))
            }
        }
        return checks
    }

    private static func damaged(_ row: Int64) -> WorkspaceError {
        WorkspaceError(.damaged, "the checks of result row \(row) do not decode")
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64, let byte = byte() {
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        mutating func text(length: UInt64) -> String? {
            guard length <= UInt64(bytes.count - offset) else { return nil }
            let end = offset + Int(length)
            defer { offset = end }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        }

        mutating func text() -> String? {
            guard let length = varint() else { return nil }
            return text(length: length)
        }

        mutating func skipText() -> Bool {
            guard let length = varint(), length <= UInt64(bytes.count - offset) else { return false }
            offset += Int(length)
            return true
        }
    }
}
