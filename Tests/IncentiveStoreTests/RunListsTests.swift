import Foundation
import GRDB
import IncentiveEngine
@testable import IncentiveStore
import IncentiveSynthetic
import Synchronization
import Testing

/// The partner lists, overviews and diff lists a page reads from a stored run, checked against the whole
/// run read back (`runResult`) and ordered, searched and summed here independently.
@Suite(.serialized) struct RunListsTests {
    /// A generated workspace of 1,500 partners with two runs: between them about one booking in fifty
    /// changed its amount, and a partner was added. Run 2 is stored anchored on run 1 (only the partners it computed,
    /// `RunRows`), so every list, overview, search, partner view and pair diff here reads through both runs.
    final class Fixture: @unchecked Sendable {
        let sandbox: Sandbox
        let workspace: Workspace
        let path: String

        init() throws {
            sandbox = try Sandbox()
            let files = sandbox.path("files")
            try DatasetGenerator(partners: 1_500, lines: 15_000, seed: 3).write(to: files)
            path = sandbox.path("lists.sqlite")
            workspace = try Workspace.create(at: path)
            workspace.anchoredSharePercent.store(100, ordering: .relaxed)
            for file in try Sandbox.programFiles(files + "/programs") { _ = try workspace.addProgram(file: file) }
            _ = try workspace.importFolder(files + "/data")
            _ = try workspace.run()
            // Change every 50th booking line's amount, and add a partner.
            let bookings = try String(contentsOfFile: files + "/data/bookings.csv", encoding: .utf8)
            var lines = bookings.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            for index in stride(from: 1, to: lines.count, by: 50) {
                var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                fields[7] = "123456.78"
                lines[index] = fields.joined(separator: ",")
            }
            let changed = try sandbox.write(lines.joined(separator: "\n") + "\n", to: "bookings.csv")
            _ = try workspace.importFile(.bookings, path: changed)
            let partners = try String(contentsOfFile: files + "/data/partners.csv", encoding: .utf8)
            let more = try sandbox.write(partners + "Q000001,zeta 100% Partners_,NL,gold,true\n", to: "partners.csv")
            _ = try workspace.importFile(.partners, path: more)
            let second = try workspace.run().summary
            guard second.anchorRun == 1 else { throw WorkspaceError(.damaged, "run 2 was not stored anchored on run 1") }
        }

        deinit { sandbox.remove() }
    }

    static let fixture = Result { try Fixture() }

    /// Every (program, partner) of the run that takes part, with names, straight from the whole run.
    static func expected(_ workspace: Workspace, run: Int) throws -> [String: [PartnerStanding]] {
        let names = Dictionary(uniqueKeysWithValues: try workspace.partners(offset: 0, limit: 1_000_000).items.map { ($0.id, $0.name) })
        var lists: [String: [PartnerStanding]] = [:]
        for program in try workspace.runResult(run).result.programs {
            lists[program.program.id] = program.partners.filter(\.takesPart).map { partner in
                PartnerStanding(
                    partnerID: partner.partnerID, name: names[partner.partnerID] ?? "",
                    totals: PartnerTotals(status: partner.status, amount: partner.amount, missedAmount: partner.missedAmount))
            }
        }
        return lists
    }

    static func sorted(_ items: [PartnerStanding], by order: PartnerOrder) -> [PartnerStanding] {
        items.sorted { x, y in
            let (kx, ky): (Int64, Int64) =
                switch order {
                case .id: (0, 0)
                case .paid: (x.totals.amount.cents, y.totals.amount.cents)
                case .missed: (x.totals.missedAmount.cents, y.totals.missedAmount.cents)
                }
            return kx != ky ? kx > ky : x.partnerID < y.partnerID
        }
    }

    /// Every page of a list, one after another.
    static func allPages(pageSize: Int, _ page: (Int) throws -> ListPage<PartnerStanding>) throws -> (items: [PartnerStanding], totals: Set<Int>) {
        var items: [PartnerStanding] = [], totals: Set<Int> = []
        var offset = 0
        while true {
            let next = try page(offset)
            totals.insert(next.total)
            items += next.items
            if next.items.count < pageSize { break }
            offset += pageSize
        }
        return (items, totals)
    }

    @Test func pagesInEachOrderAreTheRunsPartnersSortedHere() throws {
        let fixture = try Self.fixture.get()
        let expected = try Self.expected(fixture.workspace, run: 2)
        #expect(expected.count == 3)
        for (program, partners) in expected {
            #expect(partners.count > 100)
            for order in PartnerOrder.allCases {
                let read = try Self.allPages(pageSize: 97) { offset in
                    try fixture.workspace.runPartners(run: 2, program: program, query: PartnerQuery(order: order, offset: offset, limit: 97))
                }
                #expect(read.totals == [partners.count])
                #expect(read.items == Self.sorted(partners, by: order), "\(program) by \(order)")
            }
        }
        // A page past the end is empty and still counts them all.
        let past = try fixture.workspace.runPartners(run: 2, program: "GEN-MDF", query: PartnerQuery(offset: 1_000_000))
        #expect(past.items.isEmpty && past.total == expected["GEN-MDF"]!.count)
    }

    @Test func searchIsAPrefixOfIdOrNameInAnyCaseWithWildcardsTakenLiterally() throws {
        let fixture = try Self.fixture.get()
        let partners = try Self.expected(fixture.workspace, run: 2)["GEN-MDF"]!
        let someName = partners[partners.count / 2].name
        for search in ["p00001", "P0001", String(someName.prefix(4)).uppercased(), "zeta 100% p", "zeta 100_", "%", "_", "nobody"] {
            let matching = partners.filter {
                $0.partnerID.lowercased().hasPrefix(search.lowercased()) || $0.name.lowercased().hasPrefix(search.lowercased())
            }
            for order in PartnerOrder.allCases {
                let read = try Self.allPages(pageSize: 40) { offset in
                    try fixture.workspace.runPartners(
                        run: 2, program: "GEN-MDF", query: PartnerQuery(order: order, search: search, offset: offset, limit: 40))
                }
                #expect(read.totals == [matching.count], "\(search)")
                #expect(read.items == Self.sorted(matching, by: order), "\(search) by \(order)")
            }
        }
        // The partner added before run 2 is found by the literal "100%" of its name, if it takes part.
        let added = partners.first { $0.partnerID == "Q000001" }
        let found = try fixture.workspace.runPartners(run: 2, program: "GEN-MDF", query: PartnerQuery(search: "ZETA 100%"))
        #expect(found.items == (added.map { [$0] } ?? []))
    }

    @Test func overviewAddsUpTheRunAndBucketsEveryAmountByDecade() throws {
        let fixture = try Self.fixture.get()
        let run = try fixture.workspace.runResult(2).result
        let overviews = try fixture.workspace.runOverview(2)
        #expect(overviews.map(\.program.id) == run.programs.map(\.program.id))
        let expected = try Self.expected(fixture.workspace, run: 2)
        for (overview, program) in zip(overviews, run.programs) {
            #expect(overview.takingPart == program.partnersTakingPart)
            #expect(overview.eligible == program.eligiblePartners)
            #expect(overview.amount == program.amount && overview.missedAmount == program.missedAmount)
            #expect(overview.statusCounts.reduce(0) { $0 + $1.count } == program.partners.count)
            for (status, count) in overview.statusCounts {
                #expect(count == program.partners.filter { $0.status == status }.count)
            }
            // Buckets by the number of digits of the whole units: 0-9 units, then 10-99, 100-999, ...
            func digits(_ cents: Int64) -> Int { max(String(cents / 100).count - 1, 0) }
            for (histogram, amounts) in [
                (overview.paid, program.partners.map(\.amount.cents)), (overview.missed, program.partners.map(\.missedAmount.cents)),
            ] {
                let positive = amounts.filter { $0 > 0 }
                let counts = Dictionary(grouping: positive, by: digits).mapValues(\.count)
                let top = positive.map(digits).max()
                #expect(histogram.buckets.count == (top.map { $0 + 1 } ?? 0))
                for (index, bucket) in histogram.buckets.enumerated() {
                    #expect(bucket.count == counts[index] ?? 0)
                    #expect(bucket.from.cents == (index == 0 ? 1 : Int64(pow(10.0, Double(index))) * 100))
                    #expect(bucket.below?.cents == (index == histogram.buckets.count - 1 ? nil : Int64(pow(10.0, Double(index + 1))) * 100))
                }
            }
            let partners = expected[program.program.id]!
            #expect(overview.largestPaid == Array(Self.sorted(partners, by: .paid).filter { $0.totals.amount.cents > 0 }.prefix(10)))
            #expect(
                overview.largestMissed == Array(Self.sorted(partners, by: .missed).filter { $0.totals.missedAmount.cents > 0 }.prefix(10)))
        }
    }

    @Test func changedPartnersAreThePairsTheFullDiffNames() throws {
        let fixture = try Self.fixture.get()
        let diff = try fixture.workspace.diffRuns(1, 2)
        let pairs = Set(diff.rows.map { "\($0.program)/\($0.partnerID)" })
        #expect(pairs.count > 50)
        let header = try fixture.workspace.runDiffHeader(1, 2)
        #expect(header.changedPartners == pairs.count)
        #expect(header.dataChanged && header.imports.map(\.kind) == [.bookings, .partners])
        let (first, second) = (try fixture.workspace.runResult(1).result, try fixture.workspace.runResult(2).result)
        func totals(_ result: ComputeResult, _ program: String, _ partner: String) -> PartnerTotals? {
            result.programs.first { $0.program.id == program }?.partners.first { $0.partnerID == partner }.map {
                PartnerTotals(status: $0.status, amount: $0.amount, missedAmount: $0.missedAmount)
            }
        }
        for order in PartnerOrder.allCases {
            var read: [PartnerChange] = []
            var offset = 0
            while true {
                let page = try fixture.workspace.changedPartners(1, 2, query: PartnerQuery(order: order, offset: offset, limit: 60))
                #expect(page.total == pairs.count)
                read += page.items
                if page.items.count < 60 { break }
                offset += 60
            }
            #expect(Set(read.map { "\($0.program)/\($0.partnerID)" }) == pairs)
            for change in read {
                #expect(change.before == totals(first, change.program, change.partnerID))
                #expect(change.after == totals(second, change.program, change.partnerID))
            }
            let keys: [Int64] = read.map {
                switch order {
                case .id: 0
                case .paid: Int64($0.paidChange.magnitude)
                case .missed: Int64($0.missedChange.magnitude)
                }
            }
            #expect(keys == keys.sorted(by: >), "\(order)")
        }
        // One partner's diff is the full diff's rows of that partner.
        let partner = diff.rows[diff.rows.count / 2].partnerID
        let one = try fixture.workspace.diffRuns(1, 2, partner: partner)
        #expect(one.rows.map { "\($0.program)/\($0.item)" } == diff.rows.filter { $0.partnerID == partner }.map { "\($0.program)/\($0.item)" })
        #expect(RunDiffText.render(one).contains(partner))
    }

    @Test func aRunComparedWithItselfHasNoChanges() throws {
        let fixture = try Self.fixture.get()
        #expect(try fixture.workspace.runDiffHeader(2, 2).changedPartners == 0)
        #expect(try fixture.workspace.changedPartners(1, 1, query: PartnerQuery()).total == 0)
    }

    @Test func onePartnersInputComputesWhatTheWholeWorkspaceDoes() throws {
        let fixture = try Self.fixture.get()
        let whole = Engine.compute(try fixture.workspace.loadInput().input)
        let run2 = try fixture.workspace.runResult(2).result
        let ids = try fixture.workspace.partners(offset: 0, limit: 1_000_000).items.map(\.id)
        for id in stride(from: 0, to: ids.count, by: 37).map({ ids[$0] }) + ["Q000001"] {
            let input = try fixture.workspace.loadInput(tracePartner: id, onlyPartner: true).input
            #expect(input.dataset.partners.map(\.id) == [id])
            let one = Engine.compute(input)
            for (program, wholeProgram) in zip(one.programs, whole.programs) {
                #expect(program.partners == wholeProgram.partners.filter { $0.partnerID == id }, "\(id) in \(program.program.id)")
            }
            // The partner page's one read: the same input, and the partner's totals in the latest run.
            let view = try #require(try fixture.workspace.partnerView(id))
            #expect(Engine.compute(view.input).rows == one.rows)
            let stored = try #require(view.stored)
            #expect(stored.summary.id == 2)
            var expected: [String: PartnerTotals] = [:]
            for program in run2.programs {
                if let partner = program.partners.first(where: { $0.partnerID == id }) {
                    expected[program.program.id] = PartnerTotals(status: partner.status, amount: partner.amount, missedAmount: partner.missedAmount)
                }
            }
            #expect(!expected.isEmpty)
            #expect(stored.totals == expected)
        }
    }

    @Test func aPartnerViewOfAnUnknownPartnerIsNil() throws {
        let fixture = try Self.fixture.get()
        let view = try fixture.workspace.partnerView("NOBODY")
        #expect(view == nil)
    }

    @Test func importLogPagesAreTheLogNewestFirst() throws {
        let fixture = try Self.fixture.get()
        let log = try fixture.workspace.importLog()
        let first = try fixture.workspace.importLog(offset: 0, limit: 3), rest = try fixture.workspace.importLog(offset: 3, limit: 100)
        #expect(first.total == log.count && rest.total == log.count)
        #expect((first.items + rest.items).map(\.id) == log.reversed().map(\.id))
        #expect((first.items + rest.items).map(\.summary) == log.reversed().map(\.summary))
    }

    /// A workspace whose runs were stored before the partner totals existed gets them from its rows.
    @Test func theMigrationFillsTheTotalsOfEarlierRuns() throws {
        let fixture = try Self.fixture.get()
        let copy = fixture.sandbox.path("older.sqlite")
        let expected = try Self.expected(fixture.workspace, run: 1)
        try DatabaseQueue(path: fixture.path).backup(to: DatabaseQueue(path: copy))
        // Take the copy back to before the migration: then runs stored their statuses in `run_partners` (as they
        // did until `v15-statuses-in-totals`) and had no totals.
        try DatabaseQueue(path: copy).write { db in
            try db.execute(
                sql: """
                    INSERT INTO run_partners(run_id, program_id, partner_id, status)
                        SELECT run_id, program_id, partner_id, status FROM run_partner_totals;
                    DROP TABLE run_partner_totals; DROP INDEX partners_by_id_nocase; DROP INDEX partners_by_name;
                    DELETE FROM grdb_migrations WHERE identifier = 'v4-run-partner-totals';
                    """)
        }
        let older = try Workspace.open(at: copy)
        for (program, partners) in expected {
            let read = try older.runPartners(run: 1, program: program, query: PartnerQuery(order: .paid, limit: 100_000))
            #expect(read.items == Self.sorted(partners, by: .paid))
        }
    }
}
