import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveStore
import Logging
import NIOCore
import Testing

@testable import IncentiveServer

/// `GET /metrics` (admins only), the JSON log lines of `serve --log-format json`, and the API's workbook
/// downloads with the access rules of their CSV.
@Suite struct MetricsTests {
    /// The value of the sample `name{labels}` in a Prometheus text exposition (nil when absent).
    static func sample(_ text: String, _ name: String, _ labels: [(String, String)] = []) -> String? {
        let wanted = labels.isEmpty ? name : name + "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            if Self.sameSeries(String(parts[0]), wanted) { return String(parts[1]) }
        }
        return nil
    }

    /// Equal series names with the same labels in any order.
    static func sameSeries(_ a: String, _ b: String) -> Bool {
        func split(_ series: String) -> (String, Set<String>) {
            guard let brace = series.firstIndex(of: "{") else { return (series, []) }
            let labels = series[series.index(after: brace)..<series.index(before: series.endIndex)]
            return (String(series[..<brace]), Set(labels.split(separator: ",").map(String.init)))
        }
        return split(a) == split(b)
    }

    @Test func metricsAreForAdminsOnly() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)
            let partner = try await client.execute(uri: "/metrics", method: .get, headers: Fixture.headers(fixture.partner))
            #expect(partner.status == .forbidden)
            #expect(!partner.text.contains("incentives_http_requests_total"))
            let admin = try await client.execute(uri: "/metrics", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(admin.status == .ok)
            #expect(admin.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    @Test func requestsAreCountedByRoutePatternAndStatus() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            for partner in ["NL1001", "NL1002", "DE3003"] {
                let response = try await client.execute(uri: "/api/v1/partners/\(partner)", method: .get, headers: Fixture.headers(fixture.admin))
                #expect(response.status == .ok)
            }
            let missing = try await client.execute(uri: "/api/v1/partners/NOPE", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(missing.status == .notFound)
            let nowhere = try await client.execute(uri: "/no/such/page/at/all", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(nowhere.status == .notFound)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: Fixture.headers(fixture.admin)).text
            let route = ("route", "/api/v1/partners/{id}")
            #expect(Self.sample(metrics, "incentives_http_requests_total", [route, ("method", "GET"), ("status", "200")]) == "3")
            #expect(Self.sample(metrics, "incentives_http_requests_total", [route, ("method", "GET"), ("status", "404")]) == "1")
            #expect(
                Self.sample(metrics, "incentives_http_request_duration_seconds_count", [route, ("method", "GET"), ("status", "200")]) == "3")
            // The histogram holds all three (its last bucket counts every observation, however long).
            #expect(
                Self.sample(
                    metrics, "incentives_http_request_duration_seconds_bucket", [route, ("method", "GET"), ("status", "200"), ("le", "+Inf")])
                    == "3")
            #expect(Self.sample(metrics, "incentives_http_requests_total", [("route", "unmatched"), ("method", "GET"), ("status", "404")]) == "1")
            // The raw paths are never labels.
            #expect(!metrics.contains("NL1002"))
            #expect(!metrics.contains("/no/such/page"))
        }
    }

    @Test func theServersImportsAndRunsAreMeasured() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            // Three booking lines imported, one invalid file refused, one run of the example's 9 partners.
            let bookings =
                "order_id,line,partner_id,booked_on,sku,amount,currency\nM-1,1,NL1001,2015-03-01,UCS-C240M4SX,100.00,USD\n"
                + "M-2,1,NL1001,2015-03-02,UCS-C240M4SX,200.00,USD\nM-3,1,NL1001,2015-03-03,UCS-C240M4SX,300.00,USD\n"
            let imported = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(fixture.admin), body: ByteBuffer(string: bookings))
            #expect(imported.status == .ok)
            let refused = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(fixture.admin),
                body: ByteBuffer(string: "order_id,line,partner_id,booked_on,sku,amount,currency\nM-4,1,NL1001,2015-02-30,X,1.00,USD\n"))
            #expect(refused.status == .unprocessableContent)
            let run = try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(fixture.admin))
            #expect(run.status == .created)
            let lines = try #require(try run.json()["booking_lines"] as? Int)
            let partners = try #require(try run.json()["partners"] as? Int)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: Fixture.headers(fixture.admin)).text
            #expect(Self.sample(metrics, "incentives_import_rows_total") == "3")
            #expect(Self.sample(metrics, "incentives_import_failures_total") == "1")
            #expect(Self.sample(metrics, "incentives_import_duration_seconds_count") == "2")
            #expect(Self.sample(metrics, "incentives_run_duration_seconds_count") == "1")
            #expect(Self.sample(metrics, "incentives_run_booking_lines_total") == String(lines))
            #expect(Self.sample(metrics, "incentives_run_partners_total") == String(partners))
            #expect(Self.sample(metrics, "incentives_run_failures_total") == "0")
        }
    }

    /// The same (route, method, status) gets the same counter: made once, then looked up.
    @Test func requestMetricsAreMadeOncePerRouteMethodAndStatus() {
        let metrics = ServerMetrics()
        let first = metrics.requestMetrics(route: "/partners/{id}", method: .get, status: 200)
        let again = metrics.requestMetrics(route: "/partners/{id}", method: .get, status: 200)
        let other = metrics.requestMetrics(route: "/partners/{id}", method: .get, status: 404)
        #expect(first.count === again.count)
        #expect(first.duration === again.duration)
        #expect(first.count !== other.count)
    }

    // MARK: JSON log lines

    @Test func jsonLogLinesParse() throws {
        let metadata: Logger.Metadata = [
            "method": "GET", "path": "/partners/NL\"1001\\", "status": "200", "ms": "12.345",
            "odd": .string("tab\tline\nbell\u{7}del\u{7F}é東"), "list": .array(["a", .dictionary(["k": "v"])]),
        ]
        let line = JSONLogHandler.line(
            timestamp: (seconds: 1_796_032_800, milliseconds: 7), level: .info, label: "incentives", message: "request \"quoted\"", metadata: metadata
        )
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        // 1,796,032,800 s after 1970 is 2026-11-30 10:00:00 UTC.
        #expect(object["timestamp"] as? String == "2026-11-30T10:00:00.007Z")
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "incentives")
        #expect(object["message"] as? String == "request \"quoted\"")
        let fields = try #require(object["metadata"] as? [String: Any])
        #expect(fields["path"] as? String == "/partners/NL\"1001\\")
        #expect(fields["status"] as? String == "200")
        #expect(fields["ms"] as? String == "12.345")
        #expect(fields["odd"] as? String == "tab\tline\nbell\u{7}del\u{7F}é東")
        let list = try #require(fields["list"] as? [Any])
        #expect(list.first as? String == "a")
        #expect((list.last as? [String: Any])?["k"] as? String == "v")
    }

    @Test func textLogLinesAreSwiftLogsLayoutWithKeysSorted() {
        let line = TextLogHandler.line(
            timestamp: (seconds: 1_796_032_800, milliseconds: 7), level: .info, label: "incentives", message: "request",
            metadata: ["status": "200", "method": "GET", "path": "/partners/NL1001", "ms": "2.418"], source: "IncentiveServer")
        #expect(
            String(decoding: line, as: UTF8.self)
                == "2026-11-30T10:00:00.007Z info incentives : method=GET ms=2.418 path=/partners/NL1001 status=200 [IncentiveServer] request\n")
        let bare = TextLogHandler.line(
            timestamp: (seconds: 0, milliseconds: 0), level: .warning, label: "x", message: "m", metadata: [:], source: "S")
        #expect(String(decoding: bare, as: UTF8.self) == "1970-01-01T00:00:00.000Z warning x : [S] m\n")
    }

    @Test func timestampsAreUTCCalendarDates() {
        func text(_ seconds: Int, _ milliseconds: Int = 0) -> String {
            var bytes: [UInt8] = []
            JSONLogHandler.appendTimestamp((seconds, milliseconds), to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(text(0) == "1970-01-01T00:00:00.000Z")
        #expect(text(951_782_400, 999) == "2000-02-29T00:00:00.999Z")
        #expect(text(4_107_542_399) == "2100-02-28T23:59:59.000Z")
        #expect(text(-1) == "1969-12-31T23:59:59.000Z")
    }

    /// Every line the server logs through the JSON handler, for a few requests, parses as one JSON object with the
    /// request's method, path and status.
    @Test func theServersRequestLogIsJSONLines() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let file = fixture.folder.appendingPathComponent("log.jsonl").path
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: file))
        let descriptor = handle.fileDescriptor
        let logger = Logger(label: "incentives") { label in LineLogHandler(label: label, format: .json, descriptor: descriptor) }
        try await IncentivesServer.application(workspace: fixture.workspace, options: fixture.options, logger: logger).test(.live) { client in
            _ = try await client.execute(uri: "/api/v1/partners/NL1001", method: .get, headers: Fixture.headers(fixture.admin))
            _ = try await client.execute(uri: "/api/v1/partners/NOPE", method: .get, headers: Fixture.headers(fixture.admin))
            _ = try await client.execute(uri: "/api/v1/health", method: .get)
        }
        try handle.close()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        var requests: [(String, String)] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["timestamp"] is String && object["level"] is String && object["message"] is String)
            if object["message"] as? String == "request", let fields = object["metadata"] as? [String: Any] {
                #expect(fields["method"] as? String == "GET")
                #expect(fields["ms"] is String)
                requests.append((fields["path"] as? String ?? "", fields["status"] as? String ?? ""))
            }
        }
        #expect(requests.map(\.0) == ["/api/v1/partners/NL1001", "/api/v1/partners/NOPE", "/api/v1/health"])
        #expect(requests.map(\.1) == ["200", "404", "200"])
    }
}
