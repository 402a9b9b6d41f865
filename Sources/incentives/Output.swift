import ArgumentParser
import Foundation

enum Output {
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes `text` to `path` through a temporary file renamed into place, or to stdout when `path` is nil,
    /// so a failed run never leaves a half-written file.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            standardOutput(text)
            return
        }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw CommandFailure(description: "cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// A failure that is not about the input data (an output file that cannot be written): a message and exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}
