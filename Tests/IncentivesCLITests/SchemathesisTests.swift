import Foundation
import Testing

/// The JSON API of `incentives serve --demo`, tested from its own OpenAPI document with schemathesis
/// (`scripts/schemathesis.sh`, README.md "Fuzzing and API property tests"): no request may get a server
/// error or kill the server, and every answer must be one the document describes.
///
/// It runs in CI (`CI` set; `.ci/run` installs schemathesis) and wherever schemathesis is installed
/// (`bash scripts/schemathesis.sh` installs it into `.schemathesis/venv`); elsewhere it is skipped.
@Suite struct SchemathesisTests {
    static var enabled: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let ci = environment["CI"], !ci.isEmpty, ci != "false", ci != "0" { return true }
        if FileManager.default.isExecutableFile(atPath: CLI.packageRoot.appendingPathComponent(".schemathesis/venv/bin/schemathesis").path) {
            return true
        }
        let path = environment["PATH"] ?? ""
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/schemathesis") }
    }

    @Test(.enabled(if: enabled, "schemathesis is not installed (bash scripts/schemathesis.sh installs it)"))
    func theAPIAnswersEveryGeneratedRequestAsItsDocumentSays() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", CLI.packageRoot.appendingPathComponent("scripts/schemathesis.sh").path]
        process.currentDirectoryURL = CLI.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["INCENTIVES_EXECUTABLE"] = CLI.executable.path
        environment["INCENTIVES_WORKSPACE"] = nil
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        // Waited for without holding a thread: the run takes minutes, and a test that blocks one of the
        // few threads of Swift's cooperative pool (two on a 2-core machine) stalls every other test.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try handle.close()
        let text = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        // The summary schemathesis prints, and the failures above it, are at the end.
        #expect(process.terminationStatus == 0, "scripts/schemathesis.sh found problems:\n\(text.suffix(12_000))")
        #expect(text.contains("schemathesis.sh: ok"))
    }
}
