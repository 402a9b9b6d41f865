import Crypto
import Foundation
import GRDB
import IncentiveEngine

/// A stored run computed again from the data as known at its import, with its program versions.
public struct Reproduction: Sendable {
    public var run: RunSummary
    /// The data the run was recomputed from: as known right after this import, with the run's program versions.
    public var point: KnownPoint
    /// False for a run stored before the workspace kept history: its import is the last one committed
    /// before it started, and rows changed before then were overwritten.
    public var knownImportWasRecorded: Bool
    /// The recomputation's digests (the run's are in `run`).
    public var dataDigest: String
    public var inputsDigest: String
    /// Whether the recomputed results serialise (`ResultsJSON`) to exactly the stored run's bytes.
    public var identical: Bool
    /// The first place they differ, in words (nil when identical).
    public var firstDifference: String?

    public var inputsMatch: Bool { inputsDigest == run.inputsDigest }
}

extension Workspace {
    /// The import a run's data is known at: the one it recorded, or for a run stored before history was
    /// kept the last import committed before it started (0 when none).
    static func knownImport(_ db: Database, of run: RunSummary) throws -> (id: Int, recorded: Bool) {
        if let known = run.knownImport { return (known, true) }
        let before = try Int.fetchOne(
            db, sql: "SELECT COALESCE(MAX(id), 0) FROM imports WHERE imported_at < ?", arguments: [run.startedAt])
        return (before ?? 0, false)
    }

    /// The point a stored run read its data at, with its exact program versions.
    static func knownPoint(_ db: Database, of run: RunSummary) throws -> (point: KnownPoint, recorded: Bool) {
        let (id, recorded) = try knownImport(db, of: run)
        let row = try Row.fetchOne(db, sql: "SELECT imported_at, file_name FROM imports WHERE id = ?", arguments: [id])
        let point = KnownPoint(
            importID: id, importedAt: row?[0] ?? "", importFile: row?[1] ?? "before any import", moment: row?[0] ?? "",
            programVersions: run.programs.map { KnownPoint.ProgramKey(id: $0.id, version: $0.version) })
        return (point, recorded)
    }

    /// Recomputes run `id` from the data as known at its import with exactly its program versions, and
    /// compares the result with the stored one, byte for byte (both as `compute --format json` writes them).
    /// Throws a `WorkspaceError` for an unknown run, a `DiagnosticReport` when the data as known then no longer
    /// computes.
    public func reproduce(_ id: Int) throws -> Reproduction {
        let (summary, point, recorded) = try pool.read { db in
            let summary = try runSummary(db, id)
            let (point, recorded) = try Self.knownPoint(db, of: summary)
            return (summary, point, recorded)
        }
        // The digests of the run's own scheme: the export's SHA-256 (runs stored before every run took scheme 2), or the
        // one made of the tables' multiset digests.
        let (input, record) = try loadInput(
            programIDs: summary.programs.map(\.id), asKnownAt: point, digests: summary.digestScheme == 2 ? .multiset : .export)
        let recomputed = Engine.compute(input)
        let stored = try runResult(id).result
        let identical = Self.jsonDigest(recomputed) == Self.jsonDigest(stored)
        let (dataDigest, inputsDigest) = (record.dataDigest, record.inputsDigest)
        return Reproduction(
            run: summary, point: point, knownImportWasRecorded: recorded, dataDigest: dataDigest, inputsDigest: inputsDigest,
            identical: identical, firstDifference: identical ? nil : Self.firstDifference(stored: stored, recomputed: recomputed))
    }

    /// The SHA-256 of `result`'s JSON (`ResultsJSON.stream`), hashed as it is written: two results are compared without
    /// holding either text (324 MB each for 100,000 partners).
    static func jsonDigest(_ result: ComputeResult) -> SHA256.Digest {
        var hasher = SHA256()
        ResultsJSON.stream(result) { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }

    /// The first program, partner and row (in the results' order) where two results differ, in words.
    static func firstDifference(stored: ComputeResult, recomputed: ComputeResult) -> String {
        let storedIDs = stored.programs.map(\.program.id), recomputedIDs = recomputed.programs.map(\.program.id)
        if storedIDs != recomputedIDs {
            return "the programs differ: stored \(storedIDs.joined(separator: ", ")), recomputed \(recomputedIDs.joined(separator: ", "))"
        }
        for (old, new) in zip(stored.programs, recomputed.programs) {
            let program = old.program.id
            if old.program != new.program { return "\(program): the program definitions differ" }
            var newPartners: [String: PartnerResult] = [:]
            for partner in new.partners { newPartners[partner.partnerID] = partner }
            var seen: Set<String> = []
            for partner in old.partners {
                seen.insert(partner.partnerID)
                guard let other = newPartners[partner.partnerID] else {
                    return "\(program) \(partner.partnerID): in the stored run, not in the recomputation"
                }
                if partner == other { continue }
                var newRows: [String: ResultRow] = [:]
                for row in other.rows { newRows[row.item] = row }
                for row in partner.rows {
                    guard let again = newRows[row.item] else {
                        return "\(program) \(partner.partnerID) \(row.item): in the stored run, not in the recomputation"
                    }
                    if row == again { continue }
                    return "\(program) \(partner.partnerID) \(row.item): " + rowDifference(row, again)
                }
                for row in other.rows where !partner.rows.contains(where: { $0.item == row.item }) {
                    return "\(program) \(partner.partnerID) \(row.item): in the recomputation, not in the stored run"
                }
                if partner.status != other.status {
                    return "\(program) \(partner.partnerID): status \(partner.status.rawValue) stored, \(other.status.rawValue) recomputed"
                }
                if partner.tier != other.tier { return "\(program) \(partner.partnerID): the tier taken differs" }
                return "\(program) \(partner.partnerID): the rows are in another order"
            }
            for partner in new.partners where !seen.contains(partner.partnerID) {
                return "\(program) \(partner.partnerID): in the recomputation, not in the stored run"
            }
        }
        return "the results are equal but serialise differently"
    }

    /// What differs between two versions of a row: `amount 3,450.04 stored, 3,450.05 recomputed`.
    static func rowDifference(_ stored: ResultRow, _ recomputed: ResultRow) -> String {
        var parts: [String] = []
        func compare(_ name: String, _ a: Money, _ b: Money) {
            if a != b { parts.append("\(name) \(a.groupedText) stored, \(b.groupedText) recomputed") }
        }
        compare("qualifying volume", stored.qualifyingVolume, recomputed.qualifyingVolume)
        compare("threshold", stored.threshold, recomputed.threshold)
        if stored.eligible != recomputed.eligible { parts.append("eligible \(stored.eligible) stored, \(recomputed.eligible) recomputed") }
        compare("amount", stored.amount, recomputed.amount)
        compare("missed", stored.missedAmount, recomputed.missedAmount)
        for flip in flips(stored, recomputed) {
            parts.append("check \(flip.code) \(RunDiffText.mark(flip.before)) stored, \(RunDiffText.mark(flip.after)) recomputed")
        }
        if parts.isEmpty {
            if stored.checks != recomputed.checks { return "the checks' explanations differ" }
            return "the rules-v2 facts (rebate, lines left out) differ"
        }
        return parts.joined(separator: "; ")
    }
}

/// What `runs reproduce` says: the report, and when the run is not reproduced, why (the failure message).
public enum ReproductionText {
    public static func render(_ reproduction: Reproduction) -> (report: String, failure: String?) {
        let run = reproduction.run, point = reproduction.point
        var text =
            "run \(run.id) (started \(run.startedAt)): \(run.programs.map { "\($0.id) v\($0.version)" }.joined(separator: ", ")); "
            + "the data as known at \(point.importID == 0 ? "import 0 (before any import)" : point.label)"
            + (reproduction.knownImportWasRecorded
                ? "" : " (not recorded by the run, which was stored before the workspace kept history: the last import before it started)")
            + "\n"
        text +=
            "inputs sha256 \(reproduction.inputsDigest.prefix(12)) recomputed, \(run.inputsDigest.prefix(12)) stored: "
            + (reproduction.inputsMatch ? "the same\n" : "different\n")
        if run.engineVersion != Engine.version {
            text += "engine: the run was computed by \(run.engineVersion), this is \(Engine.version)\n"
        }
        if reproduction.identical { return (text + "identical: the results are byte for byte those stored\n", nil) }
        var failure = "run \(run.id) is not reproduced: \(reproduction.firstDifference ?? "the results differ")"
        if !reproduction.inputsMatch {
            failure +=
                reproduction.knownImportWasRecorded
                ? "; the data as known at import \(point.importID) is not what the run read (its inputs digest differs)"
                : "; its inputs digest differs: rows changed before the workspace kept history cannot be reproduced"
        }
        return (text, failure)
    }
}
