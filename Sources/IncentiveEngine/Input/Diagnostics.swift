/// One problem found in an input file: where it is, which column and value, and what was expected.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    /// The file as the user named it (e.g. `examples/data/bookings.csv`).
    public var file: String
    /// Physical line of the record (header = 1); `nil` for a problem with the whole file.
    public var line: Int?
    public var column: String?
    public var value: String?
    public var message: String

    /// Values and column names longer than this many characters are cut (`cut`).
    public static let valueLimit = 100
    /// Messages longer than this many characters are cut.
    public static let messageLimit = 1000

    /// Long values, column names and messages are cut here (`cut`), so that no input, however large,
    /// makes a large diagnostic.
    public init(_ severity: Severity = .error, file: String, line: Int?, column: String? = nil, value: String? = nil, message: String) {
        self.severity = severity
        self.file = Diagnostic.cut(file, limit: Diagnostic.messageLimit)
        self.line = line
        self.column = column.map { Diagnostic.cut($0, limit: Diagnostic.valueLimit) }
        self.value = value.map { Diagnostic.cut($0, limit: Diagnostic.valueLimit) }
        self.message = Diagnostic.cut(message, limit: Diagnostic.messageLimit)
    }

    /// `file:line: [warning: ]column "value": message`, with control characters shown escaped (`\x1b`)
    /// so that echoing it to a terminal shows the text and runs nothing.
    public var description: String {
        var text = Diagnostic.escaped(file)
        if let line { text += ":\(line)" }
        text += ": "
        if severity == .warning { text += "warning: " }
        if let column {
            text += Diagnostic.escaped(column)
            if let value { text += " \(Diagnostic.quoted(value))" }
            text += ": "
        } else if let value {
            text += "\(Diagnostic.quoted(value)): "
        }
        return text + Diagnostic.escaped(message)
    }

    /// `text` when it has at most `limit` characters (Unicode scalars), else its first `limit`
    /// followed by `… (N more bytes)`.
    public static func cut(_ text: String, limit: Int = valueLimit) -> String {
        // Up to `limit` scalars take at most 4 bytes each: shorter text needs no counting.
        if text.utf8.count <= limit { return text }
        var scalars = text.unicodeScalars.makeIterator()
        var kept = String.UnicodeScalarView()
        var keptBytes = 0
        for _ in 0..<limit {
            guard let scalar = scalars.next() else { return text }
            kept.append(scalar)
            keptBytes += UTF8.width(scalar)
        }
        if scalars.next() == nil { return text }
        return String(kept) + "… (\(text.utf8.count - keptBytes) more bytes)"
    }

    /// Shows a value with its surrounding quotes, control characters escaped (and the quote itself).
    static func quoted(_ value: String) -> String {
        "\"" + escaped(value, quote: true) + "\""
    }

    /// `text` with control characters (C0, DEL, C1) and the invisible ones that reorder or hide text
    /// (bidirectional overrides, zero-width characters) written as escapes: `\n`, `\r`, `\t`,
    /// `\x1b`, `\u{202E}`; with `quote`, `"` as `\"`.
    public static func escaped(_ text: String, quote: Bool = false) -> String {
        if !text.unicodeScalars.contains(where: { needsEscape($0) || (quote && $0 == "\"") }) { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case "\"" where quote: shown += "\\\""
            case _ where needsEscape(scalar):
                let hex = String(scalar.value, radix: 16)
                shown += scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{" + hex.uppercased() + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Whether `escaped` writes `scalar` as an escape (`\n` included).
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}

/// Collects the problems of one or more files, keeping at most `limitPerFile` of each file (errors and
/// warnings counted apart), and at most `byteLimitPerFile` bytes of text of each, `byteLimit` in all.
public struct DiagnosticCollector: Sendable {
    public static let defaultLimitPerFile = 100
    /// A hundred problems of a file take some 20 KB; cut values and messages keep them under 120 KB.
    public static let defaultByteLimitPerFile = 64 << 10
    public static let defaultByteLimit = 256 << 10

    public private(set) var diagnostics: [Diagnostic] = []
    /// Problems found beyond the limit, per file.
    public private(set) var omitted: [String: Int] = [:]
    private var keptPerFile: [String: Int] = [:]
    private var bytesPerFile: [String: Int] = [:]
    private var bytes = 0
    public let limitPerFile: Int
    public let byteLimitPerFile: Int
    public let byteLimit: Int
    public private(set) var errorCount = 0

    public init(
        limitPerFile: Int = DiagnosticCollector.defaultLimitPerFile, byteLimitPerFile: Int = DiagnosticCollector.defaultByteLimitPerFile,
        byteLimit: Int = DiagnosticCollector.defaultByteLimit
    ) {
        self.limitPerFile = limitPerFile
        self.byteLimitPerFile = byteLimitPerFile
        self.byteLimit = byteLimit
    }

    public var hasErrors: Bool { errorCount > 0 }

    public mutating func add(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error { errorCount += 1 }
        let key = diagnostic.file + "\u{0}" + diagnostic.severity.rawValue
        let kept = keptPerFile[key, default: 0]
        let size =
            diagnostic.file.utf8.count + (diagnostic.column?.utf8.count ?? 0) + (diagnostic.value?.utf8.count ?? 0)
            + diagnostic.message.utf8.count + 16
        let keptBytes = bytesPerFile[key, default: 0]
        // The first problem of a file is always kept: a report never says only "and N more".
        if kept < limitPerFile && (kept == 0 || keptBytes + size <= byteLimitPerFile && bytes + size <= byteLimit) {
            keptPerFile[key] = kept + 1
            bytesPerFile[key] = keptBytes + size
            bytes += size
            diagnostics.append(diagnostic)
        } else {
            omitted[key, default: 0] += 1
        }
    }

    public mutating func error(file: String, line: Int?, column: String? = nil, value: String? = nil, _ message: String) {
        add(Diagnostic(.error, file: file, line: line, column: column, value: value, message: message))
    }

    public mutating func warning(file: String, line: Int?, column: String? = nil, value: String? = nil, _ message: String) {
        add(Diagnostic(.warning, file: file, line: line, column: column, value: value, message: message))
    }

    public mutating func merge(_ other: DiagnosticCollector) {
        for diagnostic in other.diagnostics { add(diagnostic) }
        for (key, count) in other.omitted {
            omitted[key, default: 0] += count
            if key.hasSuffix("\u{0}error") { errorCount += count }
        }
    }

    /// Moves every line number by `shift` (a chunk's lines counted from its own start).
    mutating func shiftLines(by shift: Int) {
        guard shift != 0 else { return }
        for index in diagnostics.indices where diagnostics[index].line != nil { diagnostics[index].line! += shift }
    }

    /// The same problems with each one moved by `move` (e.g. from a converted copy of a file to the user's
    /// file, or a line to a spreadsheet cell); `rename` renames the files of the problems left out. Counts are kept.
    public func relocated(_ move: (Diagnostic) -> Diagnostic, rename: (String) -> String) -> DiagnosticCollector {
        func renamed(_ counts: [String: Int]) -> [String: Int] {
            var result: [String: Int] = [:]
            for (key, count) in counts {
                let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
                let newKey = parts.count == 2 ? rename(String(parts[0])) + "\u{0}" + parts[1] : key
                result[newKey, default: 0] += count
            }
            return result
        }
        var moved = self
        moved.diagnostics = diagnostics.map(move)
        moved.omitted = renamed(omitted)
        moved.keptPerFile = renamed(keptPerFile)
        moved.bytesPerFile = renamed(bytesPerFile)
        return moved
    }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// The lines a user reads: every kept problem, then `file: ... and N more` where some were left out.
    public func lines(severity: Diagnostic.Severity) -> [String] {
        var result: [String] = []
        var files: [String] = []
        for diagnostic in diagnostics where diagnostic.severity == severity {
            if !files.contains(diagnostic.file) { files.append(diagnostic.file) }
        }
        for (key, _) in omitted {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            if parts.count == 2, parts[1] == severity.rawValue, !files.contains(String(parts[0])) { files.append(String(parts[0])) }
        }
        for file in files {
            for diagnostic in diagnostics where diagnostic.severity == severity && diagnostic.file == file {
                result.append(diagnostic.description)
            }
            if let more = omitted[file + "\u{0}" + severity.rawValue], more > 0 {
                result.append("\(file): ... and \(more) more \(severity == .error ? "problem" : "warning")\(more == 1 ? "" : "s")")
            }
        }
        return result
    }
}

/// Loading failed: the report holds every problem found (errors, and warnings seen on the way).
public struct DiagnosticReport: Error, Sendable, CustomStringConvertible {
    public var collector: DiagnosticCollector

    public init(_ collector: DiagnosticCollector) {
        self.collector = collector
    }

    public init(_ diagnostic: Diagnostic) {
        var collector = DiagnosticCollector()
        collector.add(diagnostic)
        self.collector = collector
    }

    public var errorLines: [String] { collector.lines(severity: .error) }
    public var warningLines: [String] { collector.lines(severity: .warning) }

    public var description: String { errorLines.joined(separator: "\n") }
}
