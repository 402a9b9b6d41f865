import Foundation

/// Runs the built `incentives` executable as a user would, capturing its whole output.
struct CLI {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root (two levels above this file's folder).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable, next to the test bundle in the build products folder.
    static var executable: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("incentives")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/incentives")
    }

    static func run(_ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]) throws -> Run {
        let child = try start(arguments, in: directory, environment: environment)
        return try child.wait()
    }

    /// A started child process whose output goes to files.
    final class Child {
        let process: Process
        let folder: URL
        let out: FileHandle
        let err: FileHandle

        init(process: Process, folder: URL, out: FileHandle, err: FileHandle) {
            self.process = process
            self.folder = folder
            self.out = out
            self.err = err
        }

        func wait() throws -> Run {
            process.waitUntilExit()
            try out.close()
            try err.close()
            defer { try? FileManager.default.removeItem(at: folder) }
            return Run(
                status: process.terminationStatus,
                stdout: String(decoding: try Data(contentsOf: folder.appendingPathComponent("stdout")), as: UTF8.self),
                stderr: String(decoding: try Data(contentsOf: folder.appendingPathComponent("stderr")), as: UTF8.self))
        }
    }

    /// Starts the executable without waiting; `environment` is added to this process's environment.
    static func start(_ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]) throws -> Child {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var variables = ProcessInfo.processInfo.environment
        variables["INCENTIVES_WORKSPACE"] = nil
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
        // Output goes to files rather than pipes, so a large output can never block the child.
        let folder = try temporaryFolder()
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Child(process: process, folder: folder, out: out, err: err)
    }

    /// Waits (up to a minute) until `path` exists: a child has reached its failpoint.
    static func waitForFile(_ path: String) -> Bool {
        for _ in 0..<6000 {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(10_000)
        }
        return false
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
