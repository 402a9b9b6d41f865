import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

/// What approving one program of a run did.
public struct ProgramApproval: Sendable {
    public var programID: String
    public var programKind: ProgramKind
    public var currency: String
    /// The new approval's id; nil when this (run, program, kind) was approved before and nothing was posted.
    public var approvalID: Int?
    /// The earlier approval of the same (run, program, kind), when there is one.
    public var earlier: ApprovalRecord?
    /// How many entries it posted (non-zero deltas), their sum, and the sum of the negative ones (clawbacks).
    public var entries: Int
    public var total: Money
    public var clawbacks: Money
    /// MDF: the last day the allocated funds are usable.
    public var validThrough: Day?
    /// A later run of the program approved before this one (a warning: the older run's amounts now count).
    public var laterRunApproved: Int?
}

/// What `approve` did: per program chosen.
public struct ApprovalOutcome: Sendable {
    public var runID: Int
    public var kind: ApprovalKind
    public var approvedOn: Day
    public var programs: [ProgramApproval]

    /// Whether anything was posted or recorded.
    public var changed: Bool { programs.contains { $0.approvalID != nil } }
}

/// Whether a program is closed (ledger.md: after a final approval, until an explicit reopen with a reason).
public struct ProgramClosure: Sendable {
    public var programID: String
    public var closed: Bool
    /// The final approval that closed it, when closed.
    public var approval: ApprovalRecord?
    /// The reason of the reopen, when reopened.
    public var reason: String?
}

extension Workspace {
    /// Approves a stored run as interim or final (ledger.md): per program (every program of the run, or those
    /// named), the run's amount of each (partner, item) becomes its entitlement (MDF: its allocation), and the
    /// entry posted is the difference to what was posted for that key before; keys posted before but absent from
    /// the run are taken back whole. All programs in one transaction, with one audit entry: all or nothing.
    ///
    /// A (run, program, kind) approved before posts nothing again (its `ProgramApproval.earlier` says so); when
    /// that holds for every program, nothing at all is written. A closed program is refused (`.conflict`) unless
    /// the same approval was made before. A final approval closes its program.
    public func approve(
        run runID: Int, kind: ApprovalKind, programs chosen: [String] = [], on day: Day? = nil, by actor: Actor = .operatingSystemUser()
    ) throws -> ApprovalOutcome {
        let approvedOn = day ?? clock.today
        return try ledgerWrite { db throws -> ApprovalOutcome in
            let summary = try runSummary(db, runID)
            let inRun = summary.programs.map(\.id)
            for program in chosen where !inRun.contains(program) {
                throw WorkspaceError(.notFound, "run \(runID) has no program \(program) (it has \(inRun.joined(separator: ", ")))")
            }
            let selected = summary.programs.filter { chosen.isEmpty || chosen.contains($0.id) }
            var outcome = ApprovalOutcome(runID: runID, kind: kind, approvedOn: approvedOn, programs: [])
            let at = now()
            let inserter = try LedgerRows.Inserter(db, at: at, actor: actor)
            for entry in selected {
                let program = try runProgram(db, run: runID, id: entry.id, version: entry.version)
                var line = ProgramApproval(
                    programID: program.id, programKind: program.kind, currency: program.currency, entries: 0, total: .zero, clawbacks: .zero)
                if let earlier = try Self.approval(db, run: runID, program: program.id, kind: kind) {
                    line.earlier = earlier
                    outcome.programs.append(line)
                    continue
                }
                let closure = try Self.closure(db, program.id)
                if closure.closed, let final = closure.approval {
                    throw WorkspaceError(
                        .conflict,
                        "\(program.id) is closed by the final approval \(final.id) of run \(final.runID) on \(final.approvedOn); it must be reopened (with a reason) before another approval; nothing was approved"
                    )
                }
                line.laterRunApproved = try Int.fetchOne(
                    db, sql: "SELECT MAX(run_id) FROM approvals WHERE program_id = ? AND run_id > ?", arguments: [program.id, runID])
                // The run's amounts (0 when not eligible) and the sums posted before, per (partner, item).
                var amounts: [EntitlementKey: Money] = [:]
                let runRows = try RunRows.of(db, runID).select(
                    "partner_id, item, CASE WHEN eligible THEN amount_cents ELSE 0 END", from: "run_rows", where: "program_id = ?")
                let rows = try Row.fetchCursor(db, sql: runRows.sql, arguments: RunRows.arguments([program.id], arms: runRows.arms))
                while let row = try rows.next() { amounts[EntitlementKey(partnerID: row[0], item: row[1])] = Money(cents: row[2]) }
                var posted: [EntitlementKey: Money] = [:]
                let sums = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT partner_id, item, SUM(amount_cents) FROM ledger_entries
                        WHERE program_id = ? AND kind IN ('entitlement', 'allocation') GROUP BY partner_id, item
                        """, arguments: [program.id])
                while let row = try sums.next() { posted[EntitlementKey(partnerID: row[0], item: (row[1] as String?) ?? "")] = Money(cents: row[2]) }
                let lines = TrueUp.lines(run: amounts, posted: posted)
                try db.execute(
                    sql: "INSERT INTO approvals(run_id, program_id, kind, approved_on, at, actor_kind, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [runID, program.id, kind.rawValue, approvedOn.description, at, actor.kind.rawValue, actor.name])
                let approvalID = Int(db.lastInsertedRowID)
                if kind == .final {
                    try db.execute(
                        sql: "INSERT INTO program_closures(program_id, closed, approval_id, at, actor_kind, actor) VALUES (?, 1, ?, ?, ?, ?)",
                        arguments: [program.id, approvalID, at, actor.kind.rawValue, actor.name])
                }
                if case .mdf(let rules) = program.rules {
                    line.validThrough = Validity.lastUsableDay(approvedOn: approvedOn, months: rules.fundsValidMonths)
                }
                for posting in TrueUp.entries(
                    lines, program: program.id, kind: program.kind, currency: program.currency, approvedOn: approvedOn,
                    validThrough: line.validThrough, approval: approvalID)
                {
                    try inserter.insert(posting)
                }
                line.approvalID = approvalID
                line.entries = lines.count
                line.total = Money(cents: lines.reduce(0) { $0 + $1.delta.cents })
                line.clawbacks = Money(cents: lines.reduce(0) { $0 + min(0, $1.delta.cents) })
                outcome.programs.append(line)
            }
            guard outcome.changed else { throw NothingChanged(outcome: outcome) }
            let detail = outcome.programs.map { line in
                line.approvalID == nil
                    ? "\(line.programID): approved before, nothing posted"
                    : "\(line.programID): approval \(line.approvalID!), \(line.entries) entries, \(line.total.plainText) \(line.currency)"
            }
            try audit(db, actor, .approve, subject: "run \(runID)", detail: "\(kind.rawValue) on \(approvedOn); " + detail.joined(separator: "; "))
            Failpoint.reach("approve-before-commit")
            return outcome
        }
    }

    /// Reopens a closed program with a reason (required). Returns false, changing nothing, when it is not closed.
    public func reopen(program: String, reason: String, by actor: Actor = .operatingSystemUser()) throws -> Bool {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw WorkspaceError(.rejected, "a reopen needs a reason (who asked, why); nothing was changed") }
        return try ledgerWrite { db throws -> Bool in
            guard try ProgramStore.version(db, id: program, version: nil) != nil else {
                throw WorkspaceError(.notFound, "no program \(program) in the workspace")
            }
            guard try Self.closure(db, program).closed else { throw NothingChanged(outcome: false) }
            let at = now()
            try db.execute(
                sql: "INSERT INTO program_closures(program_id, closed, reason, at, actor_kind, actor) VALUES (?, 0, ?, ?, ?, ?)",
                arguments: [program, reason, at, actor.kind.rawValue, actor.name])
            try audit(db, actor, .reopen, subject: program, detail: reason)
            Failpoint.reach("reopen-before-commit")
            return true
        }
    }

    /// Whether `program` is closed now.
    public func closure(of program: String) throws -> ProgramClosure {
        try pool.read { db in try Self.closure(db, program) }
    }

    /// The approvals, in the order they were made; of one program when given.
    public func approvals(program: String? = nil) throws -> [ApprovalRecord] {
        try pool.read { db in try Self.approvals(db, program: program) }
    }

    static func closure(_ db: Database, _ program: String) throws -> ProgramClosure {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT closed, approval_id, reason FROM program_closures WHERE program_id = ? ORDER BY id DESC LIMIT 1",
                arguments: [program])
        else { return ProgramClosure(programID: program, closed: false) }
        let closed: Bool = row[0]
        let approval = try (row[1] as Int?).flatMap { id in
            try approvalRows(db, "WHERE id = ?", [id]).first
        }
        return ProgramClosure(programID: program, closed: closed, approval: closed ? approval : nil, reason: row[2])
    }

    static func approval(_ db: Database, run: Int, program: String, kind: ApprovalKind) throws -> ApprovalRecord? {
        try approvalRows(db, "WHERE run_id = ? AND program_id = ? AND kind = ?", [run, program, kind.rawValue]).first
    }

    static func approvals(_ db: Database, program: String?) throws -> [ApprovalRecord] {
        try program.map { try approvalRows(db, "WHERE program_id = ?", [$0]) } ?? approvalRows(db, "", [])
    }

    private static func approvalRows(_ db: Database, _ whereClause: String, _ arguments: [any DatabaseValueConvertible]) throws -> [ApprovalRecord] {
        // Kept prepared by the connection (one statement per `whereClause`): a statement reads this for every program.
        try Row.fetchAll(
            cached: db, sql: "SELECT id, run_id, program_id, kind, approved_on, at, actor_kind, actor FROM approvals \(whereClause) ORDER BY id",
            arguments: StatementArguments(arguments)
        ).map { row in
            let kindText: String = row[3]
            guard let kind = ApprovalKind(rawValue: kindText) else {
                throw WorkspaceError(.damaged, "approval \(row[0] as Int) has kind \(kindText)")
            }
            return ApprovalRecord(
                id: row[0], runID: row[1], programID: row[2], kind: kind, approvedOn: try LedgerRows.day(row[4], "approved_on"), at: row[5],
                actor: "\(row[7] as String) (\(row[6] as String))")
        }
    }
}
