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
    @exclusivity(unchecked) public private(set) var recordLine = 0
    /// Number of fields in the current record.
    @exclusivity(unchecked) public private(set) var fieldCount = 0
    /// A problem of the current record that still let the reader go on (text after a closing quote,
    /// bytes that are not UTF-8); the record's fields are then unreliable.
    @exclusivity(unchecked) public private(set) var recordProblem: String?
    /// The column `recordProblem` is about, when it is about one.
    @exclusivity(unchecked) public private(set) var recordProblemColumn: String?

    private var descriptor: Int32 = -1
    /// Set when reading the file failed part-way (the rest of it cannot be trusted).
    @exclusivity(unchecked) private var readFailure: String?
    private var source: [UInt8]?
    private var sourceOffset = 0
    @exclusivity(unchecked) private var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var end = 0
    @exclusivity(unchecked) private var position = 0
    @exclusivity(unchecked) private var atEOF = false
    @exclusivity(unchecked) private var nextLine = 1
    /// File offset of `buffer[0]`.
    @exclusivity(unchecked) private var bufferOffset = 0
    /// Records starting at or after this file offset are not read (a chunk's end).
    @exclusivity(unchecked) private var limit = Int.max
    /// A chunk reader started at a guessed record boundary gives up on a record longer than this.
    @exclusivity(unchecked) private var recordCap = Int.max
    /// Set when a record grew past `recordCap`: the reader stopped and its chunk must be read again.
    public private(set) var gaveUp = false

    /// Start and end offsets (into `buffer`) of each field of the current record, trimmed and unescaped.
    @exclusivity(unchecked) private var spans: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private var spanCapacity = 64
    /// Per field: 1 when it was quoted.
    @exclusivity(unchecked) private var quotedFlags: UnsafeMutablePointer<UInt8>

    public static let chunkSize = 1 << 20

    /// Opens `path`; `displayName` is used in messages.
    /// - Parameter chunkSize: bytes read at a time (tests use tiny chunks to cross record boundaries).
    public init(path: String, displayName: String? = nil, chunkSize: Int = CSVReader.chunkSize) throws(DiagnosticReport) {
        self.file = displayName ?? path
        self.capacity = max(chunkSize, 1)
        self.buffer = .allocate(capacity: capacity)
        self.spans = .allocate(capacity: 2 * spanCapacity)
        self.quotedFlags = .allocate(capacity: spanCapacity)
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot open file (\(String(cString: strerror(errno))))"))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "is a folder named like a file; a CSV file was expected here"))
        }
        try readHeader()
    }

    /// Opens `path` for one chunk of its records: from the first line that starts at or after
    /// `start` (which must lie after the header) up to the first record that starts at or after `end`.
    ///
    /// The chunk's first line is only a guess at a record boundary (it could lie inside a quoted
    /// field); the caller checks it against where the previous chunk really ended. Line numbers
    /// count from 1 at the chunk's first line. A record longer than `recordCap` bytes makes the
    /// reader give up (`gaveUp`) rather than read on through a file it may be misreading.
    public init(
        path: String, displayName: String? = nil, header: [String], start: Int, end: Int, recordCap: Int = Int.max,
        chunkSize: Int = CSVReader.chunkSize
    ) throws(DiagnosticReport) {
        self.file = displayName ?? path
        self.capacity = max(chunkSize, 1)
        self.buffer = .allocate(capacity: capacity)
        self.spans = .allocate(capacity: 2 * spanCapacity)
        self.quotedFlags = .allocate(capacity: spanCapacity)
        self.header = header
        self.limit = end
        self.recordCap = recordCap
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot open file (\(String(cString: strerror(errno))))"))
        }
        let from = max(start - 1, 0)
        if lseek(descriptor, off_t(from), SEEK_SET) < 0 {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "cannot seek in file (\(String(cString: strerror(errno))))"))
        }
        bufferOffset = from
        if start > 0 {
            // Skip to just after the first line feed at or after `start - 1`.
            while true {
                if position >= self.end && !refill(keepingFrom: position) { break }
                if position >= self.end { break }
                if buffer[position] == UInt8(ascii: "\n") {
                    position += 1
                    break
                }
                position += 1
            }
        }
    }

    /// Stops before the first record that starts at or after file offset `offset`.
    public func stop(at offset: Int) { limit = offset }

    /// Size in bytes of the file or source (0 when unknown).
    public var size: Int {
        if let source { return source.count }
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
    }

    /// File offset where the next record starts (after `next()` returned false: where this reader stopped).
    public var offset: Int { bufferOffset + position }

    /// Reads from bytes in memory (tests, uploads).
    public init(bytes: [UInt8], file: String, chunkSize: Int = CSVReader.chunkSize) throws(DiagnosticReport) {
        self.file = file
        self.capacity = max(chunkSize, 1)
        self.buffer = .allocate(capacity: capacity)
        self.spans = .allocate(capacity: 2 * spanCapacity)
        self.quotedFlags = .allocate(capacity: spanCapacity)
        self.source = bytes
        try readHeader()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
        spans.deallocate()
        quotedFlags.deallocate()
    }

    /// Bytes read from the file or source so far (for progress).
    @exclusivity(unchecked) public private(set) var bytesRead = 0

    /// Total physical lines seen so far (after the last record read).
    public var linesRead: Int { nextLine - 1 }

    /// The longest header row read: a file with no line end in its first megabyte is not a CSV file
    /// this product reads (or it has old Mac line ends), and reading on would only hold all of it in memory.
    public static let headerLimit = 1 << 20

    private func readHeader() throws(DiagnosticReport) {
        // A byte order mark goes before anything else, even an opening quote.
        while end < 3 && refill(keepingFrom: 0) {}
        if end >= 2 && (buffer[0] == 0xFF && buffer[1] == 0xFE || buffer[0] == 0xFE && buffer[1] == 0xFF) {
            throw DiagnosticReport(
                Diagnostic(
                    file: file, line: 1,
                    message: "the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8 (CSV UTF-8 in Excel)"))
        }
        if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
        recordCap = Self.headerLimit
        guard try nextRecordRaw() else {
            throw DiagnosticReport(Diagnostic(file: file, line: 1, message: "the file is empty; expected a header row naming the columns"))
        }
        recordCap = Int.max
        // Line ends of old Macs (CR alone) make the whole file one line: say so rather than list it as the header.
        var bareCR = false
        // A CR that is the file's last byte ends the header as a CRLF cut short would (the reader has
        // looked past every other CR of the header, so one at the end of what it holds ends the file).
        for offset in 0..<position where buffer[offset] == 0x0D {
            if offset + 1 < end && buffer[offset + 1] != 0x0A {
                bareCR = true
                break
            }
        }
        if bareCR {
            throw DiagnosticReport(
                Diagnostic(
                    file: file, line: 1,
                    message: "the lines end with a carriage return alone (old Mac line ends), which is not supported; save the file with LF or CRLF line ends"
                ))
        }
        if gaveUp {
            throw DiagnosticReport(
                Diagnostic(
                    file: file, line: 1,
                    message: "no line end in the first \(Self.headerLimit >> 20) MB; expected a header row naming the columns, then one record per line"))
        }
        if let recordProblem {
            throw DiagnosticReport(Diagnostic(file: file, line: recordLine, message: recordProblem))
        }
        var names: [String] = []
        var hasNUL = false
        for index in 0..<fieldCount {
            if record[index].contains(0) { hasNUL = true }
            names.append(string(index).trimmingSpaces())
        }
        if hasNUL {
            throw DiagnosticReport(
                Diagnostic(
                    file: file, line: 1,
                    message: "the header holds NUL bytes: the file looks like UTF-16 text; save it as UTF-8 (CSV UTF-8 in Excel)"))
        }
        // A column named twice: which one would a reader take? Neither.
        var collector = DiagnosticCollector()
        var firstPosition: [String: Int] = [:]
        for (index, name) in names.enumerated() where !name.isEmpty {
            if let first = firstPosition[name] {
                collector.error(
                    file: file, line: 1, column: name, "the header names this column twice (columns \(first + 1) and \(index + 1))")
            } else {
                firstPosition[name] = index
            }
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        header = names
    }

    /// The header's column names for a message: each cut short, at most 20 of them.
    public var headerSummary: String {
        let shown = header.prefix(20).map { Diagnostic.cut($0, limit: 40) }.joined(separator: ", ")
        return header.count > 20 ? shown + ", … (\(header.count - 20) more columns)" : shown
    }

    /// The index of the column named `name`, if the header has it.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Advances to the next record; `false` at the end of the file.
    ///
    /// Blank lines are skipped. Throws for an unterminated quote, after which nothing more can be read.
    public func next() throws(DiagnosticReport) -> Bool {
        while true {
            if bufferOffset + position >= limit { return false }
            let more = try nextRecordRaw()
            if let readFailure {
                throw DiagnosticReport(Diagnostic(file: file, line: nextLine, message: "reading the file failed (\(readFailure))"))
            }
            guard more else { return false }
            if fieldCount == 1 && recordProblem == nil && spans[0] == spans[1] && quotedFlags[0] == 0 { continue }
            return true
        }
    }

    /// The current record's fields as a value that reads them without further bookkeeping.
    public var record: CSVRecord { CSVRecord(base: UnsafePointer(buffer), spans: UnsafePointer(spans), count: fieldCount) }

    /// Reads more bytes into the buffer, keeping everything from `keep` on.
    ///
    /// Returns true when the buffer changed (bytes moved, read or reallocated), so a caller holding
    /// offsets or the buffer's address must scan again; false at the end of the file with nothing changed.
    private func refill(keepingFrom keep: Int) -> Bool {
        if atEOF { return false }
        var moved = keep > 0
        if keep > 0 {
            let remaining = end - keep
            if remaining > 0 { buffer.update(from: buffer + keep, count: remaining) }
            end = remaining
            position -= keep
            bufferOffset += keep
        }
        if end == capacity {
            if capacity >= recordCap {
                gaveUp = true
                atEOF = true
                return moved
            }
            let newCapacity = capacity * 2
            let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBuffer.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = newBuffer
            capacity = newCapacity
            moved = true
        }
        if let bytes = source {
            let count = min(bytes.count - sourceOffset, capacity - end)
            if count > 0 {
                bytes.withUnsafeBufferPointer { (buffer + end).update(from: $0.baseAddress! + sourceOffset, count: count) }
            }
            sourceOffset += count
            bytesRead += count
            end += count
            if sourceOffset >= bytes.count { atEOF = true }
            return count > 0 || moved
        }
        while true {
            let count = read(descriptor, buffer + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                readFailure = String(cString: strerror(errno))
                atEOF = true
                return moved
            }
            if count == 0 {
                atEOF = true
                return moved
            }
            end += count
            bytesRead += count
            return true
        }
    }

    private func growSpans() {
        let newCapacity = spanCapacity * 2
        let newSpans = UnsafeMutablePointer<Int>.allocate(capacity: 2 * newCapacity)
        newSpans.update(from: spans, count: 2 * spanCapacity)
        spans.deallocate()
        spans = newSpans
        let newFlags = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newFlags.update(from: quotedFlags, count: spanCapacity)
        quotedFlags.deallocate()
        quotedFlags = newFlags
        spanCapacity = newCapacity
    }

    /// Parses one record starting at `position`; returns false when no bytes are left.
    ///
    /// The scan runs on local copies of the buffer state; when the record runs past the bytes
    /// read so far, more are read and the record is scanned again from its start. Only once the
    /// whole record is known are its fields trimmed and unescaped in place.
    private func nextRecordRaw() throws(DiagnosticReport) -> Bool {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        if position >= end && !refill(keepingFrom: position) { return false }
        if position >= end { return false }
        restart: while true {
            let bytes = buffer
            let end = self.end
            let eof = atEOF
            let recordStart = position
            var spans = self.spans
            var spanCapacity = self.spanCapacity
            var flags = self.quotedFlags
            var index = recordStart
            var lines = 0
            var fields = 0
            var problem: String?
            var hasEscapes = false

            @inline(__always) func addField(_ start: Int, _ stop: Int, quoted: Bool) {
                if fields == spanCapacity {
                    growSpans()
                    spans = self.spans
                    flags = self.quotedFlags
                    spanCapacity = self.spanCapacity
                }
                spans[2 * fields] = start
                spans[2 * fields + 1] = stop
                flags[fields] = quoted ? 1 : 0
                fields += 1
            }

            // Fast path: a record with no quote at all, ended by a line feed within the bytes read,
            // scanned eight bytes at a time. Anything else goes the byte-by-byte way below.
            var fast = false
            // The fast path ORs the bytes it scans: no byte from 0x80 on means no UTF-8 to check.
            var high: UInt64 = 0
            fastPath: do {
                var scan = recordStart
                var fieldStart = recordStart
                func lineEnd(_ at: Int) {
                    var fieldEnd = at
                    if fieldEnd > fieldStart && bytes[fieldEnd - 1] == carriage { fieldEnd -= 1 }
                    addField(fieldStart, fieldEnd, quoted: false)
                    index = at + 1
                    lines = 1
                    fast = true
                }
                words: while scan + 8 <= end {
                    let word = UnsafeRawPointer(bytes + scan).loadUnaligned(as: UInt64.self).littleEndian
                    var commas = CSVReader.zeroBytes(word ^ 0x2C2C_2C2C_2C2C_2C2C)
                    let newlines = CSVReader.zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    let quotes = CSVReader.zeroBytes(word ^ 0x2222_2222_2222_2222)
                    // Only what comes before the first line feed belongs to this record.
                    let before = newlines == 0 ? UInt64.max : (newlines & (0 &- newlines)) &- 1
                    high |= word & before
                    if quotes & before != 0 { break fastPath }
                    commas &= before
                    while commas != 0 {
                        let at = scan + commas.trailingZeroBitCount >> 3
                        addField(fieldStart, at, quoted: false)
                        fieldStart = at + 1
                        commas &= commas &- 1
                    }
                    if newlines != 0 {
                        lineEnd(scan + newlines.trailingZeroBitCount >> 3)
                        break words
                    }
                    scan += 8
                }
                if !fast {
                    while scan < end {
                        let byte = bytes[scan]
                        high |= UInt64(byte)
                        if byte == comma {
                            addField(fieldStart, scan, quoted: false)
                            fieldStart = scan + 1
                        } else if byte == newline {
                            lineEnd(scan)
                            break
                        } else if byte == quote {
                            break fastPath
                        }
                        scan += 1
                    }
                }
                if !fast && !eof {
                    if refill(keepingFrom: recordStart) { continue restart }
                }
            }
            if !fast { fields = 0 }

            fieldLoop: while !fast {
                // Skip leading blanks to see whether the field is quoted.
                var probe = index
                while probe < end && (bytes[probe] == space || bytes[probe] == tab) { probe += 1 }
                if probe >= end && !eof {
                    if refill(keepingFrom: recordStart) { continue restart }
                }
                if probe < end && bytes[probe] == quote {
                    var scan = probe + 1
                    var closing = -1
                    while closing < 0 {
                        if scan >= end {
                            if !eof && refill(keepingFrom: recordStart) { continue restart }
                            throw DiagnosticReport(
                                Diagnostic(
                                    file: file, line: nextLine,
                                    message: "unterminated quote: a quoted field of the record that starts on this line is never closed"))
                        }
                        let byte = bytes[scan]
                        if byte == quote {
                            if scan + 1 >= end {
                                if !eof && refill(keepingFrom: recordStart) { continue restart }
                                closing = scan
                            } else if bytes[scan + 1] == quote {
                                hasEscapes = true
                                scan += 2
                            } else {
                                closing = scan
                            }
                        } else {
                            if byte == newline { lines += 1 }
                            scan += 1
                        }
                    }
                    addField(probe + 1, closing, quoted: true)
                    index = closing + 1
                    // After the closing quote: blanks, then a comma or the end of the record.
                    while true {
                        if index >= end {
                            if !eof && refill(keepingFrom: recordStart) { continue restart }
                            break fieldLoop
                        }
                        let byte = bytes[index]
                        if byte == space || byte == tab {
                            index += 1
                        } else if byte == comma {
                            index += 1
                            continue fieldLoop
                        } else if byte == newline {
                            index += 1
                            lines += 1
                            break fieldLoop
                        } else if byte == carriage && index + 1 < end && bytes[index + 1] == newline {
                            index += 2
                            lines += 1
                            break fieldLoop
                        } else if byte == carriage && index + 1 >= end {
                            if !eof && refill(keepingFrom: recordStart) { continue restart }
                            // A carriage return that ends the file ends the record, as after an
                            // unquoted field (a CRLF cut short), however the bytes were read.
                            index += 1
                            break fieldLoop
                        } else {
                            if problem == nil {
                                problem = "unexpected text after a closing quote (a quote inside a quoted field must be doubled: \"\")"
                            }
                            index += 1
                        }
                    }
                } else {
                    var scan = index
                    while scan < end {
                        let byte = bytes[scan]
                        if byte == comma || byte == newline { break }
                        scan += 1
                    }
                    if scan >= end {
                        if !eof && refill(keepingFrom: recordStart) { continue restart }
                        // A carriage return that ends the file ends the record (a CRLF cut short).
                        addField(index, scan > index && bytes[scan - 1] == carriage ? scan - 1 : scan, quoted: false)
                        index = scan
                        break fieldLoop
                    }
                    if bytes[scan] == comma {
                        addField(index, scan, quoted: false)
                        index = scan + 1
                        continue fieldLoop
                    }
                    var fieldEnd = scan
                    if fieldEnd > index && bytes[fieldEnd - 1] == carriage { fieldEnd -= 1 }
                    addField(index, fieldEnd, quoted: false)
                    index = scan + 1
                    lines += 1
                    break fieldLoop
                }
            }

            // Text must be UTF-8. Only bytes from 0x80 on need the full check: a record of the fast path
            // has none unless `high` says so; any other takes one pass of eight-byte words (made before
            // the trimming below moves any bytes).
            var problemColumn: String?
            if problem == nil, !fast || high & 0x8080_8080_8080_8080 != 0,
                let invalid = CSVReader.firstInvalidUTF8(bytes, from: recordStart, to: index)
            {
                var column: Int?
                for field in 0..<fields where spans[2 * field] <= invalid && invalid < spans[2 * field + 1] { column = field }
                if let column, column < header.count { problemColumn = header[column] }
                let byte = "byte 0x\(String(bytes[invalid], radix: 16, uppercase: true))"
                let what =
                    header.isEmpty
                    ? "the header is not valid UTF-8 text (\(byte))"
                    : column.map { "field \($0 + 1) is not valid UTF-8 text (\(byte), byte \(invalid - spans[2 * $0] + 1) of the value)" }
                        ?? "the record is not valid UTF-8 text (\(byte))"
                problem = what + "; save the file as UTF-8 (CSV UTF-8 in Excel): Latin-1, Windows-1252 and UTF-16 are not read"
            }

            // The record is complete: trim each field and undo doubled quotes in place.
            for field in 0..<fields {
                var start = spans[2 * field], stop = spans[2 * field + 1]
                // Spaces and tabs are both at most 0x20: one comparison per end in the common case.
                if start < stop && (bytes[start] <= space || bytes[stop - 1] <= space) {
                    while start < stop && (bytes[start] == space || bytes[start] == tab) { start += 1 }
                    while stop > start && (bytes[stop - 1] == space || bytes[stop - 1] == tab) { stop -= 1 }
                }
                if hasEscapes && flags[field] == 1 {
                    var read = start, write = start
                    while read < stop {
                        let byte = bytes[read]
                        bytes[write] = byte
                        write += 1
                        read += byte == quote && read + 1 < stop && bytes[read + 1] == quote ? 2 : 1
                    }
                    stop = write
                }
                spans[2 * field] = start
                spans[2 * field + 1] = stop
            }

            recordLine = nextLine
            let endedByNewline = index > recordStart && bytes[index - 1] == newline
            nextLine += lines + (endedByNewline ? 0 : 1)
            position = index
            fieldCount = fields
            recordProblem = problem
            recordProblemColumn = problemColumn
            return true
        }
    }

    /// The offset of the first byte in `start..<end` that is not part of valid UTF-8, if any.
    @inline(__always)
    static func firstInvalidUTF8(_ bytes: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var offset = start
        var high: UInt64 = 0
        while offset + 8 <= end {
            high |= UnsafeRawPointer(bytes + offset).loadUnaligned(as: UInt64.self)
            offset += 8
        }
        while offset < end {
            high |= UInt64(bytes[offset])
            offset += 1
        }
        if high & 0x8080_8080_8080_8080 == 0 { return nil }
        return validateUTF8(UnsafeBufferPointer(start: bytes + start, count: end - start)).map { start + $0 }
    }

    /// The offset of the first byte of `bytes` that is not part of valid UTF-8 (no overlong forms,
    /// surrogates or code points past U+10FFFF), if any.
    static func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return index }
            for next in 2..<length where bytes[index + next] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }

    /// 0x80 in every byte of `word` that is zero, 0 elsewhere (exact, no carries between bytes).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & low) &+ low) | word | low)
    }

    /// Replaces each byte of field `index` of the current record by `transform` of it, in the
    /// reader's buffer: `record` and the views it handed out see the new bytes.
    @inline(__always)
    func rewriteField(_ index: Int, _ transform: (UInt8) -> UInt8) {
        guard index < fieldCount else { return }
        let bytes = buffer
        for offset in spans[2 * index]..<spans[2 * index + 1] { bytes[offset] = transform(bytes[offset]) }
    }

    /// Field `index` as a `String` (trimmed, unescaped); the reader has refused invalid UTF-8.
    public func string(_ index: Int) -> String {
        record.string(index)
    }

    /// Whether field `index` is empty after trimming.
    public func isEmpty(_ index: Int) -> Bool {
        record[index].isEmpty
    }
}

/// The fields of the record a `CSVReader` is on; valid until the reader moves on.
public struct CSVRecord {
    let base: UnsafePointer<UInt8>
    let spans: UnsafePointer<Int>
    public let count: Int

    /// The bytes of field `index` (trimmed, unescaped); empty past the end of the record.
    @inline(__always)
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        guard index < count else { return UnsafeBufferPointer(start: base, count: 0) }
        let start = spans[2 * index]
        return UnsafeBufferPointer(start: base + start, count: spans[2 * index + 1] - start)
    }

    public func string(_ index: Int) -> String { String(decoding: self[index], as: UTF8.self) }
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
