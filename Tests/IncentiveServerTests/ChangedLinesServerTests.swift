import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveStore
import Testing

@testable import IncentiveServer

/// `GET /api/v1/runs/{id}/changed-lines?since=A` and the runs diff page (issue 16 point 2): the booking lines whose data differs between
/// two runs' inputs, a page at a time, for admins.
@Suite struct ChangedLinesServerTests {
    /// The fixture (imports 1 to 8, run 1), then a correction moving SO15-1003 to NL1003, changing SO15-1102's
    /// amount and adding 150 lines SO26-001 ... SO26-150 for NL1002 (import 9), run 2.
    static func fixture() throws -> Fixture {
        let fixture = try Fixture()
        var text = """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            SO15-1003,1,NL1003,2015-04-20,2015-04-28,UCS-C240M4SX,2,18000.00,USD,
            SO15-1102,1,NL1002,2015-03-16,2015-03-27,UCS-FI-6248UP,2,31250.01,USD,

            """
        for index in 1...150 { text += "SO26-\(String(format: "%03d", index)),1,NL1002,2015-03-01,,UCS-C240M4SX,1,10.00,USD,\n" }
        let file = fixture.folder.appendingPathComponent("correction.csv").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try fixture.workspace.importFile(.bookings, path: file, displayName: "correction.csv")
        #expect(try fixture.workspace.run().summary.id == 2)
        return fixture
    }

    @Test func theChangedLinesComeAPageAtATime() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let first = try await client.execute(uri: "/api/v1/runs/2/changed-lines?since=1", method: .get, headers: Fixture.headers(token))
            #expect(first.status == .ok)
            let page = try first.json()
            #expect(page["total"] as? Int == 152 && page["page"] as? Int == 1 && page["per_page"] as? Int == 50)
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.count == 50)
            let moved = items[0]
            #expect(moved["order_id"] as? String == "SO15-1003" && moved["line"] as? String == "1" && moved["change"] as? String == "changed")
            #expect(moved["partner_id"] as? String == "NL1003")
            let imported = try #require(moved["import"] as? [String: Any])
            #expect(imported["id"] as? Int == 9 && imported["file"] as? String == "correction.csv")
            let columns = try #require(moved["columns"] as? [[String: Any]])
            #expect(columns.count == 1 && columns[0]["name"] as? String == "partner_id")
            #expect(columns[0]["before"] as? String == "NL1001" && columns[0]["after"] as? String == "NL1003")
            let amount = try #require((items[1]["columns"] as? [[String: Any]])?.first)
            #expect(amount["name"] as? String == "amount" && amount["before"] as? String == "31250.00" && amount["after"] as? String == "31250.01")
            let added = try #require(items[2]["columns"] as? [[String: Any]])
            #expect(items[2]["order_id"] as? String == "SO26-001" && items[2]["change"] as? String == "added")
            // An added line: every column with a value (no shipped_on, no intended_use), each null before.
            #expect(added.map { $0["name"] as? String ?? "" } == ["partner_id", "booked_on", "sku", "quantity", "amount", "currency"])
            #expect(added.allSatisfy { $0["before"] is NSNull })

            // The last page, and the way back (run 1's data after run 2's): the new lines are retired.
            let last = try await client.execute(
                uri: "/api/v1/runs/2/changed-lines?since=1&page=2&per_page=100", method: .get, headers: Fixture.headers(token))
            let lastItems = try #require(try last.json()["items"] as? [[String: Any]])
            #expect(lastItems.count == 52 && lastItems.last?["order_id"] as? String == "SO26-150")
            let full = try await client.execute(
                uri: "/api/v1/runs/2/changed-lines?since=1&per_page=100", method: .get, headers: Fixture.headers(token))
            #expect(full.body.readableBytes < 300_000)
            let back = try await client.execute(
                uri: "/api/v1/runs/1/changed-lines?since=2&page=2&per_page=100", method: .get, headers: Fixture.headers(token))
            #expect((try back.json()["items"] as? [[String: Any]])?.last?["change"] as? String == "retired")
            // Each run says which import its data is known at.
            let run2 = try await client.execute(uri: "/api/v1/runs/2", method: .get, headers: Fixture.headers(token))
            #expect(try run2.json()["known_import"] as? Int == 9)
            let same = try await client.execute(uri: "/api/v1/runs/1/changed-lines?since=1", method: .get, headers: Fixture.headers(token))
            #expect(try same.json()["total"] as? Int == 0)

            // Refusals: a partner user, no or an unknown `since`, too large a page.
            let asPartner = try await client.execute(
                uri: "/api/v1/runs/2/changed-lines?since=1", method: .get, headers: Fixture.headers(fixture.partner))
            #expect(asPartner.status == .forbidden)
            for (uri, status) in [
                ("/api/v1/runs/2/changed-lines", HTTPResponse.Status.badRequest), ("/api/v1/runs/2/changed-lines?since=3", .notFound),
                ("/api/v1/runs/2/changed-lines?since=x", .notFound), ("/api/v1/runs/3/changed-lines?since=1", .notFound),
                ("/api/v1/runs/2/changed-lines?since=1&per_page=101", .badRequest),
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: Fixture.headers(token))
                #expect(response.status == status, "\(uri): \(response.text)")
            }
        }
    }

    /// The runs diff page links to the changed lines, which `lines=1` lists 50 a page.
    @Test func theDiffPageListsTheChangedLines() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let diff = try await client.execute(uri: "/runs?a=1&b=2", method: .get, headers: jar.header)
            #expect(diff.status == .ok)
            #expect(
                diff.text.contains(
                    "<p><a href=\"/runs?a=1&amp;b=2&amp;lines=1#lines\">Booking lines changed between the runs&#39; data: 2 changed, 150 added, 0 retired</a></p>"
                ))
            let first = try await client.execute(uri: "/runs?a=1&b=2&lines=1", method: .get, headers: jar.header)
            #expect(first.status == .ok)
            let page = first.text
            #expect(page.contains("Booking lines changed from run 1 (data as known at import 8) to run 2 (at import 9)"))
            #expect(page.contains("Page 1 of 4"))
            #expect(page.contains("<tr><td>SO15-1003</td><td>1</td><td>NL1003</td><td>changed</td><td>9: correction.csv ("))
            #expect(page.contains("<code>partner_id</code> NL1001 → NL1003<br>"))
            #expect(page.contains("<code>amount</code> 31250.00 → 31250.01<br>"))
            #expect(page.components(separatedBy: "<tr><td>SO").count - 1 == 50)
            #expect(page.utf8.count < 300_000)
            let last = try await client.execute(uri: "/runs?a=1&b=2&lines=1&page=4", method: .get, headers: jar.header)
            #expect(last.text.contains("Page 4 of 4") && last.text.components(separatedBy: "<tr><td>SO").count - 1 == 2)
            #expect(last.text.contains("<tr><td>SO26-150</td><td>1</td><td>NL1002</td><td>added</td>"))
            #expect(last.text.contains("<code>shipped_on</code>") == false)
            let dutch = try await client.execute(
                uri: "/runs?a=2&b=1&lines=1&page=4", method: .get, headers: jar.header + [.acceptLanguage: "nl"])
            #expect(dutch.text.contains("<td>SO26-150</td><td>1</td><td>NL1002</td><td>vervallen</td>"))
            #expect(dutch.text.contains("<code>amount</code> 10.00 → —<br>"))
        }
    }
}
