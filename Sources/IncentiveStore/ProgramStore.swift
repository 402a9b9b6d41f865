import Foundation
import GRDB
import IncentiveEngine
import Synchronization

/// One stored version of a program definition.
public struct ProgramVersion: Sendable {
    public var programID: String
    public var version: Int
    public var kind: String
    /// The YAML text, exactly as added.
    public var definition: String
    public var digest: String
    public var fileName: String
    public var addedAt: String

    /// How the version is named in messages: `VIP25-6M v2`.
    public var label: String { "\(programID) v\(version)" }

    init(row: Row) {
        programID = row["program_id"]
        version = row["version"]
        kind = row["kind"]
        definition = row["definition"]
        digest = row["digest"]
        fileName = row["file_name"]
        addedAt = row["added_at"]
    }
}

/// What `programs add` did.
public struct ProgramAdded: Sendable {
    public var version: ProgramVersion
    /// False when the definition is identical to the latest version (nothing was stored).
    public var isNew: Bool
    /// Compared with the previous version, in the definition's words.
    public var changes: [String]
}

enum ProgramStore {
    static let columns = "program_id, version, kind, definition, digest, file_name, added_at"

    /// The latest version of every program, sorted by id.
    static func latest(_ db: Database) throws -> [ProgramVersion] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT \(columns) FROM program_versions AS p
                WHERE version = (SELECT MAX(version) FROM program_versions WHERE program_id = p.program_id)
                ORDER BY program_id
                """
        ).map(ProgramVersion.init(row:))
    }

    static func version(_ db: Database, id: String, version: Int?) throws -> ProgramVersion? {
        if let version {
            return try Row.fetchOne(
                cached: db, sql: "SELECT \(columns) FROM program_versions WHERE program_id = ? AND version = ?", arguments: [id, version]
            )
            .map(ProgramVersion.init(row:))
        }
        return try Row.fetchOne(
            cached: db, sql: "SELECT \(columns) FROM program_versions WHERE program_id = ? ORDER BY version DESC LIMIT 1", arguments: [id]
        ).map(ProgramVersion.init(row:))
    }

    /// Stored versions never change, so each is parsed once per process (a server parses on every request otherwise).
    static let parsed = Mutex<[String: Program]>([:])

    static func parse(_ version: ProgramVersion) throws -> Program {
        let key = "\(version.programID)\u{0}\(version.version)\u{0}\(version.digest)"
        if let program = parsed.withLock({ $0[key] }) { return program }
        var collector = DiagnosticCollector()
        guard let program = ProgramLoader.parse(yaml: version.definition, file: version.label, collector: &collector) else {
            throw WorkspaceError(
                .damaged,
                "the stored definition of \(version.label) no longer loads: \(collector.lines(severity: .error).joined(separator: "; "))")
        }
        parsed.withLock { $0[key] = program }
        return program
    }
}

extension Workspace {
    /// Stores the program definition in `file` as a new version of its program (unless it is identical to the latest).
    ///
    /// Refused, with every reason, when the definition has problems, uses another currency than the other
    /// programs, or would leave an existing enrolment pointing at a subtrack it no longer has.
    /// - Parameters:
    ///   - displayName: how messages and the stored version name the file (default: `file`), e.g. an upload's name.
    ///   - remedies: the front end's words for what to do about a refusal.
    ///   - actor: who adds it, for the audit log (an identical definition, which stores nothing, writes no entry).
    public func addProgram(
        file path: String, displayName: String? = nil, remedies: Remedies = .plain, by actor: Actor = .operatingSystemUser()
    ) throws(DiagnosticReport) -> ProgramAdded {
        let file = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot read file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "not valid UTF-8 text"))
        }
        var collector = DiagnosticCollector()
        guard let program = ProgramLoader.parse(yaml: text, file: file, collector: &collector) else { throw DiagnosticReport(collector) }
        let digest = Digest.of(text)
        do {
            return try writeTransaction { db throws -> ProgramAdded in
                let previous = try ProgramStore.version(db, id: program.id, version: nil)
                if let previous, previous.digest == digest { return ProgramAdded(version: previous, isNew: false, changes: []) }
                var others: [Program] = []
                for version in try ProgramStore.latest(db) where version.programID != program.id { others.append(try ProgramStore.parse(version)) }
                if let other = others.first, other.currency != program.currency {
                    collector.error(
                        file: file, line: program.currencyLine, column: "currency", value: program.currency,
                        "all programs of a workspace must use one currency (fx rates convert into it); \(other.id) uses \(other.currency)")
                }
                let enrollments = try Row.fetchAll(
                    cached: db, sql: "SELECT partner_id, subtrack, enrolled_on FROM enrollments WHERE program = ? ORDER BY partner_id, subtrack",
                    arguments: [program.id])
                for row in enrollments {
                    let subtrack: String = row[1]
                    let day = try Self.day(row[2])
                    if let problem = DatasetLoader.enrollmentProblem(program: program, subtrack: subtrack, on: day) {
                        collector.error(
                            file: file, line: program.idLine, column: problem.column, value: problem.value,
                            "partner \(row[0] as String) is enrolled in \(program.id) \(subtrack) on \(day), which this version would not allow: \(problem.message) (\(remedies.unenrollFirst))"
                        )
                    }
                }
                if collector.hasErrors { throw DiagnosticReport(collector) }
                let number = (previous?.version ?? 0) + 1
                try db.execute(
                    sql: "INSERT INTO program_versions(\(ProgramStore.columns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [program.id, number, program.kind.rawValue, text, digest, (file as NSString).lastPathComponent, now()])
                let stored = try ProgramStore.version(db, id: program.id, version: number)!
                var changes: [String] = []
                if let previous { changes = ProgramChanges.between(try ProgramStore.parse(previous), program) }
                try audit(db, actor, .programAdd, subject: stored.label, detail: "sha256 \(stored.digest), file \(stored.fileName)")
                Failpoint.reach("program-add-before-commit")
                return ProgramAdded(version: stored, isNew: true, changes: changes)
            }
        } catch let report as DiagnosticReport {
            throw report
        } catch {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "\(error)"))
        }
    }

    /// The latest version of every program.
    public func programVersions() throws -> [ProgramVersion] {
        try pool.read { db in try ProgramStore.latest(db) }
    }

    /// The latest version of every program with its definition, sorted by id: one statement (each definition is
    /// parsed once per process, `ProgramStore.parse`).
    public func latestPrograms() throws -> [(ProgramVersion, Program)] {
        try statementRead { db in try ProgramStore.latest(db).map { ($0, try ProgramStore.parse($0)) } }
    }

    /// Every version of one program, oldest first.
    public func programHistory(_ id: String) throws -> [ProgramVersion] {
        try pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT \(ProgramStore.columns) FROM program_versions WHERE program_id = ? ORDER BY version", arguments: [id]
            )
            .map(ProgramVersion.init(row:))
        }
    }

    /// One version (the latest when `version` is nil) and its parsed definition.
    public func program(_ id: String, version: Int? = nil) throws -> (ProgramVersion, Program) {
        try pool.read { db in
            guard let stored = try ProgramStore.version(db, id: id, version: version) else {
                let known = try ProgramStore.latest(db).map(\.programID)
                if let version, known.contains(id) { throw WorkspaceError(.notFound, "program \(id) has no version \(version)") }
                throw WorkspaceError(
                    .notFound, "no program \(id) in the workspace (it has: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            return (stored, try ProgramStore.parse(stored))
        }
    }
}
