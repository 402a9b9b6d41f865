import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentiveAdvisor
import IncentiveEngine
import IncentiveServer
import Testing

/// `GET /api/v1/partners/{id}/advice` carries the deadline calendar and takes `?horizon=N` (docs/advice.md).
@Suite struct AdviceCalendarAPITests {
    /// NL1001 on 2015-04-30 with the example catalogue: nothing to buy; the plan keeps VIP25-3M ucs (3,337.50, no CSAT
    /// report yet in that period: 10 more) and VIP25-6M ucs (4,777.50, 5 of 10 in: 5 more), both by 2015-07-25; voice has
    /// one order, no pace, and stays under its minimum (figures worked out in AdvisorTests). Over 3 periods: 8,115.00 × 3 =
    /// 24,345.00.
    @Test func theCalendarAndTheHorizon() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        var options = fixture.options
        options.catalogue = try CredentialCatalogue.load(path: Fixture.examples.appendingPathComponent("credentials.yaml").path)
        let token = fixture.partner
        try await IncentivesServer.application(workspace: fixture.workspace, options: options).test(.live) { client in
            let response = try await client.execute(
                uri: "/api/v1/partners/NL1001/advice?as_of=2015-04-30&horizon=3", method: .get, headers: Fixture.headers(token))
            #expect(response.status == .ok)
            let document = try response.json()
            let calendar = try #require(document["calendar"] as? [[String: Any]])
            #expect(calendar.map { $0["kind"] as? String } == ["submit_csat_by", "submit_csat_by"])
            #expect(calendar.map { $0["date"] as? String } == ["2015-07-25", "2015-07-25"])
            #expect(calendar.map { $0["count"] as? Int } == [10, 5])
            #expect(calendar.map { $0["at_stake"] as? String } == ["3337.50", "4777.50"])
            let plan = try #require(document["recommendation"] as? [String: Any])
            #expect(plan["horizon"] as? Int == 3)
            #expect(plan["expected_rebate"] as? String == "8115.00")
            #expect(plan["expected_rebate_over_horizon"] as? String == "24345.00")
            for bad in ["0", "1001", "two"] {
                let refused = try await client.execute(
                    uri: "/api/v1/partners/NL1001/advice?as_of=2015-04-30&horizon=\(bad)", method: .get, headers: Fixture.headers(token))
                #expect(refused.status == .badRequest, "horizon=\(bad)")
            }
        }
    }
}
