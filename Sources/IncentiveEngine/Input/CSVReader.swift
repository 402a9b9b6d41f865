#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming RFC 4180 reader that works on bytes.
///
/// It reads the file in chunks into one reusable buffer and hands out each field as a
/// byte range (trimmed of surrounding spaces and tabs; quoted fields unescaped on demand),
/// so reading a record allocates nothing. Memory stays at the size of the largest record
/// plus one chunk, whatever the size of the file. We wrote our own because the CSV
/// libraries at hand build a `String` per field, which is several times slower on the
/// million-line booking files this product is made for.
public final class CSVReader {
    /// The name used in messages.
    public let file: String
    /// Column names of the header row (trimmed, BOM removed).
    public private(set) var header: [String] = []
    /// Physical line (1-based) where the current record starts.
    public private(set) var recordLine = 0
    /// Number of fields in the current record.
    public private(set) var fieldCount = 0
    /// A syntax problem of the current record that still let the reader go on
    /// (text after a closing quote); the record's fields are then unreliable.
    public private(set) var recordProblem: String?

    private var descriptor: Int32 = -1
    private var source: [UInt8]?
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var end = 0
    private var position = 0
    private var atEOF = false
    private var nextLine = 1

    private var starts: [Int] = []
    private var ends: [Int] = []
    private var escaped: [Bool] = []
    private var scratch: [UInt8] = []

    public static let chunkSize = 1 << 20

    /// Opens `path`; `displayName` is used in messages.
    /// - Parameter chunkSize: bytes read at a time (tests use tiny chunks to cross record boundaries).
    public init(path: String, displayName: String? = nil, chunkSize: Int = CSVReader.chunkSize) throws(DiagnosticReport) {
        self.file = displayName ?? path
        self.capacity = max(chunkSize, 1)
        self.buffer = .allocate(capacity: capacity)
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            buffer.deallocate()
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot open file (\(String(cString: strerror(errno))))"))
        }
        try readHeader()
    }

    /// Reads from bytes in memory (tests, uploads).
    public init(bytes: [UInt8], file: String) throws(DiagnosticReport) {
        self.file = file
        self.capacity = max(bytes.count, 1)
        self.buffer = .allocate(capacity: capacity)
        self.source = bytes
        try readHeader()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
    }

    /// Total physical lines seen so far (after the last record read).
    public var linesRead: Int { nextLine - 1 }

    private func readHeader() throws(DiagnosticReport) {
        guard try nextRecordRaw() else {
            throw DiagnosticReport(Diagnostic(file: file, line: 1, message: "the file is empty; expected a header row naming the columns"))
        }
        if let recordProblem {
            throw DiagnosticReport(Diagnostic(file: file, line: recordLine, message: recordProblem))
        }
        var names: [String] = []
        for index in 0..<fieldCount {
            var name = string(index)
            if index == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            names.append(name.trimmingSpaces())
        }
        header = names
    }

    /// The index of the column named `name`, if the header has it.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Advances to the next record; `false` at the end of the file.
    ///
    /// Blank lines are skipped. Throws for an unterminated quote, after which nothing more can be read.
    public func next() throws(DiagnosticReport) -> Bool {
        while true {
            guard try nextRecordRaw() else { return false }
            if fieldCount == 1 && recordProblem == nil && ends[0] == starts[0] && !escaped[0] && !isQuoted(0) { continue }
            return true
        }
    }

    private var quoted: [Bool] = []

    private func isQuoted(_ index: Int) -> Bool { quoted[index] }

    /// Reads more bytes into the buffer, keeping everything from `keep` on. Returns false at EOF.
    private func refill(keepingFrom keep: Int) -> Bool {
        if atEOF { return false }
        if keep > 0 {
            let remaining = end - keep
            if remaining > 0 { buffer.update(from: buffer + keep, count: remaining) }
            end = remaining
            position -= keep
            for index in 0..<starts.count {
                starts[index] -= keep
                ends[index] -= keep
            }
        }
        if end == capacity {
            let newCapacity = capacity * 2
            let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBuffer.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
        }
        if var bytes = source {
            let count = min(bytes.count, capacity - end)
            bytes.withUnsafeBufferPointer { (buffer + end).update(from: $0.baseAddress!, count: count) }
            bytes.removeFirst(count)
            source = bytes
            end += count
            if bytes.isEmpty { atEOF = true }
            return count > 0 || !atEOF || true
        }
        while true {
            let count = read(descriptor, buffer + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                atEOF = true
                return false
            }
            if count == 0 {
                atEOF = true
                return false
            }
            end += count
            return true
        }
    }

    /// Parses one record starting at `position`; returns false when no bytes are left.
    private func nextRecordRaw() throws(DiagnosticReport) -> Bool {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        restart: while true {
            if position >= end {
                if !refill(keepingFrom: position) && position >= end { return false }
                if position >= end { return false }
            }
            let recordStart = position
            var index = position
            var lines = 0
            var fields = 0
            var problem: String?
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            escaped.removeAll(keepingCapacity: true)
            quoted.removeAll(keepingCapacity: true)
            // Returns false when more data is needed (and was read), so the record restarts.
            func needMore() -> Bool { refill(keepingFrom: recordStart) }
            fieldLoop: while true {
                // Skip leading blanks to see whether the field is quoted.
                var probe = index
                while true {
                    if probe >= end {
                        if needMore() { continue restart }
                        break
                    }
                    if buffer[probe] == space || buffer[probe] == tab { probe += 1 } else { break }
                }
                if probe < end && buffer[probe] == quote {
                    var scan = probe + 1
                    var hasDoubled = false
                    var closing = -1
                    while closing < 0 {
                        if scan >= end {
                            if needMore() { continue restart }
                            throw DiagnosticReport(Diagnostic(file: file, line: nextLine, message: "unterminated quote: a quoted field of the record that starts on this line is never closed"))
                        }
                        let byte = buffer[scan]
                        if byte == quote {
                            if scan + 1 >= end {
                                if needMore() { continue restart }
                                closing = scan
                            } else if buffer[scan + 1] == quote {
                                hasDoubled = true
                                scan += 2
                            } else {
                                closing = scan
                            }
                        } else {
                            if byte == newline { lines += 1 }
                            scan += 1
                        }
                    }
                    starts.append(probe + 1)
                    ends.append(closing)
                    escaped.append(hasDoubled)
                    quoted.append(true)
                    fields += 1
                    index = closing + 1
                    // After the closing quote: blanks, then a comma or the end of the record.
                    while true {
                        if index >= end {
                            if needMore() { continue restart }
                            break fieldLoop
                        }
                        let byte = buffer[index]
                        if byte == space || byte == tab {
                            index += 1
                        } else if byte == comma {
                            index += 1
                            continue fieldLoop
                        } else if byte == newline {
                            index += 1
                            lines += 1
                            break fieldLoop
                        } else if byte == carriage {
                            if index + 1 >= end, needMore() { continue restart }
                            if index + 1 < end && buffer[index + 1] == newline {
                                index += 2
                                lines += 1
                                break fieldLoop
                            }
                            index += 1
                        } else {
                            if problem == nil {
                                problem = "unexpected text after a closing quote (a quote inside a quoted field must be doubled: \"\")"
                            }
                            index += 1
                        }
                    }
                } else {
                    var scan = index
                    while true {
                        if scan >= end {
                            if needMore() { continue restart }
                            starts.append(index)
                            ends.append(scan)
                            escaped.append(false)
                            quoted.append(false)
                            fields += 1
                            index = scan
                            break fieldLoop
                        }
                        let byte = buffer[scan]
                        if byte == comma {
                            starts.append(index)
                            ends.append(scan)
                            escaped.append(false)
                            quoted.append(false)
                            fields += 1
                            index = scan + 1
                            continue fieldLoop
                        }
                        if byte == newline {
                            var fieldEnd = scan
                            if fieldEnd > index && buffer[fieldEnd - 1] == carriage { fieldEnd -= 1 }
                            starts.append(index)
                            ends.append(fieldEnd)
                            escaped.append(false)
                            quoted.append(false)
                            fields += 1
                            index = scan + 1
                            lines += 1
                            break fieldLoop
                        }
                        scan += 1
                    }
                }
            }
            recordLine = nextLine
            let endedByNewline = index > recordStart && buffer[index - 1] == newline
            nextLine += lines + (endedByNewline ? 0 : 1)
            position = index
            fieldCount = fields
            recordProblem = problem
            return true
        }
    }

    /// Calls `body` with the bytes of field `index`, trimmed of surrounding spaces and tabs,
    /// quotes removed and doubled quotes undone. Fields past the end of the record are empty.
    @inline(__always)
    public func withField<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard index < fieldCount else { return try body(UnsafeBufferPointer(start: buffer, count: 0)) }
        var start = starts[index]
        var stop = ends[index]
        while start < stop && (buffer[start] == 0x20 || buffer[start] == 0x09) { start += 1 }
        while stop > start && (buffer[stop - 1] == 0x20 || buffer[stop - 1] == 0x09) { stop -= 1 }
        if !escaped[index] {
            return try body(UnsafeBufferPointer(start: buffer + start, count: stop - start))
        }
        scratch.removeAll(keepingCapacity: true)
        var cursor = start
        while cursor < stop {
            let byte = buffer[cursor]
            scratch.append(byte)
            cursor += byte == 0x22 && cursor + 1 < stop && buffer[cursor + 1] == 0x22 ? 2 : 1
        }
        return try scratch.withUnsafeBufferPointer { try body($0) }
    }

    /// Field `index` as a `String` (trimmed, unescaped); invalid UTF-8 is repaired.
    public func string(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether field `index` is empty after trimming.
    public func isEmpty(_ index: Int) -> Bool {
        withField(index) { $0.isEmpty }
    }
}

extension String {
    /// Without surrounding spaces and tabs.
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
