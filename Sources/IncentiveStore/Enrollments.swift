import Foundation
import GRDB
import IncentiveEngine

/// What `enroll` did and where the partner stands in that subtrack now.
public struct EnrollmentOutcome: Sendable {
    public enum Change: String, Sendable { case added, changed, unchanged }
    public var change: Change
    public var program: Program
    /// The subtrack's result row as a run would compute it now.
    public var row: ResultRow?

    /// The checks still failing: what the partner lacks to earn the rebate.
    public var lacking: [Check] { row?.checks.filter { !$0.passed } ?? [] }
}

extension Workspace {
    /// Enrols `partner` in `subtrack` of `programID` on `day`, checking the program, the subtrack and the
    /// period end, then computes where the partner stands in it.
    public func enroll(
        partner: String, program programID: String, subtrack: String, on day: Day, by actor: Actor = .operatingSystemUser()
    ) throws -> EnrollmentOutcome {
        let (_, program) = try program(programID)
        if let problem = DatasetLoader.enrollmentProblem(program: program, subtrack: subtrack, on: day) {
            throw WorkspaceError(.rejected, "cannot enrol: \(problem.column) \(problem.value): \(problem.message)")
        }
        let change = try writeTransaction { db throws -> EnrollmentOutcome.Change in
            try Self.requirePartner(db, partner)
            let current = try String.fetchOne(
                cached: db, sql: "SELECT enrolled_on FROM enrollments WHERE partner_id = ? AND program = ? AND subtrack = ?",
                arguments: [partner, programID, subtrack])
            if current == day.description { return .unchanged }
            let id = try logChange(db, kind: .enrollments, what: "enroll \(partner) in \(programID) \(subtrack) on \(day)")
            try db.execute(
                sql: """
                    INSERT INTO enrollments(partner_id, program, subtrack, enrolled_on, added_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (partner_id, program, subtrack) DO UPDATE SET enrolled_on = excluded.enrolled_on, added_by = excluded.added_by
                    """, arguments: [partner, programID, subtrack, day.description, id])
            try Self.finishChange(db, id: id, at: now(), rows: 1, added: current == nil ? 1 : 0, changed: current == nil ? 0 : 1, unchanged: 0, retired: 0)
            try auditEnrollment(db, actor, .enroll, partner, programID, subtrack, was: current, now: day.description)
            try Self.endChanges(db)
            return current == nil ? .added : .changed
        }
        return EnrollmentOutcome(change: change, program: program, row: try standing(partner: partner, program: program, item: subtrack))
    }

    /// Throws when the workspace has no partner `id`, saying what it has instead.
    static func requirePartner(_ db: Database, _ id: String) throws {
        if try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM partners WHERE partner_id = ?)", arguments: [id]) == true { return }
        let count = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM partners") ?? 0
        let shown = Diagnostic.escaped(Diagnostic.cut(id, limit: 60), quote: true)
        if count == 0 { throw WorkspaceError(.notFound, "no partner \"\(shown)\": the workspace has no partners yet (import partners.csv first)") }
        // Ids match exactly; one that differs only in case or surrounding spaces is most likely the one meant.
        let trimmed = id.trimmingCharacters(in: .whitespaces)
        let near = try String.fetchOne(
            cached: db, sql: "SELECT partner_id FROM partners WHERE partner_id = ? COLLATE NOCASE ORDER BY partner_id LIMIT 1", arguments: [trimmed])
        throw WorkspaceError(
            .notFound,
            "no partner \"\(shown)\" in the workspace (it has \(count) partner\(count == 1 ? "" : "s"); ids match exactly, case included)"
                + (near.map { "; did you mean \($0)?" } ?? ""))
    }

    /// Removes an enrolment; an error when there is none.
    public func unenroll(partner: String, program programID: String, subtrack: String, by actor: Actor = .operatingSystemUser()) throws {
        try writeTransaction { db in
            try Self.requirePartner(db, partner)
            // The DELETE trigger keeps the enrolment in enrollments_history, retired by this change.
            let id = try logChange(db, kind: .enrollments, what: "unenroll \(partner) from \(programID) \(subtrack)")
            try db.execute(
                sql: "DELETE FROM enrollments WHERE partner_id = ? AND program = ? AND subtrack = ?", arguments: [partner, programID, subtrack])
            if db.changesCount == 0 {
                let held = try String.fetchAll(
                    cached: db, sql: "SELECT subtrack FROM enrollments WHERE partner_id = ? AND program = ? ORDER BY subtrack",
                    arguments: [partner, programID])
                throw WorkspaceError(
                    .notFound,
                    "partner \(partner) is not enrolled in \(programID) \(subtrack)\(held.isEmpty ? "" : " (it is enrolled in: \(held.joined(separator: ", ")))")"
                )
            }
            try Self.finishChange(db, id: id, at: now(), rows: 1, added: 0, changed: 0, unchanged: 0, retired: 1)
            try auditEnrollment(db, actor, .unenroll, partner, programID, subtrack, was: nil, now: nil)
            try Self.endChanges(db)
        }
    }

    /// Starts a change made by a command rather than a file: its row in the import log (with no digest,
    /// counts filled in by `finishChange`), whose id the rows it writes carry. Returns the id.
    func logChange(_ db: Database, kind: DataKind, what: String) throws -> Int {
        try Self.beginChange(db, kind: kind, fileName: what, digest: "")
    }

    /// The result row of one partner's item in one program, computed from that partner's lines only.
    func standing(partner: String, program: Program, item: String) throws -> ResultRow? {
        do {
            let (input, _) = try loadInput(programIDs: [program.id], tracePartner: partner, onlyPartner: true)
            let result = Engine.compute(input)
            return result.rows.first { $0.partnerID.isExactly(partner) && $0.item.isExactly(item) }
        } catch {
            throw WorkspaceError(.rejected, error.errorLines.joined(separator: "\n"))
        }
    }
}
