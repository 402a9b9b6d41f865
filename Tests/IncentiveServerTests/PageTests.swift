import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveServer
import IncentiveStore
import NIOCore
import Testing

/// A browser's cookies, kept by hand: name -> value from each Set-Cookie.
final class CookieJar: @unchecked Sendable {
    var cookies: [String: String] = [:]

    func take(_ response: TestResponse) {
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || field.value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    var header: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")]
    }
}

extension TestResponse {
    /// The value of the hidden `csrf` field of the page's first form.
    var csrf: String? {
        guard let range = text.range(of: #"name="csrf" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

@Suite struct PageTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in through the login form; returns the jar holding the session cookie.
    static func signIn(_ client: any TestClientProtocol, name: String, password: String) async throws -> (CookieJar, TestResponse) {
        let jar = CookieJar()
        let page = try await client.execute(uri: "/login", method: .get)
        jar.take(page)
        let csrf = try #require(page.csrf)
        var headers = form
        for field in jar.header { headers.append(field) }
        let response = try await client.execute(
            uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)&name=\(name)&password=\(password)"))
        jar.take(response)
        return (jar, response)
    }

    /// A multipart upload of the import form, with the boundary `----b`.
    static func multipart(csrf: String, kind: String, fileName: String, content: String) -> ByteBuffer {
        var body = "------b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
        body += "------b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n"
        body += "------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n\(content)\r\n"
        body += "------b--\r\n"
        return ByteBuffer(string: body)
    }

    @Test func pagesNeedASignIn() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            for uri in ["/", "/programs", "/programs/VIP25-6M", "/partners/NL1001", "/runs", "/imports"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .seeOther, "\(uri)")
                #expect(response.headers[.location] == "/login", "\(uri)")
            }
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.status == .ok)
            #expect(login.headers[.setCookie]?.contains("HttpOnly") == true)
        }
    }

    /// A wrong password and an unknown user get the same answer; neither signs in.
    @Test func aWrongPasswordLooksLikeAnUnknownUser() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (wrongJar, wrong) = try await Self.signIn(client, name: "ada", password: "not-her-password")
            let (unknownJar, unknown) = try await Self.signIn(client, name: "nobody", password: "admin-secret")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            // The pages differ only in the fresh CSRF token of the form.
            let strip = { (text: String) in text.replacingOccurrences(of: #"value="[0-9a-f]{64}""#, with: "", options: .regularExpression) }
            #expect(strip(wrong.text) == strip(unknown.text))
            #expect(wrong.text.contains("Wrong name or password."))
            #expect(wrongJar.cookies["incentives_session"] == nil)
            #expect(unknownJar.cookies["incentives_session"] == nil)

            let (jar, right) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/")
            let session = try #require(right.headers.first { $0.name == .setCookie && $0.value.hasPrefix("incentives_session=") })
            #expect(session.value.contains("HttpOnly"))
            #expect(session.value.contains("SameSite=Lax"))
            let overview = try await client.execute(uri: "/", method: .get, headers: jar.header)
            #expect(overview.status == .ok)
            // The MDF program paid NL1005 1,273.01 and NL1006 592.54 (examples/README.md).
            #expect(overview.text.contains("1,865.55 USD"))
        }
    }

    @Test func everyFormPostNeedsItsCSRFToken() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            // The login form without the token of its own page.
            let login = try await client.execute(
                uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "csrf=forged&name=ada&password=admin-secret"))
            #expect(login.status == .forbidden)

            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            var headers = Self.form
            for field in jar.header { headers.append(field) }
            let logout = try await client.execute(uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=forged"))
            #expect(logout.status == .forbidden)
            let page = try await client.execute(uri: "/imports", method: .get, headers: jar.header)
            let csrf = try #require(page.csrf)
            let out = try await client.execute(uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(out.status == .seeOther)
            // The session is gone on the server, not only in the browser.
            let after = try await client.execute(uri: "/", method: .get, headers: jar.header)
            #expect(after.status == .seeOther)
        }
    }

    /// A partner user reaches its own partner page and nothing about other partners.
    @Test func aPartnerUserSeesOnlyItsOwnPages() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, response) = try await Self.signIn(client, name: "nl1", password: "partner-secret")
            #expect(response.headers[.location] == "/partners/NL1001")
            let home = try await client.execute(uri: "/", method: .get, headers: jar.header)
            #expect(home.status == .seeOther)
            #expect(home.headers[.location] == "/partners/NL1001")
            let own = try await client.execute(uri: "/partners/NL1001", method: .get, headers: jar.header)
            #expect(own.status == .ok)
            #expect(own.text.contains("Amsterdam Data Systems B.V."))
            #expect(own.text.contains("only 6 of 10 CSAT reports submitted"))
            for uri in ["/partners/NL1002", "/partners/BE2001", "/imports"] {
                let other = try await client.execute(uri: uri, method: .get, headers: jar.header)
                #expect(other.status == .notFound, "\(uri)")
                #expect(!other.text.contains("Rotterdam"), "\(uri)")
            }
            let runs = try await client.execute(uri: "/runs?a=1&b=1", method: .get, headers: jar.header)
            #expect(runs.status == .ok)
            #expect(!runs.text.contains("30,134.17"))
            #expect(!runs.text.contains("<pre>"))
            let program = try await client.execute(uri: "/programs/VIP25-6M", method: .get, headers: jar.header)
            #expect(program.status == .ok)
            #expect(program.text.contains("57,500.00"))
        }
    }

    /// A partner page finds its session in its own read: an unknown cookie is sent to sign in, and a
    /// signed-in admin still sees every partner's page.
    @Test func aPartnerPageLooksUpItsOwnSession() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let stranger = HTTPFields([HTTPField(name: .cookie, value: "incentives_session=not-a-session")])
            let refused = try await client.execute(uri: "/partners/NL1001", method: .get, headers: stranger)
            #expect(refused.status == .seeOther)
            #expect(refused.headers[.location] == "/login")
            #expect(!refused.text.contains("Amsterdam"))
            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            for _ in 0..<2 {  // the second answer comes from the kept page
                let page = try await client.execute(uri: "/partners/NL1002", method: .get, headers: jar.header)
                #expect(page.status == .ok)
                #expect(page.text.contains("Rotterdam"))
            }
            let missing = try await client.execute(uri: "/partners/XX9999", method: .get, headers: jar.header)
            #expect(missing.status == .notFound)
            // A page below a partner's is reached with the session the middleware found.
            let estimate = try await client.execute(uri: "/partners/NL1002/estimate", method: .get, headers: jar.header)
            #expect(estimate.status == .ok)
            #expect(try await client.execute(uri: "/partners/NL1002/estimate", method: .get, headers: stranger).status == .seeOther)
        }
    }

    @Test func dutchPagesWriteNumbersAndDatesTheDutchWay() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            var headers = jar.header
            headers[.acceptLanguage] = "nl-NL,nl;q=0.9,en;q=0.5"
            let overview = try await client.execute(uri: "/", method: .get, headers: headers)
            #expect(overview.text.contains("<html lang=\"nl\">"))
            #expect(overview.text.contains("Overzicht"))
            #expect(overview.text.contains("1.865,55 USD"))
            #expect(overview.text.contains("25 jan 2015 – 25 jul 2015"))
            let program = try await client.execute(uri: "/programs/VIP25-6M", method: .get, headers: headers)
            #expect(program.text.contains("57.500,00"))
            #expect(program.text.contains("12,5%"))
            // The switch overrides the browser's language and remembers it.
            let english = try await client.execute(uri: "/?lang=en", method: .get, headers: headers)
            #expect(english.text.contains("1,865.55 USD"))
            #expect(english.headers[.setCookie] == "lang=en; Path=/; Max-Age=31536000; SameSite=Lax")
        }
    }

    /// The import page takes a multipart upload and lists every problem with its line; nothing is imported.
    @Test func anUploadedBadFileIsRejectedLineByLine() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/imports", method: .get, headers: jar.header)
            let csrf = try #require(page.csrf)
            let csv =
                "order_id,line,partner_id,booked_on,sku,amount,currency\r\nU1,1,NL1001,2015-03-01,UCS-C240M4SX,\"12,50\",USD\r\nU2,1,NL1001,2015-02-30,UCS-C240M4SX,1.00,USD\r\n"
            func multipart(csrf: String) -> ByteBuffer {
                let boundary = "----testboundary"
                var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nbookings\r\n"
                body +=
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"week47.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
                body += "--\(boundary)--\r\n"
                return ByteBuffer(string: body)
            }
            var headers = jar.header
            headers[.contentType] = "multipart/form-data; boundary=----testboundary"
            let rejected = try await client.execute(uri: "/imports", method: .post, headers: headers, body: multipart(csrf: csrf))
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.text.contains("Nothing was imported"))
            #expect(rejected.text.contains("<td>upload:week47.csv</td><td class=\"num\">2</td><td>amount</td><td><code>12,50</code></td>"))
            #expect(rejected.text.contains("<td>upload:week47.csv</td><td class=\"num\">3</td><td>booked_on</td><td><code>2015-02-30</code></td>"))
            let forged = try await client.execute(uri: "/imports", method: .post, headers: headers, body: multipart(csrf: "forged"))
            #expect(forged.status == .forbidden)
        }
        #expect(try fixture.workspace.status().rows.first { $0.kind == .bookings }?.count == 66)
    }

    /// Pages and answers are reused, but never once the workspace changed, and a 404 is not remembered.
    @Test func cachedAnswersFollowTheWorkspace() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            let before = try await client.execute(uri: "/partners/NL1002", method: .get, headers: jar.header)
            #expect(before.text.contains("57,499.99"))
            let token = fixture.admin
            let missing = try await client.execute(uri: "/api/v1/runs/2/partners/NL1002", method: .get, headers: Fixture.headers(token))
            #expect(missing.status == .notFound)
            // One more cent makes NL1002 reach the Dutch UCS minimum exactly.
            let csv = "order_id,line,partner_id,booked_on,sku,amount,currency\nC1,1,NL1002,2015-03-01,UCS-C240M4SX,0.01,USD\n"
            let imported = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: csv))
            #expect(imported.status == .ok)
            let after = try await client.execute(uri: "/partners/NL1002", method: .get, headers: jar.header)
            #expect(after.text.contains("57,500.00"))
            #expect(!after.text.contains("57,499.99"))
            _ = try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(token))
            let found = try await client.execute(uri: "/api/v1/runs/2/partners/NL1002", method: .get, headers: Fixture.headers(token))
            #expect(found.status == .ok)
            #expect(found.text.contains(#""amount":"3450.00""#))
        }
    }

    /// The sign-in link `serve --demo` prints works once, and only sends the browser within the site.
    @Test func aLoginLinkWorksOnce() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let link = try Accounts.createLoginLink(user: "ada", in: fixture.workspace)
        let other = try Accounts.createLoginLink(user: "nl1", in: fixture.workspace)
        try await fixture.serve { client in
            let first = try await client.execute(uri: link + "&next=/runs", method: .get)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/runs")
            let jar = CookieJar()
            jar.take(first)
            let runs = try await client.execute(uri: "/runs", method: .get, headers: jar.header)
            #expect(runs.status == .ok)
            let again = try await client.execute(uri: link, method: .get)
            #expect(again.status == .unauthorized)
            #expect(again.headers[.setCookie]?.contains("incentives_session") != true)
            let elsewhere = try await client.execute(uri: other + "&next=//evil.example/", method: .get)
            #expect(elsewhere.headers[.location] == "/partners/NL1001")
            let forged = try await client.execute(uri: "/login/link?key=0123", method: .get)
            #expect(forged.status == .unauthorized)
        }
    }

    @Test func malformedFormsGetAFourHundred() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let empty = try await client.execute(uri: "/login", method: .post)
            #expect(empty.status == .forbidden)
            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            var headers = jar.header
            headers[.contentType] = "text/plain"
            let plain = try await client.execute(uri: "/imports", method: .post, headers: headers, body: ByteBuffer(string: "not a form"))
            #expect(plain.status == .badRequest)
            headers[.contentType] = "multipart/form-data; boundary=xyz"
            let broken = try await client.execute(
                uri: "/imports", method: .post, headers: headers, body: ByteBuffer(bytes: [0xFF, 0x00, 0x2D, 0x2D]))
            #expect(broken.status == .forbidden)  // no parts, so no CSRF token either
            let unknown = try await client.execute(uri: "/partners/%ZZ", method: .get, headers: jar.header)
            #expect(unknown.status.code >= 400 && unknown.status.code < 500)
        }
    }

    /// The partner page carries the advisor's view: here the MDF lost to untagged orders and the line to re-tag.
    @Test func thePartnerPageGivesAdvice() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await Self.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/partners/NL1005", method: .get, headers: jar.header)
            #expect(page.text.contains("<h2>Advice</h2>"))
            #expect(
                page.text.contains(
                    "PROVIDER-MDF-FY23-H2: 55.0% tagged managed services; untagged 20,600.00 USD cost 412.00 MDF; re-tag: SO23-1404/1 C8300-1N1S-6T 18,000.00"
                ))
        }
    }
}
