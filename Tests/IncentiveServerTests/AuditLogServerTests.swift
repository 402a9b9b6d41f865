import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveStore
import NIOCore
import Testing

@testable import IncentiveServer

/// The audit log on the server (issue 16 point 3): every change made through the API or the pages is recorded
/// as made by the signed-in account; the page `/log` and `GET /api/v1/log` are for admins only.
@Suite struct AuditLogServerTests {
    static func entries(_ fixture: Fixture) throws -> [AuditEntry] { try fixture.workspace.auditLog(AuditFilter(), offset: 0, limit: 1000).items }

    static func post(_ client: any TestClientProtocol, _ uri: String, token: String, body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: body))
    }

    /// The fixture's own set-up ran as the operating-system user: programs, the import, the run, users and tokens.
    @Test func theFixturesSetUpIsRecordedAsTheOperatingSystemUser() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let entries = try Self.entries(fixture)
        #expect(
            entries.map(\.action).reversed() == [
                "program_add", "program_add", "program_add", "import", "run", "user_add", "user_add", "token_create", "token_create",
            ])
        #expect(entries.allSatisfy { $0.actor == .operatingSystemUser() && $0.actor.kind == .operatingSystemUser })
    }

    @Test func everyChangeThroughTheServerIsRecordedAsTheSignedInAccount() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let before = try Self.entries(fixture).count
        let ada = Actor(kind: .account, name: "ada")
        try await fixture.serve { client in
            let token = fixture.admin
            /// Sends a request that must answer `status` and write exactly one entry by ada, which it returns.
            func one(_ status: HTTPResponse.Status, _ send: () async throws -> TestResponse) async throws -> AuditEntry {
                let count = try Self.entries(fixture).count
                let response = try await send()
                #expect(response.status == status, "\(response.text)")
                let now = try Self.entries(fixture)
                #expect(now.count == count + 1)
                let entry = try #require(now.first)
                #expect(entry.actor == ada, "\(entry.action)")
                return entry
            }
            let yaml = try String(contentsOf: Fixture.examples.appendingPathComponent("programs/vip25-3m.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "name: Value Incentive Program 25, 3-month period", with: "name: VIP 25, three months")
            let program = try await one(.created) { try await Self.post(client, "/api/v1/programs?file_name=vip.yaml", token: token, body: yaml) }
            #expect(program.action == "program_add" && program.subject == "VIP25-3M v2")
            #expect(program.detail?.hasSuffix(", file upload:vip.yaml") == true)

            let fx = try String(contentsOf: Fixture.examples.appendingPathComponent("data/fx.csv"), encoding: .utf8)
            let imported = try await one(.ok) { try await Self.post(client, "/api/v1/imports/fx", token: token, body: fx) }
            #expect(imported.action == "import" && imported.subject == "import 9")
            #expect(imported.detail?.hasPrefix("fx upload:fx.csv: 3 rows (0 added, 0 changed, 3 unchanged), sha256 ") == true)

            let enrolment = #"{"partner_id": "NL1002", "program": "VIP25-6M", "subtrack": "collaboration/voice", "enrolled_on": "2015-03-01"}"#
            let enrolled = try await one(.created) { try await Self.post(client, "/api/v1/enrollments", token: token, body: enrolment) }
            #expect(enrolled.action == "enroll" && enrolled.subject == "NL1002 VIP25-6M collaboration/voice")
            let unenrolled = try await one(.noContent) {
                try await client.execute(
                    uri: "/api/v1/enrollments?partner_id=NL1002&program=VIP25-6M&subtrack=collaboration/voice", method: .delete,
                    headers: Fixture.headers(token))
            }
            #expect(unenrolled.action == "unenroll")
            let ran = try await one(.created) { try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(token)) }
            #expect(ran.action == "run" && ran.subject == "run 2")

            // The pages: a sign-in, an upload and the users page's forms.
            let signedIn = try await one(.seeOther) { try await PageTests.signIn(client, name: "ada", password: "admin-secret").1 }
            #expect(signedIn.action == "sign_in" && signedIn.subject == "ada")
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let csrf = try #require(try await client.execute(uri: "/users", method: .get, headers: jar.header).csrf)
            var headers = jar.header
            headers[.contentType] = "multipart/form-data; boundary=----b"
            let upload = try await one(.ok) {
                try await client.execute(
                    uri: "/imports", method: .post, headers: headers,
                    body: PageTests.multipart(csrf: csrf, kind: "fx", fileName: "rates.csv", content: fx))
            }
            #expect(upload.action == "import" && upload.detail?.hasPrefix("fx upload:rates.csv: 3 rows") == true)
            for (path, form, action) in [
                ("/users/disable", "name=nl1", "user_disable"), ("/users/enable", "name=nl1", "user_enable"),
                ("/users/password", "name=nl1&password=correct-horse-1&again=correct-horse-1", "password_set"),
                ("/tokens/revoke", "id=\(Accounts.tokenID(fixture.partner))", "token_revoke"),
                ("/users/delete", "name=nl1&confirm=nl1", "user_delete"),
            ] {
                let entry = try await one(.ok) { try await AccountsTests.post(client, path, jar, "csrf=\(csrf)&\(form)") }
                #expect(entry.action == action && entry.subject == "nl1", "\(path)")
            }
        }
        #expect(try Self.entries(fixture).count == before + 13)
    }

    /// A refused upload writes nothing, through the API or the page.
    @Test func aRefusedUploadWritesNoEntry() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let before = try Self.entries(fixture)
        try await fixture.serve { client in
            let bad = "currency,valid_from,rate\nEUR,2015-01-01,abc\n"
            let refused = try await Self.post(client, "/api/v1/imports/fx", token: fixture.admin, body: bad)
            #expect(refused.status == .unprocessableContent)
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let signedIn = try Self.entries(fixture)
            #expect(signedIn.count == before.count + 1 && signedIn.first?.action == "sign_in")
            let csrf = try #require(try await client.execute(uri: "/imports", method: .get, headers: jar.header).csrf)
            var headers = jar.header
            headers[.contentType] = "multipart/form-data; boundary=----b"
            let page = try await client.execute(
                uri: "/imports", method: .post, headers: headers, body: PageTests.multipart(csrf: csrf, kind: "fx", fileName: "bad.csv", content: bad)
            )
            #expect(page.status == .unprocessableContent)
            #expect(try Self.entries(fixture) == signedIn)
        }
    }

    /// `/log`: a sign-in first (like every admin page), 404 for a partner user, the log for an admin.
    @Test func theLogPageIsForAdmins() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let anonymous = try await client.execute(uri: "/log", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login")
            // A token is not a page session.
            #expect(try await client.execute(uri: "/log", method: .get, headers: Fixture.headers(fixture.admin)).status == .seeOther)
            let (partnerJar, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let partner = try await client.execute(uri: "/log", method: .get, headers: partnerJar.header)
            #expect(partner.status == .notFound)
            #expect(!partner.text.contains("program_add"))
            #expect(!partner.text.contains("href=\"/log\""))

            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/log", method: .get, headers: jar.header)
            #expect(page.status == .ok)
            #expect(page.text.contains("<a href=\"/log\">Audit log</a>"))
            #expect(page.text.contains("<h1>Audit log</h1>"))
            // Newest first: the sign-ins of ada (11) and nl1 (10) above the set-up (1-9).
            let ids = Self.ids(page.text)
            #expect(ids == Array((1...11).reversed()))
            #expect(page.text.contains("<td>sign_in</td><td>ada</td>"))
            #expect(page.text.contains("<td>ada <span class=\"muted\">(account)</span></td>"))
            #expect(page.text.contains("<td>VIP25-6M v1</td>"))
            let dutch = try await client.execute(uri: "/log?lang=nl", method: .get, headers: jar.header)
            #expect(dutch.text.contains("<h1>Auditlog</h1>"))
            #expect(dutch.text.contains("(systeemgebruiker)"))
        }
    }

    /// The ids in the page's table, in order.
    static func ids(_ html: String) -> [Int] {
        html.components(separatedBy: "<tr><td class=\"num\">").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test func theLogPageIsPagedAndFiltered() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            func get(_ uri: String) async throws -> TestResponse { try await client.execute(uri: uri, method: .get, headers: jar.header) }
            // 1-9 the set-up, 10 the sign-in.
            let second = try await get("/log?per_page=4&page=2")
            #expect(second.status == .ok)
            #expect(Self.ids(second.text) == [6, 5, 4, 3])
            #expect(second.text.contains("Page 2 of 3"))
            #expect(second.text.contains("<a href=\"/log?per_page=4\" rel=\"prev\">"))
            #expect(second.text.contains("<a href=\"/log?per_page=4&amp;page=3\" rel=\"next\">"))
            #expect(second.text.contains("<input type=\"hidden\" name=\"per_page\" value=\"4\">"))
            #expect(Self.ids(try await get("/log?per_page=4&page=3").text) == [2, 1])
            #expect(Self.ids(try await get("/log?action=program_add").text) == [3, 2, 1])
            #expect(Self.ids(try await get("/log?actor=ada").text) == [10])
            #expect(Self.ids(try await get("/log?actor=ada&action=program_add").text) == [])
            #expect(try await get("/log?actor=ada&action=program_add").text.contains("Nothing to show on this page."))
            let filtered = try await get("/log?action=user_add&per_page=1")
            #expect(Self.ids(filtered.text) == [7])
            #expect(filtered.text.contains("<a href=\"/log?action=user_add&amp;per_page=1&amp;page=2\" rel=\"next\">"))
            #expect(filtered.text.contains("<option selected>user_add</option>"))
            let recent = try await get("/log?since=2999-01-01T00:00%2B01:00")
            #expect(Self.ids(recent.text) == [])
            #expect(recent.text.contains("<input name=\"since\" value=\"2999-01-01T00:00+01:00\""))
            #expect(Self.ids(try await get("/log?since=2000-01-01&per_page=2&action=program_add").text) == [3, 2])
            #expect(
                try await get("/log?since=2000-01-01&per_page=2&action=program_add").text.contains(
                    "<a href=\"/log?action=program_add&amp;since=2000-01-01&amp;per_page=2&amp;page=2\" rel=\"next\">"))
            // The form keeps an empty choice: no filter.
            #expect(Self.ids(try await get("/log?actor=&action=").text).count == 10)
            let tooLong = "/log?since=2026-11-30" + String(repeating: "%20", count: 60)
            for bad in ["/log?action=delete_everything", "/log?per_page=101", "/log?per_page=0", "/log?page=0", "/log?since=yesterday", tooLong] {
                #expect(try await get(bad).status == .badRequest, "\(bad)")
            }
        }
    }

    /// Whatever the entries hold, a page of 100 stays under 300 KB: long texts are cut there (not in the API).
    @Test func aFullPageStaysUnder300KB() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let fx = Fixture.examples.appendingPathComponent("data/fx.csv").path
        let quotes = String(repeating: "\"&<'", count: 2_000)
        for _ in 0..<100 {
            _ = try fixture.workspace.importFile(.fx, path: fx, displayName: quotes, by: .account(String(repeating: "\"", count: 500)))
        }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/log?per_page=100&action=import", method: .get, headers: jar.header)
            #expect(page.status == .ok)
            #expect(Self.ids(page.text).count == 100)
            #expect(page.body.readableBytes <= 300_000, "\(page.body.readableBytes) bytes")
            #expect(page.text.contains("…</td>"))
            // The API gives every entry whole.
            let api = try await client.execute(uri: "/api/v1/log?action=import&per_page=1", method: .get, headers: Fixture.headers(fixture.admin))
            let items = try #require(try api.json()["items"] as? [[String: Any]])
            #expect((items.first?["detail"] as? String)?.contains(quotes) == true)
            #expect(items.first?["actor"] as? String == String(repeating: "\"", count: 500))
        }
    }

    @Test func theLogCutsTextsToTheirBudget() {
        #expect(LogPage.fitted("short", bytes: 10) == "short")
        #expect(LogPage.fitted("0123456789", bytes: 10) == "0123456789")
        #expect(LogPage.fitted("0123456789a", bytes: 10) == "0123456…")
        #expect(LogPage.fitted("\"\"\"", bytes: 17) == "\"\"…")
        #expect(LogPage.fitted("\"\"\"", bytes: 18) == "\"\"\"")
        #expect(LogPage.fitted("ééé", bytes: 6) == "ééé")
        #expect(LogPage.fitted("éééé", bytes: 6) == "é…")
    }

    /// `GET /api/v1/log`: 401 without a user, 403 for a partner user, the log for an admin (token or session).
    @Test func theLogRouteIsForAdmins() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let anonymous = try await client.execute(uri: "/api/v1/log", method: .get)
            #expect(anonymous.status == .unauthorized)
            let partner = try await client.execute(uri: "/api/v1/log", method: .get, headers: Fixture.headers(fixture.partner))
            #expect(partner.status == .forbidden)
            #expect(try partner.errorCode() == "forbidden")
            #expect(!partner.text.contains("program_add"))

            let admin = try await client.execute(uri: "/api/v1/log?per_page=2", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(admin.status == .ok)
            let json = try admin.json()
            #expect(json["total"] as? Int == 9 && json["page"] as? Int == 1 && json["per_page"] as? Int == 2)
            let items = try #require(json["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? Int } == [9, 8])
            #expect(items.map { $0["action"] as? String } == ["token_create", "token_create"])
            #expect(items.map { $0["subject"] as? String } == ["nl1", "ada"])
            #expect(items.allSatisfy { $0["actor_kind"] as? String == "os_user" && $0["actor"] as? String == Actor.operatingSystemUser().name })
            #expect(items.allSatisfy { ($0["at"] as? String)?.hasSuffix("Z") == true })
            #expect(Set(items[0].keys) == ["id", "at", "actor_kind", "actor", "action", "subject", "detail"])

            let runs = try await client.execute(uri: "/api/v1/log?action=run", method: .get, headers: Fixture.headers(fixture.admin))
            let runItems = try #require(try runs.json()["items"] as? [[String: Any]])
            #expect(runItems.map { $0["subject"] as? String } == ["run 1"])
            let none = try await client.execute(uri: "/api/v1/log?since=2999-01-01", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(try none.json()["total"] as? Int == 0)
            for bad in ["action=nope", "since=2026-13-01", "per_page=501", "page=0"] {
                let response = try await client.execute(uri: "/api/v1/log?\(bad)", method: .get, headers: Fixture.headers(fixture.admin))
                #expect(response.status == .badRequest, "\(bad)")
                #expect(try response.errorCode() == "bad_request", "\(bad)")
            }
            // The session of the pages works too (a GET needs no CSRF token).
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let session = try await client.execute(uri: "/api/v1/log?actor=ada", method: .get, headers: jar.header)
            #expect(session.status == .ok)
            #expect(try session.json()["total"] as? Int == 1)
        }
    }
}
