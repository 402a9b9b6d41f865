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
        let all = try blob.withUnsafeBytes { try CheckBlobs.decode($0, partner: "P1", row: 1) }
        #expect(all == Self.checks)
        #expect(all.map(\.reason) == [nil, "csat:7/10", "", nil])
        let failed = try blob.withUnsafeBytes { try CheckBlobs.decode($0, failedOnly: true, partner: "P1", row: 1) }
        #expect(failed.map(\.code) == [.csat, .strategicService])
        #expect(failed.map(\.reason) == ["csat:7/10", ""])
        #expect(failed.allSatisfy { $0.explanation.isEmpty })
        #expect(CheckBlobs.encode([]) == nil)
        #expect(try CheckBlobs.decode(nil, partner: "P1", row: 1).isEmpty)
    }

    static func day(_ iso: String) -> Day { Day(iso: iso)! }

    /// Checks of every kind of facts, with what the facts form keeps and leaves out: credential records of other ids,
    /// services not strategic or outside the period, days before 1970, a volume below zero, no expiry.
    static let factChecks: [Check] = {
        let partner = "P1"
        let period = DayRange(start: day("2015-04-26"), end: day("2015-07-25"))
        let held = [
            Credential(partnerID: partner, credential: "SEC", achievedOn: day("2015-08-01"), expiresOn: nil),
            Credential(partnerID: partner, credential: "COLLAB", achievedOn: day("1969-12-30"), expiresOn: day("2015-06-30")),
            Credential(partnerID: partner, credential: "SEC", achievedOn: day("2014-01-01"), expiresOn: day("2016-01-01")),
            Credential(partnerID: partner, credential: "DC", achievedOn: day("2014-01-01"), expiresOn: nil),
        ]
        let services = [
            PoweredService(partnerID: partner, service: "Hosted Voice", strategic: true, activeFrom: day("2015-01-01"), activeUntil: nil),
            PoweredService(partnerID: partner, service: "Backup", strategic: false, activeFrom: day("2015-01-01"), activeUntil: nil),
            PoweredService(partnerID: partner, service: "Old Cloud", strategic: true, activeFrom: day("2014-01-01"), activeUntil: day("2015-04-25")),
            PoweredService(partnerID: partner, service: "Cloud Sec «één»", strategic: true, activeFrom: day("2015-07-25"), activeUntil: day("2016-01-01")),
        ]
        return [
            Check(code: .tier, passed: true, reason: nil, facts: .tier(tier: .gold, eligibleTiers: [.gold, .premier])),
            Check(code: .tier, passed: false, reason: "tier:registered", facts: .tier(tier: .registered, eligibleTiers: [.select])),
            Check(code: .csat, passed: false, reason: "csat:7/10", facts: .csat(found: 7, required: 10, period: period)),
            Check(code: .csat, passed: true, reason: nil, facts: .csat(found: 3, required: 0, period: period)),
            Check(code: .credential, passed: true, reason: nil, facts: .noCredentialsRequired),
            Check(
                code: .credential, passed: true, reason: nil,
                facts: .credential(id: "SEC", held: held, deadline: period.end, rule: .periodEnd)),
            Check(
                code: .credential, passed: false, reason: "credential:COLLAB",
                facts: .credential(id: "COLLAB", held: held, deadline: day("2015-07-01"), rule: .enrollment)),
            Check(
                code: .credential, passed: false, reason: "credential:IOT",
                facts: .credential(id: "IOT", held: held, deadline: period.end, rule: .periodEnd)),
            Check(
                code: .credential, passed: false, reason: "credential:COLLAB|IOT",
                facts: .anyCredential(ids: ["COLLAB", "IOT"], held: held, deadline: period.end, rule: .periodEnd)),
            Check(
                code: .credential, passed: true, reason: nil,
                facts: .anyCredential(ids: ["DC", "SEC"], held: held, deadline: day("2015-05-01"), rule: .enrollment)),
            Check(
                code: .volume, passed: false, reason: "volume:-12.34<100000.00",
                facts: .volume(volume: Money(cents: -1_234), minimum: Money(cents: 10_000_000), country: "NL", currency: "EUR", byCountry: true)),
            Check(
                code: .volume, passed: true, reason: nil,
                facts: .volume(volume: Money(cents: 123_456_789_012), minimum: .zero, country: "US", currency: "USD", byCountry: false)),
            Check(code: .strategicService, passed: true, reason: nil, facts: .strategicService(services: services, period: period, tier: .premier)),
            Check(
                code: .strategicService, passed: false, reason: "strategic_service",
                facts: .strategicService(services: [services[1]], period: period, tier: .gold)),
            Check(code: .volume, passed: true, reason: nil, facts: .text("worded already")),
        ]
    }()

    static func facts(_ checks: [Check]) -> Data {
        var bytes: [UInt8] = []
        CheckBlobs.append(checks, to: &bytes)
        return Data(bytes)
    }

    /// Runs store the facts their checks are worded from: read back, each check words as computed (a function of the
    /// facts alone), and the facts the advice reads (shortfalls, credential records, deadlines) are the computed ones.
    @Test func aRowsFactsComeBackAndWordAsComputed() throws {
        // Worked out by hand: the marker 0, then the first check: code tier (0), passed, no reason, kind tier (1),
        // gold (0), eligible gold and premier (bits 0 and 1).
        #expect(Array(Self.facts([Self.factChecks[0]])) == [0, 0, 1, 0, 1, 0, 0b11])
        // The csat check: code 1, failed, reason "csat:7/10" (9 bytes, so 10), kind csat (2), 7, 10, then the period's
        // days since 1970 as zigzag varints: 2015-04-26 is day 16551, zigzag 33102 = 0xCE 0x82 0x02.
        let csat = Array(Self.facts([Self.factChecks[2]]))
        #expect(csat.prefix(4) == [0, 1, 0, 10] && csat[13...18] == [2, 7, 10, 0xCE, 0x82, 0x02])
        #expect(Self.facts([]).isEmpty)

        let blob = Self.facts(Self.factChecks)
        let read = try blob.withUnsafeBytes { try CheckBlobs.decode($0, partner: "P1", row: 1) }
        #expect(read == Self.factChecks)
        #expect(read.map(\.explanation) == Self.factChecks.map(\.explanation))
        #expect(read.map(\.reason) == Self.factChecks.map(\.reason))
        #expect(read.map(\.passed) == Self.factChecks.map(\.passed))
        #expect(read.map { $0.facts.shortfall } == Self.factChecks.map { $0.facts.shortfall })
        #expect(read.map { $0.facts.credentialRequirement } == Self.factChecks.map { $0.facts.credentialRequirement })
        // A credential check keeps the partner's records of its ids only, in their order, with the row's partner.
        guard case .credential(_, let sec, _, _) = read[5].facts, case .anyCredential(_, let any, _, _) = read[9].facts,
            case .strategicService(let services, _, _) = read[12].facts
        else {
            Issue.record("facts of another kind: \(read.map(\.facts))")
            return
        }
        #expect(sec.map(\.achievedOn) == [Self.day("2015-08-01"), Self.day("2014-01-01")] && sec.allSatisfy { $0.partnerID == "P1" })
        #expect(any.map(\.credential) == ["SEC", "SEC", "DC"])
        #expect(any.map(\.expiresOn) == [nil, Self.day("2016-01-01"), nil])
        for id in ["SEC", "COLLAB", "DC", "IOT"] {
            for deadline in ["2015-05-01", "2015-07-25"] {
                let original = Self.factChecks[9].facts, stored = read[9].facts
                if case .anyCredential(_, let heldBefore, _, _) = original, case .anyCredential(_, let heldAfter, _, _) = stored,
                    ["DC", "SEC"].contains(id)
                {
                    #expect(
                        Check.Facts.records(of: id, in: heldAfter, on: Self.day(deadline))
                            == Check.Facts.records(of: id, in: heldBefore, on: Self.day(deadline)))
                }
            }
        }
        // The services that count: strategic and overlapping the period.
        #expect(services.map(\.service) == ["Hosted Voice", "Cloud Sec «één»"])
        #expect(read[12].explanation == "delivers strategic Cisco Powered Service Hosted Voice, Cloud Sec «één» in the period")

        let failed = try blob.withUnsafeBytes { try CheckBlobs.decode($0, failedOnly: true, partner: "P1", row: 1) }
        let failedChecks = Self.factChecks.filter { !$0.passed }
        #expect(failed.map(\.code) == failedChecks.map(\.code) && failed.map(\.reason) == failedChecks.map(\.reason))
        #expect(failed.allSatisfy { $0.explanation.isEmpty })
    }

    /// Two blobs differ in words unless their checks word alike, whatever their forms.
    @Test func blobsAreComparedByTheirWords() throws {
        let facts = Self.facts(Self.factChecks)
        let words = try #require(CheckBlobs.encode(Self.factChecks))
        #expect(facts != words)
        #expect(!CheckBlobs.wordsDiffer(facts, words) && !CheckBlobs.wordsDiffer(words, facts) && !CheckBlobs.wordsDiffer(nil, nil))
        var other = Self.factChecks
        other[2] = Check(code: .csat, passed: false, reason: "csat:8/10", facts: .csat(found: 8, required: 10, period: DayRange(start: Self.day("2015-04-26"), end: Self.day("2015-07-25"))))
        #expect(CheckBlobs.wordsDiffer(facts, Self.facts(other)) && CheckBlobs.wordsDiffer(words, Self.facts(other)))
        #expect(CheckBlobs.wordsDiffer(facts, nil) && CheckBlobs.wordsDiffer(nil, words))
        // Facts the words do not show (the period of a CSAT check that requires none): alike.
        var period = Self.factChecks
        period[3] = Check(code: .csat, passed: true, reason: nil, facts: .csat(found: 3, required: 0, period: DayRange(start: Self.day("2016-01-01"), end: Self.day("2016-03-31"))))
        #expect(Self.facts(period) != facts && !CheckBlobs.wordsDiffer(facts, Self.facts(period)))
        // A blob that does not decode differs from every other, itself aside.
        #expect(CheckBlobs.wordsDiffer(Data([0, 9]), facts) && !CheckBlobs.wordsDiffer(Data([0, 9]), Data([0, 9])))
    }

    /// A run stored before runs kept facts has its checks in words: its partners are unchanged against a run of the
    /// same data with facts, and a partner whose words differ is named.
    @Test func aRunInWordsComparesWithARunOfFacts() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        _ = try workspace.run()
        _ = try workspace.run(full: true)
        // Run 1's blobs written in words, as a run stored before `v21-check-facts` holds them.
        let changed = try workspace.pool.writeWithoutTransaction { db -> (String, String) in
            let rows = try Row.fetchAll(db, sql: "SELECT id, partner_id, checks FROM run_rows WHERE run_id = 1 AND checks IS NOT NULL ORDER BY id")
            #expect(rows.count > 10)
            for row in rows {
                let id: Int64 = row[0], blob: Data = row[2]
                #expect(blob.first == 0)
                let checks = try blob.withUnsafeBytes { try CheckBlobs.decode($0, partner: row[1], row: id) }
                var words = try #require(CheckBlobs.encode(checks))
                if row == rows.last {
                    var reworded = checks
                    reworded[0].explanation += " (edited)"
                    words = try #require(CheckBlobs.encode(reworded))
                }
                try db.execute(sql: "UPDATE run_rows SET checks = ? WHERE id = ?", arguments: [words, id])
            }
            let last = try #require(rows.last)
            return (try String.fetchOne(db, sql: "SELECT program_id FROM run_rows WHERE id = ?", arguments: [last[0] as Int64])!, last[1])
        }
        let changes = try workspace.partnerChanges(1, 2)
        #expect(changes.map { "\($0.program) \($0.partnerID)" } == ["\(changed.0) \(changed.1)"])
        let diff = try workspace.diffRuns(1, 2)
        #expect(Set(diff.rows.map { "\($0.program) \($0.partnerID)" }) == ["\(changed.0) \(changed.1)"])
        // Both read back with the same words, the edited row aside.
        let (first, second) = (try workspace.runResult(1).result, try workspace.runResult(2).result)
        #expect(first.rows.count == second.rows.count)
        let differing = zip(first.rows, second.rows).filter { $0.0.checks != $0.1.checks }
        #expect(differing.map(\.0.partnerID) == [changed.1])
    }

    /// `diffRuns` reads only the partners whose rows differ (`partnerChanges`) up to a limit, and both runs whole past
    /// it: the two give the same diff, with rows changed, added (a program only the later run has, a partner moved
    /// in), removed, and checks flipped; and a diff of two runs that differ in nothing reads no partner.
    @Test func aDiffReadsTheChangedPartnersAsTheWholeRunsGiveThem() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        _ = try workspace.run(programIDs: ["VIP25-3M", "VIP25-6M"])
        let correction = try sandbox.write(
            """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            SO15-1003,1,NL1003,2015-04-20,2015-04-28,UCS-C240M4SX,2,18000.00,USD,
            SO15-1001,1,NL1002,2015-04-20,2015-04-28,UCS-C240M4SX,1,250.00,USD,

            """, to: "correction.csv")
        _ = try workspace.importFile(.bookings, path: correction, displayName: "correction.csv")
        _ = try workspace.run()
        _ = try workspace.run(programIDs: ["VIP25-3M"])
        var sawAdded = false, sawRemoved = false, sawChanged = false, sawFlip = false
        for (first, second) in [(1, 2), (2, 3), (1, 3), (3, 1), (2, 2)] {
            let byPartner = try workspace.diffRuns(first, second, partner: nil, partnerReadsLimit: Workspace.partnerReadsLimit)
            let whole = try workspace.diffRuns(first, second, partner: nil, partnerReadsLimit: -1)
            #expect(RunDiffText.render(byPartner) == RunDiffText.render(whole), "runs \(first) and \(second)")
            #expect(RunDiffText.csv(byPartner) == RunDiffText.csv(whole), "runs \(first) and \(second)")
            #expect(byPartner.currency == "USD" && whole.currency == "USD")
            #expect(Set(try workspace.partnerChanges(first, second).map { "\($0.program) \($0.partnerID)" }) == Set(whole.rows.map { "\($0.program) \($0.partnerID)" }))
            sawAdded = sawAdded || whole.rows.contains { $0.kind == "added" }
            sawRemoved = sawRemoved || whole.rows.contains { $0.kind == "removed" }
            sawChanged = sawChanged || whole.rows.contains { $0.kind == "changed" }
            sawFlip = sawFlip || whole.rows.contains { !$0.flips.isEmpty && $0.kind == "changed" }
            if first == second { #expect(byPartner.rows.isEmpty && whole.rows.isEmpty) }
        }
        #expect(sawAdded && sawRemoved && sawChanged && sawFlip)
    }

    @Test func aBlobThatDoesNotDecodeIsADamagedWorkspace() throws {
        let blob = try #require(CheckBlobs.encode(Self.checks))
        var unknownCode = blob
        unknownCode[1] = 0x78  // "xier"
        var passedByte = blob
        passedByte[5] = 2
        for damaged in [blob.dropLast(), blob.prefix(3), unknownCode, passedByte, Data([0x80])] {
            let error = workspaceError { _ = try Data(damaged).withUnsafeBytes { try CheckBlobs.decode($0, partner: "P1", row: 42) } }
            #expect(error?.code == .damaged)
            #expect(error?.message == "the checks of result row 42 do not decode")
        }
        // The facts form: cut short, an unknown code, an unknown kind, a second passed byte, a credential record whose
        // id is not in the list.
        let facts = Self.facts(Self.factChecks)
        var unknownKind = Self.facts([Self.factChecks[0]])
        unknownKind[4] = 8
        var unknownFactCode = unknownKind
        unknownFactCode[1] = 5
        var anyRecord = Self.facts([Self.factChecks[9]])
        // The last record is DC's: its id's position (0), achieved 2014-01-01 (day 16071, three bytes), no expiry (0).
        #expect(anyRecord.suffix(5).first == 0 && anyRecord.last == 0)
        anyRecord[anyRecord.count - 5] = 2
        for damaged in [facts.dropLast(), facts.prefix(9), unknownKind, unknownFactCode, Data([0, 0, 2]), anyRecord] {
            for failedOnly in [false, true] where !(failedOnly && damaged == anyRecord) {
                let error = workspaceError { _ = try Data(damaged).withUnsafeBytes { try CheckBlobs.decode($0, failedOnly: failedOnly, partner: "P1", row: 42) } }
                #expect(error?.code == .damaged, "\(Array(damaged)) failedOnly \(failedOnly)")
            }
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
