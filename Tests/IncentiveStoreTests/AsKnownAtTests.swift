import Foundation
import GRDB
import IncentiveEngine
import IncentiveStore
import Testing

/// Issue 16 point 2 in the store: reading the data as known at an import or an instant, runs that remember
/// what they read and compute again byte for byte, and the booking lines that changed between two runs.
@Suite struct AsKnownAtTests {
    /// An instant of 2026-11-30 UTC, `hh:mm:ss`.
    static func at(_ time: String) -> Date {
        let parts = time.split(separator: ":").map { Double($0)! }
        return Date(timeIntervalSince1970: 1_795_996_800 + parts[0] * 3600 + parts[1] * 60 + parts[2])
    }

    static func open(_ path: String, at time: String) throws -> Workspace { try Workspace.open(at: path, clock: .fixed(at(time))) }

    /// At 09:00 the example programs, at 09:01 the example data (imports 1 to 8, bookings last), run 1 at
    /// 09:02; at 09:03 a correction of two booking lines and one new line (import 9), at 09:04 VIP25-6M v2
    /// (7% for UCS instead of 6%), run 2 at 09:05.
    static func history(_ sandbox: Sandbox) throws -> String {
        let path = sandbox.path("w.sqlite")
        let created = try Workspace.create(at: path, clock: .fixed(at("09:00:00")))
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try created.addProgram(file: file) }
        _ = try open(path, at: "09:01:00").importFolder(Sandbox.exampleData)
        #expect(try open(path, at: "09:02:00").run().summary.id == 1)
        let correction = try sandbox.write(
            """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            SO15-1003,1,NL1003,2015-04-20,2015-04-28,UCS-C240M4SX,2,18000.00,USD,
            SO15-1102,1,NL1002,2015-03-16,2015-03-27,UCS-FI-6248UP,2,31250.01,USD,
            SO15-9001,1,NL1004,2015-05-05,2015-05-15,UCS-C240M4SX,1,1000.00,USD,

            """, to: "correction.csv")
        let imported = try open(path, at: "09:03:00").importFile(.bookings, path: correction, displayName: "correction.csv")
        #expect(imported.files.map { [$0.added, $0.changed, $0.unchanged] } == [[1, 2, 0]])
        let original = try Sandbox.text(Sandbox.examplePrograms + "/vip25-6m.yaml")
        let raised = try sandbox.write(original.replacingOccurrences(of: "rebate_percent: 6\n", with: "rebate_percent: 7\n"), to: "vip25-6m.yaml")
        #expect(try open(path, at: "09:04:00").addProgram(file: raised).version.version == 2)
        #expect(try open(path, at: "09:05:00").run().summary.id == 2)
        return path
    }

    /// The imports a runs diff names are those between the two runs' known imports, even when every step
    /// happened at the same instant (a clock that stands still: by time, all nine imports would be "between").
    @Test func theImportsBetweenTwoRunsAreThoseBetweenTheirKnownImports() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("still.sqlite")
        let workspace = try Workspace.create(at: path, clock: .fixed(Self.at("09:00:00")))
        for file in try Sandbox.programFiles(Sandbox.examplePrograms) { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(Sandbox.exampleData)
        _ = try workspace.run()
        let correction = try sandbox.write(
            """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            SO15-1003,1,NL1003,2015-04-20,2015-04-28,UCS-C240M4SX,2,18000.00,USD,

            """, to: "correction.csv")
        _ = try workspace.importFile(.bookings, path: correction, displayName: "correction.csv")
        _ = try workspace.run()
        let diff = try workspace.diffRuns(1, 2)
        #expect(diff.imports.map(\.id) == [9])
        #expect(diff.imports.map(\.file) == ["correction.csv"])
        #expect(try workspace.runDiffHeader(1, 2).imports.map(\.id) == [9])
        #expect(try workspace.diffRuns(2, 1).imports.map(\.id) == [9])
    }

    @Test func asKnownAtValuesAreRead() throws {
        func parsed(_ text: String) -> KnownAt? { try? KnownAt.parse(text).get() }
        #expect(parsed("8") == .importID(8))
        #expect(parsed("2026-11-30") == .instant("2026-11-30T23:59:59.999Z"))
        #expect(parsed("2026-11-30T10:00:00Z") == .instant("2026-11-30T10:00:00.000Z"))
        #expect(parsed("2026-11-30T10:00Z") == .instant("2026-11-30T10:00:00.000Z"))
        #expect(parsed("2026-11-30T10:00:00.25Z") == .instant("2026-11-30T10:00:00.250Z"))
        #expect(parsed("2026-11-30T10:00:00.123456Z") == .instant("2026-11-30T10:00:00.123Z"))
        #expect(parsed("2026-12-01T00:30:00+01:00") == .instant("2026-11-30T23:30:00.000Z"))
        #expect(parsed("2026-11-30T23:30:00-0100") == .instant("2026-12-01T00:30:00.000Z"))
        for bad in [
            "0", "", "-1", "x", "2026-11-30T10:00:00", "2026-11-31", "2026-11-30T24:00:00Z", "2026-11-30 10:00:00Z", "2026-11-30T10:00:00Zjunk",
        ] {
            #expect(parsed(bad) == nil, "\(bad)")
        }
        guard case .failure(let zero) = KnownAt.parse("0") else { Issue.record("0 was accepted"); return }
        #expect(zero.message == "import ids start at 1 (0 is the data before any import)")
    }

    @Test func anImportOrAnInstantIsResolved() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.open(at: try Self.history(sandbox))
        let eight = try workspace.resolve(.importID(8))
        #expect(eight.importID == 8 && eight.importedAt == "2026-11-30T09:01:00.000Z" && eight.moment == eight.importedAt)
        #expect(eight.importFile.hasSuffix("examples/data/bookings.csv"))
        let beforeCorrection = try workspace.resolve(.instant("2026-11-30T09:02:59.999Z"))
        #expect(beforeCorrection.importID == 8 && beforeCorrection.moment == "2026-11-30T09:02:59.999Z")
        #expect(try workspace.resolve(.instant("2026-11-30T09:03:00.000Z")).importID == 9)
        #expect(try workspace.resolve(.instant("2026-11-30T23:59:59.999Z")).importID == 9)
        #expect(workspaceError { _ = try workspace.resolve(.importID(10)) }?.message == "no import 10 in the workspace (imports are 1 to 9)")
        #expect(
            workspaceError { _ = try workspace.resolve(.instant("2026-11-30T09:00:59.999Z")) }?.message
                == "nothing was imported by 2026-11-30T09:00:59.999Z: the first import is at 2026-11-30T09:01:00.000Z")
        let empty = try Workspace.create(at: sandbox.path("empty.sqlite"))
        #expect(workspaceError { _ = try empty.resolve(.importID(1)) }?.message == "no import 1 in the workspace (it has no imports yet)")
    }

    @Test func theDataAsKnownAtAnImportIsWhatTheRunThenRead() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.open(at: try Self.history(sandbox))
        let (run1, stored1) = try workspace.runResult(1)
        let (run2, stored2) = try workspace.runResult(2)
        #expect(run1.knownImport == 8 && run2.knownImport == 9)

        let (input8, record8) = try workspace.loadInput(asKnownAt: try workspace.resolve(.importID(8)), digests: .multiset)
        #expect(record8.dataDigest == run1.dataDigest && record8.inputsDigest == run1.inputsDigest && record8.knownImport == 8)
        #expect(input8.totals.lineCount == 66)
        #expect(ResultsJSON.render(Engine.compute(input8)) == ResultsJSON.render(stored1))
        // The current data is import 9's, with 67 lines.
        let (current, currentRecord) = try workspace.loadInput(digests: .multiset)
        #expect(current.totals.lineCount == 67 && currentRecord.knownImport == 9 && currentRecord.dataDigest == run2.dataDigest)

        // As known at import 9, at its instant: VIP25-6M v1 (v2 was added a minute later), 6% of NL1002's 57,500.00.
        let (input9, record9) = try workspace.loadInput(asKnownAt: try workspace.resolve(.importID(9)), digests: .multiset)
        #expect(record9.programVersions.map { "\($0.id) v\($0.version)" } == ["PROVIDER-MDF-FY23-H2 v1", "VIP25-3M v1", "VIP25-6M v1"])
        #expect(record9.dataDigest == run2.dataDigest && record9.inputsDigest != run2.inputsDigest)
        let nl1002 = Engine.compute(input9).rows.first { $0.program == "VIP25-6M" && $0.partnerID == "NL1002" }
        #expect(nl1002?.qualifyingVolume == Money(cents: 5_750_000) && nl1002?.amount == Money(cents: 345_000))
        // At 09:04, the data of import 9 and VIP25-6M v2: run 2 exactly (7% = 4,025.00).
        let (input904, record904) = try workspace.loadInput(asKnownAt: try workspace.resolve(.instant("2026-11-30T09:04:00Z")), digests: .multiset)
        #expect(record904.inputsDigest == run2.inputsDigest)
        #expect(ResultsJSON.render(Engine.compute(input904)) == ResultsJSON.render(stored2))
        // Before the first import there is nothing to read as known.
        #expect(workspaceError { _ = try workspace.resolve(.instant("2026-11-30T09:00:30Z")) }?.code == .notFound)

        // One partner as known then: NL1002's lines (57,499.99 before the correction) and NL1001's moved line.
        let (one, _) = try workspace.loadInput(tracePartner: "NL1002", onlyPartner: true, asKnownAt: try workspace.resolve(.importID(8)))
        let then = Engine.compute(one).rows.first { $0.program == "VIP25-6M" && $0.partnerID == "NL1002" }
        #expect(then?.qualifyingVolume == Money(cents: 5_749_999) && then?.eligible == false)
        let (nl1001Then, _) = try workspace.loadInput(tracePartner: "NL1001", onlyPartner: true, asKnownAt: try workspace.resolve(.importID(8)))
        let (nl1001Now, _) = try workspace.loadInput(tracePartner: "NL1001", onlyPartner: true)
        #expect(nl1001Then.totals.lineCount == 9 && nl1001Now.totals.lineCount == 8)
    }

    @Test func runsReproduceAndADamagedRunIsNamed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = try Self.history(sandbox)
        let workspace = try Workspace.open(at: path)
        for id in [1, 2] {
            let reproduction = try workspace.reproduce(id)
            #expect(reproduction.identical && reproduction.inputsMatch && reproduction.knownImportWasRecorded && reproduction.firstDifference == nil)
        }
        #expect(try workspace.reproduce(1).point.importID == 8)
        #expect(try workspace.reproduce(2).point.programVersions?.map(\.version) == [1, 1, 2])

        // A stored amount changed behind the workspace's back: run 1 no longer reproduces, and the row is named.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE run_rows SET amount_cents = amount_cents + 1
                    WHERE run_id = 1 AND program_id = 'VIP25-6M' AND partner_id = 'NL1001' AND item = 'data-center/ucs'
                    """)
        }
        try queue.close()
        let damaged = try Workspace.open(at: path).reproduce(1)
        #expect(!damaged.identical && damaged.inputsMatch)
        #expect(damaged.firstDifference == "VIP25-6M NL1001 data-center/ucs: amount 3,450.05 stored, 3,450.04 recomputed")
        #expect(workspaceError { _ = try workspace.reproduce(3) }?.message == "no run 3 in the workspace (runs are 1 to 2)")
    }

    @Test func theDiffNamesEachChangedBookingLine() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.open(at: try Self.history(sandbox))
        let diff = try workspace.diffRuns(1, 2)
        let lines = try #require(diff.lines)
        #expect(lines.fromImport == 8 && lines.toImport == 9 && lines.recorded)
        #expect(lines.changed == 2 && lines.added == 1 && lines.retired == 0)
        func describe(_ line: LineChange) -> String {
            "\(line.orderID)/\(line.line) \(line.partnerID) \(line.kind.rawValue) by \(line.importID) \(line.importFile) \(line.importedAt): "
                + line.columns.map { "\($0.name) \($0.before ?? "-") -> \($0.after ?? "-")" }.joined(separator: ", ")
        }
        #expect(
            lines.lines.map(describe) == [
                "SO15-1003/1 NL1003 changed by 9 correction.csv 2026-11-30T09:03:00.000Z: partner_id NL1001 -> NL1003",
                "SO15-1102/1 NL1002 changed by 9 correction.csv 2026-11-30T09:03:00.000Z: amount 31250.00 -> 31250.01",
                "SO15-9001/1 NL1004 added by 9 correction.csv 2026-11-30T09:03:00.000Z: partner_id - -> NL1004, booked_on - -> 2015-05-05, "
                    + "shipped_on - -> 2015-05-15, sku - -> UCS-C240M4SX, quantity - -> 1, amount - -> 1000.00, currency - -> USD",
            ])
        // The other way round, the new line is retired by the same import.
        let back = try #require(try workspace.diffRuns(2, 1).lines)
        #expect(
            back.lines.map { "\($0.orderID) \($0.kind.rawValue) \($0.importID)" } == [
                "SO15-1003 changed 9", "SO15-1102 changed 9", "SO15-9001 retired 9",
            ])
        #expect(back.lines[1].columns.map { "\($0.before!) -> \($0.after!)" } == ["31250.01 -> 31250.00"])
        // One partner's diff lists the lines that count for it in either run: NL1001 lost SO15-1003.
        let nl1001 = try #require(try workspace.diffRuns(1, 2, partner: "NL1001").lines)
        #expect(nl1001.lines.map(\.orderID) == ["SO15-1003"])
        #expect(try workspace.diffRuns(1, 2, partner: "DE3001").lines?.lines.isEmpty == true)
        // The text caps the list.
        let text = RunDiffText.lines(lines, diff: diff, limit: 1)
        #expect(text.hasSuffix("  ... and 2 more (all of them: --format csv --lines, or --format json)\n"))
    }

    /// A run stored before the workspace kept history (`Tests/Fixtures/workspace-v6.sqlite`: the example data,
    /// imports 1 to 8, an enrolment, import 9, then run 1) reproduces from the last import before it started;
    /// a later correction is kept in history, so it still does; a row overwritten before history was kept
    /// (a change with no history row, as every change was then) makes it fail, and says why.
    @Test func aRunStoredBeforeHistoryWasKept() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.path("old.sqlite")
        try FileManager.default.copyItem(atPath: Sandbox.packageRoot.appendingPathComponent("Tests/Fixtures/workspace-v6.sqlite").path, toPath: path)
        let workspace = try Workspace.open(at: path)
        #expect(try workspace.runSummary(1).knownImport == nil)
        let first = try workspace.reproduce(1)
        #expect(first.identical && first.inputsMatch && !first.knownImportWasRecorded && first.point.importID == 9)
        let (report, failure) = ReproductionText.render(first)
        #expect(failure == nil)
        #expect(
            report.contains(
                "the data as known at import 9 (enroll NL1002 in VIP25-6M collaboration/voice on 2015-03-01, 2026-11-30T08:29:57.034Z) (not recorded by the run, which was stored before the workspace kept history: the last import before it started)\n"
            ))
        #expect(report.hasSuffix(": the same\nidentical: the results are byte for byte those stored\n"))

        // A correction after the upgrade is kept: run 1 still reproduces, and the diff names the line.
        let correction = try sandbox.write(
            "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
                + "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.01,USD,\n", to: "correction.csv")
        _ = try workspace.importFile(.bookings, path: correction, displayName: "correction.csv")
        #expect(try workspace.run().summary.knownImport == 10)
        #expect(try workspace.reproduce(1).identical)
        let lines = try #require(try workspace.diffRuns(1, 2).lines)
        #expect(lines.fromImport == 9 && lines.toImport == 10 && !lines.recorded)
        #expect(
            lines.lines.map { "\($0.orderID) \($0.kind.rawValue) \($0.importID) \($0.columns.map { "\($0.name) \($0.before!) -> \($0.after!)" })" }
                == [
                    "SO15-1001 changed 10 [\"amount 24000.00 -> 24000.01\"]"
                ])
        #expect(RunDiffText.render(try workspace.diffRuns(1, 2)).contains("lines changed before history was kept are not listed"))

        // What the previous release did to a changed row: overwrite it, keeping nothing.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    DROP TRIGGER bookings_keep_changed;
                    UPDATE bookings SET amount_cents = 3125100 WHERE order_id = 'SO15-1102' AND line = '1';
                    """)
        }
        try queue.close()
        let overwritten = try Workspace.open(at: path).reproduce(1)
        #expect(!overwritten.identical && !overwritten.inputsMatch)
        let (_, refused) = ReproductionText.render(overwritten)
        #expect(
            refused
                == "run 1 is not reproduced: VIP25-6M NL1002 data-center/ucs: qualifying volume 57,499.99 stored, 57,500.99 recomputed; "
                + "eligible false stored, true recomputed; amount 0.00 stored, 3,450.06 recomputed; missed 3,450.00 stored, 0.00 recomputed; "
                + "check volume FAIL stored, pass recomputed; its inputs digest differs: rows changed before the workspace kept history cannot be reproduced"
        )
    }
}
