import Foundation
import GRDB
import IncentiveEngine
import IncentiveSynthetic
import Testing

@testable import IncentiveStore

/// A result row's checks kept in the row (`run_rows.checks`, `CheckBlobs`), and the lists by amount read through
/// indexes of the amounts other than zero (`v20-list-indexes`).
@Suite struct CheckBlobsTests {
    static let checks = [
        Check(code: .tier, passed: true, reason: nil, explanation: "tier gold: admitted"),
        Check(code: .csat, passed: false, reason: "csat:7/10", explanation: "7 of 10 CSAT reports — «één» te weinig"),
        Check(code: .strategicService, passed: false, reason: "", explanation: ""),
        Check(code: .volume, passed: true, reason: nil, explanation: String(repeating: "x", count: 300)),
    ]

    @Test func aRowsChecksComeBackAsWritten() throws {
        let blob = try #require(CheckBlobs.encode(Self.checks))
        // Worked out by hand for the first check: "tier" (4), passed, no reason, then the explanation's 19 bytes.
        #expect(Array(blob.prefix(8)) == [4, 0x74, 0x69, 0x65, 0x72, 1, 0, 19])
        let all = try blob.withUnsafeBytes { try CheckBlobs.decode($0, row: 1) }
        #expect(all == Self.checks)
        #expect(all.map(\.reason) == [nil, "csat:7/10", "", nil])
        let failed = try blob.withUnsafeBytes { try CheckBlobs.decode($0, failedOnly: true, row: 1) }
        #expect(failed.map(\.code) == [.csat, .strategicService])
        #expect(failed.map(\.reason) == ["csat:7/10", ""])
        #expect(failed.allSatisfy { $0.explanation.isEmpty })
        #expect(CheckBlobs.encode([]) == nil)
        #expect(try CheckBlobs.decode(nil, row: 1).isEmpty)
    }

    @Test func aBlobThatDoesNotDecodeIsADamagedWorkspace() throws {
        let blob = try #require(CheckBlobs.encode(Self.checks))
        var unknownCode = blob
        unknownCode[1] = 0x78  // "xier"
        var passedByte = blob
        passedByte[5] = 2
        for damaged in [blob.dropLast(), blob.prefix(3), unknownCode, passedByte, Data([0x80])] {
            let error = workspaceError { _ = try Data(damaged).withUnsafeBytes { try CheckBlobs.decode($0, row: 42) } }
            #expect(error?.code == .damaged)
            #expect(error?.message == "the checks of result row 42 do not decode")
        }
        // In a stored run, the run's reader says so instead of reading other checks.
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        _ = try workspace.run()
        try workspace.pool.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE run_rows SET checks = substr(checks, 1, 10) WHERE id = (SELECT MIN(id) FROM run_rows)")
        }
        let error = try #require(workspaceError { _ = try workspace.runResult(1) })
        #expect(error.code == .damaged && error.message.hasSuffix("do not decode"))
    }

    /// A run stores one blob per row with checks and no `run_checks`; its rows read back as computed.
    @Test func aRunWritesEachRowsChecksIntoTheRow() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let outcome = try workspace.run()
        let computed = try outcome.result
        let counts = try workspace.pool.read { db in
            try [
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_rows WHERE checks IS NOT NULL")!,
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run_checks")!,
            ]
        }
        #expect(counts == [computed.rows.filter { !$0.checks.isEmpty }.count, 0])
        #expect(ResultsJSON.render(try workspace.runResult(1).result) == ResultsJSON.render(computed))
    }

    /// Pages by paid and by missed amount, every page size against the partners sorted here, with amounts above, at
    /// and below zero (below zero written into a stored run by hand: the engine pays none, the lists order them all).
    @Test func pagesByAmountCrossZeroAndBelowIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let files = sandbox.path("files")
        try DatasetGenerator(partners: 300, lines: 3_000, seed: 5).write(to: files)
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
        _ = try workspace.importFolder(files + "/data")
        _ = try workspace.run()
        try workspace.pool.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    UPDATE run_partner_totals SET amount_cents = -(unicode(substr(partner_id, -1)) % 7) * 100,
                        missed_amount_cents = -(unicode(substr(partner_id, -1)) % 5) * 100
                    WHERE partner_id IN (SELECT partner_id FROM run_partner_totals WHERE amount_cents = 0 ORDER BY partner_id LIMIT 40)
                    """)
        }
        let expected = try RunListsTests.expected(workspace, run: 1)
        let totals = try workspace.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT program_id, partner_id, amount_cents, missed_amount_cents FROM run_partner_totals")
        }
        var amounts: [String: (Int64, Int64)] = [:]
        for row in totals { amounts["\(row[0] as String) \(row[1] as String)"] = (row[2], row[3]) }
        var sawBelowZero = false
        for (program, partners) in expected {
            // The stored amounts (some set below zero here), not the computed ones.
            let stored = partners.map { partner in
                var partner = partner
                let (amount, missed) = amounts["\(program) \(partner.partnerID)"]!
                partner.totals.amount = Money(cents: amount)
                partner.totals.missedAmount = Money(cents: missed)
                return partner
            }
            sawBelowZero = sawBelowZero || stored.contains { $0.totals.amount.cents < 0 }
            for order in [PartnerOrder.paid, .missed] {
                let sorted = RunListsTests.sorted(stored, by: order)
                for size in [1, 7, 50, 1_000] {
                    let read = try RunListsTests.allPages(pageSize: size) { offset in
                        try workspace.runPartners(run: 1, program: program, query: PartnerQuery(order: order, offset: offset, limit: size))
                    }
                    #expect(read.items == sorted, "\(program) by \(order), pages of \(size)")
                    #expect(read.totals == [stored.count])
                }
            }
        }
        #expect(sawBelowZero)
        let indexed = try workspace.pool.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE name LIKE 'run_partner_totals_by_%' ORDER BY name")
        }
        #expect(indexed.count == 2 && indexed.allSatisfy { $0.hasSuffix("<> 0") })
    }
}
