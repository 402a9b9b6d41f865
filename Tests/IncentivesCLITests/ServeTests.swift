import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `incentives serve` as a process: it answers while a run holds the workspace's write transaction,
/// and stops cleanly on SIGTERM.
@Suite struct ServeTests {
    /// A free loopback port: bind to port 0 and read what the kernel chose.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func request(_ url: String, method: String = "GET", token: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func answersWhileARunIsInProgressAndStopsOnSIGTERM() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = folder.appendingPathComponent("demo.sqlite").path
        let signal = folder.appendingPathComponent("reached").path
        let port = try Self.freePort()
        let server = try CLI.start(
            ["serve", "--demo", "--workspace", workspace, "--port", "\(port)"],
            environment: ["INCENTIVES_FAILPOINT": "run-before-commit", "INCENTIVES_FAILPOINT_FILE": signal])
        // The demo's own first run stops at the failpoint too: let it go on.
        #expect(CLI.waitForFile(signal))
        try FileManager.default.removeItem(atPath: signal)
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<600 where !up {
            up = (try? await Self.request("\(base)/api/v1/health"))?.0 == 200
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(up)
        let log = { String(decoding: (try? Data(contentsOf: server.folder.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self) }
        let token = try #require(log().firstMatch(of: /inc_[0-9a-f]+/).map { String($0.output) })

        // A run through the API now stops inside its write transaction.
        let run = Task { try await Self.request("\(base)/api/v1/runs", method: "POST", token: token) }
        #expect(CLI.waitForFile(signal))
        let health = try await Self.request("\(base)/api/v1/health")
        #expect(health.0 == 200)
        let runs = try await Self.request("\(base)/api/v1/runs", token: token)
        #expect(runs.0 == 200)
        #expect(runs.1.contains(#""total":1"#))
        let explanation = try await Self.request("\(base)/api/v1/runs/1/partners/NL1001", token: token)
        #expect(explanation.0 == 200)
        try FileManager.default.removeItem(atPath: signal)
        let finished = try await run.value
        #expect(finished.0 == 201)
        #expect(finished.1.contains(#""id":2"#))

        kill(server.process.processIdentifier, SIGTERM)
        let stopped = try server.wait()
        #expect(stopped.status == 0)
        #expect(server.process.terminationReason == .exit)
    }
}
