import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `serve --log-format json`: the log on stderr is JSON lines a collector can read, every one of them an
/// object; `/metrics` answers the demo's admin token.
@Suite struct ServeLogFormatTests {
    @Test func jsonLogLinesAndMetrics() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = folder.appendingPathComponent("demo.sqlite").path
        let port = try ServeTests.freePort()
        let server = try CLI.start(["serve", "--demo", "--workspace", workspace, "--port", "\(port)", "--log-format", "json"])
        let base = "http://127.0.0.1:\(port)"
        try await ServeTests.waitUntilUp(base)
        let log = { String(decoding: (try? Data(contentsOf: server.folder.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self) }
        let token = try #require(log().firstMatch(of: /inc_[0-9a-f]+/).map { String($0.output) })
        #expect(try await ServeTests.request("\(base)/api/v1/partners/NL1001", token: token).0 == 200)
        #expect(try await ServeTests.request("\(base)/metrics").0 == 401)
        let metrics = try await ServeTests.request("\(base)/metrics", token: token)
        #expect(metrics.0 == 200)
        #expect(metrics.1.contains(#"incentives_http_requests_total{route="/api/v1/partners/{id}",method="GET",status="200"} 1"#))
        kill(server.process.processIdentifier, SIGTERM)
        let stopped = try server.wait()
        #expect(stopped.status == 0)

        // The command's own messages are plain lines; every log entry is one JSON object on its line.
        let entries = stopped.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(entries.count >= 3)
        var paths: [String] = []
        for line in entries {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["timestamp"] is String && object["level"] is String && object["message"] is String, "\(line)")
            if object["message"] as? String == "request", let fields = object["metadata"] as? [String: Any] {
                #expect(fields["status"] is String && fields["method"] is String && fields["ms"] is String, "\(line)")
                paths.append(fields["path"] as? String ?? "")
            }
        }
        #expect(paths.contains("/api/v1/partners/NL1001"))
        #expect(paths.contains("/metrics"))
        // No text-format log line: a line is either a command message or a JSON entry.
        #expect(!stopped.stderr.contains(" info incentives:"), "\(stopped.stderr.prefix(2000))")
    }
}
