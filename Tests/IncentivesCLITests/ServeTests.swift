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

    /// The `Set-Cookie` fields of a GET.
    static func cookies(_ url: String) async throws -> [String] {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 60
        request.httpShouldHandleCookies = false
        let (_, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        // Foundation joins repeated fields with ", " (our cookies have no Expires, so no other comma).
        return http.allHeaderFields.compactMap { key, value in (key as? String)?.lowercased() == "set-cookie" ? value as? String : nil }
            .flatMap { $0.components(separatedBy: ", ") }
    }

    /// Waits until the server at `base` answers its health check.
    static func waitUntilUp(_ base: String) async throws {
        var up = false
        for _ in 0..<600 where !up {
            up = (try? await Self.request("\(base)/api/v1/health"))?.0 == 200
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(up)
    }

    /// A port outside 1-65535 and a body limit below 1 are refused before anything starts.
    @Test(arguments: [
        (["--port", "0"], "--port 0: a port is a number from 1 to 65535"),
        (["--port", "65536"], "--port 65536: a port is a number from 1 to 65535"),
        (["--port=-1"], "--port -1: a port is a number from 1 to 65535"),
        (["--port", "99999999999"], "--port 99999999999: a port is a number from 1 to 65535"),
        (["--max-body-size", "0"], "--max-body-size 0: give the largest body accepted in bytes, at least 1"),
        (["--max-body-size=-5"], "--max-body-size -5: give the largest body accepted in bytes, at least 1"),
    ])
    func refusesPortsAndBodySizesOutOfRange(arguments: [String], message: String) throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = folder.appendingPathComponent("w.sqlite").path
        let run = try CLI.run(["serve", "--demo", "--workspace", workspace] + arguments)
        #expect(run.status == 64)
        #expect(run.stderr.contains("Error: \(message)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace))
    }

    /// `--secure-cookies` marks every cookie Secure, also on loopback (where the default is off).
    @Test func secureCookiesOnRequest() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = folder.appendingPathComponent("demo.sqlite").path
        let port = try Self.freePort()
        let server = try CLI.start(["serve", "--demo", "--workspace", workspace, "--port", "\(port)", "--secure-cookies"])
        let base = "http://127.0.0.1:\(port)"
        try await Self.waitUntilUp(base)
        let cookies = try await Self.cookies("\(base)/login?lang=nl")
        #expect(cookies.count == 2, "\(cookies)")
        #expect(cookies.allSatisfy { $0.hasSuffix("; Secure") }, "\(cookies)")
        kill(server.process.processIdentifier, SIGTERM)
        let stopped = try server.wait()
        #expect(stopped.status == 0)
        #expect(stopped.stderr.contains("cookies are Secure: sign in over HTTPS (a proxy in front), or pass --no-secure-cookies"))
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
        // On loopback, cookies are not Secure unless asked for.
        let cookies = try await Self.cookies("\(base)/login")
        #expect(!cookies.isEmpty && cookies.allSatisfy { !$0.contains("Secure") }, "\(cookies)")

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
