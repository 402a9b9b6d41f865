import ArgumentParser
import Foundation
import IncentiveEngine
import IncentiveSheets

enum Output {
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Text made for people (tables, explanations, logs) with the control and invisible characters that
    /// data could hold shown escaped (`\x1b`), line by line, so printing it runs nothing in a terminal.
    /// Never for CSV or JSON, which must stay exact.
    static func forPeople(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && Diagnostic.needsEscape($0) }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { Diagnostic.escaped(String($0)) }.joined(separator: "\n")
    }

    /// One line per item, or the line `none` when there is no item.
    static func listing<Item>(_ items: [Item], none: String, _ line: (Item) throws -> String) rethrows -> String {
        if items.isEmpty { return none + "\n" }
        return try items.map { try line($0) + "\n" }.joined()
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

extension Output {
    /// Like `write(_:to:)` for output made in pieces: `produce` hands each piece, in order, to the
    /// function it is given. A file is written beside `path` and renamed into place once complete.
    static func stream(to path: String?, _ produce: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void) throws {
        guard let path else {
            try produce { bytes in try writeAll(bytes, to: STDOUT_FILENO, name: "standard output") }
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        var isOpen = true
        do {
            try produce { bytes in try writeAll(bytes, to: descriptor, name: path) }
            let synced = fsync(descriptor) == 0
            isOpen = false
            guard close(descriptor) == 0, synced, rename(temporary, path) == 0 else {
                throw CommandFailure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32, name: String) throws {
        var done = 0
        while done < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw CommandFailure(description: "cannot write \(name): \(String(cString: strerror(errno)))") }
            done += count
        }
    }
}

/// A failure that is not about the input data (an output file that cannot be written): a message and exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}

/// `--format xlsx`: a workbook is a zip file, written to `--output FILE`; `--output -` sends it to standard
/// output, unless that is a terminal.
enum WorkbookOutput {
    /// The refusal when `--format xlsx` comes without a file to write to.
    static func validate(_ isWorkbook: Bool, output: String?) throws {
        guard isWorkbook else { return }
        guard let output else {
            throw ValidationError("--format xlsx writes a workbook (a zip file): give --output FILE.xlsx (or --output - for a pipe)")
        }
        if output == "-" && isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("--format xlsx --output -: standard output is a terminal; give --output FILE.xlsx or send it to a pipe")
        }
    }

    /// Writes `workbook` to `output` (`-`: standard output), replaced only when complete.
    static func write(_ workbook: XLSXWorkbook, to output: String?) throws {
        let data: Data
        do {
            data = try workbook.data()
        } catch {
            throw CommandFailure(description: "cannot make the workbook: \(error)")
        }
        try Output.stream(to: output == "-" ? nil : output) { write in
            try data.withUnsafeBytes { bytes in try write(bytes.bindMemory(to: UInt8.self)) }
        }
    }
}
