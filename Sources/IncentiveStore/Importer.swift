import Foundation
import GRDB
import GRDBSQLite
import IncentiveEngine

/// What one file of an import did to the workspace.
public struct ImportSummary: Sendable, Hashable {
    public var kind: DataKind
    public var file: String
    /// SHA-256 of the file's bytes.
    public var digest: String
    public var rows: Int
    public var added: Int
    public var changed: Int
    public var unchanged: Int
}

/// A finished import: one summary per file, and the warnings (the import succeeded).
public struct ImportOutcome: Sendable {
    public var files: [ImportSummary]
    public var warnings: DiagnosticCollector
}

/// Progress of a long import: bytes of `file` read so far, out of `total`.
public typealias ImportProgress = (_ file: String, _ bytesRead: Int, _ total: Int) -> Void

extension Workspace {
    /// Imports one file of `kind`: validated exactly as the engine validates a dataset folder (partner ids
    /// against the workspace), then written in one transaction. Rows with the key of a stored row replace it.
    /// - Parameters:
    ///   - displayName: how messages and the log name the file (default: `path`), e.g. an upload's name.
    ///   - remedies: the front end's words for what to do about a refusal.
    ///   - actor: who imports, for the audit log.
    public func importFile(
        _ kind: DataKind, path: String, displayName: String? = nil, remedies: Remedies = .plain, progress: ImportProgress? = nil,
        by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> ImportOutcome {
        try importFiles([(kind, path, displayName ?? path)], remedies: remedies, progress: progress, by: actor)
    }

    /// Imports every dataset file found in `directory` (at least one), all in one transaction.
    public func importFolder(
        _ directory: String, remedies: Remedies = .plain, progress: ImportProgress? = nil, by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> ImportOutcome {
        if let problem = DatasetLoader.folderProblem(
            directory, what: "data folder", holds: "the dataset's CSV files (partners.csv, bookings.csv, ...)")
        {
            throw DiagnosticReport(Diagnostic(file: directory, line: nil, message: problem))
        }
        let files = DataKind.importOrder.map { kind -> (DataKind, String, String) in
            let path = (directory as NSString).appendingPathComponent(kind.fileName)
            return (kind, path, path)
        }.filter { FileManager.default.fileExists(atPath: $0.1) }
        if files.isEmpty {
            throw DiagnosticReport(
                Diagnostic(
                    file: directory, line: nil,
                    message: "no dataset files here (expected some of \(DataKind.importOrder.map(\.fileName).joined(separator: ", ")))"))
        }
        var outcome = try importFiles(files, remedies: remedies, progress: progress, by: actor)
        DatasetLoader.warnUnreadFiles(in: directory, collector: &outcome.warnings)
        return outcome
    }

    func importFiles(
        _ files: [(DataKind, String, String)], remedies: Remedies, progress: ImportProgress?, by actor: Actor
    ) throws(DiagnosticReport) -> ImportOutcome {
        var collector = DiagnosticCollector()
        var digests: [String] = []
        for (_, path, name) in files {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "file not found"))
            }
            if isDirectory.boolValue {
                throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "is a folder, not a file: \(remedies.giveAFile)"))
            }
            guard let digest = Digest.file(path) else {
                throw DiagnosticReport(Diagnostic(file: name, line: nil, message: "cannot read file"))
            }
            digests.append(digest)
        }
        let ordered = files.sorted { DataKind.importOrder.firstIndex(of: $0.0)! < DataKind.importOrder.firstIndex(of: $1.0)! }
        do {
            return try writeTransaction { db throws -> ImportOutcome in
                var dataset = try Self.dataset(db, source: path)
                dataset.partnersSource = files.contains { $0.0 == .partners } ? "partners.csv or the workspace" : "the workspace"
                var programs: [Program] = []
                for version in try ProgramStore.latest(db) { programs.append(try ProgramStore.parse(version)) }
                var summaries: [ImportSummary] = []
                for (kind, file, name) in ordered {
                    let errorsBefore = collector.errorCount
                    var writer = try TableWriter(db, kind: kind)
                    switch kind {
                    case .partners:
                        for partner in DatasetLoader.readPartners(path: file, displayName: name, into: &dataset, collector: &collector) {
                            try writer.upsert([partner.id, partner.name, partner.country, partner.tier.rawValue, partner.provider])
                        }
                    case .tiers:
                        for row in DatasetLoader.readTiers(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.partnerID, row.validFrom.description, row.tier.rawValue])
                        }
                    case .credentials:
                        for row in DatasetLoader.readCredentials(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.partnerID, row.credential, row.achievedOn.description, row.expiresOn?.description])
                        }
                    case .csat:
                        for row in DatasetLoader.readCSAT(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.surveyID, row.partnerID, row.submittedOn.description])
                        }
                    case .services:
                        for row in DatasetLoader.readServices(path: file, displayName: name, dataset: dataset, collector: &collector) {
                            try writer.upsert([row.partnerID, row.service, row.activeFrom.description, row.strategic, row.activeUntil?.description])
                        }
                    case .enrollments:
                        if programs.isEmpty {
                            collector.error(
                                file: name, line: nil,
                                "the workspace has no programs yet, so no enrolment can be checked; \(remedies.addProgramsFirst)"
                            )
                        } else {
                            for row in DatasetLoader.readEnrollments(
                                path: file, displayName: name, dataset: dataset, programs: programs, collector: &collector)
                            {
                                try writer.upsert([row.partnerID, row.program, row.subtrack, row.enrolledOn.description])
                            }
                        }
                    case .products:
                        for row in DatasetLoader.readProducts(path: file, displayName: name, collector: &collector) ?? [] {
                            dataset.add(row)
                            try writer.upsert([row.sku, row.description, row.family])
                        }
                    case .fx:
                        for row in DatasetLoader.readFX(path: file, displayName: name, collector: &collector) {
                            try writer.upsert([row.currency, row.validFrom.description, row.rate.units])
                        }
                    case .bookings:
                        try writer.importBookings(file, displayName: name, dataset: dataset, collector: &collector) { read, total in
                            progress?(name, read, total)
                        }
                    }
                    if collector.errorCount > errorsBefore { continue }
                    let counts = try writer.finish()
                    summaries.append(
                        ImportSummary(
                            kind: kind, file: name, digest: digests[files.firstIndex { $0.1 == file }!], rows: counts.rows, added: counts.added,
                            changed: counts.changed, unchanged: counts.unchanged))
                }
                if !collector.hasErrors && ordered.contains(where: { $0.0 == .bookings || $0.0 == .fx }) {
                    // Amounts a run could not add up exactly are refused now, not found by every run after.
                    try Self.checkBookingSums(db, file: bookingsSource, collector: &collector)
                }
                if collector.hasErrors { throw DiagnosticReport(collector) }
                let now = self.now()
                for summary in summaries {
                    try db.execute(
                        sql: """
                            INSERT INTO imports(imported_at, kind, file_name, digest, rows, added, changed, unchanged)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            now, summary.kind.rawValue, summary.file, summary.digest, summary.rows, summary.added, summary.changed, summary.unchanged,
                        ])
                }
                try auditImport(db, actor, summaries)
                Failpoint.reach("import-before-commit")
                return ImportOutcome(files: summaries, warnings: collector)
            }
        } catch let report as DiagnosticReport {
            throw report
        } catch {
            collector.error(file: path, line: nil, "the import was not written: \(error)")
            throw DiagnosticReport(collector)
        }
    }
}

private let transientDestructor = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// Writes the rows of one table: an upsert per row that leaves an identical row alone, and counts of what changed.
struct TableWriter {
    let db: Database
    let kind: DataKind
    let statement: Statement
    let countBefore: Int
    var rows = 0
    /// Rows inserted or updated (SQLite's change count of the upserts).
    var touched = 0

    /// Key columns first, then the values, in the order `upsert` takes them.
    static func columns(_ kind: DataKind) -> (keys: [String], values: [String]) {
        switch kind {
        case .partners: return (["partner_id"], ["name", "country", "tier", "provider"])
        case .tiers: return (["partner_id", "valid_from"], ["tier"])
        case .credentials: return (["partner_id", "credential", "achieved_on"], ["expires_on"])
        case .csat: return (["survey_id"], ["partner_id", "submitted_on"])
        case .services: return (["partner_id", "service", "active_from"], ["strategic", "active_until"])
        case .enrollments: return (["partner_id", "program", "subtrack"], ["enrolled_on"])
        case .products: return (["sku"], ["description", "family"])
        case .fx: return (["currency", "valid_from"], ["rate_micros"])
        case .bookings:
            return (
                ["order_id", "line"], ["partner_id", "booked_on", "shipped_on", "sku", "quantity", "amount_cents", "currency", "intended_use"]
            )
        }
    }

    init(_ db: Database, kind: DataKind) throws {
        self.db = db
        self.kind = kind
        let (keys, values) = Self.columns(kind)
        let all = keys + values
        let sql = """
            INSERT INTO \(kind.table) (\(all.joined(separator: ", "))) VALUES (\(all.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET \(values.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            WHERE \(values.map { "\($0) IS NOT excluded.\($0)" }.joined(separator: " OR "))
            """
        statement = try db.makeStatement(sql: sql)
        countBefore = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM \(kind.table)") ?? 0
    }

    mutating func upsert(_ values: [(any DatabaseValueConvertible)?]) throws {
        try statement.execute(arguments: StatementArguments(values))
        rows += 1
        touched += db.changesCount
    }

    func finish() throws -> (rows: Int, added: Int, changed: Int, unchanged: Int) {
        let countAfter = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM \(kind.table)") ?? 0
        let added = countAfter - countBefore
        return (rows, added, touched - added, rows - touched)
    }

    /// Streams a bookings file through the engine's validation into the table, binding bytes directly
    /// (a million lines is the everyday case). Once a problem is found, lines are still validated but no
    /// longer written: the transaction will be rolled back.
    mutating func importBookings(
        _ file: String, displayName: String, dataset: Dataset, collector: inout DiagnosticCollector, progress: (Int, Int) -> Void
    ) throws {
        let raw = statement.sqliteStatement
        let connection = db.sqliteConnection
        var failure: Int32 = SQLITE_OK
        var failureMessage = ""
        var scratch: [UInt8] = []
        scratch.reserveCapacity(64)
        var rows = 0, touched = 0
        let total = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        BookingFile.read(path: file, displayName: displayName, dataset: dataset, collector: &collector, progress: { progress($0, total) }) {
            line, collector in
            if collector.hasErrors || failure != SQLITE_OK { return }
            Self.bind(raw, 1, line.orderID)
            Self.bind(raw, 2, line.lineID)
            Self.bind(raw, 3, line.partnerID)
            scratch.removeAll(keepingCapacity: true)
            CanonicalCSV.appendDay(line.bookedOn, to: &scratch)
            scratch.withUnsafeBufferPointer { Self.bind(raw, 4, $0) }
            if let shipped = line.shippedOn {
                scratch.removeAll(keepingCapacity: true)
                CanonicalCSV.appendDay(shipped, to: &scratch)
                scratch.withUnsafeBufferPointer { Self.bind(raw, 5, $0) }
            } else {
                sqlite3_bind_null(raw, 5)
            }
            Self.bind(raw, 6, line.sku)
            if line.quantity.isEmpty { sqlite3_bind_null(raw, 7) } else { Self.bind(raw, 7, line.quantity) }
            sqlite3_bind_int64(raw, 8, line.amount)
            scratch.removeAll(keepingCapacity: true)
            for byte in line.currency { scratch.append(FieldParsing.asciiUpper(byte)) }
            scratch.withUnsafeBufferPointer { Self.bind(raw, 9, $0) }
            Self.bind(raw, 10, line.intendedUse)
            let code = sqlite3_step(raw)
            if code != SQLITE_DONE {
                failure = code
                failureMessage = String(cString: sqlite3_errmsg(connection))
            } else {
                touched += Int(sqlite3_changes(connection))
            }
            sqlite3_reset(raw)
            rows += 1
            if rows == 1000 { Failpoint.reach("import-mid-bookings") }
        }
        sqlite3_clear_bindings(raw)
        if failure != SQLITE_OK {
            throw WorkspaceError(.failed, "writing bookings failed: \(failureMessage) (SQLite code \(failure))")
        }
        self.rows = rows
        self.touched = touched
    }

    @inline(__always)
    static func bind(_ statement: SQLiteStatement, _ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        if let base = bytes.baseAddress {
            _ = base.withMemoryRebound(to: CChar.self, capacity: max(bytes.count, 1)) {
                sqlite3_bind_text(statement, index, $0, Int32(bytes.count), transientDestructor)
            }
        } else {
            _ = sqlite3_bind_text(statement, index, "", 0, transientDestructor)
        }
    }
}
