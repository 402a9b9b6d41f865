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

    public init(_ severity: Severity = .error, file: String, line: Int?, column: String? = nil, value: String? = nil, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.message = message
    }

    /// `file:line: [warning: ]column "value": message`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if severity == .warning { text += "warning: " }
        if let column {
            text += column
            if let value { text += " \(Diagnostic.quoted(value))" }
            text += ": "
        } else if let value {
            text += "\(Diagnostic.quoted(value)): "
        }
        return text + message
    }

    /// Shows a value with its surrounding quotes, invisible characters escaped and long text cut.
    static func quoted(_ value: String) -> String {
        var shown = ""
        for scalar in value.unicodeScalars.prefix(80) {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case "\"": shown += "\\\""
            default: shown.unicodeScalars.append(scalar)
            }
        }
        if value.unicodeScalars.count > 80 { shown += "..." }
        return "\"" + shown + "\""
    }
}

/// Collects the problems of one or more files, keeping at most `limitPerFile` of each file.
public struct DiagnosticCollector: Sendable {
    public static let defaultLimitPerFile = 100

    public private(set) var diagnostics: [Diagnostic] = []
    /// Problems found beyond the limit, per file.
    public private(set) var omitted: [String: Int] = [:]
    private var keptPerFile: [String: Int] = [:]
    public let limitPerFile: Int
    public private(set) var errorCount = 0

    public init(limitPerFile: Int = DiagnosticCollector.defaultLimitPerFile) {
        self.limitPerFile = limitPerFile
    }

    public var hasErrors: Bool { errorCount > 0 }

    public mutating func add(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error { errorCount += 1 }
        let key = diagnostic.file + "\u{0}" + diagnostic.severity.rawValue
        let kept = keptPerFile[key, default: 0]
        if kept < limitPerFile {
            keptPerFile[key] = kept + 1
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
