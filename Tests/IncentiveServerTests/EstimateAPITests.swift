import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import IncentiveServer

/// `POST /api/v1/partners/{id}/estimate` on the bundled example.
@Suite struct EstimateAPITests {
    static let uri = "/api/v1/partners/NL1001/estimate"

    /// NL1001 in VIP25-6M data-center/ucs as of 2015-07-25: 24,000.00 + 18,000.00 + 18,250.75 - 2,750.00 = 57,500.75, just over
    /// the NL minimum of 57,500.00, 11 CSAT reports, ADV-UCT: 6% = 3,450.045, 3,450.04 (half to even). A quote of 1,000.00 of
    /// UCS makes 58,500.75: 3,510.045, 3,510.04: it adds 60.00. VIP25-3M counts by shipped_on: the line, without one, adds nothing there.
    @Test func aPartnerEstimatesADealForItself() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.partner
        let body = #"{"as_of": "2015-07-25", "lines": [{"sku": "UCS-X", "amount": "1000.00", "currency": "USD"}]}"#
        try await fixture.serve { client in
            let response = try await client.execute(uri: Self.uri, method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: body))
            #expect(response.status == .ok, "\(response.text)")
            let document = try response.json()
            #expect(document["partner_id"] as? String == "NL1001")
            let programs = try #require(document["programs"] as? [[String: Any]])
            let six = try #require(programs.first { $0["id"] as? String == "VIP25-6M" })
            #expect(six["added"] as? String == "60.00")
            let ucs = try #require((six["items"] as? [[String: Any]])?.first { $0["item"] as? String == "data-center/ucs" })
            #expect(ucs["before"] as? String == "3450.04" && ucs["with"] as? String == "3510.04" && ucs["added"] as? String == "60.00")
            #expect(ucs["volume_with"] as? String == "58500.75")
            let lines = try #require(document["lines"] as? [[String: Any]])
            #expect(lines.count == 1 && lines[0]["booked_on"] as? String == "2015-07-25")
            let nothing = try #require(lines[0]["adds_nothing"] as? [String])
            #expect(nothing.contains("VIP25-3M: no shipped_on, and the program counts by shipped_on"))
        }
    }

    @Test func aPartnerUserMayEstimateOnlyForItsOwnPartner() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let (partner, admin) = (fixture.partner, fixture.admin)
        let body = #"{"as_of": "2015-07-25", "lines": [{"sku": "UCS-X", "amount": "1000.00", "currency": "USD"}]}"#
        try await fixture.serve { client in
            let other = try await client.execute(
                uri: "/api/v1/partners/NL1002/estimate", method: .post, headers: Fixture.headers(partner), body: ByteBuffer(string: body))
            #expect(other.status == .notFound)
            let anonymous = try await client.execute(uri: Self.uri, method: .post, headers: Fixture.headers(nil), body: ByteBuffer(string: body))
            #expect(anonymous.status == .unauthorized)
            let byAdmin = try await client.execute(
                uri: "/api/v1/partners/NL1002/estimate", method: .post, headers: Fixture.headers(admin), body: ByteBuffer(string: body))
            #expect(byAdmin.status == .ok)
            let unknown = try await client.execute(
                uri: "/api/v1/partners/NOPE/estimate", method: .post, headers: Fixture.headers(admin), body: ByteBuffer(string: body))
            #expect(unknown.status == .notFound)
        }
    }

    @Test func badQuoteLinesAreRejectedWithTheirLineColumnAndValue() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.partner
        try await fixture.serve { client in
            let bad =
                #"{"lines": [{"sku": "UCS-X", "amount": "10,5", "currency": "USD"}, {"sku": "UCS-Y", "amount": "1", "currency": "US", "booked_on": "2015-02-30"}]}"#
            let response = try await client.execute(uri: Self.uri, method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: bad))
            #expect(response.status == .unprocessableContent)
            let error = try #require(try response.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_input")
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(
                details.map { "\($0["line"] ?? "") \($0["column"] ?? "") \($0["value"] ?? "")" } == [
                    "1 amount 10,5", "2 currency US", "2 booked_on 2015-02-30",
                ])
            // Money is a decimal string, never a JSON number.
            let number = #"{"lines": [{"sku": "UCS-X", "amount": 10.5, "currency": "USD"}]}"#
            let typed = try await client.execute(uri: Self.uri, method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: number))
            #expect(typed.status == .badRequest)
            let empty = try await client.execute(
                uri: Self.uri, method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: #"{"lines": []}"#))
            #expect(empty.status == .badRequest)
            let program = #"{"program": ["NOPE"], "lines": [{"sku": "UCS-X", "amount": "1", "currency": "USD"}]}"#
            let unknown = try await client.execute(uri: Self.uri, method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: program))
            #expect(unknown.status == .notFound)
        }
    }

    /// The partner page's form (a GET): the engine's table for the quote, the quote's problems, the same access rules.
    @Test func theFormOnThePartnerPage() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let page = try await client.execute(uri: "/partners/NL1001", method: .get, headers: jar.header)
            #expect(page.text.contains(#"<form method="get" action="/partners/NL1001/estimate">"#))
            // sku,amount,currency / UCS-X,1000.00,USD as a browser sends the text area (CRLF line ends), as of 2015-07-25.
            let quote = "sku%2Camount%2Ccurrency%0D%0AUCS-X%2C1000.00%2CUSD%0D%0A"
            let answer = try await client.execute(uri: "/partners/NL1001/estimate?quote=\(quote)&as_of=2015-07-25", method: .get, headers: jar.header)
            #expect(answer.status == .ok)
            #expect(answer.text.contains("  data-center/ucs  volume 57,500.75 -&gt; 58,500.75; paid 3,450.04 -&gt; 3,510.04: adds 60.00 USD\n"))
            #expect(answer.text.contains(#"<input type="date" name="as_of" value="2015-07-25">"#))
            let bad = try await client.execute(
                uri: "/partners/NL1001/estimate?quote=sku%2Camount%2Ccurrency%0D%0AUCS-X%2Cten%2CUSD%0D%0A&as_of=2015-07-25", method: .get,
                headers: jar.header)
            #expect(bad.status == .ok)
            #expect(bad.text.contains(#"<li class="fail">quote:2: amount &quot;ten&quot;: expected an amount"#))
            let other = try await client.execute(uri: "/partners/NL1002/estimate?quote=\(quote)", method: .get, headers: jar.header)
            #expect(other.status == .notFound)
            let signedOut = try await client.execute(uri: "/partners/NL1001/estimate?quote=\(quote)", method: .get)
            #expect(signedOut.status == .seeOther)
        }
    }
}
