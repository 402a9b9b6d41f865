import Foundation
import GRDB
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// The dates of the partner tables are parsed from SQLite's bytes (`ColumnReader.isoDay`): the same days as from
/// their text, and a stored date that is not a real one is a damaged workspace, named.
@Suite struct StoredDatesTests {
    @Test func storedDatesReadAsTheirTextAndAMalformedOneIsNamed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let (input, _) = try workspace.loadInput()
        // Every CSAT date and credential date read equals the one parsed from the stored text.
        let stored = try workspace.pool.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT partner_id, submitted_on FROM csat ORDER BY survey_id"),
                try Row.fetchAll(db, sql: "SELECT achieved_on, expires_on FROM credentials ORDER BY partner_id, credential, achieved_on")
            )
        }
        // Each partner's CSAT dates, in the order of the survey ids, as parsed from the stored text.
        var csat: [String: [Day?]] = [:]
        for row in stored.0 { csat[row[0], default: []].append(Day(iso: row[1] as String)) }
        #expect(csat.count > 3)
        for (partner, days) in csat {
            let index = try #require(input.dataset.partnerIndex(partner))
            #expect(input.dataset.csatDates[index] == days.compactMap { $0 } && !days.contains(nil), "\(partner)")
        }
        #expect(input.dataset.csatDates.reduce(0) { $0 + $1.count } == stored.0.count)
        let credentials = input.dataset.credentials.flatMap { $0 }
        #expect(stored.1.compactMap { Day(iso: $0[0] as String) }.sorted() == credentials.map(\.achievedOn).sorted())
        #expect(
            stored.1.compactMap { ($0[1] as String?).flatMap { Day(iso: $0) } }.sorted() == credentials.compactMap(\.expiresOn).sorted())
        #expect(credentials.contains { $0.expiresOn == nil } && credentials.contains { $0.expiresOn != nil })
        try workspace.pool.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE csat SET submitted_on = '2023-02-30', added_by = added_by + 1000 WHERE survey_id = (SELECT MIN(survey_id) FROM csat)")
        }
        #expect(throws: (any Error).self) { _ = try workspace.loadInput() }
        do {
            _ = try workspace.loadInput()
        } catch {
            #expect("\(error)".contains("the workspace holds a malformed date 2023-02-30"))
        }
    }

    /// A full read takes the credentials, CSAT reports and services on a thread of its own (`SideRows`); with no pool
    /// reader to spare, the read takes them itself: the same partners' rows either way.
    @Test func thePartnersOtherRowsAreTheSameReadBesideOrNot() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let beside = try workspace.loadInput().input.dataset
        // Every reader counted as taken: `SideRows.start` gets none.
        let limit = workspace.pool.configuration.maximumReaderCount
        #expect(ParallelBookingsRead.takeReaders(workspace.pool, wanted: limit) == limit - 1)
        let here = try workspace.loadInput().input.dataset
        ParallelBookingsRead.giveBack(workspace.pool, threads: limit - 1)
        #expect(beside.credentials.flatMap { $0 }.count > 10 && beside.services.flatMap { $0 }.count > 3)
        #expect(beside.csatDates == here.csatDates)
        #expect(beside.credentials.map { $0.map { "\($0.partnerID) \($0.credential) \($0.achievedOn) \(String(describing: $0.expiresOn))" } }
            == here.credentials.map { $0.map { "\($0.partnerID) \($0.credential) \($0.achievedOn) \(String(describing: $0.expiresOn))" } })
        #expect(beside.services.map { $0.map { "\($0.partnerID) \($0.service) \($0.strategic) \($0.activeFrom) \(String(describing: $0.activeUntil))" } }
            == here.services.map { $0.map { "\($0.partnerID) \($0.service) \($0.strategic) \($0.activeFrom) \(String(describing: $0.activeUntil))" } })
    }
}
