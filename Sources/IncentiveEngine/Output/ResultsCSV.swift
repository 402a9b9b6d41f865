import Foundation

/// The results CSV of formats.md §4.
public enum ResultsCSV {
    public static let header = "program,kind,partner_id,item,qualifying_volume,threshold,eligible,amount,missed_amount,reasons"

    /// Header and one line per row, `\n` line ends, rows in the order given (already sorted by the engine).
    public static func render(_ rows: [ResultRow]) -> String {
        var bytes: [UInt8] = []
        stream(rows) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of `render`, handed to `write` in pieces and in order, so that the whole text is
    /// never held at once. Rows are written in blocks, a few blocks side by side. Without `header`, only the
    /// rows' lines (the rows of a program after those of the programs before it).
    public static func stream<Failure: Error>(
        _ rows: [ResultRow], header writesHeader: Bool = true, _ write: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Void
    ) throws(Failure) {
        if writesHeader {
            var header = Array(header.utf8)
            header.append(0x0A)
            try header.withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
        }
        let blockSize = 16_384
        let blockCount = (rows.count + blockSize - 1) / blockSize
        let wave = 4
        var first = 0
        while first < blockCount {
            let start = first
            let blocks = parallelMap(min(wave, blockCount - first)) { slot in
                let range = (start + slot) * blockSize..<min(rows.count, (start + slot + 1) * blockSize)
                var bytes: [UInt8] = []
                bytes.reserveCapacity(range.count * 112)
                for index in range { append(rows[index], lineEnd: true, to: &bytes) }
                return bytes
            }
            for block in blocks {
                try block.withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
            }
            first += blocks.count
        }
    }

    /// The results CSV of `Engine.compute(input)`, computed and written a block of partners at a time
    /// (`Engine.stream`): the same bytes as `stream(Engine.compute(input).rows, write)` without holding the
    /// results of every partner.
    public static func stream<Failure: Error>(_ input: LoadedInput, _ write: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Void) throws(Failure) {
        var header = Array(header.utf8)
        header.append(0x0A)
        try header.withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
        try Engine.stream(
            input,
            transform: { _, partners in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(partners.count * 2 * 112)
                for partner in partners {
                    for row in partner.rows { append(row, lineEnd: true, to: &bytes) }
                }
                return bytes
            },
            consume: { (bytes: [UInt8]) throws(Failure) in try bytes.withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) } })
    }

    public static func line(_ row: ResultRow) -> String {
        var bytes: [UInt8] = []
        append(row, lineEnd: false, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The line as the fields joined by commas: the definition `append` must match, and its fallback.
    static func joinedLine(_ row: ResultRow) -> String {
        [
            field(row.program), row.kind.rawValue, field(row.partnerID), field(row.item), row.qualifyingVolume.plainText,
            row.threshold.plainText, row.eligible ? "true" : "false", row.amount.plainText, row.missedAmount.plainText,
            field(row.reasons.joined(separator: ";")),
        ].joined(separator: ",")
    }

    /// Appends the line of `row`, written in place when no field needs quotes (else through `joinedLine`).
    static func append(_ row: ResultRow, lineEnd: Bool, to bytes: inout [UInt8]) {
        let written = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { scratch -> Bool in
            guard let count = write(row, into: scratch) else { return false }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
            return true
        }
        if !written { bytes.append(contentsOf: joinedLine(row).utf8) }
        if lineEnd { bytes.append(0x0A) }
    }

    /// Writes the line of `row` into `buffer`; `nil` when a text needs quotes or the line does not fit.
    static func write(_ row: ResultRow, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let start = buffer.baseAddress!
        var count = 0
        let comma: UInt8 = 0x2C
        /// Copies `text` unless it needs quotes or leaves no room for the numbers still to come.
        @inline(__always) func put(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { utf8 in
                guard count + utf8.count + 128 <= buffer.count else { return false }
                // A text a spreadsheet could take for a formula goes the slow way, through `field`.
                if let first = utf8.first, first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09 || first == 0x0D {
                    return false
                }
                for byte in utf8 {
                    if byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D { return false }
                    start[count] = byte
                    count += 1
                }
                return true
            }
        }
        guard put(row.program) else { return nil }
        start[count] = comma
        count += 1
        guard put(row.kind.rawValue) else { return nil }
        start[count] = comma
        count += 1
        guard put(row.partnerID) else { return nil }
        start[count] = comma
        count += 1
        guard put(row.item) else { return nil }
        @inline(__always) func money(_ amount: Money) {
            start[count] = comma
            count += 1
            count += TextBytes.writePlain(amount, at: start + count)
        }
        money(row.qualifyingVolume)
        money(row.threshold)
        start[count] = comma
        count += 1
        guard put(row.eligible ? "true" : "false") else { return nil }
        money(row.amount)
        money(row.missedAmount)
        start[count] = comma
        count += 1
        // The failed checks' reasons joined by `;`.
        var first = true
        for index in row.checks.indices where !row.checks[index].passed {
            guard let reason = row.checks[index].reason else { continue }
            if !first {
                start[count] = 0x3B
                count += 1
            }
            first = false
            guard put(reason) else { return nil }
        }
        return count
    }

    /// A text field: neutralised when a spreadsheet would run it as a formula (`neutralised`), then
    /// quoted (RFC 4180) only when it holds a comma, a quote or a line break.
    public static func field(_ value: String) -> String {
        let value = neutralised(value)
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `value` with a `'` in front when a spreadsheet opening the CSV would take it for a formula
    /// (OWASP's rule for CSV injection): it starts with `=`, `+`, `@`, a tab or a carriage return, or
    /// with `-` without being a plain number (`-12.50` stays as it is, `-1+2` and `-cmd` do not).
    public static func neutralised(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        switch first {
        case 0x3D, 0x2B, 0x40, 0x09, 0x0D: return "'" + value
        case 0x2D: return isPlainNumber(value.utf8.dropFirst()) ? value : "'" + value
        default: return value
        }
    }

    /// Digits, with at most one `.` that has digits on both sides.
    static func isPlainNumber(_ bytes: Substring.UTF8View) -> Bool {
        var digits = 0, point = false, afterPoint = 0
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                if point { afterPoint += 1 } else { digits += 1 }
            } else if byte == 0x2E && !point {
                point = true
            } else {
                return false
            }
        }
        return digits > 0 && (!point || afterPoint > 0)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
