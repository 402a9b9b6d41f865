import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveStore
import NIOCore
import Testing

@testable import IncentiveServer

/// A workspace with the bundled example, run once, with an admin and two partner users, served on a
/// loopback port; the tests speak HTTP to it.
struct Fixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = packageRoot.appendingPathComponent("examples")

    let folder: URL
    let workspace: Workspace
    let admin: String
    /// Bound to NL1001.
    let partner: String
    let options: ServerOptions

    /// - Parameter clock: the clock of the workspace and the server (today's date, timestamps, expiry).
    init(maxBodySize: Int = 1 << 30, secureCookies: Bool? = nil, clock: WallClock = .system) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        workspace = try Workspace.create(at: folder.appendingPathComponent("w.sqlite").path, clock: clock)
        let programs = Self.examples.appendingPathComponent("programs").path
        for name in try FileManager.default.contentsOfDirectory(atPath: programs).sorted() {
            _ = try workspace.addProgram(file: "\(programs)/\(name)")
        }
        _ = try workspace.importFolder(Self.examples.appendingPathComponent("data").path)
        _ = try workspace.run()
        // bcrypt cost 4 keeps the tests fast; the server reads the cost from each hash.
        try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: Accounts.hashPassword("admin-secret", cost: 4)))
        try workspace.addUser(User(name: "nl1", role: .partner, partnerID: "NL1001", passwordHash: Accounts.hashPassword("partner-secret", cost: 4)))
        admin = try Accounts.createToken(user: "ada", in: workspace)
        partner = try Accounts.createToken(user: "nl1", in: workspace)
        options = ServerOptions(host: "127.0.0.1", port: 0, maxBodySize: maxBodySize, secureCookies: secureCookies, clock: clock)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func serve<Value>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await IncentivesServer.application(workspace: workspace, options: options).test(.live, test)
    }

    static func headers(_ token: String?, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        if let token { fields[.authorization] = "Bearer \(token)" }
        return fields
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
    /// `error.code` of an error answer.
    func errorCode() throws -> String? { (try json()["error"] as? [String: Any])?["code"] as? String }
}

@Suite struct APITests {
    /// Every route with a placeholder for ids; all but health and the OpenAPI document need a user.
    static let routes: [(HTTPRequest.Method, String)] = [
        (.get, "/api/v1/programs"), (.get, "/api/v1/programs/VIP25-6M"), (.post, "/api/v1/programs"), (.get, "/api/v1/partners"),
        (.get, "/api/v1/partners/NL1001"), (.post, "/api/v1/imports/bookings"), (.get, "/api/v1/enrollments"), (.post, "/api/v1/enrollments"),
        (.delete, "/api/v1/enrollments"), (.post, "/api/v1/runs"), (.get, "/api/v1/runs"), (.get, "/api/v1/runs/1"),
        (.get, "/api/v1/runs/1/results"), (.get, "/api/v1/runs/1/partners/NL1001"), (.get, "/api/v1/partners/NL1001/advice"),
    ]

    @Test func noRouteAnswersWithoutAUserButHealthAndTheDocument() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let health = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(health.status == .ok)
            let withForgedToken = try await client.execute(uri: "/api/v1/health", method: .get, headers: Fixture.headers("inc_forged"))
            #expect(withForgedToken.status == .ok)
            #expect(health.text == #"{"engine_version":"0.1.0","status":"ok"}"#)
            let document = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get)
            #expect(document.status == .ok)
            #expect(document.text.hasPrefix("openapi: 3.1.0\n"))
            for (method, uri) in Self.routes {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .unauthorized, "\(method) \(uri)")
                #expect(try response.errorCode() == "unauthorized", "\(method) \(uri)")
                let forged = try await client.execute(uri: uri, method: method, headers: Fixture.headers("inc_forged"))
                #expect(forged.status == .unauthorized, "\(method) \(uri)")
            }
        }
    }

    /// A partner user reaches only its own partner: other partners are 404 (as if absent), admin work is 403.
    @Test func aPartnerSeesOnlyItsOwnPartner() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.partner
        try await fixture.serve { client in
            let partners = try await client.execute(uri: "/api/v1/partners?per_page=500", method: .get, headers: Fixture.headers(token))
            #expect(partners.status == .ok)
            let items = try #require(try partners.json()["items"] as? [[String: Any]])
            #expect(items.map { $0["partner_id"] as? String } == ["NL1001"])
            #expect(try partners.json()["total"] as? Int == 1)
            for uri in [
                "/api/v1/partners/NL1002", "/api/v1/runs/1/partners/NL1002", "/api/v1/runs/1/results?partner=NL1002",
                "/api/v1/enrollments?partner=NL1002", "/api/v1/partners/NOPE",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: Fixture.headers(token))
                #expect(response.status == .notFound, "\(uri)")
                #expect(!response.text.contains("Rotterdam"), "\(uri)")
            }
            // Its own results: exactly its rows of the golden CSV, whatever filter it asks for.
            let golden = try String(contentsOf: Fixture.examples.appendingPathComponent("expected/results.csv"), encoding: .utf8)
            let own = golden.split(separator: "\n").filter { $0.hasPrefix("program,") || $0.contains(",NL1001,") }.joined(separator: "\n") + "\n"
            let csv = try await client.execute(uri: "/api/v1/runs/1/results?format=csv", method: .get, headers: Fixture.headers(token))
            #expect(csv.text == own)
            let enrollments = try await client.execute(uri: "/api/v1/enrollments", method: .get, headers: Fixture.headers(token))
            let enrolled = try #require(try enrollments.json()["items"] as? [[String: Any]])
            #expect(!enrolled.isEmpty)
            #expect(enrolled.allSatisfy { $0["partner_id"] as? String == "NL1001" })
            // Run totals are over every partner: not for a partner user.
            let run = try await client.execute(uri: "/api/v1/runs/1", method: .get, headers: Fixture.headers(token))
            #expect(try run.json()["amount"] == nil)
            for (method, uri) in [
                (HTTPRequest.Method.post, "/api/v1/programs"), (.post, "/api/v1/imports/bookings"), (.post, "/api/v1/enrollments"),
                (.delete, "/api/v1/enrollments?partner_id=NL1001&program=VIP25-6M&subtrack=data-center/ucs"), (.post, "/api/v1/runs"),
            ] {
                let response = try await client.execute(uri: uri, method: method, headers: Fixture.headers(token), body: ByteBuffer(string: "{}"))
                #expect(response.status == .forbidden, "\(method) \(uri)")
            }
        }
        #expect(try fixture.workspace.runs().count == 1)
        #expect(try fixture.workspace.enrollments(partner: "NL1001").count == 3)
    }

    @Test func theExplanationHoldsEveryCheck() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.partner
        try await fixture.serve { client in
            let response = try await client.execute(uri: "/api/v1/runs/1/partners/NL1001", method: .get, headers: Fixture.headers(token))
            #expect(response.status == .ok)
            let programs = try #require(try response.json()["programs"] as? [[String: Any]])
            #expect(programs.map { $0["program"] as? String } == ["PROVIDER-MDF-FY23-H2", "VIP25-3M", "VIP25-6M"])
            let threeMonth = programs[1]
            #expect(threeMonth["status"] as? String == "ineligible")
            #expect(threeMonth["missed_amount"] as? String == "2010.04")
            let rows = try #require(threeMonth["rows"] as? [[String: Any]])
            let checks = try #require(rows.first?["checks"] as? [[String: Any]])
            #expect(checks.map { $0["code"] as? String } == ["tier", "csat", "credential", "volume"])
            #expect(checks.map { $0["passed"] as? Bool } == [true, false, true, true])
            #expect(checks[1]["reason"] as? String == "csat:6/10")
            #expect(programs[0]["status"] as? String == "not_taking_part")
        }
    }

    @Test func importsAreAllOrNothingWithEveryProblemNamed() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let bad =
                "order_id,line,partner_id,booked_on,sku,amount,currency\nN1,1,NL1001,2015-03-01,UCS-C240M4SX,100.00,USD\nN2,1,NL1001,2015-03-01,UCS-C240M4SX,\"12,50\",USD\nN3,1,XX9,2015-13-01,UCS-C240M4SX,1.00,USD\n"
            let rejected = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: bad))
            #expect(rejected.status == .unprocessableContent)
            let error = try #require(try rejected.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_input")
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(details.map { $0["line"] as? Int } == [3, 4, 4])
            #expect(details.map { $0["column"] as? String } == ["amount", "partner_id", "booked_on"])
            #expect(details.map { $0["value"] as? String } == ["12,50", "XX9", "2015-13-01"])
            #expect(details.allSatisfy { $0["file"] as? String == "upload:bookings.csv" })
            #expect(try fixture.workspace.status().rows.first { $0.kind == .bookings }?.count == 66)

            let good = "order_id,line,partner_id,booked_on,sku,amount,currency\nN1,1,NL1001,2015-03-01,UCS-C240M4SX,100.00,USD\n"
            let accepted = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: good))
            #expect(accepted.status == .ok)
            #expect(try accepted.json()["added"] as? Int == 1)
            let unknown = try await client.execute(
                uri: "/api/v1/imports/orders", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: good))
            #expect(unknown.status == .notFound)
        }
        #expect(try fixture.workspace.status().rows.first { $0.kind == .bookings }?.count == 67)
    }

    /// `dry_run=true` writes nothing and lists what the import would do; `replace=true` retires the rows the
    /// file lacks (the same import as `import --replace`, whose counts the CLI test checks).
    @Test func importsPreviewAndReplaceLikeTheCommand() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        let corrected = """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,6000.00,USD,
            N1,1,NL1001,2015-03-01,,UCS-C240M4SX,1,100.00,USD,

            """
        @Sendable func bookings() throws -> Int? { try fixture.workspace.status().rows.first { $0.kind == .bookings }?.count }
        try await fixture.serve { client in
            let preview = try await client.execute(
                uri: "/api/v1/imports/bookings?replace=true&dry_run=true", method: .post, headers: Fixture.headers(token),
                body: ByteBuffer(string: corrected))
            #expect(preview.status == .ok)
            let answer = try preview.json()
            #expect(answer["dry_run"] as? Bool == true)
            #expect(
                [answer["rows"], answer["added"], answer["changed"], answer["unchanged"], answer["retired"]].map { $0 as? Int } == [2, 1, 1, 0, 65])
            let changed = try #require(answer["changed_rows"] as? [[String: Any]])
            #expect(changed.map { $0["key"] as? String } == ["SO15-1001/1"])
            let changes = try #require(changed.first?["changes"] as? [[String: Any]])
            #expect(changes.map { [$0["column"], $0["old"], $0["new"]].map { $0 as? String } } == [["amount", "24000.00", "6000.00"]])
            let added = try #require(answer["added_rows"] as? [[String: Any]])
            #expect(added.map { $0["key"] as? String } == ["N1/1"])
            #expect((added.first?["values"] as? [String: Any])?["amount"] as? String == "100.00")
            #expect((answer["retired_rows"] as? [Any])?.count == ImportPreview.listLimit)
            let warnings = try #require(answer["warnings"] as? [String])
            #expect(warnings.contains { $0.contains("SO15-1001/1 changes its amount by more than half: 24,000.00 USD -> 6,000.00 USD") })
            #expect(try bookings() == 66, "a dry run writes nothing")

            let unclear = try await client.execute(
                uri: "/api/v1/imports/bookings?dry_run=yes", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: corrected))
            #expect(unclear.status == .badRequest)
            #expect(try bookings() == 66)

            let replaced = try await client.execute(
                uri: "/api/v1/imports/bookings?replace=true", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: corrected))
            #expect(replaced.status == .ok)
            let done = try replaced.json()
            #expect(done["dry_run"] as? Bool == false && done["retired"] as? Int == 65 && (done["changed_rows"] as? [Any])?.isEmpty == true)
        }
        #expect(try bookings() == 2)
    }

    /// Issue 18: an upload may be a Dutch Excel export or a workbook; it is read as `import` reads it, and the
    /// answer says how (`notes`). The example's bookings in either form are the stored rows, unchanged.
    @Test func uploadsReadExcelExportsAndWorkbooks() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        let excel = try Data(contentsOf: Fixture.examples.appendingPathComponent("excel-nl/csv/bookings.csv"))
        let workbook = try Data(contentsOf: Fixture.examples.appendingPathComponent("excel-nl/xlsx/bookings.xlsx"))
        try await fixture.serve { client in
            let fromExcel = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(token), body: ByteBuffer(bytes: excel))
            #expect(fromExcel.status == .ok)
            let excelAnswer = try fromExcel.json()
            #expect(
                [excelAnswer["rows"], excelAnswer["added"], excelAnswer["changed"], excelAnswer["unchanged"]].map { $0 as? Int } == [66, 0, 0, 66])
            #expect(excelAnswer["notes"] as? [String] == ["upload:bookings.csv: read as Excel (nl): ';' fields, decimal comma, dd-mm-yyyy"])

            let fromWorkbook = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(token), body: ByteBuffer(bytes: workbook))
            #expect(fromWorkbook.status == .ok)
            let workbookAnswer = try fromWorkbook.json()
            #expect([workbookAnswer["rows"], workbookAnswer["unchanged"]].map { $0 as? Int } == [66, 66])
            #expect(workbookAnswer["notes"] as? [String] == ["upload:bookings.xlsx: read as an Excel workbook, sheet Sheet1"])

            // Read as the standard format, the export's ';' lines are refused, naming the upload.
            let forced = try await client.execute(
                uri: "/api/v1/imports/bookings?dialect=standard", method: .post, headers: Fixture.headers(token), body: ByteBuffer(bytes: excel))
            #expect(forced.status == .unprocessableContent)
            let details = try #require((try forced.json()["error"] as? [String: Any])?["details"] as? [[String: Any]])
            #expect(details.first?["file"] as? String == "upload:bookings.csv")
            let unknown = try await client.execute(
                uri: "/api/v1/imports/bookings?dialect=excel-fr", method: .post, headers: Fixture.headers(token), body: ByteBuffer(bytes: excel))
            #expect(unknown.status == .badRequest)
        }
        #expect(try fixture.workspace.status().rows.first { $0.kind == .bookings }?.count == 66)
        let logged = try fixture.workspace.importLog().map(\.summary.file)
        #expect(logged.contains("upload:bookings.xlsx!Sheet1") && logged.contains("upload:bookings.csv"), "\(logged)")
    }

    @Test func enrolRunAndReadTheResults() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let body = #"{"partner_id": "NL1002", "program": "VIP25-6M", "subtrack": "collaboration/voice", "enrolled_on": "2015-03-01"}"#
            let enrolled = try await client.execute(
                uri: "/api/v1/enrollments", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: body))
            #expect(enrolled.status == .created)
            let lacking = try #require(try enrolled.json()["lacking"] as? [[String: Any]])
            #expect(lacking.map { $0["code"] as? String } == ["credential", "volume"])
            let refused = try await client.execute(
                uri: "/api/v1/enrollments", method: .post, headers: Fixture.headers(token),
                body: ByteBuffer(string: #"{"partner_id": "NL1002", "program": "VIP25-6M", "subtrack": "nope/none"}"#))
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.errorCode() == "rejected")

            let run = try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(token))
            #expect(run.status == .created)
            #expect(try run.json()["id"] as? Int == 2)
            #expect(try run.json()["amount"] as? String == "30134.17")
            let rows = try await client.execute(
                uri: "/api/v1/runs/2/results?partner=NL1002&program=VIP25-6M", method: .get, headers: Fixture.headers(token))
            let items = try #require(try rows.json()["items"] as? [[String: Any]])
            #expect(items.map { $0["item"] as? String } == ["collaboration/voice", "data-center/ucs"])
            #expect(items.map { $0["missed_amount"] as? String } == ["0.00", "3450.00"])

            let removed = try await client.execute(
                uri: "/api/v1/enrollments?partner_id=NL1002&program=VIP25-6M&subtrack=collaboration/voice", method: .delete,
                headers: Fixture.headers(token))
            #expect(removed.status == .noContent)
            let runs = try await client.execute(uri: "/api/v1/runs", method: .get, headers: Fixture.headers(token))
            #expect((try runs.json()["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [2, 1])
        }
    }

    @Test func malformedRequestsGetAFourHundred() async throws {
        let fixture = try Fixture(maxBodySize: 1000)
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status)] = [
                (.post, "/api/v1/enrollments", "{not json", .badRequest),
                (.post, "/api/v1/enrollments", #"{"partner_id": 5}"#, .badRequest),
                (.get, "/api/v1/partners?page=0", nil, .badRequest),
                (.get, "/api/v1/partners?per_page=100000", nil, .badRequest),
                (.get, "/api/v1/runs/abc", nil, .notFound),
                (.get, "/api/v1/runs/99", nil, .notFound),
                (.get, "/api/v1/runs/99/partners/NL1001", nil, .notFound),
                (.get, "/api/v1/runs/1/results?format=xml", nil, .badRequest),
                (.get, "/api/v1/nothing-here", nil, .notFound),
                (.post, "/api/v1/imports/bookings", String(repeating: "x", count: 5000), .contentTooLarge),
                (.post, "/api/v1/programs", "id: [unclosed", .unprocessableContent),
                (.post, "/api/v1/programs?file_name=..", "id: [unclosed", .unprocessableContent),
                (.post, "/api/v1/runs", #"{"programs": ["NOPE"]}"#, .unprocessableContent),
                (.post, "/api/v1/runs", String(repeating: " ", count: 2 << 20), .contentTooLarge),
            ]
            for (method, uri, body, status) in cases {
                let response = try await client.execute(
                    uri: uri, method: method, headers: Fixture.headers(token), body: body.map { ByteBuffer(string: $0) })
                #expect(response.status == status, "\(method) \(uri): \(response.text)")
                #expect(try response.errorCode() != nil, "\(method) \(uri): \(response.text)")
                // Messages name uploads, never the server's own files.
                #expect(!response.text.contains("/tmp") && !response.text.contains(".sqlite"), "\(method) \(uri): \(response.text)")
            }
        }
    }

    /// The advice of a partner, under the same access rules (figures as in AdvisorTests).
    @Test func adviceForAPartner() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.partner
        try await fixture.serve { client in
            let response = try await client.execute(
                uri: "/api/v1/partners/NL1001/advice?as_of=2015-04-30&program=VIP25-6M", method: .get, headers: Fixture.headers(token))
            #expect(response.status == .ok)
            let programs = try #require(try response.json()["programs"] as? [[String: Any]])
            let ucs = try #require((programs.first?["subtracks"] as? [[String: Any]])?.first)
            #expect(ucs["path"] as? String == "data-center/ucs")
            #expect(ucs["projected_volume"] as? String == "79625.00")
            #expect(ucs["minimum_reached_on"] as? String == "2015-06-05")
            let other = try await client.execute(uri: "/api/v1/partners/NL1002/advice", method: .get, headers: Fixture.headers(token))
            #expect(other.status == .notFound)
            let bad = try await client.execute(uri: "/api/v1/partners/NL1001/advice?as_of=2015-02-30", method: .get, headers: Fixture.headers(token))
            #expect(bad.status == .badRequest)
        }
    }

    /// Without `as_of`, the advice is as of today by the server's clock: a fixed clock on 2015-04-30 gives
    /// the figures of `as_of=2015-04-30` above; the run the fixture stored has the clock's time.
    @Test func adviceIsAsOfTheServersToday() async throws {
        let fixture = try Fixture(clock: .fixed(try #require(Day(iso: "2015-04-30"))))
        defer { fixture.remove() }
        let token = fixture.partner
        try await fixture.serve { client in
            let response = try await client.execute(
                uri: "/api/v1/partners/NL1001/advice?program=VIP25-6M", method: .get, headers: Fixture.headers(token))
            #expect(response.status == .ok)
            #expect(try response.json()["as_of"] as? String == "2015-04-30")
            let programs = try #require(try response.json()["programs"] as? [[String: Any]])
            let ucs = try #require((programs.first?["subtracks"] as? [[String: Any]])?.first)
            #expect(ucs["projected_volume"] as? String == "79625.00")
            #expect(ucs["minimum_reached_on"] as? String == "2015-06-05")
            let run = try await client.execute(uri: "/api/v1/runs/1", method: .get, headers: Fixture.headers(token))
            #expect(try run.json()["started_at"] as? String == "2015-04-30T00:00:00.000Z")
        }
    }

    /// Workspace refusals are mapped once, by code: not found 404, conflict 409, rejected 422, a workspace
    /// that cannot serve 503; what it cannot read or write is an internal error that keeps its cause to the log.
    @Test func workspaceErrorsAreMappedByCode() async throws {
        let cases: [(WorkspaceError.Code, HTTPResponse.Status?, String?)] = [
            (.notFound, .notFound, "not_found"), (.conflict, .conflict, "conflict"), (.rejected, .unprocessableContent, "rejected"),
            (.busy, .serviceUnavailable, "unavailable"), (.newerSchema, .serviceUnavailable, "unavailable"),
            (.notAWorkspace, .serviceUnavailable, "unavailable"), (.damaged, nil, nil), (.failed, nil, nil),
        ]
        for (code, status, name) in cases {
            let answer = APIError(WorkspaceError(code, "the message"))
            #expect(answer?.status == status, "\(code)")
            #expect(answer?.code == name, "\(code)")
            #expect(answer.map(\.message) == (status == nil ? nil : "the message"), "\(code)")
        }
        // The API words its own remedy; the command line's never reaches it.
        #expect(
            APIError(WorkspaceError(.notFound, "no run 4 in the workspace (it has no runs yet)", detail: .noRunsYet(run: 4)))?.message
                == "no run 4 in the workspace (it has no runs yet; make one with POST /api/v1/runs)")

        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = fixture.admin
        try await fixture.serve { client in
            let stranger = #"{"partner_id": "XX9", "program": "VIP25-6M", "subtrack": "collaboration/voice", "enrolled_on": "2015-03-01"}"#
            let enrol = try await client.execute(
                uri: "/api/v1/enrollments", method: .post, headers: Fixture.headers(token), body: ByteBuffer(string: stranger))
            #expect(enrol.status == .notFound)
            #expect(try enrol.errorCode() == "not_found")
            let notEnrolled = try await client.execute(
                uri: "/api/v1/enrollments?partner_id=NL1002&program=VIP25-6M&subtrack=collaboration/video", method: .delete,
                headers: Fixture.headers(token))
            #expect(notEnrolled.status == .notFound)
            let error = try #require(try notEnrolled.json()["error"] as? [String: Any])
            #expect(
                error["message"] as? String == "partner NL1002 is not enrolled in VIP25-6M collaboration/video (it is enrolled in: data-center/ucs)")
        }
    }
}
