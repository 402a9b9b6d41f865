import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveStore
import NIOCore
import Testing

@testable import IncentiveServer

/// Issue 11: no request stops the server, and the web defaults of a finance application.
@Suite struct WebHardeningTests {
    /// The lists of the API, each with a user that may read it.
    static let lists = ["/api/v1/runs", "/api/v1/partners", "/api/v1/programs", "/api/v1/enrollments", "/api/v1/runs/1/results"]

    /// `?page=9223372036854775807` once trapped in `Page.slice` and stopped the server for everyone.
    @Test func pageNumbersOutOfRangeAreABadRequest() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.partner
        try await fixture.serve { client in
            for list in Self.lists {
                for query in [
                    "page=9223372036854775807", "page=1000001", "page=0", "page=-1", "page=abc", "page=", "per_page=0", "per_page=501",
                    "per_page=9223372036854775807", "per_page=-9223372036854775808", "page=99999999999999999999999",
                ] {
                    let response = try await client.execute(uri: "\(list)?\(query)", method: .get, headers: Fixture.headers(token))
                    #expect(response.status == .badRequest, "\(list)?\(query): \(response.text)")
                    let message = try #require((try response.json()["error"] as? [String: Any])?["message"] as? String)
                    #expect(message.contains(query.hasPrefix("page=") ? "from 1 to 1000000" : "from 1 to 500"), "\(list)?\(query): \(message)")
                }
                // The last page allowed, with the most items a page: past the end, so empty, and the total is right.
                let last = try await client.execute(uri: "\(list)?page=1000000&per_page=500", method: .get, headers: Fixture.headers(token))
                #expect(last.status == .ok, "\(list): \(last.text)")
                #expect((try last.json()["items"] as? [Any])?.isEmpty == true)
                #expect(try last.json()["page"] as? Int == 1_000_000)
            }
            // Run ids that are not whole numbers, or too large for one, are 404 like any other missing run.
            for uri in [
                "/api/v1/runs/9223372036854775807", "/api/v1/runs/99999999999999999999", "/api/v1/runs/-1", "/api/v1/runs/0",
                "/api/v1/runs/9223372036854775807/results", "/api/v1/runs/99999999999999999999/partners/NL1001",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: Fixture.headers(token))
                #expect(response.status == .notFound, "\(uri): \(response.text)")
            }
            for query in ["as_of=99999-01-01", "as_of=2015-02-29", "as_of=-001-01-01", "as_of=2015-1-1"] {
                let response = try await client.execute(uri: "/api/v1/partners/NL1001/advice?\(query)", method: .get, headers: Fixture.headers(token))
                #expect(response.status == .badRequest, "\(query): \(response.text)")
            }
            // The server is still there.
            let health = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(health.status == .ok)
        }
    }

    /// Run numbers of the runs page's comparison, and a language header with no tag (`;q=0.5` alone
    /// once trapped in `Language.of` on every page, the login page included).
    @Test func pagesTakeAnyQueryAndHeader() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            for header in [";", ";q=0.5", ",", ", ;", "nl;q=0.9,;", ""] {
                let login = try await client.execute(uri: "/login", method: .get, headers: [.acceptLanguage: header])
                #expect(login.status == .ok, "Accept-Language: \(header)")
            }
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            for query in ["a=9223372036854775807&b=-9223372036854775808", "a=99999999999999999999&b=1", "a=x&b=", "a=1&b=1"] {
                let runs = try await client.execute(uri: "/runs?\(query)", method: .get, headers: jar.header)
                #expect(runs.status == .ok, "/runs?\(query)")
            }
            let health = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(health.status == .ok)
        }
    }

    /// A few MB with no line break (the issue's 200 MB made a 200 MB answer and stopped the server): the 422
    /// names the problem and stays small, on the API and on the import page.
    @Test func aHugeUploadWithNoLineBreakGetsASmallAnswer() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        let huge = String(repeating: "partner_id;name;", count: 3 << 16)  // 3 MB, one header line
        try await fixture.serve { client in
            let api = try await client.execute(
                uri: "/api/v1/imports/partners", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: huge))
            #expect(api.status == .unprocessableContent)
            #expect(api.body.readableBytes < 8_000, "a 422 of \(api.body.readableBytes) bytes")
            let error = try #require(try api.json()["error"] as? [String: Any])
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(!details.isEmpty)
            #expect(details.allSatisfy { $0["file"] as? String == "upload:partners.csv" })

            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let csrf = try #require(try await client.execute(uri: "/imports", method: .get, headers: jar.header).csrf)
            var headers = jar.header
            headers[.contentType] = "multipart/form-data; boundary=----b"
            let page = try await client.execute(
                uri: "/imports", method: .post, headers: headers,
                body: PageTests.multipart(csrf: csrf, kind: "partners", fileName: "partners.csv", content: huge))
            #expect(page.status == .unprocessableContent)
            #expect(page.body.readableBytes < 30_000, "a page of \(page.body.readableBytes) bytes")
            #expect(page.text.contains("Nothing was imported"))
        }
        #expect(try fixture.workspace.partners(offset: 0, limit: 100, only: nil).total == 13)
    }

    /// More problems than an answer lists: the first 100, and the message counts the rest.
    @Test func anAnswerListsAtMostAHundredProblems() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        let csv =
            "order_id,line,partner_id,booked_on,sku,amount,currency\n"
            + (1...250).map { "X\($0),1,NL1001,2015-03-01,UCS-C240M4SX,not-money,USD\n" }.joined()
        try await fixture.serve { client in
            let response = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: csv))
            #expect(response.status == .unprocessableContent)
            let error = try #require(try response.json()["error"] as? [String: Any])
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(details.count == 100)
            #expect(details.first?["line"] as? Int == 2)
            #expect(details.last?["line"] as? Int == 101)
            #expect(
                error["message"] as? String
                    == "250 problem(s) found; nothing was imported; the workspace is unchanged; the first 100 are listed, 150 more not shown")

            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let csrf = try #require(try await client.execute(uri: "/imports", method: .get, headers: jar.header).csrf)
            var headers = jar.header
            headers[.contentType] = "multipart/form-data; boundary=----b"
            let page = try await client.execute(
                uri: "/imports", method: .post, headers: headers,
                body: PageTests.multipart(csrf: csrf, kind: "bookings", fileName: "week.csv", content: csv))
            #expect(page.status == .unprocessableContent)
            #expect(page.text.components(separatedBy: "<td>upload:week.csv</td>").count - 1 == 100)
            #expect(page.text.contains("<p>150 more problems not shown</p>"))
        }
        #expect(try fixture.workspace.status().rows.first { $0.kind == .bookings }?.count == 66)
    }

    /// The issue's repro: a page on another site posts `text/plain` to the API, and the admin's browser adds
    /// the session cookie. That renamed a partner; now it is refused, and nothing changes.
    @Test func aCookieWriteToTheAPINeedsTheCSRFToken() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let renamed = "partner_id,name,country,tier,provider\nNL1001,Renamed by another site,NL,gold,false\n"
            var crossSite = jar.header
            crossSite[.contentType] = "text/plain"
            crossSite[.origin] = "https://evil.example"
            let forged = try await client.execute(
                uri: "/api/v1/imports/partners", method: .post, headers: crossSite, body: ByteBuffer(string: renamed))
            #expect(forged.status == .forbidden)
            #expect(try forged.errorCode() == "csrf")
            for (method, uri) in [
                (HTTPRequest.Method.post, "/api/v1/runs"), (.post, "/api/v1/enrollments"), (.post, "/api/v1/programs"),
                (.delete, "/api/v1/enrollments?partner_id=NL1001&program=VIP25-6M&subtrack=data-center/ucs"),
            ] {
                let response = try await client.execute(uri: uri, method: method, headers: crossSite, body: ByteBuffer(string: "{}"))
                #expect(response.status == .forbidden, "\(method) \(uri)")
            }
            // A wrong token is no better than none.
            var wrong = crossSite
            wrong[HTTPField.Name("X-CSRF-Token")!] = String(repeating: "0", count: 64)
            let guessed = try await client.execute(uri: "/api/v1/imports/partners", method: .post, headers: wrong, body: ByteBuffer(string: renamed))
            #expect(guessed.status == .forbidden)
            #expect(try fixture.workspace.partnerRecord("NL1001")?.partner.name == "Amsterdam Data Systems B.V.")
            #expect(try fixture.workspace.runs().count == 1)

            // Reading with the cookie is fine; so is a write that carries the session's token, or a bearer token.
            let read = try await client.execute(uri: "/api/v1/partners/NL1001", method: .get, headers: jar.header)
            #expect(read.status == .ok)
            let token = try #require(try await client.execute(uri: "/imports", method: .get, headers: jar.header).csrf)
            var own = jar.header
            own[.contentType] = "text/csv"
            own[HTTPField.Name("X-CSRF-Token")!] = token
            let accepted = try await client.execute(uri: "/api/v1/imports/partners", method: .post, headers: own, body: ByteBuffer(string: renamed))
            #expect(accepted.status == .ok, "\(accepted.text)")
            let bearer = try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(fixture.admin))
            #expect(bearer.status == .created)
        }
        #expect(try fixture.workspace.partnerRecord("NL1001")?.partner.name == "Renamed by another site")
    }

    /// JSON routes take JSON: a form or plain text is 415; and a body that is not the JSON expected says so in
    /// a user's words (no `: :` and no decoder internals).
    @Test func jsonRoutesTakeJSONAndSayWhatIsWrong() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                let response = try await client.execute(
                    uri: "/api/v1/enrollments", method: .post, headers: Fixture.headers(token, [.contentType: contentType]),
                    body: ByteBuffer(string: #"{"partner_id": "NL1002", "program": "VIP25-6M", "subtrack": "collaboration/voice"}"#))
                #expect(response.status == .unsupportedMediaType, "\(contentType)")
                let run = try await client.execute(
                    uri: "/api/v1/runs", method: .post, headers: Fixture.headers(token, [.contentType: contentType]), body: ByteBuffer(string: "{}"))
                #expect(run.status == .unsupportedMediaType, "\(contentType)")
            }
            #expect(try fixture.workspace.enrollments(partner: "NL1002").count == 1)
            let cases: [(String, String)] = [
                ("{not json", "the body is not valid JSON"),
                ("", "the body is not valid JSON"),
                (#"{"partner_id": 5, "program": "VIP25-6M", "subtrack": "x"}"#, "the JSON body's partner_id must be a string"),
                (#"{"partner_id": "NL1002", "subtrack": "x"}"#, "the JSON body lacks the key program"),
                (#"{"partner_id": null, "program": "VIP25-6M", "subtrack": "x"}"#, "the JSON body's partner_id must not be null"),
                ("[1, 2]", "the JSON body must be an object"),
            ]
            for (body, message) in cases {
                let response = try await client.execute(
                    uri: "/api/v1/enrollments", method: .post, headers: Fixture.headers(token, [.contentType: "application/json; charset=utf-8"]),
                    body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect((try response.json()["error"] as? [String: Any])?["message"] as? String == message, "\(body): \(response.text)")
            }
        }
    }

    /// Every answer, page or API, error or not, carries the web defaults; only the health check and the
    /// OpenAPI document may be cached.
    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            var answers: [(String, TestResponse)] = []
            for uri in ["/login", "/", "/partners/NL1001", "/runs", "/imports", "/programs/VIP25-6M", "/partners/NOPE", "/nothing"] {
                answers.append((uri, try await client.execute(uri: uri, method: .get, headers: jar.header)))
            }
            answers.append(("/ anonymous", try await client.execute(uri: "/", method: .get)))
            for uri in ["/api/v1/runs", "/api/v1/runs/1/results?format=csv", "/api/v1/partners/NOPE", "/api/v1/runs?page=0"] {
                answers.append((uri, try await client.execute(uri: uri, method: .get, headers: Fixture.headers(fixture.admin))))
            }
            answers.append(("401", try await client.execute(uri: "/api/v1/runs", method: .get)))
            answers.append(("405", try await client.execute(uri: "/api/v1/runs", method: .put, headers: Fixture.headers(fixture.admin))))
            for (what, response) in answers {
                #expect(
                    response.headers[.contentSecurityPolicy]
                        == "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
                    "\(what)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(what)")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin", "\(what)")
                #expect(response.headers[.cacheControl] == "no-store", "\(what)")
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil, "\(what)")
            }
            let health = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(health.headers[.cacheControl] == nil)
            #expect(health.headers[.xContentTypeOptions] == "nosniff")
            // On loopback, cookies are not Secure by default (plain HTTP on this machine).
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.headers[.setCookie]?.contains("Secure") == false)
        }
    }

    /// With secure cookies (the default off loopback), every cookie is `Secure`: the login form's, the
    /// session's, the language switch's, and the ones that clear a cookie.
    @Test func secureCookiesMarkEveryCookie() async throws {
        #expect(ServerOptions(host: "0.0.0.0").secureCookies)
        #expect(ServerOptions(host: "incentives.example.com").secureCookies)
        #expect(ServerOptions(host: "192.168.1.10").secureCookies)
        #expect(!ServerOptions(host: "127.0.0.1").secureCookies)
        #expect(!ServerOptions(host: "127.1.2.3").secureCookies)
        #expect(!ServerOptions(host: "localhost").secureCookies)
        #expect(!ServerOptions(host: "::1").secureCookies)
        #expect(!ServerOptions(host: "0.0.0.0", secureCookies: false).secureCookies)
        #expect(ServerOptions(host: "127.0.0.1", secureCookies: true).secureCookies)

        let fixture = try Fixture(secureCookies: true)
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, signedIn) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let language = try await client.execute(uri: "/?lang=nl", method: .get, headers: jar.header)
            let csrf = try #require(try await client.execute(uri: "/imports", method: .get, headers: jar.header).csrf)
            var form = PageTests.form
            for field in jar.header { form.append(field) }
            let out = try await client.execute(uri: "/logout", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)"))
            let login = try await client.execute(uri: "/login", method: .get)
            var cookies: [String] = []
            for response in [login, signedIn, language, out] {
                cookies += response.headers.filter { $0.name == .setCookie }.map(\.value)
            }
            #expect(cookies.count >= 5)
            for cookie in cookies {
                #expect(cookie.hasSuffix("; Secure") && cookie.components(separatedBy: "Secure").count == 2, "\(cookie)")
            }
        }
    }

    /// `next` sends the browser to a path of this site only; anything else goes to the user's home page.
    @Test func nextIsALocalPathOnly() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let refused = [
            "//evil.example/", "/%5Cevil.example", "/%5C/evil.example", "%5C%5Cevil.example", "https://evil.example/", "http:/evil.example",
            "javascript:alert(1)", "/runs%0D%0ASet-Cookie:%20x=1", "/%09/evil.example", "/runs//x", "runs", "", "/runs%20x", "/%E2%80%AE",
        ]
        let links = try (0...refused.count).map { _ in try Accounts.createLoginLink(user: "ada", in: fixture.workspace) }
        try await fixture.serve { client in
            for (link, next) in zip(links, refused) {
                let response = try await client.execute(uri: link + "&next=" + next, method: .get)
                #expect(response.status == .seeOther, "\(next)")
                #expect(response.headers[.location] == "/", "next=\(next) went to \(response.headers[.location] ?? "")")
            }
            let local = try await client.execute(uri: links[refused.count] + "&next=/programs/VIP25-6M%3Flang%3Dnl", method: .get)
            #expect(local.headers[.location] == "/programs/VIP25-6M?lang=nl")
        }
        #expect(LocalPath.validated("/runs?a=1&b=2") == "/runs?a=1&b=2")
        #expect(LocalPath.validated("/\\evil.example") == nil)
        #expect(LocalPath.validated("/runs\u{0}") == nil)
        #expect(LocalPath.validated("/runs\u{7F}") == nil)
    }

    /// A wrong method on a path that exists is 405 with `Allow`, on the API and the pages; HEAD answers
    /// wherever GET does, without a body; a path that does not exist stays 404.
    @Test func wrongMethodsAre405AndHeadWorks() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.patch, "/api/v1/runs", "GET, HEAD, POST"), (.put, "/api/v1/runs", "GET, HEAD, POST"),
                (.delete, "/api/v1/partners/NL1001", "GET, HEAD"), (.post, "/api/v1/runs/1/results", "GET, HEAD"),
                (.get, "/api/v1/imports/bookings", "POST"), (.put, "/api/v1/enrollments", "GET, HEAD, POST, DELETE"),
                (.options, "/api/v1/health", "GET, HEAD"), (.delete, "/api/v1/programs", "GET, HEAD, POST"),
                (.put, "/login", "GET, HEAD, POST"), (.get, "/logout", "POST"), (.delete, "/partners/NL1001", "GET, HEAD"),
                (.post, "/runs", "GET, HEAD"), (.patch, "/", "GET, HEAD"), (.put, "/imports", "GET, HEAD, POST"),
                // Found by schemathesis: QUERY (OpenAPI 3.2's safe method with a body) answered 404.
                (HTTPRequest.Method("QUERY")!, "/api/v1/health", "GET, HEAD"), (HTTPRequest.Method("QUERY")!, "/api/v1/runs", "GET, HEAD, POST"),
            ]
            for (method, uri, allow) in cases {
                let response = try await client.execute(uri: uri, method: method, headers: Fixture.headers(token))
                #expect(response.status == .methodNotAllowed, "\(method) \(uri): \(response.status.code)")
                #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                #expect(try response.errorCode() == "method_not_allowed", "\(method) \(uri)")
            }
            for uri in ["/api/v1/health", "/api/v1/runs", "/api/v1/runs/1/partners/NL1001", "/api/v1/openapi.yaml", "/login"] {
                let get = try await client.execute(uri: uri, method: .get, headers: Fixture.headers(token))
                let head = try await client.execute(uri: uri, method: .head, headers: Fixture.headers(token))
                #expect(head.status == get.status, "HEAD \(uri)")
                #expect(head.body.readableBytes == 0, "HEAD \(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
            }
            let missing = try await client.execute(uri: "/api/v1/no-such-route", method: .delete, headers: Fixture.headers(token))
            #expect(missing.status == .notFound)
        }
    }

    /// Found by schemathesis: an empty or unknown `program` on the advice route answered 500.
    @Test func adviceForAnEmptyOrUnknownProgramIsA4xx() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let headers = Fixture.headers(fixture.admin)
            let empty = try await client.execute(uri: "/api/v1/partners/NL1001/advice?program=", method: .get, headers: headers)
            #expect(empty.status == .badRequest)
            let unknown = try await client.execute(uri: "/api/v1/partners/NL1001/advice?program=NOPE", method: .get, headers: headers)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "not_found")
            let known = try await client.execute(uri: "/api/v1/partners/NL1001/advice?program=VIP25-6M", method: .get, headers: headers)
            #expect(known.status == .ok)
        }
    }

    /// The partner page computes from the data as it stands: a projection, never "Paid"; what was paid
    /// comes from the latest stored run, named with its number and time.
    @Test func thePartnerPageTellsAProjectionFromAStoredRun() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let started = try #require(try fixture.workspace.runs().last?.startedAt)
        // `2026-11-23T07:17:00.123Z` is shown as `Nov 23, 2026 07:17 UTC`.
        let day = try #require(Day(iso: String(started.prefix(10)))).components
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let english = "\(months[day.month - 1]) \(day.day), \(day.year) \(started.dropFirst(11).prefix(5)) UTC"
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let before = try await client.execute(uri: "/partners/NL1002", method: .get, headers: jar.header)
            #expect(before.text.contains("would be paid on the data as it stands"))
            #expect(before.text.contains("<p>Would be paid <strong>0.00 USD</strong> · would be missed 3,450.00 USD</p>"))
            #expect(before.text.contains("Stored run 1 (\(english)): ineligible · Paid 0.00 USD · Missed 3,450.00 USD"))
            // "Paid" only ever stands next to the stored run it comes from.
            for line in before.text.split(separator: "\n") where line.contains("Paid") {
                #expect(line.contains("Stored run 1 ("), "\(line)")
            }

            // One more cent reaches the Dutch minimum: the projection pays, the stored run still did not.
            let csv = "order_id,line,partner_id,booked_on,sku,amount,currency\nC1,1,NL1002,2015-03-01,UCS-C240M4SX,0.01,USD\n"
            let imported = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(fixture.admin), body: ByteBuffer(string: csv))
            #expect(imported.status == .ok)
            let after = try await client.execute(uri: "/partners/NL1002", method: .get, headers: jar.header)
            #expect(after.text.contains("<p>Would be paid <strong>3,450.00 USD</strong> · would be missed 0.00 USD</p>"))
            #expect(after.text.contains("Stored run 1 (\(english)): ineligible · Paid 0.00 USD · Missed 3,450.00 USD"))

            // A new run: the page names it, with what it paid.
            let run = try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(fixture.admin))
            #expect(run.status == .created)
            var dutchHeaders = jar.header
            dutchHeaders[.acceptLanguage] = "nl"
            let dutchPage = try await client.execute(uri: "/partners/NL1002", method: .get, headers: dutchHeaders)
            #expect(dutchPage.text.contains("Deze bedragen zouden op deze gegevens worden uitbetaald"))
            #expect(dutchPage.text.contains("<p>Zou worden uitbetaald <strong>3.450,00 USD</strong> · zou worden misgelopen 0,00 USD</p>"))
            #expect(dutchPage.text.contains("Vastgelegde berekening 2 ("))
            #expect(dutchPage.text.contains("komt in aanmerking · Uitbetaald 3.450,00 USD · Misgelopen 0,00 USD"))
            #expect(!dutchPage.text.contains("Vastgelegde berekening 1 ("))
        }
    }

    /// Dutch pages are Dutch throughout: the checks and the advice worded in Dutch from the check's facts,
    /// numbers as `57.499,99`, dates as `25 jul 2015`, times readable; no English sentence and no English
    /// number or ISO date next to them.
    @Test func dutchPagesAreDutchThroughout() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            var headers = jar.header
            headers[.acceptLanguage] = "nl"
            var pages: [String: String] = [:]
            for uri in [
                "/", "/runs", "/imports", "/programs/VIP25-6M", "/programs/PROVIDER-MDF-FY23-H2", "/partners/NL1001", "/partners/NL1002",
                "/partners/NL1003", "/partners/NL1004", "/partners/BE2001", "/partners/BE2004", "/partners/DE3003", "/partners/NL1005",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(response.status == .ok, "\(uri)")
                pages[uri] = response.text
            }
            let nl1002 = try #require(pages["/partners/NL1002"])
            #expect(nl1002.contains("minimale omzet NL 57.500,00 USD, kwalificerend 57.499,99 USD, tekort 0,01"))
            let nl1001 = try #require(pages["/partners/NL1001"])
            #expect(nl1001.contains("slechts 6 van 10 CSAT-rapporten ingediend van 26 apr 2015 t/m 25 jul 2015: nog 4 nodig"))
            #expect(nl1001.contains("niveau gold komt in aanmerking (niveaus die in aanmerking komen: gold, premier, select)"))
            let nl1004 = try #require(pages["/partners/NL1004"])
            #expect(nl1004.contains("niveau registered komt niet in aanmerking"))
            #expect(nl1004.contains("vereist ADV-UCT aan het eind van de periode, 25 jul 2015: ADV-UCT niet in bezit"))
            let be2004 = try #require(pages["/partners/BE2004"])
            #expect(be2004.contains("ten minste één strategische Cisco Powered Service leveren; geen gevonden"))
            let program = try #require(pages["/programs/VIP25-6M"])
            #expect(program.contains("Niveaus die in aanmerking komen: gold, premier, select · Vereiste CSAT-rapporten: 10"))
            // A section of an empty list is left out, not shown with nothing after its label.
            #expect(!program.contains("Vereist alle: </p>"))
            #expect(try #require(pages["/partners/NL1001"]).contains("<p class=\"muted\">NL · gold</p>"))
            #expect(try #require(pages["/"]).contains(#/Laatste berekening 1, \d{1,2} [a-z]{3} \d{4} \d{2}:\d{2} UTC/#))

            let englishSentences = [
                "CSAT reports", "minimum volume", "qualifying", "short by", "holds ", "requires ", "not held", "is eligible", "eligible tiers",
                "no credentials required", "strategic Cisco", " of the ", "at this pace", "not enrolled", "Paid", "eligible_tiers", "csat_required",
                "period end", "rows,",
            ]
            for (uri, html) in pages {
                for sentence in englishSentences { #expect(!html.contains(sentence), "\(uri) has English: \(sentence)") }
                // 57,500.00 is English; so are ISO dates and timestamps with milliseconds.
                #expect(html.firstMatch(of: #/\d,\d{3}\.\d{2}\b/#) == nil, "\(uri) has an English number")
                #expect(html.firstMatch(of: #/\b\d{4}-\d{2}-\d{2}\b/#) == nil, "\(uri) has an ISO date")
                #expect(html.firstMatch(of: #/\d{2}:\d{2}:\d{2}\.\d{3}/#) == nil, "\(uri) has a raw timestamp")
            }
            // English pages keep the engine's own words.
            let english = try await client.execute(uri: "/partners/NL1002", method: .get, headers: jar.header)
            #expect(english.text.contains("minimum volume NL 57,500.00 USD, qualifying 57,499.99 USD, short by 0.01"))
        }
    }
}
