import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveServer
import IncentiveStore
import NIOCore
import Synchronization
import Testing

/// The pages, byte for byte, against the files in `Snapshots/` (recorded from the pages as they were
/// before the view models replaced `[String: Any]`; any change to a page shows here first).
///
/// What would differ from one run of the tests to the next is fixed or left out:
/// - "today" (the advice on the partner page) comes from a fixed `WallClock` in `ServerOptions`;
/// - the session is written into the workspace with a known secret and CSRF token (no random token on a page);
/// - the workspace's clock starts at a fixed moment and moves one second each time it is read, so the
///   imports and runs on the pages have known, distinct times;
/// - the example folder's absolute path in the import log is replaced by `{examples}` before comparing
///   (`normalised`), and the random ids of the fixture's API tokens by `{token-id}`.
///
/// On a mismatch the page as rendered is written next to the snapshot (`<name>.actual.html`, ignored by
/// git) and the first differing line is named. `SNAPSHOT_RECORD=1 swift test --filter PageSnapshotTests`
/// writes the snapshots anew.
@Suite(.serialized) struct PageSnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static let record = ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1"
    static let session = "snapshot-session-secret", csrf = "snapshot-csrf-token"

    /// The example workspace with two runs (the second after NL1002 reached the Dutch UCS minimum by one
    /// cent), the users and tokens of `Fixture` and an admin's session, served with the clock at `today`.
    static func serve(today: Day, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-snapshots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = Date(timeIntervalSince1970: 1_431_680_400)  // 2015-05-15 09:00:00 UTC
        let workspace = try Workspace.create(at: folder.appendingPathComponent("w.sqlite").path, clock: ticking(from: start))
        let programs = Fixture.examples.appendingPathComponent("programs").path
        for name in try FileManager.default.contentsOfDirectory(atPath: programs).sorted() {
            _ = try workspace.addProgram(file: "\(programs)/\(name)")
        }
        _ = try workspace.importFolder(Fixture.examples.appendingPathComponent("data").path)
        _ = try workspace.run()
        let extra = folder.appendingPathComponent("extra.csv")
        try "order_id,line,partner_id,booked_on,sku,amount,currency\nC1,1,NL1002,2015-03-01,UCS-C240M4SX,0.01,USD\n".write(
            to: extra, atomically: true, encoding: .utf8)
        _ = try workspace.importFile(.bookings, path: extra.path, displayName: "extra.csv")
        _ = try workspace.run()
        try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: Accounts.hashPassword("admin-secret", cost: 4)))
        try workspace.addUser(User(name: "nl1", role: .partner, partnerID: "NL1001", passwordHash: Accounts.hashPassword("partner-secret", cost: 4)))
        _ = try Accounts.createToken(user: "ada", in: workspace)
        _ = try Accounts.createToken(user: "nl1", in: workspace)
        // The store checks a session's expiry against its clock: this one lasts a day.
        try workspace.addSession(hash: Accounts.digest(session), user: "ada", csrfToken: csrf, expires: start.addingTimeInterval(86_400))
        let options = ServerOptions(host: "127.0.0.1", port: 0, clock: .fixed(today))
        try await IncentivesServer.application(workspace: workspace, options: options).test(.live, test)
    }

    /// A clock that reads `start`, then one second more at each reading.
    static func ticking(from start: Date) -> WallClock {
        let readings = Readings()
        return WallClock { start.addingTimeInterval(TimeInterval(readings.next())) }
    }

    final class Readings: Sendable {
        private let count = Mutex(0)
        func next() -> Int {
            count.withLock { count in
                defer { count += 1 }
                return count
            }
        }
    }

    static func headers(_ language: String) -> HTTPFields {
        var fields: HTTPFields = [.cookie: "incentives_session=\(session)"]
        if language == "nl" { fields[.acceptLanguage] = "nl-NL,nl;q=0.9,en;q=0.5" }
        return fields
    }

    /// The page with the run-dependent parts replaced (see the type's comment).
    static func normalised(_ page: String) -> String {
        page.replacingOccurrences(of: Fixture.examples.path, with: "{examples}")
        // The users page: the fixture's API tokens are random, and so are their public ids.
        .replacingOccurrences(of: #"<code>[0-9a-f]{8,}</code>"#, with: "<code>{token-id}</code>", options: .regularExpression)
        .replacingOccurrences(of: #"name="id" value="[0-9a-f]{8,}""#, with: #"name="id" value="{token-id}""#, options: .regularExpression)
    }

    /// Compares `page` with `Snapshots/<name>.html` byte for byte (or records it).
    static func check(_ page: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = folder.appendingPathComponent("\(name).html")
        let actual = folder.appendingPathComponent("\(name).actual.html")
        let bytes = Data(normalised(page).utf8)
        if record {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try bytes.write(to: expected)
            try? FileManager.default.removeItem(at: actual)
            return
        }
        guard let stored = FileManager.default.contents(atPath: expected.path) else {
            try bytes.write(to: actual)
            Issue.record("no snapshot \(expected.lastPathComponent); the page is in \(actual.lastPathComponent)", sourceLocation: sourceLocation)
            return
        }
        if stored == bytes {
            try? FileManager.default.removeItem(at: actual)
            return
        }
        try bytes.write(to: actual)
        let want = String(decoding: stored, as: UTF8.self).components(separatedBy: "\n")
        let got = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
        let line = zip(want, got).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(want.count, got.count)
        let expectedLine = line < want.count ? want[line] : "(end of file)", actualLine = line < got.count ? got[line] : "(end of file)"
        Issue.record(
            """
            \(name).html differs first on line \(line + 1) (the page is in \(actual.lastPathComponent)):
              expected: \(expectedLine)
              actual:   \(actualLine)
            """, sourceLocation: sourceLocation)
    }

    /// Gets `uri` as the admin in `language`, checks the status and the page.
    static func snapshot(
        _ client: any TestClientProtocol, _ uri: String, _ name: String, _ language: String, status: HTTPResponse.Status = .ok,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await client.execute(uri: uri, method: .get, headers: headers(language))
        #expect(response.status == status, "\(uri)", sourceLocation: sourceLocation)
        try check(response.text, "\(name).\(language)", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["en", "nl"]) func adminPages(language: String) async throws {
        // 2015-05-15: inside both VIP periods, so the advice projects each subtrack's pace.
        try await Self.serve(today: Day(iso: "2015-05-15")!) { client in
            try await Self.snapshot(client, "/", "overview", language)
            try await Self.snapshot(client, "/programs", "programs", language)
            try await Self.snapshot(client, "/programs/VIP25-6M", "program-vip25-6m", language)
            try await Self.snapshot(client, "/programs/PROVIDER-MDF-FY23-H2", "program-provider-mdf", language)
            try await Self.snapshot(client, "/partners/NL1001", "partner-nl1001", language)
            try await Self.snapshot(client, "/runs", "runs", language)
            try await Self.snapshot(client, "/runs?a=1&b=2", "runs-diff", language)
            try await Self.snapshot(client, "/runs?a=1&b=2&partner=NL1002", "runs-diff-partner", language)
            try await Self.snapshot(client, "/runs/2", "run-2", language)
            try await Self.snapshot(client, "/runs/1?program=VIP25-6M&sort=paid&q=nl", "run-1-search", language)
            try await Self.snapshot(client, "/imports", "imports", language)
            try await Self.snapshot(client, "/users", "users", language)
            try await Self.snapshot(client, "/partners/XX9999", "not-found", language, status: .notFound)
        }
    }

    /// The MDF partner on a day inside the MDF period: the advice on untagged orders.
    @Test(arguments: ["en", "nl"]) func mdfPartnerPage(language: String) async throws {
        try await Self.serve(today: Day(iso: "2023-05-01")!) { client in
            try await Self.snapshot(client, "/partners/NL1005", "partner-nl1005", language)
        }
    }

    /// An upload with two bad lines: the problems table.
    @Test(arguments: ["en", "nl"]) func rejectedUpload(language: String) async throws {
        try await Self.serve(today: Day(iso: "2015-05-15")!) { client in
            let csv =
                "order_id,line,partner_id,booked_on,sku,amount,currency\r\nU1,1,NL1001,2015-03-01,UCS-C240M4SX,\"12,50\",USD\r\nU2,1,NL1001,2015-02-30,UCS-C240M4SX,1.00,USD\r\n"
            var headers = Self.headers(language)
            headers[.contentType] = "multipart/form-data; boundary=----b"
            let body = PageTests.multipart(csrf: Self.csrf, kind: "bookings", fileName: "week47.csv", content: csv)
            let response = try await client.execute(uri: "/imports", method: .post, headers: headers, body: body)
            #expect(response.status == .unprocessableContent)
            try Self.check(response.text, "imports-rejected.\(language)")
        }
    }

    /// The login page: its CSRF token is random, so it is replaced before comparing.
    @Test(arguments: ["en", "nl"]) func loginPage(language: String) async throws {
        try await Self.serve(today: Day(iso: "2015-05-15")!) { client in
            var headers: HTTPFields = [:]
            if language == "nl" { headers[.acceptLanguage] = "nl" }
            let response = try await client.execute(uri: "/login", method: .get, headers: headers)
            let page = response.text.replacingOccurrences(of: #"value="[0-9a-f]{64}""#, with: #"value="{csrf}""#, options: .regularExpression)
            try Self.check(page, "login.\(language)")
        }
    }

    /// The switch sets the language for this page and remembers it: the page is the Dutch one.
    @Test func theLanguageSwitchGivesTheSamePageAsTheBrowsersLanguage() async throws {
        try await Self.serve(today: Day(iso: "2015-05-15")!) { client in
            let response = try await client.execute(uri: "/?lang=nl", method: .get, headers: Self.headers("en"))
            try Self.check(response.text, "overview.nl")
            #expect(response.headers[.setCookie] == "lang=nl; Path=/; Max-Age=31536000; SameSite=Lax")
        }
    }
}
