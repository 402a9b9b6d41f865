import Foundation

/// Named pauses for the reliability tests, off unless the environment asks for one.
///
/// With `INCENTIVES_FAILPOINT=<name>` and `INCENTIVES_FAILPOINT_FILE=<path>`, the process creates
/// `<path>` when it reaches the point `<name>` and waits there until the file is removed. A test uses
/// it to kill an import half-way, or to read while a run holds its write transaction open.
public enum Failpoint {
    public static func reach(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["INCENTIVES_FAILPOINT"] == name, let file = environment["INCENTIVES_FAILPOINT_FILE"] else { return }
        guard FileManager.default.createFile(atPath: file, contents: Data(name.utf8)) else { return }
        while FileManager.default.fileExists(atPath: file) { usleep(10_000) }
    }
}
