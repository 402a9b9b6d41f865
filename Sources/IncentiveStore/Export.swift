import Foundation
import GRDB
import IncentiveEngine

/// Counts of what a workspace holds.
public struct WorkspaceStatus: Sendable {
    public var rows: [(kind: DataKind, count: Int)]
    public var programs: [ProgramVersion]
    public var imports: Int
    public var lastImport: String?
    public var runs: Int
    public var lastRun: String?
    public var createdAt: String?
}

extension Workspace {
    /// Writes the workspace out as a dataset folder (formats.md layout) and, when asked, the latest program
    /// definitions. Each file is written to a temporary name and renamed when complete. Optional files
    /// with no rows are not written (an empty `products.csv` would mean "a catalogue with nothing in it").
    /// Returns the files written.
    public func export(to directory: String, programsDirectory: String? = nil) throws -> [String] {
        for folder in [directory] + (programsDirectory.map { [$0] } ?? []) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw WorkspaceError(.failed, "cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
        return try pool.read { db in
            var written: [String] = []
            for kind in DataKind.importOrder {
                let count = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM \(kind.table)") ?? 0
                if count == 0 && kind != .partners && kind != .bookings { continue }
                let path = (directory as NSString).appendingPathComponent(kind.fileName)
                try AtomicFile.write(path) { handle in
                    var buffer: [UInt8] = []
                    try Self.appendTable(kind, db, marked: false, to: &buffer) { buffer in
                        try handle.write(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                    try handle.write(contentsOf: buffer)
                }
                written.append(path)
            }
            if let programsDirectory {
                for version in try ProgramStore.latest(db) {
                    let path = (programsDirectory as NSString).appendingPathComponent("\(version.programID).yaml")
                    try AtomicFile.write(path) { handle in try handle.write(contentsOf: Data(version.definition.utf8)) }
                    written.append(path)
                }
            }
            return written
        }
    }

    /// The import log, oldest first: files imported and enrolment changes (those have no digest).
    public func importLog() throws -> [(id: Int, importedAt: String, summary: ImportSummary)] {
        try pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT id, imported_at, kind, file_name, digest, rows, added, changed, unchanged, retired FROM imports ORDER BY id"
            )
            .map { row in
                let entry = Self.importEntry(row)
                return (entry.id, entry.importedAt, entry.summary)
            }
        }
    }

    public func status() throws -> WorkspaceStatus {
        try pool.read { db in
            var rows: [(DataKind, Int)] = []
            for kind in DataKind.importOrder { rows.append((kind, try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM \(kind.table)") ?? 0)) }
            return WorkspaceStatus(
                rows: rows, programs: try ProgramStore.latest(db), imports: try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM imports") ?? 0,
                lastImport: try String.fetchOne(cached: db, sql: "SELECT imported_at FROM imports ORDER BY id DESC LIMIT 1"),
                runs: try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM runs") ?? 0,
                lastRun: try String.fetchOne(cached: db, sql: "SELECT started_at FROM runs ORDER BY id DESC LIMIT 1"),
                createdAt: try String.fetchOne(cached: db, sql: "SELECT value FROM workspace_info WHERE key = 'created_at'"))
        }
    }
}

/// Writes a file under a temporary name in the same folder and renames it into place when complete,
/// so a reader never sees half a file.
enum AtomicFile {
    static func write(_ path: String, _ body: (FileHandle) throws -> Void) throws {
        let temporary = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw WorkspaceError(.failed, "cannot write \(path)")
        }
        do {
            try body(handle)
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 { throw WorkspaceError(.failed, "cannot rename \(temporary) to \(path)") }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
